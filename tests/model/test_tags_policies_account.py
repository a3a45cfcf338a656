"""Pure model logic of tags, policies, account settings, KMS key ids and tag mutability."""

from __future__ import annotations

import pytest

from pytest_ecr.model import RegistryState, TagMutability
from pytest_ecr.model.account import account_setting, account_setting_key, set_account_setting
from pytest_ecr.model.encryption import alias_key_id, aws_managed_key_id
from pytest_ecr.model.repository import FrozenRepositoryError, tag_is_immutable
from pytest_ecr.model.tags import merged, repository_tags, set_repository_tags, without


def test_merge_keeps_places_and_appends() -> None:
    assert merged((("a", "1"), ("b", "2")), (("c", "3"), ("a", "x"))) == (
        ("a", "x"),
        ("b", "2"),
        ("c", "3"),
    )
    assert without((("a", "1"), ("b", "2")), ("a", "z")) == (("b", "2"),)


def test_tags_and_settings_fork_like_everything_else() -> None:
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("team/api")
    set_repository_tags(repo, (("a", "1"),))
    set_account_setting(state, "111122223333", "us-east-1", "BLOB_MOUNTING", "ENABLED")
    state.freeze()
    fork = state.fork()
    mine = fork.repository("team/api")
    set_repository_tags(mine, ())
    assert repository_tags(mine) == ()
    assert mine.setting("tags") is None
    assert repository_tags(state.repository("team/api")) == (("a", "1"),)
    with pytest.raises(FrozenRepositoryError):
        state.repository("team/api").configure(scan_on_push=True)
    assert account_setting(fork, "111122223333", "us-east-1", "BLOB_MOUNTING") == "ENABLED"
    assert account_setting(fork, "111122223333", "eu-west-1", "BLOB_MOUNTING") == "DISABLED"
    assert account_setting_key("BLOB_MOUNTING") == "account_setting:BLOB_MOUNTING"


def test_key_ids_are_deterministic_and_distinct() -> None:
    assert aws_managed_key_id("111122223333", "us-east-1") == alias_key_id(
        "111122223333", "us-east-1", "alias/aws/ecr"
    )
    ids = {alias_key_id(a, r, k) for a in ("1", "2") for r in ("x", "y") for k in ("k", "l")}
    assert len(ids) == 8


@pytest.mark.parametrize(
    ("mode", "filters", "tag", "immutable"),
    [
        (TagMutability.MUTABLE, (), "v1", False),
        (TagMutability.IMMUTABLE, (), "v1", True),
        (TagMutability.IMMUTABLE_WITH_EXCLUSION, (), "v1", True),
        (TagMutability.MUTABLE_WITH_EXCLUSION, (), "v1", False),
        (TagMutability.IMMUTABLE_WITH_EXCLUSION, ("*",), "anything", False),
        (TagMutability.MUTABLE_WITH_EXCLUSION, ("v*.*",), "v1.2", True),
        (TagMutability.MUTABLE_WITH_EXCLUSION, ("v*.*",), "V1.2", False),
        (TagMutability.MUTABLE_WITH_EXCLUSION, ("a.b",), "axb", False),
    ],
)
def test_tag_is_immutable(
    mode: TagMutability, filters: tuple[str, ...], tag: str, immutable: bool
) -> None:
    assert tag_is_immutable(mode, filters, tag) is immutable
