"""TagResource: add tags to a repository (by ARN); keys already present take the new value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.tags import merged, repository_tags, set_repository_tags
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.tagging import check_tag_count, repository_of_arn, tag_list


def tag_resource(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    repo = repository_of_arn(state, params, ctx)
    new = tag_list(params, required=True)
    set_repository_tags(repo, check_tag_count(merged(repository_tags(repo), new)))
    return {}
