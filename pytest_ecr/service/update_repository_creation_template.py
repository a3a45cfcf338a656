"""UpdateRepositoryCreationTemplate: change a template; repositories made from it stay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.templates import find_template, set_templates, templates
from pytest_ecr.service import creation_templates as rct
from pytest_ecr.service.context import RequestContext


def update_repository_creation_template(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = ctx.account
    prefix = rct.template_prefix(params)
    changes = rct.read_changes(params)
    found = templates(state, registry_id, ctx.region)
    template = find_template(found, prefix)
    if template is None:
        raise rct.template_not_found(prefix, registry_id)
    updated = rct.apply_changes(template, {**changes, "updated_at": ctx.clock()})
    set_templates(
        state, registry_id, ctx.region, tuple(updated if t is template else t for t in found)
    )
    return {"registryId": registry_id, "repositoryCreationTemplate": rct.template_shape(updated)}
