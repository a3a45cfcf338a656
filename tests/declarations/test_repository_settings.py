"""The per-repository settings of a declaration: tags, scan_on_push, encryption,
created_at, tag_mutability_exclusions and policy; each key, each bad value and its
message, and what the fake answers from them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import (
    DeclarationError,
    Problem,
    build_state,
    load_declaration,
    load_sources,
)
from pytest_ecr.model import DEFAULT_ACCOUNT, TagMutability
from pytest_ecr.model.encryption import alias_key_id, aws_managed_key_id
from pytest_ecr.model.policies import repository_policy
from pytest_ecr.model.tags import repository_tags
from pytest_ecr.service.policies import jackson_pretty

from .conftest import Problems

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}],
}


def declared(body: str) -> Any:
    return load_sources([f"version: 1\nrepositories:\n  - name: team/api\n{body}"])


def problems_of(problems: Problems, body: str) -> list[Problem]:
    return problems(f"version: 1\nrepositories:\n  - name: team/api\n{body}")


@needs("Repository.imageTagMutabilityExclusionFilters")
def test_every_setting_reaches_the_answers() -> None:
    text = f"""\
version: 1
repositories:
  - name: team/api
    tags: {{team: api, env: "prod"}}
    scan_on_push: true
    encryption: {{type: KMS, kms_key: alias/team}}
    created_at: 2023-05-01T12:00:00Z
    tag_mutability: IMMUTABLE_WITH_EXCLUSION
    tag_mutability_exclusions: [latest, dev-*]
    policy: {json.dumps(POLICY)}
    images:
      - tags: [v1, latest]
"""
    with FakeEcr([text]) as fake:
        client = fake.client()
        [repo] = client.describe_repositories()["repositories"]
        arn = repo["repositoryArn"]
        assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo["encryptionConfiguration"] == {
            "encryptionType": "KMS",
            "kmsKey": f"arn:aws:kms:us-east-1:{DEFAULT_ACCOUNT}:key/"
            + alias_key_id(DEFAULT_ACCOUNT, "us-east-1", "alias/team"),
        }
        assert repo["createdAt"].isoformat() == "2023-05-01T12:00:00+00:00"
        assert repo["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
        assert repo["imageTagMutabilityExclusionFilters"] == [
            {"filterType": "WILDCARD", "filter": "latest"},
            {"filterType": "WILDCARD", "filter": "dev-*"},
        ]
        assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [
            {"Key": "team", "Value": "api"},
            {"Key": "env", "Value": "prod"},
        ]
        assert client.get_repository_policy(repositoryName="team/api")["policyText"] == (
            jackson_pretty(POLICY)
        )


def test_defaults_when_nothing_is_stated() -> None:
    repo = declared("").repository("team/api")
    assert repository_tags(repo) == ()
    assert repository_policy(repo) is None
    assert (repo.scan_on_push, repo.encryption_type, repo.kms_key) == (False, "AES256", None)
    assert repo.created_at == 1_704_067_200.0
    assert repo.tag_mutability_exclusion_filters == ()


@pytest.mark.parametrize("kind", ["KMS", "KMS_DSSE"])
def test_kms_without_a_key_is_the_aws_managed_key(kind: str) -> None:
    repo = declared(
        f"    account: '210987654321'\n    region: eu-west-1\n    encryption: {{type: {kind}}}\n"
    ).repository("team/api", account="210987654321", region="eu-west-1")
    assert repo.encryption_type == kind
    assert repo.kms_key == (
        "arn:aws:kms:eu-west-1:210987654321:key/" + aws_managed_key_id("210987654321", "eu-west-1")
    )


def test_aes256_explicitly() -> None:
    repo = declared("    encryption: {type: AES256}\n").repository("team/api")
    assert (repo.encryption_type, repo.kms_key) == ("AES256", None)


def test_a_policy_as_json_text() -> None:
    repo = declared(f"    policy: '{json.dumps(POLICY)}'\n").repository("team/api")
    assert repository_policy(repo) == jackson_pretty(POLICY)


def test_created_at_as_epoch_seconds() -> None:
    assert declared("    created_at: 1600000000.5\n").repository("team/api").created_at == (
        1_600_000_000.5
    )


def test_exclusions_decide_which_declared_tags_may_repeat() -> None:
    body = (
        "    tag_mutability: IMMUTABLE_WITH_EXCLUSION\n"
        "    tag_mutability_exclusions: [latest]\n"
        "    images:\n      - tags: [v1, latest]\n"
    )
    text = f"version: 1\nrepositories:\n  - name: team/api\n{body}"
    first, second = load_declaration(text), load_declaration(text + "\n")
    with pytest.raises(DeclarationError) as info:
        build_state([first, second])
    # v1 is immutable (declared twice is a conflict); latest is excluded (it merges).
    assert [p.message for p in info.value.problems] == [
        "tag 'v1' is declared twice in IMMUTABLE_WITH_EXCLUSION repository 'team/api'; "
        "first at <text>:7 repositories[0].images[0]"
    ]


def test_a_mutable_with_exclusion_repository_pushes_as_declared() -> None:
    text = (
        "version: 1\nrepositories:\n  - name: team/api\n"
        "    tag_mutability: MUTABLE_WITH_EXCLUSION\n"
        "    tag_mutability_exclusions: ['release-*']\n"
        "    images:\n      - tags: [release-1, latest]\n"
    )
    state = load_sources([text])
    assert state.repository("team/api").tag_mutability is TagMutability.MUTABLE_WITH_EXCLUSION
    assert state.repository("team/api").is_tag_immutable("release-1")
    assert not state.repository("team/api").is_tag_immutable("latest")


def test_merged_sources_must_agree_on_a_setting() -> None:
    one = load_declaration(
        "version: 1\nrepositories:\n  - name: team/api\n    scan_on_push: true\n"
    )
    same = load_declaration(
        "version: 1\nrepositories:\n  - name: team/api\n    scan_on_push: true\n"
    )
    other = load_declaration(
        "version: 1\nrepositories:\n  - name: team/api\n    scan_on_push: false\n"
    )
    silent = load_declaration("version: 1\nrepositories:\n  - name: team/api\n")
    assert build_state([one, same, silent]).repository("team/api").scan_on_push
    with pytest.raises(DeclarationError) as info:
        build_state([one, other])
    assert [str(p) for p in info.value.problems] == [
        "<text>:3 repositories[0]: scan_on_push of repository 'team/api' is declared "
        "differently at <text>:3 repositories[0] (declare the repository setting scan_on_push "
        "once, or alike everywhere)"
    ]


def test_a_later_source_may_add_a_setting() -> None:
    first = load_declaration("version: 1\nrepositories:\n  - name: team/api\n")
    later = load_declaration("version: 1\nrepositories:\n  - name: team/api\n    tags: {a: b}\n")
    assert repository_tags(build_state([first, later]).repository("team/api")) == (("a", "b"),)


def test_a_kms_key_of_another_region_is_a_problem() -> None:
    text = (
        "version: 1\nrepositories:\n  - name: team/api\n"
        "    encryption: {type: KMS, kms_key: 'arn:aws:kms:eu-west-1:111122223333:key/k'}\n"
    )
    with pytest.raises(DeclarationError) as info:
        load_sources([text])
    assert [str(p) for p in info.value.problems] == [
        "<declaration> repository 'team/api': The KMS key "
        "'arn:aws:kms:eu-west-1:111122223333:key/k' is not in the Region 'us-east-1' of the "
        "repository"
    ]


BAD = [
    (
        "    tags: [a, b]\n",
        "repositories[0].tags",
        "expected a mapping of tag keys to values, found a list",
    ),
    (
        "    tags: {a: 1}\n",
        "repositories[0].tags.a",
        "tag keys and values must be strings, found the integer 1",
    ),
    (
        "    tags: {1: a}\n",
        "repositories[0].tags[1]",
        "tag keys and values must be strings, found the integer 1",
    ),
    (
        "    tags: {'aws:x': a}\n",
        "repositories[0].tags['aws:x']",
        "Tag key 'aws:x' is invalid: the 'aws:' prefix is reserved for AWS use",
    ),
    (
        f"    tags: {{{'k' * 129}: a}}\n",
        f"repositories[0].tags.{'k' * 129}",
        f"Tag key '{'k' * 128}...' is too long: tag keys can have a maximum character length "
        "of 128 characters",
    ),
    (
        f"    tags: {{k: {'v' * 257}}}\n",
        "repositories[0].tags.k",
        "The value of tag 'k' is too long: tag values can have a maximum length of 256 characters",
    ),
    (
        "    tags: {" + ", ".join(f"k{i}: v" for i in range(51)) + "}\n",
        "repositories[0].tags",
        "51 tags: a repository carries at most 50",
    ),
    (
        "    scan_on_push: yes please\n",
        "repositories[0].scan_on_push",
        "expected true or false, found the string 'yes please'",
    ),
    (
        "    encryption: KMS\n",
        "repositories[0].encryption",
        "expected a mapping, found the string 'KMS'",
    ),
    ("    encryption: {}\n", "repositories[0].encryption", "missing required key 'type'"),
    (
        "    encryption: {type: RSA}\n",
        "repositories[0].encryption.type",
        "unknown encryption type the string 'RSA'",
    ),
    ("    encryption: {type: KMS, key: x}\n", "repositories[0].encryption", "unknown key 'key'"),
    (
        "    encryption: {type: AES256, kms_key: alias/x}\n",
        "repositories[0].encryption.kms_key",
        "kms_key is only for the KMS types",
    ),
    (
        "    encryption: {type: KMS, kms_key: 3}\n",
        "repositories[0].encryption.kms_key",
        "expected a KMS key id, key ARN, alias or alias ARN, found the integer 3",
    ),
    ("    created_at: soon\n", "repositories[0].created_at", "cannot read 'soon' as a time"),
    (
        "    created_at: -5\n",
        "repositories[0].created_at",
        "expected a time from 1970 to 9999, found the integer -5",
    ),
    (
        "    tag_mutability_exclusions: [dev-*]\n",
        "repositories[0].tag_mutability_exclusions",
        "exclusions do not apply to tag_mutability MUTABLE",
    ),
    (
        "    tag_mutability: IMMUTABLE_WITH_EXCLUSION\n    tag_mutability_exclusions: dev-*\n",
        "repositories[0].tag_mutability_exclusions",
        "expected a list of wildcard filters, found the string 'dev-*'",
    ),
    (
        "    tag_mutability: IMMUTABLE_WITH_EXCLUSION\n    tag_mutability_exclusions: []\n",
        "repositories[0].tag_mutability_exclusions",
        "0 filters: give 1 to 5",
    ),
    (
        "    tag_mutability: IMMUTABLE_WITH_EXCLUSION\n"
        "    tag_mutability_exclusions: [a, b, c, d, e, f]\n",
        "repositories[0].tag_mutability_exclusions",
        "6 filters: give 1 to 5",
    ),
    (
        "    tag_mutability: MUTABLE_WITH_EXCLUSION\n    tag_mutability_exclusions: ['a/b']\n",
        "repositories[0].tag_mutability_exclusions[0]",
        "invalid filter the string 'a/b'",
    ),
    (
        "    policy: 3\n",
        "repositories[0].policy",
        "expected a mapping or JSON text, found the integer 3",
    ),
    (
        "    policy: '{not json'\n",
        "repositories[0].policy",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository "
        "policy provided'",
    ),
    (
        "    policy: {Statement: [{Effect: Allow, Principal: '*', Action: 'ecr:*', "
        "Resource: '*'}]}\n",
        "repositories[0].policy",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository "
        "policy provided'",
    ),
    (
        "    policy: {Statement: [{Effect: Allow, Principal: '*', Action: 'ecr:*', Sid: "
        + "x" * 10300
        + "}]}\n",
        "repositories[0].policy",
        "the policy is 10376 characters long; ECR takes at most 10240",
    ),
]


@pytest.mark.parametrize(("body", "path", "message"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_values(problems: Problems, body: str, path: str, message: str) -> None:
    found = problems_of(problems, body)
    assert [(p.path, p.message) for p in found] == [(path, message)]
    assert all(p.line is not None and p.line >= 3 for p in found)


def test_every_problem_is_reported_at_once_with_its_line(problems: Problems) -> None:
    found = problems_of(
        problems,
        "    tags: {a: 1}\n    scan_on_push: 2\n    encryption: {type: X}\n    policy: 4\n",
    )
    assert [(p.line, p.path) for p in found] == [
        (4, "repositories[0].tags.a"),
        (5, "repositories[0].scan_on_push"),
        (6, "repositories[0].encryption.type"),
        (7, "repositories[0].policy"),
    ]


def test_a_mapping_declaration() -> None:
    state = load_sources(
        [
            {
                "version": 1,
                "repositories": [
                    {"name": "team/api", "tags": {"a": "b"}, "policy": POLICY, "scan_on_push": True}
                ],
            }
        ]
    )
    repo = state.repository("team/api")
    assert (repository_tags(repo), repository_policy(repo), repo.scan_on_push) == (
        (("a", "b"),),
        jackson_pretty(POLICY),
        True,
    )


def test_exclusions_with_a_bad_mode_report_the_mode_only(problems: Problems) -> None:
    found = problems_of(
        problems, "    tag_mutability: SOMETIMES\n    tag_mutability_exclusions: [dev-*]\n"
    )
    assert [p.path for p in found] == ["repositories[0].tag_mutability"]
