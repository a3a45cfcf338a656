"""Parity scenarios of the registry-level operations: replication, backfills, signing."""

from __future__ import annotations

from typing import Any

from .scenarios import ACCOUNT, NEW_DIGEST, NEW_MANIFEST, REPO, Scenario, call, error_of

OTHER = "210987654321"
EU = {"region": "eu-west-1", "registryId": ACCOUNT}
#: A destination in the same Region, another account: a client of one Region sees it.
CROSS = {"region": "us-east-1", "registryId": OTHER}
PROFILE = f"arn:aws:signer:us-east-1:{ACCOUNT}:/signing-profiles/release"
UNKNOWN_BACKFILL = "00000000-0000-4000-8000-000000000000"

MOTO_DEVIATIONS: dict[str, str] = {
    "replication-rules": "found by this suite: PutReplicationConfiguration with more than one "
    "rule answers ValidationException 'This feature is disabled'",
    "replication-validation": "found by this suite: PutReplicationConfiguration checks no "
    "filter pattern and no unique-destination quota",
    "replication-not-done": "found by this suite: a push is never replicated, and "
    "DescribeImageReplicationStatus, the backfill and the signing operations are not "
    "implemented",
}


def _put(*rules: dict[str, Any]) -> Any:
    return call("put_replication_configuration", replicationConfiguration={"rules": list(rules)})


def _rule(*destinations: dict[str, str], prefix: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"destinations": list(destinations)}
    if prefix is not None:
        found["repositoryFilters"] = [{"filter": prefix, "filterType": "PREFIX_MATCH"}]
    return found


def _push(tag: str = "v3") -> Any:
    return call("put_image", repositoryName=REPO, imageManifest=NEW_MANIFEST, imageTag=tag)


def _without_ids(outcome: Any) -> Any:
    # Backfill ids are derived from the start time, which differs between paths.
    if isinstance(outcome, dict):
        return {k: _without_ids(v) for k, v in outcome.items() if k != "replicationBackfillId"}
    if isinstance(outcome, list):
        return [_without_ids(item) for item in outcome]
    return outcome


_S = Scenario
SCENARIOS: tuple[Scenario, ...] = (
    _S(
        "registry-describe-never-configured",
        (call("describe_registry"),),
        lambda o: o[0] == {"registryId": ACCOUNT, "replicationConfiguration": {"rules": []}},
    ),
    _S(
        "registry-put-one-rule-then-describe",
        (_put(_rule(EU, prefix="team")), call("describe_registry")),
        lambda o: o[1]["replicationConfiguration"] == {"rules": [_rule(EU, prefix="team")]},
    ),
    _S(
        "registry-put-destination-is-source",
        (_put(_rule({"region": "us-east-1", "registryId": ACCOUNT})),),
        lambda o: (
            error_of(o[0]) == "InvalidParameterException"
            and "cannot be the same as the source registry" in o[0]["message"]
        ),
    ),
    _S(
        "registry-put-two-rules",
        (_put(_rule(EU), _rule(CROSS, prefix="team")), call("describe_registry")),
        lambda o: len(o[1]["replicationConfiguration"]["rules"]) == 2,
        moto="replication-rules",
    ),
    _S(
        "registry-put-invalid-filter",
        (_put(_rule(EU, prefix="Team")),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="replication-validation",
    ),
    _S(
        "registry-put-too-many-unique-destinations",
        (_put(_rule(*[{"region": "eu-west-1", "registryId": f"{n:012d}"} for n in range(1, 27)])),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="replication-validation",
    ),
    _S(
        "registry-push-replicates-to-another-account",
        (
            _put(_rule(CROSS)),
            _push(),
            call(
                "describe_image_replication_status",
                repositoryName=REPO,
                imageId={"imageTag": "v3"},
            ),
            call(
                "batch_get_image",
                registryId=OTHER,
                repositoryName=REPO,
                imageIds=[{"imageTag": "v3"}],
            ),
        ),
        lambda o: (
            o[2]["replicationStatuses"]
            == [{"region": "us-east-1", "registryId": OTHER, "status": "IN_PROGRESS"}]
            and [i["imageId"] for i in o[3]["images"]]
            == [{"imageDigest": NEW_DIGEST, "imageTag": "v3"}]
        ),
        moto="replication-not-done",
    ),
    _S(
        "registry-backfill-start-and-list",
        (
            _put(_rule(EU, prefix="team")),
            call("start_replication_backfill", destination=EU),
            call("list_replication_backfills"),
            call("start_replication_backfill", destination=EU),
        ),
        lambda o: (
            o[1]["status"] == "PREPARING"
            and [b["status"] for b in o[2]["backfills"]] == ["PREPARING"]
            and error_of(o[3]) == "ReplicationBackfillInProgressException"
        ),
        moto="replication-not-done",
        project=_without_ids,
    ),
    _S(
        "registry-backfill-unknown-id",
        (call("stop_replication_backfill", replicationBackfillId=UNKNOWN_BACKFILL),),
        lambda o: error_of(o[0]) == "ReplicationBackfillNotFoundException",
        moto="replication-not-done",
    ),
    _S(
        "signing-put-get-delete",
        (
            call("get_signing_configuration"),
            call(
                "put_signing_configuration",
                signingConfiguration={"rules": [{"signingProfileArn": PROFILE}]},
            ),
            call("get_signing_configuration"),
            call("delete_signing_configuration"),
            call("delete_signing_configuration"),
        ),
        lambda o: (
            error_of(o[0]) == "SigningConfigurationNotFoundException"
            and o[2]["signingConfiguration"] == {"rules": [{"signingProfileArn": PROFILE}]}
            and o[3]["registryId"] == ACCOUNT
            and error_of(o[4]) == "SigningConfigurationNotFoundException"
        ),
        moto="replication-not-done",
    ),
    _S(
        "signing-push-is-signed",
        (
            call(
                "put_signing_configuration",
                signingConfiguration={
                    "rules": [
                        {
                            "signingProfileArn": PROFILE,
                            "repositoryFilters": [
                                {"filter": "team/*", "filterType": "WILDCARD_MATCH"}
                            ],
                        }
                    ]
                },
            ),
            _push(),
            call("describe_image_signing_status", repositoryName=REPO, imageId={"imageTag": "v3"}),
            call("describe_image_signing_status", repositoryName=REPO, imageId={"imageTag": "v1"}),
        ),
        lambda o: (
            o[2]["signingStatuses"] == [{"signingProfileArn": PROFILE, "status": "IN_PROGRESS"}]
            and o[3]["signingStatuses"] == []
        ),
        moto="replication-not-done",
    ),
)
