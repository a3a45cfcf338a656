"""What the signing configuration operations share: reading a configuration as ECR
checks it, its shape, and ECR's not-found error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.signing import FILTER_MAX_LENGTH as WILDCARD_FILTER_MAX_LENGTH
from pytest_ecr.model.signing import FILTER_MIN_LENGTH as WILDCARD_FILTER_MIN_LENGTH
from pytest_ecr.model.signing import FILTER_PATTERN as WILDCARD_FILTER_PATTERN
from pytest_ecr.model.signing import (
    MAX_FILTERS,
    MAX_RULES,
    PROFILE_ARN_MAX_LENGTH,
    PROFILE_ARN_PATTERN,
    SigningConfiguration,
    SigningRule,
    signing_of,
)
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.replication import repository_filters

_PROFILE_ARN_RE = re.compile(PROFILE_ARN_PATTERN)

CONFIGURATION = "signingConfiguration"


def _filters(raw: Mapping[str, Any], field: str) -> tuple[str, ...]:
    return repository_filters(
        raw,
        field,
        kind="WILDCARD_MATCH",
        pattern=WILDCARD_FILTER_PATTERN,
        low=WILDCARD_FILTER_MIN_LENGTH,
        high=WILDCARD_FILTER_MAX_LENGTH,
        most=MAX_FILTERS,
    )


def _rule(value: Any, field: str) -> SigningRule:
    raw = v.expect_object(value, field)
    arn = raw.get("signingProfileArn")
    if arn is None:
        raise invalid_parameter(f"{field}.signingProfileArn", "Member must not be null")
    arn = v.string_length(arn, f"{field}.signingProfileArn", low=0, high=PROFILE_ARN_MAX_LENGTH)
    if _PROFILE_ARN_RE.fullmatch(arn) is None:
        raise invalid_parameter(
            f"{field}.signingProfileArn", f"must satisfy regular expression '{PROFILE_ARN_PATTERN}'"
        )
    return SigningRule(arn, _filters(raw, field))


def read_configuration(params: Mapping[str, Any]) -> SigningConfiguration:
    """The request's ``signingConfiguration``, checked as ECR checks it."""
    raw = v.expect_object(v.require(params, CONFIGURATION), CONFIGURATION)
    rules_field = f"{CONFIGURATION}.rules"
    items = raw.get("rules")
    if items is None:
        raise invalid_parameter(rules_field, "Member must not be null")
    items = v.expect_list(items, rules_field)
    if len(items) > MAX_RULES:
        raise invalid_parameter(
            rules_field, f"Member must have length less than or equal to {MAX_RULES}"
        )
    return SigningConfiguration(
        tuple(_rule(item, f"{rules_field}.{i + 1}.member") for i, item in enumerate(items))
    )


def configuration_shape(config: SigningConfiguration) -> dict[str, Any]:
    rules = []
    for rule in config.rules:
        shape: dict[str, Any] = {"signingProfileArn": rule.profile_arn}
        if rule.filters:
            shape["repositoryFilters"] = [
                {"filter": f, "filterType": "WILDCARD_MATCH"} for f in rule.filters
            ]
        rules.append(shape)
    return {"rules": rules}


def configured(state: RegistryState, ctx: RequestContext) -> SigningConfiguration:
    """The caller's registry's configuration, or ECR's not-found error."""
    config = signing_of(state, ctx.account, ctx.region)
    if config is None:
        raise EcrError(
            "SigningConfigurationNotFoundException",
            f"Signing configuration not found for registry with id '{ctx.account}'",
        )
    return config
