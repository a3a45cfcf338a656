"""DeletePullThroughCacheRule: remove a rule; repositories it created stay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import (
    find_rule,
    pull_through_cache_rules,
    set_pull_through_cache_rules,
)
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def delete_pull_through_cache_rule(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    ecr_prefix = ptc.prefix(v.require(params, "ecrRepositoryPrefix"), "ecrRepositoryPrefix")
    rules = pull_through_cache_rules(state, registry_id, ctx.region)
    rule = find_rule(rules, ecr_prefix)
    if rule is None:
        raise ptc.rule_not_found(ecr_prefix, registry_id)
    set_pull_through_cache_rules(
        state, registry_id, ctx.region, tuple(r for r in rules if r is not rule)
    )
    return ptc.rule_shape(rule, registry_id, ptc.DELETE_FIELDS)
