"""The cross-run store: a later run loads a declaration file from disk, keyed by its bytes,
its path, its manifest files and the code that parses it."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from pytest_ecr.declarations import (
    Declaration,
    DeclarationCache,
    DeclarationError,
    FaultEntry,
    loading,
    persist,
)
from pytest_ecr.faults import parse_fault
from pytest_ecr.model import RegistryState

from .conftest import Write

OCI = "application/vnd.oci.image.manifest.v1+json"
MANIFEST = (
    '{"schemaVersion": 2, "mediaType": "' + OCI + '", "artifactType": "application/x.sbom",'
    ' "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest":'
    ' "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}, "layers": []}'
)

#: A declaration using every kind of image and every key that changes the model.
RICH = """\
version: 1
account: "111122223333"
region: eu-west-1
repositories:
  - name: team/api
    images:
      - tags: [v1, latest]
        manifest_file: manifests/sbom.json
      - tags: [v2]
        manifest:
          schemaVersion: 2
          mediaType: application/vnd.docker.distribution.manifest.v2+json
          config:
            mediaType: application/vnd.docker.container.image.v1+json
            size: 7
            digest: "sha256:aa"
          layers: []
          annotations: {org.opencontainers.image.title: "café ☕ 𝄞"}
      - tags: [text]
        manifest_text: |-
          {"schemaVersion": 1, "name": "team/api", "tag": "text", "fsLayers": [], "history": []}
      - tags: [oci]
        media_type: application/vnd.oci.image.manifest.v1+json
        pushed_at: 2024-05-01T12:00:00Z
      - {}
      - tags: [broken]
        failure: {code: KmsError, reason: "key disabled"}
      - tags: [multi, "1.0"]
        platforms: [linux/amd64, linux/arm64, linux/arm/v7]
  - name: team/locked
    tag_mutability: IMMUTABLE
    account: "210987654321"
    region: us-west-2
    images:
      - tags: [v1]
        media_type: application/vnd.docker.distribution.manifest.v1+json
      - tags: [index]
        platforms: [linux/amd64, windows/amd64]
        media_type: application/vnd.oci.image.index.v1+json
  - name: empty
faults:
  - {operation: BatchGetImage, error: ServerException, times: 1, probability: 0.5}
  - {operation: DescribeImages, latency: 0.25, image: "team/api:v1", every: 2, region: eu-west-1}
"""


@pytest.fixture
def rich(write: Write) -> Path:
    write(MANIFEST, name="manifests/sbom.json")
    return write(RICH)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "pytest-ecr"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every YAML text the loader reads."""
    seen: list[str] = []
    real = loading.read_yaml

    def counting(text: str, source: str) -> Any:
        seen.append(source)
        return real(text, source)

    monkeypatch.setattr(loading, "read_yaml", counting)
    return seen


def entries(store: Path) -> list[Path]:
    return sorted(store.glob("*.pickle")) if store.exists() else []


def snapshot(state: RegistryState) -> list[Any]:
    """Everything a test can observe of a state, as plain values."""
    out: list[Any] = [state.account, state.region, state.frozen]
    for repository in state.repositories():
        out.append(
            (
                repository.registry_id,
                repository.region,
                repository.name,
                repository.tag_mutability,
                repository.created_at,
                [
                    (
                        image.digest,
                        image.manifest,
                        image.media_type,
                        image.pushed_at,
                        image.size_bytes,
                        image.artifact_media_type,
                        image.children,
                        image.failure,
                        repository.tags_of(image.digest),
                        repository.size_of(image),
                    )
                    for image in repository.images()
                ],
                list(repository.tags()),
            )
        )
    return out


def same_declaration(first: Declaration, second: Declaration) -> None:
    assert first is not second
    assert (first.source, first.account, first.region) == (
        second.source,
        second.account,
        second.region,
    )
    assert first.repositories == second.repositories
    assert first.faults == second.faults


def test_a_later_run_loads_from_disk_without_reading_yaml(
    rich: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = DeclarationCache(persist_dir=store)
    cold_state = cold.state([rich])
    (cold_declaration,) = cold.load_all([rich])
    assert len(entries(store)) == 1

    def refuse(text: str, source: str) -> Any:
        raise AssertionError("read as YAML")

    monkeypatch.setattr(loading, "read_yaml", refuse)
    warm = DeclarationCache(persist_dir=store)  # a new run
    warm_state = warm.state([rich])
    assert warm_state is not cold_state
    assert warm_state.frozen
    assert snapshot(warm_state) == snapshot(cold_state)
    (warm_declaration,) = warm.load_all([rich])
    same_declaration(warm_declaration, cold_declaration)
    assert warm_declaration.source == str(rich)
    assert all(fault.source == str(rich) for fault in warm_declaration.faults)
    # Within the run, the in-process memo answers as before.
    assert warm.state([rich]) is warm_state


def test_the_warm_state_equals_one_built_without_any_cache(rich: Path, store: Path) -> None:
    DeclarationCache(persist_dir=store).state([rich])
    warm = DeclarationCache(persist_dir=store).state([rich])
    assert snapshot(warm) == snapshot(DeclarationCache().state([rich]))


def test_the_source_is_the_path_the_file_is_loaded_from(
    write: Write, tmp_path: Path, store: Path
) -> None:
    text = "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n"
    first = write(text, name="one/registry.yaml")
    second = write(text, name="two/registry.yaml")
    DeclarationCache(persist_dir=store).load(first)
    DeclarationCache(persist_dir=store).load(second)
    # The path is part of the key: each file has its own entry and its own source.
    found = DeclarationCache(persist_dir=store).load("two/registry.yaml", base_dir=tmp_path)
    assert found.source == str(tmp_path / "two" / "registry.yaml") == str(second)
    assert found.repositories == DeclarationCache().load(second).repositories
    assert len(entries(store)) == 2


def test_a_copy_elsewhere_checks_the_manifest_files_next_to_it(
    rich: Path, write: Write, store: Path
) -> None:
    DeclarationCache(persist_dir=store).state([rich])
    copy = write(RICH, name="elsewhere/registry.yaml")
    with pytest.raises(DeclarationError, match=r"manifest file not found: manifests/sbom\.json"):
        DeclarationCache(persist_dir=store).state([copy])
    write(MANIFEST.replace('"size": 2', '"size": 5'), name="elsewhere/manifests/sbom.json")
    state = DeclarationCache(persist_dir=store).state([copy])
    assert state.repository("team/api", region="eu-west-1").image("v1").size_bytes == 5
    assert len(entries(store)) == 2


def test_a_changed_declaration_is_parsed_again(write: Write, store: Path, reads: list[str]) -> None:
    text = "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n"
    path = write(text)
    DeclarationCache(persist_dir=store).state([path])
    DeclarationCache(persist_dir=store).state([path])
    assert len(reads) == 1
    path.write_text(text.replace("v1", "v2"), encoding="utf-8")
    state = DeclarationCache(persist_dir=store).state([path])
    assert state.repository("a/b").resolve_tag("v2") is not None
    assert state.repository("a/b").resolve_tag("v1") is None
    assert len(reads) == 2
    # The older entry of the same file is gone: one entry per file.
    assert len(entries(store)) == 1
    DeclarationCache(persist_dir=store).state([path])
    assert len(reads) == 2


def test_a_changed_manifest_file_is_noticed(
    rich: Path, store: Path, tmp_path: Path, reads: list[str]
) -> None:
    before = DeclarationCache(persist_dir=store).state([rich])
    manifest = tmp_path / "manifests" / "sbom.json"
    # Same size, same YAML: only the content of the manifest file tells.
    manifest.write_text(MANIFEST.replace('"size": 2', '"size": 3'), encoding="utf-8")
    after = DeclarationCache(persist_dir=store).state([rich])
    assert len(reads) == 2
    old = before.repository("team/api", account="111122223333", region="eu-west-1")
    new = after.repository("team/api", account="111122223333", region="eu-west-1")
    assert old.resolve_tag("v1") != new.resolve_tag("v1")
    assert new.image("v1").size_bytes == 3
    DeclarationCache(persist_dir=store).state([rich])
    assert len(reads) == 2


def test_a_removed_manifest_file_is_reported_as_without_the_cache(
    rich: Path, store: Path, tmp_path: Path
) -> None:
    DeclarationCache(persist_dir=store).state([rich])
    (tmp_path / "manifests" / "sbom.json").unlink()
    with pytest.raises(DeclarationError) as warm:
        DeclarationCache(persist_dir=store).state([rich])
    with pytest.raises(DeclarationError) as plain:
        DeclarationCache().state([rich])
    assert warm.value.problems == plain.value.problems
    assert "manifest file not found: manifests/sbom.json" in str(warm.value)


def damage_body(entry: Path) -> None:
    data = bytearray(entry.read_bytes())
    at = data.rindex(b"schemaVersion")  # inside the last manifest's text
    data[at] = ord("S")
    entry.write_bytes(bytes(data))


def damage_header(entry: Path) -> None:
    # A changed check at the head of the entry: the payload no longer matches it.
    data = bytearray(entry.read_bytes())
    data[0] ^= 1
    entry.write_bytes(bytes(data))


def forge_files(entry: Path) -> None:
    """Drop the manifest files from the entry and re-sign it: a consistent entry whose
    manifest file has since changed must still be refused (see the manifest tests)."""
    key, files, declaration = pickle.loads(entry.read_bytes()[persist.CHECK_BYTES :])
    payload = persist._dumps((key, [(f, "0" * 64) for f, _ in files], declaration))
    entry.write_bytes(persist.seal(payload))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-100]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(b"\x00\xff garbage\n" * 50), id="garbage"),
        pytest.param(damage_header, id="header"),
        pytest.param(damage_body, id="flipped-byte"),
        pytest.param(forge_files, id="forged-manifest-hashes"),
        pytest.param(lambda p: (p.unlink(), p.mkdir()), id="directory"),
    ],
)
def test_a_damaged_entry_is_ignored_and_rebuilt(
    rich: Path, store: Path, reads: list[str], damage: Any
) -> None:
    expected = snapshot(DeclarationCache(persist_dir=store).state([rich]))
    (entry,) = entries(store)
    damage(entry)
    assert snapshot(DeclarationCache(persist_dir=store).state([rich])) == expected
    assert len(reads) == 2
    if entry.is_file():
        # Rewritten: the next run is warm again.
        DeclarationCache(persist_dir=store).state([rich])
        assert len(reads) == 2


def test_failures_are_not_persisted(write: Write, store: Path, reads: list[str]) -> None:
    path = write("version: 1\nrepositories:\n  - name: A\n")
    problems = []
    for _ in range(2):
        with pytest.raises(DeclarationError) as info:
            DeclarationCache(persist_dir=store).state([path])
        problems.append(info.value.problems)
    assert problems[0] == problems[1]
    assert "invalid repository name 'A'" in str(problems[0][0])
    assert entries(store) == []
    assert len(reads) == 2


def test_merge_conflicts_read_the_same_from_disk(write: Write, store: Path) -> None:
    one = write(
        "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [x]\n", "1.yaml"
    )
    two = write(
        "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - {tags: [x], media_type: "
        + OCI
        + "}\n",
        "2.yaml",
    )
    found = []
    for _ in range(2):
        with pytest.raises(DeclarationError) as info:
            DeclarationCache(persist_dir=store).state([one, two])
        found.append(info.value.problems)
    assert found[0] == found[1]
    assert len(entries(store)) == 2


def test_text_and_mappings_are_not_persisted(store: Path) -> None:
    cache = DeclarationCache(persist_dir=store)
    cache.state(["version: 1\n", {"version": 1}])
    assert entries(store) == []
    assert not store.exists()


def test_a_fault_problem_is_reported_and_nothing_stored(
    write: Write, store: Path, reads: list[str]
) -> None:
    """faults: entries are validated while loading: a value no fault takes (a date) is a
    problem, and a declaration with problems is never stored."""
    path = write("version: 1\nfaults:\n  - {operation: BatchGetImage, at: 2024-01-01}\n")
    for _ in range(2):
        with pytest.raises(DeclarationError, match="unknown key 'at'"):
            DeclarationCache(persist_dir=store).load_all([path])
    assert entries(store) == []
    assert len(reads) == 2


def test_values_pickle_cannot_hold_are_not_stored(tmp_path: Path, store: Path) -> None:
    # YAML files cannot hold these; declarations made in Python can.
    path = tmp_path / "registry.yaml"
    parsed_fault = parse_fault({"error": "ServerException"}, "faults[0]")
    spec = MappingProxyType({"message": lambda: 0})
    fault = FaultEntry(spec, str(path), 3, "faults[0]", parsed_fault)
    declaration = Declaration(str(path), None, None, (), (fault,))
    parsed = loading.Parsed(declaration, (), ())
    assert not persist.DeclarationStore(store).save(path, b"version: 1\n", parsed)
    assert entries(store) == []


def test_an_unwritable_store_only_costs_speed(write: Write, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    path = write("version: 1\nrepositories:\n  - name: a/b\n")
    state = DeclarationCache(persist_dir=blocker / "pytest-ecr").state([path])
    assert state.repository("a/b").name == "a/b"


def test_entries_are_written_whole(rich: Path, store: Path) -> None:
    DeclarationCache(persist_dir=store).state([rich])
    assert [p.name for p in store.iterdir() if not p.name.endswith(".pickle")] == []
    blob = entries(store)[0].read_bytes()
    assert persist.seal(blob[persist.CHECK_BYTES :]) == blob
    _, files, _ = pickle.loads(blob[persist.CHECK_BYTES :])
    digest = hashlib.sha256(MANIFEST.encode()).hexdigest()
    assert files == [(str(rich.parent / "manifests" / "sbom.json"), digest)]


def test_an_entry_of_other_code_is_not_served(
    write: Write, store: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n")
    DeclarationCache(persist_dir=store).state([path])
    DeclarationCache(persist_dir=store).state([path])
    assert len(reads) == 1
    monkeypatch.setattr(persist, "code_hash", lambda: b"another build of the same version")
    DeclarationCache(persist_dir=store).state([path])
    assert len(reads) == 2


def test_the_code_hash_covers_the_parsing_packages() -> None:
    root = Path(persist.__file__).parent.parent
    assert persist.code_hash() is persist.code_hash()  # once a process
    assert (root / "declarations" / "synthetic.py").is_file()
    assert (root / "model" / "image.py").is_file()


STALE_RUN = """\
import sys
from pytest_ecr.declarations import DeclarationCache
state = DeclarationCache(persist_dir=sys.argv[1]).state([sys.argv[2]])
import pytest_ecr
assert pytest_ecr.__file__.startswith(sys.argv[3]), pytest_ecr.__file__
print(state.repository("a/b").image("v1").digest)
"""


@pytest.mark.slow
def test_a_changed_parser_gives_the_new_digest_not_the_stored_one(
    tmp_path: Path, write: Write, store: Path
) -> None:
    # Same version, same declaration bytes; only synthetic_layers.py of a copied package
    # differs.
    import pytest_ecr

    package = tmp_path / "site" / "pytest_ecr"
    shutil.copytree(Path(pytest_ecr.__file__).parent, package)
    path = write("version: 1\nrepositories:\n  - name: a/b\n    images:\n      - tags: [v1]\n")
    env = {**os.environ, "PYTHONPATH": str(package.parent), "PYTHONDONTWRITEBYTECODE": "1"}

    def digest() -> str:
        command = [sys.executable, "-c", STALE_RUN, str(store), str(path), str(package)]
        done = subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    before = digest()
    assert len(entries(store)) == 1
    assert digest() == before  # served from the store
    synthetic = package / "declarations" / "synthetic_layers.py"
    source = synthetic.read_text(encoding="utf-8")
    changed = source.replace('b"\\x00layers"', 'b"\\x01layers"', 1)  # other layer draws
    assert changed != source
    synthetic.write_text(changed, encoding="utf-8")
    after = digest()
    assert after != before
    assert after == digest()


def test_persist_dir_is_exposed(store: Path) -> None:
    assert DeclarationCache(persist_dir=store).persist_dir == store
    assert DeclarationCache().persist_dir is None


def test_stored_faults_come_back_parsed(write: Write, store: Path) -> None:
    """A declaration's faults: entries are stored parsed and come back equal, with the
    origin of the file they were loaded from."""
    path = write("version: 1\nfaults:\n  - {operation: BatchGetImage, error: ServerException}\n")
    (first,) = DeclarationCache(persist_dir=store).load_all([path])
    (again,) = DeclarationCache(persist_dir=store).load_all([path])
    assert len(entries(store)) == 1
    assert again.faults[0].fault == first.faults[0].fault
    assert again.faults[0].fault.origin == f"{path}:3 faults[0]"
