"""The registry-level settings of a declaration (``registries:`` entries): the registry
``policy`` and ``account_settings``; each key, each bad value and its message."""

from __future__ import annotations

import json

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import DeclarationError, build_state, load_declaration, load_sources
from pytest_ecr.model import DEFAULT_ACCOUNT
from pytest_ecr.model.account import account_setting
from pytest_ecr.model.policies import registry_policy

from .conftest import Problems

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
            "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/*",
        }
    ],
}


@needs("GetAccountSetting")
def test_the_registry_policy_and_account_settings_reach_the_answers() -> None:
    text = f"""\
version: 1
registries:
  - policy: '{json.dumps(POLICY)}'
    account_settings: {{REGISTRY_POLICY_SCOPE: V1, BLOB_MOUNTING: ENABLED}}
  - region: eu-west-1
    account_settings: {{BASIC_SCAN_TYPE_VERSION: CLAIR}}
"""
    with FakeEcr([text]) as fake:
        client = fake.client()
        assert client.get_registry_policy()["policyText"] == json.dumps(POLICY)
        assert client.get_account_setting(name="REGISTRY_POLICY_SCOPE")["value"] == "V1"
        assert client.get_account_setting(name="BLOB_MOUNTING")["value"] == "ENABLED"
        assert client.get_account_setting(name="BASIC_SCAN_TYPE_VERSION")["value"] == "AWS_NATIVE"
        west = fake.client(region="eu-west-1")
        assert west.get_account_setting(name="BASIC_SCAN_TYPE_VERSION")["value"] == "CLAIR"
        assert west.get_account_setting(name="REGISTRY_POLICY_SCOPE")["value"] == "V2"
        with pytest.raises(west.exceptions.RegistryPolicyNotFoundException):
            west.get_registry_policy()


def test_a_policy_mapping_is_stored_as_compact_json() -> None:
    state = load_sources([{"version": 1, "registries": [{"policy": POLICY}]}])
    assert registry_policy(state, DEFAULT_ACCOUNT, "us-east-1") == json.dumps(
        POLICY, separators=(",", ":")
    )


def test_another_account() -> None:
    state = load_sources(
        [
            "version: 1\nregistries:\n  - account: '210987654321'\n"
            "    account_settings: {BLOB_MOUNTING: ENABLED}\n"
        ]
    )
    assert account_setting(state, "210987654321", "us-east-1", "BLOB_MOUNTING") == "ENABLED"
    assert account_setting(state, DEFAULT_ACCOUNT, "us-east-1", "BLOB_MOUNTING") == "DISABLED"


def test_sources_must_agree() -> None:
    one = load_declaration(
        "version: 1\nregistries:\n  - account_settings: {BLOB_MOUNTING: ENABLED}\n"
    )
    two = load_declaration(
        "version: 1\nregistries:\n  - account_settings: {BLOB_MOUNTING: DISABLED}\n"
    )
    with pytest.raises(DeclarationError) as info:
        build_state([one, two])
    assert "account_settings of registry 123456789012 (us-east-1) is declared differently" in (
        info.value.problems[0].message
    )


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        (
            "    policy: 3\n",
            "registries[0].policy",
            "expected a mapping or JSON text, found the integer 3",
        ),
        (
            "    policy: '{\"Statement\": []}'\n",
            "registries[0].policy",
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry "
            "policy provided'",
        ),
        (
            "    account_settings: [BLOB_MOUNTING]\n",
            "registries[0].account_settings",
            "expected a mapping, found a list",
        ),
        (
            "    account_settings: {BLOB_MOUNT: ENABLED}\n",
            "registries[0].account_settings.BLOB_MOUNT",
            "unknown account setting the string 'BLOB_MOUNT'",
        ),
        (
            "    account_settings: {REGISTRY_POLICY_SCOPE: V3}\n",
            "registries[0].account_settings.REGISTRY_POLICY_SCOPE",
            "REGISTRY_POLICY_SCOPE cannot be the string 'V3'",
        ),
    ],
    ids=["policy-type", "policy-invalid", "settings-type", "unknown-name", "unknown-value"],
)
def test_bad_values(problems: Problems, body: str, path: str, message: str) -> None:
    found = problems(f"version: 1\nregistries:\n  - region: us-east-1\n{body}")
    assert [(p.path, p.message) for p in found] == [(path, message)]
    assert found[0].line == 4


def test_a_suggestion_for_a_misspelt_name(problems: Problems) -> None:
    [problem] = problems("version: 1\nregistries:\n  - account_settings: {BLOB_MOUNTNG: ENABLED}\n")
    assert problem.hint is not None
    assert "did you mean 'BLOB_MOUNTING'?" in problem.hint
