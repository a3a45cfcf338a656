"""Every operation of the installed botocore's ECR model, through a real boto3 client.

- None answers 501 (``NotImplementedByPytestEcr``): the fake answers each with ECR's own
  answer or one of ECR's modelled errors.
- Every modelled error of every operation can be injected with a fault, and botocore
  raises it as ``client.exceptions.<Code>`` with the status ECR answers it with.
- The fault parser refuses an error the model does not give the operation.

The requests are the smallest ones botocore accepts, built from the model: required
members only, each at its minimum size. They are not meant to succeed; they are meant
to reach the fake.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import botocore.exceptions
import botocore.session
import pytest
from botocore.config import Config
from botocore_model import needs_full_model, require

from pytest_ecr import FakeEcr
from pytest_ecr.faults import FaultSpecError
from pytest_ecr.service.catalogue import OPERATION_ERRORS, error_status

MODEL = botocore.session.get_session().get_service_model("ecr")
OPERATIONS = tuple(MODEL.operation_names)


def minimal(shape: Any) -> Any:
    """The smallest value of *shape* that botocore's parameter validation accepts."""
    kind = shape.type_name
    if kind == "structure":
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [minimal(shape.member) for _ in range(shape.metadata.get("min", 0))]
    if kind == "map":
        return {}
    if kind == "string":
        enum = shape.enum
        return enum[0] if enum else "a" * max(1, shape.metadata.get("min", 1))
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return False
    if kind == "blob":
        return b"x"
    if kind == "timestamp":
        return dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    if kind in ("float", "double"):
        return 1.0
    raise AssertionError(f"no minimal value for {kind}")


def request_of(operation: str) -> dict[str, Any]:
    return minimal(MODEL.operation_model(operation).input_shape)


def method_of(operation: str) -> str:
    return botocore.xform_name(operation)


@pytest.fixture(scope="module")
def client() -> Any:
    return FakeEcr().client(retries={"total_max_attempts": 1})


@pytest.fixture
def fake() -> Any:
    with FakeEcr() as active:
        yield active


@needs_full_model()
def test_the_model_is_the_one_the_catalogue_knows() -> None:
    assert set(OPERATIONS) == set(OPERATION_ERRORS)


def test_an_older_model_is_a_part_of_the_catalogue() -> None:
    # On an older botocore the operations it lacks are simply not reachable by a client.
    assert set(OPERATIONS) <= set(OPERATION_ERRORS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_operation_answers_501(operation: str, fake: FakeEcr, client: Any) -> None:
    code = None
    try:
        getattr(client, method_of(operation))(**request_of(operation))
    except botocore.exceptions.ClientError as error:
        code = error.response["Error"]["Code"]
    (call,) = fake.calls(operation)
    assert call.status != 501, call.error
    # Whatever the smallest request gets is one of ECR's answers to it.
    assert code is None or code in OPERATION_ERRORS[operation], f"{operation} answered {code}"


@pytest.mark.parametrize(
    ("operation", "code"),
    [(operation, code) for operation in OPERATIONS for code in OPERATION_ERRORS[operation]],
)
def test_every_modelled_error_can_be_injected(
    operation: str, code: str, fake: FakeEcr, client: Any
) -> None:
    require(code)  # an error shape an older botocore's model lacks has no exception class
    fake.fault(operation, error=code)
    method = getattr(client, method_of(operation))
    exception = getattr(client.exceptions, code)
    with pytest.raises(exception) as excinfo:
        method(**request_of(operation))
    response = excinfo.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == error_status(code)
    assert response["Error"]["Message"]
    fake.calls(operation).assert_called(times=1)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_error_the_model_does_not_give_an_operation_is_refused(operation: str) -> None:
    foreign = next(
        code
        for errors in OPERATION_ERRORS.values()
        for code in errors
        if code not in OPERATION_ERRORS[operation]
    )
    with FakeEcr() as fake, pytest.raises(FaultSpecError, match=f"{operation} cannot return"):
        fake.fault(operation, error=foreign)


def test_faults_apply_to_an_operation_by_name_only(fake: FakeEcr, client: Any) -> None:
    fake.fault("TagResource", error="TooManyTagsException")
    # Another operation is untouched by it.
    client.describe_repositories()
    fake.calls("DescribeRepositories").assert_called(times=1)
    with pytest.raises(client.exceptions.TooManyTagsException):
        client.tag_resource(**request_of("TagResource"))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_connection_fault_reaches_every_operation(
    operation: str, fake: FakeEcr, client: Any
) -> None:
    fake.fault(operation, connection="reset")
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        getattr(client, method_of(operation))(**request_of(operation))


def test_the_client_config_keeps_one_attempt(client: Any) -> None:
    assert isinstance(client.meta.config, Config)
    assert client.meta.config.retries["total_max_attempts"] == 1


def _tests_source() -> str:
    from pathlib import Path

    here = Path(__file__).parent
    return "\n".join(path.read_text() for path in here.rglob("test_*.py"))


@pytest.mark.parametrize(
    "paginator", sorted(botocore.session.get_session().get_paginator_model("ecr")._paginator_config)
)
def test_every_paginator_of_the_model_is_walked_by_a_test(paginator: str) -> None:
    # Each paginator's own test walks a state of several pages end to end; this keeps a
    # paginator added to botocore's model from going untested.
    assert f'get_paginator("{botocore.xform_name(paginator)}"' in _tests_source(), paginator


@pytest.mark.parametrize(
    "waiter", botocore.session.get_session().get_waiter_model("ecr").waiter_names
)
def test_every_waiter_of_the_model_is_run_by_a_test(waiter: str) -> None:
    assert f'get_waiter("{botocore.xform_name(waiter)}"' in _tests_source(), waiter
