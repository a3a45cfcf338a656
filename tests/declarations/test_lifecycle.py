"""``lifecycle_policy:`` in a declaration: a mapping or JSON text, checked by ECR's rules
at load time with file:line, stored minified as PutLifecyclePolicy stores it."""

from __future__ import annotations

import json

from pytest_ecr.declarations import Problem, load_sources
from pytest_ecr.declarations.lifecycle import LIFECYCLE_POLICY_HINT
from pytest_ecr.model.lifecycle import LIFECYCLE_POLICY_KEY, StoredPolicy

from .conftest import Problems, Write

RULE = (
    '{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": '
    '"sinceImagePushed", "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}'
)
MINIFIED = json.dumps({"rules": [json.loads(RULE)]}, separators=(",", ":"))


def test_a_mapping_is_stored_minified_and_never_evaluated(write: Write) -> None:
    path = write(
        """\
        version: 1
        repositories:
          - name: team/api
            lifecycle_policy:
              rules:
                - rulePriority: 1
                  selection:
                    tagStatus: untagged
                    countType: sinceImagePushed
                    countUnit: days
                    countNumber: 14
                  action: {type: expire}
        """
    )
    stored = load_sources([str(path)]).repository("team/api").setting(LIFECYCLE_POLICY_KEY)
    assert isinstance(stored, StoredPolicy)
    assert stored.text == MINIFIED
    assert stored.last_evaluated_at == 0.0
    assert [rule.priority for rule in stored.policy.rules] == [1]


def test_json_text_is_stored_minified(write: Write) -> None:
    text = json.dumps({"rules": [json.loads(RULE)]}, indent=2)
    path = write("version: 1\nrepositories:\n  - name: team/api\n    lifecycle_policy: |\n")
    with path.open("a", encoding="utf-8") as out:
        out.writelines(f"      {line}\n" for line in text.splitlines())
    stored = load_sources([str(path)]).repository("team/api").setting(LIFECYCLE_POLICY_KEY)
    assert isinstance(stored, StoredPolicy)
    assert stored.text == MINIFIED


def test_a_later_declaration_replaces_the_policy() -> None:
    first = {"rules": [json.loads(RULE)]}
    second = {"rules": [{**json.loads(RULE), "rulePriority": 5}]}
    state = load_sources(
        [
            {"version": 1, "repositories": [{"name": "team/api", "lifecycle_policy": first}]},
            {"version": 1, "repositories": [{"name": "team/api", "lifecycle_policy": second}]},
        ]
    )
    stored = state.repository("team/api").setting(LIFECYCLE_POLICY_KEY)
    assert isinstance(stored, StoredPolicy)
    assert [rule.priority for rule in stored.policy.rules] == [5]


def test_a_policy_ecr_rejects_is_reported_with_its_line(problems: Problems) -> None:
    assert problems(
        """\
        version: 1
        repositories:
          - name: team/api
            images: []
            lifecycle_policy:
              rules:
                - rulePriority: 1
                  selection: {tagStatus: tagged, countType: imageCountMoreThan, countNumber: 1}
                  action: {type: expire}
        """
    ) == [
        Problem(
            "<text>",
            7,
            "repositories[0].lifecycle_policy.rules[0]",
            "ECR would reject this lifecycle policy: Lifecycle policy validation failure: "
            "tagPrefixList or tagPatternList is required when tagStatus is tagged",
            LIFECYCLE_POLICY_HINT,
        )
    ]


def test_a_rule_breaking_the_rules_across_rules_is_pointed_at(problems: Problems) -> None:
    found = problems(
        """\
        version: 1
        repositories:
          - name: team/api
            lifecycle_policy:
              rules:
                - rulePriority: 2
                  selection: {tagStatus: untagged, countType: imageCountMoreThan, countNumber: 1}
                  action: {type: expire}
                - rulePriority: 1
                  selection: {tagStatus: untagged, countType: imageCountMoreThan, countNumber: 9}
                  action: {type: expire}
        """
    )
    assert [(p.line, p.path) for p in found] == [(6, "repositories[0].lifecycle_policy.rules[0]")]
    assert "Only one rule can select untagged images" in found[0].message


def test_every_problem_is_reported_at_once(problems: Problems) -> None:
    found = problems(
        """\
        version: 1
        repositories:
          - name: team/api
            lifecycle_policy: '{"rules": ['
          - name: team/web
            lifecycle_policy: 42
          - name: team/db
            lifecycle_polcy: {}
        """
    )
    assert [(p.line, p.path, p.message) for p in found] == [
        (
            4,
            "repositories[0].lifecycle_policy",
            "ECR would reject this lifecycle policy: Lifecycle policy validation failure: "
            "Could not map policyString into LifecyclePolicy.",
        ),
        (
            6,
            "repositories[1].lifecycle_policy",
            "expected a mapping or a JSON text, found the integer 42",
        ),
        (8, "repositories[2]", "unknown key 'lifecycle_polcy'"),
    ]
    assert found[2].hint is not None
    assert "did you mean 'lifecycle_policy'?" in found[2].hint


def test_a_policy_too_long_for_ecr(problems: Problems) -> None:
    rules = [
        {**json.loads(RULE), "rulePriority": i, "description": "x" * 700}
        | {
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": [f"p{i}"],
                "countType": "imageCountMoreThan",
                "countNumber": 1,
            }
        }
        for i in range(1, 50)
    ]
    found = problems(
        {"version": 1, "repositories": [{"name": "a/b", "lifecycle_policy": {"rules": rules}}]}
    )
    assert len(found) == 1
    assert found[0].message.startswith("the lifecycle policy is ")
    assert found[0].message.endswith("characters as JSON; ECR takes 30,720 at most")
