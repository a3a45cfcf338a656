"""The AWS environment an active fake sets, and how it is put back."""

from __future__ import annotations

import os

import pytest

from pytest_ecr.credentials import (
    FAKE_ACCESS_KEY,
    REMOVED_VARIABLES,
    patch_environment,
    process_environment,
    restore_environment,
)


@pytest.fixture
def clean_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)


@pytest.mark.usefixtures("clean_aws_env")
def test_patch_sets_unsets_and_restores_every_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "prod")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY000000000")
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z")
    before = dict(os.environ)

    saved = patch_environment("eu-west-1")

    expected = process_environment("eu-west-1", before)
    for name, value in expected.items():
        assert os.environ.get(name) == value, name
    assert os.environ["AWS_ACCESS_KEY_ID"] == FAKE_ACCESS_KEY
    assert not any(name in os.environ for name in REMOVED_VARIABLES)
    assert saved["AWS_PROFILE"] == "prod"
    assert saved["AWS_SESSION_TOKEN"] is None

    restore_environment(saved)
    assert dict(os.environ) == before


@pytest.mark.usefixtures("clean_aws_env")
def test_restore_undoes_what_the_test_changed_in_between() -> None:
    before = dict(os.environ)
    saved = patch_environment("us-east-1")
    # A test that sets a variable the fake had unset, unsets one it had set, and changes
    # one it had changed: each is put back as it was before the fake.
    os.environ["AWS_PROFILE"] = "sneaky"
    del os.environ["AWS_SECRET_ACCESS_KEY"]
    os.environ["AWS_DEFAULT_REGION"] = "ap-south-1"

    restore_environment(saved)
    assert dict(os.environ) == before


@pytest.mark.usefixtures("clean_aws_env")
def test_a_region_already_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "sa-east-1")
    saved = patch_environment("us-east-1")
    try:
        assert "AWS_DEFAULT_REGION" not in os.environ
        assert os.environ["AWS_REGION"] == "sa-east-1"
    finally:
        restore_environment(saved)
