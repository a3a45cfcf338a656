"""ListTagsForResource: a repository's tags (by ARN), in the order their keys were added."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.tags import repository_tags
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.tagging import repository_of_arn, tags_shape


def list_tags_for_resource(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    repo = repository_of_arn(state, params, ctx)
    return {"tags": tags_shape(repository_tags(repo))}
