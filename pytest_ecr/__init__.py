"""pytest-ecr: a faithful in-process fake of Amazon ECR for pytest.

The public API. Importing it does not import pytest: :class:`FakeEcr` works in a plain
``with`` block too.
"""

from __future__ import annotations

from pytest_ecr._version import __version__
from pytest_ecr.declarations import DeclarationError, Problem
from pytest_ecr.fake import FakeEcr
from pytest_ecr.history import Call, CallList
from pytest_ecr.model import Image, ImageFailure, RegistryState, Repository
from pytest_ecr.service.errors import EcrError

__all__ = [
    "Call",
    "CallList",
    "DeclarationError",
    "EcrError",
    "FakeEcr",
    "Image",
    "ImageFailure",
    "Problem",
    "RegistryState",
    "Repository",
    "__version__",
]
