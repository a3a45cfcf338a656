"""DescribeImageScanFindings: an image's scan status and its findings, in pages."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import Image, RegistryState, Repository
from pytest_ecr.model import scanning as s
from pytest_ecr.service import paging
from pytest_ecr.service import scanning as sc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.partitions import repository_arn
from pytest_ecr.service.shapes import find_repository


def scan_not_found(tag: str | None, digest: str | None, repo: Repository) -> EcrError:
    return EcrError(
        "ScanNotFoundException",
        f"Image scan does not exist for the image with '{{imageDigest:'{digest or 'null'}', "
        f"imageTag:'{tag or 'null'}'}}' in the repository with name '{repo.name}' in the "
        f"registry with id '{repo.registry_id}'",
    )


def basic_finding(finding: s.Finding) -> dict[str, Any]:
    """An ``ImageScanFinding``: attributes only for the values the finding has."""
    shape: dict[str, Any] = {"name": finding.name}
    if finding.description is not None:
        shape["description"] = finding.description
    if finding.uri is not None:
        shape["uri"] = finding.uri
    shape["severity"] = finding.severity
    attributes = [
        {"key": key, "value": value}
        for key, value in (
            ("package_version", finding.package_version),
            ("package_name", finding.package_name),
            ("CVSS2_VECTOR", finding.cvss2_vector),
            ("CVSS2_SCORE", finding.cvss2_score),
        )
        if value is not None
    ]
    shape["attributes"] = attributes
    return shape


def enhanced_finding(
    finding: s.Finding, repo: Repository, image: Image, scan: s.ImageScan
) -> dict[str, Any]:
    """An ``EnhancedImageScanFinding`` (Amazon Inspector's finding) built from *finding*."""
    account, region = repo.registry_id, repo.region
    key = hashlib.sha256(f"{image.digest}\0{finding.name}".encode()).hexdigest()[:32]
    package: dict[str, Any] = {"packageManager": "OS"}
    if finding.package_name is not None:
        package["name"] = finding.package_name
    if finding.package_version is not None:
        package["version"] = finding.package_version
    details: dict[str, Any] = {
        "source": "NVD",
        "vulnerabilityId": finding.name,
        "vendorSeverity": finding.severity,
        "vulnerablePackages": [package],
    }
    if finding.uri is not None:
        details["sourceUrl"] = finding.uri
        details["referenceUrls"] = [finding.uri]
    container = {
        "imageHash": image.digest,
        "imageTags": list(repo.tags_of(image.digest)),
        "pushedAt": image.pushed_at,
        "registry": account,
        "repositoryName": repo.name,
    }
    shape: dict[str, Any] = {
        "awsAccountId": account,
        "description": finding.description or finding.name,
        "findingArn": f"arn:aws:inspector2:{region}:{account}:finding/{key}",
        "firstObservedAt": scan.completed_at,
        "lastObservedAt": scan.completed_at,
        "updatedAt": scan.completed_at,
        "packageVulnerabilityDetails": details,
        "remediation": {"recommendation": {"text": "None Provided"}},
        "resources": [
            {
                "details": {"awsEcrContainerImage": container},
                "id": f"{repository_arn(account, region, repo.name)}/{image.digest}",
                "type": "AWS_ECR_CONTAINER_IMAGE",
            }
        ],
        "severity": finding.severity,
        "status": "ACTIVE",
        "title": f"{finding.name} - {finding.package_name or 'package'}",
        "type": "PACKAGE_VULNERABILITY",
        "fixAvailable": "NO",
        "exploitAvailable": "NO",
    }
    if finding.cvss2_score is not None:
        shape["score"] = float(finding.cvss2_score)
    return shape


def _findings(
    repo: Repository, image: Image, scan: s.ImageScan, page: paging.Page
) -> tuple[dict[str, Any], str | None]:
    listed, token = paging.paginate(scan.result.findings, page)
    findings: dict[str, Any] = {
        "imageScanCompletedAt": scan.completed_at,
        "vulnerabilitySourceUpdatedAt": scan.source_updated_at,
    }
    counts = scan.severity_counts()
    if counts:
        findings["findingSeverityCounts"] = counts
    if scan.scan_type == s.ENHANCED:
        findings["enhancedFindings"] = [enhanced_finding(f, repo, image, scan) for f in listed]
    else:
        findings["findings"] = [basic_finding(f) for f in listed]
    return findings, token


def describe_image_scan_findings(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    tag, digest = sc.requested_image(params)
    if params.get("maxResults") is not None:
        v.int_range(params["maxResults"], "maxResults", low=1, high=paging.MAX_PAGE_SIZE)
    if params.get("nextToken") is not None:
        v.expect_str(params["nextToken"], "nextToken")
    repo = find_repository(state, registry_id, name, ctx)
    image = sc.resolve(repo, tag, digest)
    scan = sc.visible_scan(state, repo, image.digest)
    if scan is None:
        raise scan_not_found(tag, digest, repo)
    status = scan.status(ctx.clock())
    result: dict[str, Any] = {
        "registryId": registry_id,
        "repositoryName": name,
        "imageId": sc.echo_id(image, tag),
        "imageScanStatus": sc.status_shape(status),
    }
    if status in ("COMPLETE", "ACTIVE"):
        # A token from an earlier scan of the image would page through other findings.
        page = paging.page_request(
            params,
            f"DescribeImageScanFindings\0{registry_id}\0{ctx.region}\0{name}\0"
            f"{image.digest}\0{scan.started_at}",
        )
        findings, token = _findings(repo, image, scan, page)
        result["imageScanFindings"] = findings
        return paging.with_token(result, token)
    return result
