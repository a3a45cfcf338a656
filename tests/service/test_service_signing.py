"""Put/Get/DeleteSigningConfiguration and DescribeImageSigningStatus through real boto3
clients: the configuration, its checks, and the signing a push starts on the clock."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model.signing import SIGNING_SECONDS
from pytest_ecr.service.signing import PROFILE_ARN_PATTERN, WILDCARD_FILTER_PATTERN

from .support import ACCOUNT, error_of, image_manifest, strip

# Operations botocore 1.34 (the floor) lacks: on a botocore without them these tests skip.
# These tests push made-up manifests to test something else than layers: PutImage may
# store them (allow_missing_layers), as a suite that pushes placeholders declares.
pytestmark = [
    needs(
        "DeleteSigningConfiguration",
        "DescribeImageSigningStatus",
        "GetSigningConfiguration",
        "PutSigningConfiguration",
    ),
    pytest.mark.usefixtures("placeholder_pushes"),
]

PROFILE = f"arn:aws:signer:us-east-1:{ACCOUNT}:/signing-profiles/team_profile"
OTHER_PROFILE = f"arn:aws:signer:us-east-1:{ACCOUNT}:/signing-profiles/other"
NOT_FOUND = (
    "SigningConfigurationNotFoundException",
    f"Signing configuration not found for registry with id '{ACCOUNT}'",
    400,
)


def rule(profile: str = PROFILE, *filters: str) -> dict[str, Any]:
    found: dict[str, Any] = {"signingProfileArn": profile}
    if filters:
        found["repositoryFilters"] = [
            {"filter": f, "filterType": "WILDCARD_MATCH"} for f in filters
        ]
    return found


def configure(client: Any, *rules: dict[str, Any]) -> dict[str, Any]:
    return strip(client.put_signing_configuration(signingConfiguration={"rules": list(rules)}))


def invalid(client: Any, *rules: Any) -> tuple[str, str, int]:
    return error_of(client.put_signing_configuration, signingConfiguration={"rules": list(rules)})


def constraint(field: str, text: str) -> tuple[str, str, int]:
    return (
        "InvalidParameterException",
        f"Invalid parameter at '{field}' failed to satisfy constraint: '{text}'",
        400,
    )


def push(client: Any, repo: str = "team/api", seed: int = 80, tag: str = "s1") -> str:
    answer = client.put_image(repositoryName=repo, imageManifest=image_manifest(seed), imageTag=tag)
    return str(answer["image"]["imageId"]["imageDigest"])


def signing(client: Any, repo: str = "team/api", tag: str = "s1") -> list[dict[str, str]]:
    answer = client.describe_image_signing_status(repositoryName=repo, imageId={"imageTag": tag})
    return list(answer["signingStatuses"])


def test_get_and_delete_before_any_configuration(any_client: Any) -> None:
    assert error_of(any_client.get_signing_configuration) == NOT_FOUND
    assert error_of(any_client.delete_signing_configuration) == NOT_FOUND


def test_put_get_delete(any_client: Any) -> None:
    rules = [rule(PROFILE, "team/*", "*prod*"), rule(OTHER_PROFILE)]
    assert configure(any_client, *rules) == {"signingConfiguration": {"rules": rules}}
    assert strip(any_client.get_signing_configuration()) == {
        "registryId": ACCOUNT,
        "signingConfiguration": {"rules": rules},
    }
    assert strip(any_client.delete_signing_configuration()) == {
        "registryId": ACCOUNT,
        "signingConfiguration": {"rules": rules},
    }
    assert error_of(any_client.get_signing_configuration) == NOT_FOUND


def test_no_rules_is_a_configuration(any_client: Any) -> None:
    configure(any_client)
    assert any_client.get_signing_configuration()["signingConfiguration"] == {"rules": []}


def test_the_configuration_is_per_region(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule())
    assert error_of(fake.client(region="eu-west-1").get_signing_configuration) == NOT_FOUND


def test_at_most_ten_rules(any_client: Any) -> None:
    assert invalid(any_client, *[rule()] * 11) == constraint(
        "signingConfiguration.rules", "Member must have length less than or equal to 10"
    )


@pytest.mark.parametrize(
    ("arn", "text"),
    [
        (PROFILE + "x" * 200, "Member must have length less than or equal to 200"),
        (
            "arn:aws:signer:us-east-1:1:/signing-profiles/p1",
            f"must satisfy regular expression '{PROFILE_ARN_PATTERN}'",
        ),
        (
            f"arn:aws:signer:us-east-1:{ACCOUNT}:/signing-profiles/p",
            f"must satisfy regular expression '{PROFILE_ARN_PATTERN}'",
        ),
    ],
)
def test_the_profile_arn_is_checked(any_client: Any, arn: str, text: str) -> None:
    assert invalid(any_client, rule(arn)) == constraint(
        "signingConfiguration.rules.1.member.signingProfileArn", text
    )


def test_other_partitions_profiles_are_accepted(any_client: Any) -> None:
    configure(any_client, rule(f"arn:aws-cn:signer:cn-north-1:{ACCOUNT}:/signing-profiles/p1"))


def test_filters_are_checked(any_client: Any) -> None:
    at = "signingConfiguration.rules.1.member.repositoryFilters"
    assert invalid(any_client, rule(PROFILE, *[f"r{n}" for n in range(101)])) == constraint(
        at, "Member must have length less than or equal to 100"
    )
    assert invalid(any_client, rule(PROFILE, "a" * 257)) == constraint(
        f"{at}.1.member.filter", "Member must have length less than or equal to 256"
    )
    assert invalid(any_client, rule(PROFILE, "Team/*")) == constraint(
        f"{at}.1.member.filter", f"must satisfy regular expression '{WILDCARD_FILTER_PATTERN}'"
    )
    bad = {
        "signingProfileArn": PROFILE,
        "repositoryFilters": [{"filter": "a", "filterType": "PREFIX_MATCH"}],
    }
    assert invalid(any_client, bad) == constraint(
        f"{at}.1.member.filterType", "Member must satisfy enum value set: [WILDCARD_MATCH]"
    )


def test_a_push_is_signed_on_the_clock(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule(PROFILE, "team/*"), rule(OTHER_PROFILE, "*api"), rule(PROFILE))
    push(any_client)
    assert signing(any_client) == [
        {"signingProfileArn": PROFILE, "status": "IN_PROGRESS"},
        {"signingProfileArn": OTHER_PROFILE, "status": "IN_PROGRESS"},
    ]
    fake.advance(seconds=SIGNING_SECONDS)
    answer = strip(
        any_client.describe_image_signing_status(
            repositoryName="team/api", imageId={"imageTag": "s1"}
        )
    )
    assert answer["signingStatuses"] == [
        {"signingProfileArn": PROFILE, "status": "COMPLETE"},
        {"signingProfileArn": OTHER_PROFILE, "status": "COMPLETE"},
    ]
    assert answer["registryId"] == ACCOUNT
    assert answer["repositoryName"] == "team/api"
    assert answer["imageId"]["imageTag"] == "s1"


@pytest.mark.parametrize(
    ("pattern", "signed"),
    [
        ("team/*", True),
        ("*/api", True),
        ("*eam*", True),
        ("team/api", True),
        ("team", False),
        ("api", False),
    ],
)
def test_wildcard_filters(any_client: Any, pattern: str, signed: bool) -> None:
    configure(any_client, rule(PROFILE, pattern))
    push(any_client)
    assert bool(signing(any_client)) is signed


def test_no_matching_rule_and_images_pushed_before_are_unsigned(any_client: Any) -> None:
    configure(any_client, rule(PROFILE, "legacy"))
    push(any_client)
    assert signing(any_client) == []
    configure(any_client, rule())
    assert signing(any_client, tag="v1") == []


def test_signatures_stay_after_the_configuration_is_deleted(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule())
    push(any_client)
    any_client.delete_signing_configuration()
    fake.advance(seconds=SIGNING_SECONDS)
    assert signing(any_client) == [{"signingProfileArn": PROFILE, "status": "COMPLETE"}]


def test_status_errors(any_client: Any) -> None:
    method = any_client.describe_image_signing_status
    assert error_of(method, repositoryName="team/api", imageId={"imageTag": "nope"})[0] == (
        "ImageNotFoundException"
    )
    assert error_of(method, repositoryName="team/nope", imageId={"imageTag": "v1"})[0] == (
        "RepositoryNotFoundException"
    )
    assert error_of(method, repositoryName="team/api", imageId={"imageTag": "x" * 301})[0] == (
        "InvalidParameterException"
    )
    assert error_of(
        method,
        repositoryName="team/api",
        imageId={"imageTag": "v2", "imageDigest": "sha256:" + "0" * 64},
    )[0] == ("ImageNotFoundException")
