"""Parity scenarios of the lifecycle policy operations (Put/Get/DeleteLifecyclePolicy,
Start/GetLifecyclePolicyPreview), on every path.

moto 5.2 stores a policy's text and checks part of its shape, but evaluates nothing and
answers no preview call; its deviations are named in :data:`MOTO_DEVIATIONS`.
"""

from __future__ import annotations

import json
from typing import Any

from .scenarios import ACCOUNT, REPO, Scenario, call, error_of

_S = Scenario


def _rule(priority: int, **selection: Any) -> dict[str, Any]:
    chosen = {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 3}
    chosen.update(selection)
    return {"rulePriority": priority, "selection": chosen, "action": {"type": "expire"}}


def _text(*rules: dict[str, Any], indent: int | None = None) -> str:
    separators = None if indent else (",", ":")
    return json.dumps({"rules": list(rules)}, indent=indent, separators=separators)


POLICY = _text(_rule(1))
PRETTY = _text(_rule(1), indent=2)
NOT_FOUND = (
    f"Lifecycle policy does not exist for the repository with name '{REPO}' in the registry "
    f"with id '{ACCOUNT}'"
)
INVALID = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "


def _put(text: str, repo: str = REPO) -> Any:
    return call("put_lifecycle_policy", repositoryName=repo, lifecyclePolicyText=text)


def _message(outcome: Any) -> str | None:
    return outcome.get("message") if isinstance(outcome, dict) else None


MOTO_DEVIATIONS: dict[str, str] = {
    "lc-put-echo": "found by this suite: PutLifecyclePolicy echoes (and stores) the text as "
    "sent, not minified",
    "lc-rule-set": "found by this suite: no checks across rules (duplicate rulePriority, an "
    "`any` rule not last, two untagged rules, a repeated tag prefix are all accepted)",
    "lc-count-unit": "found by this suite: countUnit is accepted with imageCountMoreThan "
    "(the schema's count/age oneOf is not checked for that form)",
    "lc-tag-lists": "found by this suite: tagPrefixList/tagPatternList are not paired with "
    "tagStatus (a tagged rule without a list is accepted)",
    "lc-archive": "found by this suite: the archive fields (action transition, "
    "targetStorageClass, storageClass, sinceImagePulled) are rejected",
    "lc-length": "found by this suite: a text over 30,720 characters is accepted",
    "lc-preview": "found by this suite: StartLifecyclePolicyPreview and "
    "GetLifecyclePolicyPreview are not implemented (no preview, no evaluation)",
}

SCENARIOS: tuple[Scenario, ...] = (
    _S(
        "lc-put-get-delete",
        (
            _put(POLICY),
            call("get_lifecycle_policy", repositoryName=REPO),
            call("delete_lifecycle_policy", repositoryName=REPO),
            call("get_lifecycle_policy", repositoryName=REPO),
        ),
        lambda o: (
            o[0]["lifecyclePolicyText"] == POLICY
            and o[1]["lastEvaluatedAt"] == "<timestamp>"
            and o[2]["lifecyclePolicyText"] == POLICY
            and error_of(o[3]) == "LifecyclePolicyNotFoundException"
            and _message(o[3]) == NOT_FOUND
        ),
    ),
    _S(
        "lc-put-echoes-minified",
        (_put(PRETTY), call("get_lifecycle_policy", repositoryName=REPO)),
        lambda o: o[0]["lifecyclePolicyText"] == POLICY == o[1]["lifecyclePolicyText"],
        moto="lc-put-echo",
    ),
    _S(
        "lc-get-without-policy",
        (call("get_lifecycle_policy", repositoryName=REPO),),
        lambda o: _message(o[0]) == NOT_FOUND,
    ),
    _S(
        "lc-delete-without-policy",
        (call("delete_lifecycle_policy", repositoryName=REPO),),
        lambda o: _message(o[0]) == NOT_FOUND,
    ),
    _S(
        "lc-put-missing-repository",
        (_put(POLICY, "team/nope"),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    _S(
        "lc-put-not-json",
        (_put("{" + "x" * 120),),
        lambda o: (
            _message(o[0])
            == INVALID
            + "'Lifecycle policy validation failure: Could not map policyString into "
            "LifecyclePolicy.'"
        ),
    ),
    _S(
        "lc-put-count-unit-with-count",
        (_put(_text(_rule(1, countUnit="days"))),),
        lambda o: (
            _message(o[0])
            == INVALID
            + "'Lifecycle policy validation failure: instance failed to match exactly "
            "one schema (matched 0 out of 2)'"
        ),
        moto="lc-count-unit",
    ),
    _S(
        "lc-put-duplicate-priority",
        (_put(_text(_rule(1), _rule(1, tagStatus="any"))),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="lc-rule-set",
    ),
    _S(
        "lc-put-two-untagged-rules",
        (_put(_text(_rule(1), _rule(2, countNumber=5))),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="lc-rule-set",
    ),
    _S(
        "lc-put-tagged-without-list",
        (_put(_text(_rule(1, tagStatus="tagged"))),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="lc-tag-lists",
    ),
    _S(
        "lc-put-archive-transition",
        (
            _put(
                json.dumps(
                    {
                        "rules": [
                            {
                                "rulePriority": 1,
                                "selection": {
                                    "tagStatus": "any",
                                    "countType": "sinceImagePulled",
                                    "countUnit": "days",
                                    "countNumber": 30,
                                },
                                "action": {"type": "transition", "targetStorageClass": "archive"},
                            }
                        ]
                    },
                    separators=(",", ":"),
                )
            ),
        ),
        lambda o: "lifecyclePolicyText" in o[0],
        moto="lc-archive",
    ),
    _S(
        "lc-put-too-long",
        (_put(POLICY[:-1] + " " * 30_720 + "}"),),
        lambda o: (
            _message(o[0])
            == "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member "
            "must have length less than or equal to 30720'"
        ),
        moto="lc-length",
    ),
    _S(
        "lc-preview-start-and-get",
        (
            call("start_lifecycle_policy_preview", repositoryName=REPO, lifecyclePolicyText=PRETTY),
            call("get_lifecycle_policy_preview", repositoryName=REPO),
        ),
        lambda o: (
            o[0]["status"] == "IN_PROGRESS"
            and o[0]["lifecyclePolicyText"] == PRETTY
            and o[1]["status"] == "IN_PROGRESS"
            and o[1]["previewResults"] == []
        ),
        moto="lc-preview",
    ),
    _S(
        "lc-preview-without-policy",
        (call("start_lifecycle_policy_preview", repositoryName=REPO),),
        lambda o: _message(o[0]) == NOT_FOUND,
        moto="lc-preview",
    ),
    _S(
        "lc-preview-never-started",
        (call("get_lifecycle_policy_preview", repositoryName=REPO),),
        lambda o: error_of(o[0]) == "LifecyclePolicyPreviewNotFoundException",
        moto="lc-preview",
    ),
    _S(
        "lc-preview-in-progress",
        (
            _put(POLICY),
            call("start_lifecycle_policy_preview", repositoryName=REPO),
            call("start_lifecycle_policy_preview", repositoryName=REPO),
        ),
        lambda o: error_of(o[2]) == "LifecyclePolicyPreviewInProgressException",
        moto="lc-preview",
    ),
)
