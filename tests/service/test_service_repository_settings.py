"""PutImageTagMutability, PutImageScanningConfiguration and KMS encryption, through real
boto3 clients (in process and over HTTP), as DescribeRepositories and PutImage see them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_model import needs, require

from pytest_ecr import FakeEcr
from pytest_ecr.model import RegistryState
from pytest_ecr.model.encryption import alias_key_id, aws_managed_key_id

from .support import ACCOUNT, error_of, image_manifest, strip

FILTER_PATTERN = "^[0-9a-zA-Z._*-]{1,128}$"


def wildcard(*patterns: str) -> list[dict[str, str]]:
    return [{"filterType": "WILDCARD", "filter": pattern} for pattern in patterns]


def described(client: Any, name: str) -> dict[str, Any]:
    [repo] = client.describe_repositories(repositoryNames=[name])["repositories"]
    return dict(repo)


# -- PutImageTagMutability -------------------------------------------------------------------


# The pushes below are made-up manifests, to test tags (allow_missing_layers lets them in).
@pytest.mark.usefixtures("placeholder_pushes")
def test_put_immutable(any_client: Any) -> None:
    assert strip(
        any_client.put_image_tag_mutability(
            repositoryName="team/api", imageTagMutability="IMMUTABLE"
        )
    ) == {"registryId": ACCOUNT, "repositoryName": "team/api", "imageTagMutability": "IMMUTABLE"}
    assert described(any_client, "team/api")["imageTagMutability"] == "IMMUTABLE"
    assert (
        error_of(
            any_client.put_image,
            repositoryName="team/api",
            imageManifest=image_manifest(60),
            imageTag="v1",
        )[0]
        == "ImageTagAlreadyExistsException"
    )


@needs("PutImageTagMutabilityRequest.imageTagMutabilityExclusionFilters")
@pytest.mark.parametrize(
    ("mode", "movable", "fixed"),
    [("IMMUTABLE_WITH_EXCLUSION", "latest", "v1"), ("MUTABLE_WITH_EXCLUSION", "v2", "latest")],
)
@pytest.mark.usefixtures("placeholder_pushes")
def test_put_a_mode_with_exclusions(any_client: Any, mode: str, movable: str, fixed: str) -> None:
    filters = wildcard("lat*", "nightly-*")
    response = any_client.put_image_tag_mutability(
        repositoryName="team/api",
        imageTagMutability=mode,
        imageTagMutabilityExclusionFilters=filters,
    )
    assert strip(response) == {
        "registryId": ACCOUNT,
        "repositoryName": "team/api",
        "imageTagMutability": mode,
        "imageTagMutabilityExclusionFilters": filters,
    }
    repo = described(any_client, "team/api")
    assert (repo["imageTagMutability"], repo["imageTagMutabilityExclusionFilters"]) == (
        mode,
        filters,
    )
    any_client.put_image(
        repositoryName="team/api", imageManifest=image_manifest(61), imageTag=movable
    )
    code, message, _ = error_of(
        any_client.put_image,
        repositoryName="team/api",
        imageManifest=image_manifest(62),
        imageTag=fixed,
    )
    assert code == "ImageTagAlreadyExistsException"
    assert message == (
        f"The image tag '{fixed}' already exists in the 'team/api' repository and cannot be "
        "overwritten because the tag is immutable."
    )


@needs("PutImageTagMutabilityRequest.imageTagMutabilityExclusionFilters")
def test_a_plain_mode_clears_the_filters(any_client: Any) -> None:
    any_client.put_image_tag_mutability(
        repositoryName="team/api",
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=wildcard("dev-*"),
    )
    any_client.put_image_tag_mutability(repositoryName="team/api", imageTagMutability="MUTABLE")
    repo = described(any_client, "team/api")
    assert repo["imageTagMutability"] == "MUTABLE"
    assert "imageTagMutabilityExclusionFilters" not in repo


@needs("PutImageTagMutabilityRequest.imageTagMutabilityExclusionFilters")
def test_filters_match_whole_tags_with_star_as_any_run() -> None:
    state = RegistryState(ACCOUNT, "us-east-1")
    state.create_repository("team/x")
    state.allow_missing_layers()  # made-up manifests, to test the filters
    with FakeEcr(state=state) as fake:
        client = fake.client()
        client.put_image_tag_mutability(
            repositoryName="team/x",
            imageTagMutability="MUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters=wildcard("v*.0", "exact"),
        )
        for n, tag in enumerate(["v1.0", "v10.0", "exact", "v1.0.1", "exactly", "xv1.0"]):
            client.put_image(
                repositoryName="team/x", imageManifest=image_manifest(70 + n), imageTag=tag
            )
        moved = {}
        for n, tag in enumerate(["v1.0", "v10.0", "exact", "v1.0.1", "exactly", "xv1.0"]):
            try:
                client.put_image(
                    repositoryName="team/x", imageManifest=image_manifest(80 + n), imageTag=tag
                )
                moved[tag] = True
            except client.exceptions.ImageTagAlreadyExistsException:
                moved[tag] = False
    assert moved == {
        "v1.0": False,
        "v10.0": False,
        "exact": False,
        "v1.0.1": True,
        "exactly": True,
        "xv1.0": True,
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"imageTagMutability": "SOMETIMES"},
            "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: "
            "'Member must satisfy enum value set: [MUTABLE, IMMUTABLE, "
            "IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'",
        ),
        (
            {"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"},
            "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy "
            "constraint: 'Member must not be null when imageTagMutability is "
            "IMMUTABLE_WITH_EXCLUSION'",
        ),
        (
            {
                "imageTagMutability": "IMMUTABLE",
                "imageTagMutabilityExclusionFilters": wildcard("x"),
            },
            "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy "
            "constraint: 'Member must be null when imageTagMutability is IMMUTABLE'",
        ),
        (
            {
                "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": wildcard(*"abcdef"),
            },
            "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy "
            "constraint: 'Member must have length less than or equal to 5'",
        ),
        (
            {
                "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": wildcard("a/b"),
            },
            "Invalid parameter at 'imageTagMutabilityExclusionFilters.1.member.filter' failed "
            f"to satisfy constraint: 'must satisfy regular expression '{FILTER_PATTERN}''",
        ),
        (
            {
                "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": wildcard("x" * 129),
            },
            "Invalid parameter at 'imageTagMutabilityExclusionFilters.1.member.filter' failed "
            f"to satisfy constraint: 'must satisfy regular expression '{FILTER_PATTERN}''",
        ),
        (
            {
                "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [{"filterType": "REGEX", "filter": "x"}],
            },
            "Invalid parameter at 'imageTagMutabilityExclusionFilters.1.member.filterType' "
            "failed to satisfy constraint: 'Member must satisfy enum value set: [WILDCARD]'",
        ),
    ],
    ids=["mode", "filters-missing", "filters-unexpected", "six-filters", "pattern", "long", "type"],
)
def test_put_invalid_mutability(any_client: Any, params: dict[str, Any], message: str) -> None:
    if "imageTagMutabilityExclusionFilters" in params:
        require("PutImageTagMutabilityRequest.imageTagMutabilityExclusionFilters")
    assert error_of(any_client.put_image_tag_mutability, repositoryName="team/api", **params) == (
        "InvalidParameterException",
        message,
        400,
    )
    assert described(any_client, "team/api")["imageTagMutability"] == "MUTABLE"


def test_put_mutability_of_a_missing_repository(any_client: Any) -> None:
    assert error_of(
        any_client.put_image_tag_mutability,
        repositoryName="team/nope",
        imageTagMutability="MUTABLE",
    ) == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


def test_put_mutability_checks_the_registry_id(any_client: Any) -> None:
    assert error_of(
        any_client.put_image_tag_mutability,
        registryId="abc",
        repositoryName="team/api",
        imageTagMutability="MUTABLE",
    )[1] == (
        "Invalid parameter at 'registryId' failed to satisfy constraint: "
        "'must satisfy regular expression '[0-9]{12}''"
    )


# -- PutImageScanningConfiguration ------------------------------------------------------------


def test_put_scan_on_push(any_client: Any) -> None:
    response = any_client.put_image_scanning_configuration(
        repositoryName="team/api", imageScanningConfiguration={"scanOnPush": True}
    )
    assert strip(response) == {
        "registryId": ACCOUNT,
        "repositoryName": "team/api",
        "imageScanningConfiguration": {"scanOnPush": True},
    }
    assert described(any_client, "team/api")["imageScanningConfiguration"] == {"scanOnPush": True}
    any_client.put_image_scanning_configuration(
        repositoryName="team/api", imageScanningConfiguration={}
    )
    assert described(any_client, "team/api")["imageScanningConfiguration"] == {"scanOnPush": False}


def test_put_scan_on_push_errors(fake: FakeEcr, any_client: Any) -> None:
    assert (
        error_of(
            any_client.put_image_scanning_configuration,
            repositoryName="team/nope",
            imageScanningConfiguration={"scanOnPush": True},
        )[0]
        == "RepositoryNotFoundException"
    )
    loose = fake.client(parameter_validation=False)
    assert error_of(loose.put_image_scanning_configuration, repositoryName="team/api") == (
        "InvalidParameterException",
        "Invalid parameter at 'imageScanningConfiguration' failed to satisfy constraint: "
        "'Member must not be null'",
        400,
    )


# -- encryption -------------------------------------------------------------------------------


def encryption_of(client: Any, name: str, **config: str) -> dict[str, str]:
    created = client.create_repository(repositoryName=name, encryptionConfiguration=config)
    assert (
        described(client, name)["encryptionConfiguration"]
        == (created["repository"]["encryptionConfiguration"])
    )
    return dict(created["repository"]["encryptionConfiguration"])


@pytest.mark.parametrize("kind", ["KMS", "KMS_DSSE"])
def test_kms_without_a_key_reports_the_aws_managed_key(any_client: Any, kind: str) -> None:
    managed = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{aws_managed_key_id(ACCOUNT, 'us-east-1')}"
    assert encryption_of(any_client, "team/kms", encryptionType=kind) == {
        "encryptionType": kind,
        "kmsKey": managed,
    }
    # The same key for every repository of the registry, and the alias names it too.
    assert encryption_of(any_client, "team/kms2", encryptionType=kind)["kmsKey"] == managed
    assert (
        encryption_of(any_client, "team/kms3", encryptionType=kind, kmsKey="alias/aws/ecr")[
            "kmsKey"
        ]
        == managed
    )


def test_the_managed_key_is_per_account_and_region() -> None:
    ids = {
        aws_managed_key_id(a, r)
        for a in (ACCOUNT, "210987654321")
        for r in ("us-east-1", "eu-west-1")
    }
    assert len(ids) == 4
    assert aws_managed_key_id(ACCOUNT, "us-east-1") == aws_managed_key_id(ACCOUNT, "us-east-1")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        (
            "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        (
            "alias/team",
            f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"
            + alias_key_id(ACCOUNT, "us-east-1", "alias/team"),
        ),
        (
            "arn:aws:kms:us-east-1:210987654321:alias/team",
            "arn:aws:kms:us-east-1:210987654321:key/"
            + alias_key_id("210987654321", "us-east-1", "alias/team"),
        ),
    ],
    ids=["key-id", "key-arn", "alias", "alias-arn"],
)
def test_a_given_key_is_reported_as_a_key_arn(any_client: Any, key: str, expected: str) -> None:
    assert encryption_of(any_client, "team/kms", encryptionType="KMS", kmsKey=key) == {
        "encryptionType": "KMS",
        "kmsKey": expected,
    }


def test_a_key_of_another_region(any_client: Any) -> None:
    key = "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert error_of(
        any_client.create_repository,
        repositoryName="team/kms",
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key},
    ) == (
        "KmsException",
        f"The KMS key '{key}' is not in the Region 'us-east-1' of the repository",
        400,
    )
    assert error_of(any_client.describe_repositories, repositoryNames=["team/kms"])[0] == (
        "RepositoryNotFoundException"
    )


def test_a_kms_exception_carries_the_kms_error(client: Any) -> None:
    key = "arn:aws:kms:eu-west-1:210987654321:key/k"
    with pytest.raises(client.exceptions.KmsException) as excinfo:
        client.create_repository(
            repositoryName="team/kms",
            encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key},
        )
    assert excinfo.value.response["kmsError"] == "NotFoundException"


def test_an_arn_that_is_no_kms_key(any_client: Any) -> None:
    assert error_of(
        any_client.create_repository,
        repositoryName="team/kms",
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "arn:aws:s3:::bucket"},
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'encryptionConfiguration.kmsKey' failed to satisfy constraint: "
        "'Member must be a KMS key id, key ARN, alias or alias ARN'",
        400,
    )


def test_the_key_arn_follows_the_partition() -> None:
    with FakeEcr(state=RegistryState(ACCOUNT, "cn-north-1")) as fake:
        client = fake.client(region="cn-north-1")
        config = client.create_repository(
            repositoryName="team/kms", encryptionConfiguration={"encryptionType": "KMS"}
        )["repository"]["encryptionConfiguration"]
    assert config["kmsKey"].startswith(f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/")
