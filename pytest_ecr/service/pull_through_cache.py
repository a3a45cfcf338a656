"""What the five pull-through cache rule operations share: checks, shapes and errors.

The fake reaches no upstream registry and holds no Secrets Manager secrets, so a
``credentialArn`` names an existing secret when it is a secret of the rule's own
account and Region (ECR requires that), and ``SecretNotFoundException`` answers any
other; docs/fidelity.md lists these choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pytest_ecr.model.caches import (
    CREDENTIAL_ARN_PATTERN,
    CREDENTIAL_ARN_RE,
    PREFIX_PATTERN,
    PREFIX_RE,
    ROOT,
    UNNAMED,
    UPSTREAM_NAMES,
    PullThroughCacheRule,
    Upstream,
    ecr_upstream_account,
    is_host,
    normal_prefix,
    upstream_named,
    upstream_of,
)
from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import EcrError, invalid_parameter

#: Members of each answer, in the service model's order.
RULE_FIELDS: Final = (
    "ecrRepositoryPrefix",
    "upstreamRegistryUrl",
    "createdAt",
    "registryId",
    "credentialArn",
    "customRoleArn",
    "upstreamRepositoryPrefix",
    "upstreamRegistry",
    "updatedAt",
)
CREATE_FIELDS: Final = (
    "ecrRepositoryPrefix",
    "upstreamRegistryUrl",
    "createdAt",
    "registryId",
    "upstreamRegistry",
    "credentialArn",
    "customRoleArn",
    "upstreamRepositoryPrefix",
)
UPDATE_FIELDS: Final = (
    "ecrRepositoryPrefix",
    "registryId",
    "updatedAt",
    "credentialArn",
    "customRoleArn",
    "upstreamRepositoryPrefix",
)
DELETE_FIELDS: Final = (
    "ecrRepositoryPrefix",
    "upstreamRegistryUrl",
    "createdAt",
    "registryId",
    "credentialArn",
    "customRoleArn",
    "upstreamRepositoryPrefix",
)
VALIDATE_FIELDS: Final = (
    "ecrRepositoryPrefix",
    "registryId",
    "upstreamRegistryUrl",
    "credentialArn",
    "customRoleArn",
    "upstreamRepositoryPrefix",
)

PREFIX_MIN: Final = 2
PREFIX_MAX: Final = 30
CREDENTIAL_MIN: Final = 50
CREDENTIAL_MAX: Final = 612
CUSTOM_ROLE_MAX: Final = 2048


def prefix(value: Any, field: str, *, low: int = PREFIX_MIN, high: int = PREFIX_MAX) -> str:
    """A repository prefix (``ecrRepositoryPrefix``, templates' ``prefix``...) or ``ROOT``."""
    text = v.string_length(value, field, low=low, high=high)
    if PREFIX_RE.fullmatch(text) is None:
        raise invalid_parameter(field, f"must satisfy regular expression '{PREFIX_PATTERN}'")
    return text


def credential_arn(params: Mapping[str, Any]) -> str | None:
    raw = params.get("credentialArn")
    if raw is None:
        return None
    text = v.string_length(raw, "credentialArn", low=CREDENTIAL_MIN, high=CREDENTIAL_MAX)
    if CREDENTIAL_ARN_RE.fullmatch(text) is None:
        raise invalid_parameter(
            "credentialArn", f"must satisfy regular expression '{CREDENTIAL_ARN_PATTERN}'"
        )
    return text


def custom_role_arn(params: Mapping[str, Any]) -> str | None:
    raw = params.get("customRoleArn")
    if raw is None:
        return None
    return v.string_length(raw, "customRoleArn", low=0, high=CUSTOM_ROLE_MAX)


def check_secret(arn: str, registry_id: str, region: str) -> None:
    """``SecretNotFoundException`` unless the secret is in the rule's account and Region."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[3] != region or parts[4] != registry_id:
        raise EcrError(
            "SecretNotFoundException",
            f"The secret with ARN '{arn}' was not found in the registry's account "
            f"'{registry_id}' and Region '{region}'. Update the pull through cache rule "
            "with a valid secret ARN and try again",
        )


def unsupported_url(url: str) -> EcrError:
    return EcrError(
        "UnsupportedUpstreamRegistryException",
        f"The upstream registry URL {url} is invalid. Specify a valid upstream registry URL "
        "and try again",
    )


#: A rule for an upstream that needs credentials, created without ``credentialArn``.
NEEDS_AUTHENTICATION: Final = (
    "The specified upstream registry requires authentication. Specify a valid Secrets Manager ARN"
)


def resolve_upstream(url: str, named: str | None) -> Upstream:
    """The upstream an ``upstreamRegistryUrl`` (and ``upstreamRegistry``, if given) names."""
    ecr = upstream_of(url)
    if ecr is not None:
        if named not in (None, ecr.name):
            raise unsupported_url(url)
        return ecr
    if named == "ecr" or not is_host(url):
        raise unsupported_url(url)
    return UNNAMED if named is None else upstream_named(named)


def check_ecr_only(
    upstream: Upstream,
    ecr_prefix: str,
    url: str,
    registry_id: str | None,
    role: str | None,
    upstream_prefix: str | None,
) -> None:
    """What only an ECR upstream takes: ``customRoleArn``, ``upstreamRepositoryPrefix``, ROOT.

    Without *registry_id* (a declaration's rule) the cross-account role check is skipped.
    """
    if upstream.name != "ecr":
        for field, value in (
            ("customRoleArn", role),
            ("upstreamRepositoryPrefix", upstream_prefix),
        ):
            if value is not None:
                raise invalid_parameter(
                    field, "Member can only be specified for an ECR upstream registry"
                )
        if normal_prefix(ecr_prefix) == ROOT:
            raise invalid_parameter(
                "ecrRepositoryPrefix", "ROOT can only be used with an ECR upstream registry"
            )
        return
    if role is None and registry_id is not None and ecr_upstream_account(url) != registry_id:
        raise invalid_parameter(
            "customRoleArn",
            "Member must be specified for an upstream registry of another account",
        )
    if normal_prefix(ecr_prefix) == ROOT and upstream_prefix not in (None, ROOT, ROOT + "/"):
        raise invalid_parameter(
            "upstreamRepositoryPrefix",
            "Member must be ROOT when ecrRepositoryPrefix is ROOT",
        )


def rule_not_found(ecr_prefix: str, registry_id: str) -> EcrError:
    return EcrError(
        "PullThroughCacheRuleNotFoundException",
        f"The pull through cache rule with prefix '{ecr_prefix}' was not found in the "
        f"registry with id '{registry_id}'. Specify a valid pull through cache rule and "
        "try again",
    )


def rule_shape(
    rule: PullThroughCacheRule, registry_id: str, fields: tuple[str, ...]
) -> dict[str, Any]:
    """The members *fields* of one rule's answer (unset members absent)."""
    values: dict[str, Any] = {
        "ecrRepositoryPrefix": rule.ecr_repository_prefix,
        "upstreamRegistryUrl": rule.upstream_registry_url,
        "createdAt": rule.created_at,
        "registryId": registry_id,
        "credentialArn": rule.credential_arn,
        "customRoleArn": rule.custom_role_arn,
        "upstreamRepositoryPrefix": rule.upstream_repository_prefix,
        "upstreamRegistry": rule.upstream_registry or None,
        "updatedAt": rule.updated_at if rule.updated_at is not None else rule.created_at,
    }
    return {field: values[field] for field in fields if values[field] is not None}


def build_rule(
    params: Mapping[str, Any], now: float, registry_id: str | None, region: str | None
) -> PullThroughCacheRule:
    """The rule a CreatePullThroughCacheRule request (or a declaration) describes, checked.

    Without *registry_id* and *region* (a declaration's rule) the checks that need the
    registry (a secret of its account and Region, a role for another account) are skipped.
    """
    ecr_prefix = prefix(v.require(params, "ecrRepositoryPrefix"), "ecrRepositoryPrefix")
    url = v.expect_str(v.require(params, "upstreamRegistryUrl"), "upstreamRegistryUrl")
    raw_name = params.get("upstreamRegistry")
    named = None if raw_name is None else v.enum_value(raw_name, "upstreamRegistry", UPSTREAM_NAMES)
    credential = credential_arn(params)
    role = custom_role_arn(params)
    raw_upstream_prefix = params.get("upstreamRepositoryPrefix")
    upstream_prefix = (
        None
        if raw_upstream_prefix is None
        else prefix(raw_upstream_prefix, "upstreamRepositoryPrefix")
    )
    upstream = resolve_upstream(url, named)
    check_ecr_only(upstream, ecr_prefix, url, registry_id, role, upstream_prefix)
    if upstream.needs_credential and credential is None:
        raise EcrError("UnsupportedUpstreamRegistryException", NEEDS_AUTHENTICATION)
    if credential is not None and registry_id is not None and region is not None:
        check_secret(credential, registry_id, region)
    return PullThroughCacheRule(
        ecr_repository_prefix=ecr_prefix,
        upstream_registry_url=url,
        upstream_registry=upstream.name,
        created_at=now,
        credential_arn=credential,
        custom_role_arn=role,
        upstream_repository_prefix=upstream_prefix,
    )
