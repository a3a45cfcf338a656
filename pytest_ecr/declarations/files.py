"""Reading the files a declaration names: regular files only, of bounded size.

A FIFO would block the load for good and ``/dev/zero`` would be read until memory runs
out, so a file is opened without blocking, checked with ``fstat`` to be a regular file,
and read up to its limit (one byte more tells a file that grew past it).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Final

#: botocore's model caps ``imageManifest`` at 4 MiB: ECR takes no bigger manifest.
MANIFEST_MAX_BYTES: Final = 4 * 1024 * 1024
#: A declaration file's limit: 100,000 images with inline manifests fit in a fraction.
DECLARATION_MAX_BYTES: Final = 256 * 1024 * 1024
#: A blob file's limit: ECR's largest layer (52,000 MiB, its service quota).
BLOB_MAX_BYTES: Final = 52_000 * 1024 * 1024
#: How much of a file is read at once when it is hashed or served.
CHUNK_BYTES: Final = 1 << 20


class FileRefused(OSError):
    """A named file that is not a regular file, or larger than its limit."""


class FileChanged(OSError):
    """A blob file that is no longer what it was when its declaration was loaded."""


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file *path*, at most *limit* of them.

    Raises :class:`FileRefused` for anything else (a FIFO, a device, a socket, a file
    over *limit*), and :class:`OSError` as ``open`` does (``FileNotFoundError``,
    ``IsADirectoryError``, ``PermissionError``).
    """
    fd, info = _open_regular(path, limit)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        # First the size fstat gave and a byte more: a file that did not change since is
        # then read in one call, and kept as read (the next read only confirms the end).
        left = limit + 1
        chunks = [handle.read(min(left, info.st_size + 1))]
        left -= len(chunks[0])
        while left > 0:
            chunk = handle.read(min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > limit:
        raise FileRefused(f"larger than {_size(limit)}")
    return data


def _open_regular(path: Path, limit: int) -> tuple[int, os.stat_result]:
    """A descriptor of the regular file *path* (opened without blocking) and its status;
    :class:`FileRefused` for anything else or a file over *limit*."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileRefused(f"larger than {_size(limit)} ({info.st_size} bytes)")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def hash_regular(path: Path, limit: int = BLOB_MAX_BYTES) -> tuple[str, int, int]:
    """``(sha256 hex, size, mtime_ns)`` of the regular file *path*, read in chunks of
    :data:`CHUNK_BYTES` (so memory stays bounded whatever its size).

    Raises as :func:`read_regular` does; also :class:`FileRefused` when the file grows
    past *limit* while it is read.
    """
    fd, info = _open_regular(path, limit)
    hasher = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "rb", buffering=0) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise FileRefused(f"larger than {_size(limit)}")
            hasher.update(chunk)
    return hasher.hexdigest(), size, info.st_mtime_ns


def read_range(path: Path, start: int, end: int, stamp: tuple[int, int]) -> Iterator[bytes]:
    """The bytes ``[start, end)`` of the regular file *path*, in chunks, after checking
    that its ``(size, mtime_ns)`` is still *stamp* (:class:`FileChanged` if not)."""
    fd, info = _open_regular(path, BLOB_MAX_BYTES)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        if (info.st_size, info.st_mtime_ns) != stamp:
            raise FileChanged(
                f"{path} changed since the declaration naming it was loaded (it was "
                f"{stamp[0]} bytes, now {info.st_size}); load the declaration again"
            )
        handle.seek(start)
        left = end - start
        while left > 0:
            chunk = handle.read(min(left, CHUNK_BYTES))
            if not chunk:
                raise FileChanged(f"{path} is shorter than when it was loaded")
            left -= len(chunk)
            yield chunk


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def escapes(name: str) -> bool:
    """Whether the relative path *name* is absolute or climbs out of its folder with ``..``
    (symbolic links are the user's own choice and are followed)."""
    pure = PurePath(name)
    if pure.is_absolute() or pure.drive or name.startswith(("/", "\\")):
        return True
    depth = 0
    for part in pure.parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


__all__ = [
    "BLOB_MAX_BYTES",
    "CHUNK_BYTES",
    "DECLARATION_MAX_BYTES",
    "MANIFEST_MAX_BYTES",
    "FileChanged",
    "FileRefused",
    "escapes",
    "hash_regular",
    "read_range",
    "read_regular",
]
