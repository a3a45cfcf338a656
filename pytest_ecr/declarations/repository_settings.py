"""A repository's declared settings: ``tags``, ``scan_on_push``, ``encryption``,
``created_at``, ``tag_mutability_exclusions`` and ``policy``.

Each value is checked as ECR checks the request that would set it (the service layer's
own checks give the texts), and reported with file, line and YAML path. The key names
and values are stated in :mod:`~pytest_ecr.declarations.format`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_ecr.declarations.format import (
    ENCRYPTION_KEYS,
    ENCRYPTION_REQUIRED,
    ENCRYPTION_TYPES,
    MAX_EXCLUSIONS,
)
from pytest_ecr.declarations.problems import describe, expected_hint, join_path
from pytest_ecr.declarations.shapes import MISSING, Report, pushed_at
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
    "a repository policy has a Statement list whose statements give Effect, Principal and "
    "Action, and no Resource (the repository is the resource)"
)


@dataclass(frozen=True, slots=True)
class RepositorySettings:
    """What a repository entry states beyond its images; ``None`` where it states nothing.

    ``encryption`` is ``(type, kms_key as written)``: the key ARN it reports depends on
    the repository's account and Region, known when the declarations are merged.
    ``policy`` is the repository policy as ECR re-serialises it.
    """

    tags: tuple[tuple[str, str], ...] | None = None
    scan_on_push: bool | None = None
    encryption: tuple[str, str | None] | None = None
    created_at: float | None = None
    exclusions: tuple[str, ...] | None = None
    policy: str | None = None

    def stated(self) -> dict[str, object]:
        """The settings stated, by YAML key."""
        values = {
            "tags": self.tags,
            "scan_on_push": self.scan_on_push,
            "encryption": self.encryption,
            "created_at": self.created_at,
            "tag_mutability_exclusions": self.exclusions,
            "policy": self.policy,
        }
        return {key: value for key, value in values.items() if value is not None}


#: A repository entry that states no setting.
NO_SETTINGS = RepositorySettings()


def repository_settings(
    report: Report, entry: Mapping[Any, Any], path: str, mode: TagMutability
) -> RepositorySettings:
    """The settings of one repository entry whose ``tag_mutability`` is *mode*."""
    created = pushed_at(report, entry, path, -1.0, key="created_at")
    return RepositorySettings(
        tags=tags(report, entry, path),
        scan_on_push=scan_on_push(report, entry, path),
        encryption=encryption(report, entry, path),
        created_at=None if created < 0 else created,
        exclusions=exclusions(report, entry, path, mode),
        policy=policy(report, entry, path),
    )


def _value(entry: Mapping[Any, Any], key: str) -> Any:
    value = entry.get(key, MISSING)
    return MISSING if value is INVALID else value


def tags(report: Report, entry: Mapping[Any, Any], path: str) -> tuple[tuple[str, str], ...] | None:
    """``tags:``, a mapping of tag keys to values (strings), at most 50."""
    value = _value(entry, "tags")
    if value is MISSING:
        return None
    where = join_path(path, "tags")
    if not isinstance(value, Mapping):
        report.wrong(entry, "tags", where, "a mapping of tag keys to values", value, TAGS_EXAMPLE)
        return None
    found: list[tuple[str, str]] = []
    for key, item in value.items():
        at = join_path(where, key)
        if item is INVALID:
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
            continue
        try:
            found.append((check_tag_key(key), check_tag_value(key, item)))
        except EcrError as error:
            report.problem(value, key, at, error.message)
    if len(value) > MAX_TAGS:
        report.problem(
            entry,
            "tags",
            where,
            f"{len(value)} tags: a repository carries at most {MAX_TAGS}",
            "ECR answers TooManyTagsException beyond that",
        )
    return tuple(found)


def scan_on_push(report: Report, entry: Mapping[Any, Any], path: str) -> bool | None:
    value = _value(entry, "scan_on_push")
    if value is MISSING:
        return None
    if isinstance(value, bool):
        return value
    report.wrong(entry, "scan_on_push", join_path(path, "scan_on_push"), "true or false", value)
    return None


def encryption(
    report: Report, entry: Mapping[Any, Any], path: str
) -> tuple[str, str | None] | None:
    """``encryption: {type: AES256|KMS|KMS_DSSE, kms_key: ...}``."""
    value = _value(entry, "encryption")
    if value is MISSING:
        return None
    where = join_path(path, "encryption")
    if not isinstance(value, Mapping):
        report.wrong(
            entry, "encryption", where, "a mapping", value, "like `encryption: {type: KMS}`"
        )
        return None
    report.unknown_keys(value, where, ENCRYPTION_KEYS)
    kind = _value(value, "type")
    key = _value(value, "kms_key")
    ok = True
    if kind is MISSING:
        report.problem(
            value,
            None,
            where,
            f"missing required key {ENCRYPTION_REQUIRED[0]!r}",
            f"expected one of: {', '.join(ENCRYPTION_TYPES)}",
        )
        ok = False
    elif kind not in ENCRYPTION_TYPES:
        report.problem(
            value,
            "type",
            join_path(where, "type"),
            f"unknown encryption type {describe(kind)}",
            expected_hint(kind, ENCRYPTION_TYPES),
        )
        ok = False
    if key is not MISSING and (not isinstance(key, str) or not key or len(key) > 2048):
        report.wrong(
            value,
            "kms_key",
            join_path(where, "kms_key"),
            "a KMS key id, key ARN, alias or alias ARN",
            key,
        )
        ok = False
    elif key is not MISSING and kind == "AES256":
        report.problem(
            value,
            "kms_key",
            join_path(where, "kms_key"),
            "kms_key is only for the KMS types",
            "AES256 uses no KMS key; write `type: KMS` or drop kms_key",
        )
        ok = False
    if not ok:
        return None
    return str(kind), None if key is MISSING else str(key)


def exclusions(
    report: Report, entry: Mapping[Any, Any], path: str, mode: TagMutability
) -> tuple[str, ...] | None:
    """``tag_mutability_exclusions:``, 1 to 5 wildcard filters, with a ``*_WITH_EXCLUSION``
    ``tag_mutability`` only."""
    value = _value(entry, "tag_mutability_exclusions")
    if value is MISSING:
        return None
    key = "tag_mutability_exclusions"
    where = join_path(path, key)
    if mode not in WITH_EXCLUSION:
        report.problem(
            entry,
            key,
            where,
            f"exclusions do not apply to tag_mutability {mode.value}",
            "declare `tag_mutability: IMMUTABLE_WITH_EXCLUSION` (the filters name the tags "
            "that stay mutable) or MUTABLE_WITH_EXCLUSION (the filters name the immutable ones)",
        )
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        report.wrong(
            entry, key, where, "a list of wildcard filters", value, "like `[dev-*, latest]`"
        )
        return None
    if not 1 <= len(value) <= MAX_EXCLUSIONS:
        report.problem(
            entry,
            key,
            where,
            f"{len(value)} filters: give 1 to {MAX_EXCLUSIONS}",
            "ECR takes at most 5 exclusion filters",
        )
        return None
    found: list[str] = []
    for index, item in enumerate(value):
        if item is INVALID:
            continue
        if not isinstance(item, str) or EXCLUSION_FILTER_RE.fullmatch(item) is None:
            report.problem(
                value, index, f"{where}[{index}]", f"invalid filter {describe(item)}", FILTER_HINT
            )
        else:
            found.append(item)
    return tuple(found)


def policy(report: Report, entry: Mapping[Any, Any], path: str) -> str | None:
    """``policy:``, a mapping or JSON text, checked as SetRepositoryPolicy checks it."""
    value = _value(entry, "policy")
    if value is MISSING:
        return None
    where = join_path(path, "policy")
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
        doc = parse_policy(text, repository=True)
    except EcrError as error:
        report.problem(entry, "policy", where, error.message, POLICY_HINT)
        return None
    return jackson_pretty(doc)


def apply_setting(repo: Repository, key: str, value: object) -> str | None:
    """Give the (writable) declared *repo* one stated setting; the problem, if any."""
    if key == "tags" and isinstance(value, tuple):
        set_repository_tags(repo, value)
    elif key == "scan_on_push" and isinstance(value, bool):
        repo.configure(scan_on_push=value)
    elif key == "created_at" and isinstance(value, float):
        repo.created_at = value
    elif key == "tag_mutability_exclusions" and isinstance(value, tuple):
        repo.configure(tag_mutability_exclusion_filters=value)
    elif key == "policy" and isinstance(value, str):
        repo.set_setting(REPOSITORY_POLICY, value)
    elif key == "encryption" and isinstance(value, tuple):
        kind, kms_key = value
        try:
            arn = None if kind == "AES256" else kms_key_arn(kms_key, repo.registry_id, repo.region)
        except EcrError as error:
            return f"encryption.kms_key: {error.message}"
        repo.encryption_type, repo.kms_key = kind, arn
    return None


__all__ = ["NO_SETTINGS", "RepositorySettings", "apply_setting", "repository_settings"]
