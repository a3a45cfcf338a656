"""Shared values for tests/service: a declared registry built from the model directly.

The registry (account 111122223333, us-east-1):

- ``team/api``: image A tagged ``v1`` and ``latest`` (Docker schema 2), image B tagged
  ``v2`` (OCI), image C untagged (Docker schema 2);
- ``team/multi``: two untagged platform images and a Docker manifest list over them,
  tagged ``latest``;
- ``team/locked``: an ``IMMUTABLE`` repository with one image tagged ``v1``;
- ``legacy``: a schema 1 image tagged ``old``;
- ``empty``: no images;

plus ``mirror/ubuntu`` in registry 210987654321, eu-west-1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from pytest_ecr.model import Image, RegistryState, TagMutability

ACCOUNT = "111122223333"
REGION = "us-east-1"
PUSHED_AT = 1_600_000_000.0
CREATED_AT = 1_500_000_000.0

DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI = "application/vnd.oci.image.manifest.v1+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def blob(seed: int) -> str:
    return "sha256:" + f"{seed:064x}"


def image_manifest(seed: int, media_type: str = DOCKER_V2, layers: int = 2) -> str:
    """A single-image manifest whose config and layer sizes derive from *seed*."""
    oci = media_type == OCI
    doc = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {
            "mediaType": OCI_CONFIG if oci else DOCKER_CONFIG,
            "size": 1000 + seed,
            "digest": blob(seed * 100),
        },
        "layers": [
            {
                "mediaType": OCI_LAYER if oci else DOCKER_LAYER,
                "size": 10_000 * (n + 1) + seed,
                "digest": blob(seed * 100 + n + 1),
            }
            for n in range(layers)
        ],
    }
    return json.dumps(doc, indent=3)


def upload_blob(client: Any, repository: str, data: bytes, **registry: Any) -> str:
    """Upload *data* to *repository* with the layer operations, as a pusher does; its
    digest. Bytes the repository has already are not uploaded again."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    found = client.batch_check_layer_availability(
        repositoryName=repository, layerDigests=[digest], **registry
    )
    if found["layers"]:
        return digest
    upload = client.initiate_layer_upload(repositoryName=repository, **registry)["uploadId"]
    client.upload_layer_part(
        repositoryName=repository,
        uploadId=upload,
        partFirstByte=0,
        partLastByte=len(data) - 1,
        layerPartBlob=data,
        **registry,
    )
    client.complete_layer_upload(
        repositoryName=repository, uploadId=upload, layerDigests=[digest], **registry
    )
    return digest


def uploaded_manifest(
    client: Any,
    repository: str,
    seed: int,
    media_type: str = DOCKER_V2,
    layers: int = 2,
    **registry: Any,
) -> str:
    """A single-image manifest like :func:`image_manifest`'s whose config and layers are
    real bytes, uploaded to *repository* first (so PutImage finds them)."""
    oci = media_type == OCI
    config = json.dumps({"architecture": "amd64", "os": "linux", "seed": seed}).encode()
    blobs = [f"layer {n} of {seed}".encode() * (n + 1) for n in range(layers)]
    doc = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {
            "mediaType": OCI_CONFIG if oci else DOCKER_CONFIG,
            "size": len(config),
            "digest": upload_blob(client, repository, config, **registry),
        },
        "layers": [
            {
                "mediaType": OCI_LAYER if oci else DOCKER_LAYER,
                "size": len(data),
                "digest": upload_blob(client, repository, data, **registry),
            }
            for data in blobs
        ],
    }
    return json.dumps(doc, indent=3)


def list_manifest(*children: Image) -> str:
    doc = {
        "schemaVersion": 2,
        "mediaType": DOCKER_LIST,
        "manifests": [
            {
                "mediaType": child.media_type,
                "size": len(child.manifest),
                "digest": child.digest,
                "platform": {"architecture": arch, "os": "linux"},
            }
            for child, arch in zip(children, ("amd64", "arm64"), strict=False)
        ],
    }
    return json.dumps(doc, indent=3)


SCHEMA1 = json.dumps(
    {
        "schemaVersion": 1,
        "name": "legacy",
        "tag": "old",
        "architecture": "amd64",
        "fsLayers": [{"blobSum": blob(7)}],
        "history": [{"v1Compatibility": '{"id":"x"}'}],
    },
    indent=3,
)


def build_state() -> RegistryState:
    state = RegistryState(ACCOUNT, REGION)
    api = state.create_repository("team/api", created_at=CREATED_AT)
    a = api.put(Image.from_manifest(image_manifest(1), pushed_at=PUSHED_AT))
    api.tag("v1", a.digest)
    api.tag("latest", a.digest)
    b = api.put(Image.from_manifest(image_manifest(2, OCI), pushed_at=PUSHED_AT + 1))
    api.tag("v2", b.digest)
    api.put(Image.from_manifest(image_manifest(3, layers=1), pushed_at=PUSHED_AT + 2))

    multi = state.create_repository("team/multi", created_at=CREATED_AT)
    amd = multi.put(Image.from_manifest(image_manifest(11), pushed_at=PUSHED_AT))
    arm = multi.put(Image.from_manifest(image_manifest(12, layers=3), pushed_at=PUSHED_AT))
    index = multi.put(Image.from_manifest(list_manifest(amd, arm), pushed_at=PUSHED_AT))
    multi.tag("latest", index.digest)

    locked = state.create_repository(
        "team/locked", tag_mutability=TagMutability.IMMUTABLE, created_at=CREATED_AT
    )
    locked.tag("v1", locked.put(Image.from_manifest(image_manifest(21))).digest)

    legacy = state.create_repository("legacy", created_at=CREATED_AT)
    legacy.tag("old", legacy.put(Image.from_manifest(SCHEMA1, pushed_at=PUSHED_AT)).digest)

    state.create_repository("empty", created_at=CREATED_AT)

    mirror = state.create_repository(
        "mirror/ubuntu", account="210987654321", region="eu-west-1", created_at=CREATED_AT
    )
    mirror.tag("jammy", mirror.put(Image.from_manifest(image_manifest(31))).digest)
    return state.freeze()


def strip(response: dict[str, Any]) -> dict[str, Any]:
    """A parsed response without botocore's ``ResponseMetadata``."""
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def batch_get(
    client: Any, *ids: dict[str, str], repo: str = "team/api", **params: Any
) -> dict[str, Any]:
    """BatchGetImage of *ids* in *repo* through *client*, without ``ResponseMetadata``."""
    return strip(client.batch_get_image(repositoryName=repo, imageIds=list(ids), **params))


def error_of(method: Callable[..., Any], **params: Any) -> tuple[str, str, int]:
    """Call a client method that must fail; return ``(code, message, HTTP status)``."""
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        method(**params)
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )
