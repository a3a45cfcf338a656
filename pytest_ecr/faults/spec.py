"""Fault specs: what to break, when, and how — one shape for the ``ecr_fault`` marker,
YAML ``faults:`` entries and ``ecr.fault(...)``.

A spec is validated once, when it is declared (so a typo is an error at test set-up that
names the marker or the file and line), then matched against every attempt the fake
answers. Counting is per spec and thread-safe: ``times: 100`` injects exactly 100 faults
however many threads call.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from pytest_ecr._frames import hide_usage_errors
from pytest_ecr._literals import EcrErrorCode, EcrOperation, ImageFailureCode
from pytest_ecr.model import IMAGE_FAILURE_CODES, is_valid_digest
from pytest_ecr.service.catalogue import (
    ANY_OPERATION_ERRORS,
    COMMON_ERRORS,
    FAILURE_CODES_BY_OPERATION,
    FAILURE_OPERATIONS,
    OPERATION_ERRORS,
)
from pytest_ecr.service.catalogue import (
    default_error_message as default_error_message,
)
from pytest_ecr.service.operation_names import known_operation, suggest_operation

# A usage error raised here shows the caller's line, not these frames.
__tracebackhide__ = hide_usage_errors

ConnectionKind = Literal["reset", "timeout", "endpoint"]
CONNECTION_KINDS: tuple[str, ...] = ("reset", "timeout", "endpoint")

#: What a fault is made of, as a declaration problem's hint.
FAULT_HINT = (
    "a fault has one effect (error, failure, connection or latency), optional match fields "
    "(operation, repository, image, region, account) and timing (times, after, every, "
    "probability)"
)


class FaultSpecError(ValueError):
    """A fault spec that cannot work; the message lists every problem and where it is."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        self.origin = origin
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"bad ECR fault spec ({origin}):\n{lines}")


class FaultKwargs(TypedDict, total=False):
    """The keyword arguments of ``ecr_fault``, ``ecr.fault()`` and YAML ``faults:``."""

    operation: EcrOperation
    repository: str
    image: str
    region: str
    account: str
    error: EcrErrorCode
    message: str
    status: int
    failure: ImageFailureCode
    reason: str
    connection: ConnectionKind
    latency: float
    times: int
    after: int
    every: int
    probability: float


FAULT_KEYS: tuple[str, ...] = tuple(FaultKwargs.__annotations__)


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One validated fault: a match, one effect, and when it fires."""

    origin: str
    operation: str | None = None
    repository: str | None = None
    image_tag: str | None = None
    image_digest: str | None = None
    region: str | None = None
    account: str | None = None
    error: str | None = None
    message: str | None = None
    status: int | None = None
    failure: str | None = None
    reason: str | None = None
    connection: str | None = None
    latency: float | None = None
    times: int | None = None
    after: int = 0
    every: int | None = None
    probability: float | None = None

    @property
    def effect(self) -> str:
        if self.error is not None:
            return f"error {self.error}"
        if self.failure is not None:
            return f"failure {self.failure}"
        if self.connection is not None:
            return f"connection {self.connection}"
        return f"latency {self.latency}s"

    def describe(self) -> str:
        where = self.operation or "any operation"
        return f"{self.effect} on {where} ({self.origin})"

    def matches(self, operation: str, params: Mapping[str, Any], region: str, account: str) -> bool:
        if self.operation is not None and self.operation != operation:
            return False
        if self.region is not None and self.region != region:
            return False
        if self.account is not None and self.account != params.get("registryId", account):
            return False
        if self.repository is not None and self.repository != params.get("repositoryName"):
            return False
        if self.image_tag is None and self.image_digest is None:
            return True
        return any(self.matches_image(ident) for ident in _image_ids(params))

    def matches_image(self, ident: Any) -> bool:
        if not isinstance(ident, Mapping):
            return False
        if self.image_tag is not None and ident.get("imageTag") != self.image_tag:
            return False
        return self.image_digest is None or ident.get("imageDigest") == self.image_digest


def _image_ids(params: Mapping[str, Any]) -> list[Any]:
    ids = params.get("imageIds")
    if isinstance(ids, list):
        return ids
    tag = params.get("imageTag")  # PutImage
    return [{"imageTag": tag}] if tag is not None else []


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Target(TypedDict):
    repository: str | None
    image_tag: str | None
    image_digest: str | None


class _Effect(TypedDict):
    error: str | None
    message: str | None
    status: int | None
    failure: str | None
    reason: str | None
    connection: str | None
    latency: float | None


class _Timing(TypedDict):
    times: int | None
    after: int
    every: int | None
    probability: float | None


class _Reader:
    """Reads the fields of one raw spec, noting every problem instead of stopping at one."""

    __slots__ = ("problems", "spec")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.problems: list[str] = []

    def text(self, key: str) -> str | None:
        value = self.spec.get(key)
        if value is not None and not isinstance(value, str):
            self.problems.append(f"{key!r} must be a string, got {type(value).__name__}")
            return None
        return value

    def count(self, key: str, low: int) -> int | None:
        value = self.spec.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.problems.append(f"{key!r} must be an integer >= {low}, got {value!r}")
            return None
        return value

    def number(self, key: str, low: float, high: float | None = None) -> float | None:
        value = self.spec.get(key)
        if value is None:
            return None
        too_high = high is not None and isinstance(value, (int, float)) and value > high
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value < low
            or too_high
        ):
            bound = f"between {low} and {high}" if high is not None else f">= {low}"
            self.problems.append(f"{key!r} must be a number {bound}, got {value!r}")
            return None
        return float(value)


def _check_keys(spec: Mapping[str, Any], problems: list[str]) -> None:
    for key in spec:
        if key not in FAULT_KEYS:
            problems.append(
                f"unknown key {key!r} (expected one of: {', '.join(FAULT_KEYS)})"
                + _suggest(str(key), FAULT_KEYS)
            )


def _operation(read: _Reader, installed: Collection[str]) -> str | None:
    operation = read.text("operation")
    if operation is None:
        return None
    # A client method name (``batch_get_image``) names its operation.
    found = known_operation(operation, installed)
    if found is not None:
        return found
    read.problems.append(
        f"unknown operation {operation!r} (an ECR API name such as 'BatchGetImage', or a "
        "client method such as 'batch_get_image')" + suggest_operation(operation, installed)
    )
    return None


def _target(read: _Reader) -> _Target:
    """The ``repository`` and ``image`` match fields, as repository, tag and digest."""
    repository = read.text("repository")
    image = read.text("image")
    image_tag = image_digest = None
    if image is not None:
        repo_part, sep, ref = image.partition("@")
        if sep:
            if not is_valid_digest(ref):
                read.problems.append(f"'image' digest {ref!r} is not of the form sha256:<hex>")
            image_digest = ref
        else:
            repo_part, sep, ref = image.rpartition(":")
            if not sep or not repo_part or not ref:
                read.problems.append(
                    f"'image' must be 'repository:tag' or 'repository@sha256:...', got {image!r}"
                )
            image_tag = ref
        if repository is not None and repo_part and repository != repo_part:
            read.problems.append(
                f"'image' names repository {repo_part!r} but 'repository' is {repository!r}"
            )
        repository = repository or repo_part or None
    return {"repository": repository, "image_tag": image_tag, "image_digest": image_digest}


def _check_one_effect(effects: Mapping[str, object], problems: list[str]) -> None:
    given = [key for key, value in effects.items() if value is not None]
    if not given:
        problems.append("no effect: give one of 'error', 'failure', 'connection', 'latency'")
    elif len(given) > 1 and not (len(given) == 2 and "latency" in given):
        problems.append(f"one effect per fault (latency may join one), got {', '.join(given)}")


def _check_error(error: str, operation: str | None, problems: list[str]) -> None:
    if operation is None or operation not in OPERATION_ERRORS:
        # No operation, or one only a botocore newer than pytest-ecr's tables has.
        allowed = ANY_OPERATION_ERRORS
    else:
        allowed = (*OPERATION_ERRORS[operation], *COMMON_ERRORS)
    if error not in allowed:
        problems.append(
            f"{operation or 'an ECR operation'} cannot return {error!r} "
            f"(expected one of: {', '.join(allowed)})" + _suggest(error, allowed)
        )


def _check_failure(failure: str, operation: str | None, problems: list[str]) -> None:
    if operation is not None and operation not in FAILURE_OPERATIONS:
        problems.append(
            f"{operation} has no per-image results; 'failure' works on "
            f"{' and '.join(sorted(FAILURE_OPERATIONS))} (use 'error' instead)"
        )
    codes = FAILURE_CODES_BY_OPERATION.get(operation or "BatchGetImage", IMAGE_FAILURE_CODES)
    if failure not in IMAGE_FAILURE_CODES:
        problems.append(
            f"unknown image failure code {failure!r} (expected one of: "
            f"{', '.join(IMAGE_FAILURE_CODES)})" + _suggest(failure, IMAGE_FAILURE_CODES)
        )
    elif failure not in codes:
        problems.append(f"{operation} never reports failure code {failure!r}")


def _check_connection(connection: str, problems: list[str]) -> None:
    if connection not in CONNECTION_KINDS:
        problems.append(
            f"'connection' must be one of: {', '.join(CONNECTION_KINDS)}; got "
            f"{connection!r}" + _suggest(connection, CONNECTION_KINDS)
        )


def _effect(read: _Reader, operation: str | None) -> _Effect:
    """The effect fields (``error`` with ``message``/``status``, ``failure`` with
    ``reason``, ``connection``, ``latency``), each checked against *operation*."""
    problems = read.problems
    error, failure, connection = read.text("error"), read.text("failure"), read.text("connection")
    latency = read.number("latency", 0.0)
    _check_one_effect(
        {"error": error, "failure": failure, "connection": connection, "latency": latency},
        problems,
    )
    if error is not None:
        _check_error(error, operation, problems)
    status = read.count("status", 100)
    if status is not None and status > 599:
        problems.append(f"'status' must be an HTTP status (100..599), got {status}")
    message = read.text("message")
    if (message is not None or status is not None) and error is None:
        problems.append("'message' and 'status' go with 'error'")
    reason = read.text("reason")
    if failure is not None:
        _check_failure(failure, operation, problems)
    elif reason is not None:
        problems.append("'reason' goes with 'failure'")
    if connection is not None:
        _check_connection(connection, problems)
    return {
        "error": error,
        "message": message,
        "status": status,
        "failure": failure,
        "reason": reason,
        "connection": connection,
        "latency": latency,
    }


def _timing(read: _Reader) -> _Timing:
    """When the fault fires: ``times``, ``after``, ``every`` and ``probability``."""
    times, after, every = read.count("times", 1), read.count("after", 0), read.count("every", 1)
    probability = read.number("probability", 0.0, 1.0)
    return {"times": times, "after": after or 0, "every": every, "probability": probability}


def parse_fault(spec: Mapping[str, Any], origin: str, installed: Collection[str] = ()) -> FaultSpec:
    """Validate *spec* and build a :class:`FaultSpec`; :class:`FaultSpecError` lists all
    problems, naming *origin* (a marker and test id, or ``file:line``). *installed*: the
    API names of the installed botocore's ECR model, accepted as operations too."""
    read = _Reader(spec)
    _check_keys(spec, read.problems)
    operation = _operation(read, installed)
    target = _target(read)
    effect = _effect(read, operation)
    timing = _timing(read)
    region, account = read.text("region"), read.text("account")
    if read.problems:
        raise FaultSpecError(origin, read.problems)
    return FaultSpec(
        origin=origin,
        operation=operation,
        region=region,
        account=account,
        **target,
        **effect,
        **timing,
    )
