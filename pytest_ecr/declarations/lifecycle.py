"""A repository's ``lifecycle_policy:``: a mapping or JSON text, checked by ECR's rules.

The policy is checked as PutLifecyclePolicy checks it (:mod:`pytest_ecr.model.lifecycle`)
and kept as ECR keeps it: minified JSON. A problem is reported at the key, with ECR's own
validation text, so a declaration never holds a policy ECR would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from pytest_ecr.declarations.problems import join_path
from pytest_ecr.declarations.shapes import MISSING, Report
from pytest_ecr.declarations.yamlread import INVALID

KEY: Final = "lifecycle_policy"
LIFECYCLE_POLICY_HINT: Final = (
    "a lifecycle policy is `{rules: [{rulePriority: 1, selection: {tagStatus: untagged, "
    "countType: sinceImagePushed, countUnit: days, countNumber: 14}, action: {type: "
    "expire}}]}` (a mapping, or the same as JSON text); see docs/how-to/lifecycle.md"
)


def _contains_invalid(value: Any) -> bool:
    if value is INVALID:
        return True
    if isinstance(value, Mapping):
        return any(_contains_invalid(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_invalid(item) for item in value)
    return False


def lifecycle_policy(report: Report, entry: Mapping[Any, Any], path: str) -> str | None:
    """The repository's policy as ECR would store it (minified JSON), or ``None``."""
    value = entry.get(KEY, MISSING)
    if value is MISSING or value is None or _contains_invalid(value):
        return None
    # The lifecycle model, only for a declaration that has a policy.
    from pytest_ecr.model.lifecycle import (
        MAX_POLICY_LENGTH,
        LifecyclePolicyError,
        minified,
        parse_policy,
    )

    where = join_path(path, KEY)
    if isinstance(value, str):
        text = value
    elif isinstance(value, Mapping):
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            report.problem(
                entry,
                KEY,
                where,
                "lifecycle_policy holds a value JSON cannot state",
                LIFECYCLE_POLICY_HINT,
            )
            return None
    else:
        report.wrong(entry, KEY, where, "a mapping or a JSON text", value, LIFECYCLE_POLICY_HINT)
        return None
    try:
        parse_policy(text)
        stored = minified(text)
    except LifecyclePolicyError as error:
        # A mapping's rule at fault is pointed at: its own line and path.
        container: Any = entry
        key: object = KEY
        rules = value.get("rules") if isinstance(value, Mapping) else None
        if error.rule is not None and isinstance(rules, (list, tuple)) and error.rule < len(rules):
            container, key = rules, error.rule
            where = join_path(join_path(where, "rules"), error.rule)
        report.problem(
            container,
            key,
            where,
            f"ECR would reject this lifecycle policy: {error}",
            LIFECYCLE_POLICY_HINT,
        )
        return None
    if len(stored) > MAX_POLICY_LENGTH:
        report.problem(
            entry,
            KEY,
            where,
            f"the lifecycle policy is {len(stored):,} characters as JSON; ECR takes "
            f"{MAX_POLICY_LENGTH:,} at most",
            "split it over fewer, broader rules",
        )
        return None
    return stored
