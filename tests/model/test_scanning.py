"""The scanning model: scan status on the clock, filter matching, the effective setting
and generated findings, without any transport."""

from __future__ import annotations

import pytest

from pytest_ecr.model import Image, MediaType, RegistryState, Repository
from pytest_ecr.model import scanning as s

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("prod", "team-prod", True),
        ("prod", "prod/app", True),
        ("prod", "pro", False),
        ("*prod", "team-prod", True),
        ("*prod", "prod-team", False),
        ("prod*", "prod-team", True),
        ("prod*", "team-prod", False),
        ("*prod*", "a-prod-b", True),
        ("prod*repo", "prod-x-repo", True),
        ("prod*repo", "prod-x-repos", False),
        ("*", "anything", True),
        ("a.b", "axb", False),
    ],
)
def test_filter_matching(pattern: str, name: str, matches: bool) -> None:
    assert s.filter_matches(pattern, name) is matches


def test_a_basic_scan_is_in_progress_until_its_duration_passed() -> None:
    scan = s.ImageScan(started_at=1000.0)
    assert scan.status(1000.0) == "IN_PROGRESS"
    assert scan.status(1000.0 + s.SCAN_DURATION - 0.5) == "IN_PROGRESS"
    assert scan.status(1000.0 + s.SCAN_DURATION) == "COMPLETE"
    assert scan.completed_at == 1030.0
    assert scan.source_updated_at == 0.0


def test_declared_outcomes_and_enhanced_statuses() -> None:
    failed = s.ImageScan(started_at=5.0, result=s.ScanResult("FAILED"), duration=0)
    assert failed.status(0.0) == "FAILED"
    pending = s.ImageScan(started_at=0.0, scan_type=s.ENHANCED, continuous=True)
    assert pending.status(1.0) == "PENDING"
    assert pending.status(s.SCAN_DURATION) == "ACTIVE"
    on_push = s.ImageScan(started_at=0.0, scan_type=s.ENHANCED)
    assert on_push.status(s.SCAN_DURATION) == "COMPLETE"


def test_values_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown severity 'SEVERE'"):
        s.Finding("CVE-1", "SEVERE")
    with pytest.raises(ValueError, match="unknown scan outcome 'DONE'"):
        s.ScanResult("DONE")


def test_generated_findings_are_stable_and_most_severe_first() -> None:
    findings = s.generated_findings(DIGEST, {"LOW": 1, "CRITICAL": 2})
    assert findings == s.generated_findings(DIGEST, {"CRITICAL": 2, "LOW": 1})
    assert [f.severity for f in findings] == ["CRITICAL", "CRITICAL", "LOW"]
    assert len({f.name for f in findings}) == 3
    assert all(f.name.startswith("CVE-") and f.uri and f.uri.endswith(f.name) for f in findings)
    other = s.generated_findings("sha256:" + "b" * 64, {"LOW": 1, "CRITICAL": 2})
    assert [f.name for f in other] != [f.name for f in findings]
    scan = s.ImageScan(0.0, s.ScanResult(findings=findings), duration=0)
    assert scan.severity_counts() == {"LOW": 1, "CRITICAL": 2}


def _repo(scan_on_push: bool = False) -> Repository:
    return RegistryState().create_repository("team/api", scan_on_push=scan_on_push)


@pytest.mark.parametrize(
    ("config", "flag", "expected"),
    [
        (s.ScanningConfiguration(), False, (False, s.MANUAL, ())),
        (s.ScanningConfiguration(), True, (True, s.SCAN_ON_PUSH, ())),
        (
            s.ScanningConfiguration(rules=(s.ScanningRule(s.SCAN_ON_PUSH, ("team", "x")),)),
            False,
            (True, s.SCAN_ON_PUSH, ("team",)),
        ),
        (s.ScanningConfiguration(s.ENHANCED), True, (False, s.CONTINUOUS_SCAN, ())),
        (
            s.ScanningConfiguration(s.ENHANCED, (s.ScanningRule(s.SCAN_ON_PUSH, ("other",)),)),
            True,
            (False, s.MANUAL, ()),
        ),
        (
            s.ScanningConfiguration(
                s.ENHANCED,
                (
                    s.ScanningRule(s.SCAN_ON_PUSH, ("team/*",)),
                    s.ScanningRule(s.CONTINUOUS_SCAN, ("*api",)),
                ),
            ),
            False,
            (False, s.CONTINUOUS_SCAN, ("*api",)),
        ),
        (
            s.ScanningConfiguration(rules=(s.ScanningRule(s.MANUAL, ("api",)),)),
            True,
            (True, s.SCAN_ON_PUSH, ()),
        ),
    ],
)
def test_the_effective_setting(
    config: s.ScanningConfiguration, flag: bool, expected: tuple[object, ...]
) -> None:
    applied = s.effective(config, _repo(flag))
    assert (applied.scan_on_push, applied.frequency, applied.applied_filters) == expected


def test_a_new_scan_finds_what_was_found_or_declared() -> None:
    state = RegistryState()
    repo = state.create_repository("team/api")
    config = '{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"%s"}'
    manifest = '{"schemaVersion":2,"config":%s,"layers":[]}' % (config % DIGEST)
    image = repo.put(Image.from_manifest(manifest, media_type=MediaType.OCI_MANIFEST))
    assert s.result_for(state, repo, image.digest) == s.ScanResult()
    declared = s.ScanResult(findings=(s.Finding("CVE-1", "HIGH"),))
    state.set_registry_setting(
        repo.registry_id,
        repo.region,
        s.DECLARED_SCANS_KEY,
        s.DeclaredScans({image.digest: declared}),
    )
    scan = s.start_scan(state, repo, image.digest, 10.0)
    assert scan.result == declared
    assert s.scan_of(repo, image.digest) == scan
    repo.delete(image.digest)
    assert s.scan_of(repo, image.digest) is None


def test_the_defaults() -> None:
    state = RegistryState()
    assert s.configuration(state, state.account, state.region) == s.ScanningConfiguration()
    assert s.basic_engine(state, state.account, state.region) == "AWS_NATIVE"
