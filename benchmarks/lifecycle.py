"""§L — a lifecycle policy preview over 10,000 and 100,000 images (quick: 1,000, 10,000).

Rows, side by side in one interleaved run, per repository size:

- *plugin preview*: StartLifecyclePolicyPreview with a four-rule policy, the fake's clock
  moved past the preview's duration, then GetLifecyclePolicyPreview (first page of 100)
  through a boto3 client: what a test that previews its cleanup policy pays;
- *engine alone*: :func:`pytest_ecr.model.lifecycle.evaluate` on the repository's facts,
  without a client (the model's share of the row above);
- *sort floor*: sorting the repository's push times, newest first: the O(n log n) that any
  evaluation of ``imageCountMoreThan`` pays at least.

moto answers no preview call (it evaluates no policy), so it has no row. Target: the
plugin's preview over the large repository costs at most 12x the small one's (10x the
images): no quadratic work.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

from harness import Ratio, Report, Row, Stats, Variant, interleave, ratio_of
from workload import ACCOUNT, REGION, REPOSITORY, Data, active, new_client

from pytest_ecr import FakeEcr
from pytest_ecr.model import RegistryState
from pytest_ecr.model.lifecycle import PREVIEW_DURATION, evaluate, parse_policy, repository_facts

#: Repository sizes (small, large) of each mode.
SIZES = {"quick": (1_000, 10_000), "full": (10_000, 100_000)}
#: A cleanup policy as teams write them: releases kept by count, dev builds and untagged
#: images by age, and a last catch-all.
POLICY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["release"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 100,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["dev-*"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 7,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 3,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 4,
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 1000,
                },
                "action": {"type": "expire"},
            },
        ]
    },
    indent=2,
)


def lifecycle_state(data: Data, count: int, now: float) -> RegistryState:
    """*count* images pushed a minute apart (the newest now): a third tagged
    ``release-<i>``, a third ``dev-<i>``, a third untagged."""
    state = RegistryState(ACCOUNT, REGION)
    repo = state.create_repository(REPOSITORY)
    for i, image in enumerate(data.images(count)):
        stored = repo.put(replace(image, pushed_at=now - (count - i) * 60.0))
        if i % 3 == 0:
            repo.tag(f"release-{i}", stored.digest)
        elif i % 3 == 1:
            repo.tag(f"dev-{i}", stored.digest)
    return state.freeze()


def _preview(fake: FakeEcr, client: Any) -> Any:
    def call() -> object:
        client.start_lifecycle_policy_preview(repositoryName=REPOSITORY, lifecyclePolicyText=POLICY)
        fake.advance(seconds=PREVIEW_DURATION)
        return client.get_lifecycle_policy_preview(repositoryName=REPOSITORY)

    return call


def section_lifecycle(report: Report, data: Data) -> None:
    plan = report.plan
    small, big = SIZES[plan.name]
    print(f"\n[L] lifecycle preview, {small:,} vs {big:,} images", flush=True)
    client = new_client()
    policy = parse_policy(POLICY)
    variants: list[Variant] = []
    for size in (small, big):
        fake = FakeEcr(state=lifecycle_state(data, size, time.time()))
        with fake:
            answer = _preview(fake, client)()
            assert answer["status"] == "COMPLETE", answer["status"]
            expiring = answer["summary"]["expiringImageTotalCount"]
        repo = fake.registry.repository(REPOSITORY)
        now = fake.clock.now()

        def engine(repo: Any = repo, now: float = now) -> object:
            return evaluate(policy, repository_facts(repo), now)

        def floor(repo: Any = repo) -> object:
            return sorted((image.pushed_at for image in repo.images()), reverse=True)

        variants += [
            Variant(f"plugin preview, {size:,} images", _preview(fake, client), active(fake)),
            Variant(f"engine alone, {size:,} images", engine),
            Variant(f"sort floor, {size:,} images", floor),
        ]
        report.notes.append(
            f"Section L: the preview of {size:,} images expires {expiring:,} of them."
        )
    interleave(variants, plan, warmup=1)
    rows = {v.name: report.row(Row("L", v.name, Stats.of(v.samples))) for v in variants}
    report.row(Row("L", "moto mock_aws preview", text="not implemented", note="moto 5.2"))
    for what, target in (("plugin preview", "<= 12"), ("engine alone", ""), ("sort floor", "")):
        report.ratio(
            Ratio(
                "L",
                f"{what} {big:,} / {small:,} images",
                ratio_of(rows[f"{what}, {big:,} images"], rows[f"{what}, {small:,} images"]),
                target,
            )
        )
    report.ratio(
        Ratio(
            "L",
            f"plugin preview / sort floor at {big:,} images",
            ratio_of(rows[f"plugin preview, {big:,} images"], rows[f"sort floor, {big:,} images"]),
            "",
        )
    )
