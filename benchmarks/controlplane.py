"""§R — the control plane's read operations, in a small and a large repository.

Each row is one call through a boto3 client, on a repository of 10 images and on one of
10,000 (quick) or 100,000 (full) images that carries the same settings: tags, a policy,
a lifecycle policy, a scan of one image, a referrer. The yardstick of each operation is
the same call on the small repository: a read that looks up what it answers (an index, a
setting) costs the same whatever the repository holds, so each large / small ratio should
stay near 1 (target <= 1.5, for noise). A read that walked the repository would show the
size ratio (1,000 or 10,000).

moto is not measured here: seeding 100,000 images through its PutImage alone takes most
of an hour, and it implements neither the layer check nor the referrers listing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from harness import Ratio, Report, Row, Stats, Variant, interleave, ratio_of
from workload import ACCOUNT, REGION, REPOSITORY, Data, new_client

from pytest_ecr import FakeEcr
from pytest_ecr.model import Image

#: Repository sizes (small, large) of each mode.
SIZES = {"quick": (10, 10_000), "full": (10, 100_000)}
ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPOSITORY}"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "pull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["ecr:BatchGetImage"],
            }
        ],
    }
)
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


#: The OCI empty descriptor's blob, ``{}``.
EMPTY_CONFIG = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


def _referrer(subject: Image) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": "application/vnd.example.sbom",
            "config": {
                "mediaType": "application/vnd.oci.empty.v1+json",
                "size": 2,
                "digest": EMPTY_CONFIG,
            },
            "layers": [],
            "subject": {
                "mediaType": subject.media_type,
                "digest": subject.digest,
                "size": len(subject.manifest.encode()),
            },
        }
    )


def _prepared(data: Data, count: int, client: Any) -> tuple[FakeEcr, Image]:
    """A fake over *count* images with every setting the reads below answer."""
    fake = FakeEcr(state=data.state(count))
    first: Image = next(fake.registry.repository(REPOSITORY).images())
    with fake:
        client.tag_resource(resourceArn=ARN, tags=[{"Key": "team", "Value": "core"}])
        client.set_repository_policy(repositoryName=REPOSITORY, policyText=POLICY)
        client.put_lifecycle_policy(repositoryName=REPOSITORY, lifecyclePolicyText=LIFECYCLE)
        client.start_image_scan(repositoryName=REPOSITORY, imageId={"imageDigest": first.digest})
        # The referrer's empty config ({}) is uploaded first, as a pusher does.
        upload = client.initiate_layer_upload(repositoryName=REPOSITORY)["uploadId"]
        client.upload_layer_part(
            repositoryName=REPOSITORY,
            uploadId=upload,
            partFirstByte=0,
            partLastByte=1,
            layerPartBlob=b"{}",
        )
        client.complete_layer_upload(
            repositoryName=REPOSITORY, uploadId=upload, layerDigests=[EMPTY_CONFIG]
        )
        client.put_image(repositoryName=REPOSITORY, imageManifest=_referrer(first))
        fake.advance(minutes=5)
        # The first layer question reads the declared manifests once per declared state.
        layer = json.loads(first.manifest)["layers"][0]["digest"]
        client.batch_check_layer_availability(repositoryName=REPOSITORY, layerDigests=[layer])
    return fake, first


def _reads(client: Any, first: Image) -> dict[str, Callable[[], object]]:
    layer = json.loads(first.manifest)["layers"][0]["digest"]
    image_id = {"imageDigest": first.digest}
    return {
        "ListTagsForResource": lambda: client.list_tags_for_resource(resourceArn=ARN),
        "GetRepositoryPolicy": lambda: client.get_repository_policy(repositoryName=REPOSITORY),
        "GetLifecyclePolicy": lambda: client.get_lifecycle_policy(repositoryName=REPOSITORY),
        "DescribeImageScanFindings": lambda: client.describe_image_scan_findings(
            repositoryName=REPOSITORY, imageId=image_id
        ),
        "BatchCheckLayerAvailability": lambda: client.batch_check_layer_availability(
            repositoryName=REPOSITORY, layerDigests=[layer]
        ),
        "ListImageReferrers": lambda: client.list_image_referrers(
            repositoryName=REPOSITORY, subjectId=image_id
        ),
        "DescribeImageReplicationStatus": lambda: client.describe_image_replication_status(
            repositoryName=REPOSITORY, imageId=image_id
        ),
        "DescribeRegistry": client.describe_registry,
    }


def section_reads(report: Report, data: Data) -> None:
    plan = report.plan
    small, big = SIZES[plan.name]
    print(f"\n[R] control-plane reads, {small:,} vs {big:,} images", flush=True)
    client = new_client()
    variants: list[Variant] = []
    for size in (small, big):
        fake, first = _prepared(data, size, client)
        for name, call in _reads(client, first).items():
            # Each block runs with the fake active (its writes kept: no reset).
            variants.append(Variant(f"{name}, {size:,} images", call, _keep_active(fake)))
    interleave(variants, plan, warmup=2)
    rows = {v.name: report.row(Row("R", v.name, Stats.of(v.samples))) for v in variants}
    report.row(Row("R", "moto mock_aws", text="not measured", note="see the section's text"))
    for name in _reads(client, first):
        report.ratio(
            Ratio(
                "R",
                f"{name} {big:,} / {small:,} images",
                ratio_of(rows[f"{name}, {big:,} images"], rows[f"{name}, {small:,} images"]),
                "<= 1.5",
            )
        )


def _keep_active(fake: FakeEcr) -> Any:
    """The fake active for a block, keeping what the preparation wrote (no reset)."""

    @contextlib.contextmanager
    def context() -> Any:
        with fake:
            yield fake

    return context


__all__ = ["section_reads"]
