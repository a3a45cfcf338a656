"""Reading the files a declaration names: regular files only, of bounded size.

A FIFO would block the load for good and ``/dev/zero`` would be read until memory runs
out, so a file is opened without blocking, checked with ``fstat`` to be a regular file,
and read up to its limit (one byte more tells a file that grew past it).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePath
from typing import Final

#: botocore's model caps ``imageManifest`` at 4 MiB: ECR takes no bigger manifest.
MANIFEST_MAX_BYTES: Final = 4 * 1024 * 1024
#: A declaration file's limit: 100,000 images with inline manifests fit in a fraction.
DECLARATION_MAX_BYTES: Final = 256 * 1024 * 1024


class FileRefused(OSError):
    """A named file that is not a regular file, or larger than its limit."""


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file *path*, at most *limit* of them.

    Raises :class:`FileRefused` for anything else (a FIFO, a device, a socket, a file
    over *limit*), and :class:`OSError` as ``open`` does (``FileNotFoundError``,
    ``IsADirectoryError``, ``PermissionError``).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileRefused(f"larger than {_size(limit)} ({info.st_size} bytes)")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = handle.read(min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    if len(data) > limit:
        raise FileRefused(f"larger than {_size(limit)}")
    return data


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
    "DECLARATION_MAX_BYTES",
    "MANIFEST_MAX_BYTES",
    "FileRefused",
    "escapes",
    "read_regular",
]
