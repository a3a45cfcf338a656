"""Armed faults: matching each attempt, counting under threads, seeded probability, and
splitting per-image failures off a request."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_ecr.faults.spec import FaultSpec
from pytest_ecr.model import DEFAULT_FAILURE_REASONS
from pytest_ecr.service.catalogue import FAILURE_OPERATIONS, default_error_message, error_status
from pytest_ecr.service.errors import EcrError


@dataclass(slots=True)
class Injection:
    """What the armed faults decided for one attempt."""

    error: FaultSpec | None = None
    failures: list[FaultSpec] = field(default_factory=list)
    connection: FaultSpec | None = None
    latency: float = 0.0
    fired: list[FaultSpec] = field(default_factory=list)

    def describe(self) -> str | None:
        return "; ".join(spec.describe() for spec in self.fired) or None


#: What :meth:`FaultSet.decide` returns when no fault is armed: never mutated, shared.
NO_INJECTION = Injection()


class UnfiredFaultWarning(UserWarning):
    """A fault a test armed never fired: the test did not exercise what it meant to
    (reported at teardown; ``--ecr-unfired-faults`` / ini ``ecr_unfired_faults``)."""


class ArmedFault:
    """A spec plus its counters for one test."""

    __slots__ = ("fired", "matched", "spec")

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.matched = 0
        self.fired = 0

    def should_fire(self, rng: random.Random) -> bool:
        """Count one matching attempt and decide (call with the fault set's lock held)."""
        spec = self.spec
        self.matched += 1
        position = self.matched - spec.after  # 1-based among attempts past `after`
        if position < 1:
            return False
        if spec.every is not None and position % spec.every != 0:
            return False
        if spec.times is not None and self.fired >= spec.times:
            return False
        if spec.probability is not None and rng.random() >= spec.probability:
            return False
        self.fired += 1
        return True


class FaultSet:
    """The faults armed for one test, decided under one lock."""

    def __init__(self, seed: int | str = 0) -> None:
        self._lock = threading.Lock()
        self._faults: list[ArmedFault] = []
        self._rng = random.Random(seed)

    def add(self, spec: FaultSpec) -> ArmedFault:
        armed = ArmedFault(spec)
        with self._lock:
            self._faults.append(armed)
        return armed

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def reseed(self, seed: int | str) -> None:
        with self._lock:
            self._rng = random.Random(seed)

    @property
    def empty(self) -> bool:
        """Whether no fault is armed (read without the lock: one list's truth value)."""
        return not self._faults

    @property
    def armed(self) -> list[ArmedFault]:
        with self._lock:
            return list(self._faults)

    def unfired(self, exclude: Sequence[FaultSpec] = ()) -> list[ArmedFault]:
        """Armed faults that never fired, but for those of *exclude* (by identity) and
        ``probability`` faults that matched (not firing is then chance)."""
        excluded = {id(spec) for spec in exclude}
        return [
            armed
            for armed in self.armed
            if armed.fired == 0
            and id(armed.spec) not in excluded
            and not (armed.spec.probability is not None and armed.matched)
        ]

    def decide(
        self, operation: str, params: Mapping[str, Any], region: str, account: str
    ) -> Injection:
        if not self._faults:
            return NO_INJECTION
        injection = Injection()
        with self._lock:
            for armed in self._faults:
                spec = armed.spec
                if not spec.matches(operation, params, region, account):
                    continue
                # A request-level effect already chosen wins; later specs are not counted.
                if (spec.error or spec.connection) and (injection.error or injection.connection):
                    continue
                if spec.failure is not None and operation not in FAILURE_OPERATIONS:
                    continue
                if not armed.should_fire(self._rng):
                    continue
                injection.fired.append(spec)
                if spec.latency:
                    injection.latency += spec.latency
                if spec.error is not None:
                    injection.error = spec
                elif spec.connection is not None:
                    injection.connection = spec
                elif spec.failure is not None:
                    injection.failures.append(spec)
        return injection


def failure_reason(spec: FaultSpec) -> str:
    assert spec.failure is not None
    return spec.reason or DEFAULT_FAILURE_REASONS[spec.failure]


class ConnectionFault(Exception):
    """Raised by the fake for a ``connection`` fault; each transport turns it into what
    its clients see (botocore's own connection exceptions, or a dropped socket)."""

    def __init__(self, kind: str, spec: FaultSpec) -> None:
        super().__init__(f"injected connection fault: {kind}")
        self.kind = kind
        self.spec = spec


def apply_failures(
    operation: str, params: Mapping[str, Any], specs: list[FaultSpec]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split a per-image request: ids that an injected failure takes, and the rest.

    Returns the params to pass on (without the failing ids) and the failure entries to
    add to the answer. Taking the ids out before the service runs means a failed
    BatchDeleteImage id deletes nothing, as a real per-image failure would.
    """
    ids = params.get("imageIds")
    if not isinstance(ids, list) or not specs:
        return dict(params), []
    kept: list[Any] = []
    failures: list[dict[str, Any]] = []
    for ident in ids:
        spec = next(
            (
                s
                for s in specs
                if (s.image_tag is None and s.image_digest is None) or s.matches_image(ident)
            ),
            None,
        )
        if spec is None or not isinstance(ident, Mapping):
            kept.append(ident)
            continue
        echo = {k: ident[k] for k in ("imageDigest", "imageTag") if k in ident}
        failures.append(
            {"imageId": echo, "failureCode": spec.failure, "failureReason": failure_reason(spec)}
        )
    return {**params, "imageIds": kept}, failures


def empty_result(operation: str) -> dict[str, Any]:
    """The answer of a per-image operation whose every id an injected failure took."""
    if operation == "BatchDeleteImage":
        return {"imageIds": [], "failures": []}
    return {"images": [], "failures": []}


def injected_error(
    spec: FaultSpec, operation: str, params: Mapping[str, Any], region: str, account: str
) -> EcrError:
    """The error an error fault (*spec*) answers *operation* with: the spec's message and
    status, else the catalogue's default text and status for the error."""
    assert spec.error is not None
    repository = params.get("repositoryName")
    message = spec.message or default_error_message(
        spec.error,
        operation,
        repository if isinstance(repository, str) else None,
        str(params.get("registryId") or account),
        region,
    )
    return EcrError(spec.error, message, spec.status or error_status(spec.error))
