"""Repository settings, per-image state and registry-level settings: what the control
plane operations store, with the same fork semantics as images and tags."""

from __future__ import annotations

import time

import pytest

from pytest_ecr.clock import VirtualClock
from pytest_ecr.model import Image, RegistryState
from pytest_ecr.model.repository import FrozenRepositoryError
from pytest_ecr.service import RequestContext

MANIFEST = (
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,'
    '"digest":"sha256:' + "0" * 64 + '"},"layers":[]}'
)


def declared() -> RegistryState:
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("team/api")
    image = repo.put(Image.from_manifest(MANIFEST))
    repo.set_setting("tags", (("team", "api"),))
    repo.set_image_state(image.digest, "scan", "COMPLETE")
    state.set_registry_setting("111122223333", "us-east-1", "policy", "{}")
    return state.freeze()


def test_settings_are_per_fork_and_never_reach_the_declared_state() -> None:
    base = declared()
    one, two = base.fork(), base.fork()
    repo = one.repository("team/api")
    digest = next(repo.images()).digest
    assert repo.set_setting("tags", (("team", "web"),)) == (("team", "api"),)
    repo.set_image_state(digest, "scan", "FAILED")
    one.set_registry_setting("111122223333", "us-east-1", "policy", None)
    assert repo.setting("tags") == (("team", "web"),)
    assert repo.image_state(digest, "scan") == "FAILED"
    assert one.registry_setting("111122223333", "us-east-1", "policy") is None
    assert list(one.registry_settings("policy")) == []
    other = two.repository("team/api")
    assert other.setting("tags") == (("team", "api"),)
    assert other.image_state(digest, "scan") == "COMPLETE"
    assert list(two.registry_settings("policy")) == [("111122223333", "us-east-1", "{}")]
    assert base.repository("team/api").setting("tags") == (("team", "api"),)


def test_removing_a_setting_and_an_images_state() -> None:
    repo = declared().fork().repository("team/api")
    digest = next(repo.images()).digest
    assert repo.set_setting("tags", None) == (("team", "api"),)
    assert repo.setting("tags") is None
    assert dict(repo.settings()) == {}
    repo.set_image_state(digest, "scan", None)
    assert dict(repo.image_states(digest)) == {}


def test_an_images_state_goes_with_the_image() -> None:
    repo = declared().fork().repository("team/api")
    digest = next(repo.images()).digest
    repo.delete(digest)
    assert repo.image_state(digest, "scan") is None
    with pytest.raises(KeyError, match="no image"):
        repo.set_image_state(digest, "scan", "COMPLETE")


def test_a_deleted_repository_takes_its_settings_along() -> None:
    state = declared().fork()
    state.delete_repository("111122223333", "us-east-1", "team/api")
    fresh = state.create_repository("team/api")
    assert fresh.setting("tags") is None


def test_declared_settings_cannot_be_written() -> None:
    base = declared()
    with pytest.raises(FrozenRepositoryError):
        base.repository("team/api").set_setting("tags", ())
    with pytest.raises(FrozenRepositoryError):
        base.set_registry_setting("111122223333", "us-east-1", "policy", "{}")


def test_the_virtual_clock_runs_ahead_by_what_it_did_not_sleep() -> None:
    clock = VirtualClock()
    before = time.time()
    clock.sleep(5.0, "waiter")
    clock.sleep(86400.0, "advance")
    assert clock.now() >= before + 86405.0
    assert clock.backoff == []
    clock.clear()
    assert clock.now() < before + 60


def test_a_real_time_clock_sleeps_all_but_an_advance() -> None:
    clock = VirtualClock(real=True)
    before = time.time()
    clock.sleep(3600.0, "advance")
    assert before + 3600.0 <= clock.now() < before + 3660.0


def test_a_context_reads_its_time_source() -> None:
    ctx = RequestContext("111122223333", "us-east-1", time_source=lambda: 42.0)
    assert ctx.clock() == 42.0
    assert (
        RequestContext("111122223333", "us-east-1", now=7.0, time_source=lambda: 1.0).clock() == 7.0
    )
