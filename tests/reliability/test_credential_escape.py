"""Issue 15, defect 1: a credential refresh never escapes while a fake is active.

Each test is a pytest run in a child process on a developer's machine as the
``aws_project`` fixture (tests/reliability/conftest.py) builds it: real profile files in a
temporary HOME, a credential_process that records its runs, and botocore's HTTP layer
recording (and stopping) whatever reaches it. The clients and sessions are made at import
time of the test module, before any fake, as application code makes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_ecr.credentials import FAKE_ACCESS_KEY

if TYPE_CHECKING:
    from conftest import AwsProject

REGISTRY = '{"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}'


@pytest.mark.slow
def test_assume_role_client_made_before_the_fake_reaches_it(
    aws_project: AwsProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today: STS AssumeRole goes out three times, signed with the source profile's key,
    and the ECR call never reaches the fake."""
    monkeypatch.setenv("AWS_PROFILE", "role")
    aws_project.pytester.makepyfile(
        test_it=f"""
        import boto3, pytest

        client = boto3.client("ecr")  # the default session, from AWS_PROFILE=role

        @pytest.mark.ecr_registry({REGISTRY})
        def test_it(ecr, socket_layer):
            ids = [{{"imageTag": "v1"}}]
            assert client.batch_get_image(repositoryName="team/api", imageIds=ids)["images"]
            assert ecr.calls("BatchGetImage").count == 1
            assert socket_layer == []
        """
    )
    result = aws_project.pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert aws_project.real_key not in result.stdout.str()


@pytest.mark.slow
def test_credential_process_does_not_run_during_the_fake(aws_project: AwsProject) -> None:
    """Today: the process runs again before every ECR call made during the fake (its
    credentials are expired on arrival)."""
    aws_project.pytester.makepyfile(
        test_it=f"""
        import boto3, pathlib, pytest

        client = boto3.session.Session(profile_name="proc").client("ecr")
        RUNS = pathlib.Path({str(aws_project.runs)!r})

        @pytest.mark.ecr_registry({REGISTRY})
        def test_it(ecr, socket_layer):
            before = RUNS.read_text()
            for _ in range(3):
                client.batch_get_image(repositoryName="team/api", imageIds=[{{"imageTag": "v1"}}])
            assert RUNS.read_text() == before, "credential_process ran during the fake"
            assert ecr.calls("BatchGetImage").count == 3
            assert socket_layer == []
        """
    )
    result = aws_project.pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert aws_project.ran() == 1  # once, when the client was made at import


@pytest.mark.slow
def test_session_made_before_the_fake_makes_an_ecr_client_during_it(
    aws_project: AwsProject,
) -> None:
    """Today: ``InvalidConfigError: The source profile "base" must have credentials``
    (the session's cached profile, the credentials file hidden by the fake); with the
    ``proc`` profile the process runs."""
    aws_project.pytester.makepyfile(
        test_it=f"""
        import boto3, pathlib, pytest

        role = boto3.session.Session(profile_name="role")
        proc = boto3.session.Session(profile_name="proc")
        RUNS = pathlib.Path({str(aws_project.runs)!r})

        @pytest.mark.ecr_registry({REGISTRY})
        def test_it(ecr, socket_layer):
            signed = []
            for session in (role, proc):
                client = session.client("ecr")
                client.meta.events.register(
                    "before-send.ecr",
                    lambda request, **_: signed.append(request.headers["Authorization"]),
                )
                assert client.describe_repositories()["repositories"]
            assert not RUNS.exists(), "credential_process ran during the fake"
            assert socket_layer == []
            assert len(signed) == 2
            assert all(b"Credential={FAKE_ACCESS_KEY}/" in header for header in signed)
        """
    )
    result = aws_project.pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
