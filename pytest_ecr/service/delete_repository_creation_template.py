"""DeleteRepositoryCreationTemplate: remove a template; repositories made from it stay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.templates import find_template, set_templates, templates
from pytest_ecr.service import creation_templates as rct
from pytest_ecr.service.context import RequestContext


def delete_repository_creation_template(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = ctx.account
    prefix = rct.template_prefix(params)
    found = templates(state, registry_id, ctx.region)
    template = find_template(found, prefix)
    if template is None:
        raise rct.template_not_found(prefix, registry_id)
    set_templates(state, registry_id, ctx.region, tuple(t for t in found if t is not template))
    return {"registryId": registry_id, "repositoryCreationTemplate": rct.template_shape(template)}
