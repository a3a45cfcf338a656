"""acceptedMediaTypes on BatchGetImage: manifest translation for requests by tag."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.model import Image, RegistryState

from .support import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_LIST,
    DOCKER_V2,
    OCI,
    OCI_CONFIG,
    OCI_LAYER,
    batch_get,
    image_manifest,
)

SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
REPO = "team/api"


def get(client: Any, ident: dict[str, str], accepted: list[str], repo: str = REPO) -> Any:
    response = batch_get(client, ident, repo=repo, acceptedMediaTypes=accepted)
    assert response["failures"] == []
    [image] = response["images"]
    return image


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_docker_v2_to_oci(fake: FakeEcr, client: Any) -> None:
    stored = fake.registry.repository(REPO).image("v1")
    image = get(client, {"imageTag": "v1"}, [OCI])
    assert image["imageManifestMediaType"] == OCI
    # The digest is the stored image's; the translated bytes hash to something else.
    assert image["imageId"] == {"imageDigest": stored.digest, "imageTag": "v1"}
    assert sha(image["imageManifest"]) != stored.digest
    doc = json.loads(image["imageManifest"])
    original = json.loads(stored.manifest)
    assert doc["mediaType"] == OCI
    assert doc["config"] == {**original["config"], "mediaType": OCI_CONFIG}
    assert doc["layers"] == [{**layer, "mediaType": OCI_LAYER} for layer in original["layers"]]
    assert image["imageManifest"] == json.dumps(doc, indent=3)


def test_oci_to_docker_v2(fake: FakeEcr, client: Any) -> None:
    stored = fake.registry.repository(REPO).image("v2")
    image = get(client, {"imageTag": "v2"}, [DOCKER_V2])
    assert image["imageManifestMediaType"] == DOCKER_V2
    assert image["imageId"]["imageDigest"] == stored.digest
    doc = json.loads(image["imageManifest"])
    assert doc["mediaType"] == DOCKER_V2
    assert doc["config"]["mediaType"] == DOCKER_CONFIG
    assert {layer["mediaType"] for layer in doc["layers"]} == {DOCKER_LAYER}
    assert [layer["digest"] for layer in doc["layers"]] == [
        layer["digest"] for layer in json.loads(stored.manifest)["layers"]
    ]


@pytest.mark.parametrize("tag", ["v1", "v2"], ids=["docker-v2", "oci"])
def test_to_schema1(fake: FakeEcr, client: Any, tag: str) -> None:
    stored = fake.registry.repository(REPO).image(tag)
    image = get(client, {"imageTag": tag}, [SCHEMA1])
    assert image["imageManifestMediaType"] == SCHEMA1
    assert image["imageId"] == {"imageDigest": stored.digest, "imageTag": tag}
    doc = json.loads(image["imageManifest"])
    layers = [layer["digest"] for layer in json.loads(stored.manifest)["layers"]]
    assert doc["schemaVersion"] == 1
    assert (doc["name"], doc["tag"], doc["architecture"]) == (REPO, tag, "amd64")
    assert [entry["blobSum"] for entry in doc["fsLayers"]] == layers[::-1]
    history = [json.loads(entry["v1Compatibility"]) for entry in doc["history"]]
    assert len(history) == len(layers)
    # Top-most first, each pointing at the layer below it.
    assert [h.get("parent") for h in history] == [h["id"] for h in history[1:]] + [None]
    assert history[0]["architecture"] == "amd64"
    # Deterministic: the same request gives the same bytes.
    assert get(client, {"imageTag": tag}, [SCHEMA1])["imageManifest"] == image["imageManifest"]


def test_schema1_of_an_image_without_layers() -> None:
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("bare")
    repo.tag("t", repo.put(Image.from_manifest(image_manifest(5, layers=0))).digest)
    with FakeEcr(state=state) as fake:
        image = get(fake.client(), {"imageTag": "t"}, [SCHEMA1], repo="bare")
    doc = json.loads(image["imageManifest"])
    assert doc["fsLayers"] == [
        {"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}
    ]
    assert len(doc["history"]) == 1


@pytest.mark.parametrize(
    ("accepted", "expected"),
    [
        ([SCHEMA1, OCI], SCHEMA1),
        ([OCI, SCHEMA1], OCI),
        ([OCI, DOCKER_V2, SCHEMA1], DOCKER_V2),
        (["application/vnd.oci.image.index.v1+json", SCHEMA1], SCHEMA1),
    ],
    ids=["first-translatable", "oci-first", "stored-wins", "skips-untranslatable"],
)
def test_preference_order(client: Any, accepted: list[str], expected: str) -> None:
    assert get(client, {"imageTag": "v1"}, accepted)["imageManifestMediaType"] == expected


def test_by_digest_never_translates(fake: FakeEcr, client: Any) -> None:
    stored = fake.registry.repository(REPO).image("v2")
    for ident in ({"imageDigest": stored.digest}, {"imageDigest": stored.digest, "imageTag": "v2"}):
        image = get(client, ident, [DOCKER_V2])
        assert (image["imageManifest"], image["imageManifestMediaType"]) == (stored.manifest, OCI)


@pytest.mark.parametrize(
    ("repo", "tag", "accepted"),
    [
        ("team/multi", "latest", [DOCKER_V2, OCI, SCHEMA1]),
        ("legacy", "old", [DOCKER_V2, OCI]),
    ],
    ids=["manifest-list", "schema1-stored"],
)
def test_no_translation_returns_the_stored_manifest(
    fake: FakeEcr, client: Any, repo: str, tag: str, accepted: list[str]
) -> None:
    stored = fake.registry.repository(repo).image(tag)
    image = get(client, {"imageTag": tag}, accepted, repo=repo)
    assert (image["imageManifest"], image["imageManifestMediaType"]) == (
        stored.manifest,
        stored.media_type,
    )
    assert stored.media_type in (DOCKER_LIST, SCHEMA1)


@pytest.mark.parametrize(
    "change",
    [
        {"artifactType": "application/vnd.example.sbom"},
        {
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
                    "size": 1,
                    "digest": "sha256:" + "1" * 64,
                }
            ]
        },
    ],
    ids=["artifact", "zstd-layer"],
)
def test_oci_without_a_docker_form_is_not_translated(change: dict[str, Any]) -> None:
    doc = {**json.loads(image_manifest(9, OCI)), **change}
    manifest = json.dumps(doc)
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("art")
    repo.tag("t", repo.put(Image.from_manifest(manifest)).digest)
    with FakeEcr(state=state) as fake:
        image = get(fake.client(), {"imageTag": "t"}, [DOCKER_V2], repo="art")
    assert (image["imageManifest"], image["imageManifestMediaType"]) == (manifest, OCI)
