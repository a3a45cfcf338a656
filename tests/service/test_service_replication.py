"""DescribeRegistry, PutReplicationConfiguration and DescribeImageReplicationStatus, and
the replication a push starts, through real boto3 clients (in process and over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model.replication import REPLICATION_SECONDS
from pytest_ecr.service.replication import PREFIX_FILTER_PATTERN

from .support import ACCOUNT, error_of, image_manifest, strip

# These tests push made-up manifests to test something else than layers: PutImage may
# store them (allow_missing_layers), as a suite that pushes placeholders declares.
pytestmark = pytest.mark.usefixtures("placeholder_pushes")

OTHER = "210987654321"
EU = {"region": "eu-west-1", "registryId": ACCOUNT}


def rule(
    *destinations: dict[str, str], filters: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    found: dict[str, Any] = {"destinations": list(destinations), **extra}
    if filters:
        found["repositoryFilters"] = [{"filter": f, "filterType": "PREFIX_MATCH"} for f in filters]
    return found


def configure(client: Any, *rules: dict[str, Any]) -> dict[str, Any]:
    return strip(
        client.put_replication_configuration(replicationConfiguration={"rules": list(rules)})
    )


def invalid(client: Any, *rules: Any) -> tuple[str, str, int]:
    return error_of(
        client.put_replication_configuration, replicationConfiguration={"rules": list(rules)}
    )


def constraint(field: str, text: str) -> tuple[str, str, int]:
    return (
        "InvalidParameterException",
        f"Invalid parameter at '{field}' failed to satisfy constraint: '{text}'",
        400,
    )


def push(client: Any, repo: str = "team/api", seed: int = 90, tag: str | None = "r1") -> str:
    params: dict[str, Any] = {"repositoryName": repo, "imageManifest": image_manifest(seed)}
    if tag is not None:
        params["imageTag"] = tag
    return str(client.put_image(**params)["image"]["imageId"]["imageDigest"])


def statuses(client: Any, digest: str, repo: str = "team/api") -> list[dict[str, str]]:
    answer = client.describe_image_replication_status(
        repositoryName=repo, imageId={"imageDigest": digest}
    )
    return list(answer["replicationStatuses"])


# -- DescribeRegistry and PutReplicationConfiguration ------------------------------------


def test_a_registry_never_configured_has_no_rules(any_client: Any) -> None:
    assert strip(any_client.describe_registry()) == {
        "registryId": ACCOUNT,
        "replicationConfiguration": {"rules": []},
    }


@needs("ReplicationRule.deleteReplication")
def test_put_echoes_the_configuration_and_describe_registry_shows_it(any_client: Any) -> None:
    rules = [
        rule(EU, filters=("team", "legacy"), deleteReplication={"enabled": True}),
        rule({"region": "us-west-2", "registryId": OTHER}),
    ]
    assert configure(any_client, *rules) == {"replicationConfiguration": {"rules": rules}}
    assert strip(any_client.describe_registry()) == {
        "registryId": ACCOUNT,
        "replicationConfiguration": {"rules": rules},
    }


def test_the_configuration_is_per_region(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule(EU))
    west = fake.client(region="us-west-2")
    assert west.describe_registry()["replicationConfiguration"] == {"rules": []}


def test_put_replaces_and_no_rules_clears(any_client: Any) -> None:
    configure(any_client, rule(EU))
    configure(any_client, rule({"region": "us-west-2", "registryId": ACCOUNT}))
    described = any_client.describe_registry()["replicationConfiguration"]
    assert described == {"rules": [rule({"region": "us-west-2", "registryId": ACCOUNT})]}
    assert configure(any_client) == {"replicationConfiguration": {"rules": []}}
    assert any_client.describe_registry()["replicationConfiguration"] == {"rules": []}


def test_a_destination_equal_to_the_source_is_refused(any_client: Any) -> None:
    assert invalid(any_client, rule(EU), rule({"region": "us-east-1", "registryId": ACCOUNT})) == (
        constraint(
            "replicationConfiguration",
            "Replication destination cannot be the same as the source registry",
        )
    )


def test_the_same_region_in_another_account_is_a_destination(any_client: Any) -> None:
    configure(any_client, rule({"region": "us-east-1", "registryId": OTHER}))


def test_a_destination_in_another_partition_is_refused(any_client: Any) -> None:
    assert invalid(any_client, rule({"region": "cn-north-1", "registryId": ACCOUNT})) == (
        constraint(
            "replicationConfiguration.rules.1.member.destinations.1.member.region",
            "Replication across AWS partitions is not supported",
        )
    )


@pytest.mark.parametrize(
    ("region", "text"),
    [
        ("x" * 26, "Member must have length less than or equal to 25"),
        ("EU_WEST", "must satisfy regular expression '[0-9a-z-]{2,25}'"),
    ],
)
def test_a_destination_region_is_checked(any_client: Any, region: str, text: str) -> None:
    field = "replicationConfiguration.rules.1.member.destinations.1.member.region"
    assert invalid(any_client, rule({"region": region, "registryId": ACCOUNT})) == constraint(
        field, text
    )


def test_a_destination_registry_id_is_checked(any_client: Any) -> None:
    field = "replicationConfiguration.rules.1.member.destinations.1.member.registryId"
    assert invalid(any_client, rule({"region": "eu-west-1", "registryId": "12345"})) == (
        constraint(field, "must satisfy regular expression '[0-9]{12}'")
    )


def test_at_most_25_rules(any_client: Any) -> None:
    rules = [rule(EU)] * 26
    assert invalid(any_client, *rules) == constraint(
        "replicationConfiguration.rules", "Member must have length less than or equal to 25"
    )
    configure(any_client, *rules[:25])


def test_at_most_100_destinations_per_rule(any_client: Any) -> None:
    assert invalid(any_client, rule(*[EU] * 101)) == constraint(
        "replicationConfiguration.rules.1.member.destinations",
        "Member must have length less than or equal to 100",
    )


def test_at_most_25_unique_destinations(any_client: Any) -> None:
    accounts = [f"{n:012d}" for n in range(1, 27)]
    many = [{"region": "eu-west-1", "registryId": a} for a in accounts]
    assert invalid(any_client, rule(*many[:13]), rule(*many[13:])) == constraint(
        "replicationConfiguration.rules",
        "The number of unique destinations across all rules must be less than or equal to 25",
    )
    # Repeats count once.
    configure(any_client, rule(*many[:25]), rule(*many[:25]))


def test_filters_are_checked(any_client: Any) -> None:
    at = "replicationConfiguration.rules.1.member.repositoryFilters"
    assert invalid(any_client, rule(EU, filters=tuple(f"p{n}" for n in range(101)))) == (
        constraint(at, "Member must have length less than or equal to 100")
    )
    assert invalid(any_client, rule(EU, filters=("x" * 257,))) == constraint(
        f"{at}.1.member.filter", "Member must have length less than or equal to 256"
    )
    assert invalid(any_client, rule(EU, filters=("Team",))) == constraint(
        f"{at}.1.member.filter", f"must satisfy regular expression '{PREFIX_FILTER_PATTERN}'"
    )
    bad_type = rule(EU, repositoryFilters=[{"filter": "team", "filterType": "WILDCARD"}])
    assert invalid(any_client, bad_type) == constraint(
        f"{at}.1.member.filterType", "Member must satisfy enum value set: [PREFIX_MATCH]"
    )


def test_wrong_json_types_are_refused(fake: FakeEcr) -> None:
    from pytest_ecr.service import EcrError, RequestContext, dispatch

    ctx = RequestContext(ACCOUNT, "us-east-1")
    for bad in ({"rules": "x"}, {"rules": [{"destinations": None}]}, {}):
        with pytest.raises(EcrError) as caught:
            dispatch(
                fake.registry, "PutReplicationConfiguration", {"replicationConfiguration": bad}, ctx
            )
        assert caught.value.code in {"SerializationException", "InvalidParameterException"}


# -- the replication a push starts ------------------------------------------------------


def test_a_push_replicates_and_completes_on_the_clock(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule(EU, filters=("team",)))
    digest = push(any_client)
    assert statuses(any_client, digest) == [
        {"region": "eu-west-1", "registryId": ACCOUNT, "status": "IN_PROGRESS"}
    ]
    fake.advance(seconds=REPLICATION_SECONDS)
    assert statuses(any_client, digest) == [
        {"region": "eu-west-1", "registryId": ACCOUNT, "status": "COMPLETE"}
    ]
    eu = fake.client(region="eu-west-1")
    images = eu.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "r1"}])
    assert [image["imageId"] for image in images["images"]] == [
        {"imageDigest": digest, "imageTag": "r1"}
    ]
    assert images["images"][0]["imageManifest"] == image_manifest(90)


def test_the_replica_repository_has_default_settings(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule(EU))
    before = fake.clock.now()
    push(any_client, repo="team/locked", tag="v2")
    eu = fake.client(region="eu-west-1")
    (repo,) = eu.describe_repositories(repositoryNames=["team/locked"])["repositories"]
    assert repo["imageTagMutability"] == "MUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": False}
    # Created by the push's replication: between the push and now (however slow the run).
    assert int(before) <= repo["createdAt"].timestamp() <= fake.clock.now()


def test_only_covered_repositories_replicate(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule(EU, filters=("legacy",)))
    digest = push(any_client)
    assert statuses(any_client, digest) == []
    eu = fake.client(region="eu-west-1")
    assert eu.describe_repositories()["repositories"] == []


def test_images_pushed_before_the_configuration_do_not_replicate(any_client: Any) -> None:
    configure(any_client, rule(EU))
    answer = any_client.describe_image_replication_status(
        repositoryName="team/api", imageId={"imageTag": "v1"}
    )
    assert answer["replicationStatuses"] == []
    assert answer["imageId"]["imageTag"] == "v1"


def test_every_destination_of_every_covering_rule_once(fake: FakeEcr, any_client: Any) -> None:
    west = {"region": "us-west-2", "registryId": OTHER}
    configure(any_client, rule(EU, west, filters=("team",)), rule(EU), rule(west, filters=("xy",)))
    digest = push(any_client)
    assert [(s["region"], s["registryId"]) for s in statuses(any_client, digest)] == [
        ("eu-west-1", ACCOUNT),
        ("us-west-2", OTHER),
    ]
    # A cross-account replica lands in the other account's registry.
    other = fake.registry.repository("team/api", account=OTHER, region="us-west-2")
    assert other.resolve_tag("r1") == digest


def test_replicas_are_not_replicated_again(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule(EU))
    eu = fake.client(region="eu-west-1")
    eu.put_replication_configuration(
        replicationConfiguration={"rules": [rule({"region": "us-west-2", "registryId": ACCOUNT})]}
    )
    digest = push(any_client)
    assert statuses(eu, digest) == []
    assert fake.registry.get_repository(ACCOUNT, "us-west-2", "team/api") is None


def test_an_immutable_tag_in_the_destination_leaves_the_replica_untagged(
    fake: FakeEcr, any_client: Any
) -> None:
    fake.registry.allow_missing_layers(region="eu-west-1")
    eu = fake.client(region="eu-west-1")
    eu.create_repository(repositoryName="team/api", imageTagMutability="IMMUTABLE")
    held = push(eu, seed=91, tag="r1")
    configure(any_client, rule(EU))
    digest = push(any_client, seed=92, tag="r1")
    listed = eu.list_images(repositoryName="team/api")["imageIds"]
    assert {"imageDigest": held, "imageTag": "r1"} in listed
    assert {"imageDigest": digest} in listed


def test_a_manifest_list_replicates_with_its_images(fake: FakeEcr, any_client: Any) -> None:
    configure(any_client, rule(EU))
    multi = fake.registry.repository("team/multi")
    index = multi.image("latest")
    any_client.put_image(repositoryName="team/multi", imageManifest=index.manifest, imageTag="v2")
    eu = fake.client(region="eu-west-1")
    digests = {i["imageDigest"] for i in eu.list_images(repositoryName="team/multi")["imageIds"]}
    assert digests == {index.digest, *index.children}


@needs("ReplicationRule.deleteReplication")
def test_deletions_replicate_only_when_asked(fake: FakeEcr, any_client: Any) -> None:
    west = {"region": "us-west-2", "registryId": ACCOUNT}
    configure(any_client, rule(EU, deleteReplication={"enabled": True}), rule(west))
    digest = push(any_client)
    any_client.put_image(repositoryName="team/api", imageManifest=image_manifest(90), imageTag="r2")
    any_client.batch_delete_image(repositoryName="team/api", imageIds=[{"imageTag": "r1"}])
    eu = fake.registry.repository("team/api", region="eu-west-1")
    assert eu.tags_of(digest) == ("r2",)
    any_client.batch_delete_image(repositoryName="team/api", imageIds=[{"imageDigest": digest}])
    assert eu.get_image(digest) is None
    kept = fake.registry.repository("team/api", region="us-west-2")
    assert kept.tags_of(digest) == ("r1", "r2")


# -- DescribeImageReplicationStatus: errors ---------------------------------------------


def test_status_of_a_missing_image_or_repository(any_client: Any) -> None:
    method = any_client.describe_image_replication_status
    assert error_of(method, repositoryName="team/api", imageId={"imageTag": "nope"}) == (
        "ImageNotFoundException",
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within "
        f"the repository with name 'team/api' in the registry with id '{ACCOUNT}'",
        400,
    )
    assert error_of(method, repositoryName="team/nope", imageId={"imageTag": "v1"}) == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


def test_status_request_is_checked(any_client: Any) -> None:
    method = any_client.describe_image_replication_status
    assert error_of(method, repositoryName="team/api", imageId={})[0] == (
        "InvalidParameterException"
    )
    assert error_of(method, repositoryName="team/api", imageId={"imageDigest": "sha256:x"})[1] == (
        "Invalid parameter at 'imageId.imageDigest' failed to satisfy constraint: "
        "'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''"
    )
    assert error_of(method, repositoryName="Team", imageId={"imageTag": "v1"})[0] == (
        "InvalidParameterException"
    )
    assert (
        error_of(method, repositoryName="team/api", imageId={"imageTag": "v1"}, registryId="1")[0]
        == "InvalidParameterException"
    )
