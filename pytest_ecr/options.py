"""pytest-ecr's command-line options, ini keys and markers, as pytest is told of them.

No pytest here: the plugin hands pytest's parser to :func:`add_options`, and registers
:data:`MARKERS` at configure time. The precedence everywhere: marker > command line > ini
key > default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple

from pytest_ecr.backends import BACKENDS, DEFAULT_BACKEND

#: The fixtures of fakes shared by a scope, by scope (:mod:`pytest_ecr.scopes`).
SHARED_FIXTURES = {"class": "ecr_class", "module": "ecr_module", "session": "ecr_session"}

#: What a fault armed by a test that never fired does at teardown.
UNFIRED_MODES = ("warn", "error", "ignore")

MARKERS = {
    "ecr_registry": (
        "ecr_registry(*sources): registry state for this test — YAML file paths (relative "
        "to the test file), mappings or YAML text, merged in order. Overrides "
        "--ecr-registry and the ecr_registry ini key. Turns the fake ECR on for the test."
    ),
    "ecr_fault": (
        "ecr_fault(operation=None, **spec): inject one ECR fault (stack several) — match "
        "on repository/image/region/account; effect error=/failure=/connection=/latency=; "
        "when times=/after=/every=/probability=. Faults act below botocore's retry loop."
    ),
    "ecr_backend": (
        f"ecr_backend(name): what answers this test's ECR requests — one of "
        f"{', '.join(repr(b) for b in BACKENDS)} (default {DEFAULT_BACKEND!r}); 'moto' seeds "
        "moto's ECR from the declared registry so other moto-mocked services see its "
        "images. Overrides --ecr-backend and the ecr_backend ini key. Turns the fake ECR "
        "on for the test."
    ),
    "ecr_lifecycle": (
        "ecr_lifecycle(days_later=0, repository=None): at set-up, move the fake's clock on "
        "by days_later days and run the declared lifecycle policies (one repository's "
        "only, with repository=): the images they expire are gone for the test. Turns the "
        "fake ECR on."
    ),
}
# Not in _MARKERS: it opens the network guard for a test and turns no fake on.
ALLOW_NETWORK = (
    "ecr_allow_network",
    "ecr_allow_network: let this test's ECR requests that no fake answers reach AWS "
    "(the network guard stops them otherwise). For integration tests that mean to call "
    "AWS; turns no fake on.",
)


class Settings(NamedTuple):
    """The session's settings, read once as pytest configures (a bad one is a usage error
    then, not at some test's teardown)."""

    seed: int
    backend: str
    unfired_faults: str
    real_time: bool
    #: ``--setup-plan``: pytest runs no fixture, so no fake starts either.
    plan_only: bool


def marker_problem(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """What is wrong with the arguments an ``ecr_*`` marker *name* was given, or ``None``."""
    if name == "ecr_registry":
        if kwargs:
            return (
                "ecr_registry takes sources as positional arguments, "
                f"got keyword(s) {', '.join(sorted(kwargs))}"
            )
        wrong = next((a for a in args if not isinstance(a, (str, os.PathLike, dict))), None)
        if wrong is not None:
            return (
                "ecr_registry sources are file paths, mappings or YAML text; "
                f"got {type(wrong).__name__}"
            )
    elif name == "ecr_backend" and (kwargs or len(args) != 1):
        return (
            "ecr_backend takes exactly one backend name, e.g. "
            f"@pytest.mark.ecr_backend('moto') (one of: {', '.join(BACKENDS)})"
        )
    elif name == "ecr_fault" and len(args) > 1:
        return f"ecr_fault takes at most one positional argument (the operation), got {len(args)}"
    return None


def add_options(parser: Any) -> None:
    """Register the ``--ecr-*`` options and ``ecr_*`` ini keys on pytest's *parser*."""
    group = parser.getgroup("ecr", "pytest-ecr (fake Amazon ECR)")
    group.addoption(
        "--ecr-registry",
        action="append",
        default=[],
        metavar="PATH",
        dest="ecr_registry",
        help="YAML registry declaration loaded for every test that uses the fake ECR "
        "(repeatable; relative to the current directory). Overrides the ini key; an "
        "ecr_registry marker overrides both.",
    )
    group.addoption(
        "--ecr-backend",
        default=None,
        metavar="NAME",
        dest="ecr_backend",
        help=f"what answers ECR requests: {' or '.join(BACKENDS)} (default: the ecr_backend "
        f"ini key, else {DEFAULT_BACKEND}); an ecr_backend marker overrides it. 'moto' needs "
        "pytest-ecr[moto].",
    )
    group.addoption(
        "--ecr-seed",
        type=int,
        default=None,
        metavar="N",
        dest="ecr_seed",
        help="seed for probability= faults (default: random, printed in the report header); "
        "the same seed replays the same faults.",
    )
    group.addoption(
        "--ecr-guard",
        choices=("on", "off"),
        default=None,
        dest="ecr_guard",
        help="on: an ECR or ECR Public request that no fake answers fails at once with a "
        "clear error instead of reaching AWS; off: it goes out (default: the ecr_guard ini "
        "key, else on). The ecr_allow_network marker opens the guard for one test.",
    )
    group.addoption(
        "--ecr-real-time",
        action="store_true",
        default=None,
        dest="ecr_real_time",
        help="sleep botocore's retry backoff and injected latency for real instead of "
        "recording them on the fake's virtual clock.",
    )
    group.addoption(
        "--ecr-unfired-faults",
        choices=UNFIRED_MODES,
        default=None,
        dest="ecr_unfired_faults",
        help="what a fault armed by a test (ecr_fault marker, ecr.fault()) that never fired "
        "does at teardown: warn (default), error (the test errors) or ignore.",
    )
    _add_ini(parser)


def _add_ini(parser: Any) -> None:
    parser.addini(
        "ecr_unfired_faults",
        type="string",
        default="warn",
        help="pytest-ecr: warn, error or ignore a fault that a test armed and that never "
        "fired (default warn).",
    )
    parser.addini(
        "ecr_registry",
        type="linelist",
        default=[],
        help="pytest-ecr: YAML registry declaration(s) loaded for every test that uses the "
        "fake ECR (relative to the ini file).",
    )
    parser.addini(
        "ecr_guard",
        type="bool",
        default=True,
        help="pytest-ecr: stop ECR requests that no fake answers before they reach AWS "
        "(default true).",
    )
    parser.addini(
        "ecr_real_time",
        type="bool",
        default=False,
        help="pytest-ecr: real sleeps instead of the virtual clock (default false).",
    )
    parser.addini(
        "ecr_backend",
        type="string",
        default=DEFAULT_BACKEND,
        help=f"pytest-ecr: default backend ({' or '.join(BACKENDS)}; default {DEFAULT_BACKEND}).",
    )
