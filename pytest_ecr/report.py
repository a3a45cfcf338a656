"""How recorded ECR calls read in a failure: each call once, long values abridged, the
keys that differ from an expectation, and hints a bare ECR answer cannot give.

Pure formatting, no pytest: :mod:`pytest_ecr.history` words its assertion errors with it,
and the plugin its "ECR calls" report section (:func:`calls_section`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pytest_ecr.model import RegistryState


class Call(Protocol):
    """What is read of a :class:`pytest_ecr.history.Call` (which imports this module)."""

    operation: str
    params: Mapping[str, Any]
    region: str
    account: str
    attempt: int
    transport: str
    error: Mapping[str, Any] | None
    status: int
    fault: str | None
    extra: Mapping[str, Any]
    number: int

    @property
    def error_code(self) -> str | None: ...


#: A string longer than this (an UploadLayerPart's base64 ``layerPartBlob``, a policy
#: text) is shown by its start and length.
STRING_MAX = 200
#: A list longer than this (``acceptedMediaTypes``, 100 ``imageIds``) is shown by its
#: first :data:`LIST_HEAD` items and its length.
LIST_MAX = 3
LIST_HEAD = 2
#: Members holding an image manifest: shown by digest and size, never whole.
MANIFEST_KEYS = frozenset({"imageManifest"})
#: A failure message lists at most this many calls (the first and last ones, and the one
#: compared with the expectation).
CALLS_MAX = 20


def shown(value: Any, key: str | None = None) -> str:
    """*value* as a failure message shows it: a ``repr`` with manifests replaced by their
    digest and size, long strings by their start and length, long lists by their first
    items and length (at any depth)."""
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k!r}: {shown(v, str(k))}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, (list, tuple)):
        if len(value) > LIST_MAX:
            head = ", ".join(shown(item) for item in value[:LIST_HEAD])
            return f"[{head}, ... {len(value)} items]"
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if isinstance(value, str):
        if key in MANIFEST_KEYS:
            raw = value.encode("utf-8")
            return f"<manifest sha256:{hashlib.sha256(raw).hexdigest()}, {len(raw)} bytes>"
        if len(value) > STRING_MAX:
            return f"{value[:40]!r}... ({len(value)} characters)"
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    return repr(value)


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """One line per difference between *expected* and *actual* under the partial match of
    :func:`pytest_ecr.history.matches` (a mapping's missing keys, a list's length, unequal
    leaves), each named by its path (``imageIds[0].imageTag``); empty when they match."""
    where = path or "params"
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{where}: expected a mapping {shown(expected)}, got {shown(actual)}"]
        lines: list[str] = []
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                lines.append(f"{sub}: expected {shown(value, str(key))}, but the call has no {key}")
            else:
                lines.extend(_leaf_or_deeper(value, actual[key], sub, str(key)))
        return lines
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            return [f"{where}: expected a list {shown(expected)}, got {shown(actual)}"]
        if len(expected) != len(actual):
            return [
                f"{where}: expected {len(expected)} item(s) {shown(expected)}, "
                f"got {len(actual)} {shown(actual)}"
            ]
        return [
            line
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for line in differences(e, a, f"{path}[{i}]")
        ]
    return (
        [] if expected == actual else [f"{where}: expected {shown(expected)}, got {shown(actual)}"]
    )


def _leaf_or_deeper(expected: Any, actual: Any, path: str, key: str) -> list[str]:
    if isinstance(expected, (Mapping, list, tuple)):
        return differences(expected, actual, path)
    if expected == actual:
        return []
    return [f"{path}: expected {shown(expected, key)}, got {shown(actual, key)}"]


def describe_call(call: Call) -> str:
    """``Operation(attempt N, region) params={...} -> outcome [fault: ...]``, abridged."""
    if call.error is not None:
        outcome = f"{call.status} {call.error_code}"
    elif "connection" in call.extra:
        outcome = f"connection {call.extra['connection']}"
    else:
        outcome = "200 OK"
    if call.fault:
        outcome += f" [fault: {call.fault}]"
    via = ", registry" if call.transport == "registry" else ""
    return (
        f"{call.operation}(attempt {call.attempt}, {call.region}{via}) "
        f"params={shown(call.params)} -> {outcome}"
    )


def call_lines(calls: Sequence[Call], marked: Call | None = None, mark: str = "") -> list[str]:
    """One numbered line per call (its number in the test's history), *marked* flagged
    with *mark*; past :data:`CALLS_MAX` calls, the middle ones are left out (never
    *marked*)."""
    keep: list[int] = list(range(len(calls)))
    if len(calls) > CALLS_MAX:
        half = CALLS_MAX // 2
        keep = [*range(half), *range(len(calls) - half, len(calls))]
        if marked is not None:
            keep = sorted({*keep, *(i for i, c in enumerate(calls) if c is marked)})
    lines: list[str] = []
    previous = -1
    for i in keep:
        if i != previous + 1:
            lines.append(f"  ... {i - previous - 1} call(s) left out")
        call = calls[i]
        flag = f"   <- {mark}" if call is marked and mark else ""
        lines.append(f"  {call.number or i + 1}. {describe_call(call)}{flag}")
        previous = i
    return lines


def closest(expected: Mapping[str, Any], calls: Sequence[Call]) -> Call:
    """The call with the fewest differences from *expected* (the latest among equals)."""
    return min(reversed(calls), key=lambda call: len(differences(expected, call.params)))


def assertion_message(
    headline: str,
    label: str,
    calls: Sequence[Call],
    expected: Mapping[str, Any] | None = None,
    *,
    compare_last: bool = False,
) -> str:
    """The text of a failed call assertion: the headline, the expectation, each call of
    *calls* once, and the differing keys of the last call (*compare_last*) or the closest."""
    lines = [headline]
    if expected is not None:
        lines.append(f"expected params (partial match): {shown(dict(expected))}")
    if not calls:
        lines.append(f"no {label} calls were recorded")
        return "\n".join(lines)
    compared = None
    if expected:
        compared = calls[-1] if compare_last else closest(expected, calls)
    mark = "last" if compare_last else "closest"
    lines.append(f"{label} calls ({len(calls)}):")
    lines.extend(call_lines(calls, compared, mark if compared is not None else ""))
    if compared is not None and expected is not None:
        which = "the last call" if compare_last else "the closest call"
        lines.append(f"differences from {which} (#{compared.number or len(calls)}):")
        lines.extend(f"  {line}" for line in differences(expected, compared.params))
    return "\n".join(lines)


def region_hints(calls: Iterable[Call], registry: RegistryState) -> list[str]:
    """For each call answered ``RepositoryNotFoundException``: where the fake does have a
    repository of that name (another region, another account) — the usual cause is a
    client made for the wrong region, which real ECR answers just as faithfully."""
    hints = []
    for call in calls:
        name = call.params.get("repositoryName")
        if call.error_code != "RepositoryNotFoundException" or not isinstance(name, str):
            continue
        account = str(call.params.get("registryId") or call.account)
        elsewhere = [
            repo
            for repo in registry.repositories()
            if repo.name == name and (repo.registry_id, repo.region) != (account, call.region)
        ]
        for repo in elsewhere:
            place = (
                repo.region
                if repo.registry_id == account
                else (f"{repo.region}, account {repo.registry_id}")
            )
            hints.append(
                f"note: call {call.number} ({call.operation}) asked for repository {name!r} in "
                f"{call.region} (account {account}), which has none; the fake has one in "
                f"{place}. Is the client's region (or registryId) the one meant?"
            )
    return hints


def calls_section(
    calls: Sequence[Call], registry: RegistryState | None, listed: Sequence[Call] = ()
) -> str | None:
    """The "ECR calls" section of a failed test's report: every call not already *listed*
    by the failure's own message, and the :func:`region_hints`; ``None`` when that leaves
    nothing to say."""
    listed_ids = {id(call) for call in listed}
    rest = [call for call in calls if id(call) not in listed_ids]
    hints = region_hints(calls, registry) if registry is not None else []
    if not calls:
        return "no ECR calls"
    lines: list[str] = []
    if listed:
        if not rest and not hints:
            return None
        numbers = ", ".join(str(call.number) for call in listed)
        noun = "calls" if len(listed) > 1 else "call"
        lines.append(f"({noun} {numbers}: listed in the assertion message above)")
    lines.extend(call_lines(rest))
    lines.extend(hints)
    return "\n".join(lines)


def unfired_message(unfired: Sequence[Any]) -> str:
    """What a test is told of the faults it armed that never fired
    (:class:`~pytest_ecr.faults.ArmedFault` objects)."""
    lines = [
        f"  - {armed.spec.describe()}: matched {armed.matched} attempt(s), fired none"
        for armed in unfired
    ]
    return (
        f"{len(unfired)} ECR fault(s) armed by this test never fired (check their match "
        "fields: operation, repository, image, region, account):\n" + "\n".join(lines)
    )


__all__ = [
    "assertion_message",
    "call_lines",
    "calls_section",
    "closest",
    "describe_call",
    "differences",
    "region_hints",
    "shown",
    "unfired_message",
]
