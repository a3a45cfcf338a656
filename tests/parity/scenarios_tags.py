"""Parity scenarios of tags, repository settings, policies and account settings.

Each runs on a fresh fake of ``registry.yaml`` on every path; ``moto=`` names the moto
deviation (below) that makes the moto path a strict xfail.
"""

from __future__ import annotations

import json
from typing import Any

from .scenarios import ACCOUNT, REPO, Scenario, call, error_of

ARN = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{REPO}"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
        ],
    }
)
PRETTY = (
    '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Sid" : "pull",\n'
    '    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : [ "ecr:BatchGetImage" ]\n'
    "  } ]\n}"
)
REGISTRY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                "Action": ["ecr:ReplicateImage"],
                "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*",
            }
        ],
    }
)

MOTO_DEVIATIONS: dict[str, str] = {
    "tag-limits": "found by this suite: TagResource enforces none of ECR's tag limits (50 "
    "tags per repository, keys of 128 and values of 256 characters, no 'aws:' prefix)",
    "arn-region": "found by this suite: a repository ARN of another Region than the client's "
    "is looked up in the client's Region by name, as if it were that Region's",
    "arn-resource": "found by this suite: an ECR ARN of another resource type is 'Invalid ARN'",
    "policy-format": "found by this suite: the repository policy text is stored and echoed as "
    "sent, not re-serialised as ECR does",
    "policy-resource": "found by this suite: a repository policy naming a Resource is accepted",
    "policy-force": "found by this suite: SetRepositoryPolicy ignores `force`: a policy that "
    "locks the caller out is applied without it",
    "registry-policy-actions": "found by this suite: PutRegistryPolicy refuses every action but "
    "ecr:CreateRepository and ecr:ReplicateImage (ECR's V2 policy scope covers all ECR actions)",
    "kms-managed-key": "found by this suite: encryptionType KMS without kmsKey reports a random "
    "key ARN on every call, not the registry's one AWS-managed key",
    "kms-alias": "found by this suite: a kmsKey given as an alias or key id is reported as "
    "given, not as the key's ARN",
    "mutability-echo": "found by this suite: PutImageTagMutability does not echo the exclusion "
    "filters",
    "account-settings": "found by this suite: GetAccountSetting and PutAccountSetting are not "
    "implemented (NotImplementedError)",
}


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in pairs]


def tagged(outcome: Any) -> list[tuple[str, str]]:
    return [(t["Key"], t["Value"]) for t in outcome.get("tags", [])]


def encryption(outcome: Any) -> Any:
    return outcome["repository"]["encryptionConfiguration"] if "repository" in outcome else outcome


_S = Scenario
SCENARIOS: tuple[Scenario, ...] = (
    # -- tags --------------------------------------------------------------------------------
    _S(
        "tags-tag-merge-list",
        (
            call("tag_resource", resourceArn=ARN, tags=tags(("b", "1"), ("a", "2"))),
            call("tag_resource", resourceArn=ARN, tags=tags(("b", "3"))),
            call("list_tags_for_resource", resourceArn=ARN),
        ),
        lambda o: o[0] == {} and tagged(o[2]) == [("b", "3"), ("a", "2")],
    ),
    _S(
        "tags-untag",
        (
            call("tag_resource", resourceArn=ARN, tags=tags(("a", "1"), ("b", "2"))),
            call("untag_resource", resourceArn=ARN, tagKeys=["a", "absent"]),
            call("list_tags_for_resource", resourceArn=ARN),
        ),
        lambda o: o[1] == {} and tagged(o[2]) == [("b", "2")],
    ),
    _S(
        "tags-create-repository-stores-tags",
        (
            call("create_repository", repositoryName="team/new", tags=tags(("team", "x"))),
            call("list_tags_for_resource", resourceArn=ARN.replace(REPO, "team/new")),
        ),
        lambda o: tagged(o[1]) == [("team", "x")],
    ),
    _S(
        "tags-malformed-arn",
        (call("list_tags_for_resource", resourceArn="team/api"),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
    ),
    _S(
        "tags-arn-of-another-resource-type",
        (
            call(
                "list_tags_for_resource",
                resourceArn=f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository-creation-template/x",
            ),
        ),
        lambda o: "Amazon ECR repository" in o[0]["message"],
        moto="arn-resource",
    ),
    _S(
        "tags-arn-of-another-region",
        (call("list_tags_for_resource", resourceArn=ARN.replace("us-east-1", "eu-west-1")),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="arn-region",
    ),
    _S(
        "tags-missing-repository",
        (call("list_tags_for_resource", resourceArn=ARN.replace(REPO, "team/nope")),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    _S(
        "tags-too-many",
        (call("tag_resource", resourceArn=ARN, tags=tags(*((f"k{i}", "v") for i in range(51)))),),
        lambda o: error_of(o[0]) == "TooManyTagsException",
        moto="tag-limits",
    ),
    _S(
        "tags-key-too-long",
        (call("tag_resource", resourceArn=ARN, tags=tags(("k" * 129, "v"))),),
        lambda o: error_of(o[0]) == "InvalidTagParameterException",
        moto="tag-limits",
    ),
    _S(
        "tags-aws-prefix",
        (call("tag_resource", resourceArn=ARN, tags=tags(("aws:x", "v"))),),
        lambda o: error_of(o[0]) == "InvalidTagParameterException",
        moto="tag-limits",
    ),
    # -- repository settings -------------------------------------------------------------------
    _S(
        "settings-immutable",
        (
            call("put_image_tag_mutability", repositoryName=REPO, imageTagMutability="IMMUTABLE"),
            call("describe_repositories", repositoryNames=[REPO]),
        ),
        lambda o: (
            o[0]["imageTagMutability"] == "IMMUTABLE"
            and o[1]["repositories"][0]["imageTagMutability"] == "IMMUTABLE"
        ),
    ),
    _S(
        "settings-mutability-with-exclusions",
        (
            call(
                "put_image_tag_mutability",
                repositoryName=REPO,
                imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "v*"}],
            ),
        ),
        lambda o: o[0]["imageTagMutabilityExclusionFilters"][0]["filter"] == "v*",
        moto="mutability-echo",
    ),
    _S(
        "settings-scan-on-push",
        (
            call(
                "put_image_scanning_configuration",
                repositoryName=REPO,
                imageScanningConfiguration={"scanOnPush": True},
            ),
            call("describe_repositories", repositoryNames=[REPO]),
        ),
        lambda o: o[1]["repositories"][0]["imageScanningConfiguration"] == {"scanOnPush": True},
    ),
    _S(
        "settings-mutability-missing-repository",
        (
            call(
                "put_image_tag_mutability", repositoryName="team/nope", imageTagMutability="MUTABLE"
            ),
        ),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    _S(
        "settings-kms-managed-key",
        (
            call(
                "create_repository",
                repositoryName="team/kms1",
                encryptionConfiguration={"encryptionType": "KMS"},
            ),
        ),
        lambda o: encryption(o[0])["kmsKey"].startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"),
        project=encryption,
        moto="kms-managed-key",
    ),
    _S(
        "settings-kms-key-arn-kept",
        (
            call(
                "create_repository",
                repositoryName="team/kms1",
                encryptionConfiguration={
                    "encryptionType": "KMS",
                    "kmsKey": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000-1111",
                },
            ),
        ),
        lambda o: o[0]["kmsKey"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000-1111",
        project=encryption,
    ),
    _S(
        "settings-kms-alias-as-key-arn",
        (
            call(
                "create_repository",
                repositoryName="team/kms1",
                encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/team"},
            ),
        ),
        lambda o: o[0]["kmsKey"].startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"),
        project=encryption,
        moto="kms-alias",
    ),
    # -- repository policy ---------------------------------------------------------------------
    _S(
        "policy-set-get-delete",
        (
            call("set_repository_policy", repositoryName=REPO, policyText=POLICY),
            call("get_repository_policy", repositoryName=REPO),
            call("delete_repository_policy", repositoryName=REPO),
            call("get_repository_policy", repositoryName=REPO),
        ),
        lambda o: (
            o[0]["policyText"] == o[1]["policyText"] == o[2]["policyText"] == PRETTY
            and error_of(o[3]) == "RepositoryPolicyNotFoundException"
        ),
        moto="policy-format",
    ),
    _S(
        "policy-not-found",
        (call("get_repository_policy", repositoryName=REPO),),
        lambda o: error_of(o[0]) == "RepositoryPolicyNotFoundException",
    ),
    _S(
        "policy-invalid-json",
        (call("set_repository_policy", repositoryName=REPO, policyText="{"),),
        lambda o: o[0]["message"].endswith("'Invalid repository policy provided'"),
    ),
    _S(
        "policy-with-resource",
        (
            call(
                "set_repository_policy",
                repositoryName=REPO,
                policyText=POLICY.replace('"Sid": "pull"', f'"Resource": "{ARN}"'),
            ),
        ),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="policy-resource",
    ),
    _S(
        "policy-lockout-needs-force",
        (
            call(
                "set_repository_policy",
                repositoryName=REPO,
                policyText=POLICY.replace("Allow", "Deny").replace("ecr:BatchGetImage", "ecr:*"),
            ),
        ),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="policy-force",
    ),
    # -- registry policy -----------------------------------------------------------------------
    _S(
        "policy-registry-put-get-delete",
        (
            call("put_registry_policy", policyText=REGISTRY_POLICY),
            call("get_registry_policy"),
            call("delete_registry_policy"),
            call("get_registry_policy"),
        ),
        lambda o: (
            o[0] == o[1] == o[2] == {"registryId": ACCOUNT, "policyText": REGISTRY_POLICY}
            and error_of(o[3]) == "RegistryPolicyNotFoundException"
        ),
    ),
    _S(
        "policy-registry-any-ecr-action",
        (
            call(
                "put_registry_policy",
                policyText=REGISTRY_POLICY.replace("ecr:ReplicateImage", "ecr:BatchGetImage"),
            ),
        ),
        lambda o: "policyText" in o[0],
        moto="registry-policy-actions",
    ),
    # -- account settings ----------------------------------------------------------------------
    _S(
        "account-setting-default-and-put",
        (
            call("get_account_setting", name="REGISTRY_POLICY_SCOPE"),
            call("put_account_setting", name="REGISTRY_POLICY_SCOPE", value="V1"),
            call("get_account_setting", name="REGISTRY_POLICY_SCOPE"),
        ),
        lambda o: [x["value"] for x in o] == ["V2", "V1", "V1"],
        moto="account-settings",
    ),
)
