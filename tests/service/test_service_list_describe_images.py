"""ListImages and DescribeImages through real boto3 clients, paging included."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model import Image, RegistryState

from .support import (
    ACCOUNT,
    DOCKER_CONFIG,
    DOCKER_LIST,
    DOCKER_V2,
    OCI,
    OCI_CONFIG,
    PUSHED_AT,
    error_of,
    image_manifest,
    strip,
)

REPO = "team/api"


def digests(fake: FakeEcr, repo: str = REPO) -> list[str]:
    """Digests of *repo* in insertion order: for team/api, A (v1, latest), B (v2), C."""
    return [image.digest for image in fake.registry.repository(repo).images()]


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


# -- ListImages ------------------------------------------------------------------------


def test_list_images_one_entry_per_tag_untagged_by_digest(fake: FakeEcr, client: Any) -> None:
    a, b, c = digests(fake)
    assert strip(client.list_images(repositoryName=REPO)) == {
        "imageIds": [
            {"imageDigest": a, "imageTag": "v1"},
            {"imageDigest": a, "imageTag": "latest"},
            {"imageDigest": b, "imageTag": "v2"},
            {"imageDigest": c},
        ]
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("TAGGED", ["v1", "latest", "v2"]),
        ("UNTAGGED", [None]),
        ("ANY", ["v1", "latest", "v2", None]),
    ],
)
def test_list_images_tag_status(client: Any, status: str, expected: list[str | None]) -> None:
    ids = client.list_images(repositoryName=REPO, filter={"tagStatus": status})["imageIds"]
    assert [i.get("imageTag") for i in ids] == expected


@needs("ListImagesFilter.imageStatus")
def test_list_images_archived_filter_finds_nothing(client: Any) -> None:
    response = client.list_images(repositoryName=REPO, filter={"imageStatus": "ARCHIVED"})
    assert strip(response) == {"imageIds": []}


def test_list_images_bad_tag_status(client: Any) -> None:
    assert error_of(client.list_images, repositoryName=REPO, filter={"tagStatus": "SOME"}) == (
        "InvalidParameterException",
        "Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: "
        "'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'",
        400,
    )


def test_list_images_empty_and_missing_repository(client: Any) -> None:
    assert strip(client.list_images(repositoryName="empty")) == {"imageIds": []}
    assert error_of(client.list_images, repositoryName="team/nope") == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


def test_list_images_pages(fake: FakeEcr, client: Any) -> None:
    first = client.list_images(repositoryName=REPO, maxResults=3)
    assert len(first["imageIds"]) == 3
    rest = client.list_images(repositoryName=REPO, maxResults=3, nextToken=first["nextToken"])
    assert rest["imageIds"] == [{"imageDigest": digests(fake)[2]}]
    assert "nextToken" not in rest


def test_token_of_another_repository_or_filter_is_rejected(client: Any) -> None:
    token = client.list_images(repositoryName=REPO, maxResults=1)["nextToken"]
    expected = (
        "InvalidParameterException",
        "Invalid parameter at 'nextToken' failed to satisfy constraint: "
        "'Member must be a nextToken returned by a previous call with the same parameters'",
        400,
    )
    assert error_of(client.list_images, repositoryName="team/multi", nextToken=token) == expected
    assert (
        error_of(
            client.list_images,
            repositoryName=REPO,
            nextToken=token,
            filter={"tagStatus": "TAGGED"},
        )
        == expected
    )
    assert error_of(client.describe_images, repositoryName=REPO, nextToken=token) == expected


def test_list_images_max_results_too_large(client: Any) -> None:
    assert error_of(client.list_images, repositoryName=REPO, maxResults=1001)[1] == (
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        "'Member must have value less than or equal to 1000'"
    )


# -- DescribeImages --------------------------------------------------------------------


def detail(fake: FakeEcr, digest: str, repo: str = REPO, **fields: Any) -> dict[str, Any]:
    return {
        "registryId": ACCOUNT,
        "repositoryName": repo,
        "imageDigest": digest,
        **fields,
    }


def test_describe_every_image(fake: FakeEcr, client: Any) -> None:
    a, b, c = digests(fake)
    assert strip(client.describe_images(repositoryName=REPO)) == {
        "imageDetails": [
            detail(
                fake,
                a,
                imageTags=["v1", "latest"],
                imageSizeInBytes=1001 + 10_001 + 20_001,
                imagePushedAt=at(PUSHED_AT),
                imageManifestMediaType=DOCKER_V2,
                artifactMediaType=DOCKER_CONFIG,
            ),
            detail(
                fake,
                b,
                imageTags=["v2"],
                imageSizeInBytes=1002 + 10_002 + 20_002,
                imagePushedAt=at(PUSHED_AT + 1),
                imageManifestMediaType=OCI,
                artifactMediaType=OCI_CONFIG,
            ),
            # Untagged: no imageTags key at all.
            detail(
                fake,
                c,
                imageSizeInBytes=1003 + 10_003,
                imagePushedAt=at(PUSHED_AT + 2),
                imageManifestMediaType=DOCKER_V2,
                artifactMediaType=DOCKER_CONFIG,
            ),
        ]
    }


def test_manifest_list_reports_its_largest_child_and_no_artifact_type(
    fake: FakeEcr, client: Any
) -> None:
    response = client.describe_images(
        repositoryName="team/multi", imageIds=[{"imageTag": "latest"}]
    )
    [listed] = response["imageDetails"]
    arm = 1012 + 10_012 + 20_012 + 30_012
    assert listed == detail(
        fake,
        digests(fake, "team/multi")[2],
        repo="team/multi",
        imageTags=["latest"],
        imageSizeInBytes=arm,
        imagePushedAt=at(PUSHED_AT),
        imageManifestMediaType=DOCKER_LIST,
    )


def test_schema1_image_has_a_size_of_zero(client: Any) -> None:
    [old] = client.describe_images(repositoryName="legacy")["imageDetails"]
    assert old["imageSizeInBytes"] == 0
    assert old["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v1+json"
    assert "artifactMediaType" not in old


def test_describe_by_tag_lists_every_tag(fake: FakeEcr, client: Any) -> None:
    [found] = client.describe_images(repositoryName=REPO, imageIds=[{"imageTag": "latest"}])[
        "imageDetails"
    ]
    assert found["imageDigest"] == digests(fake)[0]
    assert found["imageTags"] == ["v1", "latest"]


def test_describe_by_ids_in_request_order_once_per_image(fake: FakeEcr, client: Any) -> None:
    a, b, c = digests(fake)
    response = client.describe_images(
        repositoryName=REPO,
        imageIds=[
            {"imageDigest": c},
            {"imageTag": "v1"},
            {"imageTag": "latest", "imageDigest": a},
            {"imageDigest": a},
            {"imageTag": "v2"},
        ],
    )
    assert [d["imageDigest"] for d in response["imageDetails"]] == [c, a, b]


def test_describe_missing_tag(client: Any) -> None:
    assert error_of(
        client.describe_images,
        repositoryName=REPO,
        imageIds=[{"imageTag": "v1"}, {"imageTag": "nope"}],
    ) == (
        "ImageNotFoundException",
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within "
        f"the repository with name '{REPO}' in the registry with id '{ACCOUNT}'",
        400,
    )


def test_describe_missing_digest(client: Any) -> None:
    digest = "sha256:" + "0" * 64
    assert error_of(
        client.describe_images, repositoryName=REPO, imageIds=[{"imageDigest": digest}]
    )[1] == (
        f"The image with imageId {{imageDigest:'{digest}', imageTag:'null'}} does not exist "
        f"within the repository with name '{REPO}' in the registry with id '{ACCOUNT}'"
    )


def test_describe_tag_with_another_images_digest(fake: FakeEcr, client: Any) -> None:
    b = digests(fake)[1]
    assert error_of(
        client.describe_images, repositoryName=REPO, imageIds=[{"imageTag": "v1", "imageDigest": b}]
    ) == (
        "ImageNotFoundException",
        f"The image with imageId {{imageDigest:'{b}', imageTag:'v1'}} does not exist within "
        f"the repository with name '{REPO}' in the registry with id '{ACCOUNT}'",
        400,
    )


@pytest.mark.parametrize(
    ("image_id", "message"),
    [
        (
            {},
            "Invalid parameter at 'imageIds.1.member' failed to satisfy constraint: "
            "'Member must have an imageTag or an imageDigest'",
        ),
        (
            {"imageDigest": "nope"},
            "Invalid parameter at 'imageIds.1.member.imageDigest' failed to satisfy "
            "constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''",
        ),
        (
            {"imageTag": "t" * 301},
            "Invalid parameter at 'imageIds.1.member.imageTag' failed to satisfy constraint: "
            "'Member must have length less than or equal to 300'",
        ),
    ],
    ids=["empty", "digest", "long-tag"],
)
def test_describe_malformed_ids(client: Any, image_id: dict[str, str], message: str) -> None:
    assert error_of(client.describe_images, repositoryName=REPO, imageIds=[image_id]) == (
        "InvalidParameterException",
        message,
        400,
    )


def test_describe_ids_and_paging_cannot_be_combined(client: Any) -> None:
    assert error_of(
        client.describe_images, repositoryName=REPO, imageIds=[{"imageTag": "v1"}], maxResults=10
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        "'Member cannot be specified together with imageIds'",
        400,
    )


@pytest.mark.parametrize(("status", "count"), [("TAGGED", 2), ("UNTAGGED", 1), ("ANY", 3)])
def test_describe_tag_status(client: Any, status: str, count: int) -> None:
    response = client.describe_images(repositoryName=REPO, filter={"tagStatus": status})
    assert len(response["imageDetails"]) == count


def test_describe_empty_and_missing_repository(client: Any) -> None:
    assert strip(client.describe_images(repositoryName="empty")) == {"imageDetails": []}
    assert error_of(client.describe_images, repositoryName="team/nope")[0] == (
        "RepositoryNotFoundException"
    )


# -- paging a large repository ---------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> RegistryState:
    """2,500 images: every third one untagged, the others tagged once or twice."""
    state = RegistryState(ACCOUNT, "us-east-1")
    repo = state.create_repository("big")
    for n in range(2500):
        image = repo.put(Image.from_manifest(image_manifest(n, layers=1)))
        if n % 3:
            repo.tag(f"t{n}", image.digest)
        if n % 3 == 2:
            repo.tag(f"u{n}", image.digest)
    return state.freeze()


@pytest.mark.parametrize("page_size", [None, 1000, 37])
def test_paginators_return_every_image_exactly_once(
    big: RegistryState, page_size: int | None
) -> None:
    expected = [image.digest for image in big.repository("big").images()]
    config: Any = {} if page_size is None else {"PageSize": page_size}
    start = time.perf_counter()
    with FakeEcr(state=big) as fake:
        client = fake.client()
        details = [
            d["imageDigest"]
            for page in client.get_paginator("describe_images").paginate(
                repositoryName="big", PaginationConfig=config
            )
            for d in page["imageDetails"]
        ]
        listed = [
            (i["imageDigest"], i.get("imageTag"))
            for page in client.get_paginator("list_images").paginate(
                repositoryName="big", PaginationConfig=config
            )
            for i in page["imageIds"]
        ]
        untagged = [
            i["imageDigest"]
            for page in client.get_paginator("list_images").paginate(
                repositoryName="big", filter={"tagStatus": "UNTAGGED"}, PaginationConfig=config
            )
            for i in page["imageIds"]
        ]
    elapsed = time.perf_counter() - start
    assert details == expected
    assert len(set(listed)) == len(listed) == 834 + 1666 + 833
    assert {d for d, _ in listed} == set(expected)
    assert untagged == expected[::3]
    # Paging must not be quadratic: even small pages walk the repository in seconds.
    assert elapsed < 8
