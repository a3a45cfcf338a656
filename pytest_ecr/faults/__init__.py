"""Faults: what to break, when, and how — one shape for the ``ecr_fault`` marker, YAML
``faults:`` entries and ``ecr.fault(...)``.

A spec is validated once, when it is declared (:mod:`pytest_ecr.faults.spec`), so a typo
is an error at test set-up that names the marker or the file and line; it is then matched
against every attempt the fake answers (:mod:`pytest_ecr.faults.arming`). Counting is per
spec and thread-safe: ``times: 100`` injects exactly 100 faults however many threads call.
"""

from __future__ import annotations

from pytest_ecr.faults.arming import (
    NO_INJECTION,
    ArmedFault,
    ConnectionFault,
    FaultSet,
    Injection,
    UnfiredFaultWarning,
    apply_failures,
    empty_result,
    failure_reason,
    injected_error,
)
from pytest_ecr.faults.spec import (
    CONNECTION_KINDS,
    FAULT_HINT,
    FAULT_KEYS,
    ConnectionKind,
    FaultKwargs,
    FaultSpec,
    FaultSpecError,
    parse_fault,
)
from pytest_ecr.service.catalogue import (
    ANY_OPERATION_ERRORS,
    COMMON_ERRORS,
    FAILURE_CODES_BY_OPERATION,
    FAILURE_OPERATIONS,
    OPERATION_ERRORS,
    default_error_message,
)

__all__ = [
    "ANY_OPERATION_ERRORS",
    "COMMON_ERRORS",
    "CONNECTION_KINDS",
    "FAILURE_CODES_BY_OPERATION",
    "FAILURE_OPERATIONS",
    "FAULT_HINT",
    "FAULT_KEYS",
    "NO_INJECTION",
    "OPERATION_ERRORS",
    "ArmedFault",
    "ConnectionFault",
    "ConnectionKind",
    "FaultKwargs",
    "FaultSet",
    "FaultSpec",
    "FaultSpecError",
    "Injection",
    "UnfiredFaultWarning",
    "apply_failures",
    "default_error_message",
    "empty_result",
    "failure_reason",
    "injected_error",
    "parse_fault",
]
