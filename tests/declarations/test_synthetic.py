"""Synthetic manifests: realistic, and the same on every machine, run and Python."""

from __future__ import annotations

import itertools
import json

import pytest

from pytest_ecr.declarations import load_declaration, synthetic_blobs, synthetic_manifest
from pytest_ecr.model import Image, MediaType, is_valid_digest, sha256_digest

# Hard-coded so that any drift (a changed derivation, layout, tar or gzip writer, or
# Python's json) shows up: these digests are what users' tests pin. (They changed once,
# when synthetic manifests started naming real blobs; see the changelog.)
FIXED_SEED = "team/api/0/v1"
FIXED_DIGESTS = {
    MediaType.DOCKER_V2: "sha256:11f05b1487999891def061d6bb503f21f26b4a914dbec8d95490f3ea6044bc14",
    MediaType.OCI_MANIFEST: (
        "sha256:d074de2c18f0efe7ca3ab67fda1a97f3941b7f0bdc443a76b88cde0b2fb9198f"
    ),
    MediaType.DOCKER_V1: "sha256:a9f45394040efe9e77d52305accf069ba549226fe616625880ef1c00567aeb60",
}
KIB = 1024


@pytest.mark.parametrize("media_type", sorted(FIXED_DIGESTS))
def test_a_fixed_seed_gives_a_fixed_digest(media_type: str) -> None:
    name = "team/api" if media_type == MediaType.DOCKER_V1 else "synthetic"
    text = synthetic_manifest(media_type, FIXED_SEED, name=name, tag="v1")
    assert sha256_digest(text.encode()) == FIXED_DIGESTS[media_type]


def test_the_same_seed_gives_the_same_text_and_others_differ() -> None:
    first = synthetic_manifest(MediaType.DOCKER_V2, "a")
    assert synthetic_manifest(MediaType.DOCKER_V2, "a") == first
    assert synthetic_manifest(MediaType.DOCKER_V2, "b") != first


@pytest.mark.parametrize(
    ("media_type", "config_type", "layer_type"),
    [
        (MediaType.DOCKER_V2, MediaType.DOCKER_CONFIG, MediaType.DOCKER_LAYER),
        (MediaType.OCI_MANIFEST, MediaType.OCI_CONFIG, MediaType.OCI_LAYER),
    ],
)
def test_image_manifests_look_real(media_type: str, config_type: str, layer_type: str) -> None:
    counts = set()
    for seed in range(40):
        text = synthetic_manifest(media_type, f"seed-{seed}")
        doc = json.loads(text)
        assert list(doc) == ["schemaVersion", "mediaType", "config", "layers"]
        assert (doc["schemaVersion"], doc["mediaType"]) == (2, media_type)
        assert doc["config"]["mediaType"] == config_type
        blobs = synthetic_blobs(media_type, f"seed-{seed}")
        assert list(blobs) == [doc["config"]["digest"], *(x["digest"] for x in doc["layers"])]
        layers = doc["layers"]
        counts.add(len(layers))
        assert 2 <= len(layers) <= 4
        # Small, real blobs: the base layer is the largest, all under 64 KiB.
        assert layers[0]["size"] == max(x["size"] for x in layers)
        for descriptor in [doc["config"], *layers]:
            assert descriptor["size"] == len(blobs[descriptor["digest"]]) < 64 * KIB
            assert descriptor["digest"] == sha256_digest(blobs[descriptor["digest"]])
        for layer in layers:
            assert layer["mediaType"] == layer_type
        for descriptor in [doc["config"], *layers]:
            assert is_valid_digest(descriptor["digest"])
            assert len(descriptor["digest"]) == 71
        image = Image.from_manifest(text)
        assert image.media_type == media_type
        assert image.size_bytes == doc["config"]["size"] + sum(x["size"] for x in layers)
    assert counts == {2, 3, 4}


def test_docker_and_oci_write_descriptors_in_their_own_key_order() -> None:
    docker = json.loads(synthetic_manifest(MediaType.DOCKER_V2, "s"))
    oci = json.loads(synthetic_manifest(MediaType.OCI_MANIFEST, "s"))
    assert list(docker["config"]) == ["mediaType", "size", "digest"]
    assert list(oci["config"]) == ["mediaType", "digest", "size"]


def test_schema1_manifests_look_real() -> None:
    text = synthetic_manifest(MediaType.DOCKER_V1, "s", name="team/api", tag="v1")
    doc = json.loads(text)
    assert (doc["schemaVersion"], doc["name"], doc["tag"], doc["architecture"]) == (
        1,
        "team/api",
        "v1",
        "amd64",
    )
    assert "mediaType" not in doc
    assert len(doc["fsLayers"]) == len(doc["history"]) >= 2
    history = [json.loads(entry["v1Compatibility"]) for entry in doc["history"]]
    assert history[0]["architecture"] == "amd64"
    # Top first: each entry's parent is the next one; the base has none.
    for upper, lower in itertools.pairwise(history):
        assert upper["parent"] == lower["id"]
    assert "parent" not in history[-1]
    image = Image.from_manifest(text, media_type=MediaType.DOCKER_V1)
    assert (image.media_type, image.size_bytes) == (MediaType.DOCKER_V1, None)


@pytest.mark.parametrize("media_type", sorted(MediaType.LISTS))
def test_lists_are_not_made_up(media_type: str) -> None:
    with pytest.raises(ValueError, match=r"needs platforms: use synthetic_index\(\)"):
        synthetic_manifest(media_type, "s")


def test_unknown_and_signed_types_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot make a synthetic manifest"):
        synthetic_manifest("text/plain", "s")
    with pytest.raises(ValueError, match="signed schema 1"):
        synthetic_manifest(MediaType.DOCKER_V1_SIGNED, "s")


def test_declared_images_without_a_manifest_get_one_seeded_by_place_and_tags() -> None:
    declaration = load_declaration(
        "version: 1\n"
        "repositories:\n"
        "  - name: team/api\n"
        "    images:\n"
        "      - tags: [v1]\n"
        "      - tags: [a, b]\n"
        "        media_type: application/vnd.docker.distribution.manifest.v1+json\n"
        "      - {}\n"
    )
    first, second, third = declaration.repositories[0].images
    assert first.image.digest == FIXED_DIGESTS[MediaType.DOCKER_V2]
    assert first.image.manifest == synthetic_manifest(MediaType.DOCKER_V2, "team/api/0/v1")
    assert second.image.manifest == synthetic_manifest(
        MediaType.DOCKER_V1, "team/api/1/a,b", name="team/api", tag="a"
    )
    assert third.image.manifest == synthetic_manifest(MediaType.DOCKER_V2, "team/api/2/")
    assert len({first.image.digest, second.image.digest, third.image.digest}) == 3


def test_base_layers_are_shared_and_the_last_layer_is_the_images_own() -> None:
    images = [json.loads(synthetic_manifest(MediaType.DOCKER_V2, f"s{i}")) for i in range(60)]
    bases = {doc["layers"][0]["digest"] for doc in images}
    own = [doc["layers"][-1]["digest"] for doc in images]
    assert 1 < len(bases) <= 3
    assert len(set(own)) == len(own)


def test_schema1_blob_sums_are_real_layers_and_it_has_no_config() -> None:
    text = synthetic_manifest(MediaType.DOCKER_V1, "s", name="team/api", tag="v1")
    blobs = synthetic_blobs(MediaType.DOCKER_V1, "s")
    sums = [entry["blobSum"] for entry in json.loads(text)["fsLayers"]]
    # Top first in the manifest, base first in the dict.
    assert sums[::-1] == list(blobs)
    assert all(sha256_digest(blobs[digest]) == digest for digest in sums)
