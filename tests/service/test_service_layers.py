"""The five layer operations through real boto3 clients, on both transports: a pusher's
whole flow, the part rules, and every error and validation rule."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from typing import Any

import botocore.exceptions
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.service.layers import MAX_PART_BLOB, MAX_PARTS, MIN_PART_SIZE, PART_SIZE

from .support import ACCOUNT, DOCKER_CONFIG, DOCKER_LAYER, DOCKER_V2, blob, error_of, strip

REPO = "team/api"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
WHERE = f"in the repository with name '{REPO}' in the registry with id '{ACCOUNT}'"
UNKNOWN_UPLOAD = "00000000-0000-4000-8000-000000000000"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def initiate(client: Any, repo: str = REPO) -> str:
    upload: str = client.initiate_layer_upload(repositoryName=repo)["uploadId"]
    return upload


def send(client: Any, upload: str, first: int, data: bytes, repo: str = REPO) -> Any:
    return client.upload_layer_part(
        repositoryName=repo,
        uploadId=upload,
        partFirstByte=first,
        partLastByte=first + len(data) - 1,
        layerPartBlob=data,
    )


def push_layer(client: Any, *parts: bytes, repo: str = REPO) -> str:
    """Upload *parts* as one layer; return the digest ECR computed."""
    upload = initiate(client, repo)
    offset = 0
    for part in parts:
        send(client, upload, offset, part, repo)
        offset += len(part)
    digest = sha(b"".join(parts))
    done = client.complete_layer_upload(repositoryName=repo, uploadId=upload, layerDigests=[digest])
    assert done["layerDigest"] == digest
    return digest


def manifest(config: str, config_size: int, *layers: tuple[str, int]) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": DOCKER_V2,
            "config": {"mediaType": DOCKER_CONFIG, "size": config_size, "digest": config},
            "layers": [{"mediaType": DOCKER_LAYER, "size": s, "digest": d} for d, s in layers],
        }
    )


# -- the whole flow --------------------------------------------------------------------


def test_a_pushers_flow_from_initiate_to_download_url(any_client: Any, fake: FakeEcr) -> None:
    layer = b"L" * MIN_PART_SIZE + b"the last part may be small"
    config = b'{"architecture":"amd64","os":"linux"}'
    # A pusher first asks which blobs the repository already has.
    missing = strip(
        any_client.batch_check_layer_availability(
            repositoryName=REPO, layerDigests=[sha(layer), sha(config)]
        )
    )
    assert missing["layers"] == []
    assert [f["failureCode"] for f in missing["failures"]] == ["MissingLayerDigest"] * 2

    started = strip(any_client.initiate_layer_upload(repositoryName=REPO))
    assert started["partSize"] == PART_SIZE == 10_485_760
    assert UUID_RE.fullmatch(started["uploadId"])
    upload = started["uploadId"]
    first = strip(send(any_client, upload, 0, layer[:MIN_PART_SIZE]))
    assert first == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "uploadId": upload,
        "lastByteReceived": MIN_PART_SIZE - 1,
    }
    second = strip(send(any_client, upload, MIN_PART_SIZE, layer[MIN_PART_SIZE:]))
    assert second["lastByteReceived"] == len(layer) - 1
    done = strip(
        any_client.complete_layer_upload(
            repositoryName=REPO, uploadId=upload, layerDigests=[sha(layer)]
        )
    )
    assert done == {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "uploadId": upload,
        "layerDigest": sha(layer),
    }
    config_digest = push_layer(any_client, config)

    # Uploaded, not yet named by an image: available to check, not to download.
    checked = strip(
        any_client.batch_check_layer_availability(
            repositoryName=REPO, layerDigests=[sha(layer), config_digest]
        )
    )
    assert checked == {
        "layers": [
            {"layerDigest": sha(layer), "layerAvailability": "AVAILABLE", "layerSize": len(layer)},
            {
                "layerDigest": config_digest,
                "layerAvailability": "AVAILABLE",
                "layerSize": len(config),
            },
        ],
        "failures": [],
    }
    code, _, _ = error_of(
        any_client.get_download_url_for_layer, repositoryName=REPO, layerDigest=sha(layer)
    )
    assert code == "LayerInaccessibleException"

    any_client.put_image(
        repositoryName=REPO,
        imageManifest=manifest(config_digest, len(config), (sha(layer), len(layer))),
        imageTag="pushed",
    )
    url = strip(any_client.get_download_url_for_layer(repositoryName=REPO, layerDigest=sha(layer)))
    assert url["layerDigest"] == sha(layer)
    where, _, signed = url["downloadUrl"].partition("?")
    path = f"/pytest-ecr-layers/{ACCOUNT}/us-east-1/v2/{REPO}/blobs/{sha(layer)}"
    if fake.http_endpoints:
        assert where == f"{fake.http_endpoints[0]}{path}"
    else:
        assert where == f"https://{ACCOUNT}.layers.us-east-1.pytest-ecr.invalid{path}"
    assert "X-Amz-Expires=3600" in signed
    assert "X-Amz-Signature=" in signed
    checked = strip(
        any_client.batch_check_layer_availability(repositoryName=REPO, layerDigests=[sha(layer)])
    )
    # Named by a manifest now: its media type is the manifest's.
    assert checked["layers"][0]["mediaType"] == DOCKER_LAYER
    assert [c.operation for c in fake.calls()].count("UploadLayerPart") == 3


def test_a_one_part_upload_of_any_size(any_client: Any) -> None:
    digest = push_layer(any_client, b"tiny")
    assert digest == sha(b"tiny")


def test_the_upload_is_gone_once_completed(any_client: Any) -> None:
    upload = initiate(any_client)
    send(any_client, upload, 0, b"abc")
    any_client.complete_layer_upload(
        repositoryName=REPO, uploadId=upload, layerDigests=[sha(b"abc")]
    )
    for method, extra in (
        (
            any_client.upload_layer_part,
            {"partFirstByte": 3, "partLastByte": 3, "layerPartBlob": b"d"},
        ),
        (any_client.complete_layer_upload, {"layerDigests": [sha(b"abc")]}),
    ):
        code, message, status = error_of(method, repositoryName=REPO, uploadId=upload, **extra)
        assert (code, status) == ("UploadNotFoundException", 400)
        assert message == f"The upload with id '{upload}' does not exist {WHERE}"


# -- BatchCheckLayerAvailability --------------------------------------------------------


def test_declared_layers_are_available_with_their_manifests_size_and_type(
    any_client: Any,
) -> None:
    # Image A of team/api (support.image_manifest(1)): config blob(100), layers 101, 102.
    answer = strip(
        any_client.batch_check_layer_availability(
            repositoryName=REPO, layerDigests=[blob(100), blob(102)]
        )
    )
    assert answer == {
        "layers": [
            {
                "layerDigest": blob(100),
                "layerAvailability": "AVAILABLE",
                "layerSize": 1001,
                "mediaType": DOCKER_CONFIG,
            },
            {
                "layerDigest": blob(102),
                "layerAvailability": "AVAILABLE",
                "layerSize": 20001,
                "mediaType": DOCKER_LAYER,
            },
        ],
        "failures": [],
    }


def test_a_schema1_layer_is_available_without_size_or_type(any_client: Any) -> None:
    answer = any_client.batch_check_layer_availability(
        repositoryName="legacy", layerDigests=[blob(7)]
    )
    assert answer["layers"] == [{"layerDigest": blob(7), "layerAvailability": "AVAILABLE"}]


def test_layers_are_scoped_to_their_repository(any_client: Any) -> None:
    answer = any_client.batch_check_layer_availability(
        repositoryName="empty", layerDigests=[blob(100)]
    )
    assert answer["layers"] == []
    assert answer["failures"] == [
        {
            "layerDigest": blob(100),
            "failureCode": "MissingLayerDigest",
            "failureReason": "Requested layer not found",
        }
    ]
    code, _, _ = error_of(
        any_client.get_download_url_for_layer, repositoryName="empty", layerDigest=blob(100)
    )
    assert code == "LayersNotFoundException"


def test_a_malformed_digest_is_a_failure_and_duplicates_collapse(any_client: Any) -> None:
    answer = any_client.batch_check_layer_availability(
        repositoryName=REPO, layerDigests=["sha256:xyz", "", blob(100), blob(100)]
    )
    assert [layer["layerDigest"] for layer in answer["layers"]] == [blob(100)]
    assert answer["failures"] == [
        {
            "layerDigest": digest,
            "failureCode": "InvalidLayerDigest",
            "failureReason": "Invalid request parameters: layer digest should satisfy the "
            "regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
        }
        for digest in ("sha256:xyz", "")
    ]


def test_a_deleted_image_takes_its_layers_along(any_client: Any) -> None:
    # Image C (support.image_manifest(3, layers=1)) is the only one naming blob(301).
    digest = next(
        d["imageDigest"]
        for d in any_client.describe_images(repositoryName=REPO)["imageDetails"]
        if "imageTags" not in d
    )
    before = any_client.batch_check_layer_availability(
        repositoryName=REPO, layerDigests=[blob(301)]
    )
    assert len(before["layers"]) == 1
    any_client.batch_delete_image(repositoryName=REPO, imageIds=[{"imageDigest": digest}])
    after = any_client.batch_check_layer_availability(repositoryName=REPO, layerDigests=[blob(301)])
    assert after["layers"] == []
    assert after["failures"][0]["failureCode"] == "MissingLayerDigest"


def test_batch_check_validation(any_client: Any) -> None:
    code, message, _ = error_of(
        any_client.batch_check_layer_availability,
        repositoryName=REPO,
        layerDigests=[blob(n) for n in range(101)],
    )
    assert (code, message) == (
        "InvalidParameterException",
        "Invalid parameter at 'layerDigests' failed to satisfy constraint: "
        "'Member must have length less than or equal to 100'",
    )
    code, message, _ = error_of(
        any_client.batch_check_layer_availability, repositoryName=REPO, layerDigests=["a" * 1001]
    )
    assert message == (
        "Invalid parameter at 'layerDigests.1.member' failed to satisfy constraint: "
        "'Member must have length less than or equal to 1000'"
    )


# -- request rules every layer operation shares ------------------------------------------


ALL_OPERATIONS = (
    ("batch_check_layer_availability", {"layerDigests": [blob(1)]}),
    ("get_download_url_for_layer", {"layerDigest": blob(1)}),
    ("initiate_layer_upload", {}),
    (
        "upload_layer_part",
        {
            "uploadId": UNKNOWN_UPLOAD,
            "partFirstByte": 0,
            "partLastByte": 0,
            "layerPartBlob": b"x",
        },
    ),
    ("complete_layer_upload", {"uploadId": UNKNOWN_UPLOAD, "layerDigests": [blob(1)]}),
)


@pytest.mark.parametrize(("method", "params"), ALL_OPERATIONS, ids=[m for m, _ in ALL_OPERATIONS])
def test_repository_and_registry_rules(any_client: Any, method: str, params: Any) -> None:
    call = getattr(any_client, method)
    code, message, _ = error_of(call, repositoryName="missing", **params)
    assert (code, message) == (
        "RepositoryNotFoundException",
        f"The repository with name 'missing' does not exist in the registry with id '{ACCOUNT}'",
    )
    code, message, _ = error_of(call, repositoryName="Bad!", **params)
    assert code == "InvalidParameterException"
    assert message.startswith("Invalid parameter at 'repositoryName'")
    code, message, _ = error_of(call, repositoryName=REPO, registryId="abc", **params)
    assert message == (
        "Invalid parameter at 'registryId' failed to satisfy constraint: "
        "'must satisfy regular expression '[0-9]{12}''"
    )
    # Another registry's repository of the same name is another repository.
    code, _, _ = error_of(call, repositoryName=REPO, registryId="210987654321", **params)
    assert code == "RepositoryNotFoundException"


@pytest.mark.parametrize(
    ("method", "params"), ALL_OPERATIONS[3:], ids=[m for m, _ in ALL_OPERATIONS[3:]]
)
def test_upload_id_rules(any_client: Any, method: str, params: Any) -> None:
    call = getattr(any_client, method)
    code, message, _ = error_of(call, repositoryName=REPO, **{**params, "uploadId": "nope"})
    assert (code, message) == (
        "InvalidParameterException",
        "Invalid parameter at 'uploadId' failed to satisfy constraint: 'must satisfy regular "
        "expression '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
        "[0-9a-fA-F]{12}''",
    )
    code, message, _ = error_of(call, repositoryName=REPO, **params)
    assert (code, message) == (
        "UploadNotFoundException",
        f"The upload with id '{UNKNOWN_UPLOAD}' does not exist {WHERE}",
    )


def test_another_repositorys_upload_is_not_found(any_client: Any) -> None:
    upload = initiate(any_client, "empty")
    code, _, _ = error_of(
        any_client.upload_layer_part,
        repositoryName=REPO,
        uploadId=upload,
        partFirstByte=0,
        partLastByte=0,
        layerPartBlob=b"x",
    )
    assert code == "UploadNotFoundException"
    send(any_client, upload, 0, b"x", repo="empty")


# -- GetDownloadUrlForLayer -------------------------------------------------------------


def test_download_url_of_a_declared_layer(any_client: Any, fake: FakeEcr) -> None:
    answer = strip(
        any_client.get_download_url_for_layer(repositoryName=REPO, layerDigest=blob(101))
    )
    assert answer["layerDigest"] == blob(101)
    assert answer["downloadUrl"].partition("?")[0].endswith(f"/v2/{REPO}/blobs/{blob(101)}")
    host = answer["downloadUrl"].split("/")[2]
    assert host.endswith(".invalid") or fake.http_endpoints


def test_download_url_errors(any_client: Any) -> None:
    code, message, status = error_of(
        any_client.get_download_url_for_layer, repositoryName=REPO, layerDigest=blob(9)
    )
    assert (code, status) == ("LayersNotFoundException", 400)
    assert message == (
        f"The layer with digest '{blob(9)}' does not exist within the repository with name "
        f"'{REPO}' in the registry with id '{ACCOUNT}'"
    )
    digest = push_layer(any_client, b"loose")
    code, message, _ = error_of(
        any_client.get_download_url_for_layer, repositoryName=REPO, layerDigest=digest
    )
    assert code == "LayerInaccessibleException"
    assert message == (
        f"The layer with digest '{digest}' {WHERE} is not available because it is not "
        "associated with an image. Unassociated image layers may be cleaned up at any time."
    )
    code, message, _ = error_of(
        any_client.get_download_url_for_layer, repositoryName=REPO, layerDigest="latest"
    )
    assert message == (
        "Invalid parameter at 'layerDigest' failed to satisfy constraint: "
        "'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''"
    )


def test_the_download_url_follows_the_endpoint_serving_the_fake(fake: FakeEcr, client: Any) -> None:
    fake.http_endpoints = ("http://127.0.0.1:1",)
    try:
        url = client.get_download_url_for_layer(repositoryName=REPO, layerDigest=blob(101))
    finally:
        fake.http_endpoints = ()
    assert url["downloadUrl"].startswith(
        f"http://127.0.0.1:1/pytest-ecr-layers/{ACCOUNT}/us-east-1/v2/{REPO}/blobs/{blob(101)}?"
    )
    again = client.get_download_url_for_layer(repositoryName=REPO, layerDigest=blob(101))
    assert ".invalid/" in again["downloadUrl"]


# -- UploadLayerPart --------------------------------------------------------------------


def _part_error(client: Any, upload: str, first: int, last: int, data: bytes) -> Any:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.upload_layer_part(
            repositoryName=REPO,
            uploadId=upload,
            partFirstByte=first,
            partLastByte=last,
            layerPartBlob=data,
        )
    return excinfo.value.response


def test_parts_must_be_contiguous_and_in_order(any_client: Any) -> None:
    upload = initiate(any_client)
    # The first part starts at byte 0.
    response = _part_error(any_client, upload, 1, 1, b"x")
    assert response["Error"]["Code"] == "InvalidLayerPartException"
    assert response["lastValidByteReceived"] == -1
    send(any_client, upload, 0, b"abc")
    for first in (2, 4, 0):  # overlapping, a gap, a repeat
        response = _part_error(any_client, upload, first, first, b"x")
        assert response["Error"]["Code"] == "InvalidLayerPartException"
        assert response["Error"]["Message"] == (
            f"The layer part for the upload with id '{upload}' {WHERE} is invalid: "
            f"partFirstByte {first} does not follow the last byte received. The last valid "
            "byte received is 2"
        )
        assert {k: response[k] for k in ("registryId", "repositoryName", "uploadId")} == {
            "registryId": ACCOUNT,
            "repositoryName": REPO,
            "uploadId": upload,
        }
        assert response["lastValidByteReceived"] == 2
    # A rejected part changes nothing: the next contiguous one is accepted.
    assert send(any_client, upload, 3, b"d")["lastByteReceived"] == 3


def test_a_part_must_span_its_byte_range(any_client: Any) -> None:
    upload = initiate(any_client)
    response = _part_error(any_client, upload, 0, 5, b"abc")
    assert response["Error"]["Code"] == "InvalidLayerPartException"
    assert (
        "the part's 3 bytes do not span partFirstByte 0 to partLastByte 5"
        in (response["Error"]["Message"])
    )
    response = _part_error(any_client, upload, 0, 0, b"")
    assert response["Error"]["Code"] == "InvalidLayerPartException"


def test_part_offsets_and_blob_are_checked(any_client: Any) -> None:
    upload = initiate(any_client)
    params = {"repositoryName": REPO, "uploadId": upload, "layerPartBlob": b"x"}
    with pytest.raises(botocore.exceptions.ParamValidationError):
        any_client.upload_layer_part(partFirstByte=-1, partLastByte=0, **params)
    with pytest.raises(botocore.exceptions.ParamValidationError):
        any_client.upload_layer_part(partLastByte=0, **params)


@pytest.mark.slow
def test_the_blob_maximum_is_enforced(client: Any) -> None:
    # In process only: 28 MB of base64 over the loopback would prove nothing more.
    upload = initiate(client)
    code, message, _ = error_of(
        client.upload_layer_part,
        repositoryName=REPO,
        uploadId=upload,
        partFirstByte=0,
        partLastByte=MAX_PART_BLOB,
        layerPartBlob=b"\0" * (MAX_PART_BLOB + 1),
    )
    assert (code, message) == (
        "InvalidParameterException",
        "Invalid parameter at 'layerPartBlob' failed to satisfy constraint: "
        "'Member must have length less than or equal to 20971520'",
    )


# -- CompleteLayerUpload ----------------------------------------------------------------


def test_an_upload_without_parts_cannot_be_completed(any_client: Any) -> None:
    upload = initiate(any_client)
    code, message, _ = error_of(
        any_client.complete_layer_upload,
        repositoryName=REPO,
        uploadId=upload,
        layerDigests=[sha(b"")],
    )
    assert (code, message) == (
        "EmptyUploadException",
        f"The upload with id '{upload}' in the repository with name '{REPO}' in registry with "
        f"id '{ACCOUNT}' cannot be completed because it does not have any parts",
    )
    # Still open: parts may follow.
    send(any_client, upload, 0, b"late")


def test_a_small_part_before_the_last_is_refused_at_complete(any_client: Any) -> None:
    upload = initiate(any_client)
    send(any_client, upload, 0, b"small")  # accepted here: ECR checks sizes at completion
    send(any_client, upload, 5, b"last")
    code, message, _ = error_of(
        any_client.complete_layer_upload,
        repositoryName=REPO,
        uploadId=upload,
        layerDigests=[sha(b"smalllast")],
    )
    assert (code, message) == (
        "LayerPartTooSmallException",
        "All layer parts except the last part should be at least 5MB",
    )


def test_parts_of_exactly_5_mib_then_a_small_last_part(any_client: Any) -> None:
    part = b"\1" * MIN_PART_SIZE
    assert push_layer(any_client, part, part, b"!") == sha(part + part + b"!")


def test_no_given_digest_matches_the_computed_one(any_client: Any) -> None:
    upload = initiate(any_client)
    send(any_client, upload, 0, b"content")
    code, message, _ = error_of(
        any_client.complete_layer_upload,
        repositoryName=REPO,
        uploadId=upload,
        layerDigests=[sha(b"other"), "sha512:abcd"],
    )
    assert (code, message) == (
        "InvalidLayerException",
        "None of the provided layer digests match the calculated layer digest",
    )
    # One matching digest among others is enough (upper-case hex matches too).
    done = any_client.complete_layer_upload(
        repositoryName=REPO,
        uploadId=upload,
        layerDigests=[sha(b"other"), sha(b"content").upper().replace("SHA256", "sha256")],
    )
    assert done["layerDigest"] == sha(b"content")


def test_a_layer_already_in_the_repository(any_client: Any) -> None:
    digest = push_layer(any_client, b"twice")
    upload = initiate(any_client)
    send(any_client, upload, 0, b"twice")
    code, message, _ = error_of(
        any_client.complete_layer_upload,
        repositoryName=REPO,
        uploadId=upload,
        layerDigests=[digest],
    )
    assert (code, message) == (
        "LayerAlreadyExistsException",
        f"The layer with digest '{digest}' already exists {WHERE}",
    )
    # The same bytes in another repository are another layer.
    assert push_layer(any_client, b"twice", repo="empty") == digest


def test_complete_validation(any_client: Any) -> None:
    upload = initiate(any_client)
    code, message, _ = error_of(
        any_client.complete_layer_upload,
        repositoryName=REPO,
        uploadId=upload,
        layerDigests=["latest"],
    )
    assert (code, message) == (
        "InvalidParameterException",
        "Invalid parameter at 'layerDigests.1.member' failed to satisfy constraint: "
        "'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''",
    )
    code, message, _ = error_of(
        any_client.complete_layer_upload,
        repositoryName=REPO,
        uploadId=upload,
        layerDigests=[blob(n) for n in range(101)],
    )
    assert message.endswith("'Member must have length less than or equal to 100'")


# -- isolation -------------------------------------------------------------------------


def test_a_tests_uploads_stay_its_own(declared: Any) -> None:
    with FakeEcr(state=declared) as first:
        client = first.client()
        upload = initiate(client)
        digest = push_layer(client, b"private")
    with FakeEcr(state=declared) as second:
        client = second.client()
        code, _, _ = error_of(
            client.complete_layer_upload,
            repositoryName=REPO,
            uploadId=upload,
            layerDigests=[digest],
        )
        assert code == "UploadNotFoundException"
        answer = client.batch_check_layer_availability(repositoryName=REPO, layerDigests=[digest])
        assert answer["layers"] == []
    assert declared.repository(REPO).blobs.content(digest) is None


def test_more_parts_than_ecrs_quota(fake: FakeEcr, any_client: Any) -> None:
    upload = initiate(any_client)
    blobs = fake.registry.repository(REPO, account=ACCOUNT).blobs
    for _ in range(MAX_PARTS):
        blobs.add_part(upload, b"p")
    code, message, _ = error_of(
        any_client.upload_layer_part,
        repositoryName=REPO,
        uploadId=upload,
        partFirstByte=MAX_PARTS,
        partLastByte=MAX_PARTS,
        layerPartBlob=b"p",
    )
    assert (code, message) == (
        "LimitExceededException",
        f"The upload with id '{upload}' {WHERE} already has the maximum of 4200 layer parts",
    )


def test_the_call_history_shows_a_part_by_its_length(fake: FakeEcr, client: Any) -> None:
    upload = initiate(client)
    send(client, upload, 0, b"x" * 3000)
    described = fake.calls("UploadLayerPart").describe()
    assert "'layerPartBlob': 'eHh4" in described
    assert "... (4000 characters)" in described
    assert len(described) < 400
    # The recorded params are whole: assertions match on them.
    fake.calls("UploadLayerPart").assert_called_with(partLastByte=2999)
    assert len(fake.calls("UploadLayerPart")[0].params["layerPartBlob"]) == 4000


@pytest.mark.slow
def test_the_largest_part_goes_over_the_endpoint(any_client: Any) -> None:
    upload = initiate(any_client)
    part = b"\xff" * MAX_PART_BLOB
    answer = send(any_client, upload, 0, part)
    assert answer["lastByteReceived"] == MAX_PART_BLOB - 1


# -- synthetic images' layers: real bytes the API describes --------------------------------

SYNTHETIC = "version: 1\nrepositories:\n  - name: team/gen\n    images:\n      - tags: [v1]\n"


def test_a_synthetic_images_blobs_are_available_with_their_real_sizes() -> None:
    with FakeEcr([SYNTHETIC]) as fake:
        client = fake.client()
        repository = fake.registry.repository("team/gen")
        image = repository.image("v1")
        doc = json.loads(image.manifest)
        descriptors = [doc["config"], *doc["layers"]]
        checked = client.batch_check_layer_availability(
            repositoryName="team/gen", layerDigests=[d["digest"] for d in descriptors]
        )
        assert checked["failures"] == []
        for layer, descriptor in zip(checked["layers"], descriptors, strict=True):
            content = repository.blobs.content(descriptor["digest"])
            assert content is not None
            data = b"".join(content.chunks())
            assert layer["layerSize"] == descriptor["size"] == len(data)
            assert sha(data) == descriptor["digest"]
            assert layer["mediaType"] == descriptor["mediaType"]
        [detail] = client.describe_images(repositoryName="team/gen")["imageDetails"]
        assert detail["imageSizeInBytes"] == sum(d["size"] for d in descriptors)
        url = client.get_download_url_for_layer(
            repositoryName="team/gen", layerDigest=doc["layers"][0]["digest"]
        )
        path = urllib.parse.urlsplit(url["downloadUrl"]).path
        assert path.endswith(f"/v2/team/gen/blobs/{doc['layers'][0]['digest']}")


def test_a_new_image_over_a_synthetic_images_layers_needs_only_its_config() -> None:
    with FakeEcr([SYNTHETIC]) as fake:
        client = fake.client()
        doc = json.loads(fake.registry.repository("team/gen").image("v1").manifest)
        config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}}'
        doc["config"] = {
            "mediaType": DOCKER_CONFIG,
            "size": len(config),
            "digest": sha(config),
        }
        text = json.dumps(doc)
        with pytest.raises(client.exceptions.LayersNotFoundException):
            client.put_image(repositoryName="team/gen", imageManifest=text, imageTag="v2")
        push_layer(client, config, repo="team/gen")
        pushed = client.put_image(repositoryName="team/gen", imageManifest=text, imageTag="v2")
        assert pushed["image"]["imageId"]["imageTag"] == "v2"


def test_every_operation_is_its_modules_function_of_the_same_name() -> None:
    from pytest_ecr.service import OPERATION_NAMES, OPERATIONS

    assert list(OPERATIONS) == list(OPERATION_NAMES)
    assert len(OPERATIONS) == len(set(OPERATION_NAMES)) == 62
    for name in OPERATION_NAMES:
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        handler = OPERATIONS[name]
        assert (handler.__module__, handler.__name__) == (f"pytest_ecr.service.{snake}", snake)
    assert "NoSuchOperation" not in OPERATIONS
    with pytest.raises(KeyError):
        OPERATIONS["NoSuchOperation"]
