"""Pull-through cache rules and pull-time update exclusions through real boto3 clients,
in process and over the loopback endpoint (``any_client``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model.caches import (
    CREDENTIAL_ARN_PATTERN,
    PREFIX_PATTERN,
    PRINCIPAL_ARN_PATTERN,
    PullThroughCacheRule,
    pull_through_cache_rules,
    rule_for_repository,
    set_pull_through_cache_rules,
)

from .support import ACCOUNT, REGION, error_of, strip

SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/hub-AbCdEf"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-upstream"
OTHER_ECR = "210987654321.dkr.ecr.eu-west-1.amazonaws.com"
OWN_ECR = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com"


def invalid(field: str, constraint: str) -> tuple[str, str, int]:
    return (
        "InvalidParameterException",
        f"Invalid parameter at '{field}' failed to satisfy constraint: '{constraint}'",
        400,
    )


def create(client: Any, prefix: str = "ecr-public", **params: Any) -> dict[str, Any]:
    if "upstreamRegistryUrl" not in params:
        params.update(
            upstreamRegistryUrl="public-upstream.example.test", upstreamRegistry="ecr-public"
        )
    params = {key: value for key, value in params.items() if value is not None}
    return strip(client.create_pull_through_cache_rule(ecrRepositoryPrefix=prefix, **params))


ECR_UPSTREAM = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


# -- CreatePullThroughCacheRule ----------------------------------------------------------


def test_create_answers_the_rule_with_the_named_upstream(any_client: Any) -> None:
    answer = create(any_client)
    assert isinstance(answer.pop("createdAt"), datetime)
    assert answer == {
        "ecrRepositoryPrefix": "ecr-public",
        "upstreamRegistryUrl": "public-upstream.example.test",
        "registryId": ACCOUNT,
        "upstreamRegistry": "ecr-public",
    }


def test_an_unnamed_upstream_is_stored_without_a_name(any_client: Any) -> None:
    # pytest-ecr keeps no table of registry hosts, so it cannot tell which upstream an
    # unnamed URL is (a choice on the fidelity page): no upstreamRegistry, no checks of one.
    any_client.create_pull_through_cache_rule(
        ecrRepositoryPrefix="mirror", upstreamRegistryUrl="mirror.example.test"
    )
    (rule,) = any_client.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert rule["upstreamRegistryUrl"] == "mirror.example.test"
    assert "upstreamRegistry" not in rule


def test_an_ecr_upstream_is_recognised_by_its_url(client: Any) -> None:
    answer = create(client, "private", upstreamRegistryUrl=ECR_UPSTREAM)
    assert answer["upstreamRegistry"] == "ecr"


def test_create_with_credential_and_describe(any_client: Any) -> None:
    create(
        any_client,
        "docker-hub",
        upstreamRegistryUrl="hub.example.test",
        upstreamRegistry="docker-hub",
        credentialArn=SECRET,
    )
    rules = strip(any_client.describe_pull_through_cache_rules())["pullThroughCacheRules"]
    assert len(rules) == 1
    rule = rules[0]
    assert rule["createdAt"] == rule["updatedAt"]
    assert {k: rule[k] for k in ("ecrRepositoryPrefix", "upstreamRegistry", "credentialArn")} == {
        "ecrRepositoryPrefix": "docker-hub",
        "upstreamRegistry": "docker-hub",
        "credentialArn": SECRET,
    }


@pytest.mark.parametrize(
    "upstream",
    ["quay", "k8s", "azure-container-registry", "github-container-registry", "chainguard"],
)
def test_each_named_upstream_is_reported(client: Any, upstream: str) -> None:
    answer = create(
        client,
        "cache",
        upstreamRegistryUrl=f"{upstream}.example.test",
        upstreamRegistry=upstream,
        credentialArn=SECRET,
    )
    assert answer["upstreamRegistry"] == upstream


@pytest.mark.parametrize("url", ["harbor example", "https://harbor.example.com", "-x.example"])
def test_an_upstream_url_that_is_not_a_host(any_client: Any, url: str) -> None:
    assert error_of(
        any_client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="harbor",
        upstreamRegistryUrl=url,
    ) == (
        "UnsupportedUpstreamRegistryException",
        f"The upstream registry URL {url} is invalid. Specify a valid upstream "
        "registry URL and try again",
        400,
    )


@pytest.mark.parametrize(("url", "named"), [(ECR_UPSTREAM, "quay"), ("quay.example.test", "ecr")])
def test_an_upstream_name_that_does_not_match_the_url(client: Any, url: str, named: str) -> None:
    code, _, _ = error_of(
        client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="quay",
        upstreamRegistryUrl=url,
        upstreamRegistry=named,
    )
    assert code == "UnsupportedUpstreamRegistryException"


@pytest.mark.parametrize(
    "upstream", ["docker-hub", "github-container-registry", "gitlab-container-registry"]
)
def test_an_upstream_that_needs_credentials(any_client: Any, upstream: str) -> None:
    assert error_of(
        any_client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="up",
        upstreamRegistryUrl="up.example.test",
        upstreamRegistry=upstream,
    ) == (
        "UnsupportedUpstreamRegistryException",
        "The specified upstream registry requires authentication. Specify a valid Secrets "
        "Manager ARN",
        400,
    )


def test_a_secret_of_another_account_or_region_is_not_found(any_client: Any) -> None:
    other = SECRET.replace(REGION, "eu-west-1")
    code, message, status = error_of(
        any_client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="hub",
        upstreamRegistryUrl="hub.example.test",
        credentialArn=other,
    )
    assert (code, status) == ("SecretNotFoundException", 400)
    assert other in message


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"ecrRepositoryPrefix": "x" * 31},
            invalid("ecrRepositoryPrefix", "Member must have length less than or equal to 30"),
        ),
        (
            {"ecrRepositoryPrefix": "Bad/Prefix"},
            invalid("ecrRepositoryPrefix", f"must satisfy regular expression '{PREFIX_PATTERN}'"),
        ),
        (
            {"upstreamRegistry": "harbor"},
            invalid(
                "upstreamRegistry",
                "Member must satisfy enum value set: [ecr, ecr-public, quay, k8s, "
                "docker-hub, github-container-registry, azure-container-registry, "
                "gitlab-container-registry, chainguard]",
            ),
        ),
        (
            {"credentialArn": SECRET + "x" * 600},
            invalid("credentialArn", "Member must have length less than or equal to 612"),
        ),
        (
            {"credentialArn": SECRET.replace("ecr-pullthroughcache", "wrong-prefix")},
            invalid("credentialArn", f"must satisfy regular expression '{CREDENTIAL_ARN_PATTERN}'"),
        ),
        pytest.param(
            {"customRoleArn": "r" * 2049},
            invalid("customRoleArn", "Member must have length less than or equal to 2048"),
            marks=needs("CreatePullThroughCacheRuleRequest.customRoleArn"),
        ),
        pytest.param(
            {"customRoleArn": ROLE},
            invalid("customRoleArn", "Member can only be specified for an ECR upstream registry"),
            marks=needs("CreatePullThroughCacheRuleRequest.customRoleArn"),
        ),
        pytest.param(
            {"upstreamRepositoryPrefix": "library"},
            invalid(
                "upstreamRepositoryPrefix",
                "Member can only be specified for an ECR upstream registry",
            ),
            marks=needs("CreatePullThroughCacheRuleRequest.upstreamRepositoryPrefix"),
        ),
        (
            {"ecrRepositoryPrefix": "ROOT"},
            invalid("ecrRepositoryPrefix", "ROOT can only be used with an ECR upstream registry"),
        ),
    ],
)
def test_create_validation(any_client: Any, params: dict[str, Any], expected: Any) -> None:
    request = {
        "ecrRepositoryPrefix": "ecr-public",
        "upstreamRegistryUrl": "public-upstream.example.test",
    }
    request.update(params)
    assert error_of(any_client.create_pull_through_cache_rule, **request) == expected


@needs(
    "CreatePullThroughCacheRuleRequest.customRoleArn",
    "CreatePullThroughCacheRuleRequest.upstreamRepositoryPrefix",
)
def test_an_ecr_upstream_of_another_account_needs_a_custom_role(any_client: Any) -> None:
    assert error_of(
        any_client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="mirror",
        upstreamRegistryUrl=OTHER_ECR,
    ) == invalid(
        "customRoleArn", "Member must be specified for an upstream registry of another account"
    )
    answer = create(
        any_client,
        "mirror",
        upstreamRegistryUrl=OTHER_ECR,
        customRoleArn=ROLE,
        upstreamRepositoryPrefix="team",
    )
    assert answer["upstreamRegistry"] == "ecr"
    assert (answer["customRoleArn"], answer["upstreamRepositoryPrefix"]) == (ROLE, "team")


@needs("CreatePullThroughCacheRuleRequest.upstreamRepositoryPrefix")
def test_root_rule_for_an_ecr_upstream_of_the_same_account(client: Any) -> None:
    assert create(client, "ROOT", upstreamRegistryUrl=OWN_ECR)["ecrRepositoryPrefix"] == "ROOT"
    assert error_of(
        client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="ROOT",
        upstreamRegistryUrl=OWN_ECR,
        upstreamRepositoryPrefix="team",
    ) == invalid("upstreamRepositoryPrefix", "Member must be ROOT when ecrRepositoryPrefix is ROOT")


def test_a_prefix_twice_with_or_without_its_slash(any_client: Any) -> None:
    create(any_client)
    assert error_of(
        any_client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="ecr-public/",
        upstreamRegistryUrl="quay.example.test",
    ) == (
        "PullThroughCacheRuleAlreadyExistsException",
        f"A pull through cache rule with prefix 'ecr-public/' already exists in the registry "
        f"with id '{ACCOUNT}'",
        400,
    )


def test_fifty_rules_per_registry(fake: FakeEcr, client: Any) -> None:
    for n in range(50):
        create(client, f"cache{n}")
    code, message, _ = error_of(
        client.create_pull_through_cache_rule,
        ecrRepositoryPrefix="cache50",
        upstreamRegistryUrl="public-upstream.example.test",
    )
    assert code == "LimitExceededException"
    assert "(50)" in message
    # Another registry (another Region) has its own 50.
    other = fake.client("eu-west-1")
    assert create(other, "cache50")["ecrRepositoryPrefix"] == "cache50"


# -- Describe, Update, Delete, Validate --------------------------------------------------


def test_describe_by_prefix_in_request_order_and_a_missing_one(any_client: Any) -> None:
    create(any_client, "one")
    create(any_client, "two", upstreamRegistryUrl="quay.example.test")
    answer = strip(
        any_client.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["two", "one/", "two"])
    )
    assert [r["ecrRepositoryPrefix"] for r in answer["pullThroughCacheRules"]] == ["two", "one"]
    assert error_of(
        any_client.describe_pull_through_cache_rules, ecrRepositoryPrefixes=["one", "nope"]
    ) == (
        "PullThroughCacheRuleNotFoundException",
        f"The pull through cache rule with prefix 'nope' was not found in the registry with "
        f"id '{ACCOUNT}'. Specify a valid pull through cache rule and try again",
        400,
    )


def test_describe_validation(client: Any) -> None:
    assert error_of(
        client.describe_pull_through_cache_rules, ecrRepositoryPrefixes=["xy"] * 101
    ) == invalid("ecrRepositoryPrefixes", "Member must have length less than or equal to 100")
    assert error_of(
        client.describe_pull_through_cache_rules, ecrRepositoryPrefixes=["Bad"]
    ) == invalid(
        "ecrRepositoryPrefixes.member", f"must satisfy regular expression '{PREFIX_PATTERN}'"
    )
    assert error_of(client.describe_pull_through_cache_rules, maxResults=1001) == invalid(
        "maxResults", "Member must have value less than or equal to 1000"
    )


def test_describe_paginator_walks_every_rule(any_client: Any) -> None:
    for n in range(7):
        create(any_client, f"cache{n}")
    pages = list(
        any_client.get_paginator("describe_pull_through_cache_rules").paginate(
            PaginationConfig={"PageSize": 3}
        )
    )
    assert [len(p["pullThroughCacheRules"]) for p in pages] == [3, 3, 1]
    assert [r["ecrRepositoryPrefix"] for p in pages for r in p["pullThroughCacheRules"]] == [
        f"cache{n}" for n in range(7)
    ]


def test_update_credential_and_role(any_client: Any) -> None:
    create(any_client, "hub", upstreamRegistryUrl="hub.example.test", credentialArn=SECRET)
    newer = SECRET.replace("hub-AbCdEf", "hub-second")
    answer = strip(
        any_client.update_pull_through_cache_rule(ecrRepositoryPrefix="hub", credentialArn=newer)
    )
    assert isinstance(answer.pop("updatedAt"), datetime)
    assert answer == {"ecrRepositoryPrefix": "hub", "registryId": ACCOUNT, "credentialArn": newer}
    rule = strip(any_client.describe_pull_through_cache_rules())["pullThroughCacheRules"][0]
    assert rule["credentialArn"] == newer
    assert rule["upstreamRegistryUrl"] == "hub.example.test"


@needs("UpdatePullThroughCacheRuleRequest.customRoleArn")
def test_update_errors(any_client: Any) -> None:
    assert (
        error_of(
            any_client.update_pull_through_cache_rule,
            ecrRepositoryPrefix="nope",
            credentialArn=SECRET,
        )[0]
        == "PullThroughCacheRuleNotFoundException"
    )
    create(any_client, "hub", upstreamRegistryUrl="hub.example.test", credentialArn=SECRET)
    assert (
        error_of(
            any_client.update_pull_through_cache_rule,
            ecrRepositoryPrefix="hub",
            credentialArn=SECRET.replace(ACCOUNT, "210987654321"),
        )[0]
        == "SecretNotFoundException"
    )
    assert error_of(
        any_client.update_pull_through_cache_rule, ecrRepositoryPrefix="hub", customRoleArn=ROLE
    ) == invalid("customRoleArn", "Member can only be specified for an ECR upstream registry")


@needs("CreatePullThroughCacheRuleRequest.customRoleArn")
def test_update_the_role_of_an_ecr_rule(client: Any) -> None:
    create(client, "mirror", upstreamRegistryUrl=OTHER_ECR, customRoleArn=ROLE)
    other = ROLE.replace("ecr-upstream", "second")
    answer = client.update_pull_through_cache_rule(
        ecrRepositoryPrefix="mirror", customRoleArn=other
    )
    assert answer["customRoleArn"] == other


def test_delete_answers_the_deleted_rule(any_client: Any) -> None:
    created = create(any_client)
    answer = strip(any_client.delete_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public"))
    assert answer == {k: created[k] for k in created if k != "upstreamRegistry"}
    assert strip(any_client.describe_pull_through_cache_rules()) == {"pullThroughCacheRules": []}
    assert (
        error_of(any_client.delete_pull_through_cache_rule, ecrRepositoryPrefix="ecr-public")[0]
        == "PullThroughCacheRuleNotFoundException"
    )


def test_validate_reports_instead_of_raising(fake: FakeEcr, any_client: Any) -> None:
    create(any_client)
    answer = strip(any_client.validate_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public"))
    assert answer == {
        "ecrRepositoryPrefix": "ecr-public",
        "registryId": ACCOUNT,
        "upstreamRegistryUrl": "public-upstream.example.test",
        "isValid": True,
    }
    # A declared rule may say why it fails (the fake reaches no upstream).
    rules = pull_through_cache_rules(fake.registry, ACCOUNT, REGION)
    set_pull_through_cache_rules(
        fake.registry,
        ACCOUNT,
        REGION,
        (
            PullThroughCacheRule(
                "broken", "quay.example.test", "quay", 0.0, validation_failure="denied"
            ),
            *rules,
        ),
    )
    answer = strip(any_client.validate_pull_through_cache_rule(ecrRepositoryPrefix="broken"))
    assert (answer["isValid"], answer["failure"]) == (False, "denied")
    assert (
        error_of(any_client.validate_pull_through_cache_rule, ecrRepositoryPrefix="nope")[0]
        == "PullThroughCacheRuleNotFoundException"
    )


def test_the_rule_a_pull_uses() -> None:
    rules = (
        PullThroughCacheRule("ROOT", OWN_ECR, "ecr", 0.0),
        PullThroughCacheRule("hub", "hub.example.test", "docker-hub", 0.0),
        PullThroughCacheRule("hub/library/", "hub.example.test", "docker-hub", 0.0),
    )
    assert rule_for_repository(rules, "hub/library/alpine") is rules[2]
    assert rule_for_repository(rules, "hub/bitnami/redis") is rules[1]
    assert rule_for_repository(rules, "hubby/x") is rules[0]
    assert rule_for_repository(rules[1:], "team/api") is None


# -- pull-time update exclusions ---------------------------------------------------------

PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:role/scanner"


@needs("RegisterPullTimeUpdateExclusion", "ListPullTimeUpdateExclusions")
def test_register_list_deregister(any_client: Any) -> None:
    answer = strip(any_client.register_pull_time_update_exclusion(principalArn=PRINCIPAL))
    assert answer["principalArn"] == PRINCIPAL
    assert isinstance(answer["createdAt"], datetime)
    user = f"arn:aws:iam::{ACCOUNT}:user/path/ci"
    any_client.register_pull_time_update_exclusion(principalArn=user)
    assert strip(any_client.list_pull_time_update_exclusions()) == {
        "pullTimeUpdateExclusions": [PRINCIPAL, user]
    }
    assert strip(any_client.deregister_pull_time_update_exclusion(principalArn=PRINCIPAL)) == {
        "principalArn": PRINCIPAL
    }
    assert strip(any_client.list_pull_time_update_exclusions()) == {
        "pullTimeUpdateExclusions": [user]
    }


@needs("RegisterPullTimeUpdateExclusion", "ListPullTimeUpdateExclusions")
def test_exclusion_errors(any_client: Any) -> None:
    any_client.register_pull_time_update_exclusion(principalArn=PRINCIPAL)
    assert error_of(any_client.register_pull_time_update_exclusion, principalArn=PRINCIPAL) == (
        "ExclusionAlreadyExistsException",
        f"The pull time update exclusion for principal '{PRINCIPAL}' already exists for the "
        f"registry with id '{ACCOUNT}'",
        400,
    )
    other = PRINCIPAL.replace("scanner", "other")
    assert error_of(any_client.deregister_pull_time_update_exclusion, principalArn=other) == (
        "ExclusionNotFoundException",
        f"The pull time update exclusion for principal '{other}' was not found in the "
        f"registry with id '{ACCOUNT}'",
        400,
    )


@needs("RegisterPullTimeUpdateExclusion", "ListPullTimeUpdateExclusions")
@pytest.mark.parametrize(
    ("arn", "constraint"),
    [
        (
            f"arn:aws:iam::{ACCOUNT}:group/devs",
            f"must satisfy regular expression '{PRINCIPAL_ARN_PATTERN}'",
        ),
        (
            f"arn:aws:sts::{ACCOUNT}:assumed-role/x/y",
            f"must satisfy regular expression '{PRINCIPAL_ARN_PATTERN}'",
        ),
        (
            f"arn:aws:iam::{ACCOUNT}:role/" + "r" * 200,
            "Member must have length less than or equal to 200",
        ),
    ],
)
def test_principal_arn_validation(any_client: Any, arn: str, constraint: str) -> None:
    assert error_of(any_client.register_pull_time_update_exclusion, principalArn=arn) == invalid(
        "principalArn", constraint
    )
    assert error_of(any_client.deregister_pull_time_update_exclusion, principalArn=arn) == invalid(
        "principalArn", constraint
    )


@needs("RegisterPullTimeUpdateExclusion", "ListPullTimeUpdateExclusions")
def test_a_hundred_exclusions_and_paging(client: Any) -> None:
    for n in range(100):
        client.register_pull_time_update_exclusion(principalArn=f"{PRINCIPAL}{n}")
    code, message, _ = error_of(
        client.register_pull_time_update_exclusion, principalArn=f"{PRINCIPAL}x"
    )
    assert code == "LimitExceededException"
    assert "(100)" in message
    first = client.list_pull_time_update_exclusions(maxResults=60)
    second = client.list_pull_time_update_exclusions(maxResults=60, nextToken=first["nextToken"])
    assert len(first["pullTimeUpdateExclusions"]) == 60
    assert "nextToken" not in second
    assert first["pullTimeUpdateExclusions"] + second["pullTimeUpdateExclusions"] == [
        f"{PRINCIPAL}{n}" for n in range(100)
    ]


@needs("RegisterPullTimeUpdateExclusion", "ListPullTimeUpdateExclusions")
def test_exclusions_are_per_region(fake: FakeEcr, client: Any) -> None:
    client.register_pull_time_update_exclusion(principalArn=PRINCIPAL)
    other = fake.client("eu-west-1")
    assert other.list_pull_time_update_exclusions()["pullTimeUpdateExclusions"] == []


@needs("RegisterPullTimeUpdateExclusion", "ListPullTimeUpdateExclusions")
def test_exclusion_paging_validation(any_client: Any) -> None:
    assert error_of(any_client.list_pull_time_update_exclusions, maxResults=1001) == invalid(
        "maxResults", "Member must have value less than or equal to 1000"
    )
    assert error_of(any_client.list_pull_time_update_exclusions, nextToken="garbage") == invalid(
        "nextToken",
        "Member must be a nextToken returned by a previous call with the same parameters",
    )
