"""The moto backend: selection (marker > option > ini > default), seeding moto's ECR from
the declaration, faults and history in front of moto, per-test isolation, and other
moto-mocked services seeing the declared images."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_ecr import FakeEcr
from pytest_ecr.backends import BackendError, check_backend
from pytest_ecr.transports.http_server import EcrServer

DATA = Path(__file__).parent / "data"
REGISTRY = str(DATA / "registry.yaml")
ACCOUNT = "111122223333"
HAVE_MOTO = importlib.util.find_spec("moto") is not None
needs_moto = pytest.mark.skipif(not HAVE_MOTO, reason="moto is not installed")
NEW_MANIFEST = (
    '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
    '"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":3,'
    '"digest":"sha256:' + "5" * 64 + '"},"layers":[]}'
)


def moto_active() -> bool:
    from moto.core.models import botocore_stubber

    return bool(botocore_stubber.enabled)


# -- moto stays out of the process until asked for -------------------------------------------


@pytest.mark.slow
def test_importing_the_plugin_does_not_import_moto() -> None:
    code = (
        "import sys, pytest_ecr, pytest_ecr.plugin, pytest_ecr.backends\n"
        "from pytest_ecr import FakeEcr\n"
        f"with FakeEcr([{REGISTRY!r}]) as fake:\n"
        "    fake.client().describe_repositories()\n"
        "assert 'moto' not in sys.modules, sorted(m for m in sys.modules if 'moto' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_unknown_backend_names_list_the_valid_ones() -> None:
    with pytest.raises(
        BackendError,
        match=r"unknown ECR backend 'motto' \(expected one of: "
        r"local, moto\); did you mean 'moto'\?",
    ):
        FakeEcr([REGISTRY], backend="motto")


def test_moto_backend_without_moto_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "moto" else real(name, *a)
    )
    with pytest.raises(BackendError, match=r"pip install 'pytest-ecr\[moto\]'"):
        check_backend("moto", "--ecr-backend")


# -- seeding ----------------------------------------------------------------------------------


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("parity/registry.yaml")
def test_moto_is_seeded_with_the_declared_repositories_and_images(ecr: FakeEcr) -> None:
    assert ecr.backend == "moto"
    assert os.environ["MOTO_ACCOUNT_ID"] == ACCOUNT
    for declared in ecr.registry.repositories():
        stored = ecr.moto.ecr(declared.registry_id, declared.region).repositories[declared.name]
        assert stored.registry_id == declared.registry_id
        assert stored.image_tag_mutability == declared.tag_mutability.value
        assert [(i.image_digest, i.image_tags, i.image_manifest) for i in stored.images] == [
            (image.digest, list(declared.tags_of(image.digest)), image.manifest)
            for image in declared.images()
        ]
    assert ecr.moto.ecr().repositories["team/locked"].image_tag_mutability == "IMMUTABLE"
    assert "mirror/ubuntu" in ecr.moto.ecr("210987654321", "eu-west-1").repositories


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
def test_requests_are_answered_by_moto_with_the_exact_manifest(
    ecr: FakeEcr, ecr_client: Any
) -> None:
    image = ecr.registry.repository("aws-cli-example").image("latest")
    response = ecr_client.batch_get_image(
        repositoryName="aws-cli-example", imageIds=[{"imageTag": "latest"}]
    )
    assert response["images"][0]["imageManifest"] == image.manifest
    assert response["images"][0]["imageId"]["imageDigest"] == image.digest
    call = ecr.calls("BatchGetImage").last
    assert call.extra == {"backend": "moto"}
    assert call.response is not None
    assert call.response["images"][0]["imageManifest"] == image.manifest


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
def test_a_declared_repository_of_another_registry_is_reached_by_registry_id(
    ecr: FakeEcr,
) -> None:
    client = ecr.client(region="eu-west-1")
    response = client.batch_get_image(
        registryId="210987654321", repositoryName="mirror/ubuntu", imageIds=[{"imageTag": "jammy"}]
    )
    assert response["images"][0]["registryId"] == "210987654321"


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
def test_operations_only_moto_implements_are_served(ecr_client: Any) -> None:
    text = json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "imageCountMoreThan",
                        "countNumber": 1,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
    )
    ecr_client.put_lifecycle_policy(repositoryName="ubuntu", lifecyclePolicyText=text)
    assert ecr_client.get_lifecycle_policy(repositoryName="ubuntu")["lifecyclePolicyText"] == text


# -- faults and history in front of moto ----------------------------------------------------


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
@pytest.mark.ecr_fault("PutImage", error="ServerException", times=2)
def test_moto_never_sees_an_attempt_a_fault_answered(ecr: FakeEcr, ecr_client: Any) -> None:
    ecr_client.put_image(repositoryName="ubuntu", imageManifest=NEW_MANIFEST, imageTag="new")
    calls = ecr.calls("PutImage")
    assert [(c.attempt, c.status, c.extra.get("backend")) for c in calls] == [
        (1, 500, None),
        (2, 500, None),
        (3, 200, "moto"),
    ]
    # moto stored the image once: only the third attempt reached it.
    images = ecr.moto.ecr().repositories["ubuntu"].images
    assert [i.image_tags for i in images] == [["precise"], ["new"]]
    assert len(ecr.backoff) == 2  # the retry sleeps were virtual


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
def test_a_failed_write_leaves_moto_untouched(ecr: FakeEcr) -> None:
    ecr.fault("PutImage", error="ServerException")
    client = ecr.client(retries={"max_attempts": 1})
    with pytest.raises(ClientError, match="ServerException"):
        client.put_image(repositoryName="ubuntu", imageManifest=NEW_MANIFEST, imageTag="new")
    assert len(ecr.moto.ecr().repositories["ubuntu"].images) == 1


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
def test_errors_and_failures_on_the_moto_path_are_recorded(ecr: FakeEcr, ecr_client: Any) -> None:
    ecr.fault("BatchGetImage", failure="KmsError", image="team/api:v1")
    response = ecr_client.batch_get_image(
        repositoryName="team/api", imageIds=[{"imageTag": "v1"}, {"imageTag": "v2"}]
    )
    assert [f["failureCode"] for f in response["failures"]] == ["KmsError"]
    assert [i["imageId"]["imageTag"] for i in response["images"]] == ["v2"]
    with pytest.raises(ecr_client.exceptions.RepositoryNotFoundException):
        ecr_client.describe_images(repositoryName="team/nope")
    first, second = ecr.calls()
    assert first.fault is not None
    assert first.extra == {"backend": "moto"}
    assert second.error_code == "RepositoryNotFoundException"
    assert second.error == {
        "__type": "RepositoryNotFoundException",
        "message": "The repository with name 'team/nope' does not exist in the registry "
        f"with id '{ACCOUNT}'",
    }


@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
def test_the_http_endpoint_serves_the_moto_backend(
    ecr: FakeEcr, ecr_server: EcrServer, endpoint_client: Any
) -> None:
    client = endpoint_client(ecr_server.endpoint_url)
    response = client.list_images(repositoryName="ubuntu")
    assert response["imageIds"] == [
        {
            "imageDigest": ecr.registry.repository("ubuntu").image("precise").digest,
            "imageTag": "precise",
        }
    ]
    assert [(c.transport, c.extra) for c in ecr.calls()] == [("http", {"backend": "moto"})]


# -- isolation and the mock's lifecycle -------------------------------------------------------


@needs_moto
def test_each_activation_starts_from_the_declaration() -> None:
    for _ in range(2):
        with FakeEcr([REGISTRY], backend="moto") as fake:
            client = fake.client()
            assert client.list_images(repositoryName="ubuntu")["imageIds"][0]["imageTag"] == (
                "precise"
            )
            assert len(client.list_images(repositoryName="ubuntu")["imageIds"]) == 1
            client.put_image(repositoryName="ubuntu", imageManifest=NEW_MANIFEST, imageTag="x")
        assert not moto_active()
    assert "MOTO_ACCOUNT_ID" not in os.environ


@needs_moto
def test_reset_and_load_reseed_moto() -> None:
    with FakeEcr([REGISTRY], backend="moto") as fake:
        client = fake.client()
        client.put_image(repositoryName="ubuntu", imageManifest=NEW_MANIFEST, imageTag="x")
        fake.reset()
        assert len(client.list_images(repositoryName="ubuntu")["imageIds"]) == 1
        fake.load({"version": 1, "repositories": [{"name": "extra", "images": [{"tags": ["t"]}]}]})
        names = {r["repositoryName"] for r in client.describe_repositories()["repositories"]}
        assert {"extra", "ubuntu", "team/api"} <= names


@needs_moto
def test_an_active_mock_is_reused_and_left_running() -> None:
    from moto import mock_aws

    # No account declared: the caller's account is moto's default one, where the bucket is.
    declaration = {"version": 1, "repositories": [{"name": "repo", "images": [{"tags": ["t"]}]}]}
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="kept")
        with FakeEcr([declaration], backend="moto") as fake:
            assert not fake.moto.owns_mock
            assert fake.client().describe_repositories()["repositories"]
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept"]
        assert moto_active()
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept"]
        # moto's ECR state was the declaration's only while the fake was active.
        from moto.ecr.models import ecr_backends

        assert not ecr_backends[fake.account]["us-east-1"].repositories


@needs_moto
def test_a_conflicting_moto_account_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    fake = FakeEcr([REGISTRY], backend="moto")
    with pytest.raises(
        BackendError,
        match=r"MOTO_ACCOUNT_ID=999999999999 but the declared "
        r"account is 111122223333",
    ):
        fake.activate()
    assert not fake.active
    assert not moto_active()


# -- other moto services see the declared images -----------------------------------------------


@pytest.mark.slow
@needs_moto
@pytest.mark.ecr_backend("moto")
@pytest.mark.ecr_registry("data/registry.yaml")
def test_lambda_and_ecs_see_the_declared_images(
    ecr: FakeEcr, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto's Lambda checks the image in its ECR backend only with this switch off.
    monkeypatch.setenv("MOTO_LAMBDA_STUB_ECR", "false")
    image = ecr.registry.repository("aws-cli-example").image("latest")
    uri = f"{ecr.account}.dkr.ecr.{ecr.region}.amazonaws.com/aws-cli-example:latest"
    role = boto3.client("iam").create_role(
        RoleName="fn", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}'
    )["Role"]["Arn"]
    awslambda = boto3.client("lambda")
    function = awslambda.create_function(
        FunctionName="fn", Role=role, PackageType="Image", Code={"ImageUri": uri}
    )
    assert function["CodeSha256"] == image.digest.removeprefix("sha256:")
    assert function["CodeSize"] == 2777  # the declared manifest's config size
    with pytest.raises(ClientError, match="ImageNotFoundException"):
        awslambda.create_function(
            FunctionName="missing",
            Role=role,
            PackageType="Image",
            Code={"ImageUri": uri.replace(":latest", ":nope")},
        )

    # ECS keeps the URI; resolving it through ECR gives the declared manifest.
    ecs = boto3.client("ecs")
    ecs.register_task_definition(
        family="api", containerDefinitions=[{"name": "api", "image": uri, "memory": 128}]
    )
    task = ecs.describe_task_definition(taskDefinition="api")["taskDefinition"]
    registry_host, _, reference = task["containerDefinitions"][0]["image"].partition("/")
    repository, _, tag = reference.partition(":")
    assert registry_host.split(".")[0] == ecr.account
    found = boto3.client("ecr").batch_get_image(
        registryId=registry_host.split(".")[0],
        repositoryName=repository,
        imageIds=[{"imageTag": tag}],
    )
    assert found["images"][0]["imageManifest"] == image.manifest


# -- choosing the backend: marker > --ecr-backend > ini > default --------------------------------

BACKEND_TEST = """
import pytest

{marker}
def test_backend(ecr):
    assert ecr.backend == {expected!r}
    assert ecr.client().list_images(repositoryName="repo")["imageIds"]
"""
YAML = "version: 1\nrepositories:\n  - name: repo\n    images:\n      - tags: [v1]\n"


@pytest.mark.slow
@needs_moto
def test_precedence_marker_over_option_over_ini(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", registry=YAML)
    pytester.makeini("[pytest]\necr_registry = registry.yaml\necr_backend = moto\n")
    pytester.makepyfile(
        test_ini=BACKEND_TEST.format(marker="", expected="moto"),
        test_marker=BACKEND_TEST.format(marker="@pytest.mark.ecr_backend('moto')", expected="moto"),
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["pytest-ecr *: backend=moto, *"])
    (pytester.path / "test_ini.py").write_text(BACKEND_TEST.format(marker="", expected="local"))
    result = pytester.runpytest("-p", "no:randomly", "--ecr-backend", "local")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["pytest-ecr *: backend=local, *"])


def test_unknown_backend_on_the_command_line_or_ini_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--ecr-backend", "motto")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*pytest-ecr: --ecr-backend: unknown ECR backend 'motto' (expected one of: local, "
            "moto); did you mean 'moto'?"
        ]
    )
    pytester.makeini("[pytest]\necr_backend = stub\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini key ecr_backend: unknown ECR backend 'stub'*"])


def test_a_bad_marker_is_an_error_at_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_backend("localstack")
        def test_a(ecr):
            pass

        @pytest.mark.ecr_backend()
        def test_b():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.ecr_backend on test_a_bad_marker_is_an_error_at_setup.py::test_a: "
            "unknown ECR backend 'localstack' (expected one of: local, moto)*",
            "*test_b: ecr_backend takes exactly one backend name*",
        ]
    )


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--strict-markers", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.ecr_backend(name): what answers this test's*"])
