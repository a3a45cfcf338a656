"""Parsed declaration files kept on disk between runs, keyed by their content.

A later run (a new process) loads a file it has seen before without reading its YAML:
the validated :class:`~pytest_ecr.declarations.Declaration` is stored as plain JSON, with
what the model derives from each manifest (digest, media type, size, artifact type,
children), and rebuilt from it without parsing a single manifest.

An entry is one file, ``<path tag>-<key>.json``:

* *key* is the sha256 of this module's format number, the package, Python and PyYAML
  versions, and the declaration file's bytes; the entry also lists each ``manifest_file``
  the declaration read (relative to the declaring file's directory) with the sha256 of
  its bytes, and is used only if every one of them still has those bytes. Any change to
  the file or to a manifest file it reads therefore misses, and the file is parsed again.
* *path tag* comes from the declaration file's resolved path: writing a new entry for a
  path removes that path's older entries, so the directory holds one entry per file. An
  entry of the same content stored for another path serves too (a moved or copied file);
  the declaration's ``source`` is always the path it is loaded from.
* The first line is a small JSON header (format, key, manifest files, and a CRC-32 of
  the rest); the rest is the declaration (JSON), then the text of its manifests. An
  entry that cannot be read, does not match its checksum or does not decode is ignored
  (and replaced once the file is parsed); storing never raises either: a cache that
  cannot be written is only slower.

Only successful parses are stored: a declaration with problems is parsed, and its
problems reported, on every run. Values are only ever decoded from JSON (no pickle), and
entries are written to a temporary file first, then renamed into place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import itertools
import json
import math
import mmap
import os
import sys
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import yaml

from pytest_ecr._version import __version__
from pytest_ecr.declarations.loading import Parsed
from pytest_ecr.declarations.specs import (
    Declaration,
    FaultEntry,
    ImageSpec,
    RepositorySpec,
    fault_origin,
)
from pytest_ecr.faults import parse_fault
from pytest_ecr.model import Image, ImageFailure, TagMutability

#: Bump when the stored layout (or anything the parse depends on) changes.
FORMAT: Final = 1

_SALT: Final = (
    f"pytest-ecr declarations format {FORMAT}; pytest-ecr {__version__}; "
    f"{sys.implementation.cache_tag} {sys.version}; PyYAML {yaml.__version__}\0"
).encode()


def content_key(data: bytes) -> str:
    """The key of a declaration file whose bytes are *data* (manifest files aside)."""
    digest = hashlib.sha256(_SALT)
    digest.update(data)
    return digest.hexdigest()


def file_key(path: Path) -> str | None:
    """``content_key`` of the file *path*'s bytes, read in chunks (``None``: unreadable).

    A later run needs only the key of a file it has stored, not its bytes: reading them
    through one small buffer spares a fresh process the cost of a file-sized allocation.
    """
    digest = hashlib.sha256(_SALT)
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    try:
        with path.open("rb", buffering=0) as stream:
            while True:
                count = stream.readinto(buffer)
                if not count:
                    break
                digest.update(view[:count])
    except OSError:
        return None
    return digest.hexdigest()


def _path_tag(resolved: Path) -> str:
    return hashlib.sha256(os.fsencode(resolved)).hexdigest()[:16]


class DeclarationStore:
    """Parsed declaration files in *directory* (created when first written to)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _entry(self, resolved: Path, key: str) -> Path:
        return self.directory / f"{_path_tag(resolved)}-{key}.json"

    # -- reading -----------------------------------------------------------------------

    def load(self, path: Path, resolved: Path, key: str) -> Parsed | None:
        """The stored parse of the file *path* (resolved: *resolved*) whose bytes have
        the :func:`content_key` *key*.

        ``None`` when there is none, or it is stale or unreadable.
        """
        if not COMPATIBLE:
            return None
        collecting = gc.isenabled()
        # Decoding makes tens of thousands of objects that all live on: collecting
        # while they are made would only cost time.
        gc.disable()
        try:
            entry = self._entry(resolved, key)
            if not entry.exists():
                # The same content stored for another path (a moved or copied file) does.
                entry = next(self.directory.glob(f"*-{key}.json"), entry)
            # Mapped, not read: a new process then decodes each manifest straight from
            # the page cache instead of first copying the whole entry into fresh memory.
            with (
                entry.open("rb") as stream,
                mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
            ):
                return _decode_entry(mapped, key, path)
        except Exception:  # any damage to an entry (or none at all) only means a miss
            return None
        finally:
            if collecting:
                gc.enable()

    # -- writing -----------------------------------------------------------------------

    def save(self, resolved: Path, path: Path, data: bytes, parsed: Parsed) -> bool:
        """Store *parsed*, the successful parse of *data* read from *path*.

        Returns whether it was stored: failures are not, nor declarations holding values
        that JSON cannot give back unchanged (in ``faults:`` entries), nor anything when
        the directory cannot be written.
        """
        declaration = parsed.declaration
        if declaration is None or parsed.problems or not COMPATIBLE:
            return False
        if len(parsed.files) != len(parsed.file_hashes):
            return False  # not a parse of ours: the manifest files cannot be checked
        files: dict[tuple[str, str], None] = {}
        for file, digest in zip(parsed.files, parsed.file_hashes, strict=True):
            try:
                name = str(file.relative_to(path.parent))
            except ValueError:
                name = str(file)
            files[name, digest] = None
        try:
            body, manifests = _encode_declaration(declaration)
            payload = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), check_circular=False
            ).encode("utf-8")
            rest = payload + b"".join(manifests)
        except (_NotPlain, ValueError):  # ValueError: a lone surrogate, a giant integer
            return False
        key = content_key(data)
        header = {
            "format": FORMAT,
            "key": key,
            "files": [list(pair) for pair in files],
            "body": len(payload),
            "crc32": zlib.crc32(rest),
        }
        blob = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"
        target = self._entry(resolved, key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, blob + rest)
        except OSError:
            return False
        self._prune(resolved, keep=target)
        return True

    def _prune(self, resolved: Path, keep: Path) -> None:
        """Remove the older entries of the same declaration file."""
        try:
            stale = [p for p in self.directory.glob(f"{_path_tag(resolved)}-*.json") if p != keep]
        except OSError:
            return
        for entry in stale:
            with contextlib.suppress(OSError):
                entry.unlink()


def _write_atomically(target: Path, content: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# -- the stored layout ---------------------------------------------------------------------
#
# An entry is three parts: a header line (JSON), the body (JSON, ``header["body"]`` bytes)
# and the text of every manifest, one after the other (UTF-8; "length" gives the bytes of
# each), in the order of the body's images. ``header["crc32"]`` covers the body and the
# manifests. The body is column-wise, so that decoding makes few containers:
#
# {"account", "region",
#  "repositories": [[name, account, region, tag_mutability, line, path, image spec count]],
#  "faults": [[spec mapping, line, path]],
#  "images": {"digest": [...], "length": [bytes of the manifest], "media": [index in
#             "media_types"], "artifact": [index in "media_types" or null], "pushed_at":
#             [...] (integers when "whole_seconds"), "size": [...], sparse by image position:
#             "children": {i: [digest]}, "failure": {i: [code, reason]}},
#  "media_types": [...],
#  "specs": {"image": [image position], "tags": ["tag tag ..."], "line": [...], "path": [...],
#            sparse by spec position: "children": {i: [image position]}}}
#
# Tags cannot hold spaces, so each spec's tags are one space-separated string.


class _NotPlain(Exception):
    """A value JSON would not give back as it is."""


def _plain(value: Any, depth: int = 0) -> Any:
    """*value* if JSON gives it back equal and of the same types; else :class:`_NotPlain`."""
    if depth > 100:
        raise _NotPlain
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _NotPlain
        return value
    if isinstance(value, list):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, Mapping) and type(value) in (dict, MappingProxyType):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotPlain
            out[key] = _plain(item, depth + 1)
        return out
    raise _NotPlain


def _image_columns(images: list[Image], lengths: list[int]) -> tuple[dict[str, Any], list[str]]:
    """The image columns of the body, and the media type table they index."""
    types: dict[str, int] = {}
    media = [types.setdefault(image.media_type, len(types)) for image in images]
    artifact = [
        None if a is None else types.setdefault(a, len(types))
        for a in (image.artifact_media_type for image in images)
    ]
    pushed_at = [image.pushed_at for image in images]
    # Whole seconds (the default times, and most declared ones) read back faster as
    # integers; JSON gives any other float back exactly.
    whole = all(type(t) is float and t.is_integer() for t in pushed_at)
    columns = {
        "digest": [image.digest for image in images],
        "length": lengths,
        "media": media,
        "artifact": artifact,
        "pushed_at": [int(t) for t in pushed_at] if whole else pushed_at,
        "whole_seconds": whole,
        "size": [image.size_bytes for image in images],
        "children": {
            str(i): list(image.children) for i, image in enumerate(images) if image.children
        },
        "failure": {
            str(i): [image.failure.code, image.failure.reason]
            for i, image in enumerate(images)
            if image.failure is not None
        },
    }
    return columns, list(types)


def _encode_declaration(declaration: Declaration) -> tuple[dict[str, Any], list[bytes]]:
    images: list[Image] = []
    positions: list[int] = []
    spec_children: dict[str, list[int]] = {}
    image_specs = [image_spec for spec in declaration.repositories for image_spec in spec.images]
    for index, image_spec in enumerate(image_specs):
        if image_spec.children:
            start = len(images)
            images.extend(image_spec.children)
            spec_children[str(index)] = list(range(start, len(images)))
        positions.append(len(images))
        images.append(image_spec.image)
    if any(" " in tag for image_spec in image_specs for tag in image_spec.tags):
        raise _NotPlain  # tags are stored space-separated (and the format allows no spaces)
    tags = [" ".join(image_spec.tags) for image_spec in image_specs]
    manifests = [image.manifest.encode("utf-8") for image in images]
    columns, media_types = _image_columns(images, [len(text) for text in manifests])
    body = {
        "account": declaration.account,
        "region": declaration.region,
        "repositories": [
            [
                spec.name,
                spec.account,
                spec.region,
                spec.tag_mutability.value,
                spec.line,
                spec.path,
                len(spec.images),
            ]
            for spec in declaration.repositories
        ],
        "faults": [[_plain(fault.spec), fault.line, fault.path] for fault in declaration.faults],
        "images": columns,
        "media_types": media_types,
        "specs": {
            "image": positions,
            "tags": tags,
            "line": [image_spec.line for image_spec in image_specs],
            "path": [image_spec.path for image_spec in image_specs],
            "children": spec_children,
        },
    }
    return body, manifests


_IMAGE_FIELDS: Final = (
    "digest",
    "manifest",
    "media_type",
    "pushed_at",
    "size_bytes",
    "artifact_media_type",
    "children",
    "failure",
)


def _slot_setters(cls: type[Any], names: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The slot descriptors' setters of a slotted dataclass whose fields are exactly
    *names* and whose ``__init__`` only assigns them; ``None`` if it is not that class."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return None
    if tuple(field.name for field in dataclasses.fields(cls)) != names:
        return None
    if tuple(getattr(cls, "__slots__", ())) != names:
        return None
    return tuple(cls.__dict__[name].__set__ for name in names)


#: ``None`` (so images are made by ``Image(...)``) if Image is no longer what this expects.
_IMAGE_SETTERS = _slot_setters(Image, _IMAGE_FIELDS)


def _fields(cls: type[Any]) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


#: Whether the classes stored are still the ones this layout was written for: a field
#: added to any of them would be lost on the way through the cache, so until the layout
#: (and FORMAT) follow, nothing is stored or loaded.
COMPATIBLE: Final = (
    _fields(Image) == _IMAGE_FIELDS
    and _fields(ImageFailure) == ("code", "reason")
    and _fields(ImageSpec) == ("image", "tags", "line", "path", "children")
    and _fields(RepositorySpec)
    == ("name", "account", "region", "tag_mutability", "images", "line", "path")
    and _fields(FaultEntry) == ("spec", "source", "line", "path", "fault")
    and _fields(Declaration) == ("source", "account", "region", "repositories", "faults")
)


def _decode_images(
    columns: dict[str, Any], media_types: list[str], blob: memoryview
) -> list[Image]:
    offsets = [0, *itertools.accumulate(columns["length"])]
    if offsets[-1] != len(blob):
        raise ValueError("the manifests do not add up")
    children = {int(i): tuple(value) for i, value in columns["children"].items()}
    failures = {int(i): ImageFailure(*value) for i, value in columns["failure"].items()}
    types: list[str | None] = [*media_types, None]  # [-1]: an artifact index of null
    media = [types[i] for i in columns["media"]]
    artifacts = [types[-1 if i is None else i] for i in columns["artifact"]]
    pushed = columns["pushed_at"]
    if columns["whole_seconds"]:
        pushed = list(map(float, pushed))
    rows = zip(
        columns["digest"],
        offsets[:-1],
        offsets[1:],
        media,
        pushed,
        columns["size"],
        artifacts,
        strict=True,
    )
    setters = _IMAGE_SETTERS
    if setters is not None:
        # What Image(...) does, at twice its speed: its frozen __init__ sets each field
        # through object.__setattr__; here each slot is set through its descriptor.
        set_digest, set_manifest, set_media, set_pushed, set_size, set_artifact = setters[:6]
        set_children, set_failure = setters[6:]
        new = object.__new__
        images = []
        for position, (digest, start, end, media_type, pushed_at, size, artifact) in enumerate(
            rows
        ):
            image = new(Image)
            set_digest(image, digest)
            set_manifest(image, str(blob[start:end], "utf-8"))
            set_media(image, media_type)
            set_pushed(image, pushed_at)
            set_size(image, size)
            set_artifact(image, artifact)
            set_children(image, children.get(position, ()))
            set_failure(image, failures.get(position))
            images.append(image)
        return images
    return [
        Image(
            digest,
            str(blob[start:end], "utf-8"),
            media_type,
            pushed_at,
            size,
            artifact,
            children.get(position, ()),
            failures.get(position),
        )
        for position, (digest, start, end, media_type, pushed_at, size, artifact) in enumerate(rows)
    ]


def _decode_entry(raw: mmap.mmap, key: str, path: Path) -> Parsed | None:
    newline = raw.find(b"\n")
    if newline < 0:
        return None
    header = json.loads(raw[:newline])
    if header["format"] != FORMAT or header["key"] != key:
        return None
    base = path.parent
    files = []
    hashes = []
    for name, digest in header["files"]:
        file = base / name
        try:
            content = file.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(content).hexdigest() != digest:
            return None
        files.append(file)
        hashes.append(digest)
    split = newline + 1 + header["body"]
    with memoryview(raw) as view, view[newline + 1 :] as rest, view[split:] as blob:
        # (Every view of the mapping is released before it is closed.)
        if zlib.crc32(rest) != header["crc32"]:
            return None
        body = json.loads(raw[newline + 1 : split])
        images = _decode_images(body["images"], body["media_types"], blob)
    specs = body["specs"]
    spec_children = {
        int(i): tuple(images[position] for position in value)
        for i, value in specs["children"].items()
    }
    image_specs = [
        ImageSpec(
            images[position],
            () if not tags else (tags,) if " " not in tags else tuple(tags.split(" ")),
            line,
            spec_path,
            spec_children.get(index, ()),
        )
        for index, (position, tags, line, spec_path) in enumerate(
            zip(specs["image"], specs["tags"], specs["line"], specs["path"], strict=True)
        )
    ]
    source = str(path)
    mutabilities = {m.value: m for m in TagMutability}
    repositories = []
    start = 0
    for name, account, region, mutability, line, repo_path, count in body["repositories"]:
        repositories.append(
            RepositorySpec(
                name,
                account,
                region,
                mutabilities[mutability],
                tuple(image_specs[start : start + count]),
                line,
                repo_path,
            )
        )
        start += count
    if start != len(image_specs):
        raise ValueError("the image specs do not add up")
    declaration = Declaration(
        source,
        body["account"],
        body["region"],
        tuple(repositories),
        tuple(
            # Only valid faults were stored: parsing again cannot fail, and keeps the
            # FaultSpec out of the stored layout.
            FaultEntry(
                MappingProxyType(spec),
                source,
                fault_line,
                fault_path,
                parse_fault(spec, fault_origin(source, fault_line, fault_path)),
            )
            for spec, fault_line, fault_path in body["faults"]
        ),
    )
    return Parsed(declaration, (), tuple(files), tuple(hashes))
