"""The replication and signing model: rule matching, replica copies, backfill statuses."""

from __future__ import annotations

import pytest

from pytest_ecr.model import Image, RegistryState, TagMutability
from pytest_ecr.model.replication import (
    BACKFILL_PREPARING_SECONDS as PREP,
)
from pytest_ecr.model.replication import (
    BACKFILL_RUNNING_SECONDS as RUN,
)
from pytest_ecr.model.replication import (
    BACKFILL_STOPPING_SECONDS as STOP,
)
from pytest_ecr.model.replication import (
    Backfill,
    BackfillItem,
    Destination,
    ReplicationConfiguration,
    ReplicationRule,
    replica_statuses,
    replicate,
)
from pytest_ecr.model.signing import SigningConfiguration, SigningRule

EU = Destination("eu-west-1", "111122223333")
WEST = Destination("us-west-2", "111122223333")
MANIFEST = (
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,'
    '"digest":"sha256:' + "b" * 64 + '"},"layers":[]}'
)


def test_rules_cover_by_prefix_and_merge_destinations_in_order() -> None:
    config = ReplicationConfiguration(
        (
            ReplicationRule((WEST,), ("team/",)),
            ReplicationRule((EU, WEST), (), True),
            ReplicationRule((EU,), ("base",)),
        )
    )
    assert config.destinations_for("team/api") == (WEST, EU)
    assert config.destinations_for("legacy") == (EU, WEST)
    assert config.deletes_to("team/api") == (EU, WEST)
    assert config.unique_destinations() == (WEST, EU)


def test_signing_wildcards() -> None:
    config = SigningConfiguration(
        (SigningRule("arn:one", ("team/*",)), SigningRule("arn:two", ("*prod*", "x")))
    )
    assert config.profiles_for("team/api") == ("arn:one",)
    assert config.profiles_for("web/production") == ("arn:two",)
    assert config.profiles_for("team/prod") == ("arn:one", "arn:two")
    assert config.profiles_for("xy") == ()
    assert SigningConfiguration((SigningRule("arn:any"),)).profiles_for("a/b") == ("arn:any",)


def test_replicate_keeps_an_immutable_destination_tag() -> None:
    state = RegistryState("111122223333", "us-east-1")
    source = state.create_repository("team/api")
    image = source.put(Image.from_manifest(MANIFEST))
    source.tag("v1", image.digest)
    target = state.create_repository(
        "team/api", region="eu-west-1", tag_mutability=TagMutability.IMMUTABLE
    )
    other = target.put(Image.from_manifest(MANIFEST.replace('"size":2', '"size":3')))
    target.tag("v1", other.digest)
    replicate(state, source, image.digest, ("v1",), EU, 100.0)
    assert target.get_image(image.digest) is not None
    assert target.resolve_tag("v1") == other.digest
    (status,) = replica_statuses(source, image.digest)
    assert (status.status(109.0), status.status(110.0)) == ("IN_PROGRESS", "COMPLETE")


@pytest.mark.parametrize(
    ("at", "status", "completed"),
    [
        (0.0, "PREPARING", 0),
        (PREP, "IN_PROGRESS", 0),
        (PREP + RUN / 4, "IN_PROGRESS", 1),
        (PREP + RUN - 1, "IN_PROGRESS", 3),
        (PREP + RUN, "COMPLETE", 4),
    ],
)
def test_backfill_statuses_on_the_clock(at: float, status: str, completed: int) -> None:
    items = tuple(BackfillItem("team/api", f"sha256:{n}", None) for n in range(4))
    backfill = Backfill("id", EU, 0.0, items)
    assert backfill.status(at) == status
    assert backfill.completed(at) == completed
    assert backfill.running(at) is (status != "COMPLETE")


def test_a_stopped_backfill_freezes_its_progress() -> None:
    items = tuple(BackfillItem("team/api", f"sha256:{n}", None) for n in range(4))
    stopped = Backfill("id", EU, 0.0, items).stop(PREP + RUN / 2)
    assert stopped.status(PREP + RUN / 2) == "STOPPING"
    assert stopped.status(PREP + RUN / 2 + STOP) == "STOPPED"
    assert stopped.completed(1_000.0) == 2
    assert stopped.ended_at(1_000.0) == PREP + RUN / 2 + STOP
