"""DescribeRepositories, CreateRepository and DeleteRepository through real boto3 clients."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore_model import needs, require

from pytest_ecr import FakeEcr
from pytest_ecr.model import RegistryState
from pytest_ecr.model.encryption import alias_key_id

from .support import ACCOUNT, CREATED_AT, error_of, strip

NAME_PATTERN = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*"


def shape(name: str, **overrides: Any) -> dict[str, Any]:
    expected = {
        "repositoryArn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{name}",
        "registryId": ACCOUNT,
        "repositoryName": name,
        "repositoryUri": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{name}",
        "createdAt": datetime.fromtimestamp(CREATED_AT, timezone.utc),
        "imageTagMutability": "MUTABLE",
        "imageScanningConfiguration": {"scanOnPush": False},
        "encryptionConfiguration": {"encryptionType": "AES256"},
    }
    expected.update(overrides)
    return expected


# -- DescribeRepositories --------------------------------------------------------------


def test_describe_every_repository_of_the_callers_registry(client: Any) -> None:
    assert strip(client.describe_repositories()) == {
        "repositories": [
            shape("team/api"),
            shape("team/multi"),
            shape("team/locked", imageTagMutability="IMMUTABLE"),
            shape("legacy"),
            shape("empty"),
        ]
    }


def test_describe_by_name_keeps_request_order_and_describes_a_name_once(client: Any) -> None:
    response = client.describe_repositories(repositoryNames=["empty", "team/api", "empty"])
    assert strip(response) == {"repositories": [shape("empty"), shape("team/api")]}


def test_describe_a_missing_name(client: Any) -> None:
    assert error_of(
        client.describe_repositories, repositoryNames=["team/api", "team/nope", "other/nope"]
    ) == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


def test_describe_another_registry(fake: FakeEcr) -> None:
    client = fake.client(region="eu-west-1")
    [repo] = client.describe_repositories(registryId="210987654321")["repositories"]
    assert repo["repositoryArn"] == "arn:aws:ecr:eu-west-1:210987654321:repository/mirror/ubuntu"
    assert repo["repositoryUri"] == ("210987654321.dkr.ecr.eu-west-1.amazonaws.com/mirror/ubuntu")
    assert client.describe_repositories()["repositories"] == []


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
        ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
        ("ap-southeast-2", "aws", "amazonaws.com"),
    ],
)
def test_arn_and_uri_follow_the_partition(region: str, partition: str, suffix: str) -> None:
    state = RegistryState(ACCOUNT, region)
    state.create_repository("team/api")
    with FakeEcr(state=state) as fake:
        [repo] = fake.client(region=region).describe_repositories()["repositories"]
    assert repo["repositoryArn"] == f"arn:{partition}:ecr:{region}:{ACCOUNT}:repository/team/api"
    assert repo["repositoryUri"] == f"{ACCOUNT}.dkr.ecr.{region}.{suffix}/team/api"


def test_names_and_paging_cannot_be_combined(client: Any) -> None:
    assert error_of(client.describe_repositories, repositoryNames=["empty"], maxResults=5) == (
        "InvalidParameterException",
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        "'Member cannot be specified together with repositoryNames'",
        400,
    )
    assert error_of(client.describe_repositories, repositoryNames=["empty"], nextToken="x")[1] == (
        "Invalid parameter at 'nextToken' failed to satisfy constraint: "
        "'Member cannot be specified together with repositoryNames'"
    )


def test_more_than_100_names(client: Any) -> None:
    assert error_of(
        client.describe_repositories, repositoryNames=[f"r{i:03}" for i in range(101)]
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'repositoryNames' failed to satisfy constraint: "
        "'Member must have length less than or equal to 100'",
        400,
    )


def test_malformed_name_in_the_list(client: Any) -> None:
    assert error_of(client.describe_repositories, repositoryNames=["empty", "BAD!"])[1] == (
        "Invalid parameter at 'repositoryNames.2.member' failed to satisfy constraint: "
        f"'must satisfy regular expression '{NAME_PATTERN}''"
    )


@pytest.mark.parametrize(
    ("value", "constraint"),
    [
        (1001, "Member must have value less than or equal to 1000"),
        (0, "Member must have value greater than or equal to 1"),
    ],
)
def test_max_results_out_of_range(fake: FakeEcr, value: int, constraint: str) -> None:
    client = fake.client(parameter_validation=False)
    assert error_of(client.describe_repositories, maxResults=value) == (
        "InvalidParameterException",
        f"Invalid parameter at 'maxResults' failed to satisfy constraint: '{constraint}'",
        400,
    )


def test_garbage_next_token(client: Any) -> None:
    assert error_of(client.describe_repositories, nextToken="not-a-token") == (
        "InvalidParameterException",
        "Invalid parameter at 'nextToken' failed to satisfy constraint: "
        "'Member must be a nextToken returned by a previous call with the same parameters'",
        400,
    )


def test_pages_of_one(client: Any) -> None:
    first = client.describe_repositories(maxResults=2)
    assert [r["repositoryName"] for r in first["repositories"]] == ["team/api", "team/multi"]
    second = client.describe_repositories(maxResults=2, nextToken=first["nextToken"])
    assert [r["repositoryName"] for r in second["repositories"]] == ["team/locked", "legacy"]
    last = client.describe_repositories(maxResults=2, nextToken=second["nextToken"])
    assert [r["repositoryName"] for r in last["repositories"]] == ["empty"]
    assert "nextToken" not in last


def test_paginator_over_many_repositories() -> None:
    state = RegistryState(ACCOUNT, "us-east-1")
    for i in range(250):
        state.create_repository(f"svc/r{i:03}")
    with FakeEcr(state=state) as fake:
        pages = list(fake.client().get_paginator("describe_repositories").paginate())
        calls = fake.calls("DescribeRepositories").count
    names = [r["repositoryName"] for page in pages for r in page["repositories"]]
    assert names == [f"svc/r{i:03}" for i in range(250)]
    assert [len(page["repositories"]) for page in pages] == [100, 100, 50]
    assert calls == 3


# -- CreateRepository ------------------------------------------------------------------


def test_create_returns_the_repository_and_describe_sees_it(client: Any) -> None:
    before = time.time()
    created = strip(client.create_repository(repositoryName="team/new"))
    after = time.time()
    created_at = created["repository"].pop("createdAt")
    assert before - 0.001 <= created_at.timestamp() <= after + 0.001
    expected = shape("team/new")
    del expected["createdAt"]
    assert created == {"repository": expected}
    [described] = client.describe_repositories(repositoryNames=["team/new"])["repositories"]
    assert described["createdAt"] == created_at


@needs("CreateRepositoryRequest.imageTagMutabilityExclusionFilters")
def test_create_with_settings(client: Any) -> None:
    repo = client.create_repository(
        repositoryName="team/settings",
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest*"}],
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/team"},
        tags=[{"Key": "team", "Value": "api"}],
    )["repository"]
    assert repo["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repo["imageTagMutabilityExclusionFilters"] == [
        {"filterType": "WILDCARD", "filter": "latest*"}
    ]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    # ECR reports the key an alias names by its key ARN (the fake's key id derives from
    # the alias, the account and the Region).
    assert repo["encryptionConfiguration"] == {
        "encryptionType": "KMS",
        "kmsKey": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"
        + alias_key_id(ACCOUNT, "us-east-1", "alias/team"),
    }
    [again] = client.describe_repositories(repositoryNames=["team/settings"])["repositories"]
    assert again == repo


def test_create_an_existing_repository(client: Any) -> None:
    assert error_of(client.create_repository, repositoryName="team/api") == (
        "RepositoryAlreadyExistsException",
        f"The repository with name 'team/api' already exists in the registry with id '{ACCOUNT}'",
        400,
    )


def test_create_with_a_malformed_name(client: Any) -> None:
    assert error_of(client.create_repository, repositoryName="Team/API") == (
        "InvalidParameterException",
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: "
        f"'must satisfy regular expression '{NAME_PATTERN}''",
        400,
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"imageTagMutability": "SOMETIMES"},
            "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: "
            "'Member must satisfy enum value set: [MUTABLE, IMMUTABLE, "
            "IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'",
        ),
        (
            {"imageTagMutability": "MUTABLE_WITH_EXCLUSION"},
            "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy "
            "constraint: 'Member must not be null when imageTagMutability is "
            "MUTABLE_WITH_EXCLUSION'",
        ),
        (
            {"imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "x"}]},
            "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy "
            "constraint: 'Member must be null when imageTagMutability is MUTABLE'",
        ),
        (
            {
                "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "a b"}],
            },
            "Invalid parameter at 'imageTagMutabilityExclusionFilters.1.member.filter' failed "
            "to satisfy constraint: 'must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}$''",
        ),
        (
            {"encryptionConfiguration": {"encryptionType": "AES256", "kmsKey": "alias/k"}},
            "Invalid parameter at 'encryptionConfiguration.kmsKey' failed to satisfy "
            "constraint: 'Member must be null when encryptionType is AES256'",
        ),
    ],
    ids=["mutability", "filters-missing", "filters-unexpected", "filter-pattern", "aes-key"],
)
def test_create_with_invalid_settings(client: Any, params: dict[str, Any], message: str) -> None:
    if "imageTagMutabilityExclusionFilters" in params:
        require("CreateRepositoryRequest.imageTagMutabilityExclusionFilters")
    assert error_of(client.create_repository, repositoryName="team/x", **params) == (
        "InvalidParameterException",
        message,
        400,
    )


# -- DeleteRepository ------------------------------------------------------------------


def test_delete_an_empty_repository(client: Any) -> None:
    assert strip(client.delete_repository(repositoryName="empty")) == {"repository": shape("empty")}
    assert error_of(client.describe_repositories, repositoryNames=["empty"])[0] == (
        "RepositoryNotFoundException"
    )


def test_delete_a_repository_with_images(client: Any) -> None:
    assert error_of(client.delete_repository, repositoryName="team/api") == (
        "RepositoryNotEmptyException",
        f"The repository with name 'team/api' in registry with id '{ACCOUNT}' cannot be "
        "deleted because it still contains images",
        400,
    )
    assert client.delete_repository(repositoryName="team/api", force=True)["repository"] == (
        shape("team/api")
    )
    assert error_of(client.list_images, repositoryName="team/api")[0] == (
        "RepositoryNotFoundException"
    )


def test_delete_a_missing_repository(client: Any) -> None:
    assert error_of(client.delete_repository, repositoryName="team/nope") == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


def test_recreate_after_delete_starts_empty(client: Any) -> None:
    client.delete_repository(repositoryName="team/api", force=True)
    client.create_repository(repositoryName="team/api")
    assert client.list_images(repositoryName="team/api")["imageIds"] == []
    names = [r["repositoryName"] for r in client.describe_repositories()["repositories"]]
    assert names.count("team/api") == 1


def test_writes_stay_in_the_fork(declared: RegistryState) -> None:
    with FakeEcr(state=declared) as fake:
        client = fake.client()
        client.delete_repository(repositoryName="team/api", force=True)
        client.create_repository(repositoryName="team/brand-new")
    assert declared.get_repository(ACCOUNT, "us-east-1", "team/api") is not None
    assert declared.get_repository(ACCOUNT, "us-east-1", "team/brand-new") is None
    with FakeEcr(state=declared) as second:
        names = [
            r["repositoryName"] for r in second.client().describe_repositories()["repositories"]
        ]
    assert names == ["team/api", "team/multi", "team/locked", "legacy", "empty"]
