"""Manifests: GET/HEAD as BatchGetImage (with ``Accept`` as ``acceptedMediaTypes``), PUT
as PutImage with the exact bytes, DELETE as BatchDeleteImage (§15.2)."""

from __future__ import annotations

import json

from pytest_ecr import FakeEcr

from .conftest import Served
from .support import ACCOUNT, OCI_INDEX, OCI_MANIFEST, REGISTRY, Client, sha

DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+json"


def test_get_and_head_by_tag_and_by_digest(registry: Client, served: Served) -> None:
    image = served.fake.registry.repository("team/api").image("v1")
    body = image.manifest.encode()
    got = registry.request("GET", "/v2/team/api/manifests/v1")
    assert got.status == 200
    assert got.body == body
    assert sha(got.body) == image.digest
    assert got.headers["content-type"] == image.media_type
    assert got.headers["content-length"] == str(len(body))
    # ECR has been seen to leave Docker-Content-Digest off a GET (fidelity page).
    assert "docker-content-digest" not in got.headers
    head = registry.request("HEAD", "/v2/team/api/manifests/v1")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["docker-content-digest"] == image.digest
    assert head.headers["content-length"] == str(len(body))
    by_digest = registry.request("GET", f"/v2/team/api/manifests/{image.digest}")
    assert by_digest.body == body


def test_a_pull_is_one_batch_get_image_call_with_the_accept_list(
    registry: Client, served: Served
) -> None:
    accept = f"{OCI_MANIFEST}, {DOCKER_V2};q=0.9, */*;q=0.1, {OCI_INDEX}"
    registry.request("GET", "/v2/team/api/manifests/v1", headers={"Accept": accept})
    (call,) = served.fake.calls("BatchGetImage")
    assert call.transport == "registry"
    assert call.region == "us-east-1"
    assert call.params == {
        "registryId": ACCOUNT,
        "repositoryName": "team/api",
        "imageIds": [{"imageTag": "v1"}],
        "acceptedMediaTypes": [OCI_MANIFEST, DOCKER_V2, OCI_INDEX],
    }


def test_accept_negotiates_through_the_same_translation(registry: Client, served: Served) -> None:
    image = served.fake.registry.repository("team/api").image("v1")
    assert image.media_type == DOCKER_V2
    wanted = registry.request("GET", "/v2/team/api/manifests/v1", headers={"Accept": DOCKER_V1})
    assert wanted.headers["content-type"] == DOCKER_V1
    assert json.loads(wanted.body)["schemaVersion"] == 1
    client = served.fake.client()
    with served.fake:
        api = client.batch_get_image(
            repositoryName="team/api", imageIds=[{"imageTag": "v1"}], acceptedMediaTypes=[DOCKER_V1]
        )
    assert api["images"][0]["imageManifest"].encode() == wanted.body


def test_unknown_manifests_and_repositories(registry: Client) -> None:
    missing = registry.request("GET", "/v2/team/api/manifests/nope")
    assert missing.status == 404
    assert missing.error == ("MANIFEST_UNKNOWN", "Requested image not found")
    assert missing.headers["content-type"].startswith("application/json")
    gone = registry.request("GET", "/v2/team/nothing/manifests/v1")
    assert gone.status == 404
    assert gone.error == (
        "NAME_UNKNOWN",
        "The repository with name 'team/nothing' does not exist in the registry with id "
        f"'{ACCOUNT}'",
    )
    assert registry.request("HEAD", "/v2/team/api/manifests/nope").status == 404


def test_a_reference_that_is_neither_tag_nor_digest_is_a_400(
    registry: Client, served: Served
) -> None:
    assert registry.request("HEAD", "/v2/team/api/manifests/v1+build").status == 400
    answer = registry.request("GET", "/v2/team/api/manifests/sha256:xyz")
    assert (answer.status, answer.error[0]) == (400, "DIGEST_INVALID")
    assert served.fake.calls("BatchGetImage").count == 0


def test_put_by_tag_stores_the_exact_bytes(registry: Client, served: Served) -> None:
    manifest, digest = registry.push_image("team/copy", "pushed", [b"layer one", b"layer two"])
    (put,) = served.fake.calls("PutImage")
    assert put.transport == "registry"
    assert put.params["imageManifest"].encode() == manifest
    assert put.params["imageTag"] == "pushed"
    client = served.fake.client()
    with served.fake:
        details = client.describe_images(repositoryName="team/copy")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in details] == [(digest, ["pushed"])]
    head = registry.request("HEAD", "/v2/team/copy/manifests/pushed")
    assert head.headers["docker-content-digest"] == digest


def test_put_answers_201_with_location_and_digest(registry: Client) -> None:
    layer = registry.push_blob("team/copy", b"bytes")
    config = registry.push_blob("team/copy", b"{}")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config,
                "size": 2,
            },
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": 5}
            ],
        }
    ).encode()
    answer = registry.request(
        "PUT", f"/v2/team/copy/manifests/{sha(manifest)}", manifest, {"Content-Type": OCI_MANIFEST}
    )
    assert answer.status == 201
    assert answer.headers["docker-content-digest"] == sha(manifest)
    assert answer.headers["location"] == (
        f"http://{registry.host}/v2/team/copy/manifests/{sha(manifest)}"
    )
    # Pushing the same again succeeds (PutImage's ImageAlreadyExistsException is hidden).
    again = registry.request("PUT", "/v2/team/copy/manifests/" + sha(manifest), manifest)
    assert again.status == 201


def test_put_by_a_digest_that_is_not_the_bodys(registry: Client) -> None:
    manifest = registry.small_manifest("team/copy")
    wrong = sha(b"something else")
    answer = registry.request("PUT", f"/v2/team/copy/manifests/{wrong}", manifest)
    assert answer.status == 400
    assert answer.error == (
        "MANIFEST_INVALID",
        f"The image with digest '{wrong}' in repository 'team/copy' and registry ID "
        f"'{ACCOUNT}' does not match the image digest that Amazon ECR has calculated.",
    )


def test_put_of_an_immutable_tag_is_tag_invalid(registry: Client) -> None:
    registry.push_image("team/locked", "v1", [b"first"])
    manifest = registry.small_manifest("team/locked", "another")
    answer = registry.request("PUT", "/v2/team/locked/manifests/v1", manifest)
    assert answer.status == 400
    assert answer.error == (
        "TAG_INVALID",
        "The image tag 'v1' already exists in the 'team/locked' repository and cannot be "
        "overwritten because the repository is immutable.",
    )


def test_put_of_bad_json_and_missing_children(registry: Client) -> None:
    bad = registry.request("PUT", "/v2/team/copy/manifests/x", b"{not json")
    assert bad.status == 400
    assert bad.error == (
        "UNSUPPORTED",
        "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    )
    child = sha(b"a child never pushed")
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{"mediaType": OCI_MANIFEST, "digest": child, "size": 10}],
        }
    ).encode()
    answer = registry.request(
        "PUT", "/v2/team/copy/manifests/multi", index, {"Content-Type": OCI_INDEX}
    )
    assert answer.status == 400
    assert answer.error == (
        "MANIFEST_BLOB_UNKNOWN",
        f"Images with digests '[{child}]' required for pushing image into repository with "
        f"name 'team/copy' in the registry with id '{ACCOUNT}' do not exist",
    )


def test_put_to_a_repository_that_does_not_exist(registry: Client) -> None:
    answer = registry.request("PUT", "/v2/team/nowhere/manifests/v1", b"{}")
    assert (answer.status, answer.error[0]) == (404, "NAME_UNKNOWN")


def test_delete_by_digest_is_batch_delete_image(registry: Client, served: Served) -> None:
    digest = served.fake.registry.repository("team/api").image("v2").digest
    answer = registry.request("DELETE", f"/v2/team/api/manifests/{digest}")
    assert answer.status == 202
    assert served.fake.calls("BatchDeleteImage").last.transport == "registry"
    assert registry.request("GET", f"/v2/team/api/manifests/{digest}").status == 404
    again = registry.request("DELETE", f"/v2/team/api/manifests/{digest}")
    assert (again.status, again.error[0]) == (404, "MANIFEST_UNKNOWN")


def test_a_push_stays_in_its_test(registry: Client, served: Served) -> None:
    registry.push_image("team/copy", "mine", [b"only here"])
    assert served.fake.registry.repository("team/copy").resolve_tag("mine") is not None
    next_test = FakeEcr([REGISTRY], fake_environment=False)
    served.server.fake = next_test
    try:
        fresh = served.client()
        answer = fresh.request("GET", "/v2/team/copy/manifests/mine")
        assert answer.status == 404
        assert next_test.calls("BatchGetImage").count == 1
    finally:
        served.server.fake = served.fake


def test_a_big_manifest_round_trips_and_a_too_big_one_is_refused(registry: Client) -> None:
    config = registry.push_blob("team/copy", b"{}")
    doc = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config,
            "size": 2,
        },
        "layers": [],
        "annotations": {"padding": "p" * (2 * 1024 * 1024)},
    }
    manifest = json.dumps(doc).encode()
    put = registry.request(
        "PUT", "/v2/team/copy/manifests/big", manifest, {"Content-Type": OCI_MANIFEST}
    )
    assert put.status == 201
    assert registry.request("GET", "/v2/team/copy/manifests/big").body == manifest
    doc["annotations"] = {"padding": "p" * (4 * 1024 * 1024)}
    huge = registry.request("PUT", "/v2/team/copy/manifests/huge", json.dumps(doc).encode())
    assert huge.status == 400
    assert huge.error == (
        "UNSUPPORTED",
        "Invalid parameter at 'imageManifest' failed to satisfy constraint: "
        "'Member must have length less than or equal to 4194304'",
    )
    # The rest of the refused body was dropped: the connection goes on.
    assert registry.request("GET", "/v2/").status == 200
