"""Blobs: uploads (POST/PATCH/PUT, monolithic, chunked, mounted) as the layer
operations, HEAD as BatchCheckLayerAvailability, GET as GetDownloadUrlForLayer and a
redirect to a signed layer URL served with ``Range`` (§15.3, §15.4)."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator

import pytest
from botocore_model import needs

from pytest_ecr.service.layers import PART_SIZE

from .conftest import Served
from .support import ACCOUNT, Client, sha

MiB = 1024 * 1024


def pieces(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_an_upload_is_initiate_parts_and_complete(registry: Client, served: Served) -> None:
    data = os.urandom(1000)
    digest = registry.push_blob("team/copy", data)
    assert [(c.operation, c.transport) for c in served.fake.calls()][1:] == [
        ("InitiateLayerUpload", "registry"),
        ("UploadLayerPart", "registry"),
        ("CompleteLayerUpload", "registry"),
    ]
    part = served.fake.calls("UploadLayerPart").last
    assert (part.params["partFirstByte"], part.params["partLastByte"]) == (0, 999)
    assert served.fake.calls("CompleteLayerUpload").last.response["layerDigest"] == digest
    stored = served.fake.registry.repository("team/copy").blobs.content(digest)
    assert stored is not None
    assert b"".join(stored.chunks()) == data


def test_a_50_mb_chunked_patch_goes_in_10_mib_parts(registry: Client, served: Served) -> None:
    data = os.urandom(50 * 1000 * 1000)
    started = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    assert started.status == 202
    assert started.headers["range"] == "0-0"
    upload = started.headers["docker-upload-uuid"]
    patched = registry.request(
        "PATCH", registry.path_of(started.headers["location"]), pieces(data), chunked=True
    )
    assert patched.status == 201  # ECR's (the spec says 202)
    assert patched.headers["range"] == f"0-{len(data) - 1}"
    assert patched.headers["docker-upload-uuid"] == upload
    done = registry.request(
        "PUT", registry.path_of(patched.headers["location"]) + f"&digest={sha(data)}"
    )
    assert done.status == 201
    assert done.headers["docker-content-digest"] == sha(data)
    assert done.headers["location"] == f"http://{registry.host}/v2/team/copy/blobs/{sha(data)}"
    sizes = [len(c.params["layerPartBlob"]) for c in served.fake.calls("UploadLayerPart")]
    # 10 MiB parts; the last one is never under 5 MiB (ECR's smallest part but the last).
    assert sizes[:-1] == [PART_SIZE] * (len(sizes) - 1)
    assert 5 * MiB <= sizes[-1] < 15 * MiB
    assert sum(sizes) == len(data)
    # The transport never held more than one reservation of its window at once.
    assert served.server.budget.peak <= 16 * MiB
    stored = served.fake.registry.repository("team/copy").blobs.content(sha(data))
    assert stored is not None
    assert stored.size == len(data)


def test_a_monolithic_put_and_a_monolithic_post(registry: Client, served: Served) -> None:
    data = os.urandom(3 * MiB)
    started = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    path = registry.path_of(started.headers["location"])
    done = registry.request("PUT", f"{path}&digest={sha(data)}", data)
    assert done.status == 201
    other = os.urandom(2000)
    posted = registry.request("POST", f"/v2/team/copy/blobs/uploads/?digest={sha(other)}", other)
    assert posted.status == 201
    assert posted.headers["docker-content-digest"] == sha(other)
    head = registry.request("HEAD", f"/v2/team/copy/blobs/{sha(other)}")
    assert head.status == 200
    assert head.headers["content-length"] == "2000"


def test_small_patches_fail_at_completion_as_ecr_parts_do(registry: Client) -> None:
    started = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    first = registry.request("PATCH", registry.path_of(started.headers["location"]), b"a" * 100)
    second = registry.request("PATCH", registry.path_of(first.headers["location"]), b"b" * 100)
    assert second.headers["range"] == "0-199"
    done = registry.request(
        "PUT",
        registry.path_of(second.headers["location"]) + "&digest=" + sha(b"a" * 100 + b"b" * 100),
    )
    assert done.status == 400
    assert done.error == (
        "BLOB_UPLOAD_INVALID",
        "All layer parts except the last part should be at least 5MB",
    )


def test_upload_errors(registry: Client) -> None:
    started = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    path = registry.path_of(started.headers["location"])
    wrong = registry.request("PUT", f"{path}&digest={sha(b'other')}", b"these bytes")
    assert wrong.status == 400
    assert wrong.error == (
        "BLOB_UPLOAD_INVALID",
        "None of the provided layer digests match the calculated layer digest",
    )
    stale = registry.request("PATCH", path, b"more")  # _state=0, but 11 bytes are in
    assert stale.status == 400
    assert stale.error[0] == "BLOB_UPLOAD_INVALID"
    unknown = registry.request(
        "PATCH", "/v2/team/copy/blobs/uploads/00000000-0000-4000-8000-000000000000", b"x"
    )
    assert unknown.status == 404
    assert unknown.error[0] == "BLOB_UPLOAD_UNKNOWN"
    garbage = registry.request("PATCH", "/v2/team/copy/blobs/uploads/not-an-id", b"x")
    assert (garbage.status, garbage.error[0]) == (404, "BLOB_UPLOAD_UNKNOWN")
    nowhere = registry.request("POST", "/v2/team/nowhere/blobs/uploads/")
    assert (nowhere.status, nowhere.error[0]) == (404, "NAME_UNKNOWN")
    empty = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    path = registry.path_of(empty.headers["location"])
    nothing = registry.request("PUT", f"{path}&digest={sha(b'')}")
    assert (nothing.status, nothing.error[0]) == (400, "BLOB_UPLOAD_INVALID")
    assert "does not have any parts" in nothing.error[1]


def test_head_blob_is_batch_check_layer_availability(registry: Client, served: Served) -> None:
    digest = registry.push_blob("team/copy", b"0123456789")
    head = registry.request("HEAD", f"/v2/team/copy/blobs/{digest}")
    assert head.status == 200
    assert head.headers["content-length"] == "10"
    assert head.headers["docker-content-digest"] == digest
    assert served.fake.calls("BatchCheckLayerAvailability").last.params["layerDigests"] == [digest]
    missing = registry.request("HEAD", f"/v2/team/copy/blobs/{sha(b'never')}")
    assert (missing.status, missing.body) == (404, b"")


def test_get_blob_redirects_to_a_signed_layer_url(registry: Client, served: Served) -> None:
    layer = os.urandom(3 * MiB + 17)
    registry.push_image("team/copy", "v1", [layer])
    answer = registry.request("GET", f"/v2/team/copy/blobs/{sha(layer)}")
    assert answer.status == 307
    location = answer.headers["location"]
    assert location.startswith(
        f"http://{registry.host}/pytest-ecr-layers/{ACCOUNT}/us-east-1/v2/team/copy/blobs/"
    )
    assert "X-Amz-Expires=3600" in location
    (call,) = served.fake.calls("GetDownloadUrlForLayer")
    assert call.transport == "registry"
    # The API's URL is the same layer URL (its host is the fake's first endpoint).
    assert (
        urllib.parse.urlsplit(call.response["downloadUrl"]).path
        == urllib.parse.urlsplit(location).path
    )
    fetched = registry.request("GET", registry.path_of(location), headers={"Authorization": ""})
    assert fetched.status == 200
    assert fetched.body == layer
    assert fetched.headers["content-length"] == str(len(layer))
    # Not an ECR call: the download itself is not in the history.
    assert served.fake.calls("GetDownloadUrlForLayer").count == 1


def test_layer_urls_serve_ranges(registry: Client) -> None:
    layer = bytes(range(256)) * 8192  # 2 MiB
    registry.push_image("team/copy", "v1", [layer])
    location = registry.request("GET", f"/v2/team/copy/blobs/{sha(layer)}").headers["location"]
    path = registry.path_of(location)
    for header, start, end in (
        ("bytes=0-99", 0, 100),
        ("bytes=1048570-1048580", 1048570, 1048581),
        ("bytes=2000000-", 2000000, len(layer)),
        ("bytes=-10", len(layer) - 10, len(layer)),
        ("bytes=100-99999999", 100, len(layer)),
    ):
        part = registry.request("GET", path, headers={"Range": header})
        assert part.status == 206, header
        assert part.body == layer[start:end], header
        assert part.headers["content-range"] == f"bytes {start}-{end - 1}/{len(layer)}"
    beyond = registry.request("GET", path, headers={"Range": f"bytes={len(layer)}-"})
    assert beyond.status == 416
    assert beyond.headers["content-range"] == f"bytes */{len(layer)}"


def test_layer_urls_expire_and_cannot_be_forged(registry: Client, served: Served) -> None:
    layer = b"layer bytes"
    registry.push_image("team/copy", "v1", [layer])
    path = registry.path_of(
        registry.request("GET", f"/v2/team/copy/blobs/{sha(layer)}").headers["location"]
    )
    forged = path.replace("team/copy", "team/api")
    answer = registry.request("GET", forged)
    assert answer.status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in answer.body
    served.fake.advance(seconds=3601)
    expired = registry.request("GET", path)
    assert expired.status == 403
    assert b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.body


def test_blob_get_of_unknown_and_unreferenced_blobs(registry: Client) -> None:
    unknown = registry.request("GET", f"/v2/team/copy/blobs/{sha(b'never')}")
    assert (unknown.status, unknown.error[0]) == (404, "BLOB_UNKNOWN")
    # Uploaded but named by no image: ECR's LayerInaccessibleException.
    digest = registry.push_blob("team/copy", b"loose")
    loose = registry.request("GET", f"/v2/team/copy/blobs/{digest}")
    assert (loose.status, loose.error[0]) == (404, "BLOB_UNKNOWN")
    assert "not associated with an image" in loose.error[1]


@needs("PutAccountSetting")
@pytest.mark.parametrize("setting", ["ENABLED", "DISABLED"])
def test_cross_repository_mount_follows_blob_mounting(
    registry: Client, served: Served, setting: str
) -> None:
    layer = b"shared layer"
    registry.push_image("team/api", "with-layer", [layer])
    client = served.fake.client()
    with served.fake:
        client.put_account_setting(name="BLOB_MOUNTING", value=setting)
    answer = registry.request(
        "POST", f"/v2/team/copy/blobs/uploads/?mount={sha(layer)}&from=team/api"
    )
    target = served.fake.registry.repository("team/copy").blobs.content(sha(layer))
    if setting == "ENABLED":
        assert answer.status == 201
        assert answer.headers["docker-content-digest"] == sha(layer)
        assert target is not None
    else:
        assert answer.status == 202  # a new upload session instead
        assert answer.headers["location"].startswith(
            f"http://{registry.host}/v2/team/copy/blobs/uploads/"
        )
        assert target is None


@needs("PutAccountSetting")
def test_a_mount_of_a_blob_no_image_names_is_an_upload(registry: Client, served: Served) -> None:
    digest = registry.push_blob("team/api", b"loose")
    client = served.fake.client()
    with served.fake:
        client.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")
    answer = registry.request("POST", f"/v2/team/copy/blobs/uploads/?mount={digest}&from=team/api")
    assert answer.status == 202
