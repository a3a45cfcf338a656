"""BatchDeleteImage through real boto3 clients: every case of ECR's per-id results
(API Reference, BatchDeleteImage)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_ecr import FakeEcr

from .support import ACCOUNT, error_of, strip

REPO = "team/api"
NOT_FOUND = "Requested image not found"


def delete(client: Any, *ids: dict[str, str], repo: str = REPO) -> dict[str, Any]:
    return strip(client.batch_delete_image(repositoryName=repo, imageIds=list(ids)))


def failure(image_id: dict[str, str], code: str, reason: str) -> dict[str, Any]:
    return {"imageId": image_id, "failureCode": code, "failureReason": reason}


def images(fake: FakeEcr, repo: str = REPO) -> dict[str, tuple[str, ...]]:
    """The repository as ``{digest: tags}``."""
    found = fake.registry.repository(repo)
    return {image.digest: found.tags_of(image.digest) for image in found.images()}


@pytest.fixture
def abc(fake: FakeEcr) -> tuple[str, str, str]:
    """team/api's digests: A (v1, latest), B (v2), C (untagged)."""
    a, b, c = images(fake)
    return a, b, c


def test_by_tag_removes_only_that_tag(
    fake: FakeEcr, client: Any, abc: tuple[str, str, str]
) -> None:
    a, b, c = abc
    assert delete(client, {"imageTag": "latest"}) == {
        "imageIds": [{"imageDigest": a, "imageTag": "latest"}],
        "failures": [],
    }
    assert images(fake) == {a: ("v1",), b: ("v2",), c: ()}


def test_by_last_tag_deletes_the_image(
    fake: FakeEcr, client: Any, abc: tuple[str, str, str]
) -> None:
    a, b, c = abc
    assert delete(client, {"imageTag": "v2"}) == {
        "imageIds": [{"imageDigest": b, "imageTag": "v2"}],
        "failures": [],
    }
    assert images(fake) == {a: ("v1", "latest"), c: ()}


def test_by_digest_one_entry_per_removed_tag(
    fake: FakeEcr, client: Any, abc: tuple[str, str, str]
) -> None:
    a, b, c = abc
    assert delete(client, {"imageDigest": a}) == {
        "imageIds": [
            {"imageDigest": a, "imageTag": "v1"},
            {"imageDigest": a, "imageTag": "latest"},
        ],
        "failures": [],
    }
    assert images(fake) == {b: ("v2",), c: ()}


def test_by_digest_of_an_untagged_image(
    fake: FakeEcr, client: Any, abc: tuple[str, str, str]
) -> None:
    _a, _b, c = abc
    assert delete(client, {"imageDigest": c}) == {
        "imageIds": [{"imageDigest": c}],
        "failures": [],
    }
    assert c not in images(fake)


def test_tag_and_matching_digest_removes_only_that_tag(
    fake: FakeEcr, client: Any, abc: tuple[str, str, str]
) -> None:
    a, _b, _c = abc
    assert delete(client, {"imageTag": "v1", "imageDigest": a}) == {
        "imageIds": [{"imageDigest": a, "imageTag": "v1"}],
        "failures": [],
    }
    assert images(fake)[a] == ("latest",)


def test_tag_and_mismatched_digest(fake: FakeEcr, client: Any, abc: tuple[str, str, str]) -> None:
    a, b, _c = abc
    ident = {"imageTag": "v1", "imageDigest": b}
    assert delete(client, ident) == {
        "imageIds": [],
        "failures": [
            failure(
                {"imageDigest": b, "imageTag": "v1"},
                "ImageTagDoesNotMatchDigest",
                "Invalid request parameters: given tag does not map to the given digest",
            )
        ],
    }
    assert images(fake)[a] == ("v1", "latest")


def test_unknown_tag_with_a_digest(client: Any, abc: tuple[str, str, str]) -> None:
    a = abc[0]
    assert delete(client, {"imageTag": "gone", "imageDigest": a}) == {
        "imageIds": [],
        "failures": [failure({"imageDigest": a, "imageTag": "gone"}, "ImageNotFound", NOT_FOUND)],
    }


def test_missing_tag_and_digest_echo_the_request(client: Any) -> None:
    digest = "sha256:" + "0" * 64
    assert delete(client, {"imageTag": "latest2"}, {"imageDigest": digest}) == {
        "imageIds": [],
        "failures": [
            failure({"imageTag": "latest2"}, "ImageNotFound", NOT_FOUND),
            failure({"imageDigest": digest}, "ImageNotFound", NOT_FOUND),
        ],
    }


def test_malformed_ids(fake: FakeEcr) -> None:
    client = fake.client(parameter_validation=False)
    long_tag = "t" * 301
    assert delete(client, {}, {"imageDigest": "invalid_digest"}, {"imageTag": long_tag}) == {
        "imageIds": [],
        "failures": [
            failure(
                {},
                "MissingDigestAndTag",
                "Invalid request parameters: both tag and digest cannot be null",
            ),
            failure(
                {"imageDigest": "invalid_digest"},
                "InvalidImageDigest",
                "Invalid request parameters: image digest should satisfy the regex "
                "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
            ),
            failure(
                {"imageTag": long_tag},
                "InvalidImageTag",
                "Invalid request parameters: image tag should satisfy the constraint "
                "'Member must have length less than or equal to 300'",
            ),
        ],
    }


def test_references_to_one_image_collapse(
    fake: FakeEcr, client: Any, abc: tuple[str, str, str]
) -> None:
    a, b, c = abc
    # B's only tag is v2: the digest deletes it, the tag names the same deletion.
    assert delete(client, {"imageDigest": b}, {"imageTag": "v2"}, {"imageTag": "v2"}) == {
        "imageIds": [{"imageDigest": b, "imageTag": "v2"}],
        "failures": [],
    }
    # A tag first, then the digest: each tag is reported once, by whichever id removed it.
    assert delete(client, {"imageTag": "v1"}, {"imageDigest": a}, {"imageTag": "latest"}) == {
        "imageIds": [
            {"imageDigest": a, "imageTag": "v1"},
            {"imageDigest": a, "imageTag": "latest"},
        ],
        "failures": [],
    }
    assert images(fake) == {c: ()}


def test_duplicate_failures_collapse(client: Any) -> None:
    response = delete(client, {"imageTag": "nope"}, {"imageTag": "nope"})
    assert response["failures"] == [failure({"imageTag": "nope"}, "ImageNotFound", NOT_FOUND)]


def test_image_referenced_by_a_manifest_list(fake: FakeEcr, client: Any) -> None:
    amd, _arm, index = images(fake, "team/multi")
    assert delete(client, {"imageDigest": amd}, repo="team/multi") == {
        "imageIds": [],
        "failures": [
            failure(
                {"imageDigest": amd},
                "ImageReferencedByManifestList",
                f"Requested image referenced by manifest list: [{index}]",
            )
        ],
    }
    assert amd in images(fake, "team/multi")


def test_list_then_child_in_one_request(fake: FakeEcr, client: Any) -> None:
    amd, arm, index = images(fake, "team/multi")
    response = delete(client, {"imageTag": "latest"}, {"imageDigest": amd}, repo="team/multi")
    assert response == {
        "imageIds": [
            {"imageDigest": index, "imageTag": "latest"},
            {"imageDigest": amd},
        ],
        "failures": [],
    }
    assert list(images(fake, "team/multi")) == [arm]


def test_both_lists_are_always_present(client: Any) -> None:
    raw = client.batch_delete_image(repositoryName=REPO, imageIds=[{"imageTag": "nope"}])
    assert raw["imageIds"] == []
    ok = client.batch_delete_image(repositoryName=REPO, imageIds=[{"imageTag": "latest"}])
    assert ok["failures"] == []


def test_more_than_100_ids(client: Any) -> None:
    assert error_of(
        client.batch_delete_image,
        repositoryName=REPO,
        imageIds=[{"imageTag": f"t{i}"} for i in range(101)],
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'imageIds' failed to satisfy constraint: "
        "'Member must have length less than or equal to 100'",
        400,
    )


def test_missing_repository(client: Any) -> None:
    assert error_of(
        client.batch_delete_image, repositoryName="team/nope", imageIds=[{"imageTag": "v1"}]
    ) == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )
