"""ECR operation names as users type them: API names (``BatchGetImage``) or client
method names (``batch_get_image``), resolved once for ``calls()``, faults and the Stubber."""

from __future__ import annotations

import difflib
import re
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


def canonical_operation(name: str) -> str:
    """The API name (``BatchGetImage``) of *name*, an API name or a client method name
    (``batch_get_image``); :class:`UnknownOperationError` with a "did you mean" otherwise."""
    if name in OPERATION_ERRORS:
        return name
    found = OPERATIONS_BY_METHOD.get(name)
    if found is not None:
        return found
    raise UnknownOperationError(
        f"unknown ECR operation {name!r}"
        + suggest_operation(name)
        + " (give an API name such as 'BatchGetImage' or a client method such as "
        "'batch_get_image')"
    )


def suggest_operation(name: str) -> str:
    """``"; did you mean 'X'?"`` for the operation closest to *name*, or ``""``."""
    choices = (*OPERATION_ERRORS, *OPERATIONS_BY_METHOD)
    close = difflib.get_close_matches(name, choices, n=1)
    if not close:
        lowered = {choice.lower(): choice for choice in OPERATION_ERRORS}
        close = difflib.get_close_matches(name.lower().replace("_", ""), list(lowered), n=1)
        close = [lowered[close[0]]] if close else []
    return f"; did you mean {close[0]!r}?" if close else ""


#: Prefixes of the operations that only read (or, for ``GetAuthorizationToken``, hand out
#: a token): every other operation changes the registry's state.
_READS: Final = ("Describe", "List", "Get", "BatchGet", "BatchCheck", "Validate")


def mutates(operation: str) -> bool:
    """Whether the ECR operation *operation* (an API name) changes the registry's state."""
    return not operation.startswith(_READS)
