"""Parsed declaration files kept on disk between runs (pytest's cache directory).

An entry is one file per declaration path: a CRC-32 of the rest, then a pickle of
``(key, manifest files, declaration)``. It is served only when all of these hold:

* the CRC matches the whole payload (a damaged, truncated or edited entry is a miss; the
  store guards against accidents, not against someone who may write to the directory,
  who could as well write a ``conftest.py``);
* *key* matches: the sha256 of :func:`code_hash` (the sources of pytest-ecr), the path,
  and the declaration file's bytes;
* every ``manifest_file`` and blob file the parse read still has the sha256 it had then.

Anything else, and any error reading or writing, is a miss: the file is parsed again,
so a store can only cost speed. Only successful parses are stored. Entries are pickles,
read only from the directory the test run itself owns.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
import zlib
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pytest_ecr.declarations.files import hash_regular, read_regular
from pytest_ecr.declarations.loading import Parsed


@functools.cache
def code_hash() -> bytes:
    """sha256 of Python's version and of every source file of pytest-ecr (once a run).

    The whole package, not only ``declarations/``: a parse holds model objects and
    parsed faults, and uses the service's patterns and error catalogue.
    """
    digest = hashlib.sha256(sys.version.encode())
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.digest()


def _proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


class _Pickler(pickle.Pickler):
    """Pickles read-only mappings (``faults:`` specs), and frozen dataclasses as calls of
    their constructor: unpickling one then costs its generated ``__init__`` instead of
    the generic ``__setstate__`` of slotted dataclasses, which looks up every field
    (most of a later run's time, for 10,000 images)."""

    dispatch_table = {
        **copyreg.dispatch_table,
        MappingProxyType: lambda proxy: (_proxy, (dict(proxy),)),
    }

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._constructed: dict[type, tuple[str, ...]] = {}

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        names = self._constructed.get(kind)
        if names is None:
            names = self._constructed[kind] = _init_fields(kind)
        if not names:
            return NotImplemented
        return kind, tuple([getattr(obj, name) for name in names])


def _init_fields(kind: type) -> tuple[str, ...]:
    """The fields a frozen dataclass's constructor takes, when they are all of its
    fields; ``()`` for any other type (pickled as usual)."""
    params = getattr(kind, "__dataclass_params__", None)
    if params is None or not params.frozen or not dataclasses.is_dataclass(kind):
        return ()
    fields = dataclasses.fields(kind)
    if not all(f.init for f in fields) or len(fields) != len(getattr(kind, "__slots__", ())):
        return ()
    return tuple(f.name for f in fields)


def _dumps(value: object) -> bytes:
    """*value* pickled, read-only mappings (``faults:`` specs) included."""
    out = io.BytesIO()
    _Pickler(out).dump(value)
    return out.getvalue()


#: Length of the check at the head of an entry: a CRC-32 of the rest.
CHECK_BYTES = 4


def _check(payload: bytes | memoryview) -> bytes:
    return zlib.crc32(payload).to_bytes(CHECK_BYTES, "big")


def seal(payload: bytes | memoryview) -> bytes:
    """*payload* with its check in front, as an entry is written."""
    return _check(payload) + payload


def _sha256(path: Path) -> str | None:
    # A manifest or blob file replaced by a FIFO since it was parsed is "changed". Read
    # in chunks: blob files can be large (each is hashed again, as a cold load would).
    try:
        return hash_regular(path)[0]
    except OSError:
        return None


class DeclarationStore:
    """Parsed declaration files in *directory* (created when first written to)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _key(self, path: Path, data: bytes) -> bytes:
        digest = hashlib.sha256(code_hash())
        digest.update(os.fsencode(path) + b"\0")
        digest.update(data)
        return digest.digest()

    def _entry(self, path: Path) -> Path:
        return self.directory / (hashlib.sha256(os.fsencode(path)).hexdigest()[:32] + ".pickle")

    def load(self, path: Path, data: bytes) -> Parsed | None:
        """The stored parse of *data*, read from *path*; ``None`` when there is none,
        or it is stale or damaged."""
        try:
            blob = read_regular(self._entry(path), 1 << 31)
            payload = memoryview(blob)[CHECK_BYTES:]
            if _check(payload) != blob[:CHECK_BYTES]:
                return None
            key, files, declaration = pickle.loads(payload)
            if key != self._key(path, data):
                return None
            if any(_sha256(Path(file)) != digest for file, digest in files):
                return None
            return Parsed(
                declaration,
                (),
                tuple(Path(file) for file, _ in files),
                tuple(digest for _, digest in files),
            )
        except Exception:  # any damage to an entry (or none at all) only means a miss
            return None

    def save(self, path: Path, data: bytes, parsed: Parsed) -> bool:
        """Store *parsed*, the successful parse of *data* read from *path*; whether it was."""
        if parsed.declaration is None or parsed.problems:
            return False
        if len(parsed.files) != len(parsed.file_hashes):
            return False  # the manifest files could not be checked
        files = [(str(f), h) for f, h in zip(parsed.files, parsed.file_hashes, strict=True)]
        try:
            payload = _dumps((self._key(path, data), files, parsed.declaration))
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(seal(payload))
                os.replace(temporary, self._entry(path))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except Exception:  # unwritable directory, unpicklable fault value: only slower
            return False
        return True
