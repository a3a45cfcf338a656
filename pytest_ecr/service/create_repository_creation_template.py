"""CreateRepositoryCreationTemplate: settings for repositories ECR creates under a prefix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.templates import (
    RepositoryCreationTemplate,
    find_template,
    set_templates,
    templates,
)
from pytest_ecr.service import creation_templates as rct
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def create_repository_creation_template(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    # Registry-scoped: no registryId member, the caller's registry in the client's Region.
    registry_id = ctx.account
    prefix = rct.template_prefix(params)
    v.require(params, "appliedFor")
    changes = rct.read_changes(params)
    now = ctx.clock()
    template = rct.apply_changes(
        RepositoryCreationTemplate(prefix, (), created_at=now, updated_at=now), changes
    )
    found = templates(state, registry_id, ctx.region)
    if find_template(found, prefix) is not None:
        raise rct.template_exists(prefix, registry_id)
    set_templates(state, registry_id, ctx.region, (*found, template))
    return {"registryId": registry_id, "repositoryCreationTemplate": rct.template_shape(template)}
