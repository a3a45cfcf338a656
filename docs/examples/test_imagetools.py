"""The example suite: how a user tests ``imagetools`` with pytest-ecr."""

from __future__ import annotations

import boto3
import pytest
from imagetools import ImageUnavailable, resolve, same_image

from pytest_ecr import FakeEcr

pytestmark = pytest.mark.ecr_registry("registry.yaml")


def test_resolves_a_tag_to_its_declared_digest(ecr: FakeEcr) -> None:
    resolved = resolve("team/api", "v1.2.0")
    assert resolved.digest == ecr.registry.repository("team/api").image("v1.2.0").digest
    assert resolved.media_type == "application/vnd.oci.image.manifest.v1+json"
    assert ecr.calls("BatchGetImage").count == 1


def test_latest_is_the_release(ecr: FakeEcr) -> None:
    assert same_image("team/api", "latest", "v1.2.0")
    assert not same_image("team/api", "latest", "v1.1.0")


def test_missing_tag_is_reported_with_ecr_failure_code() -> None:
    with pytest.raises(ImageUnavailable) as excinfo:
        resolve("team/api", "v9.9.9")
    assert excinfo.value.code == "ImageNotFound"


def test_declared_failure_reaches_the_code() -> None:
    with pytest.raises(ImageUnavailable) as excinfo:
        resolve("team/api", "v1.0.0-encrypted")
    assert excinfo.value.code == "KmsError"


def test_missing_repository_is_a_client_error() -> None:
    client = boto3.client("ecr", region_name="us-east-1")
    with pytest.raises(client.exceptions.RepositoryNotFoundException):
        resolve("team/gone", "v1", client=client)


@pytest.mark.ecr_registry(
    """
    version: 1
    repositories:
      - name: team/worker
        images:
          - tags: [stable]
    """
)
def test_inline_declaration_for_one_test(ecr: FakeEcr) -> None:
    assert resolve("team/worker", "stable").tag == "stable"
