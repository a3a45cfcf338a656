"""StartReplicationBackfill, StopReplicationBackfill, DescribeReplicationBackfillResults and
ListReplicationBackfills: the status machine on the virtual clock, the copies, the
limits, and both paginators."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model.replication import (
    BACKFILL_PREPARING_SECONDS,
    BACKFILL_RETENTION_SECONDS,
    BACKFILL_RUNNING_SECONDS,
    BACKFILL_STOPPING_SECONDS,
)

from .support import ACCOUNT, error_of, strip

# Operations botocore 1.34 (the floor) lacks: on a botocore without them these tests skip.
pytestmark = needs(
    "DescribeReplicationBackfillResults",
    "ListReplicationBackfills",
    "StartReplicationBackfill",
    "StopReplicationBackfill",
)

EU = {"region": "eu-west-1", "registryId": ACCOUNT}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
#: Image+tag pairs of team/api (v1, latest, v2, untagged), team/multi (3 images, 1 tag)
#: and team/locked (v1).
TEAM_ITEMS = 4 + 3 + 1


def configure(
    client: Any, *destinations: dict[str, str], filters: tuple[str, ...] = ("team",)
) -> None:
    rule: dict[str, Any] = {"destinations": list(destinations or (EU,))}
    if filters:
        rule["repositoryFilters"] = [{"filter": f, "filterType": "PREFIX_MATCH"} for f in filters]
    client.put_replication_configuration(replicationConfiguration={"rules": [rule]})


def start(client: Any, target: dict[str, str] = EU) -> dict[str, Any]:
    return strip(client.start_replication_backfill(destination=target))


def results(client: Any, backfill_id: str, **params: Any) -> dict[str, Any]:
    return strip(
        client.describe_replication_backfill_results(replicationBackfillId=backfill_id, **params)
    )


def test_start_answers_preparing(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    before = fake.clock.now()
    started = start(any_client)
    assert started["status"] == "PREPARING"
    assert started["registryId"] == ACCOUNT
    assert started["destination"] == EU
    # startedAt is a whole second, taken while the call ran.
    assert int(before) <= started["startedAt"].timestamp() <= fake.clock.now()
    assert len(started["replicationBackfillId"]) == 36


def test_the_status_machine_to_complete(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    backfill_id = start(any_client)["replicationBackfillId"]
    preparing = results(any_client, backfill_id)
    assert preparing["status"] == "PREPARING"
    assert "progress" not in preparing
    assert preparing["results"] == []
    fake.advance(seconds=BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS / 2)
    running = results(any_client, backfill_id)
    assert running["status"] == "IN_PROGRESS"
    assert running["progress"] == {
        "totalReplicationCount": TEAM_ITEMS,
        "completedReplicationCount": TEAM_ITEMS // 2,
        "failedReplicationCount": 0,
        "failureCodes": [],
    }
    assert running["results"] == []
    assert "endedAt" not in running
    fake.advance(seconds=BACKFILL_RUNNING_SECONDS)
    done = results(any_client, backfill_id)
    assert done["status"] == "COMPLETE"
    assert done["progress"]["completedReplicationCount"] == TEAM_ITEMS
    assert len(done["results"]) == TEAM_ITEMS
    assert done["results"][0] == {
        "repositoryName": "team/api",
        "imageId": {
            "imageDigest": fake.registry.repository("team/api").resolve_tag("v1"),
            "imageTag": "v1",
        },
        "status": "COMPLETE",
        "subImageFailureCodes": [],
    }
    assert (done["endedAt"] - done["startedAt"]).total_seconds() == (
        BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS
    )
    assert results(any_client, backfill_id, resultStatusFilter="FAILED")["results"] == []
    assert (
        len(results(any_client, backfill_id, resultStatusFilter="COMPLETE")["results"])
        == TEAM_ITEMS
    )


def test_a_backfill_copies_existing_matching_images(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    start(any_client)
    eu = fake.client(region="eu-west-1")
    names = [r["repositoryName"] for r in eu.describe_repositories()["repositories"]]
    assert names == ["team/api", "team/multi", "team/locked"]
    got = eu.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v2"}])
    assert got["images"][0]["imageId"]["imageTag"] == "v2"


def test_stop_then_stopped_keeps_the_progress_made(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    backfill_id = start(any_client)["replicationBackfillId"]
    fake.advance(seconds=BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS / 2)
    stopped = strip(any_client.stop_replication_backfill(replicationBackfillId=backfill_id))
    assert stopped["status"] == "STOPPING"
    assert stopped["replicationBackfillId"] == backfill_id
    assert results(any_client, backfill_id)["status"] == "STOPPING"
    fake.advance(seconds=BACKFILL_STOPPING_SECONDS)
    final = results(any_client, backfill_id)
    assert final["status"] == "STOPPED"
    assert final["progress"]["completedReplicationCount"] == TEAM_ITEMS // 2
    assert len(final["results"]) == TEAM_ITEMS // 2
    assert "endedAt" in final


def test_stop_while_preparing_has_no_progress(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    backfill_id = start(any_client)["replicationBackfillId"]
    any_client.stop_replication_backfill(replicationBackfillId=backfill_id)
    fake.advance(minutes=5)
    final = results(any_client, backfill_id)
    assert final["status"] == "STOPPED"
    assert "progress" not in final
    assert final["results"] == []


@pytest.mark.parametrize("advance", [0.0, BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS])
def test_stop_refuses_a_stopping_or_complete_backfill(
    fake: FakeEcr, any_client: Any, advance: float
) -> None:
    configure(any_client)
    backfill_id = start(any_client)["replicationBackfillId"]
    if advance:
        fake.advance(seconds=advance)
        expected = "COMPLETE"
    else:
        any_client.stop_replication_backfill(replicationBackfillId=backfill_id)
        expected = "STOPPING"
    assert error_of(any_client.stop_replication_backfill, replicationBackfillId=backfill_id) == (
        "ReplicationBackfillInvalidStatusException",
        f"The replication backfill with id '{backfill_id}' cannot be stopped because its "
        f"status is {expected}",
        400,
    )


def test_one_running_backfill_per_destination_region(fake: FakeEcr, any_client: Any) -> None:
    other = {"region": "eu-west-1", "registryId": "210987654321"}
    configure(any_client, EU, other)
    start(any_client)
    assert error_of(any_client.start_replication_backfill, destination=other) == (
        "ReplicationBackfillInProgressException",
        "A replication backfill to the Region 'eu-west-1' is already in progress for the "
        f"registry with id '{ACCOUNT}'",
        400,
    )
    fake.advance(seconds=BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS)
    assert start(any_client, other)["status"] == "PREPARING"


def test_at_most_ten_running_backfills(any_client: Any) -> None:
    regions = [f"eu-test-{n}" for n in range(11)]
    targets = [{"region": r, "registryId": ACCOUNT} for r in regions]
    configure(any_client, *targets)
    for target in targets[:10]:
        start(any_client, target)
    assert error_of(any_client.start_replication_backfill, destination=targets[10]) == (
        "LimitExceededException",
        f"The registry with id '{ACCOUNT}' already has 10 replication backfills in progress",
        400,
    )


def test_the_destination_must_be_configured(any_client: Any) -> None:
    configure(any_client)
    assert error_of(
        any_client.start_replication_backfill,
        destination={"region": "us-west-2", "registryId": ACCOUNT},
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'destination' failed to satisfy constraint: 'Member must be a "
        "destination of the registry's replication configuration'",
        400,
    )
    assert error_of(
        any_client.start_replication_backfill, destination={"region": "EU", "registryId": ACCOUNT}
    )[1] == (
        "Invalid parameter at 'destination.region' failed to satisfy constraint: 'must satisfy "
        "regular expression '[0-9a-z-]{2,25}''"
    )


def test_unknown_and_malformed_backfill_ids(any_client: Any) -> None:
    for method in (
        any_client.stop_replication_backfill,
        any_client.describe_replication_backfill_results,
    ):
        assert error_of(method, replicationBackfillId=UNKNOWN_ID) == (
            "ReplicationBackfillNotFoundException",
            f"The replication backfill with id '{UNKNOWN_ID}' does not exist in the registry "
            f"with id '{ACCOUNT}'",
            400,
        )
        assert error_of(method, replicationBackfillId="nope")[0] == "InvalidParameterException"
        assert error_of(method, replicationBackfillId=UNKNOWN_ID, registryId="1")[0] == (
            "InvalidParameterException"
        )


def test_result_requests_are_checked(any_client: Any) -> None:
    configure(any_client)
    backfill_id = start(any_client)["replicationBackfillId"]
    method = any_client.describe_replication_backfill_results
    assert error_of(method, replicationBackfillId=backfill_id, resultStatusFilter="DONE")[1] == (
        "Invalid parameter at 'resultStatusFilter' failed to satisfy constraint: "
        "'Member must satisfy enum value set: [COMPLETE, FAILED]'"
    )
    assert error_of(method, replicationBackfillId=backfill_id, maxResults=1001)[0] == (
        "InvalidParameterException"
    )
    assert error_of(method, replicationBackfillId=backfill_id, nextToken="garbage")[0] == (
        "InvalidParameterException"
    )


def test_list_in_start_order_with_progress(fake: FakeEcr, any_client: Any) -> None:
    west = {"region": "us-west-2", "registryId": ACCOUNT}
    configure(any_client, EU, west)
    first = start(any_client)["replicationBackfillId"]
    fake.advance(seconds=BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS)
    second = start(any_client, west)["replicationBackfillId"]
    listed = strip(any_client.list_replication_backfills())
    assert listed["registryId"] == ACCOUNT
    one, two = listed["backfills"]
    assert (one["replicationBackfillId"], one["status"]) == (first, "COMPLETE")
    assert one["progress"]["completedReplicationCount"] == TEAM_ITEMS
    assert "endedAt" in one
    assert (two["replicationBackfillId"], two["status"], two["destination"]) == (
        second,
        "PREPARING",
        west,
    )
    assert "progress" not in two
    assert "endedAt" not in two


def test_terminal_backfills_are_forgotten_after_90_days(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    backfill_id = start(any_client)["replicationBackfillId"]
    fake.advance(seconds=BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS)
    # A minute short: the fake's clock is the wall clock plus its advances, so a margin of
    # one second was eaten by a slow machine between the advance and the request.
    fake.advance(seconds=BACKFILL_RETENTION_SECONDS - 60)
    assert len(any_client.list_replication_backfills()["backfills"]) == 1
    fake.advance(seconds=60)
    assert any_client.list_replication_backfills()["backfills"] == []
    assert (
        error_of(
            any_client.describe_replication_backfill_results, replicationBackfillId=backfill_id
        )[0]
        == "ReplicationBackfillNotFoundException"
    )


def test_list_pages_and_its_limits(fake: FakeEcr, any_client: Any) -> None:
    targets = [{"region": f"eu-test-{n}", "registryId": ACCOUNT} for n in range(7)]
    configure(any_client, *targets)
    started = []
    for target in targets:
        started.append(start(any_client, target)["replicationBackfillId"])
    first = any_client.list_replication_backfills(maxResults=3)
    assert len(first["backfills"]) == 3
    assert "nextToken" in first
    assert error_of(any_client.list_replication_backfills, maxResults=51)[1] == (
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        "'Member must have value less than or equal to 50'"
    )
    assert error_of(any_client.list_replication_backfills, nextToken="garbage")[0] == (
        "InvalidParameterException"
    )
    paged = any_client.get_paginator("list_replication_backfills").paginate(
        PaginationConfig={"PageSize": 2}
    )
    walked = [b["replicationBackfillId"] for page in paged for b in page["backfills"]]
    assert walked == started


def test_default_list_page_is_25(fake: FakeEcr) -> None:
    from pytest_ecr.model.replication import BACKFILLS, Backfill, Destination

    many = tuple(
        Backfill(
            f"00000000-0000-4000-8000-{n:012d}", Destination("eu-west-1", ACCOUNT), fake.clock.now()
        )
        for n in range(30)
    )
    fake.registry.set_registry_setting(ACCOUNT, "us-east-1", BACKFILLS, many)
    fake.advance(seconds=1)
    client = fake.client()
    page = client.list_replication_backfills()
    assert len(page["backfills"]) == 25
    assert "nextToken" in page


def test_results_paginator_walks_every_result(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    backfill_id = start(any_client)["replicationBackfillId"]
    fake.advance(seconds=BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS)
    whole = results(any_client, backfill_id)["results"]
    paged = any_client.get_paginator("describe_replication_backfill_results").paginate(
        replicationBackfillId=backfill_id, PaginationConfig={"PageSize": 2}
    )
    pages = list(paged)
    assert len(pages) == (TEAM_ITEMS + 1) // 2
    assert [r for page in pages for r in page["results"]] == whole


def test_a_backfilled_image_reports_its_replication_when_the_backfill_reaches_it(
    fake: FakeEcr, any_client: Any
) -> None:
    configure(any_client)
    start(any_client)

    def status() -> list[str]:
        answer = any_client.describe_image_replication_status(
            repositoryName="team/locked", imageId={"imageTag": "v1"}
        )
        return [s["status"] for s in answer["replicationStatuses"]]

    # team/locked:v1 is the last of the backfill's replications.
    assert status() == ["IN_PROGRESS"]
    fake.advance(seconds=BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS / 2)
    assert status() == ["IN_PROGRESS"]
    fake.advance(seconds=BACKFILL_RUNNING_SECONDS / 2)
    assert status() == ["COMPLETE"]


def test_registry_ids_are_checked(any_client: Any) -> None:
    bad = (
        "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy "
        "regular expression '[0-9]{12}''"
    )
    assert error_of(any_client.start_replication_backfill, destination=EU, registryId="1")[1] == bad
    assert error_of(any_client.list_replication_backfills, registryId="1")[1] == bad
    bad_destination = {"region": "eu-west-1", "registryId": "1"}
    assert error_of(any_client.start_replication_backfill, destination=bad_destination)[1] == (
        "Invalid parameter at 'destination.registryId' failed to satisfy constraint: 'must "
        "satisfy regular expression '[0-9]{12}''"
    )


def test_another_registrys_backfills_are_its_own(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client)
    start(any_client)
    other = strip(any_client.list_replication_backfills(registryId="210987654321"))
    assert other == {"registryId": "210987654321", "backfills": []}
