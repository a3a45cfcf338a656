"""Manifest sources to :class:`~pytest_ecr.model.Image`: text, mappings, files, synthesis.

An image's manifest comes from exactly one place: ``manifest`` (a mapping, written as
JSON), ``manifest_text`` (exact text), ``manifest_file`` (exact bytes, read and hashed
here so a cache can tell when the file changes), a synthetic manifest of ``media_type``,
or a manifest list that ``platforms:`` generates. :class:`ManifestSources` reads it and
builds the model image, recording problems in the source's
:class:`~pytest_ecr.declarations.shapes.Report`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_ecr.declarations.blob_files import BlobFiles
from pytest_ecr.declarations.blobs_format import BLOBS_KEY
from pytest_ecr.declarations.files import MANIFEST_MAX_BYTES, FileRefused, escapes, read_regular
from pytest_ecr.declarations.format import (
    DEFAULT_MEDIA_TYPE,
    LIST_MEDIA_TYPES,
    MANIFEST_HINT,
    PLATFORMS_EXAMPLE,
    UTF8_MANIFEST_HINT,
)
from pytest_ecr.declarations.manifests import NotJson, json_ready, write_json
from pytest_ecr.declarations.platforms import Platform
from pytest_ecr.declarations.problems import Problem, expected_hint, join_path
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.synthetic import (
    CHILD_MEDIA_TYPES,
    SYNTHETIC_MEDIA_TYPES,
    blob_source,
    child_seed,
    synthetic_index,
    synthetic_manifest,
)
from pytest_ecr.declarations.yamlread import INVALID
from pytest_ecr.model import Image, ImageFailure, MediaType
from pytest_ecr.model.blobs import BlobSource
from pytest_ecr.model.names import MANIFEST_MAX_LENGTH


class ManifestSources:
    """Reads the manifests of one source's images and builds them.

    ``manifest_file`` and blob file paths start at *base_dir*; *relative_to* names that
    directory in messages. :attr:`files` and :attr:`file_hashes` list the files read
    (manifests and blobs) and the sha256 (hex) of the bytes read from each, in order.
    """

    __slots__ = ("base_dir", "blob_files", "file_hashes", "files", "relative_to", "report")

    def __init__(self, report: Report, base_dir: Path, relative_to: str) -> None:
        self.report = report
        self.base_dir = base_dir
        self.relative_to = relative_to
        self.files: list[Path] = []
        self.file_hashes: list[str] = []
        self.blob_files = BlobFiles(report, base_dir, relative_to, self.files, self.file_hashes)

    # -- declared manifests ---------------------------------------------------------------

    def text(self, entry: Mapping[Any, Any], kind: str, where: str) -> str | None:
        """The manifest text *entry*'s *kind* (a key of ``MANIFEST_KEYS``) gives."""
        value = entry[kind]
        if value is INVALID:
            return None
        report = self.report
        if kind == "manifest":
            if not isinstance(value, Mapping):
                report.wrong(
                    entry,
                    kind,
                    where,
                    "a mapping",
                    value,
                    "for exact text use manifest_text" if isinstance(value, str) else None,
                )
                return None
            problems = report.problems
            before = len(problems)

            def place(
                container: object, key: object, at: str, message: str, hint: str | None
            ) -> None:
                problems.append(
                    Problem(report.source, report.line(container, key), at, message, hint)
                )

            try:
                try:
                    return write_json(value)
                except NotJson:
                    pass
                ready = json_ready(value, place, where)
                return write_json(ready) if len(problems) == before else None
            except ValueError as exc:  # an int beyond Python's int-to-text digit limit
                report.problem(entry, kind, where, f"cannot write the manifest as JSON: {exc}")
                return None
        if not isinstance(value, str):
            report.wrong(entry, kind, where, "a string", value)
            return None
        if kind == "manifest_text":
            return value
        return self.read_file(entry, where, value)

    def read_file(self, entry: Mapping[Any, Any], where: str, name: str) -> str | None:
        """The text of ``manifest_file`` *name*, recorded in :attr:`files` with its hash."""
        if escapes(name):
            self.report.problem(
                entry,
                "manifest_file",
                where,
                f"manifest_file {name!r} is outside the declaring folder",
                f"give a path relative to {self.relative_to} that stays inside it; copy "
                "or symlink the file there to use one from elsewhere",
            )
            return None
        path = self.base_dir / name
        try:
            data = read_regular(path, MANIFEST_MAX_BYTES)
        except FileRefused as exc:
            self.report.problem(
                entry,
                "manifest_file",
                where,
                f"cannot read manifest file {name}: {exc}",
                f"a manifest file is a regular file of at most 4 MiB (ECR's limit); looked "
                f"for {path}",
            )
            return None
        except FileNotFoundError:
            self.report.problem(
                entry,
                "manifest_file",
                where,
                f"manifest file not found: {name}",
                f"looked for {path}; relative paths start at {self.relative_to}",
            )
            return None
        except OSError as exc:
            self.report.problem(
                entry,
                "manifest_file",
                where,
                f"cannot read manifest file {name}: {exc.strerror or exc}",
                f"looked for {path}",
            )
            return None
        self.files.append(path)
        self.file_hashes.append(hashlib.sha256(data).hexdigest())
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.report.problem(
                entry,
                "manifest_file",
                where,
                f"manifest file {name} is not UTF-8: byte 0x{data[exc.start]:02x} at "
                f"offset {exc.start}",
                UTF8_MANIFEST_HINT,
            )
            return None

    # -- generated manifests --------------------------------------------------------------

    def synthetic(
        self,
        entry: Mapping[Any, Any],
        path: str,
        media_type: Any,
        seed: str,
        repository: str,
        tags: tuple[str, ...],
    ) -> str | None:
        """The synthetic manifest of an image that declares none (by its seed)."""
        if media_type is INVALID:
            return None
        kind = media_type or DEFAULT_MEDIA_TYPE
        try:
            return synthetic_manifest(
                kind, seed, name=repository, tag=tags[0] if tags else "latest"
            )
        except ValueError as exc:
            where = join_path(path, "media_type")
            if kind in MediaType.LISTS:
                self.report.problem(
                    entry,
                    "media_type",
                    where,
                    "a synthetic manifest list needs `platforms:` to say which images it lists",
                    f"{PLATFORMS_EXAMPLE}; or declare the manifest and each image it lists",
                )
            elif kind in MediaType.KNOWN:
                self.report.problem(entry, "media_type", where, str(exc))
            else:
                self.report.problem(
                    entry,
                    "media_type",
                    where,
                    f"unknown media type {kind!r}",
                    expected_hint(kind, SYNTHETIC_MEDIA_TYPES),
                )
            return None

    def generated_list(
        self,
        entry: Mapping[Any, Any],
        path: str,
        media_type: Any,
        seed: str,
        platforms: Any,
        pushed_at: float,
        failure: ImageFailure | None,
    ) -> tuple[Image, tuple[Image, ...]] | None:
        """The list a ``platforms:`` entry generates, and its children (untagged).

        ``None`` when *platforms* or *media_type* is :data:`INVALID` (already reported).
        """
        if platforms is INVALID or media_type is INVALID:
            return None
        list_type = media_type or LIST_MEDIA_TYPES[0]
        if list_type not in LIST_MEDIA_TYPES:
            self.report.problem(
                entry,
                "media_type",
                join_path(path, "media_type"),
                f"media type {list_type!r} is not a manifest list type",
                "with platforms, media_type is the list's; "
                + expected_hint(list_type, LIST_MEDIA_TYPES),
            )
            return None
        text, texts = synthetic_index(list_type, seed, platforms)
        child_type = CHILD_MEDIA_TYPES[list_type]
        children = tuple(
            Image.from_manifest(child, media_type=child_type, pushed_at=pushed_at)
            for child in texts
        )
        image = Image.from_manifest(
            text, media_type=list_type, pushed_at=pushed_at, failure=failure
        )
        return image, children

    # -- blobs ----------------------------------------------------------------------------

    def blob_sources(
        self,
        entry: Mapping[Any, Any],
        path: str,
        kinds: list[str],
        seed: str,
        image: Image,
        children: tuple[Image, ...],
        platforms: Sequence[Platform] | None,
    ) -> tuple[tuple[str, BlobSource], ...]:
        """Where the blobs of *image* (and its generated *children*) come from: generated
        for synthetic images, the ``blobs:`` files for declared manifests, else none."""
        given = BLOBS_KEY in entry
        if given and not kinds:
            self.report.problem(
                entry,
                BLOBS_KEY,
                join_path(path, BLOBS_KEY),
                "blobs is for declared manifests; a synthetic image's blobs are generated",
                "declare the manifest (manifest, manifest_text or manifest_file) whose "
                "blobs these files are, or drop blobs",
            )
            return ()
        if platforms is not None:
            child_type = CHILD_MEDIA_TYPES[image.media_type]
            return tuple(
                (child.digest, blob_source(child_type, child_seed(seed, platform), platform))
                for child, platform in zip(children, platforms, strict=True)
            )
        if not kinds:
            return ((image.digest, blob_source(image.media_type, seed)),)
        if not given:
            return ()
        found = self.blob_files.read(entry, path, image)
        return () if found is None else ((image.digest, found),)

    # -- building -------------------------------------------------------------------------

    def build(
        self,
        entry: Mapping[Any, Any],
        kind: str,
        where: str,
        text: str,
        media_type: Any,
        pushed_at: float,
        failure: ImageFailure | None,
    ) -> Image | None:
        """The model image of manifest *text* from *kind* (``media_type`` if synthetic).

        ``None`` when *media_type* is :data:`INVALID` (already reported) or the manifest
        is not one ECR takes.
        """
        if media_type is INVALID:
            return None
        synthetic = kind == "media_type"
        given = (media_type or DEFAULT_MEDIA_TYPE) if synthetic else media_type
        image: Image | None
        if len(text) > MANIFEST_MAX_LENGTH:
            self.report.problem(
                entry,
                kind,
                where,
                f"manifest of {len(text)} characters is over ECR's limit of {MANIFEST_MAX_LENGTH}",
                "ECR refuses a push of a manifest over 4 MiB",
            )
            return None
        try:
            image = Image.from_manifest(
                text, media_type=given, pushed_at=pushed_at, failure=failure
            )
        except ValueError as exc:
            image, error = None, exc
            if given is None:
                image, error = build_as_default(text, pushed_at, failure, error)
            if image is None:
                self.report.problem(entry, kind, where, f"invalid manifest: {error}", MANIFEST_HINT)
                return None
        if image.media_type not in MediaType.KNOWN and not has_artifact_type(text):
            self.report.problem(
                entry,
                kind,
                where,
                f"unsupported manifest media type {image.media_type!r}",
                expected_hint(image.media_type, sorted(MediaType.KNOWN))
                + "; an OCI artifact with its own type needs an artifactType",
            )
            return None
        return image


def build_as_default(
    text: str, pushed_at: float, failure: ImageFailure | None, error: ValueError
) -> tuple[Image | None, ValueError]:
    """Read a manifest without ``mediaType`` as the default media type.

    The model recognises schema 1 and indexes without one; anything else it cannot
    classify is read as the default type, as the format promises. Returns the image (or
    ``None``) and the error to report if there is none.
    """
    try:
        doc = json.loads(text)
    except ValueError:
        return None, error
    if (
        not isinstance(doc, dict)
        or "mediaType" in doc
        or doc.get("schemaVersion") == 1
        or "manifests" in doc
    ):
        return None, error
    try:
        image = Image.from_manifest(
            text, media_type=DEFAULT_MEDIA_TYPE, pushed_at=pushed_at, failure=failure
        )
    except ValueError as exc:
        return None, exc
    return image, error


def has_artifact_type(text: str) -> bool:
    """Whether manifest *text* is a JSON object with a string ``artifactType``."""
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("artifactType"), str)


__all__ = ["ManifestSources", "build_as_default", "has_artifact_type"]
