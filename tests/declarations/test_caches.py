"""Declared pull-through cache rules, creation templates and referrers (YAML), answered
by the operations that read them."""

from __future__ import annotations

import json

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import DeclarationError, build_state, load_declaration
from pytest_ecr.model.caches import pull_through_cache_rules
from pytest_ecr.model.templates import CREATE_ON_PUSH, settings_for_new_repository, templates

ACCOUNT = "111122223333"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecr-pullthroughcache/hub-x1"
SUBJECT_MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "size": 2,
            "digest": "sha256:" + "1" * 64,
        },
        "layers": [],
    }
)
SUBJECT = "sha256:" + __import__("hashlib").sha256(SUBJECT_MANIFEST.encode()).hexdigest()

DOC = f"""\
version: 1
account: "{ACCOUNT}"
registries:
  - pull_through_cache_rules:
      - ecr_repository_prefix: ecr-public
        upstream_registry_url: public-upstream.example.test
        upstream_registry: ecr-public
      - ecr_repository_prefix: hub
        upstream_registry_url: hub.example.test
        upstream_registry: docker-hub
        credential_arn: {SECRET}
        validation_failure: "The credentials in the secret were rejected"
    creation_templates:
      - prefix: ROOT
        applied_for: [CREATE_ON_PUSH, PULL_THROUGH_CACHE]
        tag_mutability: IMMUTABLE_WITH_EXCLUSION
        tag_mutability_exclusion_filters: ["latest"]
        tags: {{team: core}}
        custom_role_arn: arn:aws:iam::{ACCOUNT}:role/templates
        lifecycle_policy:
          rules: []
      - prefix: hub
        applied_for: [PULL_THROUGH_CACHE]
        encryption: KMS
  - region: eu-west-1
    creation_templates:
      - {{prefix: prod, applied_for: [REPLICATION]}}
repositories:
  - name: team/art
    images:
      - tags: [v1]
        manifest_text: '{SUBJECT_MANIFEST}'
      - manifest:
          schemaVersion: 2
          mediaType: application/vnd.oci.image.manifest.v1+json
          artifactType: application/vnd.dev.cosign.artifact.sig.v1+json
          config:
            mediaType: application/vnd.oci.empty.v1+json
            size: 2
            digest: sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
          layers: []
          subject:
            mediaType: application/vnd.oci.image.manifest.v1+json
            digest: {SUBJECT}
            size: {len(SUBJECT_MANIFEST)}
"""


def test_declared_rules_and_templates_reach_the_model() -> None:
    state = build_state([load_declaration(DOC)])
    rules = pull_through_cache_rules(state, ACCOUNT, "us-east-1")
    assert [(r.ecr_repository_prefix, r.upstream_registry) for r in rules] == [
        ("ecr-public", "ecr-public"),
        ("hub", "docker-hub"),
    ]
    found = templates(state, ACCOUNT, "us-east-1")
    assert [t.prefix for t in found] == ["ROOT", "hub"]
    assert found[0].resource_tags == (("team", "core"),)
    assert found[0].lifecycle_policy == '{"rules": []}'
    assert [t.prefix for t in templates(state, ACCOUNT, "eu-west-1")] == ["prod"]
    settings = settings_for_new_repository(state, ACCOUNT, "us-east-1", "web/app", CREATE_ON_PUSH)
    assert settings.image_tag_mutability == "IMMUTABLE_WITH_EXCLUSION"


@needs("DescribeRepositoryCreationTemplates", "ListImageReferrers")
def test_the_operations_answer_from_the_declaration() -> None:
    with FakeEcr([DOC]) as fake:
        client = fake.client()
        described = client.describe_pull_through_cache_rules()["pullThroughCacheRules"]
        assert [r["ecrRepositoryPrefix"] for r in described] == ["ecr-public", "hub"]
        checked = client.validate_pull_through_cache_rule(ecrRepositoryPrefix="hub")
        assert (checked["isValid"], checked["failure"]) == (
            False,
            "The credentials in the secret were rejected",
        )
        assert client.validate_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public")["isValid"]
        listed = client.describe_repository_creation_templates()["repositoryCreationTemplates"]
        assert [t["prefix"] for t in listed] == ["ROOT", "hub"]
        assert listed[1]["encryptionConfiguration"] == {"encryptionType": "KMS"}
        referrers = client.list_image_referrers(
            repositoryName="team/art", subjectId={"imageDigest": SUBJECT}
        )["referrers"]
        assert [r["artifactType"] for r in referrers] == [
            "application/vnd.dev.cosign.artifact.sig.v1+json"
        ]


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "upstream_registry_url: public-upstream.example.test",
            "upstream_registry_url: https://harbor.example.com",
            "registries[0].pull_through_cache_rules[0].upstream_registry_url",
            "The upstream registry URL https://harbor.example.com is invalid",
        ),
        (
            f"        credential_arn: {SECRET}\n",
            "",
            "registries[0].pull_through_cache_rules[1]",
            "The specified upstream registry requires authentication",
        ),
        (
            "ecr_repository_prefix: hub",
            "ecr_repository_prefix: ecr-public/",
            "registries[0].pull_through_cache_rules",
            "two entries have the ecr_repository_prefix 'ecr-public'",
        ),
        (
            "ecr_repository_prefix: hub",
            "ecr_repository_prefix: Hub",
            "registries[0].pull_through_cache_rules[1].ecr_repository_prefix",
            "failed to satisfy constraint",
        ),
        (
            "        upstream_registry: ecr-public\n",
            "        upstream_registry: ecr-public\n        upstream: x\n",
            "registries[0].pull_through_cache_rules[0]",
            "unknown key 'upstream'",
        ),
        (
            "      - ecr_repository_prefix: ecr-public\n"
            "        upstream_registry_url: public-upstream.example.test\n"
            "        upstream_registry: ecr-public\n",
            "      - ecr_repository_prefix: ecr-public\n        upstream_registry: ecr-public\n",
            "registries[0].pull_through_cache_rules[0]",
            "missing required key 'upstream_registry_url'",
        ),
        (
            "tag_mutability: IMMUTABLE_WITH_EXCLUSION",
            "tag_mutability: MUTABLE",
            "registries[0].creation_templates[0].tag_mutability_exclusion_filters",
            "Member must be null when imageTagMutability is MUTABLE",
        ),
        (
            "applied_for: [REPLICATION]",
            "applied_for: [EVERYTHING]",
            "registries[1].creation_templates[0].applied_for",
            "Member must satisfy enum value set",
        ),
        (
            "tags: {team: core}",
            "tags: [team]",
            "registries[0].creation_templates[0].tags",
            "expected a mapping of tag keys to values",
        ),
        (
            "      - prefix: hub\n",
            "      - prefix: ROOT\n",
            "registries[0].creation_templates",
            "two entries have the prefix 'ROOT'",
        ),
    ],
)
def test_a_wrong_entry_is_reported_with_its_place(
    old: str, new: str, path: str, message: str
) -> None:
    assert old in DOC
    with pytest.raises(DeclarationError) as excinfo:
        load_declaration(DOC.replace(old, new, 1))
    found = [(p.path, p.message) for p in excinfo.value.problems]
    assert any(p == path and message in m for p, m in found), found


def test_more_than_fifty_rules() -> None:
    rules = "\n".join(
        f"      - {{ecr_repository_prefix: c{n}, upstream_registry_url: quay.example.test}}"
        for n in range(51)
    )
    doc = f"version: 1\nregistries:\n  - pull_through_cache_rules:\n{rules}\n"
    with pytest.raises(DeclarationError, match="51 pull through cache rules"):
        load_declaration(doc)


def test_the_keys_must_be_lists() -> None:
    with pytest.raises(DeclarationError, match="expected a list"):
        load_declaration("version: 1\nregistries:\n  - creation_templates: {prefix: x}\n")
