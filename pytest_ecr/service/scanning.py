"""Shared code of the image scanning operations: the image asked for, scan shapes, and
the registry scanning configuration's request checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pytest_ecr.model import (
    Image,
    MediaType,
    RegistryState,
    Repository,
)
from pytest_ecr.model import scanning as s
from pytest_ecr.service import image_ids
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.partitions import repository_arn

# The imageId checks, shared with the other single-image operations.
requested_image = image_ids.requested_image
resolve = image_ids.resolve_image


def echo_id(image: Image, tag: str | None) -> dict[str, str]:
    """The ``imageId`` answered: the digest, and the tag when the request named one."""
    ident = {"imageDigest": image.digest}
    if tag is not None:
        ident["imageTag"] = tag
    return ident


def status_shape(status: str) -> dict[str, str]:
    """An ``ImageScanStatus``: the status and ECR's description where it has one."""
    shape = {"status": status}
    description = s.STATUS_DESCRIPTIONS.get(status)
    if description is not None:
        shape["description"] = description
    return shape


def visible_scan(state: RegistryState, repo: Repository, digest: str) -> s.ImageScan | None:
    """The image's scan if the registry's current scan type shows it (changing the scan
    type hides the results of the other type)."""
    scan = s.scan_of(repo, digest)
    if scan is None:
        return None
    config = s.configuration(state, repo.registry_id, repo.region)
    if scan.duration <= 0:
        # A declared scan is one of whichever type the registry scans with.
        return replace(scan, scan_type=config.scan_type)
    return scan if scan.scan_type == config.scan_type else None


def findings_summary(
    state: RegistryState, repo: Repository, image: Image, ctx: RequestContext
) -> dict[str, Any]:
    """DescribeImages' ``imageScanStatus`` / ``imageScanFindingsSummary`` for *image*.

    ECR fills them only for basic scans by the CLAIR engine; with the AWS_NATIVE engine
    (the default) and with enhanced scanning they stay empty.
    """
    scan = visible_scan(state, repo, image.digest)
    if scan is None or scan.scan_type != s.BASIC:
        return {}
    if s.basic_engine(state, repo.registry_id, repo.region) != "CLAIR":
        return {}
    now = ctx.clock()
    status = scan.status(now)
    extra: dict[str, Any] = {"imageScanStatus": status_shape(status)}
    if status == "COMPLETE":
        summary: dict[str, Any] = {
            "imageScanCompletedAt": scan.completed_at,
            "vulnerabilitySourceUpdatedAt": scan.source_updated_at,
        }
        counts = scan.severity_counts()
        if counts:
            summary["findingSeverityCounts"] = counts
        extra["imageScanFindingsSummary"] = summary
    return extra


def on_push(state: RegistryState, repo: Repository, image: Image, ctx: RequestContext) -> None:
    """Start the scan a push starts, if the registry's rules (or, under BASIC, the
    repository's ``scanOnPush`` flag) say so. Manifest lists are not scanned."""
    if image.media_type in MediaType.LISTS or s.scan_of(repo, image.digest) is not None:
        return
    config = s.configuration(state, repo.registry_id, repo.region)
    applied = s.effective(config, repo)
    if applied.frequency == s.MANUAL:
        return
    s.start_scan(
        state,
        repo,
        image.digest,
        ctx.clock(),
        scan_type=config.scan_type,
        continuous=applied.frequency == s.CONTINUOUS_SCAN,
    )


# -- the registry scanning configuration ---------------------------------------------------


def configuration_shape(config: s.ScanningConfiguration) -> dict[str, Any]:
    """A ``RegistryScanningConfiguration``."""
    return {
        "scanType": config.scan_type,
        "rules": [
            {
                "scanFrequency": rule.frequency,
                "repositoryFilters": filters_shape(rule.filters),
            }
            for rule in config.rules
        ],
    }


def filters_shape(filters: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"filter": f, "filterType": "WILDCARD"} for f in filters]


def _filters(raw: Any, field: str) -> tuple[str, ...]:
    items = v.expect_list(raw, field)
    if len(items) > 100:
        raise invalid_parameter(field, "Member must have length less than or equal to 100")
    filters = []
    for position, item in enumerate(items):
        where = f"{field}.{position + 1}.member"
        entry = v.expect_object(item, where)
        text = v.string_length(v.require(entry, "filter"), f"{where}.filter", low=1, high=255)
        if s.FILTER_RE.fullmatch(text) is None:
            raise invalid_parameter(
                f"{where}.filter", f"must satisfy regular expression '{s.FILTER_PATTERN}'"
            )
        v.enum_value(v.require(entry, "filterType"), f"{where}.filterType", ("WILDCARD",))
        filters.append(text)
    return tuple(filters)


def read_rules(params: Mapping[str, Any], scan_type: str) -> tuple[s.ScanningRule, ...]:
    """PutRegistryScanningConfiguration's ``rules``, each checked as ECR checks it.

    Beyond the model: one rule per frequency (the list holds two at most, one for
    scan on push and one for continuous scans), and no CONTINUOUS_SCAN under BASIC.
    """
    raw = v.bounded_list(params, "rules", low=0, high=2, required=False) or []
    rules: list[s.ScanningRule] = []
    for position, item in enumerate(raw):
        where = f"rules.{position + 1}.member"
        entry = v.expect_object(item, where)
        frequency = v.enum_value(
            v.require(entry, "scanFrequency"), f"{where}.scanFrequency", s.SCAN_FREQUENCIES
        )
        if any(rule.frequency == frequency for rule in rules):
            raise invalid_parameter("rules", "Member must have one rule per scanFrequency")
        if scan_type == s.BASIC and frequency == s.CONTINUOUS_SCAN:
            raise invalid_parameter(
                f"{where}.scanFrequency",
                "CONTINUOUS_SCAN is supported only with scanType ENHANCED",
            )
        filters = _filters(v.require(entry, "repositoryFilters"), f"{where}.repositoryFilters")
        rules.append(s.ScanningRule(frequency, filters))
    return tuple(rules)


def repository_item(repo: Repository, config: s.ScanningConfiguration) -> dict[str, Any]:
    """One ``RepositoryScanningConfiguration`` of BatchGetRepositoryScanningConfiguration."""
    applied = s.effective(config, repo)
    return {
        "repositoryArn": repository_arn(repo.registry_id, repo.region, repo.name),
        "repositoryName": repo.name,
        "scanOnPush": applied.scan_on_push,
        "scanFrequency": applied.frequency,
        "appliedScanFilters": filters_shape(applied.applied_filters),
    }


def feature_disabled() -> EcrError:
    """StartImageScan under enhanced scanning, where manual scans are not supported."""
    return EcrError("ValidationException", "This feature is disabled")
