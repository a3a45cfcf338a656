"""Synthetic manifests for images declared without one.

Every number and digest comes from sha256 of the seed and a label, never from ``random``
or ``hash()``, so a declaration gives the same manifests, and so the same digests, on every
machine, run and Python version. The config and layers a synthetic manifest names are real
blobs (:mod:`~pytest_ecr.declarations.synthetic_layers`): their digests and sizes are those
of bytes :class:`~pytest_ecr.declarations.synthetic_layers.SyntheticBlobs` builds again
whenever they are fetched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pytest_ecr.declarations.manifests import serialize_manifest
from pytest_ecr.declarations.platforms import Platform
from pytest_ecr.declarations.synthetic_layers import (
    DEFAULT_PLATFORM,
    SyntheticBlobs,
    build_layers,
    image_config,
    split_platform,
)
from pytest_ecr.model import MediaType

#: Media types :func:`synthetic_manifest` can make.
SYNTHETIC_MEDIA_TYPES: tuple[str, ...] = (
    MediaType.DOCKER_V2,
    MediaType.OCI_MANIFEST,
    MediaType.DOCKER_V1,
)

_CREATED = "2024-01-01T00:00:00Z"


class _Derived:
    """Deterministic values drawn from a seed, one independent draw per label."""

    __slots__ = ("_seed",)

    def __init__(self, seed: str) -> None:
        self._seed = seed.encode("utf-8") + b"\x00"

    def hex(self, label: str) -> str:
        return hashlib.sha256(self._seed + label.encode("utf-8")).hexdigest()


def _descriptor_text(docker: bool, kind: str, size: int, digest: str, indent: str) -> str:
    """One descriptor as :func:`serialize_manifest` lays it out, at *indent*: Docker writes
    mediaType, size, digest; OCI tools (buildkit) mediaType, digest, size."""
    inner = indent + "   "
    middle = (
        f'"size": {size},\n{inner}"digest": "{digest}"'
        if docker
        else f'"digest": "{digest}",\n{inner}"size": {size}'
    )
    return f'{{\n{inner}"mediaType": "{kind}",\n{inner}{middle}\n{indent}}}'


def _image_manifest(seed: str, media_type: str, platform: str) -> str:
    """The text of a synthetic image manifest: ``serialize_manifest`` of its mapping,
    written by a template (every value is ASCII that JSON writes as it is; the tests
    compare the two)."""
    docker = media_type == MediaType.DOCKER_V2
    config_type = MediaType.DOCKER_CONFIG if docker else MediaType.OCI_CONFIG
    layer_type = MediaType.DOCKER_LAYER if docker else MediaType.OCI_LAYER
    layers = build_layers(seed, platform)
    config = image_config(layers, *split_platform(platform))
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    entries = ",\n      ".join(
        _descriptor_text(docker, layer_type, len(layer.blob), layer.digest, "      ")
        for layer in layers
    )
    return (
        f'{{\n   "schemaVersion": 2,\n   "mediaType": "{media_type}",\n   "config": '
        f"{_descriptor_text(docker, config_type, len(config), config_digest, '   ')},\n"
        f'   "layers": [\n      {entries}\n   ]\n}}'
    )


def _schema1_manifest(seed: str, name: str, tag: str) -> dict[str, Any]:
    draw = _Derived(seed)
    layers = build_layers(seed, DEFAULT_PLATFORM)
    count = len(layers)
    # Schema 1 lists layers top first; each history entry is a v1 image JSON string.
    ids = [draw.hex(f"v1/{i}") for i in range(count)]
    history = []
    for position in range(count):
        layer = count - 1 - position
        entry: dict[str, Any] = {"id": ids[layer], "created": _CREATED}
        if layer > 0:
            entry["parent"] = ids[layer - 1]
        if position == 0:
            entry = {
                "architecture": "amd64",
                "config": {
                    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                    "Cmd": ["/bin/sh"],
                },
                **entry,
                "os": "linux",
            }
        else:
            entry["container_config"] = {"Cmd": [layers[layer].created_by]}
        history.append({"v1Compatibility": json.dumps(entry, separators=(",", ":"))})
    return {
        "schemaVersion": 1,
        "name": name,
        "tag": tag,
        "architecture": "amd64",
        "fsLayers": [{"blobSum": layers[count - 1 - position].digest} for position in range(count)],
        "history": history,
    }


def synthetic_manifest(
    media_type: str,
    seed: str,
    *,
    name: str = "synthetic",
    tag: str = "latest",
    platform: Platform | None = None,
) -> str:
    """A realistic manifest of *media_type*, fully determined by *seed* (and *platform*).

    Docker v2 and OCI image manifests name a config and two to four gzip layers, real
    blobs a few KiB each (:func:`synthetic_blobs` gives their bytes): the config is an
    image config for *platform* (default ``linux/amd64``) whose ``rootfs.diff_ids`` are
    the layers' uncompressed digests, and the first layers are shared with other
    synthetic images, as base layers are. Schema 1 gets ``fsLayers`` (the same kind of
    layers) and ``history`` entries for the repository *name* and *tag*. The text is laid
    out by :func:`serialize_manifest`. Raises :class:`ValueError` for manifest lists and
    other types it cannot make.
    """
    where = str(platform) if platform is not None else DEFAULT_PLATFORM
    if media_type in (MediaType.DOCKER_V2, MediaType.OCI_MANIFEST):
        return _image_manifest(seed, media_type, where)
    if media_type == MediaType.DOCKER_V1:
        if platform is not None and where != DEFAULT_PLATFORM:
            raise ValueError("a synthetic schema 1 manifest is for linux/amd64 only")
        return serialize_manifest(_schema1_manifest(seed, name, tag))
    if media_type in MediaType.LISTS:
        raise ValueError(
            f"a synthetic manifest list ({media_type}) needs platforms: "
            "use synthetic_index(), or declare the manifest"
        )
    if media_type == MediaType.DOCKER_V1_SIGNED:
        raise ValueError(
            "a synthetic signed schema 1 manifest is not supported: declare the manifest, "
            f"or use {MediaType.DOCKER_V1}"
        )
    raise ValueError(
        f"cannot make a synthetic manifest of media type {media_type!r} "
        f"(expected one of: {', '.join(SYNTHETIC_MEDIA_TYPES)})"
    )


def blob_source(media_type: str, seed: str, platform: Platform | None = None) -> SyntheticBlobs:
    """Where the blobs of ``synthetic_manifest(media_type, seed, platform=platform)`` come
    from (one small object; the bytes are built when asked for)."""
    where = str(platform) if platform is not None else DEFAULT_PLATFORM
    return SyntheticBlobs(seed, where, with_config=media_type != MediaType.DOCKER_V1)


def synthetic_blobs(
    media_type: str, seed: str, *, platform: Platform | None = None
) -> dict[str, bytes]:
    """The blobs ``synthetic_manifest(media_type, seed, platform=platform)`` names, by
    digest: the config (none for schema 1), then the layers, base first."""
    return dict(blob_source(media_type, seed, platform).blobs())


#: The single-image type of the children of each list type.
CHILD_MEDIA_TYPES: dict[str, str] = {
    MediaType.DOCKER_LIST: MediaType.DOCKER_V2,
    MediaType.OCI_INDEX: MediaType.OCI_MANIFEST,
}


def child_seed(seed: str, platform: Platform) -> str:
    """The seed of the child image for *platform* of the list seeded by *seed*."""
    return f"{seed}/{platform}"


def synthetic_index(
    media_type: str, seed: str, platforms: Sequence[Platform]
) -> tuple[str, tuple[str, ...]]:
    """A manifest list of *media_type* over one synthetic image per platform.

    Returns the list's text and its children's texts, in the order of *platforms*. A
    Docker manifest list gets Docker v2 children and an OCI index OCI image manifests;
    child ``i`` is ``synthetic_manifest(child type, child_seed(seed, platforms[i]),
    platform=platforms[i])``, so its config (for that platform), layers and sizes, and so
    its digest, differ per platform. Each
    entry of ``manifests`` is ``{mediaType, size, digest, platform}`` (OCI: ``mediaType,
    digest, size, platform``) with ``size`` the byte length of the child's text and
    ``platform`` ``{architecture, os[, variant]}``. Raises :class:`ValueError` for a type
    that is not a list type or an empty or repeated platform list.
    """
    child_type = CHILD_MEDIA_TYPES.get(media_type)
    if child_type is None:
        raise ValueError(
            f"{media_type!r} is not a manifest list type "
            f"(expected one of: {', '.join(CHILD_MEDIA_TYPES)})"
        )
    if not platforms:
        raise ValueError("a manifest list needs at least one platform")
    if len(set(platforms)) != len(platforms):
        raise ValueError("each platform may appear once in a manifest list")
    children = tuple(_image_manifest(child_seed(seed, p), child_type, str(p)) for p in platforms)
    docker = media_type == MediaType.DOCKER_LIST
    entries = []
    for platform, text in zip(platforms, children, strict=True):
        size = len(text.encode("utf-8"))
        digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        if docker:
            entry: dict[str, Any] = {"mediaType": child_type, "size": size, "digest": digest}
        else:
            entry = {"mediaType": child_type, "digest": digest, "size": size}
        entry["platform"] = platform.descriptor()
        entries.append(entry)
    document = {"schemaVersion": 2, "mediaType": media_type, "manifests": entries}
    return serialize_manifest(document), children
