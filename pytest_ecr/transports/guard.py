"""The network guard: whether an ECR request may leave the process, and what it is told.

The guard is on for every pytest run unless turned off (``--ecr-guard=off``, ini
``ecr_guard = false``), and opened for one test by the ``ecr_allow_network`` marker
(:func:`network_allowed`). The botocore hook enforces it twice: at signing, a request the
guard will stop is signed with the fake's keys (so no credential provider runs for it and
a machine without credentials gets the guard's error, not botocore's
``NoCredentialsError``); and where botocore would open a socket, it is stopped.

This module imports no botocore, so the plugin sets the switch at start-up for free;
the hook reads it per request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

#: The JSON target prefixes of the services the guard covers, and how a message names them.
SERVICES = {
    "AmazonEC2ContainerRegistry_V20150921": "ECR",
    "SpencerFrontendService": "ECR Public",
}

_on = False
_opened = 0
_lock = threading.Lock()
#: (fixture name, scope) of the pytest fixtures being set up now, innermost last.
_setting_up: list[tuple[str, str]] = []


class EcrNetworkGuardError(RuntimeError):
    """An ECR (or ECR Public) request was about to leave the process for AWS."""


def set_guard(enabled: bool) -> bool:
    """Turn the guard on or off for the process; returns whether it was on."""
    global _on
    with _lock:
        was, _on = _on, enabled
    return was


def guard_on() -> bool:
    """Whether the guard is on and not opened by :func:`network_allowed`."""
    return _on and _opened == 0


@contextmanager
def network_allowed() -> Iterator[None]:
    """Let ECR requests reach AWS inside the block (a test that means to), guard or not."""
    global _opened
    with _lock:
        _opened += 1
    try:
        yield
    finally:
        with _lock:
            _opened -= 1


@contextmanager
def setting_up(fixture: str, scope: str) -> Iterator[None]:
    """Inside the block, the fixture *fixture* of *scope* is being set up (the plugin says
    so for every fixture): a request the guard stops then names it."""
    with _lock:
        _setting_up.append((fixture, scope))
    try:
        yield
    finally:
        with _lock:
            _setting_up.remove((fixture, scope))


def _fixture_hint() -> str | None:
    with _lock:
        if not _setting_up:
            return None
        fixture, scope = _setting_up[-1]
    if scope == "function":
        return (
            f"it was sent while fixture {fixture!r} was being set up, before the test's "
            f"fake: have {fixture!r} request the `ecr` fixture, so that it runs after it. "
        )
    shared = {"class": "ecr_class", "module": "ecr_module", "session": "ecr_session"}
    ask = (
        f"have {fixture!r} request `{shared[scope]}`"
        if scope in shared
        else "no fake is shared by a package: seed in a session-scoped fixture that requests "
        "`ecr_session`, or a module-scoped one that requests `ecr_module`"
    )
    return (
        f"it was sent while the {scope}-scoped fixture {fixture!r} was being set up, "
        "before any test's fake exists (`ecr` is one test's fake, set up after wider-scoped "
        "fixtures and gone after the test), so its writes could reach no test. To seed "
        f"state shared by the {scope}, {ask} (ecr_class, ecr_module and ecr_session are "
        "fakes shared by a class, module or session; each answers the fixtures of its own "
        "scope only); see the how-to 'Share one fake across a class, module or session'. "
    )


def is_loopback(url: str) -> bool:
    """Whether *url* names this machine (a local endpoint the guard lets through)."""
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def stops(url: str) -> bool:
    """Whether the guard stops a request of a covered service to *url*."""
    return guard_on() and not is_loopback(url)


_OPT_OUT = (
    "A test that means to call AWS: mark it @pytest.mark.ecr_allow_network, or turn the "
    "guard off for the run (--ecr-guard=off, or ini ecr_guard = false)."
)


def stopped_message(target: str, url: str, *, fake_active: bool, hooked: bool) -> str:
    """Why the guard stopped the request with X-Amz-Target *target* to *url*.

    *hooked*: whether the client carries pytest-ecr's hook (its session was created after
    pytest-ecr was imported, or it was ``attach()``-ed).
    """
    prefix, _, operation = target.partition(".")
    service = SERVICES.get(prefix, "ECR")
    head = f"pytest-ecr's network guard stopped an {service} request to {url} ({operation})"
    if service == "ECR Public":
        return (
            f"{head}: pytest-ecr fakes Amazon ECR (boto3.client('ecr')), not ECR Public "
            "(boto3.client('ecr-public')), so nothing answers it here. " + _OPT_OUT
        )
    if not hooked:
        state = "a fake ECR is active" if fake_active else "no fake ECR is active either"
        return (
            f"{head}: this client was created before pytest-ecr was loaded, so the fake "
            f"cannot see its requests ({state}). Route it through the fake with "
            "ecr.attach(client), or create it inside the test or fixture. " + _OPT_OUT
        )
    hint = _fixture_hint()
    if hint is not None:
        return f"{head}: no fake ECR is active: {hint}" + _OPT_OUT
    return (
        f"{head}: no fake ECR is active in this test. Request the `ecr` fixture or mark the "
        "test with ecr_registry, ecr_backend or ecr_fault. " + _OPT_OUT
    )


__all__ = [
    "SERVICES",
    "EcrNetworkGuardError",
    "guard_on",
    "is_loopback",
    "network_allowed",
    "set_guard",
    "setting_up",
    "stopped_message",
    "stops",
]
