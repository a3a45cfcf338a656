"""DescribeRepositories: named repositories, or every repository of a registry in pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState, Repository
from pytest_ecr.service import paging
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.shapes import find_repository, repository_shape


def describe_repositories(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    names = v.bounded_list(params, "repositoryNames", low=1, high=100, required=False)
    if names is not None:
        paging.exclusive_with(params, "repositoryNames")
        checked = [
            v.check_repository_name(name, f"repositoryNames.{position + 1}.member")
            for position, name in enumerate(names)
        ]
        found: dict[str, Repository] = {}
        # ECR names the first missing repository; a repeated name is described once.
        for name in checked:
            if name not in found:
                found[name] = find_repository(state, registry_id, name, ctx)
        return {"repositories": [repository_shape(repo) for repo in found.values()]}

    page = paging.page_request(params, f"DescribeRepositories\0{registry_id}\0{ctx.region}")
    repos, token = paging.paginate(state.repositories(registry_id, ctx.region), page)
    return paging.with_token({"repositories": [repository_shape(r) for r in repos]}, token)
