"""Image scanning: scans per image, their findings, and the registry's scanning rules.

A scan is kept per image (:data:`SCAN_KEY` in :meth:`Repository.image_state`) as an
:class:`ImageScan`: when it started, how long it takes on the fake's clock, and what it
ends as. Its status is computed from the time it is read, so a waiter that polls on the
virtual clock sees it finish without any wall time passing. The registry's scanning
configuration is a registry-level setting (:data:`REGISTRY_SCANNING_KEY`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from pytest_ecr.model.registry import RegistryState
from pytest_ecr.model.repository import Repository

#: ``Repository.image_state`` key of an image's scan (an :class:`ImageScan`).
SCAN_KEY: Final = "scan"
#: Registry setting key of the scanning configuration (a :class:`ScanningConfiguration`).
REGISTRY_SCANNING_KEY: Final = "scanning"
#: Registry setting key of the declared scan results by image digest
#: (a :class:`DeclaredScans`), which a scan of the same content anywhere reports.
DECLARED_SCANS_KEY: Final = "scanning:declared"
#: Registry setting key of the account setting that names the basic scanning engine.
BASIC_SCAN_TYPE_VERSION_KEY: Final = "account_setting:BASIC_SCAN_TYPE_VERSION"
#: The engine when the account setting was never put.
DEFAULT_BASIC_SCAN_TYPE_VERSION: Final = "AWS_NATIVE"

BASIC: Final = "BASIC"
ENHANCED: Final = "ENHANCED"
SCAN_TYPES: Final = (BASIC, ENHANCED)
SCAN_ON_PUSH: Final = "SCAN_ON_PUSH"
CONTINUOUS_SCAN: Final = "CONTINUOUS_SCAN"
MANUAL: Final = "MANUAL"
SCAN_FREQUENCIES: Final = (SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL)
#: ECR's ``FindingSeverity`` values, in its model's order.
SEVERITIES: Final = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "UNDEFINED")
#: Final statuses a scan can be declared to end with.
OUTCOMES: Final = ("COMPLETE", "FAILED", "UNSUPPORTED_IMAGE")

#: ECR's constraint on a scanning repository filter (its model's pattern).
FILTER_PATTERN: Final = "^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$"
FILTER_RE: Final = re.compile(FILTER_PATTERN)
#: At most 2 rules in a scanning configuration, 100 filters in a rule (botocore's model).
MAX_RULES: Final = 2
MAX_FILTERS: Final = 100

#: How long a scan takes on the fake's clock (a chosen value: six polls of botocore's
#: ``image_scan_complete`` waiter, which waits 5 s between polls).
SCAN_DURATION: Final = 30.0
#: ECR's quota: one scan per image per 24 hours, scan on push included.
SCAN_QUOTA_PERIOD: Final = 24 * 60 * 60.0

#: ``imageScanStatus.description`` per status; ``None``: the status has none.
STATUS_DESCRIPTIONS: Final[Mapping[str, str | None]] = MappingProxyType(
    {
        "IN_PROGRESS": None,
        "PENDING": None,
        "COMPLETE": "The scan was completed successfully.",
        "FAILED": "The scan failed to complete. Try again later.",
        "UNSUPPORTED_IMAGE": (
            "UnsupportedImageError: The operating system and/or package manager are not supported."
        ),
        "ACTIVE": "Continuous scan is selected for image.",
    }
)

# CVSS v2 vector and score of generated findings, by severity.
_CVSS2: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "CRITICAL": ("AV:N/AC:L/Au:N/C:C/I:C/A:C", "10.0"),
        "HIGH": ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "7.5"),
        "MEDIUM": ("AV:L/AC:L/Au:N/C:P/I:P/A:P", "4.6"),
        "LOW": ("AV:N/AC:H/Au:N/C:N/I:P/A:N", "2.6"),
        "INFORMATIONAL": ("AV:L/AC:H/Au:S/C:N/I:N/A:N", "0.0"),
        "UNDEFINED": ("AV:L/AC:H/Au:S/C:N/I:N/A:N", "0.0"),
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One vulnerability a scan reports."""

    name: str
    severity: str
    description: str | None = None
    uri: str | None = None
    package_name: str | None = None
    package_version: str | None = None
    cvss2_vector: str | None = None
    cvss2_score: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"unknown severity {self.severity!r}; expected one of: {', '.join(SEVERITIES)}"
            )


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What scanning an image's content finds: its final status and findings."""

    outcome: str = "COMPLETE"
    findings: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(
                f"unknown scan outcome {self.outcome!r}; expected one of: {', '.join(OUTCOMES)}"
            )


@dataclass(frozen=True, slots=True)
class ImageScan:
    """One scan of one image.

    ``duration`` 0 means finished from the start (a declared scan). An enhanced scan
    is ``PENDING`` until done, then ``COMPLETE`` (on push) or ``ACTIVE`` (continuous).
    """

    started_at: float
    result: ScanResult = field(default_factory=ScanResult)
    duration: float = SCAN_DURATION
    scan_type: str = BASIC
    continuous: bool = False

    def done(self, now: float) -> bool:
        return self.duration <= 0 or now >= self.started_at + self.duration

    def status(self, now: float) -> str:
        """The scan's ``imageScanStatus.status`` at *now*."""
        if not self.done(now):
            return "PENDING" if self.scan_type == ENHANCED else "IN_PROGRESS"
        if self.continuous and self.result.outcome == "COMPLETE":
            return "ACTIVE"
        return self.result.outcome

    @property
    def completed_at(self) -> float:
        """When the scan finished (whole seconds, as ECR's timestamps are)."""
        return float(int(self.started_at + max(self.duration, 0.0)))

    @property
    def source_updated_at(self) -> float:
        """``vulnerabilitySourceUpdatedAt``: the start of the UTC day the scan finished."""
        return float(int(self.completed_at) // 86_400 * 86_400)

    def severity_counts(self) -> dict[str, int]:
        """Findings per severity, only the severities present, in ECR's severity order."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.result.findings:
            counts[finding.severity] += 1
        return {severity: n for severity, n in counts.items() if n}


@dataclass(frozen=True, slots=True)
class ScanningRule:
    """One registry scanning rule: a frequency for the repositories its filters match."""

    frequency: str
    filters: tuple[str, ...] = ()

    def matching_filters(self, repository: str) -> tuple[str, ...]:
        return tuple(f for f in self.filters if filter_matches(f, repository))


@dataclass(frozen=True, slots=True)
class ScanningConfiguration:
    """A registry's scanning configuration; the default is ECR's when never set."""

    scan_type: str = BASIC
    rules: tuple[ScanningRule, ...] = ()


@dataclass(frozen=True, slots=True)
class EffectiveScanning:
    """What applies to one repository: BatchGetRepositoryScanningConfiguration's item."""

    scan_on_push: bool
    frequency: str
    applied_filters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeclaredScans:
    """Declared scan results by image digest: a scan of that content reports them."""

    by_digest: Mapping[str, ScanResult]


def filter_matches(pattern: str, repository: str) -> bool:
    """ECR's repository filter: without ``*`` a substring, else an anchored wildcard."""
    if "*" not in pattern:
        return pattern in repository
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, repository) is not None


def configuration(state: RegistryState, account: str, region: str) -> ScanningConfiguration:
    """The registry's scanning configuration (ECR's default when never set)."""
    value = _setting(state, account, region, REGISTRY_SCANNING_KEY)
    return value if isinstance(value, ScanningConfiguration) else ScanningConfiguration()


def basic_engine(state: RegistryState, account: str, region: str) -> str:
    """The basic scanning engine: the ``BASIC_SCAN_TYPE_VERSION`` account setting."""
    value = _setting(state, account, region, BASIC_SCAN_TYPE_VERSION_KEY)
    return value if isinstance(value, str) else DEFAULT_BASIC_SCAN_TYPE_VERSION


def _setting(state: RegistryState, account: str, region: str, key: str) -> object | None:
    return state.registry_setting(account, region, key)


def effective(config: ScanningConfiguration, repo: Repository) -> EffectiveScanning:
    """The scanning that applies to *repo* under *config*.

    Continuous wins over scan on push when both rules match. Under BASIC the
    repository's own (deprecated) ``scanOnPush`` flag also scans on push; under ENHANCED
    only the registry's rules count, and ENHANCED without rules scans every repository
    continuously.
    """
    matched: dict[str, tuple[str, ...]] = {}
    for rule in config.rules:
        hits = rule.matching_filters(repo.name)
        if hits and rule.frequency not in matched:
            matched[rule.frequency] = hits
    if config.scan_type == ENHANCED:
        if not config.rules:
            return EffectiveScanning(False, CONTINUOUS_SCAN, ())
        for frequency in (CONTINUOUS_SCAN, SCAN_ON_PUSH):
            if frequency in matched:
                return EffectiveScanning(frequency == SCAN_ON_PUSH, frequency, matched[frequency])
        return EffectiveScanning(False, MANUAL, matched.get(MANUAL, ()))
    if SCAN_ON_PUSH in matched:
        return EffectiveScanning(True, SCAN_ON_PUSH, matched[SCAN_ON_PUSH])
    if repo.scan_on_push:
        return EffectiveScanning(True, SCAN_ON_PUSH, ())
    return EffectiveScanning(False, MANUAL, matched.get(MANUAL, ()))


def scan_of(repo: Repository, digest: str) -> ImageScan | None:
    """The image's last scan, or ``None``."""
    value = repo.image_state(digest, SCAN_KEY)
    return value if isinstance(value, ImageScan) else None


def result_for(state: RegistryState, repo: Repository, digest: str) -> ScanResult:
    """What a new scan of *digest* in *repo* finds: what its last scan found, else what
    is declared for that content in the registry, else nothing (a clean image)."""
    previous = scan_of(repo, digest)
    if previous is not None:
        return previous.result
    declared = _setting(state, repo.registry_id, repo.region, DECLARED_SCANS_KEY)
    if isinstance(declared, DeclaredScans):
        found = declared.by_digest.get(digest)
        if found is not None:
            return found
    return ScanResult()


def start_scan(
    state: RegistryState,
    repo: Repository,
    digest: str,
    now: float,
    *,
    scan_type: str = BASIC,
    continuous: bool = False,
) -> ImageScan:
    """Start a scan of *digest* at *now* and keep it as the image's scan."""
    scan = ImageScan(
        started_at=now,
        result=result_for(state, repo, digest),
        scan_type=scan_type,
        continuous=continuous,
    )
    repo.set_image_state(digest, SCAN_KEY, scan)
    return scan


def generated_findings(digest: str, counts: Mapping[str, int]) -> tuple[Finding, ...]:
    """Findings for severity *counts*, stable for one image: names, URIs and packages
    derive from the image digest and the finding's index, most severe first."""
    findings: list[Finding] = []
    for severity in reversed(SEVERITIES):
        for _ in range(counts.get(severity, 0)):
            index = len(findings)
            seed = hashlib.sha256(f"{digest}\0{index}".encode()).hexdigest()
            name = f"CVE-{2000 + int(seed[:4], 16) % 25}-{10000 + int(seed[4:9], 16) % 90000}"
            vector, score = _CVSS2[severity]
            findings.append(
                Finding(
                    name=name,
                    severity=severity,
                    description=f"A {severity.lower()} vulnerability generated by pytest-ecr.",
                    uri=f"https://cve.mitre.org/cgi-bin/cvename.cgi?name={name}",
                    package_name=f"pkg-{seed[9:15]}",
                    package_version=f"{int(seed[15], 16)}.{int(seed[16], 16)}.{index}",
                    cvss2_vector=vector,
                    cvss2_score=score,
                )
            )
    return tuple(findings)


__all__ = [
    "BASIC",
    "BASIC_SCAN_TYPE_VERSION_KEY",
    "CONTINUOUS_SCAN",
    "DECLARED_SCANS_KEY",
    "DEFAULT_BASIC_SCAN_TYPE_VERSION",
    "ENHANCED",
    "FILTER_PATTERN",
    "FILTER_RE",
    "MANUAL",
    "OUTCOMES",
    "REGISTRY_SCANNING_KEY",
    "SCAN_DURATION",
    "SCAN_FREQUENCIES",
    "SCAN_KEY",
    "SCAN_ON_PUSH",
    "SCAN_QUOTA_PERIOD",
    "SCAN_TYPES",
    "SEVERITIES",
    "STATUS_DESCRIPTIONS",
    "DeclaredScans",
    "EffectiveScanning",
    "Finding",
    "ImageScan",
    "ScanResult",
    "ScanningConfiguration",
    "ScanningRule",
    "basic_engine",
    "configuration",
    "effective",
    "filter_matches",
    "generated_findings",
    "result_for",
    "scan_of",
    "start_scan",
]
