"""Shape checks of an image's ``scan:`` mapping: a finished scan, declared.

``scan: {status: COMPLETE, findings: [{name: CVE-2024-1, severity: HIGH}]}`` gives the
image a scan with these findings; ``scan: {severity_counts: {CRITICAL: 1}}`` generates
the findings (stable names and URIs from the image digest and an index);
``scan: {status: FAILED}`` or ``UNSUPPORTED_IMAGE`` declares a scan that ended so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from pytest_ecr.declarations.format import (
    DEFAULT_SCAN_STATUS,
    FINDING_KEYS,
    FINDING_REQUIRED,
    SCAN_KEYS,
)
from pytest_ecr.declarations.problems import describe, expected_hint, join_path
from pytest_ecr.declarations.shapes import MISSING, Report, is_int
from pytest_ecr.declarations.target import Target
from pytest_ecr.declarations.yamlread import INVALID
from pytest_ecr.model.scanning import (
    DECLARED_SCANS_KEY,
    SCAN_KEY,
    SEVERITIES,
    DeclaredScans,
    Finding,
    ImageScan,
    ScanResult,
    generated_findings,
)
from pytest_ecr.model.scanning import (
    OUTCOMES as SCAN_STATUSES,
)

SCAN_EXAMPLE: Final = "write `scan: {severity_counts: {CRITICAL: 1, HIGH: 3}}`"
FINDING_EXAMPLE: Final = "like `- {name: CVE-2024-0001, severity: HIGH}`"


@dataclass(frozen=True, slots=True)
class ScanDeclaration:
    """A declared scan before its image's digest is known."""

    status: str
    findings: tuple[Finding, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()

    def result(self, digest: str) -> ScanResult:
        """What the scan found; generated findings derive from *digest*."""
        if self.counts:
            return ScanResult(self.status, generated_findings(digest, dict(self.counts)))
        return ScanResult(self.status, self.findings)


def _status(report: Report, value: Mapping[Any, Any], where: str) -> str | None:
    status = value.get("status", MISSING)
    if status is MISSING:
        return DEFAULT_SCAN_STATUS
    if status is INVALID:
        return None
    at = join_path(where, "status")
    if not isinstance(status, str):
        report.wrong(value, "status", at, "a string", status, ", ".join(SCAN_STATUSES))
    elif status not in SCAN_STATUSES:
        report.problem(
            value,
            "status",
            at,
            f"unknown scan status {status!r}",
            expected_hint(status, SCAN_STATUSES),
        )
    else:
        return status
    return None


def _text(report: Report, entry: Mapping[Any, Any], key: str, where: str) -> Any:
    """An optional string member of a finding: the text, ``None``, or :data:`INVALID`."""
    value = entry.get(key, MISSING)
    if value is MISSING:
        return None
    if value is INVALID:
        return INVALID
    if isinstance(value, str) and value:
        return value
    report.wrong(entry, key, join_path(where, key), "a non-empty string", value)
    return INVALID


def _finding(report: Report, parent: Any, index: int, entry: Any, where: str) -> Finding | None:
    if entry is INVALID:
        return None
    if not isinstance(entry, Mapping):
        report.problem(
            parent,
            index,
            where,
            f"a finding must be a mapping, found {describe(entry)}",
            FINDING_EXAMPLE,
        )
        return None
    report.unknown_keys(entry, where, FINDING_KEYS)
    ok = True
    for key in FINDING_REQUIRED:
        if key not in entry:
            report.problem(parent, index, where, f"missing required key {key!r}", FINDING_EXAMPLE)
            ok = False
    values = {key: _text(report, entry, key, where) for key in FINDING_KEYS}
    severity = values["severity"]
    if isinstance(severity, str) and severity not in SEVERITIES:
        report.problem(
            entry,
            "severity",
            join_path(where, "severity"),
            f"unknown severity {severity!r}",
            expected_hint(severity, SEVERITIES),
        )
        ok = False
    if not ok or INVALID in values.values():
        return None
    return Finding(**values)


def _findings(report: Report, value: Mapping[Any, Any], where: str) -> Any:
    items = value.get("findings", MISSING)
    if items is MISSING:
        return ()
    if items is INVALID:
        return INVALID
    at = join_path(where, "findings")
    if not isinstance(items, (list, tuple)):
        report.wrong(value, "findings", at, "a list of findings", items, FINDING_EXAMPLE)
        return INVALID
    found = []
    names: set[str] = set()
    ok = True
    for index, item in enumerate(items):
        finding = _finding(report, items, index, item, f"{at}[{index}]")
        if finding is None:
            ok = False
        elif finding.name in names:
            report.problem(
                items,
                index,
                f"{at}[{index}]",
                f"finding {finding.name!r} is listed twice for this image",
                "list each finding once",
            )
            ok = False
        else:
            names.add(finding.name)
            found.append(finding)
    return tuple(found) if ok else INVALID


def _counts(report: Report, value: Mapping[Any, Any], where: str) -> Any:
    counts = value.get("severity_counts", MISSING)
    if counts is MISSING:
        return ()
    if counts is INVALID:
        return INVALID
    at = join_path(where, "severity_counts")
    if not isinstance(counts, Mapping):
        report.wrong(
            value, "severity_counts", at, "a mapping of severity to count", counts, SCAN_EXAMPLE
        )
        return INVALID
    report.unknown_keys(counts, at, SEVERITIES)
    ok = all(key in SEVERITIES for key in counts)
    for severity, number in counts.items():
        if number is INVALID:
            ok = False
        elif severity in SEVERITIES and (not is_int(number) or number < 0):
            report.wrong(counts, severity, join_path(at, severity), "a count of 0 or more", number)
            ok = False
    if not ok:
        return INVALID
    return tuple((severity, counts[severity]) for severity in SEVERITIES if counts.get(severity))


def read_scan(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """An image's ``scan:`` (the key at YAML path *where*): a :class:`ScanDeclaration`,
    or ``None`` after reporting what is wrong."""
    value = entry["scan"]
    if not isinstance(value, Mapping):
        report.wrong(entry, "scan", where, "a mapping", value, SCAN_EXAMPLE)
        return None
    report.unknown_keys(value, where, SCAN_KEYS)
    status = _status(report, value, where)
    findings = _findings(report, value, where)
    counts = _counts(report, value, where)
    if "platforms" in entry:
        report.problem(
            entry,
            "scan",
            where,
            "a manifest list cannot be scanned (platforms generates one)",
            "ECR scans each platform's image; declare the scan on those images",
        )
        return None
    if "findings" in value and "severity_counts" in value:
        report.problem(
            value,
            "severity_counts",
            where,
            "a scan takes findings or severity_counts, not both",
            "severity_counts generates the findings; to name them yourself, list findings",
        )
        return None
    if status is None or findings is INVALID or counts is INVALID:
        return None
    if status != "COMPLETE" and (findings or counts):
        report.problem(
            value,
            "status",
            join_path(where, "status"),
            f"a scan with status {status} has no findings",
            "only a COMPLETE scan reports findings; drop them or the status",
        )
        return None
    return ScanDeclaration(status, findings, counts)


def apply_scan(target: Target, value: object) -> None:
    """Give the image its declared scan, finished from the start (at its push time), and
    note the result in the registry so that scanning the same content pushed elsewhere
    finds the same. A manifest list (declared by its manifest) is left unscanned."""
    repository, digest = target.repository, target.digest
    if not isinstance(value, ScanDeclaration) or repository is None or digest is None:
        return
    image = repository.get_image(digest)
    if image is None or image.children:
        return
    result = value.result(digest)
    scan = ImageScan(started_at=image.pushed_at, result=result, duration=0)
    repository.set_image_state(digest, SCAN_KEY, scan)
    state = target.state
    existing = state.registry_setting(target.account, target.region, DECLARED_SCANS_KEY)
    by_digest = dict(existing.by_digest) if isinstance(existing, DeclaredScans) else {}
    by_digest.setdefault(digest, result)
    state.set_registry_setting(
        target.account,
        target.region,
        DECLARED_SCANS_KEY,
        DeclaredScans(MappingProxyType(by_digest)),
    )


__all__ = ["ScanDeclaration", "apply_scan", "read_scan"]
