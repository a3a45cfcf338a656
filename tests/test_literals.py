"""The generated ``Literal`` types (pytest_ecr/_literals.py) against the installed
botocore's ECR model and pytest-ecr's own tables, and what a newer botocore does: the
generator reports the module out of date, and run time accepts the new operation."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore
import botocore.loaders
import botocore.session
import pytest

from pytest_ecr import (
    EcrErrorCode,
    EcrOperation,
    EcrOperationMethod,
    EcrOperationName,
    ImageFailureCode,
)
from pytest_ecr.faults import ANY_OPERATION_ERRORS, OPERATION_ERRORS
from pytest_ecr.model import IMAGE_FAILURE_CODES
from pytest_ecr.service.catalogue import COMMON_ERRORS
from pytest_ecr.service.operation_names import OPERATIONS_BY_METHOD

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "generate_literals.py"
REGENERATE = "python scripts/generate_literals.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_literals", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_module_is_what_the_installed_botocore_model_generates(generator: Any) -> None:
    model = botocore.session.get_session().get_service_model("ecr")
    expected = generator.render(model, botocore.__version__)
    current = (ROOT / "pytest_ecr" / "_literals.py").read_text(encoding="utf-8")
    if generator._version(current) > generator._version(expected):
        # An older botocore (the oldest-supported lane): the types name a superset.
        assert set(model.operation_names) <= set(typing.get_args(EcrOperationName))
        return
    assert not generator.out_of_date(current, expected, botocore.__version__), (
        f"pytest_ecr/_literals.py is out of date for botocore {botocore.__version__}: "
        f"run `{REGENERATE}` (and update pytest_ecr/service/operation_errors.py)"
    )


def test_only_a_botocore_as_new_or_newer_asks_for_regenerating(generator: Any) -> None:
    current = (ROOT / "pytest_ecr" / "_literals.py").read_text(encoding="utf-8")
    made_from = ".".join(map(str, generator._version(current)))
    assert made_from, "the module names the botocore it was generated from"
    # What an older model (one operation fewer) renders, under three installed versions.
    older = current.replace('    "PutImage",\n', "", 1)
    assert older != current
    assert not generator.out_of_date(current, current, "1.0.0")
    assert not generator.out_of_date(current, older, "1.34.0")
    assert generator.out_of_date(current, older, made_from)
    assert generator.out_of_date(current, older, "99.0.0")


def test_the_types_name_what_run_time_accepts() -> None:
    assert typing.get_args(EcrOperation) == (EcrOperationName, EcrOperationMethod)
    assert list(typing.get_args(EcrOperationName)) == sorted(OPERATION_ERRORS)
    assert list(typing.get_args(EcrOperationMethod)) == sorted(OPERATIONS_BY_METHOD)
    assert list(typing.get_args(EcrErrorCode)) == list(ANY_OPERATION_ERRORS)
    assert set(COMMON_ERRORS) <= set(typing.get_args(EcrErrorCode))
    assert set(typing.get_args(ImageFailureCode)) == set(IMAGE_FAILURE_CODES)


def test_the_client_methods_are_botocores_own_spelling() -> None:
    for name in typing.get_args(EcrOperationName):
        assert botocore.xform_name(name) in typing.get_args(EcrOperationMethod), name


@pytest.fixture
def newer_botocore(tmp_path: Path) -> dict[str, str]:
    """An environment whose botocore ECR model has one operation more than pytest-ecr's
    tables (``DescribeWidgets``), as a botocore released after pytest-ecr would: the
    model is the installed one plus that operation, on botocore's ``AWS_DATA_PATH``."""
    loader = botocore.loaders.create_loader()
    model = loader.load_service_model("ecr", "service-2")
    version = model["metadata"]["apiVersion"]
    model["operations"]["DescribeWidgets"] = {
        **model["operations"]["DescribeRegistry"],
        "name": "DescribeWidgets",
    }
    target = tmp_path / "data" / "ecr" / version / "service-2.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(model), encoding="utf-8")
    return {**os.environ, "AWS_DATA_PATH": str(tmp_path / "data")}


@pytest.mark.slow
def test_a_newer_botocore_makes_the_generator_say_regenerate(
    newer_botocore: dict[str, str],
) -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        env=newer_botocore,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"out of date: run {REGENERATE}" in done.stdout
    current = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert current.returncode == 0, current.stdout + current.stderr


NEWER_BOTOCORE_SUITE = """
import pytest
from botocore.exceptions import ClientError


@pytest.mark.ecr_fault("describe_widgets", error="ServerException", times=1)
def test_a_new_operation_is_accepted_at_run_time(ecr):
    client = ecr.client(retries={"total_max_attempts": 1})
    ecr.fault("DescribeWidgets", error="ThrottlingException", times=1)
    with pytest.raises(ClientError) as first:
        client.describe_widgets()
    assert first.value.response["Error"]["Code"] == "ServerException"
    with pytest.raises(ClientError) as second:
        client.describe_widgets()
    assert second.value.response["Error"]["Code"] == "ThrottlingException"
    with pytest.raises(ClientError) as third:
        client.describe_widgets()
    # pytest-ecr's service does not answer it: the 501 that names the way out.
    assert third.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert ecr.calls("describe_widgets").count == 3
    assert ecr.calls("DescribeWidgets").count == 3
    with pytest.raises(ValueError, match="did you mean 'DescribeWidgets'"):
        ecr.calls("DescribeWidget")
"""


@pytest.mark.slow
def test_a_newer_botocores_operation_is_accepted_at_run_time(
    pytester: pytest.Pytester, newer_botocore: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", newer_botocore["AWS_DATA_PATH"])
    pytester.makepyfile(test_newer=NEWER_BOTOCORE_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
