"""CreatePullThroughCacheRule: a rule that caches an upstream registry under a prefix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import (
    MAX_PULL_THROUGH_CACHE_RULES,
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
    rule = ptc.build_rule(params, ctx.clock(), registry_id, ctx.region)
    rules = pull_through_cache_rules(state, registry_id, ctx.region)
    if find_rule(rules, rule.ecr_repository_prefix) is not None:
        raise EcrError(
            "PullThroughCacheRuleAlreadyExistsException",
            f"A pull through cache rule with prefix '{rule.ecr_repository_prefix}' already "
            f"exists in the registry with id '{registry_id}'",
        )
    if len(rules) >= MAX_PULL_THROUGH_CACHE_RULES:
        raise EcrError(
            "LimitExceededException",
            f"The registry with id '{registry_id}' already has the maximum number of pull "
            f"through cache rules ({MAX_PULL_THROUGH_CACHE_RULES})",
        )
    set_pull_through_cache_rules(state, registry_id, ctx.region, (*rules, rule))
    return ptc.rule_shape(rule, registry_id, ptc.CREATE_FIELDS)
