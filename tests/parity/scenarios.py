"""The parity scenarios: one list, run against every path by ``test_parity.py``.

A scenario is a few client calls (with faults armed first, for the fault scenarios) on the
registry of ``registry.yaml``. Its answer on the in-process local backend is the reference;
every other path must give the same answer after :func:`normalise`. Where moto's answer
differs, the scenario names the deviation (``MOTO_DEVIATIONS``, with its public source) in
``moto=``: that case is marked ``xfail(strict=True)`` on the moto path, so it is listed in
every run and starts failing the day moto changes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pytest_ecr.declarations import load_sources

HERE = Path(__file__).parent
REGISTRY = HERE / "registry.yaml"
ACCOUNT = "111122223333"
REPO = "team/api"
DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI = "application/vnd.oci.image.manifest.v1+json"

_DECLARED = load_sources([str(REGISTRY)], base_dir=HERE)
_API = _DECLARED.repository(REPO)
#: Image A: tags v1, latest (docker v2, exact text). B: tag v2 (OCI). C: untagged.
A = _API.image("v1").digest
B = _API.image("v2").digest
C = next(image.digest for image in _API.images() if not _API.tags_of(image.digest))
A_MANIFEST = _API.image("v1").manifest
UNKNOWN = "sha256:" + "0" * 64
#: A manifest the registry does not hold yet (for PutImage).
NEW_MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": DOCKER_V2,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1234,
            "digest": "sha256:" + "3" * 64,
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 5678,
                "digest": "sha256:" + "4" * 64,
            }
        ],
    },
    indent=2,
)
NEW_DIGEST = "sha256:" + hashlib.sha256(NEW_MANIFEST.encode()).hexdigest()

#: moto 5.2's deviations from ECR that scenarios below run into, each with where it can be
#: checked: moto's own source (``moto/ecr/models.py``), its issues, and the AWS page that
#: says what ECR does. Entries "found by this suite" were first seen here.
#: ``test_parity.py`` checks that every entry is used and every use exists.
MOTO_DEVIATIONS: dict[str, str] = {
    "digest": "PutImage without imageDigest stores moto's own digest (sha256 of the joined "
    "layer digests; moto/ecr/models.py, Image._create_digest), where ECR's is sha256 of the "
    "exact manifest bytes (ECR User Guide, 'Container image manifest formats'; "
    "distribution/distribution#1068)",
    "size-fields": "imageSizeInBytes is config.size only and artifactMediaType is never "
    "returned (moto/ecr/models.py, Image.get_image_size_in_bytes; API Reference, ImageDetail)",
    "registry-id": "BatchGetImage ignores registryId and finds the repository of another "
    "registry (moto/ecr/models.py, batch_get_image; API Reference, BatchGetImage)",
    "accepted-media-types": "acceptedMediaTypes is ignored, no manifest translation "
    "(moto/ecr/models.py, batch_get_image; ECR translates by tag: aws/containers-roadmap#1075)",
    "echoed-tag": "the echoed imageTag is the image's most recently added tag, not the "
    "requested one (moto/ecr/models.py, batch_get_image; getmoto/moto#6230; the AWS CLI's "
    "batch-get-image example echoes the requested tag)",
    "echoed-tag-digest": "a by-digest request gives one entry (echoing the last tag), not one "
    "entry per tag (moto/ecr/models.py, batch_get_image)",
    "tag-or-digest": "tag + digest are matched with OR: no ImageTagDoesNotMatchDigest, and an "
    "unknown tag with a known digest returns the image (moto/ecr/models.py, batch_get_image; "
    "getmoto/moto#1406; API Reference, ImageFailure)",
    "duplicate-ids": "duplicate ids give duplicate images (moto/ecr/models.py, batch_get_image)",
    "failure-id": "the failure imageId of a digest-only miss is {'imageTag': 'null'}, not the "
    "id as requested (moto/ecr/models.py, batch_get_image; API Reference, ImageFailure)",
    "malformed-ids": "no MissingDigestAndTag / InvalidImageDigest in BatchGetImage "
    "(ImageNotFound with imageTag 'null' instead; moto/ecr/models.py, batch_get_image; API "
    "Reference, ImageFailure)",
    "too-many-ids": "more than 100 imageIds are not rejected (moto/ecr/models.py, "
    "batch_get_image; ECR's InvalidParameterException is quoted in fujiwara/ecrm#3 and "
    "awslabs/ecr-cleanup-lambda#11)",
    "describe-paging": "DescribeImages ignores maxResults, nextToken and filter "
    "(moto/ecr/models.py, describe_images; API Reference, DescribeImages)",
    "list-images-filter": "ListImages ignores filter.tagStatus (moto/ecr/models.py, "
    "list_images, before moto 5.2.4; API Reference, ListImages)",
    "put-missing-repository": "PutImage on a missing repository raises a bare Python "
    "Exception, not RepositoryNotFoundException (moto/ecr/models.py, put_image; API "
    "Reference, PutImage)",
    "moved-tag": "re-pointing a tag deletes the image it left instead of keeping it untagged "
    "(moto/ecr/models.py, put_image; ECR User Guide, 'Retagging an image')",
    "immutable-tag": "an immutable-tag conflict raises ImageAlreadyExistsException, not "
    "ImageTagAlreadyExistsException (getmoto/moto#8717 and #9185; API Reference, PutImage)",
    "delete-tag-digest": "BatchDeleteImage by tag + digest deletes the whole image, and "
    "duplicate references produce a spurious ImageNotFound failure (moto/ecr/models.py, "
    "batch_delete_image; getmoto/moto#4941; API Reference, BatchDeleteImage)",
    "token-expiry": "GetAuthorizationToken's expiresAt is fixed in the past (2015-01-01; "
    "moto/ecr/responses.py, get_authorization_token), where ECR's tokens last 12 hours (API "
    "Reference, AuthorizationData)",
    "invalid-tag": "found by this suite: no InvalidImageTag in BatchGetImage; a tag longer "
    "than 300 characters is an ImageNotFound failure (API Reference, ImageFailure)",
    "repository-name": "found by this suite: BatchGetImage does not validate repositoryName "
    "(RepositoryNotFoundException instead of InvalidParameterException)",
    "declared-failure": "(pytest-ecr's seeding, not moto itself): a declared per-image `failure:` "
    "cannot be stored in moto, so the image is returned (inject a `failure` fault instead, "
    "which works on the moto path)",
    "delete-order": "found by this suite: BatchDeleteImage by digest lists the deleted tags in "
    "reverse order of tagging",
}


#: Deviations a later moto release fixed: from that version on, the scenario must agree.
MOTO_FIXED_IN: dict[str, tuple[int, ...]] = {"list-images-filter": (5, 2, 4)}


@dataclass(frozen=True)
class Step:
    """One client call: the client method and its keyword arguments."""

    method: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Scenario:
    id: str
    steps: tuple[Step, ...]
    #: What the local backend must answer (a predicate on the normalised outcomes).
    check: Callable[[list[Any]], bool]
    #: Faults armed before the calls (``ecr.fault(**spec)``).
    faults: tuple[Mapping[str, Any], ...] = ()
    #: ``botocore.config.Config`` keywords for the client.
    config: Mapping[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    #: Key of MOTO_DEVIATIONS when moto answers differently, else None.
    moto: str | None = None
    #: Compare the call history too (attempts, statuses, faults).
    history: bool = False
    #: Reduce each outcome to what is compared (for the identity-only variants).
    project: Callable[[Any], Any] | None = None

    @property
    def stubber(self) -> bool:
        """The Stubber answers before the retry loop and knows no faults."""
        return not self.faults


def call(method: str, **params: Any) -> Step:
    return Step(method, params)


def bgi(*ids: Mapping[str, str], repo: str = REPO, **params: Any) -> Step:
    return call("batch_get_image", repositoryName=repo, imageIds=list(ids), **params)


def failure_codes(outcome: Any) -> list[str]:
    return [f["failureCode"] for f in outcome.get("failures", [])]


def echoed(outcome: Any) -> list[Mapping[str, str]]:
    return [image["imageId"] for image in outcome.get("images", [])]


def error_of(outcome: Any) -> str | None:
    return outcome.get("error") if isinstance(outcome, dict) else None


def identity_of_details(outcome: Any) -> Any:
    if "imageDetails" not in outcome:
        return outcome
    return [
        (d["imageDigest"], d.get("imageTags"), d.get("imageManifestMediaType"))
        for d in outcome["imageDetails"]
    ]


def identity_of_token(outcome: Any) -> Any:
    if "authorizationData" not in outcome:
        return outcome
    return [(d["authorizationToken"], d["proxyEndpoint"]) for d in outcome["authorizationData"]]


_S = Scenario
SCENARIOS: tuple[Scenario, ...] = (
    # -- BatchGetImage: the per-id resolution table (API Reference, BatchGetImage) ---------
    _S(
        "bgi-row1-neither-tag-nor-digest",
        (bgi({}),),
        lambda o: (
            failure_codes(o[0]) == ["MissingDigestAndTag"] and o[0]["failures"][0]["imageId"] == {}
        ),
        moto="malformed-ids",
    ),
    _S(
        "bgi-row2-malformed-digest",
        (bgi({"imageDigest": "invalid_digest"}),),
        lambda o: failure_codes(o[0]) == ["InvalidImageDigest"],
        moto="malformed-ids",
    ),
    _S(
        "bgi-row3a-tag-found-last-tag",
        (bgi({"imageTag": "latest"}),),
        lambda o: echoed(o[0]) == [{"imageDigest": A, "imageTag": "latest"}],
    ),
    _S(
        "bgi-row3a-tag-found-echoes-requested-tag",
        (bgi({"imageTag": "v1"}),),
        lambda o: echoed(o[0]) == [{"imageDigest": A, "imageTag": "v1"}],
        moto="echoed-tag",
    ),
    _S(
        "bgi-row3b-tag-missing",
        (bgi({"imageTag": "nope"}),),
        lambda o: (
            o[0]["failures"][0]["imageId"] == {"imageTag": "nope"}
            and failure_codes(o[0]) == ["ImageNotFound"]
        ),
    ),
    _S(
        "bgi-row4a-digest-one-entry-per-tag",
        (bgi({"imageDigest": A}),),
        lambda o: (
            echoed(o[0])
            == [{"imageDigest": A, "imageTag": "v1"}, {"imageDigest": A, "imageTag": "latest"}]
        ),
        moto="echoed-tag-digest",
    ),
    _S(
        "bgi-row4a-digest-single-tag",
        (bgi({"imageDigest": B}),),
        lambda o: echoed(o[0]) == [{"imageDigest": B, "imageTag": "v2"}],
    ),
    _S(
        "bgi-row4b-digest-untagged",
        (bgi({"imageDigest": C}),),
        lambda o: echoed(o[0]) == [{"imageDigest": C}],
    ),
    _S(
        "bgi-row4c-digest-missing",
        (bgi({"imageDigest": UNKNOWN}),),
        lambda o: o[0]["failures"][0]["imageId"] == {"imageDigest": UNKNOWN},
        moto="failure-id",
    ),
    _S(
        "bgi-row5a-tag-and-digest-match",
        (bgi({"imageTag": "latest", "imageDigest": A}),),
        lambda o: echoed(o[0]) == [{"imageDigest": A, "imageTag": "latest"}],
    ),
    _S(
        "bgi-row5b-tag-points-elsewhere",
        (bgi({"imageTag": "v2", "imageDigest": A}),),
        lambda o: failure_codes(o[0]) == ["ImageTagDoesNotMatchDigest"],
        moto="tag-or-digest",
    ),
    _S(
        "bgi-row5c-tag-missing-digest-exists",
        (bgi({"imageTag": "nope", "imageDigest": A}),),
        lambda o: failure_codes(o[0]) == ["ImageNotFound"] and not o[0]["images"],
        moto="tag-or-digest",
    ),
    _S(
        "bgi-row6-tag-too-long",
        (bgi({"imageTag": "x" * 301}),),
        lambda o: failure_codes(o[0]) == ["InvalidImageTag"],
        moto="invalid-tag",
    ),
    _S(
        "bgi-declared-failure-image",
        (bgi({"imageTag": "encrypted"}, repo="team/kms"),),
        lambda o: (
            failure_codes(o[0]) == ["KmsError"]
            and o[0]["failures"][0]["imageId"] == {"imageTag": "encrypted"}
        ),
        moto="declared-failure",
    ),
    _S(
        "bgi-duplicate-ids",
        (bgi({"imageTag": "v2"}, {"imageTag": "v2"}),),
        lambda o: echoed(o[0]) == [{"imageDigest": B, "imageTag": "v2"}],
        moto="duplicate-ids",
    ),
    _S(
        "bgi-request-order-kept",
        (bgi({"imageTag": "v2"}, {"imageTag": "nope"}, {"imageTag": "latest"}),),
        lambda o: (
            [i["imageTag"] for i in echoed(o[0])] == ["v2", "latest"]
            and failure_codes(o[0]) == ["ImageNotFound"]
        ),
    ),
    _S(
        "bgi-accepted-media-types-translation",
        (bgi({"imageTag": "latest"}, acceptedMediaTypes=[OCI]),),
        lambda o: o[0]["images"][0]["imageManifestMediaType"] == OCI,
        moto="accepted-media-types",
    ),
    _S(
        "bgi-accepted-media-types-stored-type-accepted",
        (bgi({"imageTag": "latest"}, acceptedMediaTypes=[DOCKER_V2, OCI]),),
        lambda o: o[0]["images"][0]["imageManifest"] == A_MANIFEST,
    ),
    _S(
        "bgi-declared-repository-of-another-registry",
        (
            bgi(
                {"imageTag": "jammy"},
                repo="mirror/ubuntu",
                registryId="210987654321",
            ),
        ),
        lambda o: o[0]["images"][0]["registryId"] == "210987654321",
        region="eu-west-1",
    ),
    # -- BatchGetImage: request-level errors ----------------------------------------------
    _S(
        "bgi-repository-not-found",
        (bgi({"imageTag": "v1"}, repo="team/nope"),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException" and o[0]["status"] == 400,
    ),
    _S(
        "bgi-registry-id-of-undeclared-registry",
        (bgi({"imageTag": "v1"}, registryId="999999999999"),),
        lambda o: (
            error_of(o[0]) == "RepositoryNotFoundException" and "'999999999999'" in o[0]["message"]
        ),
        moto="registry-id",
    ),
    _S(
        "bgi-more-than-100-ids",
        (bgi(*({"imageTag": f"t{i}"} for i in range(101))),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="too-many-ids",
    ),
    _S(
        "bgi-invalid-repository-name",
        (bgi({"imageTag": "v1"}, repo="REPO_BAD!"),),
        lambda o: error_of(o[0]) == "InvalidParameterException",
        moto="repository-name",
    ),
    # -- DescribeImages, ListImages, DescribeRepositories ----------------------------------
    _S(
        "describe-images-all",
        (call("describe_images", repositoryName=REPO),),
        lambda o: len(o[0]["imageDetails"]) == 3,
        moto="size-fields",
    ),
    _S(
        "describe-images-all-identity",
        (call("describe_images", repositoryName=REPO),),
        lambda o: [d[0] for d in o[0]] == [A, B, C],
        project=identity_of_details,
    ),
    _S(
        "describe-images-by-tag-lists-all-tags",
        (call("describe_images", repositoryName=REPO, imageIds=[{"imageTag": "v1"}]),),
        lambda o: o[0]["imageDetails"][0]["imageTags"] == ["v1", "latest"],
        moto="size-fields",
    ),
    _S(
        "describe-images-by-tag-identity",
        (call("describe_images", repositoryName=REPO, imageIds=[{"imageTag": "v1"}]),),
        lambda o: o[0] == [(A, ["v1", "latest"], DOCKER_V2)],
        project=identity_of_details,
    ),
    _S(
        "describe-images-image-not-found",
        (call("describe_images", repositoryName=REPO, imageIds=[{"imageTag": "nope"}]),),
        lambda o: error_of(o[0]) == "ImageNotFoundException",
    ),
    _S(
        "describe-images-repository-not-found",
        (call("describe_images", repositoryName="team/nope"),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    _S(
        "describe-images-filter-untagged",
        (call("describe_images", repositoryName=REPO, filter={"tagStatus": "UNTAGGED"}),),
        lambda o: [d["imageDigest"] for d in o[0]["imageDetails"]] == [C],
        moto="describe-paging",
    ),
    _S(
        "describe-images-max-results",
        (call("describe_images", repositoryName=REPO, maxResults=1),),
        lambda o: len(o[0]["imageDetails"]) == 1 and "nextToken" in o[0],
        moto="describe-paging",
    ),
    _S(
        "list-images-all",
        (call("list_images", repositoryName=REPO),),
        lambda o: len(o[0]["imageIds"]) == 4,
    ),
    _S(
        "list-images-filter-tagged",
        (call("list_images", repositoryName=REPO, filter={"tagStatus": "TAGGED"}),),
        lambda o: len(o[0]["imageIds"]) == 3,
        moto="list-images-filter",
    ),
    _S(
        "list-images-repository-not-found",
        (call("list_images", repositoryName="team/nope"),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    _S(
        "describe-repositories-all",
        (call("describe_repositories"),),
        lambda o: (
            [r["repositoryName"] for r in o[0]["repositories"]] == [REPO, "team/locked", "team/kms"]
        ),
    ),
    _S(
        "describe-repositories-by-name",
        (call("describe_repositories", repositoryNames=["team/locked"]),),
        lambda o: o[0]["repositories"][0]["imageTagMutability"] == "IMMUTABLE",
    ),
    _S(
        "describe-repositories-not-found",
        (call("describe_repositories", repositoryNames=["team/nope"]),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    # -- GetAuthorizationToken -------------------------------------------------------------
    _S(
        "get-authorization-token",
        (call("get_authorization_token"),),
        lambda o: o[0]["authorizationData"][0]["expiresAt"] == "<future>",
        moto="token-expiry",
    ),
    _S(
        "get-authorization-token-identity",
        (call("get_authorization_token"),),
        lambda o: (
            o[0]
            == [("<base64 AWS:password>", f"https://{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com")]
        ),
        project=identity_of_token,
    ),
    # -- PutImage --------------------------------------------------------------------------
    _S(
        "put-image-new-with-digest",
        (
            call(
                "put_image",
                repositoryName=REPO,
                imageManifest=NEW_MANIFEST,
                imageTag="v3",
                imageDigest=NEW_DIGEST,
            ),
            bgi({"imageTag": "v3"}),
        ),
        lambda o: (
            o[0]["image"]["imageId"] == {"imageDigest": NEW_DIGEST, "imageTag": "v3"}
            and o[1]["images"][0]["imageManifest"] == NEW_MANIFEST
        ),
    ),
    _S(
        "put-image-new-digest-computed",
        (call("put_image", repositoryName=REPO, imageManifest=NEW_MANIFEST, imageTag="v3"),),
        lambda o: o[0]["image"]["imageId"]["imageDigest"] == NEW_DIGEST,
        moto="digest",
    ),
    _S(
        "put-image-retag",
        (
            call("put_image", repositoryName=REPO, imageManifest=A_MANIFEST, imageTag="prod"),
            bgi({"imageTag": "prod"}),
        ),
        lambda o: o[0]["image"]["imageId"] == {"imageDigest": A, "imageTag": "prod"},
    ),
    _S(
        "put-image-existing-manifest-and-tag",
        (call("put_image", repositoryName=REPO, imageManifest=A_MANIFEST, imageTag="v1"),),
        lambda o: error_of(o[0]) == "ImageAlreadyExistsException",
    ),
    _S(
        "put-image-immutable-tag-conflict",
        (
            call(
                "put_image",
                repositoryName="team/locked",
                imageManifest=NEW_MANIFEST,
                imageTag="release",
            ),
        ),
        lambda o: error_of(o[0]) == "ImageTagAlreadyExistsException",
        moto="immutable-tag",
    ),
    _S(
        "put-image-moving-a-tag-keeps-the-old-image",
        (
            call("put_image", repositoryName=REPO, imageManifest=NEW_MANIFEST, imageTag="v2"),
            call("list_images", repositoryName=REPO),
        ),
        lambda o: {"imageDigest": B} in o[1]["imageIds"],
        moto="moved-tag",
    ),
    _S(
        "put-image-repository-not-found",
        (call("put_image", repositoryName="team/nope", imageManifest=NEW_MANIFEST),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
        moto="put-missing-repository",
    ),
    # -- BatchDeleteImage ------------------------------------------------------------------
    _S(
        "batch-delete-by-tag",
        (
            call("batch_delete_image", repositoryName=REPO, imageIds=[{"imageTag": "v1"}]),
            call("list_images", repositoryName=REPO),
        ),
        lambda o: (
            o[0]["imageIds"] == [{"imageDigest": A, "imageTag": "v1"}]
            and {"imageDigest": A, "imageTag": "latest"} in o[1]["imageIds"]
        ),
    ),
    _S(
        "batch-delete-by-digest-one-entry-per-tag",
        (
            call("batch_delete_image", repositoryName=REPO, imageIds=[{"imageDigest": A}]),
            call("list_images", repositoryName=REPO),
        ),
        lambda o: (
            o[0]["imageIds"]
            == [{"imageDigest": A, "imageTag": "v1"}, {"imageDigest": A, "imageTag": "latest"}]
        ),
        moto="delete-order",
    ),
    _S(
        "batch-delete-by-digest-then-list",
        (
            call("batch_delete_image", repositoryName=REPO, imageIds=[{"imageDigest": B}]),
            call("list_images", repositoryName=REPO),
        ),
        lambda o: all(i.get("imageDigest") != B for i in o[1]["imageIds"]),
    ),
    _S(
        "batch-delete-tag-and-digest-removes-only-that-tag",
        (
            call(
                "batch_delete_image",
                repositoryName=REPO,
                imageIds=[{"imageTag": "latest", "imageDigest": A}],
            ),
            call("list_images", repositoryName=REPO),
        ),
        lambda o: {"imageDigest": A, "imageTag": "v1"} in o[1]["imageIds"],
        moto="delete-tag-digest",
    ),
    _S(
        "batch-delete-duplicate-references",
        (
            call(
                "batch_delete_image",
                repositoryName=REPO,
                imageIds=[{"imageDigest": B}, {"imageTag": "v2"}],
            ),
        ),
        lambda o: o[0] == {"imageIds": [{"imageDigest": B, "imageTag": "v2"}], "failures": []},
        moto="delete-tag-digest",
    ),
    _S(
        "batch-delete-missing",
        (call("batch_delete_image", repositoryName=REPO, imageIds=[{"imageTag": "nope"}]),),
        lambda o: failure_codes(o[0]) == ["ImageNotFound"],
    ),
    _S(
        "batch-delete-repository-not-found",
        (call("batch_delete_image", repositoryName="team/nope", imageIds=[{"imageTag": "v1"}]),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
    ),
    # -- faults: decided before any backend answers -----------------------------------------
    _S(
        "fault-error-retried-then-answered",
        (bgi({"imageTag": "latest"}),),
        lambda o: len(o[0]["images"]) == 1,
        faults=({"operation": "BatchGetImage", "error": "ServerException", "times": 2},),
        history=True,
    ),
    _S(
        "fault-error-exhausts-retries",
        (bgi({"imageTag": "latest"}),),
        lambda o: error_of(o[0]) == "ThrottlingException" and o[0]["message"] == "Rate exceeded",
        faults=({"operation": "BatchGetImage", "error": "ThrottlingException"},),
        config={"retries": {"max_attempts": 2, "mode": "standard"}},
        history=True,
    ),
    _S(
        "fault-failure-merged-with-answer",
        (bgi({"imageTag": "latest"}, {"imageTag": "v2"}),),
        lambda o: failure_codes(o[0]) == ["KmsError"] and len(o[0]["images"]) == 1,
        faults=({"operation": "BatchGetImage", "failure": "KmsError", "image": f"{REPO}:latest"},),
        history=True,
    ),
    _S(
        "fault-failure-takes-every-id",
        (bgi({"imageTag": "latest"}),),
        lambda o: failure_codes(o[0]) == ["KmsError"] and o[0]["images"] == [],
        faults=({"operation": "BatchGetImage", "failure": "KmsError"},),
        history=True,
    ),
    _S(
        "fault-failure-every-id-missing-repository",
        (bgi({"imageTag": "latest"}, repo="team/nope"),),
        lambda o: error_of(o[0]) == "RepositoryNotFoundException",
        faults=({"operation": "BatchGetImage", "failure": "KmsError"},),
        history=True,
    ),
    _S(
        "fault-connection-reset-retried",
        (bgi({"imageTag": "latest"}),),
        lambda o: len(o[0]["images"]) == 1,
        faults=({"operation": "BatchGetImage", "connection": "reset", "times": 1},),
        history=True,
    ),
    _S(
        "fault-on-put-image-never-reaches-the-backend",
        (
            call("put_image", repositoryName=REPO, imageManifest=NEW_MANIFEST, imageTag="v3"),
            call("list_images", repositoryName=REPO),
        ),
        lambda o: error_of(o[0]) == "ServerException" and len(o[1]["imageIds"]) == 4,
        faults=({"operation": "PutImage", "error": "ServerException"},),
        config={"retries": {"max_attempts": 1}},
        history=True,
    ),
)


# -- normalisation ---------------------------------------------------------------------------


def normalise(value: Any, now: datetime | None = None) -> Any:
    """What is compared: no ResponseMetadata (request ids, retry counts, headers);
    timestamps as ``<timestamp>`` (past) or ``<future>``; authorization tokens as the
    shape ECR promises (``base64("AWS:" + password)``, no ``:`` in the password)."""
    now = now or datetime.now(timezone.utc)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return "<future>" if moment > now else "<timestamp>"
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if key == "ResponseMetadata":
                continue
            if key == "authorizationToken" and isinstance(item, str):
                out[key] = _token_shape(item)
            else:
                out[key] = normalise(item, now)
        return out
    if isinstance(value, list):
        return [normalise(item, now) for item in value]
    return value


def _token_shape(token: str) -> str:
    try:
        user, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
    except ValueError:
        return token
    if user == "AWS" and sep and password and ":" not in password:
        return "<base64 AWS:password>"
    return token


def outcome_of_error(error: Exception) -> dict[str, Any]:
    """A ClientError as (code, message, status); anything else by its type."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping) and "Error" in response:
        return {
            "error": response["Error"].get("Code"),
            "message": response["Error"].get("Message"),
            "status": response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
        }
    return {"exception": type(error).__name__}


# -- scenarios of further operations, one module each --------------------------------------
# ``scenarios_<feature>.py`` beside this file defines ``SCENARIOS`` (and ``MOTO_DEVIATIONS``
# for the moto deviations they name), built with the helpers above; they run on every path
# like the ones here, on a fresh fake of ``registry.yaml`` each.


def _feature_modules() -> list[Any]:
    import importlib
    import pkgutil

    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(HERE)])
        if info.name.startswith("scenarios_")
    )
    return [importlib.import_module(f"{__package__}.{name}") for name in names]


for _module in _feature_modules():
    SCENARIOS += tuple(_module.SCENARIOS)
    MOTO_DEVIATIONS.update(getattr(_module, "MOTO_DEVIATIONS", {}))
    MOTO_FIXED_IN.update(getattr(_module, "MOTO_FIXED_IN", {}))
