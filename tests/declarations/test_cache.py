"""The session cache: each source parsed once, states shared, changes noticed."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_ecr.declarations import (
    DeclarationCache,
    DeclarationError,
    load_declarations,
    load_sources,
    loading,
)

from .conftest import Write

REGISTRY = "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every source the loader actually reads, in order."""
    seen: list[object] = []
    real: Callable[[object, Path], loading.Parsed] = loading.parse

    def counting(source: object, base_dir: Path) -> loading.Parsed:
        seen.append(source)
        return real(source, base_dir)

    monkeypatch.setattr(loading, "parse", counting)
    return seen


def bump(path: Path, text: str | None = None) -> None:
    """Change a file so that its (mtime_ns, size) stamp changes."""
    info = path.stat()
    if text is not None:
        path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_a_file_is_parsed_once(write: Write, tmp_path: Path, parses: list[object]) -> None:
    path = write(REGISTRY)
    cache = DeclarationCache()
    first = cache.load(path)
    assert cache.load("registry.yaml", base_dir=tmp_path) is first
    assert cache.load(tmp_path / "." / "registry.yaml") is first
    assert len(parses) == 1
    assert cache.size == 1


def test_a_changed_file_is_parsed_again(write: Write, parses: list[object]) -> None:
    path = write(REGISTRY)
    cache = DeclarationCache()
    first = cache.load(path)
    bump(path, REGISTRY.replace("v1", "v2"))
    second = cache.load(path)
    assert second is not first
    assert second.repositories[0].images[0].tags == ("v2",)
    bump(path)  # same content, new mtime: read again, to be safe
    assert cache.load(path) is not second
    assert len(parses) == 3


def test_a_changed_manifest_file_is_noticed(write: Write, parses: list[object]) -> None:
    manifest = write(
        '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",'
        ' "config": {"size": 1, "digest": "sha256:aaaaaaaa"}, "layers": []}',
        name="m.json",
    )
    path = write(
        "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - manifest_file: m.json\n"
    )
    cache = DeclarationCache()
    first = cache.state([path])
    assert cache.state([path]) is first
    bump(manifest, manifest.read_text().replace('"size": 1', '"size": 22'))
    second = cache.state([path])
    assert second is not first
    assert second.repository("a/b").image(next(iter(second.repository("a/b").images())).digest)
    assert len(parses) == 2


def test_text_is_cached_by_its_content(parses: list[object], tmp_path: Path) -> None:
    cache = DeclarationCache()
    first = cache.load(REGISTRY, base_dir=tmp_path)
    assert cache.load(REGISTRY, base_dir=tmp_path) is first
    assert cache.load(REGISTRY + "\n", base_dir=tmp_path) is not first
    assert len(parses) == 2


def test_mappings_are_never_cached(parses: list[object]) -> None:
    cache = DeclarationCache()
    mapping: dict[str, Any] = {"version": 1}
    first = cache.load(mapping)
    mapping["region"] = "eu-west-1"
    second = cache.load(mapping)
    assert (first.region, second.region) == (None, "eu-west-1")
    assert cache.state([mapping]) is not cache.state([mapping])
    assert len(parses) == 4
    assert cache.size == 0


def test_the_same_combination_gives_the_same_state(write: Write, tmp_path: Path) -> None:
    base = write(REGISTRY, name="base.yaml")
    extra = "version: 1\nregion: eu-west-1\n"
    cache = DeclarationCache()
    state = load_sources([base, extra], base_dir=tmp_path, cache=cache)
    assert load_sources(["base.yaml", extra], base_dir=tmp_path, cache=cache) is state
    assert state.frozen
    assert cache.state([extra, base], base_dir=tmp_path) is not state
    assert cache.state([base], base_dir=tmp_path) is not state
    # Text is keyed with its base directory (manifest_file paths start there).
    assert cache.state([base, extra], base_dir=tmp_path / "elsewhere") is not state
    # Tests fork the shared state; their writes stay theirs.
    fork = state.fork()
    fork.delete_repository(state.account, "eu-west-1", "a/b")
    assert state.get_repository(state.account, "eu-west-1", "a/b") is not None


def test_a_changed_file_gives_a_new_state(write: Write) -> None:
    path = write(REGISTRY)
    cache = DeclarationCache()
    first = cache.state([path])
    bump(path, REGISTRY.replace("v1", "v2"))
    second = cache.state([path])
    assert second is not first
    assert second.repository("a/b").resolve_tag("v2") is not None


def test_failures_are_cached_and_raised_afresh(write: Write, parses: list[object]) -> None:
    path = write("version: 3\n")
    cache = DeclarationCache()
    with pytest.raises(DeclarationError) as first:
        cache.load(path)
    with pytest.raises(DeclarationError) as second:
        cache.load(path)
    assert first.value is not second.value
    assert first.value.problems == second.value.problems
    assert len(parses) == 1
    path.unlink()
    with pytest.raises(DeclarationError, match="declaration file not found"):
        cache.load(path)


def test_merge_conflicts_are_cached_too(write: Write) -> None:
    one = write(
        REGISTRY.replace("- name: a/b", "- name: a/b\n    tag_mutability: IMMUTABLE"),
        name="one.yaml",
    )
    cache = DeclarationCache()
    for _ in range(2):
        with pytest.raises(DeclarationError, match="declared twice in IMMUTABLE"):
            cache.state(
                [
                    one,
                    REGISTRY.replace("- name: a/b", "- name: a/b\n    tag_mutability: IMMUTABLE")
                    + "\n",
                ]
            )


def test_load_declarations_reports_all_sources(write: Write, tmp_path: Path) -> None:
    good = write(REGISTRY)
    with pytest.raises(DeclarationError) as info:
        load_declarations([good, "missing.yaml", "version: 9\n"], base_dir=tmp_path)
    assert len(info.value.problems) == 2
    (declaration,) = load_declarations([good])
    assert declaration.repositories[0].name == "a/b"


def test_threads_share_one_parse(write: Write, parses: list[object]) -> None:
    path = write(REGISTRY)
    cache = DeclarationCache()
    states: list[object] = []
    barrier = threading.Barrier(8)

    def load() -> None:
        barrier.wait()
        states.append(cache.state([path]))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(states) == 8
    assert all(state is states[0] for state in states)
    assert len(parses) == 1


def test_clear_forgets_everything(write: Write, parses: list[object]) -> None:
    path = write(REGISTRY)
    cache = DeclarationCache()
    first = cache.state([path])
    cache.clear()
    assert cache.size == 0
    assert cache.state([path]) is not first
    assert len(parses) == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_parsing_and_left_as_it_was(
    write: Write, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    path = write("version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n")
    seen: list[bool] = []
    real = loading.parse_file_data

    def watching(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(loading, "parse_file_data", watching)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        DeclarationCache().state([path])
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False]
