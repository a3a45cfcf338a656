"""Parity scenarios of image scanning: StartImageScan, DescribeImageScanFindings, the
registry scanning configuration and BatchGetRepositoryScanningConfiguration.

Each runs on a fresh fake of ``registry.yaml``; a scan started in a scenario is still in
progress when the scenario reads it (scans take 30 s of the fake's time, and a scenario
does not move the clock).
"""

from __future__ import annotations

import json
from typing import Any

from .scenarios import ACCOUNT, NEW_DIGEST, NEW_MANIFEST, REPO, A, Scenario, call, error_of

DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
LIST_MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": DOCKER_LIST,
        "manifests": [
            {
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "size": len(NEW_MANIFEST),
                "digest": NEW_DIGEST,
                "platform": {"architecture": "amd64", "os": "linux"},
            }
        ],
    },
    indent=2,
)

MOTO_DEVIATIONS: dict[str, str] = {
    "scan-echo": "found by this suite: StartImageScan echoes the image's most recently added "
    "tag in imageId (also when asked by digest), not the request's",
    "scan-instant": "found by this suite: a scan is COMPLETE at once, with a fixed HIGH finding "
    "CVE-9999-9999 whatever the image, instead of IN_PROGRESS until it finishes",
    "scan-list": "found by this suite: an image index / manifest list is scanned instead of "
    "UnsupportedImageTypeException",
    "scan-on-push": "found by this suite: a push matched by a SCAN_ON_PUSH rule starts no scan "
    "(ScanNotFoundException afterwards)",
    "scan-enhanced": "found by this suite: StartImageScan under ENHANCED scanning starts a "
    "basic scan instead of refusing manual scans",
    "scanning-validation": "found by this suite: PutRegistryScanningConfiguration does not "
    "check filters, frequencies against the scan type, or one rule per frequency",
    "scanning-failure-reason": "found by this suite: an unknown repository's failureReason is "
    "the code REPOSITORY_NOT_FOUND again, not a sentence",
    "scanning-applied": "found by this suite: the effective scanning shows only the last "
    "matching filter, scanOnPush false for scan-on-push rules, and a rule's filters are "
    "matched by substring or unanchored prefix",
}


def scan_status(outcome: Any) -> Any:
    return outcome.get("imageScanStatus", {}).get("status")


def _start(**image_id: str) -> Any:
    return call("start_image_scan", repositoryName=REPO, imageId=image_id)


def _findings(**image_id: str) -> Any:
    return call("describe_image_scan_findings", repositoryName=REPO, imageId=image_id)


def _rule(frequency: str, *filters: str) -> dict[str, Any]:
    return {
        "scanFrequency": frequency,
        "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters],
    }


_S = Scenario
SCENARIOS: tuple[Scenario, ...] = (
    _S(
        "scan-start-by-tag",
        (_start(imageTag="v1"),),
        lambda o: (
            o[0]["imageId"] == {"imageDigest": A, "imageTag": "v1"}
            and o[0]["imageScanStatus"] == {"status": "IN_PROGRESS"}
        ),
        moto="scan-echo",
    ),
    _S(
        "scan-start-by-digest-echoes-the-digest",
        (_start(imageDigest=A),),
        lambda o: o[0]["imageId"] == {"imageDigest": A},
        moto="scan-echo",
    ),
    _S(
        "scan-start-twice-exceeds-the-quota",
        (_start(imageTag="v1"), _start(imageTag="latest")),
        lambda o: (
            error_of(o[1]) == "LimitExceededException"
            and o[1]["message"] == "The scan quota per image has been exceeded. Wait and try again."
        ),
        moto="scan-echo",
    ),
    _S(
        "scan-in-progress",
        (_start(imageTag="v1"), _findings(imageTag="v1")),
        lambda o: scan_status(o[1]) == "IN_PROGRESS" and "imageScanFindings" not in o[1],
        moto="scan-instant",
    ),
    _S(
        "scan-not-found",
        (_findings(imageTag="v2"),),
        lambda o: (
            error_of(o[0]) == "ScanNotFoundException"
            and o[0]["message"]
            == "Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v2'}' "
            f"in the repository with name '{REPO}' in the registry with id '{ACCOUNT}'"
        ),
    ),
    _S(
        "scan-unknown-image",
        (_start(imageTag="nope"),),
        lambda o: error_of(o[0]) == "ImageNotFoundException",
    ),
    _S(
        "scan-unknown-repository",
        (call("start_image_scan", repositoryName="team/none", imageId={"imageTag": "v1"}),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    _S(
        "scan-manifest-list-unsupported",
        (
            call("put_image", repositoryName=REPO, imageManifest=NEW_MANIFEST),
            call("put_image", repositoryName=REPO, imageManifest=LIST_MANIFEST, imageTag="multi"),
            _start(imageTag="multi"),
        ),
        lambda o: error_of(o[2]) == "UnsupportedImageTypeException",
        moto="scan-list",
    ),
    _S(
        "scan-enhanced-refuses-manual-scans",
        (
            call("put_registry_scanning_configuration", scanType="ENHANCED", rules=[]),
            _start(imageTag="v1"),
        ),
        lambda o: error_of(o[1]) == "ValidationException",
        moto="scan-enhanced",
    ),
    _S(
        "scan-on-push",
        (
            call(
                "put_registry_scanning_configuration",
                scanType="BASIC",
                rules=[_rule("SCAN_ON_PUSH", "team/*")],
            ),
            call("put_image", repositoryName=REPO, imageManifest=NEW_MANIFEST, imageTag="new"),
            _findings(imageTag="new"),
        ),
        lambda o: scan_status(o[2]) == "IN_PROGRESS",
        moto="scan-on-push",
    ),
    # -- the registry scanning configuration ----------------------------------------------
    _S(
        "scanning-default",
        (call("get_registry_scanning_configuration"),),
        lambda o: (
            o[0]
            == {"registryId": ACCOUNT, "scanningConfiguration": {"scanType": "BASIC", "rules": []}}
        ),
    ),
    _S(
        "scanning-put-then-get",
        (
            call(
                "put_registry_scanning_configuration",
                scanType="ENHANCED",
                rules=[_rule("CONTINUOUS_SCAN", "prod"), _rule("SCAN_ON_PUSH", "*")],
            ),
            call("get_registry_scanning_configuration"),
        ),
        lambda o: (
            o[1]["scanningConfiguration"] == o[0]["registryScanningConfiguration"]
            and o[1]["scanningConfiguration"]["scanType"] == "ENHANCED"
        ),
    ),
    _S(
        "scanning-invalid-filter",
        (call("put_registry_scanning_configuration", rules=[_rule("SCAN_ON_PUSH", "Team")]),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="scanning-validation",
    ),
    _S(
        "scanning-continuous-needs-enhanced",
        (call("put_registry_scanning_configuration", rules=[_rule("CONTINUOUS_SCAN", "*")]),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="scanning-validation",
    ),
    _S(
        "scanning-per-repository-default",
        (call("batch_get_repository_scanning_configuration", repositoryNames=[REPO]),),
        lambda o: (
            o[0]["scanningConfigurations"][0]["scanFrequency"] == "MANUAL"
            and o[0]["failures"] == []
        ),
    ),
    _S(
        "scanning-per-repository-unknown-name",
        (call("batch_get_repository_scanning_configuration", repositoryNames=["team/none"]),),
        lambda o: o[0]["failures"][0]["failureCode"] == "REPOSITORY_NOT_FOUND",
        moto="scanning-failure-reason",
    ),
    _S(
        "scanning-per-repository-applied-rule",
        (
            call(
                "put_registry_scanning_configuration",
                rules=[_rule("SCAN_ON_PUSH", "team/*", "*api")],
            ),
            call(
                "batch_get_repository_scanning_configuration",
                repositoryNames=[REPO, "team/locked"],
            ),
        ),
        lambda o: (
            [i["scanOnPush"] for i in o[1]["scanningConfigurations"]] == [True, True]
            and [len(i["appliedScanFilters"]) for i in o[1]["scanningConfigurations"]] == [2, 1]
        ),
        moto="scanning-applied",
    ),
)
