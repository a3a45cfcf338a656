"""DescribeRepositoryCreationTemplates: a registry's templates, all or by prefix, in pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.templates import RepositoryCreationTemplate, find_template, templates
from pytest_ecr.service import creation_templates as rct
from pytest_ecr.service import paging
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def describe_repository_creation_templates(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = ctx.account
    raw = params.get("prefixes")
    prefixes = (
        None
        if raw is None
        else [
            ptc.prefix(item, "prefixes.member", low=1, high=rct.PREFIX_MAX)
            for item in v.expect_list(raw, "prefixes")
        ]
    )
    scope = f"DescribeRepositoryCreationTemplates\0{registry_id}\0{ctx.region}\0{prefixes}"
    page = paging.page_request(params, scope)
    found = templates(state, registry_id, ctx.region)
    chosen: list[RepositoryCreationTemplate]
    if prefixes is None:
        chosen = list(found)
    else:
        # In request order, once each; a prefix without a template is left out (the
        # operation models no TemplateNotFoundException).
        named: dict[str, RepositoryCreationTemplate] = {}
        for prefix in prefixes:
            template = find_template(found, prefix)
            if template is not None:
                named.setdefault(template.key, template)
        chosen = list(named.values())
    listed, token = paging.paginate(chosen, page)
    return paging.with_token(
        {
            "registryId": registry_id,
            "repositoryCreationTemplates": [rct.template_shape(t) for t in listed],
        },
        token,
    )
