"""The registry-level keys ``pull_through_cache_rules`` and ``creation_templates``.

Each entry is checked by the same rules as CreatePullThroughCacheRule and
CreateRepositoryCreationTemplate (the service's own checks, so a declaration cannot hold
what the API would refuse); ECR's message is reported at the entry's key. A declared
rule or template is created at :data:`~pytest_ecr.declarations.format.DEFAULT_PUSHED_AT`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Final

from pytest_ecr.declarations.caches_format import (
    CREATION_TEMPLATES,
    PULL_THROUGH_CACHE_RULES,
    RULE_KEYS,
    RULE_MEMBERS,
    RULE_REQUIRED,
    TEMPLATE_KEYS,
    TEMPLATE_MEMBERS,
    TEMPLATE_REQUIRED,
)
from pytest_ecr.declarations.format import DEFAULT_PUSHED_AT
from pytest_ecr.declarations.problems import join_path
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.target import Target
from pytest_ecr.declarations.yamlread import INVALID
from pytest_ecr.model.caches import (
    MAX_PULL_THROUGH_CACHE_RULES,
    PullThroughCacheRule,
    normal_prefix,
    set_pull_through_cache_rules,
)
from pytest_ecr.model.templates import RepositoryCreationTemplate, set_templates
from pytest_ecr.service import creation_templates as rct
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service.errors import EcrError

_FIELD_RE: Final = re.compile(r"Invalid parameter at '([A-Za-z]+)")


def _key_of(error: EcrError, members: Mapping[str, str]) -> str | None:
    """The entry's key an error of the API's checks is about (``None``: the entry)."""
    found = _FIELD_RE.match(error.message)
    member = found.group(1) if found else None
    if error.code == "UnsupportedUpstreamRegistryException" and "URL" in error.message:
        member = "upstreamRegistryUrl"
    return next((key for key, name in members.items() if name == member), None)


def _entries(
    report: Report,
    owner: Mapping[Any, Any],
    key: str,
    where: str,
    read: Callable[[Mapping[Any, Any], str], object | None],
) -> list[object] | None:
    """Each checked entry of the list *owner[key]* (``None``: the value is not a list)."""
    value = owner[key]
    if not isinstance(value, (list, tuple)):
        report.wrong(owner, key, where, "a list", value, f"write `{key}: [{{...}}, ...]`")
        return None
    found: list[object] = []
    for index, item in enumerate(value):
        path = join_path(where, index)
        if item is INVALID:
            continue
        if not isinstance(item, Mapping):
            report.wrong(value, index, path, "a mapping", item)
            continue
        checked = read(item, path)
        if checked is not None:
            found.append(checked)
    return found


def _missing(report: Report, item: Mapping[Any, Any], path: str, required: tuple[str, ...]) -> bool:
    absent = [key for key in required if item.get(key) in (None, INVALID)]
    for key in absent:
        if item.get(key) is None:
            report.problem(item, None, path, f"missing required key {key!r}")
    return bool(absent)


def read_rules(report: Report, owner: Mapping[Any, Any], where: str) -> object | None:
    """``pull_through_cache_rules:`` -> a tuple of :class:`PullThroughCacheRule`."""

    def read(item: Mapping[Any, Any], path: str) -> PullThroughCacheRule | None:
        report.unknown_keys(item, path, RULE_KEYS)
        if _missing(report, item, path, RULE_REQUIRED):
            return None
        params = {RULE_MEMBERS[k]: v for k, v in item.items() if k in RULE_MEMBERS}
        try:
            rule = ptc.build_rule(params, DEFAULT_PUSHED_AT, None, None)
        except EcrError as error:
            key = _key_of(error, RULE_MEMBERS)
            report.problem(item, key, join_path(path, key) if key else path, error.message)
            return None
        failure = item.get("validation_failure")
        if failure is None or failure is INVALID:
            return rule
        if not isinstance(failure, str) or not failure:
            report.wrong(
                item, "validation_failure", join_path(path, "validation_failure"), "a text", failure
            )
            return None
        return replace(rule, validation_failure=failure)

    found = _entries(report, owner, PULL_THROUGH_CACHE_RULES, where, read)
    if found is None:
        return None
    rules = tuple(r for r in found if isinstance(r, PullThroughCacheRule))
    if not _unique(
        report,
        owner,
        PULL_THROUGH_CACHE_RULES,
        where,
        [r.key for r in rules],
        "ecr_repository_prefix",
    ):
        return None
    if len(rules) > MAX_PULL_THROUGH_CACHE_RULES:
        report.problem(
            owner,
            PULL_THROUGH_CACHE_RULES,
            where,
            f"{len(rules)} pull through cache rules; a registry holds at most "
            f"{MAX_PULL_THROUGH_CACHE_RULES}",
        )
        return None
    return rules


def _unique(
    report: Report, owner: Mapping[Any, Any], key: str, where: str, names: list[str], field: str
) -> bool:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            report.problem(
                owner, key, where, f"two entries have the {field} {name!r}", "declare each once"
            )
            return False
        seen.add(name)
    return True


def _policy_text(value: object) -> object:
    # A policy may be declared as a mapping (YAML) or as its JSON text.
    return json.dumps(value) if isinstance(value, Mapping) else value


def _template_params(item: Mapping[Any, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in item.items():
        if key not in TEMPLATE_MEMBERS or key in ("encryption", "kms_key"):
            continue
        if key == "tags" and isinstance(value, Mapping):
            value = [{"Key": k, "Value": val} for k, val in value.items()]
        elif key == "tag_mutability_exclusion_filters" and isinstance(value, (list, tuple)):
            value = [{"filterType": "WILDCARD", "filter": f} for f in value]
        elif key in ("repository_policy", "lifecycle_policy"):
            value = _policy_text(value)
        params[TEMPLATE_MEMBERS[key]] = value
    if "encryption" in item or "kms_key" in item:
        encryption = {"encryptionType": item.get("encryption", "AES256")}
        if item.get("kms_key") is not None:
            encryption["kmsKey"] = item["kms_key"]
        params["encryptionConfiguration"] = encryption
    return params


def read_templates(report: Report, owner: Mapping[Any, Any], where: str) -> object | None:
    """``creation_templates:`` -> a tuple of :class:`RepositoryCreationTemplate`."""

    def read(item: Mapping[Any, Any], path: str) -> RepositoryCreationTemplate | None:
        report.unknown_keys(item, path, TEMPLATE_KEYS)
        if _missing(report, item, path, TEMPLATE_REQUIRED):
            return None
        tags = item.get("tags")
        if tags is not None and tags is not INVALID and not isinstance(tags, Mapping):
            report.wrong(
                item, "tags", join_path(path, "tags"), "a mapping of tag keys to values", tags
            )
            return None
        params = _template_params(item)
        try:
            prefix = rct.template_prefix(params)
            empty = RepositoryCreationTemplate(prefix, (), DEFAULT_PUSHED_AT, DEFAULT_PUSHED_AT)
            return rct.apply_changes(empty, rct.read_changes(params))
        except EcrError as error:
            key = _key_of(error, TEMPLATE_MEMBERS)
            report.problem(item, key, join_path(path, key) if key else path, error.message)
            return None

    found = _entries(report, owner, CREATION_TEMPLATES, where, read)
    if found is None:
        return None
    templates = tuple(t for t in found if isinstance(t, RepositoryCreationTemplate))
    if not _unique(
        report,
        owner,
        CREATION_TEMPLATES,
        where,
        [normal_prefix(t.prefix) for t in templates],
        "prefix",
    ):
        return None
    return templates


def apply_rules(target: Target, value: object) -> None:
    assert isinstance(value, tuple)
    set_pull_through_cache_rules(target.state, target.account, target.region, value)


def apply_templates(target: Target, value: object) -> None:
    assert isinstance(value, tuple)
    set_templates(target.state, target.account, target.region, value)


__all__ = [
    "CREATION_TEMPLATES",
    "PULL_THROUGH_CACHE_RULES",
    "apply_rules",
    "apply_templates",
    "read_rules",
    "read_templates",
]
