"""Parse each declaration once per session and share the results read-only."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from pytest_ecr.declarations import loading
from pytest_ecr.declarations.build import build_state
from pytest_ecr.declarations.loading import Parsed, Source
from pytest_ecr.declarations.persist import DeclarationStore
from pytest_ecr.declarations.problems import DeclarationError, Problem
from pytest_ecr.declarations.specs import Declaration
from pytest_ecr.faults import FaultSpec
from pytest_ecr.model import RegistryState

#: (mtime_ns, size) of a file, or ``None`` when it cannot be read.
_Stamp = tuple[int, int] | None


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while declarations are parsed and registries made.

    Tens of thousands of values, images and index entries, all of which live on, would
    otherwise trigger full collections over the whole (test session's) heap: at 100,000
    images, a fifth of a cold load.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _stamp(path: Path) -> _Stamp:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


class _Entry:
    __slots__ = ("files", "parsed", "stamp")

    def __init__(self, parsed: Parsed, stamp: _Stamp) -> None:
        self.parsed = parsed
        self.stamp = stamp
        self.files = tuple((path, _stamp(path)) for path in parsed.files)

    def fresh(self, stamp: _Stamp) -> bool:
        return stamp == self.stamp and all(_stamp(path) == seen for path, seen in self.files)


class DeclarationCache:
    """A per-session memo of parsed declarations and of the states built from them.

    * A file is keyed by its resolved path and re-read only when its ``(mtime_ns, size)``,
      or that of a ``manifest_file`` it uses, changes.
    * YAML text is keyed by the text and the base directory.
    * Mappings are not cached: they are mutable, so the same object may say something
      else next time, and they are cheap to check.
    * The frozen :class:`RegistryState` built from a sequence of cached sources is kept,
      so loading the same combination again returns the very same state (tests fork it).

    Failed loads are remembered too, so a broken file is reported without being re-read.
    It is safe to use from several threads: one lock guards it, so a source is never
    parsed twice at once.

    With *persist_dir*, a declaration FILE that parses without problems is also stored
    there (see :mod:`pytest_ecr.declarations.persist`), keyed by its bytes, its path, the
    manifest files it reads and the code that parses it; a later run, with a new cache
    over the same directory, loads it from there without parsing its YAML. Files with
    problems, YAML text and mappings are never stored. A damaged, foreign or unwritable
    directory only costs speed.
    """

    def __init__(self, *, persist_dir: str | os.PathLike[str] | None = None) -> None:
        self._lock = threading.RLock()
        #: Where parsed files persist between runs (``None``: they do not).
        self.persist_dir = Path(persist_dir) if persist_dir is not None else None
        self._store = DeclarationStore(persist_dir) if persist_dir is not None else None
        self._files: dict[Path, _Entry] = {}
        self._texts: dict[tuple[str, Path], _Entry] = {}
        # Keyed by the identities of the Parsed results, which the value keeps alive.
        self._states: dict[
            tuple[int, ...], tuple[tuple[Parsed, ...], RegistryState | None, tuple[Problem, ...]]
        ] = {}

    @property
    def size(self) -> int:
        """How many sources are cached (files and texts)."""
        return len(self._files) + len(self._texts)

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._texts.clear()
            self._states.clear()

    # -- sources ---------------------------------------------------------------------

    def _parsed(self, source: Source, base_dir: Path) -> tuple[Parsed, bool]:
        """The parse of *source*, and whether it may be cached with others."""
        if isinstance(source, Mapping):
            return loading.parse(source, base_dir), False
        if loading.is_text(source):
            assert isinstance(source, str)
            key = (source, base_dir)
            entry = self._texts.get(key)
            if entry is None or not entry.fresh(None):
                if entry is not None:
                    self._forget(entry.parsed)
                entry = self._texts[key] = _Entry(loading.parse(source, base_dir), None)
            return entry.parsed, True
        anything: object = source  # callers without type checking pass anything
        if not isinstance(anything, (str, os.PathLike)):
            return loading.parse(anything, base_dir), False  # reported as a problem there
        path = loading.source_path(source, base_dir)
        stamp = _stamp(path)
        if stamp is None:
            # Not there (or unreadable): nothing to key on; the parse reports why.
            return loading.parse(source, base_dir), False
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return loading.parse(source, base_dir), False
        entry = self._files.get(resolved)
        if entry is None or not entry.fresh(stamp):
            if entry is not None:
                self._forget(entry.parsed)
            entry = self._files[resolved] = _Entry(self._parse_file(source, base_dir, path), stamp)
        return entry.parsed, True

    def _parse_file(self, source: str | os.PathLike[str], base_dir: Path, path: Path) -> Parsed:
        """Parse a declaration file, through the persistent store when there is one."""
        store = self._store
        given = os.fspath(source)
        if store is None or not isinstance(given, str):
            return loading.parse(source, base_dir)
        data = loading.read_file(path, given, base_dir)
        if isinstance(data, Parsed):  # unreadable: the problem says why
            return data
        stored = store.load(path, data)
        if stored is not None:
            return stored
        parsed = loading.parse_file_data(path, data)
        store.save(path, data, parsed)
        return parsed

    def _forget(self, parsed: Parsed) -> None:
        gone = id(parsed)
        self._states = {key: value for key, value in self._states.items() if gone not in key}

    def _parse_all(
        self, sources: Sequence[Source], base_dir: str | os.PathLike[str] | None
    ) -> tuple[tuple[Parsed, ...], bool]:
        base = loading.base_path(base_dir)
        results = []
        cacheable = True
        with _collection_paused():
            for source in sources:
                parsed, keep = self._parsed(source, base)
                results.append(parsed)
                cacheable = cacheable and keep
        return tuple(results), cacheable

    def load(
        self, source: Source, *, base_dir: str | os.PathLike[str] | None = None
    ) -> Declaration:
        """Like :func:`~pytest_ecr.declarations.load_declaration`, through the cache."""
        return self.load_all([source], base_dir=base_dir)[0]

    def load_all(
        self, sources: Sequence[Source], *, base_dir: str | os.PathLike[str] | None = None
    ) -> tuple[Declaration, ...]:
        """Every source's declaration; one :class:`DeclarationError` for all of them."""
        with self._lock:
            parsed, _ = self._parse_all(sources, base_dir)
        return _declarations(parsed)

    def state(
        self, sources: Sequence[Source], *, base_dir: str | os.PathLike[str] | None = None
    ) -> RegistryState:
        """The frozen merge of *sources* (see :func:`build_state`), built once."""
        return self._state(sources, base_dir)[0]

    def state_and_faults(
        self, sources: Sequence[Source], *, base_dir: str | os.PathLike[str] | None = None
    ) -> tuple[RegistryState, list[FaultSpec]]:
        """:meth:`state`, and the faults the declarations declare, from one look at the
        sources (a fake made for each test asks for both)."""
        state, parsed = self._state(sources, base_dir)
        faults = [e.fault for p in parsed if p.declaration for e in p.declaration.faults]
        return state, faults

    def _state(
        self, sources: Sequence[Source], base_dir: str | os.PathLike[str] | None
    ) -> tuple[RegistryState, tuple[Parsed, ...]]:
        with self._lock:
            parsed, cacheable = self._parse_all(sources, base_dir)
            key = tuple(id(p) for p in parsed)
            if cacheable and key in self._states:
                _, state, problems = self._states[key]
            else:
                state, problems = None, ()
                try:
                    with _collection_paused():
                        state = build_state(_declarations(parsed))
                except DeclarationError as error:
                    problems = error.problems
                if cacheable:
                    self._states[key] = (parsed, state, problems)
        if state is None:
            raise DeclarationError(problems)
        return state, parsed


def _declarations(parsed: Sequence[Parsed]) -> tuple[Declaration, ...]:
    problems = [problem for p in parsed for problem in p.problems]
    if problems:
        raise DeclarationError(problems)
    return tuple(p.declaration for p in parsed if p.declaration is not None)


def load_declarations(
    sources: Sequence[Source],
    *,
    base_dir: str | os.PathLike[str] | None = None,
    cache: DeclarationCache | None = None,
) -> tuple[Declaration, ...]:
    """Load every source; raise one :class:`DeclarationError` with all their problems."""
    return (cache if cache is not None else DeclarationCache()).load_all(sources, base_dir=base_dir)


def load_sources(
    sources: Sequence[Source],
    *,
    base_dir: str | os.PathLike[str] | None = None,
    cache: DeclarationCache | None = None,
) -> RegistryState:
    """Load every source and merge them, in order, into a frozen :class:`RegistryState`.

    Problems of all sources are collected before one :class:`DeclarationError` is raised;
    then the merge conflicts, if any, are raised the same way. With a *cache*, each file
    is parsed once and the same combination of sources gives the same state object.
    """
    return (cache if cache is not None else DeclarationCache()).state(sources, base_dir=base_dir)


def declared_faults(
    sources: Sequence[Source], base_dir: Path, cache: DeclarationCache
) -> list[FaultSpec]:
    """The faults the declarations of *sources* declare, parsed when they were loaded."""
    declarations = load_declarations(sources, base_dir=base_dir, cache=cache)
    return [entry.fault for declaration in declarations for entry in declaration.faults]
