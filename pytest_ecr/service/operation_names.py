"""ECR operation names as users type them: API names (``BatchGetImage``) or client
method names (``batch_get_image``), resolved once for ``calls()``, faults and the Stubber."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from typing import Final

from pytest_ecr._frames import hide_usage_errors
from pytest_ecr.service.catalogue import OPERATION_ERRORS

# A usage error raised here shows the caller's line, not these frames.
__tracebackhide__ = hide_usage_errors


def snake_case(operation: str) -> str:
    """The client method of an ECR API name: ``BatchGetImage`` -> ``batch_get_image``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


#: API name by client method name (``batch_get_image`` -> ``BatchGetImage``).
OPERATIONS_BY_METHOD: Final[dict[str, str]] = {snake_case(op): op for op in OPERATION_ERRORS}


class UnknownOperationError(ValueError):
    """A name that is neither an ECR API name nor a client method name of one."""


def canonical_operation(name: str, installed: Collection[str] = ()) -> str:
    """The API name (``BatchGetImage``) of *name*, an API name or a client method name
    (``batch_get_image``); :class:`UnknownOperationError` with a "did you mean" otherwise.

    *installed* are the API names of the installed botocore's ECR model: a botocore newer
    than pytest-ecr's tables may have operations they lack, and those names are accepted
    too (the fake answers such an operation 501; faults and ``calls()`` still work)."""
    found = known_operation(name, installed)
    if found is not None:
        return found
    raise UnknownOperationError(
        f"unknown ECR operation {name!r}"
        + suggest_operation(name, installed)
        + " (give an API name such as 'BatchGetImage' or a client method such as "
        "'batch_get_image')"
    )


def known_operation(name: str, installed: Collection[str] = ()) -> str | None:
    """The API name of *name* (API name or client method), or ``None`` if neither
    pytest-ecr's tables nor *installed* (the installed botocore's API names) know it."""
    if name in OPERATION_ERRORS:
        return name
    found = OPERATIONS_BY_METHOD.get(name)
    if found is not None:
        return found
    if name in installed:
        return name
    return next((op for op in installed if snake_case(op) == name), None)


def suggest_operation(name: str, installed: Collection[str] = ()) -> str:
    """``"; did you mean 'X'?"`` for the operation closest to *name*, or ``""``;
    *installed* (the installed botocore's API names) are candidates too."""
    apis = sorted({*OPERATION_ERRORS, *installed})
    choices = (*apis, *OPERATIONS_BY_METHOD, *(snake_case(op) for op in installed))
    close = difflib.get_close_matches(name, choices, n=1)
    if not close:
        lowered = {choice.lower(): choice for choice in apis}
        close = difflib.get_close_matches(name.lower().replace("_", ""), list(lowered), n=1)
        close = [lowered[close[0]]] if close else []
    return f"; did you mean {close[0]!r}?" if close else ""


#: Prefixes of the operations that only read (or, for ``GetAuthorizationToken``, hand out
#: a token): every other operation changes the registry's state.
_READS: Final = ("Describe", "List", "Get", "BatchGet", "BatchCheck", "Validate")


def mutates(operation: str) -> bool:
    """Whether the ECR operation *operation* (an API name) changes the registry's state."""
    return not operation.startswith(_READS)
