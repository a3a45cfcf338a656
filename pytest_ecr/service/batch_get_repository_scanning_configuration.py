"""BatchGetRepositoryScanningConfiguration: the scanning that applies to each repository
named, from the registry's rules and the repository's own scan-on-push flag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model import scanning as s
from pytest_ecr.service import scanning as sc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def batch_get_repository_scanning_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    names = v.bounded_list(params, "repositoryNames", low=1, high=25, required=True) or []
    checked = [
        v.check_repository_name(name, f"repositoryNames.{position + 1}.member")
        for position, name in enumerate(names)
    ]
    config = s.configuration(state, ctx.account, ctx.region)
    items: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    # A name given twice is answered once, as DescribeRepositories does.
    for name in dict.fromkeys(checked):
        repo = state.get_repository(ctx.account, ctx.region, name)
        if repo is None:
            failures.append(
                {
                    "repositoryName": name,
                    "failureCode": "REPOSITORY_NOT_FOUND",
                    "failureReason": (
                        f"The repository with name '{name}' does not exist in the registry "
                        f"with id '{ctx.account}'"
                    ),
                }
            )
        else:
            items.append(sc.repository_item(repo, config))
    return {"scanningConfigurations": items, "failures": failures}
