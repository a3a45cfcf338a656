"""Lifecycle policies through real boto3 clients: Put/Get/DeleteLifecyclePolicy,
Start/GetLifecyclePolicyPreview (with its paginator and waiter), and running policies
for real (``FakeEcr.run_lifecycle_policies``, the ``ecr_lifecycle`` marker).

The lifecycle table at the end declares, for each rule form, a repository with images
pushed at declared times and tags, its policy, the preview ECR would give and what is
left after the policy runs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import botocore.exceptions
import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model import Image
from pytest_ecr.model.archive import StorageClassState
from pytest_ecr.model.lifecycle import PREVIEW_DURATION, STORAGE_CLASS_KEY

from .support import ACCOUNT, error_of, image_manifest, strip

DAY = 86_400.0
REPO = "team/lc"
EPOCH = datetime.fromtimestamp(0, timezone.utc)


def rule(
    priority: int,
    tag_status: str = "any",
    *,
    count_type: str = "imageCountMoreThan",
    number: int = 1,
    action: str = "expire",
    **selection: Any,
) -> dict[str, Any]:
    chosen: dict[str, Any] = {"tagStatus": tag_status, **selection, "countType": count_type}
    if count_type != "imageCountMoreThan":
        chosen["countUnit"] = "days"
    chosen["countNumber"] = number
    acting: dict[str, Any] = {"type": action}
    if action == "transition":
        acting["targetStorageClass"] = "archive"
    return {"rulePriority": priority, "selection": chosen, "action": acting}


def policy(*rules: dict[str, Any], indent: int | None = 2) -> str:
    return json.dumps({"rules": list(rules)}, indent=indent)


def minified(text: str) -> str:
    return json.dumps(json.loads(text), separators=(",", ":"))


#: Example A of the User Guide: keep one prod image, then one beta image.
EXAMPLE_A = policy(
    rule(1, "tagged", tagPrefixList=["prod"]), rule(2, "tagged", tagPrefixList=["beta"])
)


def add_example(fake: FakeEcr, name: str = REPO) -> dict[str, str]:
    """The User Guide's images in a new repository of the test's registry: A = [beta-1,
    prod-1] pushed 10 days ago, B = [beta-2, prod-2] 9 days, C = [beta-3] 8 days, and an
    untagged U 20 days ago. Returns label -> digest."""
    now = fake.clock.now()
    repo = fake.registry.create_repository(name)
    digests = {}
    for seed, (label, tags, age) in enumerate(
        [
            ("A", ("beta-1", "prod-1"), 10),
            ("B", ("beta-2", "prod-2"), 9),
            ("C", ("beta-3",), 8),
            ("U", (), 20),
        ]
    ):
        stored = repo.put(
            Image.from_manifest(image_manifest(100 + seed), pushed_at=now - age * DAY)
        )
        for tag in tags:
            repo.tag(tag, stored.digest)
        digests[label] = stored.digest
    return digests


def complete(client: Any, fake: FakeEcr, name: str = REPO) -> dict[str, Any]:
    """The preview of *name* once done: the fake's clock moved past its duration (a
    waiter over HTTP would sleep for real: its sleeps are virtual in process only)."""
    fake.advance(seconds=PREVIEW_DURATION)
    return strip(client.get_lifecycle_policy_preview(repositoryName=name))


# -- PutLifecyclePolicy / GetLifecyclePolicy / DeleteLifecyclePolicy ----------------------


def test_put_echoes_the_text_minified_and_get_reads_it_never_evaluated(
    any_client: Any, fake: FakeEcr
) -> None:
    add_example(fake)
    answer = any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    assert strip(answer) == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "lifecyclePolicyText": minified(EXAMPLE_A),
    }
    assert strip(any_client.get_lifecycle_policy(repositoryName=REPO)) == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "lifecyclePolicyText": minified(EXAMPLE_A),
        "lastEvaluatedAt": EPOCH,
    }


def test_put_replaces_the_policy(any_client: Any) -> None:
    first, second = policy(rule(1, number=5)), policy(rule(1, number=9))
    any_client.put_lifecycle_policy(repositoryName="team/api", lifecyclePolicyText=first)
    any_client.put_lifecycle_policy(repositoryName="team/api", lifecyclePolicyText=second)
    got = any_client.get_lifecycle_policy(repositoryName="team/api")
    assert got["lifecyclePolicyText"] == minified(second)


def test_put_on_a_repository_that_does_not_exist(any_client: Any) -> None:
    assert error_of(
        any_client.put_lifecycle_policy, repositoryName="team/nope", lifecyclePolicyText=EXAMPLE_A
    ) == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


def test_put_in_another_registry_names_that_registry(any_client: Any) -> None:
    assert error_of(
        any_client.put_lifecycle_policy,
        registryId="444455556666",
        repositoryName="team/api",
        lifecyclePolicyText=EXAMPLE_A,
    )[1] == (
        "The repository with name 'team/api' does not exist in the registry with id '444455556666'"
    )


def test_put_rejects_a_policy_ecr_rejects(any_client: Any) -> None:
    bad = policy(rule(1, count_type="sinceImagePushed") | {"description": "x"}, rule(1))
    assert error_of(
        any_client.put_lifecycle_policy, repositoryName="team/api", lifecyclePolicyText=bad
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle "
        "policy validation failure: The rulePriority 1 is used by more than one rule; each "
        "rule needs a unique rulePriority'",
        400,
    )


def test_a_null_count_unit_gets_the_text_ecr_users_quote(any_client: Any) -> None:
    document = json.loads(policy(rule(1, "untagged", count_type="sinceImagePushed", number=14)))
    document["rules"][0]["selection"]["countUnit"] = None
    assert error_of(
        any_client.put_lifecycle_policy,
        repositoryName="team/api",
        lifecyclePolicyText=json.dumps(document),
    )[1] == (
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle "
        "policy validation failure: instance failed to match exactly one schema (matched 0 out "
        "of 2)'"
    )


def test_a_text_that_is_not_json(any_client: Any) -> None:
    assert error_of(
        any_client.put_lifecycle_policy,
        repositoryName="team/api",
        lifecyclePolicyText="{" + "x" * 120,
    )[1] == (
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle "
        "policy validation failure: Could not map policyString into LifecyclePolicy.'"
    )


def test_a_text_over_30720_characters(any_client: Any) -> None:
    long = policy(rule(1)).replace("{", "{" + " " * 30_720, 1)
    assert error_of(
        any_client.put_lifecycle_policy, repositoryName="team/api", lifecyclePolicyText=long
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member "
        "must have length less than or equal to 30720'",
        400,
    )


def test_a_text_of_30720_characters_is_taken(any_client: Any) -> None:
    text = policy(rule(1), indent=None)
    text = text[:-1] + " " * (30_720 - len(text)) + "}"
    any_client.put_lifecycle_policy(repositoryName="team/api", lifecyclePolicyText=text)


def test_a_text_under_100_characters_never_leaves_botocore(client: Any, fake: FakeEcr) -> None:
    with pytest.raises(botocore.exceptions.ParamValidationError):
        client.put_lifecycle_policy(repositoryName="team/api", lifecyclePolicyText='{"rules":[]}')
    assert fake.calls().count == 0


def test_a_bad_repository_name(any_client: Any) -> None:
    code, message, _ = error_of(any_client.get_lifecycle_policy, repositoryName="Team/Api")
    assert code == "InvalidParameterException"
    assert message.startswith("Invalid parameter at 'repositoryName'")


def test_get_without_a_policy(any_client: Any) -> None:
    assert error_of(any_client.get_lifecycle_policy, repositoryName="team/api") == (
        "LifecyclePolicyNotFoundException",
        "Lifecycle policy does not exist for the repository with name 'team/api' in the "
        f"registry with id '{ACCOUNT}'",
        400,
    )


def test_get_of_a_repository_that_does_not_exist(any_client: Any) -> None:
    assert error_of(any_client.get_lifecycle_policy, repositoryName="team/nope")[0] == (
        "RepositoryNotFoundException"
    )


def test_delete_answers_the_deleted_policy_and_removes_it(any_client: Any) -> None:
    any_client.put_lifecycle_policy(repositoryName="team/api", lifecyclePolicyText=EXAMPLE_A)
    assert strip(any_client.delete_lifecycle_policy(repositoryName="team/api")) == {
        "registryId": ACCOUNT,
        "repositoryName": "team/api",
        "lifecyclePolicyText": minified(EXAMPLE_A),
        "lastEvaluatedAt": EPOCH,
    }
    assert error_of(any_client.get_lifecycle_policy, repositoryName="team/api")[0] == (
        "LifecyclePolicyNotFoundException"
    )
    assert error_of(any_client.delete_lifecycle_policy, repositoryName="team/api") == (
        "LifecyclePolicyNotFoundException",
        "Lifecycle policy does not exist for the repository with name 'team/api' in the "
        f"registry with id '{ACCOUNT}'",
        400,
    )


def test_delete_of_a_repository_that_does_not_exist(any_client: Any) -> None:
    assert error_of(any_client.delete_lifecycle_policy, repositoryName="team/nope")[0] == (
        "RepositoryNotFoundException"
    )


def test_a_policy_is_gone_with_its_repository(any_client: Any) -> None:
    any_client.create_repository(repositoryName="team/short")
    any_client.put_lifecycle_policy(repositoryName="team/short", lifecyclePolicyText=EXAMPLE_A)
    any_client.delete_repository(repositoryName="team/short")
    any_client.create_repository(repositoryName="team/short")
    assert error_of(any_client.get_lifecycle_policy, repositoryName="team/short")[0] == (
        "LifecyclePolicyNotFoundException"
    )


# -- StartLifecyclePolicyPreview / GetLifecyclePolicyPreview -------------------------------


def test_start_previews_the_stored_policy(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    assert strip(any_client.start_lifecycle_policy_preview(repositoryName=REPO)) == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "lifecyclePolicyText": minified(EXAMPLE_A),
        "status": "IN_PROGRESS",
    }


def test_start_with_a_text_echoes_it_as_sent_and_stores_nothing(
    any_client: Any, fake: FakeEcr
) -> None:
    add_example(fake)
    answer = any_client.start_lifecycle_policy_preview(
        repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A
    )
    assert answer["lifecyclePolicyText"] == EXAMPLE_A
    assert error_of(any_client.get_lifecycle_policy, repositoryName=REPO)[0] == (
        "LifecyclePolicyNotFoundException"
    )


def test_start_without_text_or_policy(any_client: Any) -> None:
    assert error_of(any_client.start_lifecycle_policy_preview, repositoryName="team/api") == (
        "LifecyclePolicyNotFoundException",
        "Lifecycle policy does not exist for the repository with name 'team/api' in the "
        f"registry with id '{ACCOUNT}'",
        400,
    )


def test_start_checks_the_text_as_put_does(any_client: Any) -> None:
    bad = policy(rule(1, "tagged", number=3))
    assert error_of(
        any_client.start_lifecycle_policy_preview,
        repositoryName="team/api",
        lifecyclePolicyText=bad,
    )[1] == (
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle "
        "policy validation failure: tagPrefixList or tagPatternList is required when tagStatus "
        "is tagged'"
    )


def test_start_on_a_repository_that_does_not_exist(any_client: Any) -> None:
    assert error_of(
        any_client.start_lifecycle_policy_preview,
        repositoryName="team/nope",
        lifecyclePolicyText=EXAMPLE_A,
    )[0] == ("RepositoryNotFoundException")


def test_start_while_a_preview_runs(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    assert error_of(
        any_client.start_lifecycle_policy_preview,
        repositoryName=REPO,
        lifecyclePolicyText=EXAMPLE_A,
    ) == (
        "LifecyclePolicyPreviewInProgressException",
        f"Lifecycle policy preview is already in progress for the repository with name '{REPO}' "
        f"in the registry with id '{ACCOUNT}'",
        400,
    )
    fake.advance(seconds=10)
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)


def test_get_preview_before_any_preview(any_client: Any) -> None:
    assert error_of(any_client.get_lifecycle_policy_preview, repositoryName="team/api") == (
        "LifecyclePolicyPreviewNotFoundException",
        "Lifecycle policy preview does not exist for the repository with name 'team/api' in "
        f"the registry with id '{ACCOUNT}'",
        400,
    )


def test_get_preview_of_a_repository_that_does_not_exist(any_client: Any) -> None:
    assert error_of(any_client.get_lifecycle_policy_preview, repositoryName="team/nope")[0] == (
        "RepositoryNotFoundException"
    )


def test_a_preview_in_progress_has_no_results_yet(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    assert strip(any_client.get_lifecycle_policy_preview(repositoryName=REPO)) == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "lifecyclePolicyText": EXAMPLE_A,
        "status": "IN_PROGRESS",
        "previewResults": [],
    }


@needs("LifecyclePolicyPreviewResult.storageClass")
def test_the_waiter_completes_with_virtual_sleeps_only(client: Any, fake: FakeEcr) -> None:
    digests = add_example(fake)
    client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    pushed = fake.registry.repository(REPO).image(digests["A"]).pushed_at
    client.get_waiter("lifecycle_policy_preview_complete").wait(repositoryName=REPO)
    assert strip(client.get_lifecycle_policy_preview(repositoryName=REPO)) == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "lifecyclePolicyText": EXAMPLE_A,
        "status": "COMPLETE",
        "previewResults": [
            {
                "imageDigest": digests["A"],
                "imageTags": ["beta-1", "prod-1"],
                "imagePushedAt": datetime.fromtimestamp(pushed, timezone.utc),
                "action": {"type": "EXPIRE"},
                "appliedRulePriority": 1,
                "storageClass": "STANDARD",
            }
        ],
        "summary": {"expiringImageTotalCount": 1},
    }
    # Two polls saw IN_PROGRESS; botocore's 5 s sleeps were recorded, not slept.
    assert [(s.seconds, s.kind) for s in fake.sleeps] == [(5.0, "waiter"), (5.0, "waiter")]
    assert fake.calls("GetLifecyclePolicyPreview").count == 4


def test_a_preview_never_changes_images_or_the_policy(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=policy(rule(1)))
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    assert len(complete(any_client, fake)["previewResults"]) == 1
    assert len(any_client.describe_images(repositoryName=REPO)["imageDetails"]) == 4
    got = any_client.get_lifecycle_policy(repositoryName=REPO)
    assert got["lifecyclePolicyText"] == minified(policy(rule(1)))
    assert got["lastEvaluatedAt"] == EPOCH


def test_a_preview_evaluates_the_repository_as_it_was_when_it_started(
    any_client: Any, fake: FakeEcr
) -> None:
    digests = add_example(fake)
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    fake.registry.repository(REPO).delete(digests["A"])
    assert [r["imageDigest"] for r in complete(any_client, fake)["previewResults"]] == [
        digests["A"]
    ]


def test_a_completed_preview_expires_after_a_day(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    fake.advance(hours=24)
    assert any_client.get_lifecycle_policy_preview(repositoryName=REPO)["status"] == "COMPLETE"
    fake.advance(seconds=10)
    expired = strip(any_client.get_lifecycle_policy_preview(repositoryName=REPO))
    assert (expired["status"], expired["previewResults"]) == ("EXPIRED", [])
    assert "summary" not in expired
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)


def _many(fake: FakeEcr, count: int) -> list[str]:
    """*count* images in REPO, image i tagged v<i> when i is even, pushed i days ago."""
    now = fake.clock.now()
    repo = fake.registry.create_repository(REPO)
    out = []
    for i in range(count):
        stored = repo.put(Image.from_manifest(image_manifest(500 + i), pushed_at=now - i * DAY))
        if i % 2 == 0:
            repo.tag(f"v{i}", stored.digest)
        out.append(stored.digest)
    return out


def test_results_page_filter_and_name_images(any_client: Any, fake: FakeEcr) -> None:
    digests = _many(fake, 7)
    text = policy(rule(1, "any", number=1))
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=text)
    fake.advance(seconds=10)
    get = any_client.get_lifecycle_policy_preview
    everything = get(repositoryName=REPO)
    # Oldest first: the images pushed 6, 5, ... 1 days ago; the newest is kept.
    assert [r["imageDigest"] for r in everything["previewResults"]] == digests[:0:-1]
    assert everything["summary"] == {"expiringImageTotalCount": 6}
    first = get(repositoryName=REPO, maxResults=4)
    assert len(first["previewResults"]) == 4
    second = get(repositoryName=REPO, maxResults=4, nextToken=first["nextToken"])
    assert [r["imageDigest"] for r in first["previewResults"] + second["previewResults"]] == (
        digests[:0:-1]
    )
    assert "nextToken" not in second
    assert second["summary"] == {"expiringImageTotalCount": 6}
    tagged = get(repositoryName=REPO, filter={"tagStatus": "TAGGED"})["previewResults"]
    untagged = get(repositoryName=REPO, filter={"tagStatus": "UNTAGGED"})["previewResults"]
    assert [r["imageTags"] for r in tagged] == [["v6"], ["v4"], ["v2"]]
    assert all("imageTags" not in r for r in untagged)
    assert len(untagged) == 3
    named = get(
        repositoryName=REPO,
        imageIds=[
            {"imageTag": "v4"},
            {"imageDigest": digests[1]},
            {"imageDigest": digests[0]},  # kept: not in the results
            {"imageTag": "v4", "imageDigest": digests[4]},
            {"imageTag": "v2", "imageDigest": digests[4]},  # tag and digest disagree
        ],
    )["previewResults"]
    assert [r["imageDigest"] for r in named] == [digests[4], digests[1]]


def test_the_paginator_walks_every_result(any_client: Any, fake: FakeEcr) -> None:
    digests = _many(fake, 12)
    any_client.start_lifecycle_policy_preview(
        repositoryName=REPO, lifecyclePolicyText=policy(rule(1, "any", number=2))
    )
    fake.advance(seconds=10)
    pages = list(
        any_client.get_paginator("get_lifecycle_policy_preview").paginate(
            repositoryName=REPO, PaginationConfig={"PageSize": 3}
        )
    )
    assert [len(page["previewResults"]) for page in pages] == [3, 3, 3, 1]
    walked = [r["imageDigest"] for page in pages for r in page["previewResults"]]
    assert walked == digests[:1:-1]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"maxResults": 101},
            "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have "
            "value less than or equal to 100'",
        ),
        (
            {"maxResults": 5, "imageIds": [{"imageTag": "v1"}]},
            "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member cannot be "
            "specified together with imageIds'",
        ),
        (
            {"filter": {"tagStatus": "SOME"}},
            "Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: 'Member must "
            "satisfy enum value set: [TAGGED, UNTAGGED, ANY]'",
        ),
        (
            {"imageIds": [{"imageTag": "v1"}] * 101},
            "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have "
            "length less than or equal to 100'",
        ),
        (
            {"imageIds": [{"imageDigest": "sha256:nope"}]},
            "Invalid parameter at 'imageIds.1.member.imageDigest' failed to satisfy constraint: "
            "'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''",
        ),
        (
            {"imageIds": [{}]},
            "Invalid parameter at 'imageIds.1.member' failed to satisfy constraint: 'Member must "
            "have an imageTag or an imageDigest'",
        ),
        (
            {"imageIds": [{"imageTag": "x" * 301}]},
            "Invalid parameter at 'imageIds.1.member.imageTag' failed to satisfy constraint: "
            "'Member must have length less than or equal to 300'",
        ),
        (
            {"nextToken": "garbage"},
            "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Member must be a "
            "nextToken returned by a previous call with the same parameters'",
        ),
    ],
    ids=["max-results", "max-with-ids", "filter", "ids-101", "digest", "empty-id", "tag", "token"],
)
def test_get_preview_validation(any_client: Any, fake: FakeEcr, params: Any, message: str) -> None:
    add_example(fake)
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    assert error_of(any_client.get_lifecycle_policy_preview, repositoryName=REPO, **params) == (
        "InvalidParameterException",
        message,
        400,
    )


def test_a_token_of_an_earlier_preview_is_refused(any_client: Any, fake: FakeEcr) -> None:
    _many(fake, 5)
    text = policy(rule(1, "any", number=1))
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=text)
    fake.advance(seconds=10)
    token = any_client.get_lifecycle_policy_preview(repositoryName=REPO, maxResults=1)["nextToken"]
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=text)
    fake.advance(seconds=10)
    assert error_of(any_client.get_lifecycle_policy_preview, repositoryName=REPO, nextToken=token)[
        0
    ] == ("InvalidParameterException")


def test_images_a_manifest_list_references_are_kept(any_client: Any, fake: FakeEcr) -> None:
    # team/multi: two untagged platform images under a tagged list, all pushed in 2020.
    text = policy(rule(1, "untagged", count_type="sinceImagePushed", number=1))
    any_client.start_lifecycle_policy_preview(repositoryName="team/multi", lifecyclePolicyText=text)
    assert complete(any_client, fake, "team/multi")["previewResults"] == []


# -- running policies for real ----------------------------------------------------------------


def test_running_deletes_expired_images_from_every_answer(any_client: Any, fake: FakeEcr) -> None:
    digests = add_example(fake)
    text = policy(
        rule(1, "tagged", tagPrefixList=["prod"]),
        rule(2, "untagged", count_type="sinceImagePushed", number=14),
    )
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=text)
    run = fake.run_lifecycle_policies()
    assert [(a.digest, a.action, a.rule_priority) for a in run.actions] == [
        (digests["A"], "EXPIRE", 1),
        (digests["U"], "EXPIRE", 2),
    ]
    listed = any_client.list_images(repositoryName=REPO)["imageIds"]
    assert {i["imageDigest"] for i in listed} == {digests["B"], digests["C"]}
    assert error_of(
        any_client.describe_images, repositoryName=REPO, imageIds=[{"imageTag": "prod-1"}]
    )[0] == ("ImageNotFoundException")
    failures = any_client.batch_get_image(
        repositoryName=REPO, imageIds=[{"imageDigest": digests["U"]}]
    )["failures"]
    assert [f["failureCode"] for f in failures] == ["ImageNotFound"]
    got = any_client.get_lifecycle_policy(repositoryName=REPO)
    assert got["lastEvaluatedAt"] == datetime.fromtimestamp(run.at, timezone.utc)


def test_days_later_moves_the_clock_first(any_client: Any, fake: FakeEcr) -> None:
    digests = add_example(fake)
    text = policy(
        rule(1, "tagged", count_type="sinceImagePushed", number=14, tagPrefixList=["beta"])
    )
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=text)
    assert fake.run_lifecycle_policies().actions == ()
    run = fake.run_lifecycle_policies(days_later=5.5)
    assert run.digests(REPO) == [digests["A"], digests["B"]]
    assert fake.sleeps[-1].kind == "advance"
    assert fake.sleeps[-1].seconds == 5.5 * DAY


def test_running_one_repository(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    add_example(fake, "team/lc2")
    for name in (REPO, "team/lc2"):
        any_client.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=EXAMPLE_A)
    run = fake.run_lifecycle_policies(repository="team/lc2")
    assert [where[2] for where in run.evaluated] == ["team/lc2"]
    assert len(fake.registry.repository(REPO)) == 4


@needs("LifecyclePolicyRuleAction.targetStorageClass", "ImageDetail.imageStatus")
def test_running_transitions_to_archive(any_client: Any, fake: FakeEcr) -> None:
    digests = add_example(fake)
    text = policy(rule(1, "any", count_type="sinceImagePulled", number=5, action="transition"))
    any_client.start_lifecycle_policy_preview(repositoryName=REPO, lifecyclePolicyText=text)
    preview = complete(any_client, fake)
    assert [(r["imageDigest"], r["action"]) for r in preview["previewResults"]] == [
        (digests[label], {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"})
        for label in ("U", "A", "B", "C")
    ]
    assert preview["summary"] == {
        "expiringImageTotalCount": 0,
        "transitioningImageTotalCounts": [{"targetStorageClass": "ARCHIVE", "imageTotalCount": 4}],
    }
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=text)
    run = fake.run_lifecycle_policies()
    assert [a.action for a in run.actions] == ["TRANSITION"] * 4
    repo = fake.registry.repository(REPO)
    state = repo.image_state(digests["A"], STORAGE_CLASS_KEY)
    assert isinstance(state, StorageClassState)
    assert state.storage_class == "ARCHIVE"
    assert len(repo) == 4
    # Archived as UpdateImageStorageClass archives: DescribeImages says so.
    (detail,) = any_client.describe_images(
        repositoryName=REPO, imageIds=[{"imageDigest": digests["A"]}]
    )["imageDetails"]
    assert detail["imageStatus"] == "ARCHIVED"


def test_run_mistakes_are_the_test_authors(fake: FakeEcr) -> None:
    with pytest.raises(ValueError, match="no repository 'team/nope'"):
        fake.run_lifecycle_policies(repository="team/nope")
    with pytest.raises(TypeError, match="days_later"):
        fake.run_lifecycle_policies(days_later="30")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="forward only"):
        fake.run_lifecycle_policies(days_later=-1)
    with pytest.raises(TypeError):
        fake.run_lifecycle_policies(30)  # type: ignore[misc]


# -- the lifecycle table: declared repository, policy, preview, and what is left ------------

NOW = time.time()


@dataclass(frozen=True)
class Case:
    """One rule form: images (label, tags, age in days at the declaration), the policy's
    rules, the preview (label, rule priority, action; oldest first within a rule) and the
    labels left after the policy runs *days_later* days on."""

    id: str
    images: tuple[tuple[str, tuple[str, ...], float], ...]
    rules: tuple[dict[str, Any], ...]
    preview: tuple[tuple[str, int, str], ...]
    kept: tuple[str, ...]
    days_later: float = 0
    run: tuple[str, ...] | None = None  # labels acted on by the run, when not the preview's

    def declaration(self) -> dict[str, Any]:
        return {
            "version": 1,
            "account": ACCOUNT,
            "region": "us-east-1",
            "repositories": [
                {
                    "name": "team/table",
                    "lifecycle_policy": {"rules": list(self.rules)},
                    "images": [
                        {"tags": list(tags), "pushed_at": NOW - age * DAY}
                        for _, tags, age in self.images
                    ],
                }
            ],
        }


EX = (("A", ("beta-1", "prod-1"), 10), ("B", ("beta-2", "prod-2"), 9), ("C", ("beta-3",), 8))
TABLE = (
    Case(
        "tagged-prefix-count",
        (("v1", ("v1",), 30), ("v2", ("v2",), 20), ("v3", ("v3",), 10), ("dev", ("dev",), 5)),
        (rule(1, "tagged", tagPrefixList=["v"], number=1),),
        (("v1", 1, "EXPIRE"), ("v2", 1, "EXPIRE")),
        ("v3", "dev"),
    ),
    Case(
        "tagged-pattern-age",
        (
            ("r10", ("release-1.0",), 40),
            ("r11", ("release-1.1",), 20),
            ("rc", ("rc-1.2",), 40),
            ("r20rc", ("release-2.0-rc",), 40),
        ),
        (
            rule(
                1, "tagged", tagPatternList=["release-*"], count_type="sinceImagePushed", number=30
            ),
        ),
        (("r10", 1, "EXPIRE"), ("r20rc", 1, "EXPIRE")),
        ("r11", "rc"),
    ),
    Case(
        "pattern-with-inner-wildcards",
        (("a", ("api-prod-1",), 40), ("b", ("web-prod-2",), 40), ("c", ("api-dev-3",), 40)),
        (rule(1, "tagged", tagPatternList=["*-prod-*"], count_type="sinceImagePushed", number=3),),
        (("a", 1, "EXPIRE"), ("b", 1, "EXPIRE")),
        ("c",),
    ),
    Case(
        "prefix-list-is-and",
        (("both", ("prod-1", "beta-1"), 30), ("prod", ("prod-2",), 30), ("beta", ("beta-2",), 30)),
        (
            rule(
                1,
                "tagged",
                tagPrefixList=["prod", "beta"],
                count_type="sinceImagePushed",
                number=7,
            ),
        ),
        (("both", 1, "EXPIRE"),),
        ("prod", "beta"),
    ),
    Case(
        "untagged-age",
        (("u1", (), 20), ("u2", (), 5), ("t", ("t",), 20)),
        (rule(1, "untagged", count_type="sinceImagePushed", number=14),),
        (("u1", 1, "EXPIRE"),),
        ("u2", "t"),
    ),
    Case(
        "untagged-count",
        (("u1", (), 3), ("u2", (), 2), ("u3", (), 1), ("t", ("t",), 10)),
        (rule(1, "untagged", number=1),),
        (("u1", 1, "EXPIRE"), ("u2", 1, "EXPIRE")),
        ("u3", "t"),
    ),
    Case(
        "any-rule-last",
        (
            ("p1", ("prod-1",), 5),
            ("p2", ("prod-2",), 4),
            ("d1", ("dev-1",), 3),
            ("u", (), 2),
            ("d2", ("dev-2",), 1),
        ),
        (rule(1, "tagged", tagPrefixList=["prod"], number=1), rule(2, "any", number=2)),
        (("p1", 1, "EXPIRE"), ("d1", 2, "EXPIRE")),
        ("p2", "u", "d2"),
    ),
    Case(
        "example-a",
        EX,
        (rule(1, "tagged", tagPrefixList=["prod"]), rule(2, "tagged", tagPrefixList=["beta"])),
        (("A", 1, "EXPIRE"),),
        ("B", "C"),
    ),
    Case(
        "example-b",
        EX,
        (rule(1, "tagged", tagPrefixList=["beta"]), rule(2, "tagged", tagPrefixList=["prod"])),
        (("A", 1, "EXPIRE"), ("B", 1, "EXPIRE")),
        ("C",),
    ),
    Case(
        "days-later",
        (("u1", (), 20), ("u2", (), 5), ("t", ("t",), 20)),
        (rule(1, "untagged", count_type="sinceImagePushed", number=14),),
        (("u1", 1, "EXPIRE"),),
        ("t",),
        days_later=10,
        run=("u1", "u2"),
    ),
    Case(
        "pulled-transition",
        (("old", ("a",), 40), ("new", ("b",), 10)),
        (rule(1, "any", count_type="sinceImagePulled", number=30, action="transition"),),
        (("old", 1, "TRANSITION"),),
        ("old", "new"),
    ),
    Case(
        "nothing-matches",
        (("a", ("a",), 1), ("b", (), 1)),
        (rule(1, "untagged", count_type="sinceImagePushed", number=14),),
        (),
        ("a", "b"),
    ),
)


@needs("DescribeImagesFilter.imageStatus")
@pytest.mark.parametrize("case", TABLE, ids=[case.id for case in TABLE])
def test_lifecycle_table(case: Case, shared_client: Any) -> None:
    with FakeEcr([case.declaration()]) as ecr:
        repo = ecr.registry.repository("team/table")
        label_of = {
            image.digest: label
            for (label, _, _), image in zip(case.images, repo.images(), strict=True)
        }
        shared_client.start_lifecycle_policy_preview(repositoryName="team/table")
        shared_client.get_waiter("lifecycle_policy_preview_complete").wait(
            repositoryName="team/table"
        )
        preview = shared_client.get_lifecycle_policy_preview(repositoryName="team/table")
        assert [
            (label_of[r["imageDigest"]], r["appliedRulePriority"], r["action"]["type"])
            for r in preview["previewResults"]
        ] == list(case.preview)
        run = ecr.run_lifecycle_policies(days_later=case.days_later)
        expected_run = case.run if case.run is not None else tuple(p[0] for p in case.preview)
        assert [label_of[a.digest] for a in run.actions] == list(expected_run)
        # Archived images are kept too: ANY lists them with the active ones.
        listed = shared_client.describe_images(
            repositoryName="team/table", filter={"imageStatus": "ANY"}
        )["imageDetails"]
        assert [label_of[detail["imageDigest"]] for detail in listed] == list(case.kept)


def test_a_declared_manifest_list_keeps_its_platform_images(shared_client: Any) -> None:
    declaration = {
        "version": 1,
        "repositories": [
            {
                "name": "team/multi",
                "lifecycle_policy": json.dumps(
                    {"rules": [rule(1, "untagged", count_type="sinceImagePushed", number=1)]}
                ),
                "images": [
                    {"tags": ["v1"], "platforms": ["linux/amd64", "linux/arm64"], "pushed_at": 0},
                    {"tags": [], "pushed_at": 0},
                ],
            }
        ],
    }
    with FakeEcr([declaration]) as ecr:
        run = ecr.run_lifecycle_policies()
        repo = ecr.registry.repository("team/multi")
        # The two platform images stay (the list references them); the loose one goes.
        assert len(run.actions) == 1
        assert len(repo) == 3
        assert len(repo.image("v1").children) == 2


# -- the marker ---------------------------------------------------------------------------

MARKED = {
    "version": 1,
    "repositories": [
        {
            "name": "team/marked",
            "lifecycle_policy": {
                "rules": [
                    rule(1, "tagged", tagPrefixList=["v"], count_type="sinceImagePushed", number=30)
                ]
            },
            "images": [
                {"tags": ["v1"], "pushed_at": NOW - 20 * DAY},
                {"tags": ["v2"], "pushed_at": NOW - 5 * DAY},
            ],
        }
    ],
}


@pytest.mark.ecr_registry(MARKED)
@pytest.mark.ecr_lifecycle(days_later=15)
def test_the_marker_runs_the_policies_as_of_days_later(ecr: FakeEcr, ecr_client: Any) -> None:
    tags = [
        i.get("imageTag") for i in ecr_client.list_images(repositoryName="team/marked")["imageIds"]
    ]
    assert tags == ["v2"]
    got = ecr_client.get_lifecycle_policy(repositoryName="team/marked")
    assert got["lastEvaluatedAt"] > datetime.fromtimestamp(NOW + 15 * DAY - 60, timezone.utc)


@pytest.mark.ecr_registry(MARKED)
def test_without_the_marker_nothing_runs(ecr_client: Any) -> None:
    assert len(ecr_client.list_images(repositoryName="team/marked")["imageIds"]) == 2


def test_a_bad_marker_is_a_set_up_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        REGISTRY = {"version": 1, "repositories": [{"name": "team/api"}]}

        @pytest.mark.ecr_registry(REGISTRY)
        @pytest.mark.ecr_lifecycle(days=30)
        def test_typo():
            pass

        @pytest.mark.ecr_registry(REGISTRY)
        @pytest.mark.ecr_lifecycle(repository="team/nope")
        def test_no_such_repository():
            pass

        @pytest.mark.ecr_registry(REGISTRY)
        @pytest.mark.ecr_lifecycle(days_later=1)
        def test_fine(ecr):
            assert ecr.sleeps[-1].kind == "advance"
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.ecr_lifecycle on test_a_bad_marker_is_a_set_up_error.py::test_typo: "
            "*unexpected keyword argument 'days'*",
            "*ecr_lifecycle on *::test_no_such_repository: "
            "run_lifecycle_policies(): no repository 'team/nope'*",
        ]
    )


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--strict-markers", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.ecr_lifecycle(days_later=0, repository=None):*"])


# -- faults and the Stubber ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "method", "code", "text"),
    [
        (
            "StartLifecyclePolicyPreview",
            "start_lifecycle_policy_preview",
            "LifecyclePolicyPreviewInProgressException",
            "Lifecycle policy preview is already in progress for the repository with name "
            f"'team/api' in the registry with id '{ACCOUNT}'",
        ),
        (
            "GetLifecyclePolicyPreview",
            "get_lifecycle_policy_preview",
            "LifecyclePolicyPreviewNotFoundException",
            "Lifecycle policy preview does not exist for the repository with name 'team/api' "
            f"in the registry with id '{ACCOUNT}'",
        ),
        (
            "GetLifecyclePolicy",
            "get_lifecycle_policy",
            "LifecyclePolicyNotFoundException",
            "Lifecycle policy does not exist for the repository with name 'team/api' in the "
            f"registry with id '{ACCOUNT}'",
        ),
    ],
)
def test_an_injected_error_has_the_text_the_fake_answers(
    fake: FakeEcr, client: Any, operation: str, method: str, code: str, text: str
) -> None:
    fake.fault(operation, error=code)
    params: dict[str, Any] = {"repositoryName": "team/api"}
    if operation == "StartLifecyclePolicyPreview":
        params["lifecyclePolicyText"] = EXAMPLE_A
    assert error_of(getattr(client, method), **params) == (code, text, 400)


def test_the_stubber_queues_lifecycle_answers_without_running_writes(fake: FakeEcr) -> None:
    client = fake.client()
    with fake.stubber(client) as stubber:
        stubber.expect(
            "put_lifecycle_policy", repositoryName="team/api", lifecyclePolicyText=EXAMPLE_A
        )
        stubber.expect("get_lifecycle_policy", repositoryName="team/api")
        stubber.expect_error(
            "StartLifecyclePolicyPreview",
            "LifecyclePolicyPreviewInProgressException",
            repositoryName="team/api",
        )
        put = client.put_lifecycle_policy(repositoryName="team/api", lifecyclePolicyText=EXAMPLE_A)
        assert put["lifecyclePolicyText"] == minified(EXAMPLE_A)
        assert client.get_lifecycle_policy(repositoryName="team/api")["lastEvaluatedAt"] == EPOCH
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            client.start_lifecycle_policy_preview(repositoryName="team/api")
        assert "already in progress" in excinfo.value.response["Error"]["Message"]
        # The expectation's text was computed without starting a preview.
        assert stubber.registry.repository("team/api").setting("lifecycle_policy_preview") is None


# -- the moto backend -----------------------------------------------------------------------


def test_moto_is_seeded_with_a_declared_policy_and_runs_none() -> None:
    pytest.importorskip("moto")
    declaration = {
        "version": 1,
        "repositories": [{"name": "team/api", "lifecycle_policy": json.loads(EXAMPLE_A)}],
    }
    with FakeEcr([declaration], backend="moto") as ecr:
        got = ecr.client().get_lifecycle_policy(repositoryName="team/api")
        assert got["lifecyclePolicyText"] == minified(EXAMPLE_A)
        with pytest.raises(TypeError, match="local backend"):
            ecr.run_lifecycle_policies()


# -- choices pinned ------------------------------------------------------------------------


def test_the_repository_is_looked_up_before_the_policy_is_judged(any_client: Any) -> None:
    bad = policy(rule(1), rule(1))
    assert error_of(
        any_client.put_lifecycle_policy, repositoryName="team/nope", lifecyclePolicyText=bad
    )[0] == ("RepositoryNotFoundException")
    too_long = bad.replace("{", "{" + " " * 30_720, 1)
    assert error_of(
        any_client.put_lifecycle_policy, repositoryName="team/nope", lifecyclePolicyText=too_long
    )[1].startswith("Invalid parameter at 'lifecyclePolicyText'")


def test_a_replaced_policy_has_never_been_evaluated(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    fake.run_lifecycle_policies()
    assert any_client.get_lifecycle_policy(repositoryName=REPO)["lastEvaluatedAt"] > EPOCH
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    assert any_client.get_lifecycle_policy(repositoryName=REPO)["lastEvaluatedAt"] == EPOCH


def test_a_deleted_policy_leaves_its_preview_readable(any_client: Any, fake: FakeEcr) -> None:
    add_example(fake)
    any_client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=EXAMPLE_A)
    any_client.start_lifecycle_policy_preview(repositoryName=REPO)
    any_client.delete_lifecycle_policy(repositoryName=REPO)
    assert complete(any_client, fake)["status"] == "COMPLETE"
