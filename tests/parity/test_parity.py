"""Parity: the same scenarios on every path, with identical answers.

Paths: ``local`` (the in-process hook, the reference), ``http`` (the loopback endpoint,
a boto3 client with ``endpoint_url``), ``moto`` (``backend="moto"``) and ``stubber``
(``ecr.stubber()`` expectations, for scenarios without faults). The local answer must
satisfy the scenario's own check; every other path must equal it after normalisation
(ResponseMetadata, request ids, timestamps). moto's documented deviations are marked
``xfail(strict=True)`` with the deviation and its public source as the reason: the run's
short summary (``-ra``) lists every one, and the last tests of this module check the
table against the marks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.config import Config
from botocore_model import needs, needs_call

from pytest_ecr import FakeEcr, credentials
from pytest_ecr.declarations import DeclarationCache
from pytest_ecr.transports import botocore_hook
from pytest_ecr.transports.http_server import EcrHTTPServer

from .scenarios import (
    HERE,
    MOTO_DEVIATIONS,
    MOTO_FIXED_IN,
    REGISTRY,
    SCENARIOS,
    Scenario,
    normalise,
    outcome_of_error,
)

PATHS = ("local", "http", "moto", "stubber")
_CACHE = DeclarationCache()
_CLIENTS: dict[tuple[str, str, str | None], Any] = {}
_REFERENCE: dict[str, tuple[list[Any], list[Any]]] = {}


def _moto_version() -> tuple[int, ...]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return tuple(int(part) for part in version("moto").split(".")[:3] if part.isdigit())
    except PackageNotFoundError:
        return ()


def _fixed(deviation: str) -> bool:
    fixed_in = MOTO_FIXED_IN.get(deviation)
    return fixed_in is not None and _moto_version() >= fixed_in


def _params() -> Iterator[Any]:
    for scenario in SCENARIOS:
        for path in PATHS:
            if path == "stubber" and not scenario.stubber:
                continue
            # A scenario of an operation or member the installed botocore's model lacks.
            names = [
                name for step in scenario.steps for name in needs_call(step.method, step.params)
            ]
            marks = [needs(*names)]
            if path == "moto":  # mock_aws per test: the fast lane leaves it to CI
                marks.append(pytest.mark.slow)
            if path == "moto" and scenario.moto is not None and not _fixed(scenario.moto):
                marks.append(
                    pytest.mark.xfail(
                        strict=True, reason=f"moto deviation {MOTO_DEVIATIONS[scenario.moto]}"
                    )
                )
            yield pytest.param(scenario, path, id=f"{scenario.id}-{path}", marks=marks)


def _client(region: str, config: dict[str, Any], endpoint_url: str | None = None) -> Any:
    # Clients are not bound to a fake (the hook answers with whichever is active), so one
    # per configuration serves every scenario: a new client costs ~50 ms.
    key = (region, repr(sorted(config.items())), endpoint_url)
    if key not in _CLIENTS:
        client = boto3.session.Session().client(
            "ecr",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=credentials.FAKE_ACCESS_KEY,
            aws_secret_access_key=credentials.FAKE_SECRET_KEY,
            config=Config(**config) if config else None,
        )
        botocore_hook.attach(client)
        _CLIENTS[key] = client
    return _CLIENTS[key]


@contextmanager
def _fake(scenario: Scenario, backend: str = "local") -> Iterator[FakeEcr]:
    fake = FakeEcr([str(REGISTRY)], base_dir=HERE, cache=_CACHE, backend=backend)
    for spec in scenario.faults:
        fake.fault(**spec)
    with fake:
        yield fake


def _run(scenario: Scenario, client: Any) -> list[Any]:
    outcomes: list[Any] = []
    for step in scenario.steps:
        try:
            outcomes.append(normalise(getattr(client, step.method)(**step.params)))
        except Exception as error:  # ClientError, or whatever a backend raises
            outcomes.append(outcome_of_error(error))
    if scenario.project is not None:
        outcomes = [scenario.project(outcome) for outcome in outcomes]
    return outcomes


def _history(fake: FakeEcr) -> list[Any]:
    return [
        (c.operation, c.attempt, c.status, c.error_code, c.fault is not None) for c in fake.calls()
    ]


def _on_path(scenario: Scenario, path: str, server: EcrHTTPServer) -> tuple[list[Any], list[Any]]:
    config = dict(scenario.config)
    if path in ("local", "moto"):
        with _fake(scenario, backend=path) as fake:
            outcomes = _run(scenario, _client(scenario.region, config))
            return outcomes, _history(fake)
    if path == "http":
        with _fake(scenario) as fake:
            server.fake = fake
            fake.http_endpoints = (server.endpoint_url,)
            try:
                client = _client(scenario.region, config, server.endpoint_url)
                outcomes = _run(scenario, client)
            finally:
                server.fake = None
            errors = server.take_errors()
            if errors:
                raise errors[0]
            return outcomes, _history(fake)
    assert path == "stubber"
    with _fake(scenario) as fake:
        client = _client(scenario.region, config)
        with fake.stubber(client) as stubber:
            for step in scenario.steps:
                stubber.expect(step.method, **step.params)
            outcomes = _run(scenario, client)
            stubber.assert_no_pending_responses()
        return outcomes, _history(fake)


def _reference(scenario: Scenario, server: EcrHTTPServer) -> tuple[list[Any], list[Any]]:
    if scenario.id not in _REFERENCE:
        _REFERENCE[scenario.id] = _on_path(scenario, "local", server)
    return _REFERENCE[scenario.id]


@pytest.fixture(scope="module")
def server() -> Iterator[EcrHTTPServer]:
    with EcrHTTPServer(timeout_hold=0.2) as http:
        yield http


class _NoSleep:
    """Stands in for ``time`` in botocore.endpoint: retries over real sockets (the HTTP
    path) do not sleep their backoff here; the in-process paths never do anyway."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        del seconds


@pytest.mark.parametrize(("scenario", "path"), list(_params()))
def test_parity(
    scenario: Scenario, path: str, server: EcrHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path == "moto":
        pytest.importorskip("moto")
    if path == "http":
        monkeypatch.setattr(botocore.endpoint, "time", _NoSleep())
    expected, expected_history = _reference(scenario, server)
    if path == "local":
        assert scenario.check(expected), f"the local answer breaks {scenario.id}: {expected!r}"
        return
    outcomes, history = _on_path(scenario, path, server)
    assert outcomes == expected
    if scenario.history:
        assert history == expected_history


def test_scenario_ids_are_unique() -> None:
    ids = [scenario.id for scenario in SCENARIOS]
    assert len(ids) == len(set(ids))


def test_every_marked_deviation_is_documented_and_used() -> None:
    used = {s.moto for s in SCENARIOS if s.moto is not None}
    assert used <= set(MOTO_DEVIATIONS), f"undocumented: {sorted(used - set(MOTO_DEVIATIONS))}"
    assert set(MOTO_DEVIATIONS) <= used, f"unused: {sorted(set(MOTO_DEVIATIONS) - used)}"
