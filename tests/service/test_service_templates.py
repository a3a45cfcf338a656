"""Repository creation templates through real boto3 clients, on both transports."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model.caches import PREFIX_PATTERN
from pytest_ecr.model.templates import CREATE_ON_PUSH, KMS_KEY_PATTERN, settings_for_new_repository

from .support import ACCOUNT, REGION, error_of, strip

# Operations botocore 1.34 (the floor) lacks: on a botocore without them these tests skip.
pytestmark = needs(
    "CreateRepositoryCreationTemplate",
    "DeleteRepositoryCreationTemplate",
    "DescribeRepositoryCreationTemplates",
    "UpdateRepositoryCreationTemplate",
)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-templates"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


def invalid(field: str, constraint: str) -> tuple[str, str, int]:
    return (
        "InvalidParameterException",
        f"Invalid parameter at '{field}' failed to satisfy constraint: '{constraint}'",
        400,
    )


def create(client: Any, prefix: str = "prod", **params: Any) -> dict[str, Any]:
    params.setdefault("appliedFor", ["PULL_THROUGH_CACHE"])
    return strip(client.create_repository_creation_template(prefix=prefix, **params))


def test_create_answers_the_template_with_its_defaults(any_client: Any) -> None:
    answer = create(any_client)
    template = answer["repositoryCreationTemplate"]
    assert answer["registryId"] == ACCOUNT
    assert isinstance(template.pop("createdAt"), datetime)
    assert isinstance(template.pop("updatedAt"), datetime)
    assert template == {
        "prefix": "prod",
        "encryptionConfiguration": {"encryptionType": "AES256"},
        "resourceTags": [],
        "imageTagMutability": "MUTABLE",
        "appliedFor": ["PULL_THROUGH_CACHE"],
    }


def test_create_with_every_field_and_describe(any_client: Any) -> None:
    request = {
        "description": "production repositories",
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY},
        "resourceTags": [{"Key": "team", "Value": "core"}],
        "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest*"}],
        "repositoryPolicy": POLICY,
        "lifecyclePolicy": json.dumps({"rules": []}),
        "appliedFor": ["REPLICATION", "CREATE_ON_PUSH", "REPLICATION"],
        "customRoleArn": ROLE,
    }
    created = create(any_client, "prod/team", **request)["repositoryCreationTemplate"]
    described = strip(any_client.describe_repository_creation_templates())
    assert described == {"registryId": ACCOUNT, "repositoryCreationTemplates": [created]}
    assert created["appliedFor"] == ["REPLICATION", "CREATE_ON_PUSH"]
    for field in ("description", "encryptionConfiguration", "resourceTags", "customRoleArn"):
        assert created[field] == request[field]
    assert created["imageTagMutabilityExclusionFilters"] == [
        {"filterType": "WILDCARD", "filter": "latest*"}
    ]


def test_a_prefix_twice(any_client: Any) -> None:
    create(any_client, "ROOT")
    assert error_of(
        any_client.create_repository_creation_template, prefix="ROOT", appliedFor=["REPLICATION"]
    ) == (
        "TemplateAlreadyExistsException",
        f"The repository creation template with prefix 'ROOT' already exists in the registry "
        f"with id '{ACCOUNT}'. Specify a unique prefix and try again",
        400,
    )
    create(any_client, "prod/")
    assert (
        error_of(
            any_client.create_repository_creation_template,
            prefix="prod",
            appliedFor=["REPLICATION"],
        )[0]
        == "TemplateAlreadyExistsException"
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"prefix": "Prod"},
            invalid("prefix", f"must satisfy regular expression '{PREFIX_PATTERN}'"),
        ),
        (
            {"prefix": "p" * 257},
            invalid("prefix", "Member must have length less than or equal to 256"),
        ),
        (
            {"appliedFor": []},
            invalid("appliedFor", "Member must have length greater than or equal to 1"),
        ),
        (
            {"appliedFor": ["PUSH"]},
            invalid(
                "appliedFor.member",
                "Member must satisfy enum value set: [REPLICATION, PULL_THROUGH_CACHE, "
                "CREATE_ON_PUSH]",
            ),
        ),
        (
            {"description": "d" * 257},
            invalid("description", "Member must have length less than or equal to 256"),
        ),
        (
            {"encryptionConfiguration": {"encryptionType": "DES"}},
            invalid(
                "encryptionConfiguration.encryptionType",
                "Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]",
            ),
        ),
        (
            {"encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "alias/mine"}},
            invalid(
                "encryptionConfiguration.kmsKey",
                f"must satisfy regular expression '{KMS_KEY_PATTERN}'",
            ),
        ),
        (
            {"encryptionConfiguration": {"encryptionType": "AES256", "kmsKey": KEY}},
            invalid(
                "encryptionConfiguration.kmsKey",
                "Member must be null when encryptionType is AES256",
            ),
        ),
        (
            {"resourceTags": [{"Key": "k" * 129, "Value": "v"}]},
            invalid(
                "resourceTags.1.member.Key", "Member must have length less than or equal to 128"
            ),
        ),
        (
            {"resourceTags": [{"Key": "k", "Value": "v" * 257}]},
            invalid(
                "resourceTags.1.member.Value", "Member must have length less than or equal to 256"
            ),
        ),
        (
            {"resourceTags": [{"Key": "k", "Value": "a"}, {"Key": "k", "Value": "b"}]},
            invalid("resourceTags.2.member.Key", "Member must be unique within resourceTags"),
        ),
        (
            {"resourceTags": [{"Key": f"k{n}", "Value": ""} for n in range(51)]},
            invalid("resourceTags", "Member must have length less than or equal to 50"),
        ),
        (
            {"imageTagMutability": "SOMETIMES"},
            invalid(
                "imageTagMutability",
                "Member must satisfy enum value set: [MUTABLE, IMMUTABLE, "
                "IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]",
            ),
        ),
        (
            {"imageTagMutability": "MUTABLE_WITH_EXCLUSION"},
            invalid(
                "imageTagMutabilityExclusionFilters",
                "Member must not be null when imageTagMutability is MUTABLE_WITH_EXCLUSION",
            ),
        ),
        (
            {"imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "v*"}]},
            invalid(
                "imageTagMutabilityExclusionFilters",
                "Member must be null when imageTagMutability is MUTABLE",
            ),
        ),
        (
            {
                "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "v/1"}],
            },
            invalid(
                "imageTagMutabilityExclusionFilters.1.member.filter",
                "must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}$'",
            ),
        ),
        (
            {
                "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "v"}]
                * 6,
            },
            invalid(
                "imageTagMutabilityExclusionFilters",
                "Member must have length less than or equal to 5",
            ),
        ),
        (
            {"repositoryPolicy": "p" * 10241},
            invalid("repositoryPolicy", "Member must have length less than or equal to 10240"),
        ),
        (
            {"repositoryPolicy": "not json"},
            invalid("repositoryPolicy", "Member must be a JSON object"),
        ),
        ({"lifecyclePolicy": "[]"}, invalid("lifecyclePolicy", "Member must be a JSON object")),
        (
            {"lifecyclePolicy": "{" + " " * 30720 + "}"},
            invalid("lifecyclePolicy", "Member must have length less than or equal to 30720"),
        ),
        (
            {"customRoleArn": "r" * 2049},
            invalid("customRoleArn", "Member must have length less than or equal to 2048"),
        ),
    ],
)
def test_template_validation(any_client: Any, params: dict[str, Any], expected: Any) -> None:
    request: dict[str, Any] = {"prefix": "prod", "appliedFor": ["REPLICATION"]}
    request.update(params)
    assert error_of(any_client.create_repository_creation_template, **request) == expected


def test_update_changes_only_what_it_names(any_client: Any) -> None:
    created = create(any_client, description="first", repositoryPolicy=POLICY)[
        "repositoryCreationTemplate"
    ]
    answer = strip(
        any_client.update_repository_creation_template(
            prefix="prod/",
            description="second",
            imageTagMutability="IMMUTABLE",
            appliedFor=["CREATE_ON_PUSH"],
        )
    )
    updated = answer["repositoryCreationTemplate"]
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] >= created["updatedAt"]
    assert (updated["description"], updated["imageTagMutability"], updated["appliedFor"]) == (
        "second",
        "IMMUTABLE",
        ["CREATE_ON_PUSH"],
    )
    assert updated["repositoryPolicy"] == POLICY
    described = strip(any_client.describe_repository_creation_templates(prefixes=["prod"]))
    assert described["repositoryCreationTemplates"] == [updated]


def test_update_a_mode_with_filters_then_without(client: Any) -> None:
    create(
        client,
        imageTagMutability="MUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "release-*"}],
    )
    updated = client.update_repository_creation_template(
        prefix="prod", imageTagMutability="MUTABLE"
    )
    assert "imageTagMutabilityExclusionFilters" not in updated["repositoryCreationTemplate"]


def test_update_and_delete_a_missing_template(any_client: Any) -> None:
    expected = (
        "TemplateNotFoundException",
        f"The repository creation template with prefix 'nope' can't be found in the registry "
        f"with id '{ACCOUNT}'. Verify the registry ID and prefix and try again",
        400,
    )
    assert (
        error_of(any_client.update_repository_creation_template, prefix="nope", description="x")
        == expected
    )
    assert error_of(any_client.delete_repository_creation_template, prefix="nope") == expected


def test_delete_answers_the_deleted_template(any_client: Any) -> None:
    created = create(any_client)
    answer = strip(any_client.delete_repository_creation_template(prefix="prod"))
    assert answer == created
    assert strip(any_client.describe_repository_creation_templates()) == {
        "registryId": ACCOUNT,
        "repositoryCreationTemplates": [],
    }


def test_describe_by_prefix_leaves_missing_ones_out(any_client: Any) -> None:
    create(any_client, "a")
    create(any_client, "b")
    answer = strip(
        any_client.describe_repository_creation_templates(prefixes=["b", "nope", "a/", "b"])
    )
    assert [t["prefix"] for t in answer["repositoryCreationTemplates"]] == ["b", "a"]
    assert error_of(any_client.describe_repository_creation_templates, prefixes=["Bad"]) == invalid(
        "prefixes.member", f"must satisfy regular expression '{PREFIX_PATTERN}'"
    )


def test_describe_paginator_walks_every_template(any_client: Any) -> None:
    for n in range(5):
        create(any_client, f"team{n}")
    pages = list(
        any_client.get_paginator("describe_repository_creation_templates").paginate(
            PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["repositoryCreationTemplates"]) for p in pages] == [2, 2, 1]
    assert all(p["registryId"] == ACCOUNT for p in pages)
    assert [t["prefix"] for p in pages for t in p["repositoryCreationTemplates"]] == [
        f"team{n}" for n in range(5)
    ]


def test_create_repository_never_applies_a_template(fake: FakeEcr, client: Any) -> None:
    create(client, "ROOT", appliedFor=["CREATE_ON_PUSH"], imageTagMutability="IMMUTABLE")
    repo = client.create_repository(repositoryName="prod/new")["repository"]
    assert repo["imageTagMutability"] == "MUTABLE"
    # What a repository ECR creates on a push would get instead:
    settings = settings_for_new_repository(
        fake.registry, ACCOUNT, REGION, "prod/new", CREATE_ON_PUSH
    )
    assert (settings.template_prefix, settings.image_tag_mutability) == ("ROOT", "IMMUTABLE")


def test_templates_are_per_region(fake: FakeEcr, client: Any) -> None:
    create(client)
    other = fake.client("eu-west-1")
    assert other.describe_repository_creation_templates()["repositoryCreationTemplates"] == []


def test_describe_paging_validation(any_client: Any) -> None:
    assert error_of(any_client.describe_repository_creation_templates, maxResults=1001) == invalid(
        "maxResults", "Member must have value less than or equal to 1000"
    )


def test_update_validation_is_creates(any_client: Any) -> None:
    create(any_client)
    assert error_of(
        any_client.update_repository_creation_template, prefix="prod", appliedFor=["PUSH"]
    ) == invalid(
        "appliedFor.member",
        "Member must satisfy enum value set: [REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH]",
    )
