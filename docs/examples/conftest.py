"""Fixtures of the example suite: the tool under test, built the way production builds it."""

from __future__ import annotations

import pytest
from promoter import Promoter

from pytest_ecr import FakeEcr


@pytest.fixture
def pauses() -> list[float]:
    """The pauses the promoter took between its own retries (recorded, not slept)."""
    return []


@pytest.fixture
def promoter(ecr: FakeEcr, pauses: list[float]) -> Promoter:
    """The promoter with its production boto3 client: the fake answers every ECR client
    while ``ecr`` is active, so nothing is injected but the sleep function."""
    return Promoter(sleep=pauses.append)
