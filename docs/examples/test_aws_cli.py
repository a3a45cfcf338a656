"""The same registry over HTTP: the release pipeline's AWS CLI steps, run for real.

``ecr_server`` serves the test's registry on 127.0.0.1; ``ecr_server.env`` points any
AWS SDK or the AWS CLI at it (``AWS_ENDPOINT_URL_ECR``, fake credentials, the region).
The CLI and the promoter share one registry state, one fault set and one call history.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from promoter import Promoter

from pytest_ecr import EcrServer, FakeEcr

pytestmark = pytest.mark.ecr_registry("registry.yaml")
MANIFESTS = Path(__file__).parent / "manifests"


def aws_ecr(server: EcrServer, *args: str) -> Any:
    """Run ``aws ecr ARGS --output json`` against the served registry; its JSON output."""
    result = subprocess.run(
        [sys.executable, "-m", "awscli", "ecr", *args, "--output", "json"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_the_cli_sees_the_promotion(
    ecr: FakeEcr, ecr_server: EcrServer, promoter: Promoter
) -> None:
    promotion = promoter.promote("team/api", "v1.2.0", "prod")

    described = aws_ecr(
        ecr_server,
        "describe-images",
        "--repository-name",
        "team/api",
        "--image-ids",
        "imageTag=prod",
    )

    [detail] = described["imageDetails"]
    assert detail["imageDigest"] == promotion.digest
    assert sorted(detail["imageTags"]) == ["latest", "prod", "v1.2.0"]
    assert [call.transport for call in ecr.calls()] == ["botocore", "botocore", "http"]


def test_the_promoter_sees_a_tag_pushed_by_the_cli(
    ecr: FakeEcr, ecr_server: EcrServer, promoter: Promoter
) -> None:
    manifest = MANIFESTS / "api-v1.1.0.json"
    aws_ecr(
        ecr_server,
        "put-image",
        "--repository-name",
        "team/api",
        "--image-tag",
        "rc",
        "--image-manifest",
        f"file://{manifest}",
    )

    promotion = promoter.promote("team/api", "rc", "prod")

    assert promotion.digest == ecr.registry.repository("team/api").image("v1.1.0").digest
    [put_by_cli, put_by_promoter] = ecr.calls("PutImage")
    assert (put_by_cli.transport, put_by_promoter.transport) == ("http", "botocore")


@pytest.mark.ecr_fault("BatchGetImage", error="ThrottlingException", times=1)
def test_the_cli_retries_throttling_too(ecr: FakeEcr, ecr_server: EcrServer) -> None:
    answer = aws_ecr(
        ecr_server,
        "batch-get-image",
        "--repository-name",
        "team/web",
        "--image-ids",
        "imageTag=v2.0.0",
        "--accepted-media-types",
        "application/vnd.oci.image.index.v1+json",
    )

    assert answer["failures"] == []
    assert answer["images"][0]["imageId"]["imageDigest"] == (
        ecr.registry.repository("team/web").image("v2.0.0").digest
    )
    assert ecr.calls("BatchGetImage").attempts == [1, 2]
