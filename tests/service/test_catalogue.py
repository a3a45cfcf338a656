"""ECR's error catalogue (:mod:`pytest_ecr.service.catalogue`) against botocore's ECR
service model, so the errors a fault may inject cannot drift from what ECR can answer."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore_model import full_model, missing, needs_full_model, require

from pytest_ecr.model import IMAGE_FAILURE_CODES
from pytest_ecr.service import OPERATIONS
from pytest_ecr.service.catalogue import (
    ANY_OPERATION_ERRORS,
    COMMON_ERRORS,
    FAILURE_CODES_BY_OPERATION,
    FAILURE_OPERATIONS,
    OPERATION_ERRORS,
    SERVER_STATUS,
    default_error_message,
    error_status,
)


@pytest.fixture(scope="module")
def model() -> Any:
    return botocore.session.get_session().get_service_model("ecr")


@needs_full_model()
def test_the_catalogue_covers_every_operation_of_the_model(model: Any) -> None:
    assert set(OPERATION_ERRORS) == set(model.operation_names)
    assert set(OPERATIONS) <= set(OPERATION_ERRORS)


def test_the_catalogue_covers_an_older_model(model: Any) -> None:
    # Whatever botocore is installed: the catalogue knows each of its operations and errors.
    assert set(model.operation_names) <= set(OPERATION_ERRORS) == set(OPERATIONS)
    for operation in model.operation_names:
        modelled = {shape.name for shape in model.operation_model(operation).error_shapes}
        assert modelled <= set(OPERATION_ERRORS[operation]), operation


@pytest.mark.parametrize("operation", sorted(OPERATION_ERRORS))
def test_each_operation_returns_the_errors_botocore_models(model: Any, operation: str) -> None:
    require(operation, *OPERATION_ERRORS[operation])
    modelled = {shape.name for shape in model.operation_model(operation).error_shapes}
    assert set(OPERATION_ERRORS[operation]) == modelled
    assert len(OPERATION_ERRORS[operation]) == len(modelled)  # no error listed twice


@needs_full_model()
def test_common_errors_are_the_ones_the_model_does_not_list(model: Any) -> None:
    modelled = {
        shape.name
        for operation in model.operation_names
        for shape in model.operation_model(operation).error_shapes
    }
    assert not set(COMMON_ERRORS) & modelled
    assert set(ANY_OPERATION_ERRORS) == modelled & set(ANY_OPERATION_ERRORS) | set(COMMON_ERRORS)
    assert list(ANY_OPERATION_ERRORS) == sorted(ANY_OPERATION_ERRORS)


def test_every_error_code_is_an_exception_shape_of_the_model(model: Any) -> None:
    codes = {e for errors in OPERATION_ERRORS.values() for e in errors} | set(SERVER_STATUS)
    for code in sorted(codes - set(missing(*codes))):
        assert model.shape_for(code).metadata.get("exception") is True, code


def test_failure_codes_are_the_models_image_failure_codes(model: Any) -> None:
    enum = set(model.shape_for("ImageFailureCode").enum)
    if full_model():
        assert set(IMAGE_FAILURE_CODES) == enum
    else:  # an older botocore's model: codes added since are missing from it
        assert enum <= set(IMAGE_FAILURE_CODES)
    for operation, codes in FAILURE_CODES_BY_OPERATION.items():
        assert operation in FAILURE_OPERATIONS
        assert set(codes) <= set(IMAGE_FAILURE_CODES)
        if not missing(operation):
            assert "failures" in model.operation_model(operation).output_shape.members
    assert set(FAILURE_CODES_BY_OPERATION) == FAILURE_OPERATIONS


def test_only_the_per_image_operations_answer_failures(model: Any) -> None:
    # Other operations answer failures of layers or repositories, not of images.
    with_failures = {
        name
        for name in model.operation_names
        if "failures" in (members := model.operation_model(name).output_shape.members)
        and members["failures"].member.name == "ImageFailure"
    }
    assert with_failures == FAILURE_OPERATIONS & set(model.operation_names)


def test_statuses_and_texts() -> None:
    assert (error_status("ServerException"), error_status("ThrottlingException")) == (500, 400)
    text = default_error_message("RepositoryNotFoundException", "ListImages", "a/b", "1" * 12, "r")
    assert (
        text
        == "The repository with name 'a/b' does not exist in the registry with id '111111111111'"
    )
    assert default_error_message("KmsError", "PutImage", None, "1", "r") == (
        "KmsError injected by pytest-ecr"
    )
