"""The registry's pure pieces: paths, ``Accept``, ``Range``, layer URLs, passwords."""

from __future__ import annotations

import pytest

from pytest_ecr.service.get_authorization_token import _password, check_password
from pytest_ecr.service.layer_urls import (
    LAYER_URL_LIFETIME,
    check_layer_url,
    layer_path,
    layer_url_query,
    parse_layer_path,
)
from pytest_ecr.transports.http_server.registry.blobs import Unsatisfiable, byte_range
from pytest_ecr.transports.http_server.registry.manifests import accepted_media_types
from pytest_ecr.transports.http_server.registry.paths import RegistryPath, parse_path

from .conftest import Served
from .support import Client, sha


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v2/", RegistryPath("base")),
        ("/v2/_catalog", RegistryPath("catalog")),
        ("/v2/a/b/manifests/v1", RegistryPath("manifests", "a/b", "v1")),
        ("/v2/a/manifests/b/manifests/v1", RegistryPath("manifests", "a/manifests/b", "v1")),
        ("/v2/a/blobs/sha256:00", RegistryPath("blobs", "a", "sha256:00")),
        ("/v2/a/blobs/sha256%3A00", RegistryPath("blobs", "a", "sha256:00")),
        ("/v2/a/blobs/uploads/", RegistryPath("uploads", "a", "")),
        ("/v2/a/blobs/uploads/some-id", RegistryPath("uploads", "a", "some-id")),
        ("/v2/a/b/tags/list", RegistryPath("tags", "a/b", "")),
        ("/v2/a/referrers/sha256:00", RegistryPath("referrers", "a", "sha256:00")),
        ("/v2/a/elsewhere", None),
        ("/v3/a/manifests/v1", None),
    ],
)
def test_paths(path: str, expected: RegistryPath | None) -> None:
    assert parse_path(path) == expected


def test_accept_becomes_accepted_media_types() -> None:
    assert accepted_media_types("") == []
    assert accepted_media_types("*/*") == []
    assert accepted_media_types("a/b; q=0.5, c/d;q=0, a/b, e/f") == ["a/b", "e/f"]
    assert len(accepted_media_types(",".join(f"t/{i}" for i in range(150)))) == 100
    assert accepted_media_types("x/" + "y" * 300 + ", a/b") == ["a/b"]


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-4", 10, (0, 5)),
        ("bytes=5-", 10, (5, 10)),
        ("bytes=-3", 10, (7, 10)),
        ("bytes=-30", 10, (0, 10)),
        ("bytes=2-200", 10, (2, 10)),
        ("bytes=0-1,4-5", 10, None),  # several ranges: the whole blob
        ("items=0-1", 10, None),
    ],
)
def test_ranges(header: str | None, size: int, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=10-", 10), ("bytes=5-2", 10), ("bytes=-0", 10), ("bytes=0-", 0)]
)
def test_unsatisfiable_ranges(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable):
        byte_range(header, size)


def test_layer_urls_are_checked_by_their_signature_and_age() -> None:
    path = layer_path("123456789012", "us-east-1", "team/api", "sha256:" + "0" * 64)
    assert parse_layer_path(path) == ("123456789012", "us-east-1", "team/api", "sha256:" + "0" * 64)
    query = layer_url_query(path, 1_700_000_000.7)
    assert check_layer_url(path, query, 1_700_000_000 + LAYER_URL_LIFETIME) is None
    assert check_layer_url(path, query, 1_700_000_001 + LAYER_URL_LIFETIME) == "AccessDenied"
    assert check_layer_url(path + "x", query, 1_700_000_000) == "SignatureDoesNotMatch"
    assert check_layer_url(path, query.replace("X-Amz-Date=2023", "X-Amz-Date=2024"), 0) == (
        "SignatureDoesNotMatch"
    )
    assert check_layer_url(path, "", 0) == "SignatureDoesNotMatch"
    assert parse_layer_path("/pytest-ecr-layers/123456789012/us-east-1/team/api") is None


def test_passwords_are_checked_by_computing_them_again() -> None:
    password = _password("123456789012", "us-east-1", 1_700_043_200.5)
    assert check_password(password, {"123456789012"}, "us-east-1", 1_700_000_000) == "valid"
    assert check_password(password, {"123456789012"}, "us-east-1", 1_700_043_200) == "expired"
    assert check_password(password, {"210987654321"}, "us-east-1", 0) == "invalid"
    assert check_password(password, {"123456789012"}, "eu-west-1", 0) == "invalid"
    assert check_password("bm90IGpzb24=", {"123456789012"}, "us-east-1", 0) == "invalid"
    assert check_password("!!", {"123456789012"}, "us-east-1", 0) == "invalid"


def test_upload_status_and_layer_head(registry: Client, served: Served) -> None:
    started = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    patched = registry.request("PATCH", registry.path_of(started.headers["location"]), b"abc")
    status = registry.request("GET", registry.path_of(patched.headers["location"]))
    assert status.status == 204
    assert status.headers["range"] == "0-2"
    layer = b"head me"
    registry.push_image("team/copy", "v1", [layer])
    location = registry.request("GET", f"/v2/team/copy/blobs/{sha(layer)}").headers["location"]
    head = registry.request("HEAD", registry.path_of(location))
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == str(len(layer))
