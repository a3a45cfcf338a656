"""Typing as users meet it: user code annotated with ``mypy_boto3_ecr`` types checks
against what pytest-ecr returns, under ``mypy --strict``; the public API is what
``pytest_ecr.__all__`` says."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

import pytest_ecr

USER_CODE = """\
from __future__ import annotations

from mypy_boto3_ecr import ECRClient
from mypy_boto3_ecr.type_defs import BatchGetImageResponseTypeDef

from pytest_ecr import Call, CallList, EcrServer, FakeEcr


def latest_digest(client: ECRClient, repository: str) -> str:
    answer: BatchGetImageResponseTypeDef = client.batch_get_image(
        repositoryName=repository, imageIds=[{"imageTag": "latest"}]
    )
    return answer["images"][0]["imageId"]["imageDigest"]


def test_annotated(ecr: FakeEcr, ecr_client: ECRClient, ecr_server: EcrServer) -> None:
    client: ECRClient = ecr.client()
    regional: ECRClient = ecr.client(region="eu-west-1", retries={"max_attempts": 2})
    latest_digest(client, "team/api")
    latest_digest(regional, "team/api")
    latest_digest(ecr_client, "team/api")
    calls: CallList = ecr.calls("BatchGetImage")
    count: int = calls.count
    attempts: list[int] = calls.attempts
    last: Call = calls.last
    delays: list[float] = ecr.backoff
    url: str = ecr_server.endpoint_url
    env: dict[str, str] = ecr_server.env
    print(count, attempts, last, delays, url, env)
    reveal_type(ecr.client())


def test_wrong(ecr: FakeEcr) -> None:
    wrong: int = ecr.client()  # line 34: mypy must refuse this
    ecr.client().batch_get_image(repositoryName=1, imageIds=[])  # line 35: and this
    print(wrong)
"""


def strict_mypy(api: Any, source: Path, tmp_path: Path) -> str:
    """mypy --strict's report on *source* alone (no project config; a cache in
    *tmp_path*); fails the test if mypy itself failed."""
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    out, err, _ = api.run(
        [
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "--no-error-summary",
            "--hide-error-context",
            str(source),
        ]
    )
    assert not err, err
    return str(out)


@pytest.mark.slow
def test_user_code_annotated_with_mypy_boto3_ecr_type_checks(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    if importlib.util.find_spec("mypy_boto3_ecr") is None:
        pytest.skip("mypy_boto3_ecr is not installed (pip install 'boto3-stubs[ecr]')")
    source = tmp_path / "test_user.py"
    source.write_text(USER_CODE)
    out = strict_mypy(api, source, tmp_path)
    lines = [line for line in out.splitlines() if line.startswith(str(source))]
    revealed = [line for line in lines if "note: Revealed type" in line]
    errors = [line for line in lines if ": error:" in line]
    assert len(revealed) == 1, out
    assert "mypy_boto3_ecr.client.ECRClient" in revealed[0]
    assert {int(re.split(r":", line)[1]) for line in errors} == {34, 35}, out
    assert any('"ECRClient"' in line and "int" in line for line in errors), out


def test_the_public_api_is_all_of_it() -> None:
    assert pytest_ecr.__all__ == sorted(pytest_ecr.__all__)
    for name in pytest_ecr.__all__:
        assert getattr(pytest_ecr, name) is not None, name
    for name in ("FakeEcr", "CallList", "Call", "EcrServer", "DeclarationError", "EcrError"):
        assert name in pytest_ecr.__all__


def test_the_package_is_typed() -> None:
    assert (Path(pytest_ecr.__file__).parent / "py.typed").is_file()


NAMES_CODE = """\
from __future__ import annotations

from pytest_ecr import EcrErrorCode, EcrOperation, EcrStubber, FakeEcr


def test_right(ecr: FakeEcr, ecr_stubber: EcrStubber) -> None:
    ecr.fault("BatchGetImage", error="ThrottlingException")
    ecr.fault("batch_get_image", failure="ImageNotFound", times=1)
    ecr.fault(error="AccessDeniedException")
    ecr.calls("BatchDeleteImage").assert_not_called()
    ecr.calls("batch_delete_image").assert_not_called()
    ecr_stubber.expect("describe_repositories")
    ecr_stubber.expect_error("ListImages", "RepositoryNotFoundException")
    operation: EcrOperation = "PutImage"
    code: EcrErrorCode = "ImageAlreadyExistsException"
    print(operation, code)


def test_wrong(ecr: FakeEcr, ecr_stubber: EcrStubber) -> None:
    ecr.fault("BatchGetImage", error="Throttling")  # line 20
    ecr.fault("BatchGetImages", error="ThrottlingException")  # line 21
    ecr.fault("BatchGetImage", failure="NotFound")  # line 22
    ecr.calls("BatchDeleteImages").assert_not_called()  # line 23
    ecr_stubber.expect("describe_repository")  # line 24
    ecr_stubber.expect_error("ListImages", "RepositoryNotFound")  # line 25
"""


@pytest.mark.slow
def test_misspelt_operations_error_codes_and_failure_codes_are_type_errors(
    tmp_path: Path,
) -> None:
    api = pytest.importorskip("mypy.api")
    source = tmp_path / "test_names.py"
    source.write_text(NAMES_CODE)
    out = strict_mypy(api, source, tmp_path)
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert {int(line.split(":")[1]) for line in errors} == {20, 21, 22, 23, 24, 25}, out
    throttling = next(line for line in errors if ":20:" in line)
    assert '"error" to "fault"' in throttling, throttling
    assert "Literal['Throttling']" in throttling, throttling
