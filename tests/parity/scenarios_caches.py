"""Parity scenarios of pull-through cache rules, creation templates, pull-time update
exclusions, storage classes and referrers."""

from __future__ import annotations

import json
from typing import Any

from .scenarios import ACCOUNT, REPO, UNKNOWN, B, Scenario, call, error_of

OCI = "application/vnd.oci.image.manifest.v1+json"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecr-pullthroughcache/hub-Ab12"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:role/scanner"
#: An SBOM naming image B as its subject (OCI 1.1).
REFERRER = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": OCI,
        "artifactType": "application/spdx+json",
        "config": {
            "mediaType": "application/vnd.oci.empty.v1+json",
            "size": 2,
            "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        },
        "layers": [],
        "subject": {"mediaType": OCI, "digest": B, "size": 1},
    }
)

MOTO_DEVIATIONS: dict[str, str] = {
    "no-pull-through-cache": "found by this suite: moto 5.2 does not implement the "
    "pull-through cache rule operations (no rule is stored; every call is an error)",
    "no-creation-templates": "found by this suite: moto 5.2 does not implement the "
    "repository creation template operations",
    "no-pull-time-exclusions": "found by this suite: moto 5.2 does not implement the "
    "pull-time update exclusion operations",
    "no-storage-class": "found by this suite: moto 5.2 does not implement "
    "UpdateImageStorageClass (no archive, no imageStatus)",
    "no-referrers": "found by this suite: moto 5.2 does not implement ListImageReferrers",
}


def _prefixes(outcome: Any) -> list[str]:
    return [r["ecrRepositoryPrefix"] for r in outcome.get("pullThroughCacheRules", [])]


_S = Scenario
SCENARIOS: tuple[Scenario, ...] = (
    _S(
        "ptc-create-describe-delete",
        (
            call(
                "create_pull_through_cache_rule",
                ecrRepositoryPrefix="ecr-public",
                upstreamRegistryUrl="public-upstream.example.test",
                upstreamRegistry="ecr-public",
            ),
            call("describe_pull_through_cache_rules"),
            call("delete_pull_through_cache_rule", ecrRepositoryPrefix="ecr-public"),
            call("describe_pull_through_cache_rules"),
        ),
        lambda o: (
            o[0]["upstreamRegistry"] == "ecr-public"
            and _prefixes(o[1]) == ["ecr-public"]
            and o[2]["ecrRepositoryPrefix"] == "ecr-public"
            and _prefixes(o[3]) == []
        ),
        moto="no-pull-through-cache",
    ),
    _S(
        "ptc-credential-update-validate",
        (
            call(
                "create_pull_through_cache_rule",
                ecrRepositoryPrefix="hub",
                upstreamRegistryUrl="hub.example.test",
                upstreamRegistry="docker-hub",
                credentialArn=SECRET,
            ),
            call("update_pull_through_cache_rule", ecrRepositoryPrefix="hub", credentialArn=SECRET),
            call("validate_pull_through_cache_rule", ecrRepositoryPrefix="hub"),
        ),
        lambda o: o[0]["upstreamRegistry"] == "docker-hub" and o[2]["isValid"] is True,
        moto="no-pull-through-cache",
    ),
    _S(
        "ptc-unsupported-upstream",
        (
            call(
                "create_pull_through_cache_rule",
                ecrRepositoryPrefix="harbor",
                upstreamRegistryUrl="https://harbor.example.com",
            ),
        ),
        lambda o: error_of(o[0]) == "UnsupportedUpstreamRegistryException",
        moto="no-pull-through-cache",
    ),
    _S(
        "ptc-upstream-needs-credentials",
        (
            call(
                "create_pull_through_cache_rule",
                ecrRepositoryPrefix="hub",
                upstreamRegistryUrl="hub.example.test",
                upstreamRegistry="docker-hub",
            ),
        ),
        lambda o: (
            error_of(o[0]) == "UnsupportedUpstreamRegistryException"
            and "requires authentication" in o[0]["message"]
        ),
        moto="no-pull-through-cache",
    ),
    _S(
        "ptc-missing-rule",
        (call("delete_pull_through_cache_rule", ecrRepositoryPrefix="nope"),),
        lambda o: error_of(o[0]) == "PullThroughCacheRuleNotFoundException",
        moto="no-pull-through-cache",
    ),
    _S(
        "template-create-update-describe-delete",
        (
            call(
                "create_repository_creation_template",
                prefix="prod",
                appliedFor=["PULL_THROUGH_CACHE"],
                imageTagMutability="IMMUTABLE",
            ),
            call("update_repository_creation_template", prefix="prod", description="prod"),
            call("describe_repository_creation_templates", prefixes=["prod"]),
            call("delete_repository_creation_template", prefix="prod"),
            call("describe_repository_creation_templates"),
        ),
        lambda o: (
            o[0]["repositoryCreationTemplate"]["imageTagMutability"] == "IMMUTABLE"
            and o[2]["repositoryCreationTemplates"][0]["description"] == "prod"
            and o[4]["repositoryCreationTemplates"] == []
        ),
        moto="no-creation-templates",
    ),
    _S(
        "template-missing",
        (call("delete_repository_creation_template", prefix="nope"),),
        lambda o: error_of(o[0]) == "TemplateNotFoundException",
        moto="no-creation-templates",
    ),
    _S(
        "exclusions-register-list-deregister",
        (
            call("register_pull_time_update_exclusion", principalArn=PRINCIPAL),
            call("register_pull_time_update_exclusion", principalArn=PRINCIPAL),
            call("list_pull_time_update_exclusions"),
            call("deregister_pull_time_update_exclusion", principalArn=PRINCIPAL),
            call("deregister_pull_time_update_exclusion", principalArn=PRINCIPAL),
        ),
        lambda o: (
            error_of(o[1]) == "ExclusionAlreadyExistsException"
            and o[2]["pullTimeUpdateExclusions"] == [PRINCIPAL]
            and error_of(o[4]) == "ExclusionNotFoundException"
        ),
        moto="no-pull-time-exclusions",
    ),
    _S(
        "storage-class-archive",
        (
            call(
                "update_image_storage_class",
                repositoryName=REPO,
                imageId={"imageTag": "v2"},
                targetStorageClass="ARCHIVE",
            ),
            call("describe_images", repositoryName=REPO, imageIds=[{"imageTag": "v2"}]),
            call("batch_get_image", repositoryName=REPO, imageIds=[{"imageTag": "v2"}]),
            call(
                "update_image_storage_class",
                repositoryName=REPO,
                imageId={"imageTag": "v2"},
                targetStorageClass="ARCHIVE",
            ),
        ),
        lambda o: (
            o[0]["imageStatus"] == "ARCHIVED"
            and o[1]["imageDetails"][0]["imageStatus"] == "ARCHIVED"
            and [f["failureCode"] for f in o[2]["failures"]] == ["ImageInaccessible"]
            and error_of(o[3]) == "ImageStorageClassUpdateNotSupportedException"
        ),
        moto="no-storage-class",
    ),
    _S(
        "referrers-of-a-pushed-sbom",
        (
            call(
                "put_image",
                repositoryName=REPO,
                imageManifest=REFERRER,
                imageManifestMediaType=OCI,
            ),
            call("list_image_referrers", repositoryName=REPO, subjectId={"imageDigest": B}),
            call("list_image_referrers", repositoryName=REPO, subjectId={"imageDigest": UNKNOWN}),
        ),
        lambda o: (
            [r["artifactType"] for r in o[1]["referrers"]] == ["application/spdx+json"]
            and o[2]["referrers"] == []
        ),
        moto="no-referrers",
    ),
)
