"""Plain-HTTP helpers for the registry tests: a logged-in client of a real
:class:`~pytest_ecr.transports.http_server.EcrHTTPServer`, and pushes of real blobs and
manifests through the registry API itself (so pulls have bytes to verify)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_ecr import FakeEcr
from pytest_ecr.wire import WireRequest

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"

REGISTRY: dict[str, Any] = {
    "version": 1,
    "account": ACCOUNT,
    "region": "us-east-1",
    "repositories": [
        {"name": "team/api", "images": [{"tags": ["v1", "latest"]}, {"tags": ["v2"]}]},
        {"name": "team/copy"},
        {"name": "team/locked", "tag_mutability": "IMMUTABLE"},
        {
            "name": "mirror/base",
            "account": OTHER_ACCOUNT,
            "region": "eu-west-1",
            "images": [{"tags": ["stable"]}],
        },
    ],
}


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def password(fake: FakeEcr, region: str | None = None) -> str:
    """A password as GetAuthorizationToken gives it for *region* (on the fake's clock)."""
    answer = fake.answer(WireRequest("GetAuthorizationToken", {}, region=region, transport="test"))
    token = answer["authorizationData"][0]["authorizationToken"]
    user, _, secret = base64.b64decode(token).decode().partition(":")
    assert user == "AWS"
    return str(secret)


def basic(secret: str, user: str = "AWS") -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> tuple[str, str]:
        (error,) = self.json()["errors"]
        return error["code"], error["message"]


class Client:
    """One registry host (``127.0.0.1:<port>``), logged in unless told otherwise."""

    def __init__(self, host: str, secret: str | None) -> None:
        self.host = host
        self.secret = secret
        self.connection = http.client.HTTPConnection(host, timeout=30)

    def close(self) -> None:
        self.connection.close()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterable[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Answer:
        sent = dict(headers or {})
        if self.secret is not None and "Authorization" not in sent:
            sent["Authorization"] = basic(self.secret)
        self.connection.request(method, path, body=body, headers=sent, encode_chunked=chunked)
        response = self.connection.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def path_of(self, location: str) -> str:
        prefix = f"http://{self.host}"
        assert location.startswith(prefix), location
        return location[len(prefix) :]

    def push_blob(self, repository: str, data: bytes) -> str:
        """POST, one PATCH with the whole blob, then PUT ?digest= (skopeo's way)."""
        started = self.request("POST", f"/v2/{repository}/blobs/uploads/")
        assert started.status == 202, started
        patched = self.request(
            "PATCH",
            self.path_of(started.headers["location"]),
            data,
            {"Content-Type": "application/octet-stream"},
        )
        assert patched.status == 201, patched
        digest = sha(data)
        done = self.request("PUT", self.path_of(patched.headers["location"]) + f"&digest={digest}")
        assert done.status == 201, done
        return digest

    def small_manifest(self, repository: str, note: str = "") -> bytes:
        """An OCI manifest of one pushed config blob (no layers), not pushed itself."""
        config = json.dumps({"architecture": "amd64", "os": "linux", "note": note}).encode()
        descriptor = {
            "mediaType": OCI_CONFIG,
            "digest": self.push_blob(repository, config),
            "size": len(config),
        }
        return json.dumps(
            {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": descriptor, "layers": []}
        ).encode()

    def push_image(
        self,
        repository: str,
        reference: str,
        layers: Iterable[bytes],
        *,
        architecture: str = "amd64",
    ) -> tuple[bytes, str]:
        """Push a config, *layers* and an OCI manifest; the manifest's bytes and digest."""
        layers = list(layers)
        config = json.dumps(
            {
                "architecture": architecture,
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": [sha(layer) for layer in layers]},
            }
        ).encode()
        descriptors = [
            {
                "mediaType": OCI_LAYER,
                "digest": self.push_blob(repository, layer),
                "size": len(layer),
            }
            for layer in layers
        ]
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {
                    "mediaType": OCI_CONFIG,
                    "digest": self.push_blob(repository, config),
                    "size": len(config),
                },
                "layers": descriptors,
            },
            indent=2,
        ).encode()
        put = self.request(
            "PUT",
            f"/v2/{repository}/manifests/{reference}",
            manifest,
            {"Content-Type": OCI_MANIFEST},
        )
        assert put.status == 201, put
        return manifest, sha(manifest)
