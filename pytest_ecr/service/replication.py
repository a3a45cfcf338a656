"""What the replication and signing operations share: reading a replication
configuration as ECR checks it, its shapes, an image's lookup, and the effects of a
push or a deletion (replicas, signatures)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import Image, RegistryState, Repository
from pytest_ecr.model.replication import FILTER_MAX_LENGTH as PREFIX_FILTER_MAX_LENGTH
from pytest_ecr.model.replication import FILTER_MIN_LENGTH as PREFIX_FILTER_MIN_LENGTH
from pytest_ecr.model.replication import FILTER_PATTERN as PREFIX_FILTER_PATTERN
from pytest_ecr.model.replication import (
    MAX_DESTINATIONS_PER_RULE,
    MAX_FILTERS,
    MAX_RULES,
    MAX_UNIQUE_DESTINATIONS,
    REGION_PATTERN,
    Destination,
    ReplicationConfiguration,
    ReplicationRule,
    replicate,
    replicate_deletion,
    replication_of,
)
from pytest_ecr.model.signing import sign_push
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import invalid_parameter
from pytest_ecr.service.image_ids import requested_image, resolve_image
from pytest_ecr.service.partitions import partition_of
from pytest_ecr.service.shapes import find_repository

_REGION_RE = re.compile(REGION_PATTERN)

CONFIGURATION = "replicationConfiguration"


def nested_list(
    raw: Mapping[str, Any], key: str, field: str, *, low: int, high: int
) -> list[Any] | None:
    """An optional list member of a nested structure, named by its whole path *field*."""
    value = raw.get(key)
    if value is None:
        return None
    items = v.expect_list(value, field)
    if len(items) < low:
        raise invalid_parameter(field, f"Member must have length greater than or equal to {low}")
    if len(items) > high:
        raise invalid_parameter(field, f"Member must have length less than or equal to {high}")
    return items


def destination(value: Any, field: str) -> Destination:
    """One ``ReplicationDestination``: a Region and a registry id, both checked."""
    raw = v.expect_object(value, field)
    region = raw.get("region")
    if region is None:
        raise invalid_parameter(f"{field}.region", "Member must not be null")
    region = v.string_length(region, f"{field}.region", low=2, high=25)
    if _REGION_RE.fullmatch(region) is None:
        raise invalid_parameter(
            f"{field}.region", f"must satisfy regular expression '{REGION_PATTERN}'"
        )
    registry = raw.get("registryId")
    if registry is None:
        raise invalid_parameter(f"{field}.registryId", "Member must not be null")
    return Destination(region, v.check_registry_id(registry, f"{field}.registryId"))


def _filters(raw: Mapping[str, Any], field: str) -> tuple[str, ...]:
    return repository_filters(
        raw,
        field,
        kind="PREFIX_MATCH",
        pattern=PREFIX_FILTER_PATTERN,
        low=PREFIX_FILTER_MIN_LENGTH,
        high=PREFIX_FILTER_MAX_LENGTH,
        most=MAX_FILTERS,
    )


def repository_filters(
    raw: Mapping[str, Any],
    field: str,
    *,
    kind: str,
    pattern: str,
    low: int,
    high: int,
    most: int,
) -> tuple[str, ...]:
    """The ``repositoryFilters`` of a replication or signing rule: each ``{filter,
    filterType}`` checked as ECR checks it (length, *pattern*, the one filter type)."""
    items = nested_list(raw, "repositoryFilters", f"{field}.repositoryFilters", low=1, high=most)
    matcher = re.compile(pattern)
    found: list[str] = []
    for position, item in enumerate(items or ()):
        at = f"{field}.repositoryFilters.{position + 1}.member"
        entry = v.expect_object(item, at)
        text = entry.get("filter")
        if text is None:
            raise invalid_parameter(f"{at}.filter", "Member must not be null")
        text = v.string_length(text, f"{at}.filter", low=low, high=high)
        if matcher.fullmatch(text) is None:
            raise invalid_parameter(f"{at}.filter", f"must satisfy regular expression '{pattern}'")
        filter_type = entry.get("filterType")
        if filter_type is None:
            raise invalid_parameter(f"{at}.filterType", "Member must not be null")
        v.enum_value(filter_type, f"{at}.filterType", (kind,))
        found.append(text)
    return tuple(found)


def _rule(value: Any, field: str, source: Destination) -> ReplicationRule:
    raw = v.expect_object(value, field)
    items = raw.get("destinations")
    if items is None:
        raise invalid_parameter(f"{field}.destinations", "Member must not be null")
    items = v.expect_list(items, f"{field}.destinations")
    if len(items) > MAX_DESTINATIONS_PER_RULE:
        raise invalid_parameter(
            f"{field}.destinations",
            f"Member must have length less than or equal to {MAX_DESTINATIONS_PER_RULE}",
        )
    destinations = []
    for position, item in enumerate(items):
        at = f"{field}.destinations.{position + 1}.member"
        found = destination(item, at)
        if found == source:
            # The text moto answers (ECR's own is not on record).
            raise invalid_parameter(
                CONFIGURATION, "Replication destination cannot be the same as the source registry"
            )
        if partition_of(found.region).name != partition_of(source.region).name:
            raise invalid_parameter(
                f"{at}.region", "Replication across AWS partitions is not supported"
            )
        destinations.append(found)
    delete = None
    raw_delete = raw.get("deleteReplication")
    if raw_delete is not None:
        flag = v.expect_object(raw_delete, f"{field}.deleteReplication").get("enabled")
        if flag is None:
            raise invalid_parameter(f"{field}.deleteReplication.enabled", "Member must not be null")
        delete = v.expect_bool(flag, f"{field}.deleteReplication.enabled")
    return ReplicationRule(tuple(destinations), _filters(raw, field), delete)


def read_configuration(params: Mapping[str, Any], ctx: RequestContext) -> ReplicationConfiguration:
    """The request's ``replicationConfiguration``, checked as ECR checks it."""
    raw = v.expect_object(v.require(params, CONFIGURATION), CONFIGURATION)
    rules_field = f"{CONFIGURATION}.rules"
    items = raw.get("rules")
    if items is None:
        raise invalid_parameter(rules_field, "Member must not be null")
    items = v.expect_list(items, rules_field)
    if len(items) > MAX_RULES:
        raise invalid_parameter(
            rules_field, f"Member must have length less than or equal to {MAX_RULES}"
        )
    source = Destination(ctx.region, ctx.account)
    rules = tuple(
        _rule(item, f"{rules_field}.{position + 1}.member", source)
        for position, item in enumerate(items)
    )
    config = ReplicationConfiguration(rules)
    if len(config.unique_destinations()) > MAX_UNIQUE_DESTINATIONS:
        raise invalid_parameter(
            rules_field,
            "The number of unique destinations across all rules must be less than or equal "
            f"to {MAX_UNIQUE_DESTINATIONS}",
        )
    return config


def destination_shape(found: Destination) -> dict[str, str]:
    return {"region": found.region, "registryId": found.registry_id}


def configuration_shape(config: ReplicationConfiguration) -> dict[str, Any]:
    rules = []
    for rule in config.rules:
        shape: dict[str, Any] = {"destinations": [destination_shape(d) for d in rule.destinations]}
        if rule.filters:
            shape["repositoryFilters"] = [
                {"filter": f, "filterType": "PREFIX_MATCH"} for f in rule.filters
            ]
        if rule.delete_replication is not None:
            shape["deleteReplication"] = {"enabled": rule.delete_replication}
        rules.append(shape)
    return {"rules": rules}


def find_image(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> tuple[str, Repository, Image]:
    """``(registryId, repository, image)`` of a request naming one ``imageId``."""
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    tag, digest = requested_image(params)
    repo = find_repository(state, registry_id, name, ctx)
    return registry_id, repo, resolve_image(repo, tag, digest)


def after_push(
    state: RegistryState, repo: Repository, digest: str, tag: str | None, now: float
) -> None:
    """What a push starts beyond storing the image: its replicas and its signatures.

    Only pushes replicate: the copies made here never start another replication.
    """
    config = replication_of(state, repo.registry_id, repo.region)
    tags = () if tag is None else (tag,)
    for found in config.destinations_for(repo.name):
        replicate(state, repo, digest, tags, found, now)
    sign_push(state, repo, digest, now)


def after_delete(state: RegistryState, repo: Repository, deleted: list[dict[str, str]]) -> None:
    """Replicate a BatchDeleteImage's deletions where a rule asks (``deleteReplication``)."""
    if not replication_of(state, repo.registry_id, repo.region).rules:
        return
    for ident in deleted:
        replicate_deletion(state, repo, ident["imageDigest"], ident.get("imageTag"))
