"""The ``replication:`` and ``signing:`` keys of a ``registries:`` entry: read, checked
with their YAML places, put into the model, and acted on by pushes."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import DeclarationError, build_state, load_declaration
from pytest_ecr.model.replication import (
    REPLICATION,
    REPLICATION_SECONDS,
    Destination,
    ReplicationConfiguration,
    ReplicationRule,
)
from pytest_ecr.model.signing import SIGNING, SigningConfiguration, SigningRule

ACCOUNT = "111122223333"
OTHER = "210987654321"
PROFILE = f"arn:aws:signer:us-east-1:{ACCOUNT}:/signing-profiles/release"
DOC = f"""\
version: 1
account: "{ACCOUNT}"
registries:
  - region: us-east-1
    allow_missing_layers: true   # the test pushes a manifest without uploading its config
    replication:
      - destinations:
          - region: eu-west-1
          - {{region: us-west-2, account: "{OTHER}"}}
        repository_filters: [team/]
        delete_replication: true
    signing:
      - profile_arn: {PROFILE}
        repository_filters: ["team/*"]
repositories:
  - name: team/api
"""


def problems_of(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DeclarationError) as excinfo:
        build_state([load_declaration(text)])
    return [(p.line, p.path, p.message) for p in excinfo.value.problems]


def test_both_settings_reach_the_model() -> None:
    state = build_state([load_declaration(DOC)])
    assert state.registry_setting(ACCOUNT, "us-east-1", REPLICATION) == ReplicationConfiguration(
        (
            ReplicationRule(
                (Destination("eu-west-1", ACCOUNT), Destination("us-west-2", OTHER)),
                ("team/",),
                True,
            ),
        )
    )
    assert state.registry_setting(ACCOUNT, "us-east-1", SIGNING) == SigningConfiguration(
        (SigningRule(PROFILE, ("team/*",)),)
    )


@needs("ReplicationRule.deleteReplication", "GetSigningConfiguration")
def test_a_declared_registry_replicates_and_signs_pushes(tmp_path: Path) -> None:
    (tmp_path / "registry.yaml").write_text(DOC)
    with FakeEcr([str(tmp_path / "registry.yaml")]) as fake:
        client = fake.client()
        described = client.describe_registry()["replicationConfiguration"]["rules"]
        assert described[0]["deleteReplication"] == {"enabled": True}
        assert client.get_signing_configuration()["signingConfiguration"]["rules"] == [
            {
                "signingProfileArn": PROFILE,
                "repositoryFilters": [{"filter": "team/*", "filterType": "WILDCARD_MATCH"}],
            }
        ]
        manifest = (
            '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
            '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,'
            '"digest":"sha256:' + "a" * 64 + '"},"layers":[]}'
        )
        client.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="v1")
        fake.advance(seconds=REPLICATION_SECONDS)
        status = client.describe_image_replication_status(
            repositoryName="team/api", imageId={"imageTag": "v1"}
        )["replicationStatuses"]
        assert [(s["region"], s["registryId"], s["status"]) for s in status] == [
            ("eu-west-1", ACCOUNT, "COMPLETE"),
            ("us-west-2", OTHER, "COMPLETE"),
        ]
        signed = client.describe_image_signing_status(
            repositoryName="team/api", imageId={"imageTag": "v1"}
        )["signingStatuses"]
        assert signed == [{"signingProfileArn": PROFILE, "status": "COMPLETE"}]
        eu = fake.client(region="eu-west-1")
        assert eu.list_images(repositoryName="team/api")["imageIds"][0]["imageTag"] == "v1"


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "- region: eu-west-1",
            "- region: Europe",
            "registries[0].replication[0].destinations[0].region",
            "invalid region 'Europe'",
        ),
        (
            "- region: eu-west-1",
            "- {region: eu-west-1, acount: '1'}",
            "registries[0].replication[0].destinations[0]",
            "unknown key 'acount'",
        ),
        (
            "- region: eu-west-1",
            "- {account: '111122223333'}",
            "registries[0].replication[0].destinations[0]",
            "missing required key 'region'",
        ),
        (
            "[team/]",
            "[Team]",
            "registries[0].replication[0].repository_filters[0]",
            "invalid repository prefix 'Team'",
        ),
        (
            "[team/]",
            "[]",
            "registries[0].replication[0].repository_filters",
            "expected a list of 1 to 100 filters",
        ),
        (
            "delete_replication: true",
            "delete_replication: yes please",
            "registries[0].replication[0].delete_replication",
            "expected true or false",
        ),
        (
            '["team/*"]',
            '["Team*"]',
            "registries[0].signing[0].repository_filters[0]",
            "invalid repository filter 'Team*'",
        ),
        (
            f"profile_arn: {PROFILE}",
            "profile_arn: arn:aws:iam::1:role/x",
            "registries[0].signing[0].profile_arn",
            "expected a signer signing-profile ARN",
        ),
        (
            f"profile_arn: {PROFILE}",
            "profile: x",
            "registries[0].signing[0]",
            "missing required key 'profile_arn'",
        ),
    ],
)
def test_wrong_values_are_reported_with_their_places(
    old: str, new: str, path: str, message: str
) -> None:
    found = problems_of(DOC.replace(old, new, 1))
    assert any(p == path and message in m for _, p, m in found), found


def test_the_lists_are_bounded() -> None:
    many_rules = "\n".join(["      - destinations: [{region: eu-west-1}]"] * 26)
    text = DOC.split("    replication:")[0] + "    replication:\n" + many_rules + "\n"
    assert any(
        p == "registries[0].replication" and "a list of up to 25 rules" in m
        for _, p, m in problems_of(text)
    )
    accounts = ", ".join(f"{{region: eu-west-1, account: '{n:012d}'}}" for n in range(1, 27))
    text = DOC.replace(
        "- region: eu-west-1",
        "- {region: eu-west-1}\n          - " + accounts.replace(", {", "\n          - {"),
        1,
    )
    assert any("more than 25 unique destinations" in m for _, _, m in problems_of(text))
    signing = "\n".join([f"      - profile_arn: {PROFILE}"] * 11)
    text = DOC.split("    signing:")[0] + "    signing:\n" + signing + "\n"
    assert any("up to 10 rules" in m for _, _, m in problems_of(text))


def test_a_registry_replicating_to_itself_is_refused() -> None:
    text = DOC.replace("- region: eu-west-1", "- region: us-east-1", 1)
    with pytest.raises(
        DeclarationError, match=r"registry 111122223333 \(us-east-1\) replicates to itself"
    ):
        build_state([load_declaration(text)])


def test_no_rules_declares_nothing() -> None:
    text = DOC.split("    replication:")[0] + "    replication: []\n    signing: []\n"
    state = build_state([load_declaration(text)])
    assert state.registry_setting(ACCOUNT, "us-east-1", REPLICATION) is None
    assert state.registry_setting(ACCOUNT, "us-east-1", SIGNING) == SigningConfiguration()


@needs("ReplicationRule.deleteReplication")
def test_the_moto_backend_is_seeded_with_the_replication_rules(tmp_path: Path) -> None:
    pytest.importorskip("moto")
    (tmp_path / "registry.yaml").write_text(DOC)
    with FakeEcr([str(tmp_path / "registry.yaml")], backend="moto") as fake:
        rules = fake.client().describe_registry()["replicationConfiguration"]["rules"]
    assert rules == [
        {
            "destinations": [
                {"region": "eu-west-1", "registryId": ACCOUNT},
                {"region": "us-west-2", "registryId": OTHER},
            ],
            "repositoryFilters": [{"filter": "team/", "filterType": "PREFIX_MATCH"}],
            "deleteReplication": {"enabled": True},
        }
    ]
