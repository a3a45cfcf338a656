"""StartImageScan and DescribeImageScanFindings through real boto3 clients, on both
transports: scans on the virtual clock, the quota, scan on push, findings and pages."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.model import scanning as s

from .support import ACCOUNT, DOCKER_LIST, PUSHED_AT, REGION, error_of, image_manifest, strip

# These tests push made-up manifests to test something else than layers: PutImage may
# store them (allow_missing_layers), as a suite that pushes placeholders declares.
pytestmark = pytest.mark.usefixtures("placeholder_pushes")

REPO = "team/api"
V1 = {"imageTag": "v1"}


def digest_of(client: Any, tag: str, repo: str = REPO) -> str:
    found = client.describe_images(repositoryName=repo, imageIds=[{"imageTag": tag}])
    return str(found["imageDetails"][0]["imageDigest"])


def findings(client: Any, image_id: dict[str, str], repo: str = REPO, **params: Any) -> Any:
    return strip(
        client.describe_image_scan_findings(repositoryName=repo, imageId=image_id, **params)
    )


def declare_scan(fake: FakeEcr, tag: str, counts: dict[str, int], repo: str = REPO) -> str:
    """Give the image *tag* a finished scan with generated findings; return its digest."""
    repository = fake.registry.repository(repo)
    digest = repository.resolve_tag(tag)
    assert digest is not None
    result = s.ScanResult(findings=s.generated_findings(digest, counts))
    scan = s.ImageScan(started_at=PUSHED_AT, result=result, duration=0)
    repository.set_image_state(digest, s.SCAN_KEY, scan)
    return digest


def set_config(fake: FakeEcr, config: s.ScanningConfiguration) -> None:
    fake.registry.set_registry_setting(ACCOUNT, REGION, s.REGISTRY_SCANNING_KEY, config)


# -- StartImageScan -------------------------------------------------------------------------


def test_start_by_tag_echoes_the_tag_and_the_digest(any_client: Any) -> None:
    digest = digest_of(any_client, "v1")
    answer = strip(any_client.start_image_scan(repositoryName=REPO, imageId=V1))
    assert answer == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "imageId": {"imageDigest": digest, "imageTag": "v1"},
        "imageScanStatus": {"status": "IN_PROGRESS"},
    }


def test_start_by_digest_echoes_the_digest_only(any_client: Any) -> None:
    digest = digest_of(any_client, "v2")
    answer = any_client.start_image_scan(repositoryName=REPO, imageId={"imageDigest": digest})
    assert answer["imageId"] == {"imageDigest": digest}


def test_a_scan_is_in_progress_then_complete_on_the_fake_clock(
    fake: FakeEcr, any_client: Any
) -> None:
    any_client.start_image_scan(repositoryName=REPO, imageId=V1)
    running = findings(any_client, V1)
    assert running["imageScanStatus"] == {"status": "IN_PROGRESS"}
    assert "imageScanFindings" not in running
    fake.advance(seconds=s.SCAN_DURATION)
    done = findings(any_client, V1)
    assert done["imageScanStatus"] == {
        "status": "COMPLETE",
        "description": "The scan was completed successfully.",
    }
    body = done["imageScanFindings"]
    # A clean image: no findings, and no severity counts at all.
    assert body["findings"] == []
    assert "findingSeverityCounts" not in body
    completed = body["imageScanCompletedAt"].timestamp()
    assert completed == float(int(completed))
    assert body["vulnerabilitySourceUpdatedAt"].timestamp() <= completed


def test_the_waiter_completes_on_virtual_time_only(fake: FakeEcr, client: Any) -> None:
    # In process only: the hook puts a waiter's poll sleeps on the fake's clock; a client
    # of the HTTP endpoint sleeps them for real (use fake.advance() there).
    client.start_image_scan(repositoryName=REPO, imageId=V1)
    client.get_waiter("image_scan_complete").wait(repositoryName=REPO, imageId=V1)
    polls = [sleep for sleep in fake.sleeps if sleep.kind == "waiter"]
    assert [sleep.seconds for sleep in polls] == [5.0] * 6
    assert findings(client, V1)["imageScanStatus"]["status"] == "COMPLETE"


def test_a_second_scan_within_24_hours_exceeds_the_quota(fake: FakeEcr, any_client: Any) -> None:
    any_client.start_image_scan(repositoryName=REPO, imageId=V1)
    fake.advance(hours=23)
    assert error_of(any_client.start_image_scan, repositoryName=REPO, imageId=V1) == (
        "LimitExceededException",
        "The scan quota per image has been exceeded. Wait and try again.",
        400,
    )
    fake.advance(hours=1)
    answer = any_client.start_image_scan(repositoryName=REPO, imageId=V1)
    assert answer["imageScanStatus"] == {"status": "IN_PROGRESS"}


def test_the_quota_is_per_image(any_client: Any) -> None:
    any_client.start_image_scan(repositoryName=REPO, imageId=V1)
    any_client.start_image_scan(repositoryName=REPO, imageId={"imageTag": "v2"})
    # `latest` names the image `v1` names: the same image, the same quota.
    code, _, _ = error_of(
        any_client.start_image_scan, repositoryName=REPO, imageId={"imageTag": "latest"}
    )
    assert code == "LimitExceededException"


def test_a_declared_scan_does_not_use_the_quota(fake: FakeEcr, any_client: Any) -> None:
    declare_scan(fake, "v1", {"HIGH": 1})
    any_client.start_image_scan(repositoryName=REPO, imageId=V1)
    fake.advance(seconds=s.SCAN_DURATION)
    # A new scan of the same content finds what the last one found.
    assert findings(any_client, V1)["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 1}


def test_a_manifest_list_cannot_be_scanned(any_client: Any) -> None:
    assert error_of(
        any_client.start_image_scan, repositoryName="team/multi", imageId={"imageTag": "latest"}
    ) == (
        "UnsupportedImageTypeException",
        f"An artifact with media type '{DOCKER_LIST}' cannot be scanned. For more "
        "information, see the Amazon ECR documentation.",
        400,
    )


@pytest.mark.parametrize("operation", ["start_image_scan", "describe_image_scan_findings"])
def test_an_unknown_image_is_not_found(any_client: Any, operation: str) -> None:
    assert error_of(
        getattr(any_client, operation), repositoryName=REPO, imageId={"imageTag": "nope"}
    ) == (
        "ImageNotFoundException",
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within "
        f"the repository with name '{REPO}' in the registry with id '{ACCOUNT}'",
        400,
    )


@pytest.mark.parametrize("operation", ["start_image_scan", "describe_image_scan_findings"])
def test_a_tag_and_a_digest_of_different_images_are_not_found(
    any_client: Any, operation: str
) -> None:
    other = digest_of(any_client, "v2")
    code, message, _ = error_of(
        getattr(any_client, operation),
        repositoryName=REPO,
        imageId={"imageTag": "v1", "imageDigest": other},
    )
    assert code == "ImageNotFoundException"
    assert f"{{imageDigest:'{other}', imageTag:'v1'}}" in message


@pytest.mark.parametrize("operation", ["start_image_scan", "describe_image_scan_findings"])
def test_an_unknown_repository_is_not_found(any_client: Any, operation: str) -> None:
    assert error_of(getattr(any_client, operation), repositoryName="nope/x", imageId=V1) == (
        "RepositoryNotFoundException",
        f"The repository with name 'nope/x' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


@pytest.mark.parametrize("operation", ["start_image_scan", "describe_image_scan_findings"])
@pytest.mark.parametrize(
    ("params", "member", "constraint"),
    [
        ({"imageId": {}}, "imageId", "Member must have an imageTag or an imageDigest"),
        (
            {"imageId": {"imageDigest": "sha256:nothex"}},
            "imageId.imageDigest",
            "must satisfy regular expression",
        ),
        (
            {"imageId": {"imageTag": "t" * 301}},
            "imageId.imageTag",
            "Member must have length less than or equal to 300",
        ),
        ({"imageId": V1, "registryId": "12"}, "registryId", "must satisfy regular expression"),
        ({"imageId": V1, "repositoryName": "Team"}, "repositoryName", "must satisfy regular"),
    ],
)
def test_request_validation(
    any_client: Any, operation: str, params: dict[str, Any], member: str, constraint: str
) -> None:
    request = {"repositoryName": REPO, **params}
    code, message, status = error_of(getattr(any_client, operation), **request)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith(f"Invalid parameter at '{member}' failed to satisfy constraint: ")
    assert constraint in message


def test_enhanced_scanning_has_no_manual_scans(fake: FakeEcr, any_client: Any) -> None:
    set_config(fake, s.ScanningConfiguration(s.ENHANCED))
    assert error_of(any_client.start_image_scan, repositoryName=REPO, imageId=V1) == (
        "ValidationException",
        "This feature is disabled",
        400,
    )


# -- DescribeImageScanFindings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_id", "shown"),
    [
        ({"imageTag": "v1"}, "{imageDigest:'null', imageTag:'v1'}"),
        ({"imageDigest": "DIGEST"}, "{imageDigest:'DIGEST', imageTag:'null'}"),
    ],
)
def test_an_image_never_scanned_has_no_scan(
    any_client: Any, image_id: dict[str, str], shown: str
) -> None:
    digest = digest_of(any_client, "v1")
    image_id = {k: v.replace("DIGEST", digest) for k, v in image_id.items()}
    assert error_of(
        any_client.describe_image_scan_findings, repositoryName=REPO, imageId=image_id
    ) == (
        "ScanNotFoundException",
        f"Image scan does not exist for the image with '{shown.replace('DIGEST', digest)}' in "
        f"the repository with name '{REPO}' in the registry with id '{ACCOUNT}'",
        400,
    )


def test_basic_findings_shape(fake: FakeEcr, any_client: Any) -> None:
    digest = declare_scan(fake, "v1", {"CRITICAL": 1, "LOW": 2})
    answer = findings(any_client, V1)
    assert answer["imageId"] == {"imageDigest": digest, "imageTag": "v1"}
    body = answer["imageScanFindings"]
    assert body["findingSeverityCounts"] == {"LOW": 2, "CRITICAL": 1}
    assert body["imageScanCompletedAt"].timestamp() == PUSHED_AT
    first = body["findings"][0]
    assert first["severity"] == "CRITICAL"
    assert first["uri"].endswith(first["name"])
    assert [a["key"] for a in first["attributes"]] == [
        "package_version",
        "package_name",
        "CVSS2_VECTOR",
        "CVSS2_SCORE",
    ]
    assert [f["severity"] for f in body["findings"]] == ["CRITICAL", "LOW", "LOW"]


def test_findings_come_in_pages(fake: FakeEcr, any_client: Any) -> None:
    declare_scan(fake, "v1", {"HIGH": 5})
    first = findings(any_client, V1, maxResults=2)
    assert len(first["imageScanFindings"]["findings"]) == 2
    # Every page carries the counts of the whole scan.
    assert first["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 5}
    names = [f["name"] for f in first["imageScanFindings"]["findings"]]
    token = first["nextToken"]
    while token:
        page = findings(any_client, V1, maxResults=2, nextToken=token)
        names += [f["name"] for f in page["imageScanFindings"]["findings"]]
        token = page.get("nextToken")
    assert len(names) == 5
    assert len(set(names)) == 5


def test_the_paginator_walks_every_finding(fake: FakeEcr, any_client: Any) -> None:
    declare_scan(fake, "v1", {"MEDIUM": 7, "CRITICAL": 1})
    paginator = any_client.get_paginator("describe_image_scan_findings")
    pages = paginator.paginate(
        repositoryName=REPO, imageId=V1, PaginationConfig={"PageSize": 3}
    ).build_full_result()
    assert len(pages["imageScanFindings"]["findings"]) == 8
    assert pages["imageScanStatus"]["status"] == "COMPLETE"


@pytest.mark.parametrize(
    ("params", "member"),
    [({"maxResults": 1001}, "maxResults"), ({"nextToken": "garbage"}, "nextToken")],
)
def test_paging_validation(
    fake: FakeEcr, any_client: Any, params: dict[str, Any], member: str
) -> None:
    declare_scan(fake, "v1", {"HIGH": 1})
    code, message, _ = error_of(
        any_client.describe_image_scan_findings, repositoryName=REPO, imageId=V1, **params
    )
    assert code == "InvalidParameterException"
    assert message.startswith(f"Invalid parameter at '{member}'")


def test_a_token_of_another_image_is_refused(fake: FakeEcr, any_client: Any) -> None:
    declare_scan(fake, "v1", {"HIGH": 3})
    declare_scan(fake, "v2", {"HIGH": 3})
    token = findings(any_client, V1, maxResults=1)["nextToken"]
    code, _, _ = error_of(
        any_client.describe_image_scan_findings,
        repositoryName=REPO,
        imageId={"imageTag": "v2"},
        nextToken=token,
    )
    assert code == "InvalidParameterException"


@pytest.mark.parametrize(
    ("outcome", "description"),
    [
        ("FAILED", s.STATUS_DESCRIPTIONS["FAILED"]),
        (
            "UNSUPPORTED_IMAGE",
            "UnsupportedImageError: The operating system and/or package manager are not supported.",
        ),
    ],
)
def test_failed_and_unsupported_scans_have_no_findings(
    fake: FakeEcr, any_client: Any, outcome: str, description: str
) -> None:
    repository = fake.registry.repository(REPO)
    digest = repository.resolve_tag("v1")
    assert digest is not None
    scan = s.ImageScan(started_at=PUSHED_AT, result=s.ScanResult(outcome), duration=0)
    repository.set_image_state(digest, s.SCAN_KEY, scan)
    answer = findings(any_client, V1)
    assert answer["imageScanStatus"] == {"status": outcome, "description": description}
    assert "imageScanFindings" not in answer


def test_the_waiter_stops_on_a_failed_scan(fake: FakeEcr, client: Any) -> None:
    fake.registry.set_registry_setting(
        ACCOUNT,
        REGION,
        s.DECLARED_SCANS_KEY,
        s.DeclaredScans({digest_of(client, "v1"): s.ScanResult("FAILED")}),
    )
    client.start_image_scan(repositoryName=REPO, imageId=V1)
    with pytest.raises(botocore.exceptions.WaiterError, match="FAILED"):
        client.get_waiter("image_scan_complete").wait(repositoryName=REPO, imageId=V1)


def test_changing_the_scan_type_hides_the_other_types_results(
    fake: FakeEcr, any_client: Any
) -> None:
    any_client.start_image_scan(repositoryName=REPO, imageId=V1)
    fake.advance(seconds=s.SCAN_DURATION)
    set_config(fake, s.ScanningConfiguration(s.ENHANCED))
    code, _, _ = error_of(any_client.describe_image_scan_findings, repositoryName=REPO, imageId=V1)
    assert code == "ScanNotFoundException"
    set_config(fake, s.ScanningConfiguration(s.BASIC))
    assert findings(any_client, V1)["imageScanStatus"]["status"] == "COMPLETE"


def test_a_declared_scan_is_of_the_registrys_scan_type(fake: FakeEcr, any_client: Any) -> None:
    declare_scan(fake, "v1", {"HIGH": 1})
    set_config(fake, s.ScanningConfiguration(s.ENHANCED))
    body = findings(any_client, V1)["imageScanFindings"]
    assert [f["severity"] for f in body["enhancedFindings"]] == ["HIGH"]


def test_an_image_pushed_again_elsewhere_keeps_its_scan_history_apart(
    fake: FakeEcr, any_client: Any
) -> None:
    declare_scan(fake, "v1", {"HIGH": 1})
    manifest = image_manifest(1)
    any_client.put_image(repositoryName="empty", imageManifest=manifest, imageTag="v1")
    code, _, _ = error_of(
        any_client.describe_image_scan_findings, repositoryName="empty", imageId=V1
    )
    assert code == "ScanNotFoundException"
