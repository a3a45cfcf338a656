"""What the installed botocore's ECR model holds, for tests of newer operations and members.

pytest-ecr supports botocore from pyproject's floor on, and its fake answers every operation
of the newest ECR model. A botocore client cannot call an operation, or send a member,
that its own model does not have, so a test that does is skipped on an older botocore,
with a reason naming what is missing::

    pytestmark = needs("PutSigningConfiguration")
    @needs("CreateRepositoryRequest.imageTagMutabilityExclusionFilters")

A name is an operation (``PutSigningConfiguration``), an error code
(``ImageArchivedException``) or ``Shape.member`` of the model
(``Repository.imageTagMutabilityExclusionFilters``, an input, output or nested shape).
A misspelt name cannot hide a test: an operation must be one pytest-ecr implements, and on
a botocore whose model has every such operation (the main CI lane) each member must exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import botocore
import botocore.session
import pytest
from botocore.model import NoShapeFoundError

from pytest_ecr.service import OPERATIONS
from pytest_ecr.service.catalogue import ANY_OPERATION_ERRORS
from pytest_ecr.service.operation_names import OPERATIONS_BY_METHOD

#: The installed botocore's ECR service model.
MODEL: Any = botocore.session.get_session().get_service_model("ecr")

#: Every error code pytest-ecr knows (an error shape of the newest model).
ERROR_CODES = frozenset(ANY_OPERATION_ERRORS)

#: The installed botocore's version, as the skip reasons name it.
VERSION: str = botocore.__version__


def _missing_member(name: str) -> bool:
    shape_name, _, member = name.partition(".")
    try:
        shape = MODEL.shape_for(shape_name)
    except NoShapeFoundError:
        return True
    return member not in getattr(shape, "members", {})


def missing(*names: str) -> list[str]:
    """The *names* the installed model lacks (operations, error codes or ``Shape.member``)."""
    absent = []
    for name in names:
        if name in ERROR_CODES:
            if name not in MODEL.shape_names:
                absent.append(name)
        elif "." not in name:
            if name not in OPERATIONS:
                raise ValueError(f"{name!r} is neither an ECR operation nor an error code")
            if name not in MODEL.operation_names:
                absent.append(name)
        elif _missing_member(name):
            absent.append(name)
    if absent and full_model():
        members = [name for name in absent if "." in name]
        raise ValueError(f"botocore {VERSION}'s ECR model has every operation but no {members}")
    return absent


def full_model() -> bool:
    """Whether the installed model has every operation pytest-ecr implements."""
    return set(OPERATIONS) <= set(MODEL.operation_names)


def needs(*names: str) -> pytest.MarkDecorator:
    """A mark that skips a test where the installed model lacks any of *names*."""
    absent = missing(*names)
    return pytest.mark.skipif(
        bool(absent),
        reason=f"botocore {VERSION}'s ECR model has no {', '.join(absent)} (a newer one has)",
    )


def needs_full_model() -> pytest.MarkDecorator:
    """A mark for a test that compares pytest-ecr's tables with the whole model: skipped
    where the installed model is older than the tables (their subset is checked by
    ``test_the_tables_cover_an_older_model`` there)."""
    absent = sorted(set(OPERATIONS) - set(MODEL.operation_names))
    return pytest.mark.skipif(
        bool(absent),
        reason=f"botocore {VERSION}'s ECR model predates pytest-ecr's tables "
        f"(it has no {', '.join(absent)})",
    )


def require(*names: str) -> None:
    """Skip the running test where the installed model lacks any of *names* (for one case
    of a parametrized test, whose parameters say what it sends)."""
    absent = missing(*names)
    if absent:
        pytest.skip(f"botocore {VERSION}'s ECR model has no {', '.join(absent)} (a newer one has)")


def needs_call(method: str, params: Mapping[str, Any]) -> list[str]:
    """The model names a client call ``client.<method>(**params)`` needs: its operation
    and, where the model has it, each top-level member it sends."""
    operation = OPERATIONS_BY_METHOD[method]
    if operation not in MODEL.operation_names:
        return [operation]
    shape = MODEL.operation_model(operation).input_shape
    return [operation, *(f"{shape.name}.{key}" for key in params)]


__all__ = [
    "MODEL",
    "VERSION",
    "full_model",
    "missing",
    "needs",
    "needs_call",
    "needs_full_model",
    "require",
]
