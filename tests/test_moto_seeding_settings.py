"""The moto backend holds the declared repository settings (tags, mutability with its
exclusions, scan-on-push, encryption with its key ARN, creation time, the repository
policy) and the registry policy; account settings have no place in moto."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model.encryption import aws_managed_key_id
from pytest_ecr.service.policies import jackson_pretty

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("moto") is None, reason="moto is not installed"
)
ACCOUNT = "111122223333"
POLICY = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}
REGISTRY_POLICY = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:ReplicateImage"}]}
)
DECLARATION = f"""\
version: 1
account: "{ACCOUNT}"
registries:
  - policy: '{REGISTRY_POLICY}'
    account_settings: {{BLOB_MOUNTING: ENABLED}}
repositories:
  - name: team/api
    tags: {{team: api}}
    scan_on_push: true
    encryption: {{type: KMS}}
    created_at: 2023-01-02T03:04:05Z
    tag_mutability: MUTABLE_WITH_EXCLUSION
    tag_mutability_exclusions: ['release-*']
    policy: {json.dumps(POLICY)}
"""


@pytest.fixture
def moto_fake() -> Any:
    with FakeEcr([DECLARATION], backend="moto") as fake:
        yield fake


@needs("Repository.imageTagMutabilityExclusionFilters")
def test_moto_answers_the_declared_settings(moto_fake: FakeEcr) -> None:
    client = moto_fake.client()
    [repo] = client.describe_repositories()["repositories"]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"] == {
        "encryptionType": "KMS",
        "kmsKey": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{aws_managed_key_id(ACCOUNT, 'us-east-1')}",
    }
    assert repo["createdAt"].isoformat() == "2023-01-02T03:04:05+00:00"
    assert repo["imageTagMutability"] == "MUTABLE_WITH_EXCLUSION"
    assert repo["imageTagMutabilityExclusionFilters"] == [
        {"filterType": "WILDCARD", "filter": "release-*"}
    ]
    tags = client.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]
    assert tags == [{"Key": "team", "Value": "api"}]
    policy = client.get_repository_policy(repositoryName="team/api")["policyText"]
    assert policy == jackson_pretty(POLICY)
    assert client.get_registry_policy()["policyText"] == REGISTRY_POLICY


@needs("GetAccountSetting")
def test_account_settings_are_dropped(moto_fake: FakeEcr) -> None:
    # The local backend answers them; moto does not implement the operation.
    assert (
        moto_fake.registry.registry_setting(ACCOUNT, "us-east-1", "account_setting:BLOB_MOUNTING")
        == "ENABLED"
    )
    with pytest.raises(NotImplementedError, match="get_account_setting"):
        moto_fake.client().get_account_setting(name="BLOB_MOUNTING")
