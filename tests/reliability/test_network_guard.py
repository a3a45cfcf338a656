"""Issue 15, defects 2 and 3: the network guard is on by default, says the right thing,
and covers ECR Public, which pytest-ecr does not fake.

The pytester runs use the ``aws_project`` fixture (tests/reliability/conftest.py): real
profile files in a temporary HOME and botocore's HTTP layer recording (and stopping)
whatever reaches it, so "goes out" means "reached that layer".
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from pytest_ecr.credentials import FAKE_ACCESS_KEY

if TYPE_CHECKING:
    from conftest import AwsProject

REGISTRY = '{"version": 1, "repositories": [{"name": "team/api"}]}'

FORGOT_THE_FIXTURE = """
import boto3, pytest
from pytest_ecr import EcrNetworkGuardError

def test_forgot_the_fixture(socket_layer):
    client = boto3.client("ecr")
    with pytest.raises(EcrNetworkGuardError) as excinfo:
        client.describe_repositories()
    message = str(excinfo.value)
    assert "stopped an ECR request to https://api.ecr.us-east-1.amazonaws.com/" in message
    assert "(DescribeRepositories): no fake ECR is active in this test" in message
    assert "@pytest.mark.ecr_allow_network" in message and "--ecr-guard=off" in message
    assert socket_layer == []  # and no STS call for the profile's credentials either
"""


@pytest.mark.slow
def test_guard_is_on_by_default(aws_project: AwsProject, monkeypatch: pytest.MonkeyPatch) -> None:
    """Today: the request goes out (here: the assume-role profile's STS call first)."""
    monkeypatch.setenv("AWS_PROFILE", "role")
    aws_project.pytester.makepyfile(test_it=FORGOT_THE_FIXTURE)
    result = aws_project.pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["pytest-ecr *, guard=on"])


@pytest.mark.slow
@pytest.mark.parametrize("args", [(), ("--ecr-guard=on",)], ids=["default", "explicit"])
def test_without_any_credentials_the_guard_speaks(
    aws_project: AwsProject, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """Today, even with --ecr-guard=on: botocore's NoCredentialsError, raised at signing,
    before the request reaches the guard."""
    for name in ("config", "credentials"):
        (aws_project.home / ".aws" / name).unlink()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    aws_project.pytester.makepyfile(test_it=FORGOT_THE_FIXTURE)
    result = aws_project.pytester.runpytest_subprocess("-p", "no:randomly", *args)
    result.assert_outcomes(passed=1)


GOES_OUT = """
import boto3, pytest
from conftest import ReachedTheSocketLayer

def client():
    return boto3.client(
        "ecr", region_name="us-east-1", aws_access_key_id="AKIAOPTEDOUT00000000",
        aws_secret_access_key="s",
    )

MARK

def test_means_to_call_aws(socket_layer):
    with pytest.raises(ReachedTheSocketLayer):
        client().describe_repositories()
    assert socket_layer[0][0] == "https://api.ecr.us-east-1.amazonaws.com/"
    assert "Credential=AKIAOPTEDOUT00000000/" in socket_layer[0][1]
"""

STILL_GUARDED = """
def test_the_next_test_is_guarded_again(socket_layer):
    from pytest_ecr import EcrNetworkGuardError
    with pytest.raises(EcrNetworkGuardError):
        client().describe_repositories()
    assert socket_layer == []
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["option", "ini", "marker"])
def test_opting_out(aws_project: AwsProject, how: str) -> None:
    """Per run (--ecr-guard=off), per ini file (ecr_guard = false), per test (the
    ecr_allow_network marker, registered for --strict-markers, for that test only)."""
    pytester = aws_project.pytester
    marker = "@pytest.mark.ecr_allow_network" if how == "marker" else ""
    pytester.makepyfile(
        test_it=GOES_OUT.replace("MARK", marker) + (STILL_GUARDED if how == "marker" else "")
    )
    args = ["-p", "no:randomly", "--strict-markers"]
    if how == "option":
        args.append("--ecr-guard=off")
    if how == "ini":
        pytester.makeini("[pytest]\necr_guard = false\n")
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=2 if how == "marker" else 1)
    if how != "marker":
        result.stdout.fnmatch_lines(["pytest-ecr *, guard=off"])


PREDATES = """
import sys
import boto3

# Made before pytest (and so pytest-ecr) is even imported.
client = boto3.client(
    "ecr", region_name="us-east-1", aws_access_key_id="AKIAEARLYCLIENT00000",
    aws_secret_access_key="s",
)
import pytest

sys.exit(pytest.main(sys.argv[1:]))
"""

PREDATES_TESTS = f"""
import __main__
import pytest
from pytest_ecr import EcrNetworkGuardError

def test_without_a_fake(socket_layer):
    with pytest.raises(EcrNetworkGuardError) as excinfo:
        __main__.client.describe_repositories()
    message = str(excinfo.value)
    assert "this client was created before pytest-ecr was loaded" in message
    assert "no fake ECR is active either" in message
    assert "ecr.attach(client)" in message
    assert socket_layer == []

@pytest.mark.ecr_registry({REGISTRY})
def test_with_a_fake(ecr, socket_layer):
    with pytest.raises(EcrNetworkGuardError) as excinfo:
        __main__.client.describe_repositories()
    message = str(excinfo.value)
    assert "this client was created before pytest-ecr was loaded" in message
    assert "(a fake ECR is active)" in message
    assert "ecr.attach(client)" in message
    assert "no fake ECR is active in this test" not in message
    ecr.attach(__main__.client)
    assert __main__.client.describe_repositories()["repositories"]
    assert socket_layer == []
"""


@pytest.mark.slow
def test_message_for_a_client_that_predates_the_plugin(aws_project: AwsProject) -> None:
    """Today: "no fake ECR is active in this test" while one is."""
    pytester = aws_project.pytester
    script = pytester.makepyfile(run_tests=PREDATES)
    pytester.makepyfile(test_it=PREDATES_TESTS)
    result = pytester.run(
        sys.executable, str(script), "-p", "no:randomly", "--ecr-guard=on", "test_it.py"
    )
    result.assert_outcomes(passed=2)


ECR_PUBLIC = f"""
import boto3, pytest
from conftest import ReachedTheSocketLayer
from pytest_ecr import EcrNetworkGuardError

public = boto3.client("ecr-public", region_name="us-east-1")  # from AWS_PROFILE=role

def _stopped():
    with pytest.raises(EcrNetworkGuardError) as excinfo:
        public.describe_repositories()
    message = str(excinfo.value)
    url = "https://api.ecr-public.us-east-1.amazonaws.com/"
    assert f"stopped an ECR Public request to {{url}} (DescribeRepositories)" in message
    assert "not ECR Public" in message and "ecr_allow_network" in message

def test_stopped_without_a_fake(socket_layer):
    _stopped()
    assert socket_layer == []  # no STS call for the profile either

@pytest.mark.ecr_registry({REGISTRY})
def test_stopped_with_a_fake(ecr, socket_layer):
    _stopped()
    assert socket_layer == []
    assert ecr.calls().count == 0

@pytest.mark.ecr_allow_network
@pytest.mark.ecr_registry({REGISTRY})
def test_opted_out_during_a_fake_it_is_signed_with_the_fake_key(ecr, socket_layer):
    with pytest.raises(ReachedTheSocketLayer):
        public.describe_repositories()
    assert [url for url, _ in socket_layer] == [
        "https://api.ecr-public.us-east-1.amazonaws.com/"
    ]
    assert "Credential={FAKE_ACCESS_KEY}/" in socket_layer[0][1]
"""


@pytest.mark.slow
def test_ecr_public_is_stopped_and_never_signed_with_real_keys(
    aws_project: AwsProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today: an ECR Public request goes out (after an STS call for the profile), also
    while a fake is active."""
    monkeypatch.setenv("AWS_PROFILE", "role")
    aws_project.pytester.makepyfile(test_it=ECR_PUBLIC)
    result = aws_project.pytester.runpytest_subprocess("-p", "no:randomly", "--strict-markers")
    result.assert_outcomes(passed=3)
    assert aws_project.real_key not in result.stdout.str()
