"""A realistic session against the fake, and the isolation of a test's writes."""

from __future__ import annotations

import hashlib
from typing import Any

from pytest_ecr import FakeEcr
from pytest_ecr.model import RegistryState

from .support import uploaded_manifest

REPO = "team/api"


def test_promote_a_build_then_retire_its_old_tag(fake: FakeEcr, client: Any) -> None:
    # 1. find the image behind v2
    tagged = client.list_images(repositoryName=REPO, filter={"tagStatus": "TAGGED"})["imageIds"]
    digest = next(i["imageDigest"] for i in tagged if i["imageTag"] == "v2")
    # 2. describe it
    [detail] = client.describe_images(repositoryName=REPO, imageIds=[{"imageDigest": digest}])[
        "imageDetails"
    ]
    assert detail["imageTags"] == ["v2"]
    # 3. fetch its manifest
    [got] = client.batch_get_image(repositoryName=REPO, imageIds=[{"imageTag": "v2"}])["images"]
    manifest = got["imageManifest"]
    assert "sha256:" + hashlib.sha256(manifest.encode()).hexdigest() == digest
    # 4. retag it as the documented retag flow does: PutImage with the same manifest
    put = client.put_image(
        repositoryName=REPO,
        imageManifest=manifest,
        imageManifestMediaType=got["imageManifestMediaType"],
        imageTag="prod",
    )["image"]
    assert put["imageId"] == {"imageDigest": digest, "imageTag": "prod"}
    # 5. the new tag resolves to the same bytes
    [again] = client.batch_get_image(repositoryName=REPO, imageIds=[{"imageTag": "prod"}])["images"]
    assert again["imageManifest"] == manifest
    assert again["imageId"] == {"imageDigest": digest, "imageTag": "prod"}
    # 6. retire the old tag: only the tag goes
    deleted = client.batch_delete_image(repositoryName=REPO, imageIds=[{"imageTag": "v2"}])
    assert deleted["imageIds"] == [{"imageDigest": digest, "imageTag": "v2"}]
    [after] = client.describe_images(repositoryName=REPO, imageIds=[{"imageDigest": digest}])[
        "imageDetails"
    ]
    assert after["imageTags"] == ["prod"]
    assert after["imagePushedAt"] == detail["imagePushedAt"]
    # 7. the last tag goes too: so does the image
    client.batch_delete_image(repositoryName=REPO, imageIds=[{"imageTag": "prod"}])
    remaining = [
        d["imageDigest"] for d in client.describe_images(repositoryName=REPO)["imageDetails"]
    ]
    assert digest not in remaining
    # 8. and the history shows the whole session
    assert [c.operation for c in fake.calls()] == [
        "ListImages",
        "DescribeImages",
        "BatchGetImage",
        "PutImage",
        "BatchGetImage",
        "BatchDeleteImage",
        "DescribeImages",
        "BatchDeleteImage",
        "DescribeImages",
    ]


def test_a_pushed_over_tag_leaves_the_old_build_untagged(client: Any) -> None:
    before = {
        d["imageDigest"]: d for d in client.describe_images(repositoryName=REPO)["imageDetails"]
    }
    old = next(d for d, v in before.items() if v.get("imageTags") == ["v2"])
    manifest = uploaded_manifest(client, REPO, 70)
    client.put_image(repositoryName=REPO, imageManifest=manifest, imageTag="v2")
    untagged = client.list_images(repositoryName=REPO, filter={"tagStatus": "UNTAGGED"})
    assert {"imageDigest": old} in untagged["imageIds"]


def test_writes_to_the_fork_never_reach_the_declared_state(declared: RegistryState) -> None:
    declared_images = [i.digest for i in declared.repository(REPO).images()]
    declared_tags = sorted(declared.repository(REPO).tags())
    with FakeEcr(state=declared) as fake:
        client = fake.client()
        manifest = uploaded_manifest(client, REPO, 80)
        client.put_image(repositoryName=REPO, imageManifest=manifest, imageTag="v1")
        client.batch_delete_image(repositoryName=REPO, imageIds=[{"imageTag": "v2"}])
        client.create_repository(repositoryName="scratch")
        assert fake.registry.repository(REPO).resolve_tag("v2") is None
    assert [i.digest for i in declared.repository(REPO).images()] == declared_images
    assert sorted(declared.repository(REPO).tags()) == declared_tags
    with FakeEcr(state=declared) as second:
        client = second.client()
        tags = {i.get("imageTag") for i in client.list_images(repositoryName=REPO)["imageIds"]}
        assert tags == {"v1", "latest", "v2", None}
        names = [r["repositoryName"] for r in client.describe_repositories()["repositories"]]
        assert "scratch" not in names
