"""UntagResource: remove tags from a repository (by ARN); absent keys are ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.tags import repository_tags, set_repository_tags, without
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.tagging import check_tag_key, repository_of_arn


def untag_resource(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    repo = repository_of_arn(state, params, ctx)
    raw = v.expect_list(v.require(params, "tagKeys"), "tagKeys")
    keys = tuple(
        check_tag_key(v.expect_str(key, f"tagKeys.{position + 1}.member"))
        for position, key in enumerate(raw)
    )
    set_repository_tags(repo, without(repository_tags(repo), keys))
    return {}
