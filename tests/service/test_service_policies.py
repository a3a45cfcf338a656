"""Repository and registry policies through real boto3 clients (in process and over
HTTP): validation, ECR's re-serialisation, the not-found errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.service.policies import jackson_pretty

from .support import ACCOUNT, error_of, strip

#: The AWS CLI's set-repository-policy example: its input file and ECR's answer.
CLI_INPUT = """{
    "Version" : "2008-10-17",
    "Statement" : [
        {
            "Sid" : "allow public pull",
            "Effect" : "Allow",
            "Principal" : "*",
            "Action" : [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer"
            ]
        }
    ]
}
"""
CLI_OUTPUT = (
    '{\n  "Version" : "2008-10-17",\n  "Statement" : [ {\n    "Sid" : "allow public pull",\n'
    '    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : [ '
    '"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n'
    "  } ]\n}"
)
INVALID_REPOSITORY = (
    "Invalid parameter at 'PolicyText' failed to satisfy constraint: "
    "'Invalid repository policy provided'"
)
INVALID_REGISTRY = (
    "Invalid parameter at 'PolicyText' failed to satisfy constraint: "
    "'Invalid registry policy provided'"
)


def statement(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def policy(*statements: dict[str, Any], **top: Any) -> str:
    return json.dumps({"Version": "2012-10-17", **top, "Statement": list(statements)})


# -- the formatter ---------------------------------------------------------------------------


def test_the_cli_example_byte_for_byte(any_client: Any) -> None:
    response = any_client.set_repository_policy(repositoryName="team/api", policyText=CLI_INPUT)
    assert strip(response) == {
        "registryId": ACCOUNT,
        "repositoryName": "team/api",
        "policyText": CLI_OUTPUT,
    }
    assert strip(any_client.get_repository_policy(repositoryName="team/api")) == strip(response)
    assert strip(any_client.delete_repository_policy(repositoryName="team/api")) == strip(response)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({}, "{ }"),
        ([], "[ ]"),
        ({"a": {}}, '{\n  "a" : { }\n}'),
        ({"a": [1, 2]}, '{\n  "a" : [ 1, 2 ]\n}'),
        (
            {"a": [{"b": 1}, {"c": [{}]}]},
            '{\n  "a" : [ {\n    "b" : 1\n  }, {\n    "c" : [ { } ]\n  } ]\n}',
        ),
        ({"a": {"b": {"c": None}}}, '{\n  "a" : {\n    "b" : {\n      "c" : null\n    }\n  }\n}'),
        ([True, False, None, 1.5, 10, -3], "[ true, false, null, 1.5, 10, -3 ]"),
        ([1e20, 1e-5, 100.0, 0.001], "[ 1.0E20, 1.0E-5, 100.0, 0.001 ]"),
        ('q"b\\s/', '"q\\"b\\\\s/"'),
        ("\n\t\r\b\f\x01\x1f", '"\\n\\t\\r\\b\\f\\u0001\\u001F"'),
        ("é → 日本", '"é → 日本"'),
    ],
    ids=[
        "empty-object",
        "empty-array",
        "nested-empty",
        "array-of-numbers",
        "objects-in-arrays",
        "deep",
        "scalars",
        "doubles",
        "escapes",
        "control",
        "unicode",
    ],
)
def test_jacksons_pretty_printer(value: Any, text: str) -> None:
    assert jackson_pretty(value) == text


def test_a_repeated_key_keeps_its_first_place_and_last_value(any_client: Any) -> None:
    text = (
        '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:*", '
        '"Effect": "Allow"}], "Version": "2012-10-17"}'
    )
    stored = any_client.set_repository_policy(repositoryName="team/api", policyText=text)
    assert stored["policyText"] == (
        '{\n  "Statement" : [ {\n    "Effect" : "Allow",\n    "Principal" : "*",\n'
        '    "Action" : "ecr:*"\n  } ],\n  "Version" : "2012-10-17"\n}'
    )


def test_set_replaces_and_policies_are_per_repository(any_client: Any) -> None:
    any_client.set_repository_policy(repositoryName="team/api", policyText=policy(statement()))
    second = policy(statement(Sid="two"))
    any_client.set_repository_policy(repositoryName="team/api", policyText=second)
    assert any_client.get_repository_policy(repositoryName="team/api")["policyText"] == (
        jackson_pretty(json.loads(second))
    )
    assert error_of(any_client.get_repository_policy, repositoryName="empty")[0] == (
        "RepositoryPolicyNotFoundException"
    )


def test_a_repository_of_another_registry(fake: FakeEcr) -> None:
    client = fake.client(region="eu-west-1")
    response = client.set_repository_policy(
        registryId="210987654321", repositoryName="mirror/ubuntu", policyText=policy(statement())
    )
    assert response["registryId"] == "210987654321"
    assert (
        client.get_repository_policy(registryId="210987654321", repositoryName="mirror/ubuntu")[
            "policyText"
        ]
        == response["policyText"]
    )


def test_a_deleted_repository_takes_its_policy(any_client: Any) -> None:
    any_client.create_repository(repositoryName="team/gone")
    any_client.set_repository_policy(repositoryName="team/gone", policyText=policy(statement()))
    any_client.delete_repository(repositoryName="team/gone")
    any_client.create_repository(repositoryName="team/gone")
    assert error_of(any_client.get_repository_policy, repositoryName="team/gone")[0] == (
        "RepositoryPolicyNotFoundException"
    )


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["get_repository_policy", "delete_repository_policy"])
def test_no_policy(any_client: Any, operation: str) -> None:
    assert error_of(getattr(any_client, operation), repositoryName="team/api") == (
        "RepositoryPolicyNotFoundException",
        "Repository policy does not exist for the repository with name 'team/api' in the "
        f"registry with id '{ACCOUNT}'",
        400,
    )


@pytest.mark.parametrize(
    "operation", ["get_repository_policy", "delete_repository_policy", "set_repository_policy"]
)
def test_a_missing_repository(any_client: Any, operation: str) -> None:
    params = {"policyText": policy(statement())} if operation.startswith("set") else {}
    assert error_of(getattr(any_client, operation), repositoryName="team/nope", **params) == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


BAD_POLICIES = {
    "not-json": "{",
    "empty": "",
    "not-an-object": "[]",
    "nan": '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "x", "Sid": NaN}]}',
    "no-statement": json.dumps({"Version": "2012-10-17"}),
    "empty-statement": policy(),
    "statement-not-object": json.dumps({"Statement": ["x"]}),
    "unknown-top-key": policy(statement(), Extra=1),
    "bad-version": policy(statement(), Version="2020-01-01"),
    "bad-effect": policy(statement(Effect="Maybe")),
    "no-principal": policy(statement(Principal=None)),
    "principal-and-not-principal": policy(statement(NotPrincipal="*")),
    "no-action": policy(statement(Action=None)),
    "action-and-not-action": policy(statement(NotAction="ecr:*")),
    "empty-action-list": policy(statement(Action=[])),
    "action-not-string": policy(statement(Action=[1])),
    "unknown-statement-key": policy(statement(Whatever=1)),
}


@pytest.mark.parametrize("text", BAD_POLICIES.values(), ids=BAD_POLICIES.keys())
def test_an_invalid_repository_policy(any_client: Any, text: str) -> None:
    assert error_of(
        any_client.set_repository_policy, repositoryName="team/api", policyText=text
    ) == (
        "InvalidParameterException",
        INVALID_REPOSITORY,
        400,
    )


@pytest.mark.parametrize("key", ["Resource", "NotResource"])
def test_a_repository_policy_names_no_resource(any_client: Any, key: str) -> None:
    arn = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/api"
    text = policy(statement(**{key: arn}))
    assert (
        error_of(any_client.set_repository_policy, repositoryName="team/api", policyText=text)[1]
        == INVALID_REPOSITORY
    )
    # A registry policy may.
    assert any_client.put_registry_policy(policyText=text)["policyText"] == text


def test_the_size_limit(any_client: Any) -> None:
    padding = "x" * 10240
    text = policy(statement(Sid=padding))
    assert error_of(
        any_client.set_repository_policy, repositoryName="team/api", policyText=text
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'policyText' failed to satisfy constraint: "
        "'Member must have length less than or equal to 10240'",
        400,
    )
    assert error_of(any_client.put_registry_policy, policyText=text)[1] == (
        "Invalid parameter at 'policyText' failed to satisfy constraint: "
        "'Member must have length less than or equal to 10240'"
    )
    exact = policy(statement(Sid=""))
    exact = policy(statement(Sid="s" * (10240 - len(exact))))
    assert len(exact) == 10240
    any_client.set_repository_policy(repositoryName="team/api", policyText=exact)


# -- force -----------------------------------------------------------------------------------

LOCKOUTS = {
    "everyone-star": statement(Effect="Deny", Action="ecr:*"),
    "aws-star": statement(Effect="Deny", Principal={"AWS": "*"}, Action="ecr:SetRepositoryPolicy"),
    "own-account": statement(Effect="Deny", Principal={"AWS": [ACCOUNT]}, Action=["ecr:Set*"]),
    "own-root": statement(
        Effect="Deny", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Action="*"
    ),
}


@pytest.mark.parametrize("lockout", LOCKOUTS.values(), ids=LOCKOUTS.keys())
def test_a_lockout_needs_force(any_client: Any, lockout: dict[str, Any]) -> None:
    text = policy(lockout)
    assert error_of(
        any_client.set_repository_policy, repositoryName="team/api", policyText=text
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The policy would "
        "prevent you from setting a repository policy in the future; set force to true to "
        "apply it anyway'",
        400,
    )
    any_client.set_repository_policy(repositoryName="team/api", policyText=text, force=True)


@pytest.mark.parametrize(
    "harmless",
    [
        statement(Effect="Deny", Action="ecr:BatchGetImage"),
        statement(Effect="Deny", Principal={"AWS": "210987654321"}, Action="ecr:*"),
        statement(
            Effect="Deny", Action="ecr:*", Condition={"Bool": {"aws:SecureTransport": "false"}}
        ),
        statement(Action="ecr:*"),
    ],
    ids=["other-action", "other-account", "conditional", "allow"],
)
def test_no_force_needed(any_client: Any, harmless: dict[str, Any]) -> None:
    any_client.set_repository_policy(repositoryName="team/api", policyText=policy(harmless))


# -- the registry policy ---------------------------------------------------------------------

REGISTRY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReplicationAccessCrossAccount",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*",
            }
        ],
    },
    indent=4,
)


def test_the_registry_policy_is_kept_as_sent(any_client: Any) -> None:
    expected = {"registryId": ACCOUNT, "policyText": REGISTRY_POLICY}
    assert strip(any_client.put_registry_policy(policyText=REGISTRY_POLICY)) == expected
    assert strip(any_client.get_registry_policy()) == expected
    assert strip(any_client.delete_registry_policy()) == expected
    assert error_of(any_client.get_registry_policy)[0] == "RegistryPolicyNotFoundException"


@pytest.mark.parametrize("operation", ["get_registry_policy", "delete_registry_policy"])
def test_no_registry_policy(any_client: Any, operation: str) -> None:
    assert error_of(getattr(any_client, operation)) == (
        "RegistryPolicyNotFoundException",
        f"Registry policy does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


def test_the_registry_policy_is_per_region(fake: FakeEcr, any_client: Any) -> None:
    any_client.put_registry_policy(policyText=REGISTRY_POLICY)
    other = fake.client(region="eu-west-1")
    assert error_of(other.get_registry_policy)[0] == "RegistryPolicyNotFoundException"


@pytest.mark.parametrize("text", BAD_POLICIES.values(), ids=BAD_POLICIES.keys())
def test_an_invalid_registry_policy(any_client: Any, text: str) -> None:
    assert error_of(any_client.put_registry_policy, policyText=text) == (
        "InvalidParameterException",
        INVALID_REGISTRY,
        400,
    )


def test_requests_botocore_lets_through(fake: FakeEcr) -> None:
    loose = fake.client(parameter_validation=False)
    assert error_of(loose.set_repository_policy, repositoryName="team/api") == (
        "InvalidParameterException",
        "Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must not be null'",
        400,
    )
    assert error_of(loose.put_registry_policy)[1] == (
        "Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must not be null'"
    )
    assert (
        error_of(
            loose.set_repository_policy,
            repositoryName="team/api",
            policyText=policy(statement()),
            force="yes",
        )[0]
        == "SerializationException"
    )


def test_the_registry_id_is_checked(any_client: Any) -> None:
    for operation in ("get_repository_policy", "delete_repository_policy"):
        assert error_of(getattr(any_client, operation), registryId="12", repositoryName="team/api")[
            1
        ] == (
            "Invalid parameter at 'registryId' failed to satisfy constraint: "
            "'must satisfy regular expression '[0-9]{12}''"
        )
