"""Registries, repositories and layered forks (pure model): isolation and indexes."""

from __future__ import annotations

import json

import pytest

from pytest_ecr.model import Image, MediaType, RegistryState, Repository, TagMutability
from pytest_ecr.model.layered import LayeredMap
from pytest_ecr.model.repository import FrozenRepositoryError


def manifest(seed: int, size: int = 10) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MediaType.DOCKER_V2,
            "config": {
                "mediaType": MediaType.DOCKER_CONFIG,
                "size": seed,
                "digest": "sha256:" + f"{seed:064x}",
            },
            "layers": [{"size": size, "digest": "sha256:" + "b" * 64}],
        }
    )


def index(*children: Image) -> str:
    return json.dumps(
        {"mediaType": MediaType.OCI_INDEX, "manifests": [{"digest": c.digest} for c in children]}
    )


@pytest.fixture
def frozen() -> RegistryState:
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("team/api")
    a = repo.put(Image.from_manifest(manifest(1)))
    repo.tag("v1", a.digest)
    repo.tag("latest", a.digest)
    state.create_repository("team/other")
    return state.freeze()


def test_layered_map_writes_and_deletes_stay_in_the_top_layer() -> None:
    base = {"a": 1, "b": 2}
    top: LayeredMap[str, int] = LayeredMap(base)
    top["c"] = 3
    top["a"] = 10
    assert top.pop("b") == 2
    assert top.get("b") is None
    assert "b" not in top
    assert dict(top.items()) == {"a": 10, "c": 3}
    assert len(top) == 2
    assert base == {"a": 1, "b": 2}


def test_a_fork_writes_without_touching_the_shared_state(frozen: RegistryState) -> None:
    mine = frozen.fork()
    repo = mine.repository("team/api")
    b = repo.put(Image.from_manifest(manifest(2)))
    assert repo.tag("v1", b.digest) is not None
    mine.delete_repository("111122223333", "us-east-1", "team/other")
    mine.create_repository("team/new")

    shared = frozen.repository("team/api")
    assert shared.get_image(b.digest) is None
    assert shared.resolve_tag("v1") != b.digest
    assert [r.name for r in frozen.repositories()] == ["team/api", "team/other"]
    assert [r.name for r in mine.repositories()] == ["team/api", "team/new"]


def test_two_forks_do_not_see_each_other(frozen: RegistryState) -> None:
    one, two = frozen.fork(), frozen.fork()
    one.repository("team/api").untag("latest")
    assert two.repository("team/api").resolve_tag("latest") is not None
    assert one.repository("team/api").resolve_tag("latest") is None


def test_frozen_state_and_repositories_refuse_writes(frozen: RegistryState) -> None:
    with pytest.raises(FrozenRepositoryError):
        frozen.create_repository("x")
    with pytest.raises(FrozenRepositoryError):
        frozen.repository("team/api").untag("v1")


def test_only_a_frozen_repository_forks() -> None:
    with pytest.raises(FrozenRepositoryError):
        Repository("r", "111122223333", "us-east-1").fork()


def test_missing_repository_and_duplicates(frozen: RegistryState) -> None:
    with pytest.raises(KeyError, match="no repository 'nope'"):
        frozen.repository("nope")
    with pytest.raises(ValueError, match="already exists"):
        frozen.fork().create_repository("team/api")
    assert frozen.get_repository("111122223333", "eu-west-1", "team/api") is None


def test_tag_index_follows_moves_and_deletes() -> None:
    repo = Repository("r", "111122223333", "us-east-1")
    a = repo.put(Image.from_manifest(manifest(1)))
    b = repo.put(Image.from_manifest(manifest(2)))
    repo.tag("v1", a.digest)
    repo.tag("x", a.digest)
    assert repo.tags_of(a.digest) == ("v1", "x")
    assert repo.tag("v1", b.digest) == a.digest
    assert repo.tags_of(a.digest) == ("x",)
    assert repo.image("v1") is b
    assert repo.image(a.digest) is a
    assert repo.delete(a.digest) == ("x",)
    assert repo.resolve_tag("x") is None
    assert [i.digest for i in repo.images()] == [b.digest]
    with pytest.raises(KeyError):
        repo.tag("y", a.digest)


def test_put_is_idempotent_by_digest() -> None:
    repo = Repository("r", "111122223333", "us-east-1")
    first = repo.put(Image.from_manifest(manifest(1), pushed_at=1.0))
    again = repo.put(Image.from_manifest(manifest(1), pushed_at=2.0))
    assert again is first
    assert len(repo) == 1


def test_lists_are_indexed_by_child_and_report_the_largest_child() -> None:
    repo = Repository("r", "111122223333", "us-east-1")
    small = repo.put(Image.from_manifest(manifest(1, size=10)))
    big = repo.put(Image.from_manifest(manifest(2, size=90)))
    lst = repo.put(Image.from_manifest(index(small, big)))
    assert repo.referencing_lists(small.digest) == [lst.digest]
    assert repo.size_of(lst) == 92
    repo.delete(lst.digest)
    assert repo.referencing_lists(small.digest) == []


@pytest.mark.parametrize(
    ("mode", "filters", "tag", "immutable"),
    [
        (TagMutability.MUTABLE, (), "v1", False),
        (TagMutability.IMMUTABLE, (), "v1", True),
        (TagMutability.IMMUTABLE_WITH_EXCLUSION, ("dev-*",), "dev-1", False),
        (TagMutability.IMMUTABLE_WITH_EXCLUSION, ("dev-*",), "v1", True),
        (TagMutability.MUTABLE_WITH_EXCLUSION, ("rel-*",), "rel-1", True),
        (TagMutability.MUTABLE_WITH_EXCLUSION, ("rel-*",), "v1", False),
    ],
)
def test_tag_immutability_with_exclusions(
    mode: TagMutability, filters: tuple[str, ...], tag: str, immutable: bool
) -> None:
    repo = Repository(
        "r",
        "111122223333",
        "us-east-1",
        tag_mutability=mode,
        tag_mutability_exclusion_filters=filters,
    )
    assert repo.is_tag_immutable(tag) is immutable
