"""TagResource, UntagResource, ListTagsForResource and CreateRepository's tags, through
real boto3 clients (in process and over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.model import RegistryState

from .support import ACCOUNT, error_of, strip

ARN = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/api"


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in pairs]


def listed(client: Any, arn: str = ARN) -> list[dict[str, str]]:
    return list(client.list_tags_for_resource(resourceArn=arn)["tags"])


def test_a_repository_starts_without_tags(any_client: Any) -> None:
    assert strip(any_client.list_tags_for_resource(resourceArn=ARN)) == {"tags": []}


def test_tag_merges_and_keeps_the_order_keys_were_added(any_client: Any) -> None:
    assert strip(any_client.tag_resource(resourceArn=ARN, tags=tags(("b", "1"), ("a", "2")))) == {}
    any_client.tag_resource(resourceArn=ARN, tags=tags(("c", "3"), ("b", "changed")))
    assert listed(any_client) == tags(("b", "changed"), ("a", "2"), ("c", "3"))


def test_an_empty_value_is_a_value(any_client: Any) -> None:
    any_client.tag_resource(resourceArn=ARN, tags=tags(("empty", "")))
    assert listed(any_client) == tags(("empty", ""))


def test_untag_removes_named_keys_and_ignores_absent_ones(any_client: Any) -> None:
    any_client.tag_resource(resourceArn=ARN, tags=tags(("a", "1"), ("b", "2"), ("c", "3")))
    assert strip(any_client.untag_resource(resourceArn=ARN, tagKeys=["b", "nope"])) == {}
    assert listed(any_client) == tags(("a", "1"), ("c", "3"))
    any_client.untag_resource(resourceArn=ARN, tagKeys=[])
    assert listed(any_client) == tags(("a", "1"), ("c", "3"))


def test_tags_are_per_repository_and_per_test(fake: FakeEcr, any_client: Any) -> None:
    any_client.tag_resource(resourceArn=ARN, tags=tags(("team", "api")))
    other = ARN.replace("team/api", "empty")
    assert listed(any_client, other) == []
    assert fake.registry.repository("team/api").setting("tags") == (("team", "api"),)


def test_create_repository_stores_its_tags(any_client: Any) -> None:
    any_client.create_repository(
        repositoryName="team/tagged", tags=tags(("team", "web"), ("env", "dev"))
    )
    arn = ARN.replace("team/api", "team/tagged")
    assert listed(any_client, arn) == tags(("team", "web"), ("env", "dev"))


def test_delete_repository_drops_its_tags(any_client: Any) -> None:
    any_client.create_repository(repositoryName="team/gone", tags=tags(("a", "1")))
    any_client.delete_repository(repositoryName="team/gone")
    any_client.create_repository(repositoryName="team/gone")
    assert listed(any_client, ARN.replace("team/api", "team/gone")) == []


def test_a_repository_of_another_registry(fake: FakeEcr) -> None:
    client = fake.client(region="eu-west-1")
    arn = "arn:aws:ecr:eu-west-1:210987654321:repository/mirror/ubuntu"
    client.tag_resource(resourceArn=arn, tags=tags(("mirror", "yes")))
    assert listed(client, arn) == tags(("mirror", "yes"))


def test_the_arn_follows_the_partition() -> None:
    state = RegistryState(ACCOUNT, "cn-north-1")
    state.create_repository("team/api")
    arn = f"arn:aws-cn:ecr:cn-north-1:{ACCOUNT}:repository/team/api"
    with FakeEcr(state=state) as fake:
        client = fake.client(region="cn-north-1")
        client.tag_resource(resourceArn=arn, tags=tags(("a", "1")))
        assert listed(client, arn) == tags(("a", "1"))
        assert error_of(client.list_tags_for_resource, resourceArn=ARN)[1].endswith(
            "'Member must be an ARN of the partition 'aws-cn''"
        )


# -- the ARN -----------------------------------------------------------------------------

BAD_ARN = "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'"
NOT_A_REPOSITORY = (
    "Invalid parameter at 'resourceArn' failed to satisfy constraint: "
    "'Member must be the ARN of an Amazon ECR repository'"
)


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("team/api", BAD_ARN),
        ("arn:aws:ecr:us-east-1", BAD_ARN),
        (f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/Team/API", BAD_ARN),
        ("arn:aws:ecr:us-east-1:12345:repository/team/api", BAD_ARN),
        (f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/", BAD_ARN),
        (f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository", NOT_A_REPOSITORY),
        (f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository-creation-template/x", NOT_A_REPOSITORY),
        ("arn:aws:s3:::bucket/key", NOT_A_REPOSITORY),
        (
            f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/team/api",
            "Invalid parameter at 'resourceArn' failed to satisfy constraint: "
            "'Member must be an ARN of the region 'us-east-1''",
        ),
        (
            f"arn:aws-cn:ecr:us-east-1:{ACCOUNT}:repository/team/api",
            "Invalid parameter at 'resourceArn' failed to satisfy constraint: "
            "'Member must be an ARN of the partition 'aws''",
        ),
    ],
    ids=[
        "not-an-arn",
        "too-few-parts",
        "bad-name",
        "bad-account",
        "no-name",
        "no-slash",
        "other-resource",
        "other-service",
        "other-region",
        "other-partition",
    ],
)
@pytest.mark.parametrize("operation", ["list", "tag", "untag"])
def test_a_bad_arn(any_client: Any, operation: str, arn: str, message: str) -> None:
    calls = {
        "list": (any_client.list_tags_for_resource, {}),
        "tag": (any_client.tag_resource, {"tags": tags(("a", "1"))}),
        "untag": (any_client.untag_resource, {"tagKeys": ["a"]}),
    }
    method, params = calls[operation]
    assert error_of(method, resourceArn=arn, **params) == (
        "InvalidParameterException",
        message,
        400,
    )


@pytest.mark.parametrize("operation", ["list", "tag", "untag"])
def test_a_missing_repository(any_client: Any, operation: str) -> None:
    arn = "arn:aws:ecr:us-east-1:999999999999:repository/team/nope"
    calls = {
        "list": (any_client.list_tags_for_resource, {}),
        "tag": (any_client.tag_resource, {"tags": tags(("a", "1"))}),
        "untag": (any_client.untag_resource, {"tagKeys": ["a"]}),
    }
    method, params = calls[operation]
    assert error_of(method, resourceArn=arn, **params) == (
        "RepositoryNotFoundException",
        "The repository with name 'team/nope' does not exist in the registry with id "
        "'999999999999'",
        400,
    )


# -- the tags ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        (
            ("k" * 129, "v"),
            f"Tag key '{'k' * 128}...' is too long: tag keys can have a maximum character "
            "length of 128 characters",
        ),
        (
            ("k", "v" * 257),
            "The value of tag 'k' is too long: tag values can have a maximum length of 256 "
            "characters",
        ),
        (("", "v"), "Tag keys must have a length of at least 1 character"),
        (
            ("aws:owner", "me"),
            "Tag key 'aws:owner' is invalid: the 'aws:' prefix is reserved for AWS use",
        ),
        (
            ("AWS:Owner", "me"),
            "Tag key 'AWS:Owner' is invalid: the 'aws:' prefix is reserved for AWS use",
        ),
    ],
    ids=["key-too-long", "value-too-long", "empty-key", "aws-prefix", "aws-prefix-any-case"],
)
def test_invalid_tags(any_client: Any, tag: tuple[str, str], message: str) -> None:
    error = ("InvalidTagParameterException", message, 400)
    assert error_of(any_client.tag_resource, resourceArn=ARN, tags=tags(tag)) == error
    assert error_of(any_client.create_repository, repositoryName="team/x", tags=tags(tag)) == error
    assert listed(any_client) == []


def test_the_longest_key_and_value(any_client: Any) -> None:
    longest = ("k" * 128, "v" * 256)
    any_client.tag_resource(resourceArn=ARN, tags=tags(longest))
    assert listed(any_client) == tags(longest)


def test_a_key_given_twice(any_client: Any) -> None:
    assert error_of(
        any_client.tag_resource, resourceArn=ARN, tags=tags(("a", "1"), ("a", "2"))
    ) == ("InvalidTagParameterException", "Tag key 'a' is given more than once", 400)


def test_untag_checks_its_keys(any_client: Any) -> None:
    assert error_of(any_client.untag_resource, resourceArn=ARN, tagKeys=["aws:x"])[0] == (
        "InvalidTagParameterException"
    )


def test_fifty_tags_and_no_more(any_client: Any) -> None:
    fifty = [(f"k{i}", str(i)) for i in range(50)]
    any_client.tag_resource(resourceArn=ARN, tags=tags(*fifty[:30]))
    any_client.tag_resource(resourceArn=ARN, tags=tags(*fifty[20:]))
    assert len(listed(any_client)) == 50
    # Re-tagging a present key does not count twice.
    any_client.tag_resource(resourceArn=ARN, tags=tags(("k0", "new")))
    assert error_of(any_client.tag_resource, resourceArn=ARN, tags=tags(("k50", "x"))) == (
        "TooManyTagsException",
        "The repository would have 51 tags: the maximum number of tags that can be applied "
        "to a repository is 50",
        400,
    )
    assert len(listed(any_client)) == 50


def test_create_repository_with_too_many_tags(any_client: Any) -> None:
    many = tags(*((f"k{i}", "v") for i in range(51)))
    assert error_of(any_client.create_repository, repositoryName="team/x", tags=many)[0] == (
        "TooManyTagsException"
    )
    assert error_of(any_client.describe_repositories, repositoryNames=["team/x"])[0] == (
        "RepositoryNotFoundException"
    )


def test_requests_botocore_lets_through(fake: FakeEcr) -> None:
    client = fake.client(parameter_validation=False)
    assert error_of(client.tag_resource, resourceArn=ARN) == (
        "InvalidParameterException",
        "Invalid parameter at 'tags' failed to satisfy constraint: 'Member must not be null'",
        400,
    )
    assert error_of(client.list_tags_for_resource)[1] == (
        "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Member must not be null'"
    )
    assert error_of(client.untag_resource, resourceArn=ARN)[1] == (
        "Invalid parameter at 'tagKeys' failed to satisfy constraint: 'Member must not be null'"
    )
    assert error_of(client.tag_resource, resourceArn=ARN, tags=[{"Key": "a"}])[1] == (
        "Invalid parameter at 'tags.1.member.Value' failed to satisfy constraint: "
        "'Member must not be null'"
    )
