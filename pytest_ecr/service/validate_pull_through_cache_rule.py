"""ValidatePullThroughCacheRule: whether a rule can reach its upstream (never raised).

The fake reaches no upstream: a rule is valid unless its declaration gave it a
``validation_failure``, which is then reported as ``failure`` with ``isValid`` false.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import find_rule, pull_through_cache_rules
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def validate_pull_through_cache_rule(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    ecr_prefix = ptc.prefix(v.require(params, "ecrRepositoryPrefix"), "ecrRepositoryPrefix")
    rule = find_rule(pull_through_cache_rules(state, registry_id, ctx.region), ecr_prefix)
    if rule is None:
        raise ptc.rule_not_found(ecr_prefix, registry_id)
    answer = ptc.rule_shape(rule, registry_id, ptc.VALIDATE_FIELDS)
    answer["isValid"] = rule.validation_failure is None
    if rule.validation_failure is not None:
        answer["failure"] = rule.validation_failure
    return answer
