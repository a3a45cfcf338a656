"""The registry scanning configuration, the scanning each repository gets, scan on push,
DescribeImages' scan summary, and the deploy gate built from them, on both transports."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.model import scanning as s

from .support import ACCOUNT, REGION, error_of, image_manifest, strip

# These tests push made-up manifests to test something else than layers: PutImage may
# store them (allow_missing_layers), as a suite that pushes placeholders declares.
pytestmark = pytest.mark.usefixtures("placeholder_pushes")

ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository"


def rule(frequency: str, *filters: str) -> dict[str, Any]:
    return {
        "scanFrequency": frequency,
        "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters],
    }


def scanning_of(client: Any, *names: str) -> Any:
    return strip(client.batch_get_repository_scanning_configuration(repositoryNames=list(names)))


def push(client: Any, repo: str, seed: int, tag: str = "new") -> str:
    answer = client.put_image(repositoryName=repo, imageManifest=image_manifest(seed), imageTag=tag)
    return str(answer["image"]["imageId"]["imageDigest"])


def status(client: Any, repo: str, tag: str = "new") -> str:
    answer = client.describe_image_scan_findings(repositoryName=repo, imageId={"imageTag": tag})
    return str(answer["imageScanStatus"]["status"])


# -- Put / Get -------------------------------------------------------------------------------


def test_the_default_configuration(any_client: Any) -> None:
    assert strip(any_client.get_registry_scanning_configuration()) == {
        "registryId": ACCOUNT,
        "scanningConfiguration": {"scanType": "BASIC", "rules": []},
    }


def test_put_echoes_and_get_reads_it_back(any_client: Any) -> None:
    rules = [rule("SCAN_ON_PUSH", "prod"), rule("CONTINUOUS_SCAN", "team/*")]
    answer = strip(any_client.put_registry_scanning_configuration(scanType="ENHANCED", rules=rules))
    expected = {"scanType": "ENHANCED", "rules": rules}
    assert answer == {"registryScanningConfiguration": expected}
    assert any_client.get_registry_scanning_configuration()["scanningConfiguration"] == expected


def test_put_without_a_scan_type_is_basic(any_client: Any) -> None:
    answer = any_client.put_registry_scanning_configuration(rules=[rule("SCAN_ON_PUSH", "*")])
    assert answer["registryScanningConfiguration"]["scanType"] == "BASIC"


def test_the_configuration_is_per_region(fake: FakeEcr, any_client: Any) -> None:
    any_client.put_registry_scanning_configuration(scanType="ENHANCED")
    other = fake.registry.registry_setting(ACCOUNT, "eu-west-1", s.REGISTRY_SCANNING_KEY)
    assert other is None


@pytest.mark.parametrize(
    ("params", "member", "constraint"),
    [
        ({"scanType": "DEEP"}, "scanType", "Member must satisfy enum value set: [BASIC, ENHANCED]"),
        (
            {"rules": [rule("SCAN_ON_PUSH", "a")] * 3},
            "rules",
            "Member must have length less than or equal to 2",
        ),
        (
            {"rules": [rule("SCAN_ON_PUSH", "a"), rule("SCAN_ON_PUSH", "b")]},
            "rules",
            "Member must have one rule per scanFrequency",
        ),
        (
            {"rules": [rule("CONTINUOUS_SCAN", "a")]},
            "rules.1.member.scanFrequency",
            "CONTINUOUS_SCAN is supported only with scanType ENHANCED",
        ),
        (
            {"rules": [{"scanFrequency": "DAILY", "repositoryFilters": []}]},
            "rules.1.member.scanFrequency",
            "Member must satisfy enum value set: [SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL]",
        ),
        (
            {"rules": [rule("SCAN_ON_PUSH", "Team")]},
            "rules.1.member.repositoryFilters.1.member.filter",
            f"must satisfy regular expression '{s.FILTER_PATTERN}'",
        ),
        (
            {"rules": [rule("SCAN_ON_PUSH", "a" * 256)]},
            "rules.1.member.repositoryFilters.1.member.filter",
            "Member must have length less than or equal to 255",
        ),
        (
            {"rules": [rule("SCAN_ON_PUSH", *(["a"] * 101))]},
            "rules.1.member.repositoryFilters",
            "Member must have length less than or equal to 100",
        ),
        (
            {
                "rules": [
                    {
                        "scanFrequency": "SCAN_ON_PUSH",
                        "repositoryFilters": [{"filter": "a", "filterType": "PREFIX_MATCH"}],
                    }
                ]
            },
            "rules.1.member.repositoryFilters.1.member.filterType",
            "Member must satisfy enum value set: [WILDCARD]",
        ),
    ],
)
def test_put_validation(
    any_client: Any, params: dict[str, Any], member: str, constraint: str
) -> None:
    assert error_of(any_client.put_registry_scanning_configuration, **params) == (
        "InvalidParameterException",
        f"Invalid parameter at '{member}' failed to satisfy constraint: '{constraint}'",
        400,
    )
    # A refused configuration changes nothing.
    assert any_client.get_registry_scanning_configuration()["scanningConfiguration"] == {
        "scanType": "BASIC",
        "rules": [],
    }


# -- BatchGetRepositoryScanningConfiguration --------------------------------------------------


def item(name: str, frequency: str, on_push: bool, *filters: str) -> dict[str, Any]:
    return {
        "repositoryArn": f"{ARN}/{name}",
        "repositoryName": name,
        "scanOnPush": on_push,
        "scanFrequency": frequency,
        "appliedScanFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters],
    }


def test_without_rules_every_repository_is_manual(any_client: Any) -> None:
    assert scanning_of(any_client, "team/api", "empty") == {
        "scanningConfigurations": [
            item("team/api", "MANUAL", False),
            item("empty", "MANUAL", False),
        ],
        "failures": [],
    }


def test_unknown_names_are_failures(any_client: Any) -> None:
    answer = scanning_of(any_client, "team/api", "nope/x", "team/api")
    assert answer["scanningConfigurations"] == [item("team/api", "MANUAL", False)]
    assert answer["failures"] == [
        {
            "repositoryName": "nope/x",
            "failureCode": "REPOSITORY_NOT_FOUND",
            "failureReason": (
                f"The repository with name 'nope/x' does not exist in the registry with id "
                f"'{ACCOUNT}'"
            ),
        }
    ]


def test_the_repository_flag_scans_on_push_under_basic(any_client: Any) -> None:
    any_client.create_repository(
        repositoryName="flagged", imageScanningConfiguration={"scanOnPush": True}
    )
    assert scanning_of(any_client, "flagged")["scanningConfigurations"] == [
        item("flagged", "SCAN_ON_PUSH", True)
    ]
    any_client.put_registry_scanning_configuration(scanType="ENHANCED", rules=[])
    # Enhanced scanning follows the registry's rules only: no rules, continuous for all.
    assert scanning_of(any_client, "flagged")["scanningConfigurations"] == [
        item("flagged", "CONTINUOUS_SCAN", False)
    ]


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("api", ["team/api"]),
        ("team", ["team/api", "team/multi", "team/locked"]),
        ("*api", ["team/api"]),
        ("team*", ["team/api", "team/multi", "team/locked"]),
        ("*ult*", ["team/multi"]),
        ("team*i", ["team/api", "team/multi"]),
        ("api*", []),
        ("*", ["team/api", "team/multi", "team/locked", "legacy", "empty"]),
    ],
)
def test_filter_matching(any_client: Any, pattern: str, matches: list[str]) -> None:
    names = ["team/api", "team/multi", "team/locked", "legacy", "empty"]
    any_client.put_registry_scanning_configuration(rules=[rule("SCAN_ON_PUSH", pattern)])
    found = scanning_of(any_client, *names)["scanningConfigurations"]
    assert [i["repositoryName"] for i in found if i["scanFrequency"] == "SCAN_ON_PUSH"] == matches
    for entry in found:
        applied = [pattern] if entry["repositoryName"] in matches else []
        assert [f["filter"] for f in entry["appliedScanFilters"]] == applied


def test_continuous_wins_over_scan_on_push(any_client: Any) -> None:
    any_client.put_registry_scanning_configuration(
        scanType="ENHANCED",
        rules=[rule("SCAN_ON_PUSH", "team", "api"), rule("CONTINUOUS_SCAN", "*api")],
    )
    assert scanning_of(any_client, "team/api", "team/multi", "legacy") == {
        "scanningConfigurations": [
            item("team/api", "CONTINUOUS_SCAN", False, "*api"),
            item("team/multi", "SCAN_ON_PUSH", True, "team"),
            item("legacy", "MANUAL", False),
        ],
        "failures": [],
    }


@pytest.mark.parametrize(
    ("names", "member", "constraint"),
    [
        ([f"r{n:02}" for n in range(26)], "repositoryNames", "less than or equal to 25"),
        (["Bad"], "repositoryNames.1.member", "must satisfy regular expression"),
    ],
)
def test_batch_get_validation(
    any_client: Any, names: list[str], member: str, constraint: str
) -> None:
    code, message, _ = error_of(
        any_client.batch_get_repository_scanning_configuration, repositoryNames=names
    )
    assert code == "InvalidParameterException"
    assert message.startswith(f"Invalid parameter at '{member}'")
    assert constraint in message


# -- scan on push -------------------------------------------------------------------------


def test_a_push_is_not_scanned_by_default(any_client: Any) -> None:
    push(any_client, "empty", 90)
    code, _, _ = error_of(
        any_client.describe_image_scan_findings, repositoryName="empty", imageId={"imageTag": "new"}
    )
    assert code == "ScanNotFoundException"


def test_a_basic_scan_on_push_rule_scans_the_push(fake: FakeEcr, any_client: Any) -> None:
    any_client.put_registry_scanning_configuration(rules=[rule("SCAN_ON_PUSH", "empty")])
    push(any_client, "empty", 90)
    assert status(any_client, "empty") == "IN_PROGRESS"
    fake.advance(seconds=s.SCAN_DURATION)
    assert status(any_client, "empty") == "COMPLETE"
    # The scan on push counts against the image's daily quota.
    code, _, _ = error_of(
        any_client.start_image_scan, repositoryName="empty", imageId={"imageTag": "new"}
    )
    assert code == "LimitExceededException"


def test_the_repository_flag_scans_the_push(any_client: Any) -> None:
    any_client.create_repository(
        repositoryName="flagged", imageScanningConfiguration={"scanOnPush": True}
    )
    push(any_client, "flagged", 91)
    assert status(any_client, "flagged") == "IN_PROGRESS"


def test_a_retag_does_not_scan_again(fake: FakeEcr, any_client: Any) -> None:
    any_client.put_registry_scanning_configuration(rules=[rule("SCAN_ON_PUSH", "empty")])
    push(any_client, "empty", 90)
    fake.advance(seconds=s.SCAN_DURATION)
    push(any_client, "empty", 90, tag="again")
    assert status(any_client, "empty", "again") == "COMPLETE"


def test_enhanced_scan_on_push_is_pending_then_complete(fake: FakeEcr, any_client: Any) -> None:
    any_client.put_registry_scanning_configuration(
        scanType="ENHANCED", rules=[rule("SCAN_ON_PUSH", "empty")]
    )
    push(any_client, "empty", 92)
    assert status(any_client, "empty") == "PENDING"
    fake.advance(seconds=s.SCAN_DURATION)
    answer = any_client.describe_image_scan_findings(
        repositoryName="empty", imageId={"imageTag": "new"}
    )
    assert answer["imageScanStatus"]["status"] == "COMPLETE"
    assert answer["imageScanFindings"]["enhancedFindings"] == []
    assert "findings" not in answer["imageScanFindings"]


def test_enhanced_continuous_scanning_is_active(fake: FakeEcr, any_client: Any) -> None:
    any_client.put_registry_scanning_configuration(scanType="ENHANCED")
    push(any_client, "empty", 93)
    fake.advance(seconds=s.SCAN_DURATION)
    answer = any_client.describe_image_scan_findings(
        repositoryName="empty", imageId={"imageTag": "new"}
    )
    assert answer["imageScanStatus"] == {
        "status": "ACTIVE",
        "description": "Continuous scan is selected for image.",
    }


def test_enhanced_findings_shape(fake: FakeEcr, client: Any) -> None:
    client.put_registry_scanning_configuration(scanType="ENHANCED")
    digest = push(client, "empty", 94)
    fake.registry.set_registry_setting(
        ACCOUNT,
        REGION,
        s.DECLARED_SCANS_KEY,
        s.DeclaredScans({digest: s.ScanResult(findings=s.generated_findings(digest, {"HIGH": 2}))}),
    )
    # The push above scanned before the content was declared; push it elsewhere.
    client.create_repository(repositoryName="other")
    push(client, "other", 94)
    fake.advance(seconds=s.SCAN_DURATION)
    answer = client.describe_image_scan_findings(
        repositoryName="other", imageId={"imageTag": "new"}
    )
    body = answer["imageScanFindings"]
    assert body["findingSeverityCounts"] == {"HIGH": 2}
    first = body["enhancedFindings"][0]
    assert first["severity"] == "HIGH"
    assert first["findingArn"].startswith(f"arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/")
    image = first["resources"][0]["details"]["awsEcrContainerImage"]
    assert image["imageHash"] == digest
    assert image["repositoryName"] == "other"
    assert first["packageVulnerabilityDetails"]["vulnerabilityId"] == first["title"].split()[0]


# -- DescribeImages -------------------------------------------------------------------------


def test_describe_images_shows_no_scan_under_the_aws_native_engine(
    fake: FakeEcr, any_client: Any
) -> None:
    any_client.start_image_scan(repositoryName="team/api", imageId={"imageTag": "v1"})
    fake.advance(seconds=s.SCAN_DURATION)
    detail = any_client.describe_images(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert "imageScanStatus" not in detail["imageDetails"][0]
    assert "imageScanFindingsSummary" not in detail["imageDetails"][0]


def test_describe_images_shows_the_scan_under_clair(fake: FakeEcr, any_client: Any) -> None:
    fake.registry.set_registry_setting(ACCOUNT, REGION, s.BASIC_SCAN_TYPE_VERSION_KEY, "CLAIR")
    any_client.start_image_scan(repositoryName="team/api", imageId={"imageTag": "v1"})
    running = any_client.describe_images(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert running["imageDetails"][0]["imageScanStatus"] == {"status": "IN_PROGRESS"}
    assert "imageScanFindingsSummary" not in running["imageDetails"][0]
    fake.advance(seconds=s.SCAN_DURATION)
    details = {
        d.get("imageTags", ["-"])[0]: d
        for d in any_client.describe_images(repositoryName="team/api")["imageDetails"]
    }
    assert details["v1"]["imageScanStatus"]["status"] == "COMPLETE"
    summary = details["v1"]["imageScanFindingsSummary"]
    assert set(summary) == {"imageScanCompletedAt", "vulnerabilitySourceUpdatedAt"}
    assert "imageScanStatus" not in details["v2"]


def test_describe_images_shows_no_enhanced_scan(fake: FakeEcr, any_client: Any) -> None:
    fake.registry.set_registry_setting(ACCOUNT, REGION, s.BASIC_SCAN_TYPE_VERSION_KEY, "CLAIR")
    any_client.put_registry_scanning_configuration(scanType="ENHANCED")
    push(any_client, "empty", 95)
    fake.advance(seconds=s.SCAN_DURATION)
    detail = any_client.describe_images(repositoryName="empty")["imageDetails"][0]
    assert "imageScanStatus" not in detail
