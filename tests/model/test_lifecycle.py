"""The lifecycle rule language and its evaluation, on the model alone (no client).

Validation: every rule of ECR's language, each rejection with its text. Evaluation: ECR's
documented order (docs/fidelity.md, "Lifecycle policies"), the examples of the User
Guide, manifest lists, archive transitions and running policies on a fork.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_ecr.model import Image, RegistryState
from pytest_ecr.model.archive import StorageClassState, image_status, set_storage_state
from pytest_ecr.model.lifecycle import (
    LAST_PULLED_AT_KEY,
    LIFECYCLE_POLICY_KEY,
    STORAGE_CLASS_KEY,
    ImageFacts,
    LifecyclePolicyError,
    Preview,
    StoredPolicy,
    evaluate,
    minified,
    parse_policy,
    policy_of,
    preview_results,
    repository_facts,
    run_policies,
)
from pytest_ecr.model.lifecycle.policy import ONE_OF

DAY = 86_400.0
NOW = 1_800_000_000.0


def rule(
    priority: int,
    tag_status: str = "any",
    *,
    count_type: str = "imageCountMoreThan",
    number: int = 1,
    action: str = "expire",
    **selection: Any,
) -> dict[str, Any]:
    chosen: dict[str, Any] = {"tagStatus": tag_status, "countType": count_type}
    if count_type != "imageCountMoreThan":
        chosen["countUnit"] = "days"
    chosen["countNumber"] = number
    chosen.update(selection)
    acting: dict[str, Any] = {"type": action}
    if action == "transition":
        acting["targetStorageClass"] = "archive"
    return {"rulePriority": priority, "selection": chosen, "action": acting}


def text(*rules: dict[str, Any]) -> str:
    return json.dumps({"rules": list(rules)})


def detail(document: Any) -> str:
    with pytest.raises(LifecyclePolicyError) as excinfo:
        policy_of(document)
    return excinfo.value.detail


def image(name: str, tags: tuple[str, ...], age_days: float, **facts: Any) -> ImageFacts:
    return ImageFacts(name, tags, NOW - age_days * DAY, **facts)


def acted(document: str, images: list[ImageFacts], now: float = NOW) -> list[tuple[str, int]]:
    return [
        (d.image.digest, d.rule.priority) for d in evaluate(parse_policy(document), images, now)
    ]


# -- the documented examples (UG: lifecycle_policy_examples) ------------------------------

#: A = [beta-1, prod-1] pushed 10 days ago, B = [beta-2, prod-2] 9 days, C = [beta-3] 8.
EXAMPLE = [
    image("A", ("beta-1", "prod-1"), 10),
    image("B", ("beta-2", "prod-2"), 9),
    image("C", ("beta-3",), 8),
]


def test_example_a_only_a_expires_b_is_shielded_by_rule_1() -> None:
    policy = text(
        rule(1, "tagged", tagPrefixList=["prod"], number=1),
        rule(2, "tagged", tagPrefixList=["beta"], number=1),
    )
    assert acted(policy, EXAMPLE) == [("A", 1)]


def test_example_b_a_and_b_expire_by_rule_1() -> None:
    policy = text(
        rule(1, "tagged", tagPrefixList=["beta"], number=1),
        rule(2, "tagged", tagPrefixList=["prod"], number=1),
    )
    assert acted(policy, EXAMPLE) == [("A", 1), ("B", 1)]


def test_an_any_rule_acts_only_on_images_no_earlier_rule_selected() -> None:
    policy = text(rule(1, "tagged", tagPrefixList=["prod"], number=1), rule(2, "any", number=1))
    images = [*EXAMPLE, image("D", (), 12), image("E", ("dev",), 7)]
    # Rule 1 selects A and B (keeps B); rule 2 counts all five newest first (E, C, B, A, D),
    # keeps E and acts on C and D; A and B are rule 1's.
    assert acted(policy, images) == [("A", 1), ("D", 2), ("C", 2)]


# -- the rule forms -----------------------------------------------------------------------


def test_count_keeps_the_newest_and_acts_on_the_oldest_first() -> None:
    images = [image(str(age), (f"v{age}",), age) for age in (3, 1, 5, 2, 4)]
    assert acted(text(rule(1, "any", number=2)), images) == [("5", 1), ("4", 1), ("3", 1)]


def test_age_acts_on_images_strictly_older_than_the_days() -> None:
    images = [image("old", (), 15), image("edge", (), 14), image("new", (), 1)]
    policy = text(rule(1, "untagged", count_type="sinceImagePushed", number=14))
    assert acted(policy, images, NOW + 1) == [("old", 1), ("edge", 1)]
    assert acted(policy, images, NOW) == [("old", 1)]


def test_untagged_selects_images_without_tags_only() -> None:
    images = [image("t", ("v1",), 30), image("u", (), 30)]
    assert acted(text(rule(1, "untagged", number=0 + 1)), [*images, image("u2", (), 1)]) == [
        ("u", 1)
    ]


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("prod*", {"prod", "prod1", "prod-1-2"}),
        ("*prod", {"prod", "x-prod"}),
        ("*test*1*2*3", {"test123", "a-test-1-2-3"}),
        ("release-?", set()),
        ("v1", {"v1"}),
    ],
)
def test_tag_patterns_wildcards(pattern: str, matches: set[str]) -> None:
    tags = ["prod", "prod1", "prod-1-2", "x-prod", "test123", "a-test-1-2-3", "v1", "v10"]
    images = [image(tag, (tag,), 100 - i) for i, tag in enumerate(tags)]
    policy = text(
        rule(1, "tagged", count_type="sinceImagePushed", number=1, tagPatternList=[pattern])
    )
    assert {digest for digest, _ in acted(policy, images)} == matches


def test_several_list_entries_must_all_match() -> None:
    images = [
        image("both", ("prod-1", "beta-1"), 30),
        image("prod", ("prod-2",), 30),
        image("beta", ("beta-2",), 30),
    ]
    policy = text(rule(1, "tagged", count_type="sinceImagePushed", tagPrefixList=["prod", "beta"]))
    assert acted(policy, images) == [("both", 1)]


def test_a_prefix_matches_the_start_of_a_tag_only() -> None:
    images = [image("a", ("xprod",), 30), image("b", ("prod-x",), 30)]
    policy = text(rule(1, "tagged", count_type="sinceImagePushed", tagPrefixList=["prod"]))
    assert acted(policy, images) == [("b", 1)]


def test_an_image_is_acted_on_once_even_when_two_rules_would() -> None:
    images = [image("x", ("v1",), 30)]
    policy = text(
        rule(1, "tagged", count_type="sinceImagePushed", number=1, tagPrefixList=["v"]),
        rule(2, "any", count_type="sinceImagePushed", number=1),
    )
    assert acted(policy, images) == [("x", 1)]


def test_images_a_manifest_list_references_are_kept_but_counted() -> None:
    images = [
        image("child-1", (), 30, in_list=True),
        image("child-2", (), 30, in_list=True),
        image("loose", (), 20),
        image("fresh", (), 1),
    ]
    assert acted(text(rule(1, "untagged", number=1)), images) == [("loose", 1)]


def test_images_pushed_at_the_same_time_count_in_the_order_they_were_added() -> None:
    images = [image("first", (), 5), image("second", (), 5)]
    assert acted(text(rule(1, "any", number=1)), images) == [("first", 1)]


def test_rules_are_applied_in_priority_order_whatever_their_order_in_the_text() -> None:
    policy = text(
        rule(7, "tagged", tagPrefixList=["prod"], number=1),
        rule(3, "tagged", tagPrefixList=["beta"], number=1),
    )
    assert acted(policy, EXAMPLE) == [("A", 3), ("B", 3)]


# -- archive -------------------------------------------------------------------------------


def test_since_image_pulled_transitions_counting_from_the_last_pull_else_the_push() -> None:
    images = [
        image("never-pulled", ("a",), 40),
        image("pulled-lately", ("b",), 40, last_pulled_at=NOW - 2 * DAY),
        image("pulled-long-ago", ("c",), 40, last_pulled_at=NOW - 31 * DAY),
    ]
    policy = text(rule(1, "any", count_type="sinceImagePulled", number=30, action="transition"))
    decisions = evaluate(parse_policy(policy), images, NOW)
    assert [(d.image.digest, d.action, d.target_storage_class) for d in decisions] == [
        ("never-pulled", "TRANSITION", "ARCHIVE"),
        ("pulled-long-ago", "TRANSITION", "ARCHIVE"),
    ]


def test_archived_images_are_selected_by_archive_rules_only() -> None:
    images = [
        image("archived", ("a",), 400, storage_class="ARCHIVE", archived_at=NOW - 200 * DAY),
        image("standard", ("b",), 400),
    ]
    standard = text(rule(1, "any", count_type="sinceImagePushed", number=1))
    archive = text(
        rule(1, "any", count_type="sinceImageTransitioned", number=100, storageClass="archive")
    )
    assert acted(standard, images) == [("standard", 1)]
    assert acted(archive, images) == [("archived", 1)]


def test_an_archived_image_is_kept_for_its_90_day_minimum() -> None:
    images = [
        image("archived-30", (), 400, storage_class="ARCHIVE", archived_at=NOW - 30 * DAY),
        image("archived-91", (), 400, storage_class="ARCHIVE", archived_at=NOW - 91 * DAY),
    ]
    policy = text(
        rule(1, "untagged", count_type="sinceImageTransitioned", number=7, storageClass="archive")
    )
    assert acted(policy, images) == [("archived-91", 1)]


# -- validation: what ECR accepts ----------------------------------------------------------

VALID = {
    "count": rule(1, "any", number=5),
    "age": rule(1, "untagged", count_type="sinceImagePushed", number=14),
    "prefixes": rule(1, "tagged", tagPrefixList=["prod", "beta"], number=3),
    "patterns": rule(1, "tagged", tagPatternList=["*test*1*2*3"], number=3),
    "pulled-transition": rule(1, "any", count_type="sinceImagePulled", action="transition"),
    "archive-expire": rule(
        1, "any", count_type="sinceImageTransitioned", number=90, storageClass="archive"
    ),
    "standard-class": rule(1, "any", storageClass="standard"),
    "described": {**rule(1), "description": "keep one"},
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_rules_parse(name: str) -> None:
    policy = parse_policy(text(VALID[name]))
    assert [r.priority for r in policy.rules] == [1]


def test_the_same_prefix_may_be_used_once_per_storage_class() -> None:
    parse_policy(
        text(
            rule(
                1, "tagged", count_type="sinceImagePulled", action="transition", tagPrefixList=["r"]
            ),
            rule(
                2,
                "tagged",
                count_type="sinceImageTransitioned",
                storageClass="archive",
                tagPrefixList=["r"],
            ),
        )
    )


def test_one_untagged_rule_per_storage_class_is_allowed() -> None:
    parse_policy(
        text(
            rule(1, "untagged", number=3),
            rule(2, "untagged", count_type="sinceImageTransitioned", storageClass="archive"),
        )
    )


def test_fifty_rules_are_allowed() -> None:
    rules = [rule(i, "tagged", tagPrefixList=[f"p{i}"]) for i in range(1, 51)]
    assert len(parse_policy(text(*rules)).rules) == 50


def test_minified_keeps_key_order_and_drops_whitespace() -> None:
    pretty = json.dumps({"rules": [rule(1)]}, indent=4)
    assert minified(pretty) == json.dumps({"rules": [rule(1)]}, separators=(",", ":"))


# -- validation: what ECR rejects, and its words -------------------------------------------


def _selection(**fields: Any) -> dict[str, Any]:
    base = rule(1)
    return {"rules": [{**base, "selection": {**base["selection"], **fields}}]}


def _without(part: str, key: str) -> dict[str, Any]:
    base = rule(1)
    base[part] = {k: v for k, v in base[part].items() if k != key}
    return {"rules": [base]}


INVALID: dict[str, tuple[Any, str]] = {
    "not-an-object": ([], "Could not map policyString into LifecyclePolicy."),
    "no-rules": ({}, 'object has missing required properties (["rules"])'),
    "rules-not-a-list": (
        {"rules": {}},
        'instance type (object) does not match any allowed primitive type (allowed: ["array"])',
    ),
    "empty-rules": (
        {"rules": []},
        "array is too short: must have at least 1 elements but instance has 0 elements",
    ),
    "51-rules": (
        {"rules": [rule(i, "tagged", tagPrefixList=[f"p{i}"]) for i in range(1, 52)]},
        "array is too long: must have at most 50 elements but instance has 51 elements",
    ),
    "extra-top-key": (
        {"rules": [rule(1)], "x": 1},
        'object instance has properties which are not allowed by the schema: ["x"]',
    ),
    "rule-not-object": (
        {"rules": [1]},
        'instance type (integer) does not match any allowed primitive type (allowed: ["object"])',
    ),
    "rule-missing": (
        {"rules": [{"rulePriority": 1}]},
        'object has missing required properties (["action","selection"])',
    ),
    "rule-extra": (
        {"rules": [{**rule(1), "name": "x"}]},
        'object instance has properties which are not allowed by the schema: ["name"]',
    ),
    "priority-zero": (
        {"rules": [{**rule(1), "rulePriority": 0}]},
        "numeric instance is lower than the required minimum (minimum: 1, found: 0)",
    ),
    "priority-string": (
        {"rules": [{**rule(1), "rulePriority": "1"}]},
        'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
    ),
    "priority-float": (
        {"rules": [{**rule(1), "rulePriority": 1.5}]},
        'instance type (number) does not match any allowed primitive type (allowed: ["integer"])',
    ),
    "description-not-string": (
        {"rules": [{**rule(1), "description": 5}]},
        'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
    ),
    "selection-missing": (
        _without("selection", "countType"),
        'object has missing required properties (["countType"])',
    ),
    "selection-extra": (
        _selection(tagList=["x"]),
        'object instance has properties which are not allowed by the schema: ["tagList"]',
    ),
    "tag-status-enum": (
        _selection(tagStatus="TAGGED"),
        'instance value ("TAGGED") not found in enum (possible values: '
        '["any","tagged","untagged"])',
    ),
    "count-type-enum": (
        _selection(countType="imageCountLessThan"),
        'instance value ("imageCountLessThan") not found in enum (possible values: '
        '["imageCountMoreThan","sinceImagePulled","sinceImagePushed","sinceImageTransitioned"])',
    ),
    "count-with-unit": (_selection(countUnit="days"), ONE_OF),
    "age-without-unit": (_selection(countType="sinceImagePushed"), ONE_OF),
    "age-null-unit": (_selection(countType="sinceImagePushed", countUnit=None), ONE_OF),
    "age-hours": (_selection(countType="sinceImagePushed", countUnit="hours"), ONE_OF),
    "count-zero": (
        _selection(countNumber=0),
        "numeric instance is lower than the required minimum (minimum: 1, found: 0)",
    ),
    "count-bool": (
        _selection(countNumber=True),
        'instance type (boolean) does not match any allowed primitive type (allowed: ["integer"])',
    ),
    "storage-class-enum": (
        _selection(storageClass="glacier"),
        'instance value ("glacier") not found in enum (possible values: ["archive","standard"])',
    ),
    "tagged-without-list": (
        _selection(tagStatus="tagged"),
        "tagPrefixList or tagPatternList is required when tagStatus is tagged",
    ),
    "tagged-empty-list": (
        _selection(tagStatus="tagged", tagPrefixList=[]),
        "tagPrefixList or tagPatternList is required when tagStatus is tagged",
    ),
    "tagged-both-lists": (
        _selection(tagStatus="tagged", tagPrefixList=["a"], tagPatternList=["b*"]),
        "tagPrefixList and tagPatternList cannot be used together in one rule",
    ),
    "untagged-with-list": (
        _selection(tagStatus="untagged", tagPrefixList=["a"]),
        "tagPrefixList and tagPatternList are allowed only when tagStatus is tagged, not untagged",
    ),
    "any-with-pattern": (
        _selection(tagPatternList=["a*"]),
        "tagPrefixList and tagPatternList are allowed only when tagStatus is tagged, not any",
    ),
    "list-not-array": (
        _selection(tagStatus="tagged", tagPrefixList="prod"),
        'instance type (string) does not match any allowed primitive type (allowed: ["array"])',
    ),
    "list-entry-empty": (
        _selection(tagStatus="tagged", tagPrefixList=[""]),
        "string is too short (length: 0, required minimum: 1)",
    ),
    "five-wildcards": (
        _selection(tagStatus="tagged", tagPatternList=["*test*1*2*3*4"]),
        'tagPatternList entry "*test*1*2*3*4" has more than 4 wildcards (*)',
    ),
    "action-missing": (
        _without("action", "type"),
        'object has missing required properties (["type"])',
    ),
    "action-enum": (
        {"rules": [{**rule(1), "action": {"type": "delete"}}]},
        'instance value ("delete") not found in enum (possible values: ["expire","transition"])',
    ),
    "transition-without-target": (
        {"rules": [{**rule(1), "action": {"type": "transition"}}]},
        ONE_OF,
    ),
    "expire-with-target": (
        {"rules": [{**rule(1), "action": {"type": "expire", "targetStorageClass": "archive"}}]},
        ONE_OF,
    ),
    "null-target": (
        {"rules": [{**rule(1), "action": {"type": "transition", "targetStorageClass": None}}]},
        ONE_OF,
    ),
    "transitioned-on-standard": (
        {"rules": [rule(1, count_type="sinceImageTransitioned")]},
        "The rule with rulePriority 1 uses countType sinceImageTransitioned, which requires "
        "storageClass archive",
    ),
    "pulled-on-archive": (
        {"rules": [rule(1, count_type="sinceImagePulled", storageClass="archive")]},
        "The rule with rulePriority 1 uses countType sinceImagePulled, which selects images "
        "of storageClass standard only",
    ),
    "archive-transition": (
        {"rules": [rule(1, storageClass="archive", action="transition")]},
        "The rule with rulePriority 1 selects archived images, which cannot transition; use "
        "action type expire",
    ),
    "duplicate-priority": (
        {"rules": [rule(1, "untagged"), rule(1, "tagged", tagPrefixList=["a"])]},
        "The rulePriority 1 is used by more than one rule; each rule needs a unique rulePriority",
    ),
    "any-not-last": (
        {"rules": [rule(1, "any"), rule(2, "untagged")]},
        "The rule with tagStatus any (rulePriority 1) must have the highest rulePriority",
    ),
    "two-any": (
        {"rules": [rule(1, "any"), rule(2, "any")]},
        "The rule with tagStatus any (rulePriority 1) must have the highest rulePriority",
    ),
    "two-untagged": (
        {"rules": [rule(1, "untagged"), rule(2, "untagged", count_type="sinceImagePushed")]},
        "Only one rule can select untagged images of storageClass standard; rulePriority 1 "
        "and 2 both do",
    ),
    "duplicate-prefix": (
        {
            "rules": [
                rule(1, "tagged", tagPrefixList=["prod"]),
                rule(2, "tagged", tagPrefixList=["beta", "prod"]),
            ]
        },
        'The tag prefix "prod" is used by rulePriority 1 and 2; tag prefixes must be unique '
        "across rules",
    ),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_policies_are_rejected_with_ecrs_words(name: str) -> None:
    document, expected = INVALID[name]
    assert detail(document) == expected


def test_the_error_names_the_rule_at_fault() -> None:
    with pytest.raises(LifecyclePolicyError) as excinfo:
        policy_of({"rules": [rule(1), {**rule(2), "rulePriority": 0}]})
    assert excinfo.value.rule == 1
    with pytest.raises(LifecyclePolicyError) as excinfo:
        policy_of({"rules": [rule(3, "untagged"), rule(1, "untagged"), rule(9)]})
    assert excinfo.value.rule == 0  # the later one in priority order is the second
    with pytest.raises(LifecyclePolicyError) as excinfo:
        policy_of({"rules": []})
    assert excinfo.value.rule is None


@pytest.mark.parametrize("bad", ["{", "", "[1,", "null"])
def test_text_that_is_not_a_json_object(bad: str) -> None:
    with pytest.raises(LifecyclePolicyError) as excinfo:
        parse_policy(bad)
    assert excinfo.value.detail == "Could not map policyString into LifecyclePolicy."
    assert str(excinfo.value) == (
        "Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy."
    )


# -- state: previews and running policies on a fork ---------------------------------------


def _manifest(seed: int) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "size": seed,
                "digest": "sha256:" + f"{seed:064x}",
            },
            "layers": [],
        }
    )


def declared(policy: str | None) -> RegistryState:
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("team/app")
    for seed, (tags, age) in enumerate([(("v1",), 30), (("v2",), 20), ((), 10), (("v3",), 1)]):
        stored = repo.put(Image.from_manifest(_manifest(seed), pushed_at=NOW - age * DAY))
        for tag in tags:
            repo.tag(tag, stored.digest)
    if policy is not None:
        repo.set_setting(LIFECYCLE_POLICY_KEY, StoredPolicy(minified(policy), parse_policy(policy)))
    state.create_repository("team/other")
    return state.freeze()


def test_run_deletes_expired_images_on_the_fork_only_and_sets_last_evaluated_at() -> None:
    base = declared(text(rule(1, "any", number=2)))
    fork = base.fork()
    run = run_policies(fork, NOW)
    repo = fork.repository("team/app")
    assert [repo.tags_of(a.digest) for a in run.actions] == [(), ()]  # gone, tags with them
    assert [a.tags for a in run.expired] == [("v1",), ("v2",)]
    assert run.transitioned == ()
    assert sorted(tag for tag, _ in repo.tags()) == ["v3"]
    assert len(repo) == 2
    assert run.evaluated == (("111122223333", "us-east-1", "team/app"),)
    stored = repo.setting(LIFECYCLE_POLICY_KEY)
    assert isinstance(stored, StoredPolicy)
    assert stored.last_evaluated_at == NOW
    assert len(base.repository("team/app")) == 4
    assert run.digests("team/app", "EXPIRE") == [a.digest for a in run.actions]


def test_run_transitions_then_a_later_run_expires_after_the_archive_minimum() -> None:
    policy = text(
        rule(
            1,
            "tagged",
            count_type="sinceImagePulled",
            number=15,
            action="transition",
            tagPrefixList=["v"],
        ),
        rule(2, "any", count_type="sinceImageTransitioned", number=30, storageClass="archive"),
    )
    fork = declared(policy).fork()
    first = run_policies(fork, NOW)
    repo = fork.repository("team/app")
    assert [a.tags for a in first.transitioned] == [("v1",), ("v2",)]
    for action in first.transitioned:
        # The state UpdateImageStorageClass keeps too: DescribeImages reports ARCHIVED.
        assert repo.image_state(action.digest, STORAGE_CLASS_KEY) == StorageClassState(
            "ARCHIVE", NOW
        )
        assert image_status(repo, action.digest, NOW) == "ARCHIVED"
    # 30 days asked, 90 kept: nothing archived expires yet; v3, unpulled since, archives.
    later = run_policies(fork, NOW + 60 * DAY)
    assert [(a.tags, a.action) for a in later.actions] == [(("v3",), "TRANSITION")]
    last = run_policies(fork, NOW + 91 * DAY)
    assert [a.tags for a in last.expired] == [("v1",), ("v2",)]
    assert sorted(tag for tag, _ in repo.tags()) == ["v3"]


def test_run_of_one_repository_and_of_repositories_without_policy() -> None:
    fork = declared(None).fork()
    run = run_policies(fork, NOW, "team/app")
    assert run.evaluated == ()
    assert run.actions == ()


def test_facts_read_storage_class_pull_time_and_lists() -> None:
    fork = declared(None).fork()
    repo = fork.repository("team/app")
    first = next(repo.images()).digest
    set_storage_state(repo, first, StorageClassState("ARCHIVE", NOW - DAY))
    repo.set_image_state(first, LAST_PULLED_AT_KEY, NOW - 2 * DAY)
    facts = repository_facts(repo)[0]
    assert (facts.storage_class, facts.archived_at, facts.last_pulled_at, facts.in_list) == (
        "ARCHIVE",
        NOW - DAY,
        NOW - 2 * DAY,
        False,
    )


def test_a_preview_moves_from_in_progress_to_complete_to_expired() -> None:
    results = preview_results(evaluate(parse_policy(text(rule(1))), EXAMPLE, NOW))
    preview = Preview.of("{}", NOW, results)
    assert [preview.status(NOW + s) for s in (0, 9.9, 10, 86_409, 86_410)] == [
        "IN_PROGRESS",
        "IN_PROGRESS",
        "COMPLETE",
        "COMPLETE",
        "EXPIRED",
    ]
    assert (preview.expiring, preview.transitioning) == (2, 0)
    assert [r.digest for r in preview.tagged] == ["A", "B"]
    assert preview.untagged == ()
