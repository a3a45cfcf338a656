"""The answer memo: repeated reads answered from it, and never an answer a write,
a fault, another registry or another backend would have changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pytest_ecr import FakeEcr, service
from pytest_ecr import fake as fake_module
from pytest_ecr.declarations import synthetic_manifest
from pytest_ecr.memo import ANSWERS, AnswerMemo, MemoEntry, MemoKey
from pytest_ecr.model import Image, MediaType, RegistryState

REGISTRY = {
    "version": 1,
    "account": "111122223333",
    "region": "us-east-1",
    "repositories": [
        {"name": "team/api", "images": [{"tags": ["v1", "latest"]}, {"tags": ["v2"]}]},
        {"name": "team/web", "images": [{"tags": ["v1"]}]},
    ],
}


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations the service really computed (not answered from the memo)."""
    seen: list[str] = []
    real = service.dispatch

    def counting(state: Any, operation: str, params: Any, ctx: Any) -> Any:
        seen.append(operation)
        return real(state, operation, params, ctx)

    monkeypatch.setattr(fake_module, "dispatch", counting)
    return seen


@pytest.fixture
def memo() -> Iterator[AnswerMemo]:
    ANSWERS.clear()
    yield ANSWERS
    ANSWERS.clear()


def get(client: Any, tag: str = "v1", repo: str = "team/api") -> dict[str, Any]:
    response = client.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": tag}])
    del response["ResponseMetadata"]
    return dict(response)


declared = pytest.mark.ecr_registry(REGISTRY)


@declared
def test_a_repeated_read_is_computed_once(
    ecr: FakeEcr, computed: list[str], memo: AnswerMemo
) -> None:
    client = ecr.client()
    first = get(client)
    assert [get(client) for _ in range(3)] == [first] * 3
    assert computed == ["BatchGetImage"]
    assert len(memo) == 1
    # Every attempt is still in the history, with what it asked and what it was told.
    calls = ecr.calls("BatchGetImage")
    assert len(calls) == 4
    for call in calls:
        assert call.params == {"repositoryName": "team/api", "imageIds": [{"imageTag": "v1"}]}
        assert call.response == first
        assert call.ok


@declared
def test_the_memo_gives_the_same_bytes_as_computing(ecr: FakeEcr, memo: AnswerMemo) -> None:
    client = ecr.client()
    got = get(client)
    memo.enabled = False
    try:
        assert get(client) == got
    finally:
        memo.enabled = True
    assert get(client) == got


@declared
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda repo, digest: repo.tag("v1", digest), id="tag moved"),
        pytest.param(lambda repo, digest: repo.untag("v1"), id="untag"),
        pytest.param(lambda repo, digest: repo.delete(repo.image("v1").digest), id="delete"),
    ],
)
def test_a_write_through_the_model_is_seen(
    ecr: FakeEcr, computed: list[str], memo: AnswerMemo, write: Any
) -> None:
    client = ecr.client()
    before = get(client)
    repo = ecr.registry.repository("team/api")
    write(repo, repo.image("v2").digest)
    after = get(client)
    assert after != before
    assert computed == ["BatchGetImage", "BatchGetImage"]


@declared
def test_a_write_through_the_api_is_seen(ecr: FakeEcr, memo: AnswerMemo) -> None:
    client = ecr.client()
    assert get(client, "v3")["failures"][0]["failureCode"] == "ImageNotFound"
    manifest = synthetic_manifest(MediaType.DOCKER_V2, "memo/v3")
    client.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="v3")
    assert get(client, "v3")["images"][0]["imageManifest"] == manifest


@declared
def test_a_recreated_repository_is_not_the_old_one(ecr: FakeEcr, memo: AnswerMemo) -> None:
    client = ecr.client()
    assert get(client, repo="team/web")["images"]
    client.delete_repository(repositoryName="team/web", force=True)
    client.create_repository(repositoryName="team/web")
    assert get(client, repo="team/web")["failures"][0]["failureCode"] == "ImageNotFound"


@declared
def test_list_and_describe_see_writes(ecr: FakeEcr, memo: AnswerMemo) -> None:
    client = ecr.client()
    listed = client.list_images(repositoryName="team/api")["imageIds"]
    described = client.describe_images(repositoryName="team/api")["imageDetails"]
    manifest = synthetic_manifest(MediaType.DOCKER_V2, "memo/list")
    client.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="v9")
    assert len(client.list_images(repositoryName="team/api")["imageIds"]) == len(listed) + 1
    assert len(client.describe_images(repositoryName="team/api")["imageDetails"]) == (
        len(described) + 1
    )


@declared
def test_an_armed_fault_bypasses_the_memo(
    ecr: FakeEcr, computed: list[str], memo: AnswerMemo
) -> None:
    client = ecr.client()
    get(client)
    ecr.fault("BatchGetImage", failure="ImageNotFound", image="team/api:v1", times=1)
    assert get(client)["failures"][0]["failureCode"] == "ImageNotFound"
    assert get(client)["images"]  # the fault fired once; still armed, so computed
    assert computed == ["BatchGetImage", "BatchGetImage"]
    ecr.clear_faults()
    get(client)
    assert computed == ["BatchGetImage", "BatchGetImage"]


def test_a_declared_fault_bypasses_the_memo(computed: list[str], memo: AnswerMemo) -> None:
    with FakeEcr([{**REGISTRY, "faults": [{"error": "ThrottlingException", "times": 1}]}]) as ecr:
        client = ecr.client(retries={"total_max_attempts": 1, "mode": "standard"})
        with pytest.raises(client.exceptions.ClientError, match="Throttling"):
            get(client)
        get(client)
        get(client)
    assert computed == ["BatchGetImage", "BatchGetImage"]


@declared
def test_each_test_starts_from_the_declared_answers(ecr: FakeEcr, memo: AnswerMemo) -> None:
    """A test's fork shares its declared repositories' revisions, so an answer computed
    in one test serves the next until a test writes; the write stays that test's."""
    client = ecr.client()
    declared = get(client)
    repo = ecr.registry.repository("team/api")
    repo.tag("v1", repo.image("v2").digest)
    moved = get(client)
    ecr.reset()  # what the next test sees
    assert get(client) == declared != moved


def test_regions_and_registries_are_kept_apart(memo: AnswerMemo) -> None:
    two_regions = {
        "version": 1,
        "account": "111122223333",
        "repositories": [
            {"name": "app", "region": "us-east-1", "images": [{"tags": ["v1"]}]},
            {"name": "app", "region": "eu-west-1", "images": [{"tags": ["v2"]}]},
        ],
    }
    with FakeEcr([two_regions]) as ecr:
        east, west = ecr.client("us-east-1"), ecr.client("eu-west-1")
        for _ in range(2):
            assert get(east, "v1", "app")["images"]
            assert get(west, "v1", "app")["failures"]
    other = {**REGISTRY, "repositories": [{"name": "team/api", "images": [{"tags": ["v2"]}]}]}
    with FakeEcr([other]) as ecr:
        assert get(ecr.client())["failures"][0]["failureCode"] == "ImageNotFound"


@declared
def test_the_http_endpoint_uses_the_same_memo(
    ecr: FakeEcr, ecr_server: Any, computed: list[str], memo: AnswerMemo
) -> None:
    in_process = get(ecr.client())
    over_http = get(
        boto3.client("ecr", region_name="us-east-1", endpoint_url=ecr_server.endpoint_url)
    )
    assert over_http == in_process
    assert computed == ["BatchGetImage"]
    assert [c.transport for c in ecr.calls()] == ["botocore", "http"]


@declared
@pytest.mark.ecr_backend("moto")
def test_the_moto_backend_never_uses_the_memo(ecr: FakeEcr, memo: AnswerMemo) -> None:
    client = ecr.client()
    get(client)
    get(client)
    assert len(memo) == 0


# -- the memo itself ---------------------------------------------------------------------


def _entry(size: int) -> MemoEntry:
    return MemoEntry(("1", "r", "n"), object(), "x" * size, b"x" * size)


def test_the_budget_is_kept() -> None:
    memo = AnswerMemo(budget=100)
    memo.put(MemoKey("BatchGetImage", b"a", "1", "r"), _entry(40))
    memo.put(MemoKey("BatchGetImage", b"b", "1", "r"), _entry(40))
    assert len(memo) == 2
    memo.put(MemoKey("BatchGetImage", b"c", "1", "r"), _entry(40))  # over: starts again
    assert len(memo) == 1
    memo.put(MemoKey("BatchGetImage", b"d", "1", "r"), _entry(200))  # never kept
    assert memo.get(MemoKey("BatchGetImage", b"d", "1", "r")) is None
    memo.put(MemoKey("BatchGetImage", b"c", "1", "r"), _entry(40))  # replaced, not added
    assert len(memo) == 1


def test_a_disabled_memo_keeps_nothing() -> None:
    memo = AnswerMemo()
    memo.enabled = False
    key = MemoKey("BatchGetImage", b"a", "1", "r")
    memo.put(key, _entry(1))
    assert len(memo) == 0
    assert memo.get(key) is None


# -- the model's revision ------------------------------------------------------------------


def _image(seed: str) -> Image:
    return Image.from_manifest(synthetic_manifest(MediaType.DOCKER_V2, seed))


def test_the_revision_changes_with_the_contents_only() -> None:
    state = RegistryState()
    repo = state.create_repository("a/b")
    one, two = _image("one"), _image("two")
    seen = [repo.revision]

    def changed() -> bool:
        now = repo.revision
        fresh = all(now is not old for old in seen)
        seen.append(now)
        return fresh

    repo.put(one)
    assert changed()
    repo.put(one)  # already there: nothing changes
    assert not changed()
    repo.tag("v1", one.digest)
    assert changed()
    repo.tag("v1", one.digest)  # already points there
    assert not changed()
    repo.put(two)
    assert changed()
    repo.tag("v1", two.digest)
    assert changed()
    repo.untag("v1")
    assert changed()
    assert repo.untag("v1") is None
    assert not changed()
    repo.delete(one.digest)
    assert changed()
    repo.tag_mutability = repo.tag_mutability  # settings are not contents
    assert not changed()


def test_fill_gives_a_new_revision() -> None:
    repo = RegistryState().create_repository("a/b")
    before = repo.revision
    image = _image("fill")
    repo.fill([image], [("v1", image.digest)])
    assert repo.revision is not before


def test_a_fork_shares_its_origin_s_revision_until_it_writes() -> None:
    state = RegistryState()
    image = _image("fork")
    state.create_repository("a/b").put(image)
    state.freeze()
    frozen = state.repository("a/b")
    first, second = state.fork().repository("a/b"), state.fork().repository("a/b")
    assert first.revision is frozen.revision is second.revision
    first.tag("v1", image.digest)
    assert first.revision is not frozen.revision
    assert second.revision is frozen.revision


def test_the_revision_is_replaced_only_once_the_write_is_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader that sees the new revision must see the finished write: every index is
    updated while the old revision is still in place."""
    from pytest_ecr.model.layered import LayeredMap

    repo = RegistryState().create_repository("a/b")
    one, two = _image("done-1"), _image("done-2")
    during: list[object] = []
    real_set, real_pop = LayeredMap.__setitem__, LayeredMap.pop

    def spy_set(self: Any, key: Any, value: Any) -> None:
        during.append(repo.revision)
        real_set(self, key, value)

    def spy_pop(self: Any, key: Any) -> Any:
        during.append(repo.revision)
        return real_pop(self, key)

    monkeypatch.setattr(LayeredMap, "__setitem__", spy_set)
    monkeypatch.setattr(LayeredMap, "pop", spy_pop)
    for write in (
        lambda: repo.put(one),
        lambda: repo.put(two),
        lambda: repo.tag("v1", one.digest),
        lambda: repo.tag("v1", two.digest),
        lambda: repo.untag("v1"),
        lambda: repo.delete(one.digest),
    ):
        before = repo.revision
        during.clear()
        write()
        assert during, "the write changed no index"
        assert all(seen is before for seen in during)
        assert repo.revision is not before
