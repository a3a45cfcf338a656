"""UpdatePullThroughCacheRule: a rule's credential or role (its upstream never changes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import (
    UNNAMED,
    find_rule,
    pull_through_cache_rules,
    set_pull_through_cache_rules,
    upstream_named,
    upstream_of,
)
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def update_pull_through_cache_rule(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    ecr_prefix = ptc.prefix(v.require(params, "ecrRepositoryPrefix"), "ecrRepositoryPrefix")
    credential = ptc.credential_arn(params)
    role = ptc.custom_role_arn(params)
    rules = pull_through_cache_rules(state, registry_id, ctx.region)
    rule = find_rule(rules, ecr_prefix)
    if rule is None:
        raise ptc.rule_not_found(ecr_prefix, registry_id)
    upstream = upstream_of(rule.upstream_registry_url) or (
        upstream_named(rule.upstream_registry) if rule.upstream_registry else UNNAMED
    )
    if role is not None:
        ptc.check_ecr_only(
            upstream,
            rule.ecr_repository_prefix,
            rule.upstream_registry_url,
            registry_id,
            role,
            rule.upstream_repository_prefix,
        )
    if credential is not None:
        ptc.check_secret(credential, registry_id, ctx.region)
    updated = replace(
        rule,
        credential_arn=credential if credential is not None else rule.credential_arn,
        custom_role_arn=role if role is not None else rule.custom_role_arn,
        updated_at=ctx.clock(),
    )
    set_pull_through_cache_rules(
        state, registry_id, ctx.region, tuple(updated if r is rule else r for r in rules)
    )
    return ptc.rule_shape(updated, registry_id, ptc.UPDATE_FIELDS)
