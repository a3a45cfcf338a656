"""UpdateImageStorageClass (archive and restore on the virtual clock) and
ListImageReferrers (OCI 1.1 subjects), through real boto3 clients on both transports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model import DIGEST_PATTERN, Image, RegistryState
from pytest_ecr.model.archive import RESTORE_SECONDS

from .support import (
    ACCOUNT,
    OCI,
    PUSHED_AT,
    REGION,
    error_of,
    image_manifest,
    list_manifest,
    strip,
)

# Operations botocore 1.34 (the floor) lacks: on a botocore without them these tests skip.
# These tests push made-up manifests to test something else than layers: PutImage may
# store them (allow_missing_layers), as a suite that pushes placeholders declares.
pytestmark = [
    needs("ListImageReferrers", "UpdateImageStorageClass"),
    pytest.mark.usefixtures("placeholder_pushes"),
]

COSIGN = "application/vnd.dev.cosign.artifact.sig.v1+json"
SBOM = "application/spdx+json"
EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


def referrer(subject: Image, artifact_type: str | None, seed: int, **extra: Any) -> str:
    doc: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": EMPTY},
        "layers": [
            {
                "mediaType": "application/octet-stream",
                "size": seed,
                "digest": "sha256:" + f"{seed:064x}",
            }
        ],
        "subject": {
            "mediaType": subject.media_type,
            "digest": subject.digest,
            "size": len(subject.manifest),
        },
    }
    if artifact_type is not None:
        doc["artifactType"] = artifact_type
    doc.update(extra)
    return json.dumps(doc)


def build() -> tuple[RegistryState, dict[str, Image]]:
    state = RegistryState(ACCOUNT, REGION)
    repo = state.create_repository("team/art")
    subject = repo.put(Image.from_manifest(image_manifest(41, OCI), pushed_at=PUSHED_AT))
    repo.tag("v1", subject.digest)
    images = {"subject": subject}
    images["sig"] = repo.put(
        Image.from_manifest(
            referrer(subject, COSIGN, 1, annotations={"dev.cosignproject.cosign/signature": "MEUC"})
        )
    )
    images["sbom"] = repo.put(Image.from_manifest(referrer(subject, SBOM, 2)))
    # No artifactType: the config's media type stands in (OCI 1.1).
    images["plain"] = repo.put(Image.from_manifest(referrer(subject, None, 3)))
    for n in range(4, 30):
        repo.put(Image.from_manifest(referrer(subject, SBOM, n)))
    other = repo.put(Image.from_manifest(image_manifest(42, OCI), pushed_at=PUSHED_AT))
    images["other"] = other
    amd = repo.put(Image.from_manifest(image_manifest(43)))
    images["index"] = repo.put(Image.from_manifest(list_manifest(amd, other)))
    state.create_repository("team/empty")
    return state.freeze(), images


DECLARED, IMAGES = build()
SUBJECT = IMAGES["subject"].digest


@pytest.fixture
def fake() -> Iterator[FakeEcr]:
    with FakeEcr(state=DECLARED) as active:
        yield active


def move(client: Any, target: str, repo: str = "team/art", **image_id: str) -> dict[str, Any]:
    return strip(
        client.update_image_storage_class(
            repositoryName=repo, imageId=image_id or {"imageTag": "v1"}, targetStorageClass=target
        )
    )


def detail(client: Any, digest: str = SUBJECT) -> dict[str, Any]:
    details = client.describe_images(repositoryName="team/art", imageIds=[{"imageDigest": digest}])
    return dict(details["imageDetails"][0])


# -- UpdateImageStorageClass -------------------------------------------------------------


def test_archive_then_restore_on_the_virtual_clock(fake: FakeEcr, any_client: Any) -> None:
    assert "imageStatus" not in detail(any_client)
    assert move(any_client, "ARCHIVE") == {
        "registryId": ACCOUNT,
        "repositoryName": "team/art",
        "imageId": {"imageDigest": SUBJECT, "imageTag": "v1"},
        "imageStatus": "ARCHIVED",
    }
    archived = detail(any_client)
    assert archived["imageStatus"] == "ARCHIVED"
    assert isinstance(archived["lastArchivedAt"], datetime)
    assert "lastActivatedAt" not in archived

    assert move(any_client, "STANDARD", imageDigest=SUBJECT)["imageStatus"] == "ACTIVATING"
    assert detail(any_client)["imageStatus"] == "ACTIVATING"
    fake.advance(seconds=RESTORE_SECONDS - 5)
    assert detail(any_client)["imageStatus"] == "ACTIVATING"
    fake.advance(seconds=5)
    restored = detail(any_client)
    assert restored["imageStatus"] == "ACTIVE"
    assert restored["lastActivatedAt"] > restored["lastArchivedAt"]

    # Archived again: the last restore's time stays.
    move(any_client, "ARCHIVE")
    again = detail(any_client)
    assert again["lastActivatedAt"] == restored["lastActivatedAt"]
    assert again["lastArchivedAt"] > restored["lastArchivedAt"]


def test_list_and_describe_filter_by_image_status(any_client: Any) -> None:
    move(any_client, "ARCHIVE")
    for status, expected in (("ARCHIVED", [SUBJECT]), ("ACTIVATING", [])):
        listed = any_client.list_images(repositoryName="team/art", filter={"imageStatus": status})
        assert [i["imageDigest"] for i in listed["imageIds"]] == expected
        described = any_client.describe_images(
            repositoryName="team/art", filter={"imageStatus": status}
        )
        assert [d["imageDigest"] for d in described["imageDetails"]] == expected
    active = any_client.list_images(repositoryName="team/art")["imageIds"]
    assert SUBJECT not in [i["imageDigest"] for i in active]
    every = any_client.list_images(repositoryName="team/art", filter={"imageStatus": "ANY"})
    assert SUBJECT in [i["imageDigest"] for i in every["imageIds"]]


def test_an_archived_image_cannot_be_pulled(fake: FakeEcr, any_client: Any) -> None:
    move(any_client, "ARCHIVE")
    answer = strip(
        any_client.batch_get_image(repositoryName="team/art", imageIds=[{"imageTag": "v1"}])
    )
    assert answer == {
        "images": [],
        "failures": [
            {
                "imageId": {"imageTag": "v1"},
                "failureCode": "ImageInaccessible",
                "failureReason": "The requested image is archived and cannot be pulled",
            }
        ],
    }
    move(any_client, "STANDARD")
    assert any_client.batch_get_image(repositoryName="team/art", imageIds=[{"imageTag": "v1"}])[
        "failures"
    ]
    fake.advance(seconds=RESTORE_SECONDS)
    assert any_client.batch_get_image(repositoryName="team/art", imageIds=[{"imageTag": "v1"}])[
        "images"
    ]


def test_an_archived_image_cannot_be_scanned(fake: FakeEcr, any_client: Any) -> None:
    move(any_client, "ARCHIVE")
    scan = {"repositoryName": "team/art", "imageId": {"imageTag": "v1"}}
    with pytest.raises(any_client.exceptions.ImageArchivedException) as excinfo:
        any_client.start_image_scan(**scan)
    assert excinfo.value.response["Error"]["Message"] == (
        f"The image with digest '{SUBJECT}' in the repository with name 'team/art' in the "
        f"registry with id '{ACCOUNT}' is archived and cannot be scanned"
    )
    # Still being restored: not yet; restored: scanned.
    move(any_client, "STANDARD")
    with pytest.raises(any_client.exceptions.ImageArchivedException):
        any_client.start_image_scan(**scan)
    fake.advance(seconds=RESTORE_SECONDS)
    assert any_client.start_image_scan(**scan)["imageScanStatus"]["status"] == "IN_PROGRESS"


def not_supported(digest: str, why: str) -> tuple[str, str, int]:
    return (
        "ImageStorageClassUpdateNotSupportedException",
        f"The storage class of the image with digest '{digest}' in the repository with name "
        f"'team/art' in the registry with id '{ACCOUNT}' cannot be updated: {why}",
        400,
    )


def test_what_cannot_change_class(any_client: Any) -> None:
    call = any_client.update_image_storage_class
    index = IMAGES["index"].digest
    assert error_of(
        call,
        repositoryName="team/art",
        imageId={"imageDigest": index},
        targetStorageClass="ARCHIVE",
    ) == not_supported(index, "an image index changes class with its images only")
    assert error_of(
        call, repositoryName="team/art", imageId={"imageTag": "v1"}, targetStorageClass="STANDARD"
    ) == not_supported(SUBJECT, "it is already in the STANDARD storage class")
    move(any_client, "ARCHIVE")
    assert error_of(
        call, repositoryName="team/art", imageId={"imageTag": "v1"}, targetStorageClass="ARCHIVE"
    ) == not_supported(SUBJECT, "it is already archived")
    move(any_client, "STANDARD")
    for target in ("STANDARD", "ARCHIVE"):
        assert error_of(
            call, repositoryName="team/art", imageId={"imageTag": "v1"}, targetStorageClass=target
        ) == not_supported(SUBJECT, "it is being restored from the archive")


def test_storage_class_errors(any_client: Any) -> None:
    call = any_client.update_image_storage_class
    assert (
        error_of(
            call,
            repositoryName="team/nope",
            imageId={"imageTag": "v1"},
            targetStorageClass="ARCHIVE",
        )[0]
        == "RepositoryNotFoundException"
    )
    assert error_of(
        call, repositoryName="team/art", imageId={"imageTag": "v9"}, targetStorageClass="ARCHIVE"
    ) == (
        "ImageNotFoundException",
        "The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the "
        f"repository with name 'team/art' in the registry with id '{ACCOUNT}'",
        400,
    )
    other = IMAGES["other"].digest
    assert (
        error_of(
            call,
            repositoryName="team/art",
            imageId={"imageTag": "v1", "imageDigest": other},
            targetStorageClass="ARCHIVE",
        )[0]
        == "ImageNotFoundException"
    )


@pytest.mark.parametrize(
    ("params", "field", "constraint"),
    [
        (
            {"targetStorageClass": "GLACIER"},
            "targetStorageClass",
            "Member must satisfy enum value set: [STANDARD, ARCHIVE]",
        ),
        ({"imageId": {}}, "imageId", "Member must have an imageTag or an imageDigest"),
        (
            {"imageId": {"imageDigest": "nope"}},
            "imageId.imageDigest",
            f"must satisfy regular expression '{DIGEST_PATTERN}'",
        ),
        (
            {"imageId": {"imageTag": "t" * 301}},
            "imageId.imageTag",
            "Member must have length less than or equal to 300",
        ),
        ({"registryId": "123"}, "registryId", "must satisfy regular expression '[0-9]{12}'"),
    ],
)
def test_storage_class_validation(
    any_client: Any, params: dict[str, Any], field: str, constraint: str
) -> None:
    request: dict[str, Any] = {
        "repositoryName": "team/art",
        "imageId": {"imageTag": "v1"},
        "targetStorageClass": "ARCHIVE",
    }
    request.update(params)
    assert error_of(any_client.update_image_storage_class, **request) == (
        "InvalidParameterException",
        f"Invalid parameter at '{field}' failed to satisfy constraint: '{constraint}'",
        400,
    )


# -- ListImageReferrers ------------------------------------------------------------------


def referrers(client: Any, subject: str = SUBJECT, **params: Any) -> dict[str, Any]:
    return strip(
        client.list_image_referrers(
            repositoryName="team/art", subjectId={"imageDigest": subject}, **params
        )
    )


def test_a_page_of_referrers_with_their_shape(any_client: Any) -> None:
    answer = referrers(any_client)
    assert len(answer["referrers"]) == 20
    assert "nextToken" in answer
    sig, sbom, plain = answer["referrers"][:3]
    assert sig == {
        "digest": IMAGES["sig"].digest,
        "mediaType": OCI,
        "artifactType": COSIGN,
        "size": len(IMAGES["sig"].manifest),
        "annotations": {"dev.cosignproject.cosign/signature": "MEUC"},
        "artifactStatus": "ACTIVE",
    }
    assert (sbom["artifactType"], "annotations" in sbom) == (SBOM, False)
    assert plain["artifactType"] == "application/vnd.oci.empty.v1+json"


def test_paging_walks_every_referrer(any_client: Any) -> None:
    first = referrers(any_client, maxResults=50)
    assert len(first["referrers"]) == 29
    assert "nextToken" not in first
    seen, token = [], None
    while True:
        page = referrers(any_client, maxResults=7, **({"nextToken": token} if token else {}))
        seen += [r["digest"] for r in page["referrers"]]
        token = page.get("nextToken")
        if token is None:
            break
    assert seen == [r["digest"] for r in first["referrers"]]


def test_filters_by_artifact_type_and_status(any_client: Any) -> None:
    signatures = referrers(any_client, filter={"artifactTypes": [COSIGN]})
    assert [r["digest"] for r in signatures["referrers"]] == [IMAGES["sig"].digest]
    move(any_client, "ARCHIVE", imageDigest=IMAGES["sig"].digest)
    assert referrers(any_client, filter={"artifactTypes": [COSIGN]})["referrers"] == []
    archived = referrers(any_client, filter={"artifactStatus": "ARCHIVED"})
    assert [(r["digest"], r["artifactStatus"]) for r in archived["referrers"]] == [
        (IMAGES["sig"].digest, "ARCHIVED")
    ]
    every = referrers(
        any_client, filter={"artifactStatus": "ANY", "artifactTypes": [COSIGN, SBOM]}, maxResults=50
    )
    assert len(every["referrers"]) == 28


def test_an_unknown_or_referrer_free_subject_has_none(any_client: Any) -> None:
    assert referrers(any_client, "sha256:" + "0" * 64) == {"referrers": []}
    assert referrers(any_client, IMAGES["other"].digest) == {"referrers": []}


def test_a_deleted_referrer_is_gone_and_describe_images_names_the_subject(any_client: Any) -> None:
    sig = IMAGES["sig"].digest
    assert detail(any_client, sig)["subjectManifestDigest"] == SUBJECT
    any_client.batch_delete_image(repositoryName="team/art", imageIds=[{"imageDigest": sig}])
    assert sig not in [r["digest"] for r in referrers(any_client, maxResults=50)["referrers"]]


def test_a_pushed_referrer_is_found(any_client: Any) -> None:
    subject = IMAGES["other"]
    manifest = referrer(subject, SBOM, 99)
    any_client.put_image(
        repositoryName="team/art", imageManifest=manifest, imageManifestMediaType=OCI
    )
    assert [r["artifactType"] for r in referrers(any_client, subject.digest)["referrers"]] == [SBOM]


@pytest.mark.parametrize(
    ("params", "field", "constraint"),
    [
        (
            {"subjectId": {"imageDigest": "nope"}},
            "subjectId.imageDigest",
            f"must satisfy regular expression '{DIGEST_PATTERN}'",
        ),
        ({"maxResults": 51}, "maxResults", "Member must have value less than or equal to 50"),
        (
            {"filter": {"artifactTypes": ["a"] * 6}},
            "artifactTypes",
            "Member must have length less than or equal to 5",
        ),
        (
            {"filter": {"artifactTypes": ["a" * 256]}},
            "filter.artifactTypes.member",
            "Member must have length less than or equal to 255",
        ),
        (
            {"filter": {"artifactStatus": "GONE"}},
            "filter.artifactStatus",
            "Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]",
        ),
        (
            {"nextToken": "garbage"},
            "nextToken",
            "Member must be a nextToken returned by a previous call with the same parameters",
        ),
    ],
)
def test_referrers_validation(
    any_client: Any, params: dict[str, Any], field: str, constraint: str
) -> None:
    request: dict[str, Any] = {"repositoryName": "team/art", "subjectId": {"imageDigest": SUBJECT}}
    request.update(params)
    assert error_of(any_client.list_image_referrers, **request) == (
        "InvalidParameterException",
        f"Invalid parameter at '{field}' failed to satisfy constraint: '{constraint}'",
        400,
    )


def test_referrers_of_a_missing_repository(any_client: Any) -> None:
    assert (
        error_of(
            any_client.list_image_referrers,
            repositoryName="team/nope",
            subjectId={"imageDigest": SUBJECT},
        )[0]
        == "RepositoryNotFoundException"
    )
