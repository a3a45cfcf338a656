"""Declared scans (an image's ``scan:``): what they load as, every problem they can have,
and the deploy gate they make possible (push with scan on push, wait, read the findings)."""

from __future__ import annotations

import textwrap
from typing import Any

import botocore.exceptions
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import DeclarationError, Problem, load_declaration
from pytest_ecr.declarations.scans import ScanDeclaration
from pytest_ecr.model import scanning as s

from .conftest import Problems

REGISTRY = """\
version: 1
account: "111122223333"
repositories:
  - name: build/app
    images:
      - tags: [v1]
        scan:
          findings:
            - {name: CVE-2024-0001, severity: HIGH, package_name: openssl, package_version: "3.0.1"}
            - name: CVE-2024-0002
              severity: LOW
              description: A small one.
              uri: https://example.test/CVE-2024-0002
      - tags: [v2]
        scan: {severity_counts: {CRITICAL: 1, MEDIUM: 2}}
      - tags: [broken]
        scan: {status: UNSUPPORTED_IMAGE}
      - tags: [clean]
        scan: {}
      - tags: [unscanned]
  - name: prod/app
"""


def findings(client: Any, tag: str, repo: str = "build/app") -> Any:
    return client.describe_image_scan_findings(repositoryName=repo, imageId={"imageTag": tag})


@pytest.fixture
def fake() -> Any:
    with FakeEcr([REGISTRY]) as active:
        yield active


def test_declared_findings_are_reported_as_declared(fake: FakeEcr) -> None:
    answer = findings(fake.client(), "v1")
    assert answer["imageScanStatus"]["status"] == "COMPLETE"
    body = answer["imageScanFindings"]
    assert body["findingSeverityCounts"] == {"LOW": 1, "HIGH": 1}
    assert body["findings"] == [
        {
            "name": "CVE-2024-0001",
            "severity": "HIGH",
            "attributes": [
                {"key": "package_version", "value": "3.0.1"},
                {"key": "package_name", "value": "openssl"},
            ],
        },
        {
            "name": "CVE-2024-0002",
            "description": "A small one.",
            "uri": "https://example.test/CVE-2024-0002",
            "severity": "LOW",
            "attributes": [],
        },
    ]


def test_severity_counts_generate_stable_findings() -> None:
    with FakeEcr([REGISTRY]) as fake:
        body = findings(fake.client(), "v2")["imageScanFindings"]
    assert body["findingSeverityCounts"] == {"MEDIUM": 2, "CRITICAL": 1}
    assert [f["severity"] for f in body["findings"]] == ["CRITICAL", "MEDIUM", "MEDIUM"]
    with FakeEcr([REGISTRY]) as again:
        assert findings(again.client(), "v2")["imageScanFindings"]["findings"] == body["findings"]


def test_declared_outcomes_and_clean_scans(fake: FakeEcr) -> None:
    client = fake.client()
    assert findings(client, "broken")["imageScanStatus"]["status"] == "UNSUPPORTED_IMAGE"
    clean = findings(client, "clean")
    assert clean["imageScanStatus"]["status"] == "COMPLETE"
    assert clean["imageScanFindings"]["findings"] == []
    with pytest.raises(client.exceptions.ScanNotFoundException):
        findings(client, "unscanned")


def test_a_declared_scan_is_complete_with_no_wait(fake: FakeEcr) -> None:
    client = fake.client()
    client.get_waiter("image_scan_complete").wait(
        repositoryName="build/app", imageId={"imageTag": "v1"}
    )
    assert fake.sleeps == []


def test_the_deploy_gate_fails_on_critical_findings(fake: FakeEcr) -> None:
    """The pattern real deploy gates use: promote an image into a repository that scans
    on push, wait for the scan, and refuse the deploy on a CRITICAL finding."""
    # The gate copies manifests only; ECR would want their layers in prod/app too.
    fake.registry.allow_missing_layers()
    client = fake.client()
    client.put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[
            {
                "scanFrequency": "SCAN_ON_PUSH",
                "repositoryFilters": [{"filter": "prod/*", "filterType": "WILDCARD"}],
            }
        ],
    )

    def deploy(tag: str) -> bool:
        image = client.batch_get_image(repositoryName="build/app", imageIds=[{"imageTag": tag}])
        client.put_image(
            repositoryName="prod/app",
            imageManifest=image["images"][0]["imageManifest"],
            imageTag=tag,
        )
        ident = {"imageTag": tag}
        client.get_waiter("image_scan_complete").wait(repositoryName="prod/app", imageId=ident)
        scan = findings(client, tag, repo="prod/app")["imageScanFindings"]
        return scan.get("findingSeverityCounts", {}).get("CRITICAL", 0) == 0

    assert deploy("v1") is True
    assert deploy("v2") is False
    assert deploy("clean") is True
    polls = [sleep.seconds for sleep in fake.sleeps if sleep.kind == "waiter"]
    assert polls == [5.0] * 18  # three scans of 30 s on the fake's clock, none in wall time


def test_the_gate_stops_when_a_scan_fails(fake: FakeEcr) -> None:
    fake.registry.allow_missing_layers()  # the manifest is copied without its layers
    client = fake.client()
    client.create_repository(
        repositoryName="prod/other", imageScanningConfiguration={"scanOnPush": True}
    )
    image = client.batch_get_image(repositoryName="build/app", imageIds=[{"imageTag": "broken"}])
    client.put_image(
        repositoryName="prod/other",
        imageManifest=image["images"][0]["imageManifest"],
        imageTag="broken",
    )
    fake.advance(seconds=s.SCAN_DURATION)
    status = findings(client, "broken", repo="prod/other")["imageScanStatus"]["status"]
    assert status == "UNSUPPORTED_IMAGE"
    # UNSUPPORTED_IMAGE is neither the waiter's success nor its failure: it polls on.
    with pytest.raises(botocore.exceptions.WaiterError):
        client.get_waiter("image_scan_complete").wait(
            repositoryName="prod/other",
            imageId={"imageTag": "broken"},
            WaiterConfig={"MaxAttempts": 2},
        )


# -- problems ---------------------------------------------------------------------------------


def image_problems(problems: Problems, scan: str, extra: str = "") -> list[Problem]:
    text = f"version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n{extra}"
    return problems(text + textwrap.indent(f"scan: {scan}\n", " " * 8))


@pytest.mark.parametrize(
    ("scan", "path", "message", "hint"),
    [
        ("[]", "scan", "expected a mapping, found a list", "write `scan: {severity_counts:"),
        ("{statu: FAILED}", "scan", "unknown key 'statu'", "did you mean 'status'?"),
        (
            "{status: DONE}",
            "scan.status",
            "unknown scan status 'DONE'",
            "expected one of: COMPLETE",
        ),
        ("{status: 1}", "scan.status", "expected a string, found the integer 1", "COMPLETE"),
        (
            "{findings: [], severity_counts: {}}",
            "scan",
            "a scan takes findings or severity_counts, not both",
            "severity_counts generates",
        ),
        ("{findings: {}}", "scan.findings", "expected a list of findings", "like `- {name:"),
        ("{findings: [CVE-1]}", "scan.findings[0]", "a finding must be a mapping", "like"),
        ("{findings: [{name: X}]}", "scan.findings[0]", "missing required key 'severity'", None),
        (
            "{findings: [{name: X, severity: BAD}]}",
            "scan.findings[0].severity",
            "unknown severity 'BAD'",
            "expected one of: INFORMATIONAL",
        ),
        (
            "{findings: [{name: X, severity: LOW, cvss: 1}]}",
            "scan.findings[0]",
            "unknown key 'cvss'",
            "expected one of: name, severity",
        ),
        (
            "{findings: [{name: X, severity: LOW, uri: 3}]}",
            "scan.findings[0].uri",
            "expected a non-empty string, found the integer 3",
            None,
        ),
        (
            "{findings: [{name: X, severity: LOW}, {name: X, severity: HIGH}]}",
            "scan.findings[1]",
            "finding 'X' is listed twice for this image",
            "list each finding once",
        ),
        ("{severity_counts: [1]}", "scan.severity_counts", "expected a mapping of severity", None),
        (
            "{severity_counts: {SEVERE: 1}}",
            "scan.severity_counts",
            "unknown key 'SEVERE'",
            "expected one of: INFORMATIONAL",
        ),
        (
            "{severity_counts: {HIGH: -1}}",
            "scan.severity_counts.HIGH",
            "expected a count of 0 or more, found the integer -1",
            None,
        ),
        (
            "{status: FAILED, severity_counts: {HIGH: 1}}",
            "scan.status",
            "a scan with status FAILED has no findings",
            "only a COMPLETE scan reports findings",
        ),
    ],
)
def test_scan_problems(
    problems: Problems, scan: str, path: str, message: str, hint: str | None
) -> None:
    (problem,) = image_problems(problems, scan)
    assert problem.path == f"repositories[0].images[0].{path}"
    assert problem.line is not None
    assert problem.line >= 5
    assert message in problem.message
    if hint is None:
        return
    assert problem.hint is not None
    assert hint in problem.hint


def test_a_manifest_list_cannot_declare_a_scan(problems: Problems) -> None:
    (problem,) = image_problems(problems, "{}", "        platforms: [linux/amd64]\n")
    assert problem.path == "repositories[0].images[0].scan"
    assert "a manifest list" in problem.message
    assert problem.hint is not None
    assert "each platform" in problem.hint


def test_one_image_declared_with_two_scans_is_a_conflict() -> None:
    # The same synthetic image (same repository, position and tags) in two sources.
    text = "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n"
    first = text + "        scan: {severity_counts: {LOW: 1}}\n"
    second = text + "        scan: {status: FAILED}\n"
    with pytest.raises(
        DeclarationError, match=r"scan of image sha256:[0-9a-f]+ is declared differently at"
    ) as info:
        FakeEcr([first, second])
    assert "declare the image setting scan once" in str(info.value)


def test_the_declaration_carries_the_scan() -> None:
    declaration = load_declaration(REGISTRY)
    images = declaration.repositories[0].images
    assert dict(images[2].settings)["scan"] == ScanDeclaration("UNSUPPORTED_IMAGE")
    assert images[4].settings == ()


# -- a registry's scanning ----------------------------------------------------------------


SCANNING = """\
version: 1
account: "111122223333"
registries:
  - scanning:
      scan_type: ENHANCED
      rules:
        - {scan_frequency: CONTINUOUS_SCAN, repository_filters: ["prod/*"]}
        - {scan_frequency: SCAN_ON_PUSH, repository_filters: [team]}
  - region: eu-west-1
    scanning: {rules: [{scan_frequency: SCAN_ON_PUSH, repository_filters: ["*"]}]}
repositories:
  - name: prod/app
  - name: team/api
    images:
      - tags: [v1]
        scan: {severity_counts: {HIGH: 1}}
  - name: other
"""


def test_a_declared_scanning_configuration() -> None:
    with FakeEcr([SCANNING]) as fake:
        client = fake.client()
        config = client.get_registry_scanning_configuration()["scanningConfiguration"]
        assert config == {
            "scanType": "ENHANCED",
            "rules": [
                {
                    "scanFrequency": "CONTINUOUS_SCAN",
                    "repositoryFilters": [{"filter": "prod/*", "filterType": "WILDCARD"}],
                },
                {
                    "scanFrequency": "SCAN_ON_PUSH",
                    "repositoryFilters": [{"filter": "team", "filterType": "WILDCARD"}],
                },
            ],
        }
        found = client.batch_get_repository_scanning_configuration(
            repositoryNames=["prod/app", "team/api", "other"]
        )["scanningConfigurations"]
        assert [i["scanFrequency"] for i in found] == ["CONTINUOUS_SCAN", "SCAN_ON_PUSH", "MANUAL"]
        # A declared scan is of the registry's scan type: enhanced findings here.
        body = findings(client, "v1", repo="team/api")["imageScanFindings"]
        assert [f["severity"] for f in body["enhancedFindings"]] == ["HIGH"]
        west = fake.client(region="eu-west-1").get_registry_scanning_configuration()
        assert west["scanningConfiguration"]["scanType"] == "BASIC"
        assert west["scanningConfiguration"]["rules"][0]["scanFrequency"] == "SCAN_ON_PUSH"


def registry_problems(problems: Problems, scanning: str) -> list[Problem]:
    return problems(f"version: 1\nregistries:\n  - scanning: {scanning}\n")


@pytest.mark.parametrize(
    ("scanning", "path", "message"),
    [
        ("[]", "scanning", "expected a mapping, found a list"),
        ("{scan_typ: BASIC}", "scanning", "unknown key 'scan_typ'"),
        ("{scan_type: DEEP}", "scanning.scan_type", "unknown scan_type 'DEEP'"),
        ("{rules: {}}", "scanning.rules", "expected a list of rules"),
        ("{rules: [1]}", "scanning.rules[0]", "a rule must be a mapping"),
        (
            "{rules: [{repository_filters: [a]}]}",
            "scanning.rules[0]",
            "missing required key 'scan_frequency'",
        ),
        (
            "{rules: [{scan_frequency: SCAN_ON_PUSH}]}",
            "scanning.rules[0]",
            "missing required key 'repository_filters'",
        ),
        (
            "{rules: [{scan_frequency: DAILY, repository_filters: [a]}]}",
            "scanning.rules[0].scan_frequency",
            "unknown scan_frequency 'DAILY'",
        ),
        (
            "{rules: [{scan_frequency: SCAN_ON_PUSH, repository_filters: [Team]}]}",
            "scanning.rules[0].repository_filters[0]",
            "invalid filter 'Team'",
        ),
        (
            "{rules: [{scan_frequency: SCAN_ON_PUSH, repository_filters: a}]}",
            "scanning.rules[0].repository_filters",
            "expected a list of filters",
        ),
        (
            "{rules: [{scan_frequency: CONTINUOUS_SCAN, repository_filters: [a]}]}",
            "scanning.rules[0]",
            "CONTINUOUS_SCAN needs scan_type ENHANCED",
        ),
        (
            "{rules: [{scan_frequency: MANUAL, repository_filters: [a]},"
            " {scan_frequency: MANUAL, repository_filters: [b]}]}",
            "scanning.rules[1]",
            "a second MANUAL rule",
        ),
    ],
)
def test_scanning_problems(problems: Problems, scanning: str, path: str, message: str) -> None:
    (problem,) = registry_problems(problems, scanning)
    assert problem.path == f"registries[0].{path}"
    assert problem.line == 3
    assert message in problem.message


def test_a_registry_declared_with_two_scanning_configurations_is_a_conflict() -> None:
    first = "version: 1\nregistries:\n  - scanning: {scan_type: ENHANCED}\n"
    second = "version: 1\nregistries:\n  - scanning: {scan_type: BASIC}\n"
    with pytest.raises(DeclarationError, match=r"scanning of registry .* is declared differently"):
        FakeEcr([first, second])


def test_the_moto_backend_is_seeded_with_the_scanning_configuration() -> None:
    pytest.importorskip("moto")
    with FakeEcr([SCANNING], backend="moto") as fake:
        config = fake.client().get_registry_scanning_configuration()["scanningConfiguration"]
        assert config["scanType"] == "ENHANCED"
        assert [rule["scanFrequency"] for rule in config["rules"]] == [
            "CONTINUOUS_SCAN",
            "SCAN_ON_PUSH",
        ]
