"""pytest-ecr: a faithful in-process fake of Amazon ECR for pytest.

The public API. Importing it does not import pytest, and names load on first use, so the
plugin costs next to nothing at start-up: :class:`FakeEcr` works in a plain ``with``
block too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pytest_ecr._version import __version__

if TYPE_CHECKING:
    from pytest_ecr._literals import (
        EcrErrorCode,
        EcrOperation,
        EcrOperationMethod,
        EcrOperationName,
        ImageFailureCode,
    )
    from pytest_ecr.backends.moto import MotoBackend
    from pytest_ecr.backends.stubber import EcrStubber
    from pytest_ecr.clock import Sleep
    from pytest_ecr.declarations import DeclarationError, Problem
    from pytest_ecr.fake import FakeEcr
    from pytest_ecr.faults import ArmedFault, FaultSpecError, UnfiredFaultWarning
    from pytest_ecr.history import Call, CallList, EcrCallAssertionError
    from pytest_ecr.model import Image, ImageFailure, RegistryState, Repository
    from pytest_ecr.model.lifecycle import LifecycleRun
    from pytest_ecr.service.errors import EcrError
    from pytest_ecr.transports.guard import EcrNetworkGuardError
    from pytest_ecr.transports.http_server import EcrServer

_LAZY = {
    "ArmedFault": "pytest_ecr.faults",
    "EcrStubber": "pytest_ecr.backends.stubber",
    "MotoBackend": "pytest_ecr.backends.moto",
    "Sleep": "pytest_ecr.clock",
    "Call": "pytest_ecr.history",
    "CallList": "pytest_ecr.history",
    "DeclarationError": "pytest_ecr.declarations",
    "EcrErrorCode": "pytest_ecr._literals",
    "EcrOperation": "pytest_ecr._literals",
    "EcrOperationMethod": "pytest_ecr._literals",
    "EcrOperationName": "pytest_ecr._literals",
    "ImageFailureCode": "pytest_ecr._literals",
    "EcrCallAssertionError": "pytest_ecr.history",
    "EcrError": "pytest_ecr.service.errors",
    "EcrNetworkGuardError": "pytest_ecr.transports.guard",
    "EcrServer": "pytest_ecr.transports.http_server",
    "FakeEcr": "pytest_ecr.fake",
    "FaultSpecError": "pytest_ecr.faults",
    "LifecycleRun": "pytest_ecr.model.lifecycle",
    "Image": "pytest_ecr.model",
    "ImageFailure": "pytest_ecr.model",
    "Problem": "pytest_ecr.declarations",
    "RegistryState": "pytest_ecr.model",
    "Repository": "pytest_ecr.model",
    "UnfiredFaultWarning": "pytest_ecr.faults",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_ecr' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ArmedFault",
    "Call",
    "CallList",
    "DeclarationError",
    "EcrCallAssertionError",
    "EcrError",
    "EcrErrorCode",
    "EcrNetworkGuardError",
    "EcrOperation",
    "EcrOperationMethod",
    "EcrOperationName",
    "EcrServer",
    "EcrStubber",
    "FakeEcr",
    "FaultSpecError",
    "Image",
    "ImageFailure",
    "ImageFailureCode",
    "LifecycleRun",
    "MotoBackend",
    "Problem",
    "RegistryState",
    "Repository",
    "Sleep",
    "UnfiredFaultWarning",
    "__version__",
]
