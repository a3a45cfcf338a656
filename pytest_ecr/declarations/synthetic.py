"""Synthetic manifests for images declared without one.

Every number and digest comes from sha256 of the seed and a label, never from ``random``
or ``hash()``, so a declaration gives the same manifests, and so the same digests, on every
machine, run and Python version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pytest_ecr.declarations.manifests import serialize_manifest
from pytest_ecr.declarations.platforms import Platform
from pytest_ecr.model import MediaType

#: Media types :func:`synthetic_manifest` can make.
SYNTHETIC_MEDIA_TYPES: tuple[str, ...] = (
    MediaType.DOCKER_V2,
    MediaType.OCI_MANIFEST,
    MediaType.DOCKER_V1,
)

_KIB = 1024
_MIB = 1024 * 1024
_CREATED = "2024-01-01T00:00:00Z"


class _Derived:
    """Deterministic values drawn from a seed, one independent draw per label."""

    __slots__ = ("_seed",)

    def __init__(self, seed: str) -> None:
        self._seed = seed.encode("utf-8") + b"\x00"

    def _hash(self, label: str) -> bytes:
        return hashlib.sha256(self._seed + label.encode("utf-8")).digest()

    def hex(self, label: str) -> str:
        return self._hash(label).hex()

    def digest(self, label: str) -> str:
        return "sha256:" + self.hex(label)

    def number(self, label: str, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        return low + int.from_bytes(self._hash(label)[:8], "big") % (high - low + 1)


def _layer_sizes(draw: _Derived) -> list[int]:
    count = draw.number("layers", 2, 4)
    # A base layer of a few MB, then smaller application layers, as real images go.
    sizes = [draw.number("layer/0/size", 2 * _MIB, 50 * _MIB)]
    sizes.extend(draw.number(f"layer/{i}/size", _KIB, 20 * _MIB) for i in range(1, count))
    return sizes


def _image_manifest(draw: _Derived, media_type: str) -> dict[str, Any]:
    docker = media_type == MediaType.DOCKER_V2
    config_type = MediaType.DOCKER_CONFIG if docker else MediaType.OCI_CONFIG
    layer_type = MediaType.DOCKER_LAYER if docker else MediaType.OCI_LAYER

    def descriptor(kind: str, size: int, digest: str) -> dict[str, Any]:
        # Docker writes mediaType, size, digest; OCI tools (buildkit) mediaType, digest, size.
        if docker:
            return {"mediaType": kind, "size": size, "digest": digest}
        return {"mediaType": kind, "digest": digest, "size": size}

    config = descriptor(
        config_type, draw.number("config/size", 1_000, 16_000), draw.digest("config")
    )
    layers = [
        descriptor(layer_type, size, draw.digest(f"layer/{i}"))
        for i, size in enumerate(_layer_sizes(draw))
    ]
    return {"schemaVersion": 2, "mediaType": media_type, "config": config, "layers": layers}


def _schema1_manifest(draw: _Derived, name: str, tag: str) -> dict[str, Any]:
    count = len(_layer_sizes(draw))
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
            entry["container_config"] = {
                "Cmd": [f"/bin/sh -c #(nop) ADD file:{draw.hex(f'file/{layer}')} in / "]
            }
        history.append({"v1Compatibility": json.dumps(entry, separators=(",", ":"))})
    return {
        "schemaVersion": 1,
        "name": name,
        "tag": tag,
        "architecture": "amd64",
        "fsLayers": [
            {"blobSum": draw.digest(f"layer/{count - 1 - position}")} for position in range(count)
        ],
        "history": history,
    }


def synthetic_manifest(
    media_type: str, seed: str, *, name: str = "synthetic", tag: str = "latest"
) -> str:
    """A realistic manifest of *media_type*, fully determined by *seed*.

    Docker v2 and OCI image manifests get a config and two to four gzip layers (a base
    layer of 2 to 50 MiB, others of 1 KiB to 20 MiB) with sha256 digests; schema 1 gets
    ``fsLayers`` and ``history`` entries for the repository *name* and *tag*. The text is
    laid out by :func:`serialize_manifest`. Raises :class:`ValueError` for manifest lists
    and other types it cannot make.
    """
    draw = _Derived(seed)
    if media_type in (MediaType.DOCKER_V2, MediaType.OCI_MANIFEST):
        return serialize_manifest(_image_manifest(draw, media_type))
    if media_type == MediaType.DOCKER_V1:
        return serialize_manifest(_schema1_manifest(draw, name, tag))
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
    child ``i`` is ``synthetic_manifest(child type, child_seed(seed, platforms[i]))``, so
    its config digest, layers and sizes, and so its digest, differ per platform. Each
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
    children = tuple(
        serialize_manifest(_image_manifest(_Derived(child_seed(seed, p)), child_type))
        for p in platforms
    )
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
