"""Choosing which manifest text BatchGetImage returns for ``acceptedMediaTypes``.

ECR translates a single-image manifest requested by tag into a format the client
accepts (ECR User Guide, "Container image manifest formats"; by tag only,
aws/containers-roadmap#1075): Docker schema 2 and OCI into each other, and either of them
into Docker schema 1. The translated text is generated here, deterministically, and
serialised the way Docker writes manifests (3-space indentation). The returned digest
stays the stored image's; the translated bytes hash to something else, as they do on
ECR, where a translated manifest has no digest of its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from typing import Any

from pytest_ecr.model import Image, MediaType

# The gzipped empty tar: what schema 1 lists for an image without layers.
EMPTY_LAYER = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"

_DOCKER_TO_OCI: dict[str, str] = {
    MediaType.DOCKER_V2: MediaType.OCI_MANIFEST,
    MediaType.DOCKER_CONFIG: MediaType.OCI_CONFIG,
    MediaType.DOCKER_LAYER: MediaType.OCI_LAYER,
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": (
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    ),
}
_OCI_TO_DOCKER: dict[str, str] = {oci: docker for docker, oci in _DOCKER_TO_OCI.items()}

# (manifest document, stored media type, repository name, requested tag) -> text or None
Translator = Callable[[dict[str, Any], str, str, str | None], str | None]


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=3)


def _swap_family(doc: dict[str, Any], stored: str, table: dict[str, str]) -> str | None:
    """Rewrite every media type through *table*; ``None`` if one has no counterpart.

    Artifacts (``subject``, ``artifactType``, a config that is not an image config) have
    no Docker form, so they are not translated at all rather than translated halfway.
    """
    if "subject" in doc or "artifactType" in doc:
        return None
    config = doc.get("config")
    layers = doc.get("layers", [])
    if not isinstance(config, dict) or not isinstance(layers, list):
        return None
    out = dict(doc)
    # Set even when the stored manifest left its type to imageManifestMediaType.
    out["mediaType"] = table[stored]
    descriptors = []
    for descriptor in [config, *layers]:
        if not isinstance(descriptor, dict) or descriptor.get("mediaType") not in table:
            return None
        descriptors.append({**descriptor, "mediaType": table[descriptor["mediaType"]]})
    out["config"], out["layers"] = descriptors[0], descriptors[1:]
    return _dump(out)


def _to_other_family(
    doc: dict[str, Any], stored: str, repository: str, tag: str | None
) -> str | None:
    del repository, tag
    table = _DOCKER_TO_OCI if stored == MediaType.DOCKER_V2 else _OCI_TO_DOCKER
    return _swap_family(doc, stored, table)


def _to_schema1(doc: dict[str, Any], stored: str, repository: str, tag: str | None) -> str | None:
    """A Docker schema 1 manifest for a schema 2 or OCI image.

    Real conversion reads the image config blob (architecture, history, run config);
    the fake stores no blobs, so it writes ``amd64``/``linux`` and one minimal history
    entry per layer. The v1 ids chain each layer digest onto its parent's id, so the same
    image always gives the same bytes.
    """
    del stored
    if "subject" in doc or "artifactType" in doc:
        return None
    layers = doc.get("layers", [])
    if not isinstance(layers, list):
        return None
    blobs: list[str] = []
    for layer in layers:
        digest = layer.get("digest") if isinstance(layer, dict) else None
        if not isinstance(digest, str):
            return None
        blobs.append(digest)
    blobs = blobs or [EMPTY_LAYER]
    parent = ""
    # Schema 1 lists layers top-most first; ids chain from the base layer up.
    entries: list[dict[str, Any]] = []
    for blob in blobs:
        layer_id = hashlib.sha256(f"{parent} {blob}".encode()).hexdigest()
        entry: dict[str, Any] = {"id": layer_id}
        if parent:
            entry["parent"] = parent
        entry["created"] = "1970-01-01T00:00:00Z"
        entry["container_config"] = {"Cmd": [""]}
        entries.append(entry)
        parent = layer_id
    entries[-1] = {**entries[-1], "architecture": "amd64", "os": "linux", "config": {}}
    history = [
        {"v1Compatibility": json.dumps(entry, separators=(",", ":"))} for entry in reversed(entries)
    ]
    manifest = {
        "schemaVersion": 1,
        "name": repository,
        "tag": tag or "latest",
        "architecture": "amd64",
        "fsLayers": [{"blobSum": blob} for blob in reversed(blobs)],
        "history": history,
    }
    return _dump(manifest)


def _translator(stored: str, wanted: str) -> Translator | None:
    if stored not in MediaType.SINGLE:
        return None
    if wanted in MediaType.SINGLE and wanted != stored:
        return _to_other_family
    # Only the unsigned form: the fake has no key to sign a prettyjws manifest with.
    if wanted == MediaType.DOCKER_V1:
        return _to_schema1
    return None


def negotiate(
    image: Image,
    accepted: Collection[str] | None,
    *,
    by_digest: bool,
    repository: str = "",
    tag: str | None = None,
) -> tuple[str, str]:
    """``(manifest, media type)`` to return for *image*.

    The stored manifest comes back when ``acceptedMediaTypes`` is omitted or includes the
    stored type, for every request by digest (ECR never translates those), for manifest
    lists and schema 1, and when no accepted type has a translation. Otherwise the first
    accepted type, in request order, that the stored type translates to wins. Pass
    *accepted* in request order (a sequence); *repository* and *tag* name the schema 1
    translation.
    """
    stored = (image.manifest, image.media_type)
    if accepted is None or by_digest or image.media_type in accepted:
        return stored
    doc: Any = None
    for wanted in accepted:
        translate = _translator(image.media_type, wanted)
        if translate is None:
            continue
        if doc is None:
            try:
                doc = json.loads(image.manifest)
            except ValueError:
                doc = False
        if not isinstance(doc, dict):
            # An Image built by hand around text that is no manifest: nothing to translate.
            return stored
        translated = translate(doc, image.media_type, repository, tag)
        if translated is not None:
            return translated, wanted
    return stored
