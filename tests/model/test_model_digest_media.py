"""Digests of exact bytes and what ECR reads out of each manifest type (pure model)."""

from __future__ import annotations

import hashlib
import json

import pytest

from pytest_ecr.model import (
    DIGEST_PATTERN,
    Image,
    MediaType,
    inspect_manifest,
    is_valid_digest,
    sha256_digest,
)

CONFIG = {"mediaType": MediaType.DOCKER_CONFIG, "size": 7, "digest": "sha256:" + "a" * 64}


def single(media_type: str | None = MediaType.DOCKER_V2, **extra: object) -> str:
    doc: dict[str, object] = {
        "schemaVersion": 2,
        "config": {"mediaType": MediaType.DOCKER_CONFIG, "size": 7, "digest": "sha256:" + "a" * 64},
        "layers": [
            {"size": 10, "digest": "sha256:" + "b" * 64},
            {"size": 25, "digest": "sha256:" + "c" * 64},
        ],
        **extra,
    }
    if media_type is not None:
        doc["mediaType"] = media_type
    return json.dumps(doc)


def test_digest_is_sha256_of_the_exact_bytes() -> None:
    data = b'{"a": 1}'
    assert sha256_digest(data) == "sha256:" + hashlib.sha256(data).hexdigest()
    # Whitespace is part of the content: re-serialising would change the digest.
    assert sha256_digest(b'{"a":1}') != sha256_digest(data)


def test_image_digest_is_of_the_utf8_text_as_given() -> None:
    text = single().replace(", ", ",  ")
    image = Image.from_manifest(text)
    assert image.digest == "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert image.manifest == text


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("sha256:" + "0" * 64, True),
        # ECR's rule is only algorithm:hex, so short and other-algorithm digests pass it.
        ("sha256:" + "0" * 63, True),
        ("md5:abc", True),
        ("sha256:" + "G" * 64, False),
        ("sha256:", False),
        ("a/b:00", False),
        ("", False),
    ],
)
def test_digest_validity(value: str, valid: bool) -> None:
    assert is_valid_digest(value) is valid
    # The hyphen in the quoted pattern is literal, not a range from '9' to '_'.
    assert not is_valid_digest("sha256;:00")
    assert "9-_" in DIGEST_PATTERN


@pytest.mark.parametrize("kind", sorted(MediaType.SINGLE))
def test_single_image_size_is_config_plus_layers(kind: str) -> None:
    info = inspect_manifest(single(kind))
    assert (info.media_type, info.size_bytes, info.children) == (kind, 42, ())
    assert info.artifact_media_type == MediaType.DOCKER_CONFIG


def test_artifact_type_wins_over_the_config_type() -> None:
    info = inspect_manifest(single(MediaType.OCI_MANIFEST, artifactType="application/x-sbom"))
    assert info.artifact_media_type == "application/x-sbom"


@pytest.mark.parametrize("kind", sorted(MediaType.LISTS))
def test_lists_name_their_children_and_have_no_size(kind: str) -> None:
    children = ["sha256:" + "1" * 64, "sha256:" + "2" * 64]
    text = json.dumps({"mediaType": kind, "manifests": [{"digest": d} for d in children]})
    info = inspect_manifest(text)
    assert (info.media_type, info.size_bytes, info.children) == (kind, None, tuple(children))


def test_an_index_without_media_type_is_recognised_by_its_manifests() -> None:
    info = inspect_manifest(json.dumps({"schemaVersion": 2, "manifests": []}))
    assert info.media_type == MediaType.OCI_INDEX


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        ({"schemaVersion": 1, "name": "x", "fsLayers": []}, MediaType.DOCKER_V1),
        ({"schemaVersion": 1, "signatures": []}, MediaType.DOCKER_V1_SIGNED),
    ],
)
def test_schema1_is_recognised_and_carries_no_size(doc: dict[str, object], kind: str) -> None:
    info = inspect_manifest(json.dumps(doc))
    assert (info.media_type, info.size_bytes, info.children) == (kind, None, ())


def test_given_media_type_stands_in_for_a_missing_one() -> None:
    assert inspect_manifest(single(None), MediaType.OCI_MANIFEST).media_type == (
        MediaType.OCI_MANIFEST
    )


def test_custom_artifact_type_is_stored_as_given_with_its_sizes() -> None:
    text = json.dumps({"mediaType": "application/x-custom", "config": {"size": 3}, "layers": 5})
    info = inspect_manifest(text)
    assert (info.media_type, info.size_bytes, info.children) == ("application/x-custom", 3, ())


@pytest.mark.parametrize(
    ("text", "given", "message"),
    [
        ("{not json", None, "manifest is not valid JSON"),
        ("[]", None, "manifest must be a JSON object"),
        ('{"mediaType": 3}', None, "manifest field 'mediaType' must be a string"),
        (single(), MediaType.OCI_MANIFEST, "but 'application/vnd.oci.image.manifest.v1+json'"),
        ('{"schemaVersion": 2}', None, "no top-level 'mediaType' and no media type was given"),
        (json.dumps({"mediaType": MediaType.OCI_INDEX}), None, "needs a 'manifests' array"),
        (
            json.dumps({"mediaType": MediaType.OCI_INDEX, "manifests": [{}]}),
            None,
            "needs a string 'digest'",
        ),
        (json.dumps({"mediaType": MediaType.DOCKER_V2}), None, "needs a 'config' object"),
        (
            json.dumps({"mediaType": MediaType.DOCKER_V2, "config": CONFIG, "layers": [1]}),
            None,
            "every entry of 'layers' must be an object",
        ),
        (
            json.dumps({"mediaType": MediaType.DOCKER_V2, "config": {**CONFIG, "size": True}}),
            None,
            "descriptor size must be an integer, got True",
        ),
        (
            json.dumps({"mediaType": MediaType.DOCKER_V2, "config": {**CONFIG, "size": -1}}),
            None,
            "descriptor size must be between 0 and 2^63-1, got -1",
        ),
        (
            json.dumps({"mediaType": MediaType.DOCKER_V2, "config": {**CONFIG, "size": 2**63}}),
            None,
            "descriptor size must be between 0 and 2^63-1",
        ),
        (
            json.dumps({"mediaType": MediaType.DOCKER_V2, "config": {"digest": "sha256:xyz"}}),
            None,
            "every config needs a 'digest' like sha256:<64 hex digits>, got 'sha256:xyz'",
        ),
        (
            json.dumps({"mediaType": MediaType.DOCKER_V2, "config": CONFIG, "layers": [{}]}),
            None,
            "every entry of 'layers' needs a 'digest'",
        ),
        (
            single(schemaVersion=3),
            None,
            "manifest schemaVersion must be 2, got 3",
        ),
        (
            json.dumps({"schemaVersion": 2, "name": "x", "fsLayers": [], "signatures": []}),
            MediaType.DOCKER_V1_SIGNED,
            "manifest schemaVersion must be 1, got 2",
        ),
    ],
)
def test_malformed_manifests_are_refused_readably(
    text: str, given: str | None, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        inspect_manifest(text, given)
    assert message in str(caught.value)
