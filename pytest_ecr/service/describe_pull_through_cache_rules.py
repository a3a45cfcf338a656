"""DescribePullThroughCacheRules: a registry's rules, all or by prefix, in pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import PullThroughCacheRule, find_rule, pull_through_cache_rules
from pytest_ecr.service import paging
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def describe_pull_through_cache_rules(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    named = v.bounded_list(params, "ecrRepositoryPrefixes", low=1, high=100, required=False)
    prefixes = (
        None
        if named is None
        else [ptc.prefix(item, "ecrRepositoryPrefixes.member") for item in named]
    )
    scope = f"DescribePullThroughCacheRules\0{registry_id}\0{ctx.region}\0{prefixes}"
    page = paging.page_request(params, scope)
    rules = pull_through_cache_rules(state, registry_id, ctx.region)
    chosen: list[PullThroughCacheRule]
    if prefixes is None:
        chosen = list(rules)
    else:
        # In request order, once each; any prefix without a rule fails the request.
        found: dict[str, PullThroughCacheRule] = {}
        for prefix in prefixes:
            rule = find_rule(rules, prefix)
            if rule is None:
                raise ptc.rule_not_found(prefix, registry_id)
            found.setdefault(rule.key, rule)
        chosen = list(found.values())
    listed, token = paging.paginate(chosen, page)
    return paging.with_token(
        {
            "pullThroughCacheRules": [
                ptc.rule_shape(r, registry_id, ptc.RULE_FIELDS) for r in listed
            ]
        },
        token,
    )
