"""Lifecycle policies: the rule language (:mod:`.policy`), what ECR keeps (:mod:`.state`),
the evaluation in ECR's order (:mod:`.engine`) and running policies for real (:mod:`.run`)."""

from __future__ import annotations

from pytest_ecr.model.lifecycle.engine import (
    Decision,
    evaluate,
    preview_results,
    repository_facts,
)
from pytest_ecr.model.lifecycle.policy import (
    MAX_POLICY_LENGTH,
    MAX_RULES,
    MIN_POLICY_LENGTH,
    LifecyclePolicy,
    LifecyclePolicyError,
    Rule,
    Selection,
    minified,
    parse_policy,
    policy_of,
)
from pytest_ecr.model.lifecycle.run import (
    LifecycleAction,
    LifecycleRun,
    check_run,
    run_policies,
)
from pytest_ecr.model.lifecycle.state import (
    LAST_PULLED_AT_KEY,
    LIFECYCLE_POLICY_KEY,
    LIFECYCLE_PREVIEW_KEY,
    PREVIEW_DURATION,
    PREVIEW_LIFETIME,
    STORAGE_CLASS_KEY,
    ImageFacts,
    Preview,
    PreviewResult,
    StoredPolicy,
)

__all__ = [
    "LAST_PULLED_AT_KEY",
    "LIFECYCLE_POLICY_KEY",
    "LIFECYCLE_PREVIEW_KEY",
    "MAX_POLICY_LENGTH",
    "MAX_RULES",
    "MIN_POLICY_LENGTH",
    "PREVIEW_DURATION",
    "PREVIEW_LIFETIME",
    "STORAGE_CLASS_KEY",
    "Decision",
    "ImageFacts",
    "LifecycleAction",
    "LifecyclePolicy",
    "LifecyclePolicyError",
    "LifecycleRun",
    "Preview",
    "PreviewResult",
    "Rule",
    "Selection",
    "StoredPolicy",
    "check_run",
    "evaluate",
    "minified",
    "parse_policy",
    "policy_of",
    "preview_results",
    "repository_facts",
    "run_policies",
]
