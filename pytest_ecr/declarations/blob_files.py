"""``blobs:`` of a declared image: the files holding its config and layer bytes.

An image declared with a manifest (``manifest``, ``manifest_text``, ``manifest_file``) may
say where the blobs that manifest names are::

    blobs:
      folder: oci-layout        # blobs/sha256/<hex> (an OCI layout), sha256/<hex> or <hex>
      files:                    # or one file per digest (these win over the folder)
        sha256:4f5e...: layers/app.tar.gz

Every path is relative to the declaring folder and stays inside it. At load, each blob the
manifest names (but foreign, non-distributable layers) must be found, be a regular file,
have the size the manifest states and hash to its digest: the file is read once, in
chunks, to check that (the cost of a load grows with the bytes declared, about a second
per GB). The bytes are read again, in chunks, only when a client fetches the blob
(:class:`FileContent`), after checking that the file's size and modification time are
still those seen at load.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pytest_ecr.declarations.blobs_format import BLOBS_KEY, BLOBS_KEYS, FOLDER_LAYOUTS
from pytest_ecr.declarations.files import FileRefused, escapes, hash_regular, read_range
from pytest_ecr.declarations.problems import describe, join_path
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.yamlread import INVALID
from pytest_ecr.model import Image, MediaType
from pytest_ecr.model.blobs import (
    FOREIGN_LAYER_TYPES,
    BlobContent,
    BlobDescriptor,
    manifest_blobs,
)
from pytest_ecr.model.names import SHA256_DIGEST_RE

BLOBS_HINT: Final = (
    "write `blobs: {folder: <dir>}` (files named blobs/sha256/<hex>, sha256/<hex> or <hex>) "
    "and/or `blobs: {files: {sha256:<hex>: <file>}}`"
)


@dataclass(frozen=True, slots=True)
class FileContent:
    """The bytes of one declared blob file, read in chunks when served.

    ``stamp`` is the file's ``(size, mtime_ns)`` when it was checked at load; a file that
    changed since raises :class:`~pytest_ecr.declarations.files.FileChanged` instead of
    serving other bytes under the declared digest.
    """

    path: str
    stamp: tuple[int, int]

    @property
    def size(self) -> int:
        return self.stamp[0]

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        stop = self.size if end is None else min(end, self.size)
        if start >= stop:
            return iter(())
        return read_range(Path(self.path), start, stop, self.stamp)


@dataclass(frozen=True, slots=True)
class FileBlobs:
    """The declared blob files of one image, by digest."""

    files: tuple[tuple[str, FileContent], ...]

    def content(self, digest: str) -> BlobContent | None:
        for found, content in self.files:
            if found == digest:
                return content
        return None


class BlobFiles:
    """Reads and checks the ``blobs:`` of one source's images.

    *base_dir* is the declaring folder (*relative_to* names it in messages); every file
    checked is appended to *files* with its sha256 in *hashes*, so caches watch it.
    """

    __slots__ = ("base_dir", "files", "hashes", "relative_to", "report")

    def __init__(
        self,
        report: Report,
        base_dir: Path,
        relative_to: str,
        files: list[Path],
        hashes: list[str],
    ) -> None:
        self.report = report
        self.base_dir = base_dir
        self.relative_to = relative_to
        self.files = files
        self.hashes = hashes

    def read(self, entry: Mapping[Any, Any], path: str, image: Image) -> FileBlobs | None:
        """The blob files ``entry[blobs]`` gives for *image*; ``None`` (with problems)
        when something is wrong."""
        value = entry[BLOBS_KEY]
        where = join_path(path, BLOBS_KEY)
        report = self.report
        if value is INVALID:
            return None
        if not isinstance(value, Mapping) or not value:
            report.wrong(
                entry, BLOBS_KEY, where, "a mapping with folder and/or files", value, BLOBS_HINT
            )
            return None
        report.unknown_keys(value, where, BLOBS_KEYS)
        if image.media_type in MediaType.LISTS:
            report.problem(
                entry,
                BLOBS_KEY,
                where,
                "a manifest list names no blobs, only images",
                "give `blobs:` to each image the list references",
            )
            return None
        folder = self._folder(value, where)
        named = self._named(value, where)
        if folder is None and named is None:
            return None
        return self._match(value, where, image, folder, named or {})

    def _folder(self, value: Mapping[Any, Any], where: str) -> Path | None:
        folder = value.get("folder")
        if folder is None or folder is INVALID:
            return None
        at = join_path(where, "folder")
        if not isinstance(folder, str) or not folder:
            self.report.wrong(value, "folder", at, "a folder path", folder, BLOBS_HINT)
            return None
        if escapes(folder):
            self._outside(value, "folder", at, folder)
            return None
        found = self.base_dir / folder
        if not found.is_dir():
            self.report.problem(
                value,
                "folder",
                at,
                f"blob folder not found: {folder}",
                f"looked for the folder {found}; relative paths start at {self.relative_to}",
            )
            return None
        return found

    def _named(self, value: Mapping[Any, Any], where: str) -> dict[str, tuple[str, str]] | None:
        """``files:``: digest -> (path, YAML path of the entry)."""
        files = value.get("files")
        if files is None or files is INVALID:
            return None
        at = join_path(where, "files")
        report = self.report
        if not isinstance(files, Mapping):
            report.wrong(value, "files", at, "a mapping of digest to file", files, BLOBS_HINT)
            return None
        found: dict[str, tuple[str, str]] = {}
        for digest, name in files.items():
            here = join_path(at, str(digest))
            if not isinstance(digest, str) or SHA256_DIGEST_RE.fullmatch(digest) is None:
                report.problem(
                    files,
                    digest,
                    here,
                    f"expected a blob digest, found {describe(digest)}",
                    "a key of blobs.files is sha256: and 64 lowercase hex digits (ECR "
                    "computes sha256 digests)",
                )
            elif name is INVALID:
                continue
            elif not isinstance(name, str) or not name:
                report.wrong(files, digest, here, "a file path", name)
            elif escapes(name):
                self._outside(files, digest, here, name)
            else:
                found[digest] = (name, here)
        return found

    def _outside(self, container: object, key: object, at: str, name: str) -> None:
        self.report.problem(
            container,
            key,
            at,
            f"{name!r} is outside the declaring folder",
            f"give a path relative to {self.relative_to} that stays inside it; copy or "
            "symlink the file there to use one from elsewhere",
        )

    def _match(
        self,
        value: Mapping[Any, Any],
        where: str,
        image: Image,
        folder: Path | None,
        named: dict[str, tuple[str, str]],
    ) -> FileBlobs | None:
        """A file for every blob *image* names, each checked; ``None`` on a problem."""
        report = self.report
        before = len(report.problems)
        wanted = [
            blob
            for blob in dict.fromkeys(manifest_blobs(image))
            if blob.media_type not in FOREIGN_LAYER_TYPES
        ]
        digests = {blob.digest for blob in wanted}
        files = value.get("files")
        for digest, (_, here) in named.items():
            if digest not in digests:
                report.problem(
                    files,
                    digest,
                    here,
                    f"the manifest names no blob {digest}",
                    "list the digests of the manifest's config and layers",
                )
        found: list[tuple[str, FileContent]] = []
        for blob in wanted:
            given = named.get(blob.digest)
            if given is not None:
                content = self._check(files, blob.digest, given[1], given[0], blob)
            else:
                content = self._in_folder(value, where, folder, blob)
            if content is not None:
                found.append((blob.digest, content))
        if len(report.problems) != before:
            return None
        return FileBlobs(tuple(found))

    def _in_folder(
        self,
        value: Mapping[Any, Any],
        where: str,
        folder: Path | None,
        blob: BlobDescriptor,
    ) -> FileContent | None:
        digest = blob.digest
        algorithm, _, hex_digits = digest.partition(":")
        candidates = [layout.format(hex=hex_digits) for layout in FOLDER_LAYOUTS]
        if folder is not None and algorithm == "sha256":
            for candidate in candidates:
                if (folder / candidate).is_file():
                    name = os.path.join(os.path.relpath(folder, self.base_dir), candidate)
                    return self._check(value, "folder", join_path(where, "folder"), name, blob)
        looked = f" in {folder} as {', '.join(candidates)}" if folder is not None else ""
        self.report.problem(
            value,
            "files" if folder is None else "folder",
            where,
            f"no file for blob {digest}, which the manifest names{looked}",
            f"add `{digest}: <file>` to blobs.files, or put the file in the folder as "
            f"blobs/sha256/{hex_digits}",
        )
        return None

    def _check(
        self, container: Any, key: object, at: str, name: str, blob: BlobDescriptor
    ) -> FileContent | None:
        """Read blob file *name* once: a regular file of the size *blob* states (if it
        does) hashing to its digest. Problems go to *key* of *container* (YAML path *at*)."""
        size = blob.size
        path = self.base_dir / name
        try:
            hex_digits, length, mtime = hash_regular(path)
        except FileNotFoundError:
            self.report.problem(
                container,
                key,
                at,
                f"blob file not found: {name}",
                f"looked for {path}; relative paths start at {self.relative_to}",
            )
            return None
        except (FileRefused, OSError) as exc:
            reason = str(exc) if isinstance(exc, FileRefused) else exc.strerror or str(exc)
            self.report.problem(
                container,
                key,
                at,
                f"cannot read blob file {name}: {reason}",
                "a blob file is a regular file",
            )
            return None
        expected = blob.digest
        problem = None
        if size is not None and length != size:
            problem = f"blob file {name} has {length} bytes, but the manifest says {size}"
        elif "sha256:" + hex_digits != expected:
            problem = (
                f"blob file {name} hashes to sha256:{hex_digits}, not {expected} as the "
                "manifest says"
            )
        if problem is not None:
            self.report.problem(
                container,
                key,
                at,
                problem,
                "a blob file holds the exact bytes the manifest's digest and size describe "
                "(for a layer, the compressed tar)",
            )
            return None
        self.files.append(path)
        self.hashes.append(hex_digits)
        return FileContent(str(path.absolute()), (length, mtime))


__all__ = ["BLOBS_HINT", "BlobFiles", "FileBlobs", "FileContent"]
