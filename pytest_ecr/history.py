"""Recorded ECR calls: one entry per attempt, whichever transport carried it."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, overload

from pytest_ecr._frames import hide_usage_errors
from pytest_ecr.report import assertion_message, call_lines, describe_call
from pytest_ecr.service.operation_names import canonical_operation

# A failed assertion or a misspelt operation name shows the test's line, not these frames.
__tracebackhide__ = hide_usage_errors


class Call:
    """One attempt of one ECR operation, as the fake saw and answered it.

    ``params`` are the input members as decoded from the request, ``response`` the output
    members answered and ``error`` the error body answered; each is the object the fake
    worked with, never re-encoded. ``transport`` says what carried it: ``"botocore"``
    (the in-process hook), ``"http"`` (the ECR API on the HTTP endpoint) or
    ``"registry"`` (a registry request, answered as this operation).
    """

    __slots__ = (
        "account",
        "attempt",
        "error",
        "extra",
        "fault",
        "number",
        "operation",
        "params",
        "region",
        "response",
        "status",
        "transport",
    )

    def __init__(
        self,
        operation: str,
        params: Mapping[str, Any],
        region: str,
        account: str,
        attempt: int = 1,
        transport: str = "botocore",
        response: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
        status: int = 200,
        fault: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        #: The operation's name, e.g. ``"BatchGetImage"``.
        self.operation = operation
        #: The request's input members, as sent.
        self.params: Mapping[str, Any] = params
        #: The region the request was signed for (or the fake's default region).
        self.region = region
        #: The caller's account.
        self.account = account
        #: botocore's attempt number (1 for the first try).
        self.attempt = attempt
        #: What carried the request: ``"botocore"`` (the in-process hook), ``"aiobotocore"``
        #: (the same for an aiobotocore or aioboto3 client), ``"http"``, ``"stubber"``.
        self.transport = transport
        #: The output members answered (``None`` for an error or a dropped connection).
        self.response: Mapping[str, Any] | None = response
        #: The error body answered, ``{"__type": code, "message": text}``, if any.
        self.error: Mapping[str, Any] | None = error
        #: The HTTP status answered (0 for a dropped connection).
        self.status = status
        #: The description of the fault that acted on this attempt, if one did.
        self.fault = fault
        #: Transport- or backend-specific details (``connection``, ``backend``...).
        self.extra: Mapping[str, Any] = dict(extra) if extra else {}
        #: Its place in the test's call history (1 for the first call; 0 until recorded):
        #: the number failure messages and the "ECR calls" report section show.
        self.number = 0

    def __repr__(self) -> str:
        return f"<Call {self.describe()}>"

    @property
    def ok(self) -> bool:
        """Whether the attempt was answered without an error or a dropped connection."""
        return self.error is None and "connection" not in self.extra

    @property
    def error_code(self) -> str | None:
        """The error code answered (``__type``), or ``None``."""
        return None if self.error is None else str(self.error.get("__type"))

    def describe(self) -> str:
        """``Operation(attempt N, region) params=... -> outcome [fault: ...]``, with long
        values abridged (a manifest by its digest and size, a long list by its length); a
        call the registry API made says so: ``Operation(attempt N, region, registry)``."""
        return describe_call(self)


class EcrCallAssertionError(AssertionError):
    """A failed expectation about recorded ECR calls (also an ``AssertionError``).

    ``calls`` are the calls its message lists (the report's "ECR calls" section then
    leaves them out, so each call is printed once)."""

    def __init__(self, message: str, calls: Sequence[Call] = ()) -> None:
        super().__init__(message)
        self.calls: tuple[Call, ...] = tuple(calls)


def matches(expected: Any, actual: Any) -> bool:
    """Partial match: every key of an expected mapping must match; lists match item by
    item; anything else must be equal."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and matches(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(actual, (list, tuple))
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


class CallList:
    """A filtered, read-only sequence of recorded calls (``count`` is a property)."""

    def __init__(self, calls: Sequence[Call], label: str = "ECR") -> None:
        self._calls = list(calls)
        self._label = label

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> CallList: ...
    def __getitem__(self, index: int | slice) -> Call | CallList:
        if isinstance(index, slice):
            return CallList(self._calls[index], self._label)
        return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self._calls)

    def __repr__(self) -> str:
        return f"<CallList {self._label}: {len(self._calls)} call(s)>"

    @property
    def count(self) -> int:
        """How many calls are in this list."""
        return len(self._calls)

    @property
    def last(self) -> Call:
        """The most recent call; an assertion error when there is none."""
        if not self._calls:
            raise AssertionError(f"expected at least one {self._label} call, got none")
        return self._calls[-1]

    def describe(self) -> str:
        """One numbered line per call, as the failure report shows them."""
        if not self._calls:
            return f"no {self._label} calls"
        return "\n".join(call_lines(self._calls))

    def where(self, **params: Any) -> CallList:
        """The calls whose params include *params* (partial match)."""
        return CallList([c for c in self._calls if matches(params, c.params)], self._label)

    @property
    def attempts(self) -> list[int]:
        """The attempt number of each call, in order (``[1, 2, 3]`` for two retries)."""
        return [c.attempt for c in self._calls]

    def _fail(
        self, headline: str, expected: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> None:
        __tracebackhide__ = True
        message = assertion_message(headline, self._label, self._calls, expected, compare_last=last)
        raise EcrCallAssertionError(message, self._calls)

    def assert_called(self, times: int | None = None) -> None:
        """At least one call, or exactly *times* calls."""
        __tracebackhide__ = True
        if times is None and not self._calls:
            self._fail(f"expected {self._label} to be called")
        if times is not None and len(self._calls) != times:
            self._fail(
                f"expected {self._label} to be called {times} time(s), got {len(self._calls)}"
            )

    def assert_not_called(self) -> None:
        """No call at all."""
        __tracebackhide__ = True
        if self._calls:
            self._fail(f"expected {self._label} not to be called, got {len(self._calls)} call(s)")

    def assert_called_with(self, **params: Any) -> None:
        """The last call's params include *params*."""
        __tracebackhide__ = True
        if not self._calls or not matches(params, self._calls[-1].params):
            self._fail(f"expected the last {self._label} call to match", params, last=True)

    def assert_any_call(self, **params: Any) -> None:
        """Some call's params include *params*."""
        __tracebackhide__ = True
        if not any(matches(params, c.params) for c in self._calls):
            self._fail(f"expected some {self._label} call to match", params)


class History:
    """Thread-safe append-only log of calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            call.number = len(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def calls(self, operation: str | None = None, installed: Collection[str] = ()) -> CallList:
        """Every recorded call, or those of *operation*: an API name (``BatchGetImage``)
        or a client method name (``batch_get_image``). An unknown name raises
        :class:`~pytest_ecr.service.operation_names.UnknownOperationError` (a ``ValueError``)
        with a "did you mean", so an assertion cannot pass on a misspelt name.
        *installed*: the installed botocore's ECR API names, accepted too."""
        name = None if operation is None else canonical_operation(operation, installed)
        with self._lock:
            snapshot = list(self._calls)
        if name is None:
            return CallList(snapshot)
        return CallList([c for c in snapshot if c.operation == name], name)
