"""Backends: what answers an ECR request once the faults have had their say.

- ``local`` (the default): pytest-ecr's own model and service layer.
- ``moto``: moto's ECR, seeded from the declaration (:mod:`pytest_ecr.backends.moto`), so
  other moto-mocked services in the same test see the declared images.

:mod:`pytest_ecr.backends.stubber` holds the Stubber mode: a ``botocore.stub.Stubber``
whose queued answers the local backend computes.

moto is imported only inside the functions of :mod:`pytest_ecr.backends.moto`, and only
when that backend is chosen; importing this package never imports it.
"""

from __future__ import annotations

import difflib
import importlib.util

#: Every backend name accepted by ``--ecr-backend``, ``ecr_backend`` and ``FakeEcr``.
BACKENDS: tuple[str, ...] = ("local", "moto")
DEFAULT_BACKEND = "local"


class BackendError(ValueError):
    """An unknown backend name, or a backend whose dependency is not installed."""


def check_backend(name: object, origin: str = "backend") -> str:
    """Return *name* if it names a usable backend; raise :class:`BackendError` saying
    what was wrong, where (*origin*), what is accepted and how to fix it."""
    if not isinstance(name, str) or name not in BACKENDS:
        close = difflib.get_close_matches(name, BACKENDS, n=1) if isinstance(name, str) else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise BackendError(
            f"{origin}: unknown ECR backend {name!r} (expected one of: {', '.join(BACKENDS)})"
            + hint
        )
    if name == "moto" and importlib.util.find_spec("moto") is None:
        raise BackendError(
            f"{origin}: the 'moto' ECR backend needs moto, which is not installed; "
            "install it with: pip install 'pytest-ecr[moto]'"
        )
    return name


__all__ = ["BACKENDS", "DEFAULT_BACKEND", "BackendError", "check_backend"]
