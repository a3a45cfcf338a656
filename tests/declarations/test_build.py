"""Merging declarations into one frozen registry state, and the conflicts it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_ecr.declarations import (
    Declaration,
    DeclarationError,
    Problem,
    Source,
    build_state,
    load_declaration,
    load_sources,
    parse_platform,
    synthetic_index,
    synthetic_manifest,
)
from pytest_ecr.model import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    Image,
    MediaType,
    Repository,
    TagMutability,
)
from pytest_ecr.model.layered import LayeredMap
from pytest_ecr.model.repository import FrozenRepositoryError

from .conftest import Write

OCI = "application/vnd.oci.image.manifest.v1+json"


def declare(source: Source) -> Declaration:
    return load_declaration(source)


def repo(name: str, images: str = "", *, extra: str = "") -> str:
    body = f"  - name: {name}\n{extra}"
    if images:
        body += "    images:\n" + "".join(f"      {line}\n" for line in images.split("\n"))
    return body


def conflict(*declarations: Declaration) -> list[Problem]:
    with pytest.raises(DeclarationError) as info:
        build_state(declarations)
    return list(info.value.problems)


def test_defaults_without_account_or_region() -> None:
    state = build_state([declare("version: 1\nrepositories:\n" + repo("a/b"))])
    assert (state.account, state.region) == (DEFAULT_ACCOUNT, DEFAULT_REGION)
    repository = state.repository("a/b")
    assert (repository.registry_id, repository.region) == (DEFAULT_ACCOUNT, DEFAULT_REGION)
    assert repository.created_at == 1_704_067_200.0


def test_no_declarations_give_an_empty_frozen_state() -> None:
    state = build_state([])
    assert state.frozen
    assert list(state.repositories()) == []


def test_the_last_stated_account_and_region_are_the_callers() -> None:
    first = declare('version: 1\naccount: "111111111111"\nregion: eu-west-1\n')
    second = declare('version: 1\naccount: "222222222222"\n')
    third = declare("version: 1\n")
    state = build_state([first, second, third])
    assert (state.account, state.region) == ("222222222222", "eu-west-1")


def test_repositories_take_their_own_then_their_files_then_the_merged_defaults() -> None:
    stated = declare(
        'version: 1\naccount: "111111111111"\nrepositories:\n'
        + repo("own", extra='    account: "333333333333"\n    region: ap-south-1\n')
        + repo("files")
    )
    unstated = declare("version: 1\nrepositories:\n" + repo("merged"))
    last = declare('version: 1\naccount: "222222222222"\nregion: sa-east-1\n')
    state = build_state([stated, unstated, last])
    placed = {r.name: (r.registry_id, r.region) for r in state.repositories()}
    assert placed == {
        "own": ("333333333333", "ap-south-1"),
        "files": ("111111111111", "sa-east-1"),
        "merged": ("222222222222", "sa-east-1"),
    }


def test_the_same_repository_in_several_sources_merges_its_images() -> None:
    first = declare("version: 1\nrepositories:\n" + repo("a/b", "- tags: [v1]"))
    second = declare("version: 1\nrepositories:\n" + repo("a/b", "- tags: [v2, latest]"))
    repository = build_state([first, second]).repository("a/b")
    assert len(repository) == 2
    assert repository.image("latest") is repository.image("v2")
    assert repository.image("v1").digest != repository.image("v2").digest
    # Declaration order is push order.
    assert [image.digest for image in repository.images()] == [
        repository.image("v1").digest,
        repository.image("v2").digest,
    ]


def test_repositories_in_other_registries_are_separate() -> None:
    text = (
        "version: 1\nrepositories:\n"
        + repo("a/b", "- tags: [v1]")
        + repo("a/b", "- tags: [v1]", extra="    region: eu-west-1\n")
    )
    state = build_state([declare(text)])
    assert len(list(state.repositories())) == 2
    assert len(state.repository("a/b", region="eu-west-1")) == 1


def test_the_same_image_twice_in_a_mutable_repository_merges_its_tags() -> None:
    manifest = f"media_type: {OCI}"
    first = declare("version: 1\nrepositories:\n" + repo("a/b", "- tags: [v1]\n  " + manifest))
    # A synthetic manifest is seeded by place and tags, so declare the same text explicitly.
    text = first.repositories[0].images[0].image.manifest
    second = declare(
        {
            "version": 1,
            "repositories": [
                {"name": "a/b", "images": [{"tags": ["v1", "v2"], "manifest_text": text}]}
            ],
        }
    )
    repository = build_state([first, second]).repository("a/b")
    assert len(repository) == 1
    digest = repository.image("v1").digest
    assert repository.tags_of(digest) == ("v1", "v2")


def test_a_tag_on_two_images_is_a_conflict_with_both_places(write: Write) -> None:
    first = load_declaration(
        write("version: 1\nrepositories:\n" + repo("a/b", "- tags: [v1]"), name="one.yaml")
    )
    second = load_declaration(
        write(
            "version: 1\nrepositories:\n" + repo("a/b", "- tags: [x]\n- tags: [v1]"),
            name="two.yaml",
        )
    )
    d1 = first.repositories[0].images[0].image.digest
    d2 = second.repositories[0].images[1].image.digest
    assert conflict(first, second) == [
        Problem(
            second.source,
            6,
            "repositories[0].images[1]",
            f"tag 'v1' of repository 'a/b' is on image {d2} here but on image {d1} at "
            f"{first.source}:5 repositories[0].images[0]",
            "a tag names one image; remove it from one of them",
        )
    ]


def test_a_tag_declared_twice_in_an_immutable_repository_is_a_conflict() -> None:
    text = "version: 1\nrepositories:\n" + repo(
        "a/b", "- tags: [v1]", extra="    tag_mutability: IMMUTABLE\n"
    )
    once = declare(text)
    again = declare(text + "\n")  # the same content from another source
    assert conflict(once, again) == [
        Problem(
            "<text>",
            6,
            "repositories[0].images[0]",
            "tag 'v1' is declared twice in IMMUTABLE repository 'a/b'; first at "
            "<text>:6 repositories[0].images[0]",
            "an immutable tag is declared once",
        )
    ]
    # ... whereas in a mutable repository the same image and tag simply merge.
    mutable = "version: 1\nrepositories:\n" + repo("a/b", "- tags: [v1]")
    assert len(build_state([declare(mutable), declare(mutable + "\n")]).repository("a/b")) == 1


def test_immutable_with_exclusion_excludes_nothing_yet() -> None:
    text = "version: 1\nrepositories:\n" + repo(
        "a/b", "- tags: [v1]", extra="    tag_mutability: IMMUTABLE_WITH_EXCLUSION\n"
    )
    (problem,) = conflict(declare(text), declare(text + "\n"))
    assert "declared twice in IMMUTABLE_WITH_EXCLUSION repository" in problem.message


def test_a_repository_declared_with_two_mutabilities_is_a_conflict() -> None:
    mutable = declare("version: 1\nrepositories:\n" + repo("a/b"))
    immutable = declare(
        "version: 1\nrepositories:\n" + repo("a/b", extra="    tag_mutability: IMMUTABLE\n")
    )
    assert conflict(mutable, immutable) == [
        Problem(
            "<text>",
            3,
            "repositories[0]",
            f"repository 'a/b' ({DEFAULT_ACCOUNT}, {DEFAULT_REGION}) is declared IMMUTABLE "
            "here but MUTABLE at <text>:3 repositories[0]",
            "declare one tag_mutability for it",
        )
    ]


def test_an_image_declared_with_two_failures_is_a_conflict() -> None:
    manifest = (
        '{"schemaVersion": 2, "mediaType": "'
        + OCI
        + '", "config": {"digest": "sha256:aaaaaaaa"}, "layers": []}'
    )
    first = declare("version: 1\nrepositories:\n" + repo("a/b", f"- manifest_text: '{manifest}'"))
    second = declare(
        "version: 1\nrepositories:\n"
        + repo("a/b", f"- manifest_text: '{manifest}'\n  failure: {{code: KmsError}}")
    )
    (problem,) = conflict(first, second)
    assert problem.message.endswith(
        "is declared with a different failure at <text>:5 repositories[0].images[0]"
    )


def test_every_conflict_is_listed() -> None:
    first = declare("version: 1\nrepositories:\n" + repo("a/b", "- tags: [v1, v2]") + repo("c/d"))
    second = declare(
        "version: 1\nrepositories:\n"
        + repo("a/b", "- tags: [v1]\n- tags: [v2]")
        + repo("c/d", extra="    tag_mutability: IMMUTABLE\n")
    )
    assert len(conflict(first, second)) == 3


def test_the_same_declaration_twice_counts_once() -> None:
    text = "version: 1\nrepositories:\n" + repo(
        "a/b", "- tags: [v1]", extra="    tag_mutability: IMMUTABLE\n"
    )
    declaration = declare(text)
    assert len(build_state([declaration, declaration]).repository("a/b")) == 1


def test_the_state_is_frozen_and_forks_are_writable() -> None:
    state = build_state([declare("version: 1\nrepositories:\n" + repo("a/b", "- tags: [v1]"))])
    assert state.frozen
    repository = state.repository("a/b")
    image = Image.from_manifest(
        '{"schemaVersion": 2, "mediaType": "'
        + OCI
        + '", "config": {"digest": "sha256:aaaaaaaa"}, "layers": []}'
    )
    with pytest.raises(FrozenRepositoryError):
        state.create_repository("c/d")
    with pytest.raises(FrozenRepositoryError):
        repository.put(image)
    with pytest.raises(FrozenRepositoryError):
        repository.tag("v2", repository.image("v1").digest)
    fork = state.fork()
    fork.repository("a/b").put(image)
    assert len(fork.repository("a/b")) == 2
    assert len(state.repository("a/b")) == 1
    assert state.repository("a/b").tag_mutability is TagMutability.MUTABLE


def test_load_sources_collects_problems_of_every_source(write: Write, tmp_path: Path) -> None:
    bad_one = write("version: 2\n", name="one.yaml")
    bad_two = write("version: 1\nregion: nowhere\n", name="two.yaml")
    with pytest.raises(DeclarationError) as info:
        load_sources(
            [bad_one, "version: 1\n", bad_two, {"version": 1, "extra": 1}], base_dir=tmp_path
        )
    assert [(p.source, p.path) for p in info.value.problems] == [
        (str(bad_one), "version"),
        (str(bad_two), "region"),
        ("<mapping>", ""),
    ]
    assert str(info.value).startswith("3 problems in registry declaration(s):\n")


def test_load_sources_merges_in_order(write: Write, tmp_path: Path) -> None:
    write("version: 1\nrepositories:\n" + repo("a/b", "- tags: [v1]"), name="base.yaml")
    state = load_sources(
        ["base.yaml", "version: 1\nregion: eu-west-1\n", {"version": 1, "account": "999999999999"}],
        base_dir=tmp_path,
    )
    assert (state.account, state.region) == ("999999999999", "eu-west-1")
    # base.yaml states no region: its repository lives in the merged default.
    assert state.repository("a/b").region == "eu-west-1"


# -- Repository.fill, which build_state stores merged images with -------------------------


def _pairs(repository: Repository) -> dict[str, object]:
    """Every slot of a repository, indexes flattened (in order): a new index that fill()
    does not keep as put() and tag() do shows here."""
    out: dict[str, object] = {}
    for name in Repository.__slots__:
        value = getattr(repository, name)
        out[name] = list(value.flatten().items()) if isinstance(value, LayeredMap) else value
    out["images"] = [image.digest for image in repository.images()]
    out["lists"] = {
        image.digest: repository.referencing_lists(image.digest) for image in repository.images()
    }
    return out


def test_fill_does_what_put_and_tag_do() -> None:
    images = [Image.from_manifest(synthetic_manifest(OCI, f"s{i}")) for i in range(4)]
    text, children = synthetic_index(
        MediaType.OCI_INDEX, "s", [parse_platform("linux/amd64"), parse_platform("linux/arm64")]
    )
    images[1:1] = [Image.from_manifest(child) for child in children]
    images.append(Image.from_manifest(text))
    tags = [("a", images[0].digest), ("b", images[2].digest), ("c", images[0].digest)]
    tags.append(("index", images[-1].digest))
    one = Repository("a/b", DEFAULT_ACCOUNT, DEFAULT_REGION)
    for image in [*images, images[1]]:
        one.put(image)
    for tag, digest in tags:
        one.tag(tag, digest)
    other = Repository("a/b", DEFAULT_ACCOUNT, DEFAULT_REGION)
    other.fill([*images, images[1]], tags)
    assert _pairs(other) == _pairs(one)
    one.freeze()
    other.freeze()
    assert _pairs(other) == _pairs(one)
    for repository in (one, other):
        fork = repository.fork()
        fork.untag("a")
        fork.delete(images[3].digest)
        fork.delete(images[-1].digest)
    assert _pairs(other) == _pairs(one)
    assert _pairs(other.fork()) == _pairs(one.fork())
    assert other.referencing_lists(images[1].digest) == [images[-1].digest]
    assert fork.tags_of(images[0].digest) == ("c",)
    assert fork.referencing_lists(images[1].digest) == []


def test_fill_refuses_what_put_and_tag_would_not_do_at_once() -> None:
    image = Image.from_manifest(synthetic_manifest(OCI, "s"))
    repository = Repository("a/b", DEFAULT_ACCOUNT, DEFAULT_REGION)
    with pytest.raises(KeyError, match="no image"):
        repository.fill([image], [("v1", "sha256:" + "0" * 64)])
    with pytest.raises(ValueError, match="given twice"):
        repository.fill([image], [("v1", image.digest), ("v1", image.digest)])
    assert len(repository) == 0
    repository.fill([image], [("v1", image.digest)])
    with pytest.raises(ValueError, match="is not empty"):
        repository.fill([image])
    repository.freeze()
    with pytest.raises(FrozenRepositoryError):
        repository.fill([])
