"""Shared by the tag operations and CreateRepository: repository ARNs and tag checks.

ECR's runtime texts for a bad ARN and for bad tags are not known; the ones here are
pytest-ecr's choices, listed on the docs' fidelity page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState, Repository
from pytest_ecr.model.names import REGISTRY_ID_RE, REPOSITORY_NAME_MAX_LENGTH, REPOSITORY_NAME_RE
from pytest_ecr.model.tags import (
    MAX_KEY_LENGTH,
    MAX_TAGS,
    MAX_VALUE_LENGTH,
    RESERVED_PREFIX,
    Tags,
)
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.partitions import partition_of
from pytest_ecr.service.shapes import find_repository

ARN_FIELD = "resourceArn"
# arn:partition:service:region:account:resource, the resource holding any ':' left.
_ARN_RE = re.compile(r"arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):([0-9]*):(.+)")


def _arn_error(constraint: str) -> EcrError:
    return invalid_parameter(ARN_FIELD, constraint)


def repository_of_arn(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> Repository:
    """The repository ``resourceArn`` names, checked as pytest-ecr checks ECR's ARNs.

    A string that is no ARN, an ARN of another service or resource type, an ARN of
    another partition or Region than the client's, are ``InvalidParameterException``; a
    repository ARN naming no repository is ``RepositoryNotFoundException`` (of the ARN's
    account). The ARN's account is the registry, like ``registryId`` elsewhere.
    """
    arn = v.expect_str(v.require(params, ARN_FIELD), ARN_FIELD)
    match = _ARN_RE.fullmatch(arn)
    if match is None:
        raise _arn_error("Invalid ARN")
    partition, service, region, account, resource = match.groups()
    kind, slash, name = resource.partition("/")
    if service != "ecr" or kind != "repository" or not slash:
        raise _arn_error("Member must be the ARN of an Amazon ECR repository")
    expected = partition_of(ctx.region).name
    if partition != expected:
        raise _arn_error(f"Member must be an ARN of the partition '{expected}'")
    if region != ctx.region:
        raise _arn_error(f"Member must be an ARN of the region '{ctx.region}'")
    if (
        REGISTRY_ID_RE.fullmatch(account) is None
        or len(name) > REPOSITORY_NAME_MAX_LENGTH
        or REPOSITORY_NAME_RE.fullmatch(name) is None
    ):
        raise _arn_error("Invalid ARN")
    return find_repository(state, account, name, ctx)


def _invalid_tag(message: str) -> EcrError:
    return EcrError("InvalidTagParameterException", message)


def check_tag_key(key: str) -> str:
    """A tag key as ECR accepts it: 1 to 128 characters, not starting with ``aws:``."""
    if not key:
        raise _invalid_tag("Tag keys must have a length of at least 1 character")
    if len(key) > MAX_KEY_LENGTH:
        raise _invalid_tag(
            f"Tag key '{key[:MAX_KEY_LENGTH]}...' is too long: tag keys can have a maximum "
            f"character length of {MAX_KEY_LENGTH} characters"
        )
    if key[: len(RESERVED_PREFIX)].lower() == RESERVED_PREFIX:
        raise _invalid_tag(
            f"Tag key '{key}' is invalid: the '{RESERVED_PREFIX}' prefix is reserved for AWS use"
        )
    return key


def check_tag_value(key: str, value: str) -> str:
    if len(value) > MAX_VALUE_LENGTH:
        raise _invalid_tag(
            f"The value of tag '{key}' is too long: tag values can have a maximum length "
            f"of {MAX_VALUE_LENGTH} characters"
        )
    return value


def tag_list(params: Mapping[str, Any], field: str = "tags", *, required: bool) -> Tags:
    """The ``tags`` of a request as ``(key, value)`` pairs, each checked; a key given
    twice is refused."""
    raw = params.get(field)
    if raw is None:
        if required:
            raise invalid_parameter(field, "Member must not be null")
        return ()
    pairs: dict[str, str] = {}
    for position, entry in enumerate(v.expect_list(raw, field)):
        member = f"{field}.{position + 1}.member"
        tag = v.expect_object(entry, member)
        key = check_tag_key(v.expect_str(_member(tag, member, "Key"), f"{member}.Key"))
        value = v.expect_str(_member(tag, member, "Value"), f"{member}.Value")
        if key in pairs:
            raise _invalid_tag(f"Tag key '{key}' is given more than once")
        pairs[key] = check_tag_value(key, value)
    return tuple(pairs.items())


def _member(tag: Mapping[str, Any], member: str, field: str) -> Any:
    value = tag.get(field)
    if value is None:
        raise invalid_parameter(f"{member}.{field}", "Member must not be null")
    return value


def check_tag_count(tags: Tags) -> Tags:
    """*tags*, unless there are more than a repository may carry."""
    if len(tags) > MAX_TAGS:
        raise EcrError(
            "TooManyTagsException",
            f"The repository would have {len(tags)} tags: the maximum number of tags that "
            f"can be applied to a repository is {MAX_TAGS}",
        )
    return tags


def tags_shape(tags: Tags) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags]


__all__ = [
    "check_tag_count",
    "check_tag_key",
    "check_tag_value",
    "repository_of_arn",
    "tag_list",
    "tags_shape",
]
