"""Operation names (issue 16, 3): API names and client method names are accepted alike by
``calls()``, ``ecr.fault()``, the ``ecr_fault`` marker, YAML ``faults:`` and
``ecr_stubber.expect``; anything else is an error with a "did you mean", so an assertion
cannot pass on a misspelt name."""

from __future__ import annotations

from typing import Any

import botocore
import botocore.session
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.faults import FaultSpecError
from pytest_ecr.service.catalogue import OPERATION_ERRORS
from pytest_ecr.service.operation_names import (
    OPERATIONS_BY_METHOD,
    UnknownOperationError,
    canonical_operation,
    snake_case,
)

REGISTRY = {
    "version": 1,
    "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}, {"tags": ["v2"]}]}],
}


def test_method_names_are_botocores() -> None:
    model = botocore.session.get_session().get_service_model("ecr")
    for operation in model.operation_names:
        assert snake_case(operation) == botocore.xform_name(operation)
        assert OPERATIONS_BY_METHOD[botocore.xform_name(operation)] == operation
        assert canonical_operation(botocore.xform_name(operation)) == operation
    assert set(OPERATIONS_BY_METHOD.values()) == set(OPERATION_ERRORS)


@pytest.fixture
def fake() -> Any:
    with FakeEcr([REGISTRY]) as active:
        yield active


def test_calls_takes_either_name(fake: FakeEcr) -> None:
    fake.client().batch_delete_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert fake.calls("batch_delete_image").count == fake.calls("BatchDeleteImage").count == 1
    with pytest.raises(AssertionError):
        fake.calls("batch_delete_image").assert_not_called()


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("BatchDeleteImages", "BatchDeleteImage"),
        ("batch_delete_images", "batch_delete_image"),
        ("batchdeleteimage", "batch_delete_image"),
        ("DescribeImage", "DescribeImages"),
    ],
)
def test_a_misspelt_name_is_an_error_not_an_empty_list(
    name: str, meant: str, fake: FakeEcr
) -> None:
    with pytest.raises(UnknownOperationError, match=f"did you mean '{meant}'"):
        fake.calls(name)
    assert issubclass(UnknownOperationError, ValueError)


def test_a_name_with_no_close_match_says_what_a_name_is(fake: FakeEcr) -> None:
    with pytest.raises(ValueError, match="give an API name such as 'BatchGetImage'"):
        fake.calls("zzz")


def test_fault_takes_either_name(fake: FakeEcr) -> None:
    armed = fake.fault("batch_get_image", error="ServerException", times=1)
    assert armed.spec.operation == "BatchGetImage"
    client = fake.client()
    client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert fake.calls("BatchGetImage").attempts == [1, 2]


def test_a_misspelt_fault_operation_says_what_was_meant(fake: FakeEcr) -> None:
    with pytest.raises(FaultSpecError, match="did you mean 'BatchGetImage'"):
        fake.fault("BatchGetImages", error="ServerException")


def test_yaml_faults_take_either_name() -> None:
    declared = {**REGISTRY, "faults": [{"operation": "list_images", "error": "ServerException"}]}
    with FakeEcr([declared]) as fake:
        (armed,) = fake.faults
        assert armed.spec.operation == "ListImages"


def test_the_marker_and_the_stubber_take_either_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        REGISTRY = {"version": 1, "repositories": [{"name": "team/api"}]}

        @pytest.mark.ecr_registry(REGISTRY)
        @pytest.mark.ecr_fault("list_images", error="ServerException", times=1)
        def test_marker(ecr, ecr_client):
            ecr_client.list_images(repositoryName="team/api")
            assert ecr.calls("list_images").attempts == [1, 2]

        @pytest.mark.ecr_registry(REGISTRY)
        def test_stubber(ecr, ecr_stubber, ecr_client):
            ecr_stubber.expect("list_images", repositoryName="team/api")
            ecr_client.list_images(repositoryName="team/api")

        @pytest.mark.ecr_fault("list_image", error="ServerException")
        def test_misspelt_marker(ecr):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*unknown operation 'list_image'*did you mean 'list_images'?*"])
