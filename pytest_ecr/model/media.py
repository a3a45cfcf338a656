"""Manifest media types and what ECR reads out of a manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pytest_ecr.model.names import DIGEST_RE


class MediaType:
    """The manifest media types ECR stores and negotiates."""

    DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+json"
    DOCKER_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
    DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
    OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
    OCI_INDEX = "application/vnd.oci.image.index.v1+json"

    DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
    DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
    OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

    #: Types that describe a single image (config + layers).
    SINGLE: frozenset[str] = frozenset({DOCKER_V2, OCI_MANIFEST})
    #: Types that list other manifests.
    LISTS: frozenset[str] = frozenset({DOCKER_LIST, OCI_INDEX})
    #: Docker v2 schema 1, signed or not.
    SCHEMA1: frozenset[str] = frozenset({DOCKER_V1, DOCKER_V1_SIGNED})
    #: Every type this model understands.
    KNOWN: frozenset[str] = SINGLE | LISTS | SCHEMA1


@dataclass(frozen=True, slots=True)
class ManifestInfo:
    """What ECR derives from a manifest's content."""

    media_type: str
    size_bytes: int | None
    artifact_media_type: str | None
    children: tuple[str, ...]


#: The largest descriptor size: OCI sizes are int64.
_MAX_SIZE = 2**63 - 1


def _int(value: Any) -> int:
    # bool is an int subclass; a size of `true` is a broken manifest, not 1 byte.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"descriptor size must be an integer, got {value!r}")
    if not 0 <= value <= _MAX_SIZE:
        raise ValueError(f"descriptor size must be between 0 and 2^63-1, got {value}")
    return value


def _descriptor(value: Any, what: str) -> dict[str, Any]:
    """A config or layer descriptor: an object with a well-formed ``digest``."""
    if not isinstance(value, dict):
        raise ValueError(f"every {what} must be an object")
    digest = value.get("digest")
    if not isinstance(digest, str) or DIGEST_RE.fullmatch(digest) is None:
        raise ValueError(
            f"every {what} needs a 'digest' like sha256:<64 hex digits>, got {digest!r}"
        )
    return value


def _schema_version(doc: dict[str, Any], expected: int) -> None:
    version = doc.get("schemaVersion")
    if version is not None and (isinstance(version, bool) or version != expected):
        raise ValueError(f"manifest schemaVersion must be {expected}, got {version!r}")


def inspect_manifest(text: str, media_type: str | None = None) -> ManifestInfo:
    """Read the media type, size and children out of manifest *text*.

    The size is what DescribeImages reports as ``imageSizeInBytes``: config plus layers for
    a single image; ``None`` for a list (the repository computes the largest child's size)
    and for schema 1 (whose manifest carries no sizes). *media_type* stands in for a missing
    top-level ``mediaType``. Raises :class:`ValueError` with a readable message when the
    text is not a manifest ECR would accept.
    """
    doc = _document(text)
    kind = _kind(doc, media_type)
    if kind in MediaType.SCHEMA1:
        _schema_version(doc, 1)
        return ManifestInfo(kind, None, None, ())
    _schema_version(doc, 2)
    if kind in MediaType.LISTS:
        return _list_info(kind, doc)
    if kind in MediaType.SINGLE:
        return _single_info(kind, doc)
    return _other_info(kind, doc)


def _document(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"manifest is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("manifest must be a JSON object")
    return doc


def _kind(doc: dict[str, Any], media_type: str | None) -> str:
    """The manifest's media type: the declared one, the given one, or one read off its shape."""
    declared = doc.get("mediaType")
    if declared is not None and not isinstance(declared, str):
        raise ValueError("manifest field 'mediaType' must be a string")
    if declared and media_type and declared != media_type:
        raise ValueError(
            f"manifest says mediaType {declared!r} but {media_type!r} was given for it"
        )
    kind = declared or media_type
    if kind is not None:
        return kind
    if doc.get("schemaVersion") == 1:
        return MediaType.DOCKER_V1_SIGNED if "signatures" in doc else MediaType.DOCKER_V1
    if "manifests" in doc:
        return MediaType.OCI_INDEX
    raise ValueError("manifest has no top-level 'mediaType' and no media type was given for it")


def _list_info(kind: str, doc: dict[str, Any]) -> ManifestInfo:
    entries = doc.get("manifests")
    if not isinstance(entries, list):
        raise ValueError("a manifest list needs a 'manifests' array")
    children = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
            raise ValueError("every entry of 'manifests' needs a string 'digest'")
        children.append(entry["digest"])
    return ManifestInfo(kind, None, None, tuple(children))


def _single_info(kind: str, doc: dict[str, Any]) -> ManifestInfo:
    config = doc.get("config")
    layers = doc.get("layers", [])
    if not isinstance(config, dict) or not isinstance(layers, list):
        raise ValueError("an image manifest needs a 'config' object and a 'layers' array")
    size = _int(_descriptor(config, "config").get("size", 0))
    for layer in layers:
        size += _int(_descriptor(layer, "entry of 'layers'").get("size", 0))
    artifact = doc.get("artifactType") or config.get("mediaType")
    return ManifestInfo(kind, size, artifact if isinstance(artifact, str) else None, ())


def _other_info(kind: str, doc: dict[str, Any]) -> ManifestInfo:
    # Other types (OCI artifacts with a custom type) are stored as given, like ECR does
    # since its OCI 1.1 support; they report whatever config/layer sizes they carry.
    size = 0
    config = doc.get("config")
    if isinstance(config, dict):
        size += _int(config.get("size", 0))
    layers = doc.get("layers")
    for layer in layers if isinstance(layers, list) else []:
        if isinstance(layer, dict):
            size += _int(layer.get("size", 0))
    return ManifestInfo(kind, size, None, ())
