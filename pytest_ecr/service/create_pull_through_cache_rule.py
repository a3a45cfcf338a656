"""CreatePullThroughCacheRule: a rule that caches an upstream registry under a prefix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import (
    MAX_PULL_THROUGH_CACHE_RULES,
    UPSTREAM_NAMES,
    PullThroughCacheRule,
    find_rule,
    pull_through_cache_rules,
    set_pull_through_cache_rules,
)
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError


def create_pull_through_cache_rule(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    ecr_prefix = ptc.prefix(v.require(params, "ecrRepositoryPrefix"), "ecrRepositoryPrefix")
    url = v.expect_str(v.require(params, "upstreamRegistryUrl"), "upstreamRegistryUrl")
    raw_name = params.get("upstreamRegistry")
    named = None if raw_name is None else v.enum_value(raw_name, "upstreamRegistry", UPSTREAM_NAMES)
    credential = ptc.credential_arn(params)
    role = ptc.custom_role_arn(params)
    raw_upstream_prefix = params.get("upstreamRepositoryPrefix")
    upstream_prefix = (
        None
        if raw_upstream_prefix is None
        else ptc.prefix(raw_upstream_prefix, "upstreamRepositoryPrefix")
    )
    upstream = ptc.resolve_upstream(url, named)
    ptc.check_ecr_only(upstream, ecr_prefix, url, registry_id, role, upstream_prefix)
    if upstream.needs_credential and credential is None:
        raise EcrError("UnsupportedUpstreamRegistryException", ptc.NEEDS_AUTHENTICATION)
    if credential is not None:
        ptc.check_secret(credential, registry_id, ctx.region)

    rules = pull_through_cache_rules(state, registry_id, ctx.region)
    if find_rule(rules, ecr_prefix) is not None:
        raise EcrError(
            "PullThroughCacheRuleAlreadyExistsException",
            f"A pull through cache rule with prefix '{ecr_prefix}' already exists in the "
            f"registry with id '{registry_id}'",
        )
    if len(rules) >= MAX_PULL_THROUGH_CACHE_RULES:
        raise EcrError(
            "LimitExceededException",
            f"The registry with id '{registry_id}' already has the maximum number of pull "
            f"through cache rules ({MAX_PULL_THROUGH_CACHE_RULES})",
        )
    rule = PullThroughCacheRule(
        ecr_repository_prefix=ecr_prefix,
        upstream_registry_url=url,
        upstream_registry=upstream.name,
        created_at=ctx.clock(),
        credential_arn=credential,
        custom_role_arn=role,
        upstream_repository_prefix=upstream_prefix,
    )
    set_pull_through_cache_rules(state, registry_id, ctx.region, (*rules, rule))
    return ptc.rule_shape(rule, registry_id, ptc.CREATE_FIELDS)
