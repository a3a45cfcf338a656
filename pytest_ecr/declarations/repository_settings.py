"""A repository's declared settings: ``tags``, ``scan_on_push``, ``encryption``,
``created_at``, ``tag_mutability_exclusions`` and ``policy``, as features
(:mod:`~pytest_ecr.declarations.features`).

Each value is checked as ECR checks the request that would set it (the service layer's
own checks give the texts) and reported with file, line and YAML path; each applier puts
the value where the operations read it. The keys are stated in
:mod:`~pytest_ecr.declarations.format`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_ecr.declarations.format import (
    ENCRYPTION_KEYS,
    ENCRYPTION_REQUIRED,
    ENCRYPTION_TYPES,
    MAX_EXCLUSIONS,
    TAG_MUTABILITIES,
)
from pytest_ecr.declarations.problems import DeclarationError, Problem, describe, expected_hint
from pytest_ecr.declarations.problems import join_path as _join
from pytest_ecr.declarations.shapes import MISSING, Report, pushed_at
from pytest_ecr.declarations.target import Target
from pytest_ecr.declarations.yamlread import INVALID
from pytest_ecr.model import Repository, TagMutability
from pytest_ecr.model.policies import MAX_POLICY_LENGTH, REPOSITORY_POLICY
from pytest_ecr.model.tags import MAX_TAGS, set_repository_tags
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.policies import jackson_pretty, parse_policy
from pytest_ecr.service.repository_settings import (
    EXCLUSION_FILTER_PATTERN,
    EXCLUSION_FILTER_RE,
    WITH_EXCLUSION,
    kms_key_arn,
)
from pytest_ecr.service.tagging import check_tag_key, check_tag_value

TAGS_EXAMPLE = "like `tags: {team: api, env: prod}`"
FILTER_HINT = f"a wildcard filter matches {EXCLUSION_FILTER_PATTERN}, like 'dev-*'"
POLICY_HINT = (
    "a policy has a Statement list whose statements give Effect, Principal and Action; a "
    "repository policy names no Resource (the repository is the resource)"
)


def _repository(target: Target) -> Repository:
    repo = target.repository
    if repo is None:  # pragma: no cover - the feature level guarantees one
        raise ValueError("a repository feature applied to a registry")
    return repo


def _key(where: str) -> str:
    return where.rpartition(".")[2]


# -- tags --------------------------------------------------------------------------------


def read_tags(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """``tags:``, a mapping of tag keys to values (strings), at most 50."""
    value = entry["tags"]
    if not isinstance(value, Mapping):
        report.wrong(entry, "tags", where, "a mapping of tag keys to values", value, TAGS_EXAMPLE)
        return None
    found: list[tuple[str, str]] = []
    ok = True
    for key, item in value.items():
        at = _join(where, key)
        if item is INVALID:
            ok = False
            continue
        if not isinstance(key, str) or not isinstance(item, str):
            wrong = key if not isinstance(key, str) else item
            report.problem(
                value,
                key,
                at,
                f"tag keys and values must be strings, found {describe(wrong)}",
                "quote it, so YAML keeps it a string",
            )
            ok = False
            continue
        try:
            found.append((check_tag_key(key), check_tag_value(key, item)))
        except EcrError as error:
            report.problem(value, key, at, error.message)
            ok = False
    if len(value) > MAX_TAGS:
        report.problem(
            entry,
            "tags",
            where,
            f"{len(value)} tags: a repository carries at most {MAX_TAGS}",
            "ECR answers TooManyTagsException beyond that",
        )
        ok = False
    return tuple(found) if ok else None


def apply_tags(target: Target, value: object) -> None:
    if isinstance(value, tuple):
        set_repository_tags(_repository(target), value)


# -- scan_on_push, created_at ------------------------------------------------------------


def read_scan_on_push(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    value = entry["scan_on_push"]
    if isinstance(value, bool):
        return value
    report.wrong(entry, "scan_on_push", where, "true or false", value)
    return None


def apply_scan_on_push(target: Target, value: object) -> None:
    if isinstance(value, bool):
        _repository(target).configure(scan_on_push=value)


def read_created_at(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    before = len(report.problems)
    path = where.removesuffix("created_at").removesuffix(".")
    seconds = pushed_at(report, entry, path, -1.0, key="created_at")
    if len(report.problems) != before or seconds < 0:
        return None
    return seconds


def apply_created_at(target: Target, value: object) -> None:
    if isinstance(value, float):
        _repository(target).created_at = value


# -- encryption ------------------------------------------------------------------------------


def read_encryption(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """``encryption: {type: AES256|KMS|KMS_DSSE, kms_key: ...}`` as ``(type, kms_key)``."""
    value = entry["encryption"]
    if not isinstance(value, Mapping):
        example = "like `encryption: {type: KMS}`"
        report.wrong(entry, "encryption", where, "a mapping", value, example)
        return None
    before = len(report.problems)
    report.unknown_keys(value, where, ENCRYPTION_KEYS)
    kind = value.get("type", MISSING)
    key = value.get("kms_key", MISSING)
    if kind is MISSING:
        report.problem(
            value,
            None,
            where,
            f"missing required key {ENCRYPTION_REQUIRED[0]!r}",
            f"expected one of: {', '.join(ENCRYPTION_TYPES)}",
        )
    elif kind is not INVALID and kind not in ENCRYPTION_TYPES:
        report.problem(
            value,
            "type",
            _join(where, "type"),
            f"unknown encryption type {describe(kind)}",
            expected_hint(kind, ENCRYPTION_TYPES),
        )
    if key is MISSING or key is INVALID:
        pass
    elif not isinstance(key, str) or not key or len(key) > 2048:
        what = "a KMS key id, key ARN, alias or alias ARN"
        report.wrong(value, "kms_key", _join(where, "kms_key"), what, key)
    elif kind == "AES256":
        report.problem(
            value,
            "kms_key",
            _join(where, "kms_key"),
            "kms_key is only for the KMS types",
            "AES256 uses no KMS key; write `type: KMS` or drop kms_key",
        )
    if len(report.problems) != before or kind is INVALID or key is INVALID:
        return None
    return str(kind), None if key is MISSING else str(key)


def apply_encryption(target: Target, value: object) -> None:
    if not isinstance(value, tuple):
        return
    repo = _repository(target)
    kind, kms_key = value
    try:
        arn = None if kind == "AES256" else kms_key_arn(kms_key, repo.registry_id, repo.region)
    except EcrError as error:
        # Only known once the repository's Region is: a key ARN of another Region.
        raise DeclarationError(
            [Problem("<declaration>", None, f"repository {repo.name!r}", error.message)]
        ) from None
    repo.encryption_type, repo.kms_key = kind, arn


# -- tag_mutability_exclusions ---------------------------------------------------------------


def read_exclusions(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """``tag_mutability_exclusions:``, 1 to 5 wildcard filters, with a ``*_WITH_EXCLUSION``
    ``tag_mutability`` only."""
    value = entry["tag_mutability_exclusions"]
    key = "tag_mutability_exclusions"
    raw_mode = entry.get("tag_mutability", TagMutability.MUTABLE.value)
    if raw_mode not in TAG_MUTABILITIES:
        return None  # the mode's own problem is reported; the filters cannot be judged
    mode = str(raw_mode)
    if mode not in (m.value for m in WITH_EXCLUSION):
        report.problem(
            entry,
            key,
            where,
            f"exclusions do not apply to tag_mutability {mode}",
            "declare `tag_mutability: IMMUTABLE_WITH_EXCLUSION` (the filters name the tags "
            "that stay mutable) or MUTABLE_WITH_EXCLUSION (the filters name the immutable ones)",
        )
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        example = "like `[dev-*, latest]`"
        report.wrong(entry, key, where, "a list of wildcard filters", value, example)
        return None
    if not 1 <= len(value) <= MAX_EXCLUSIONS:
        report.problem(
            entry,
            key,
            where,
            f"{len(value)} filters: give 1 to {MAX_EXCLUSIONS}",
            f"ECR takes at most {MAX_EXCLUSIONS} exclusion filters",
        )
        return None
    found: list[str] = []
    for index, item in enumerate(value):
        if item is INVALID:
            return None
        if not isinstance(item, str) or EXCLUSION_FILTER_RE.fullmatch(item) is None:
            at = f"{where}[{index}]"
            report.problem(value, index, at, f"invalid filter {describe(item)}", FILTER_HINT)
        else:
            found.append(item)
    return tuple(found) if len(found) == len(value) else None


def apply_exclusions(target: Target, value: object) -> None:
    if isinstance(value, tuple):
        _repository(target).configure(tag_mutability_exclusion_filters=value)


# -- policy ------------------------------------------------------------------------------------


def policy_text(
    report: Report, entry: Mapping[Any, Any], where: str, *, repository: bool
) -> tuple[str, dict[str, Any]] | None:
    """``policy:`` (a mapping or JSON text) as ``(text, document)``, checked as
    SetRepositoryPolicy (*repository*) or PutRegistryPolicy checks it."""
    value = entry["policy"]
    if isinstance(value, Mapping):
        text = json.dumps(value, separators=(",", ":"), default=str)
    elif isinstance(value, str):
        text = value
    else:
        report.wrong(entry, "policy", where, "a mapping or JSON text", value, POLICY_HINT)
        return None
    if len(text) > MAX_POLICY_LENGTH:
        report.problem(
            entry,
            "policy",
            where,
            f"the policy is {len(text)} characters long; ECR takes at most {MAX_POLICY_LENGTH}",
        )
        return None
    try:
        doc = parse_policy(text, repository=repository)
    except EcrError as error:
        report.problem(entry, "policy", where, error.message, POLICY_HINT)
        return None
    return text, doc


def read_repository_policy(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """The repository policy as ECR re-serialises it."""
    found = policy_text(report, entry, where, repository=True)
    return None if found is None else jackson_pretty(found[1])


def apply_repository_policy(target: Target, value: object) -> None:
    if isinstance(value, str):
        _repository(target).set_setting(REPOSITORY_POLICY, value)


__all__ = [
    "apply_created_at",
    "apply_encryption",
    "apply_exclusions",
    "apply_repository_policy",
    "apply_scan_on_push",
    "apply_tags",
    "policy_text",
    "read_created_at",
    "read_encryption",
    "read_exclusions",
    "read_repository_policy",
    "read_scan_on_push",
    "read_tags",
]
