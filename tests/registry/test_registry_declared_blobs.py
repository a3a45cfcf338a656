"""Declared images over the registry API, through plain HTTP: a blob a manifest names that
nobody gave bytes for answers ``BLOB_UNKNOWN`` saying how to declare it, a declared blob
file that changed after the load is never served (500 before the first byte, a dropped
connection after), and a manifest PUT of layers never uploaded is PutImage's
``LayersNotFoundException`` read as ``MANIFEST_BLOB_UNKNOWN`` unless
``allow_missing_layers`` (issue 14: joining the registry API and the blobs)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import urllib.parse
from pathlib import Path

from pytest_ecr import FakeEcr
from pytest_ecr.declarations.files import FileChanged
from pytest_ecr.service.layers import blob_unknown_message
from pytest_ecr.transports.http_server import EcrHTTPServer

from .conftest import Serve, Served
from .support import ACCOUNT, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, Client, sha

MiB = 1024 * 1024
CONFIG = json.dumps({"architecture": "amd64", "os": "linux"}).encode()


def manifest_of(config: bytes, layer: bytes) -> dict[str, object]:
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": sha(layer), "size": len(layer)}],
    }


def declare(root: Path, layer: bytes, *, with_files: bool) -> Path:
    """``registry.yaml`` in *root*: ``team/bare:v1`` (a manifest, no bytes) and, with
    *with_files*, ``team/files:v1`` (the same manifest, its blobs as files)."""
    manifest = json.dumps(manifest_of(CONFIG, layer))
    text = (
        "version: 1\n"
        f"account: '{ACCOUNT}'\n"
        "region: us-east-1\n"
        "repositories:\n"
        "  - name: team/bare\n"
        f"    images: [{{tags: [v1], manifest: {manifest}}}]\n"
    )
    if with_files:
        (root / "config.json").write_bytes(CONFIG)
        (root / "layer.tar").write_bytes(layer)
        text += (
            "  - name: team/files\n"
            "    images:\n"
            "      - tags: [v1]\n"
            f"        manifest: {manifest}\n"
            "        blobs:\n"
            "          files:\n"
            f"            {sha(CONFIG)}: config.json\n"
            f"            {sha(layer)}: layer.tar\n"
        )
    path = root / "registry.yaml"
    path.write_text(text)
    return path


def served_from(serve: Serve, declaration: Path) -> tuple[FakeEcr, Client]:
    served = serve(declaration)
    return served.fake, served.client()


def layer_url(fake: FakeEcr, client: Client, repository: str, digest: str) -> str:
    """The path of GetDownloadUrlForLayer's URL, asked through boto3."""
    with fake:
        url = fake.client().get_download_url_for_layer(
            repositoryName=repository, layerDigest=digest
        )["downloadUrl"]
    parts = urllib.parse.urlsplit(url)
    assert parts.netloc.startswith("127.0.0.1:")
    return f"{parts.path}?{parts.query}"


def test_a_named_blob_without_bytes_says_how_to_declare_it(serve: Serve, tmp_path: Path) -> None:
    layer = b"never given " * 100
    fake, client = served_from(serve, declare(tmp_path, layer, with_files=False))
    repo = fake.registry.repository("team/bare")
    for digest in (sha(CONFIG), sha(layer)):
        expected = blob_unknown_message(repo, digest)
        assert "blobs:" in expected  # the how-to-declare text, not the bare "unknown"
        answer = client.request("GET", f"/v2/team/bare/blobs/{digest}")
        assert answer.status == 404
        assert answer.error == ("BLOB_UNKNOWN", expected)
        assert "location" not in answer.headers
        # ECR's API has the layer (a manifest names it): HEAD and the API say so...
        head = client.request("HEAD", f"/v2/team/bare/blobs/{digest}")
        assert head.status == 200
        # ...and its URL, fetched, is S3's NoSuchKey with the same advice.
        fetched = client.request("GET", layer_url(fake, client, "team/bare", digest))
        assert fetched.status == 404
        assert fetched.headers["content-type"] == "application/xml"
        body = fetched.body.decode()
        assert "<Code>NoSuchKey</Code>" in body
        escaped = expected.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"The specified key does not exist. {escaped}</Message>" in body
    calls = fake.calls("GetDownloadUrlForLayer")
    assert [c.transport for c in calls] == ["registry", "botocore"] * 2
    # A digest nothing names keeps the plain answer.
    unknown = client.request("GET", f"/v2/team/bare/blobs/{sha(b'nothing')}")
    assert unknown.error[0] == "BLOB_UNKNOWN"
    assert "does not exist within the repository" in unknown.error[1]


def test_a_declared_blob_file_is_served_over_the_registry(serve: Serve, tmp_path: Path) -> None:
    layer = os.urandom(2 * MiB + 5)
    _, client = served_from(serve, declare(tmp_path, layer, with_files=True))
    for data in (CONFIG, layer):
        answer = client.request("GET", f"/v2/team/files/blobs/{sha(data)}")
        assert answer.status == 307
        fetched = client.request("GET", client.path_of(answer.headers["location"]))
        assert (fetched.status, fetched.body) == (200, data)
    ranged = client.request(
        "GET",
        client.path_of(
            client.request("GET", f"/v2/team/files/blobs/{sha(layer)}").headers["location"]
        ),
        headers={"Range": "bytes=1048570-1048579"},
    )
    assert (ranged.status, ranged.body) == (206, layer[1048570:1048580])


def test_a_blob_file_changed_after_the_load_is_a_500_before_any_byte(
    serve: Serve, http_server: EcrHTTPServer, tmp_path: Path
) -> None:
    layer = b"original layer bytes " * 1000
    fake, client = served_from(serve, declare(tmp_path, layer, with_files=True))
    path = layer_url(fake, client, "team/files", sha(layer))
    # Same size, other bytes, later modification time: the load's stamp no longer holds.
    changed = tmp_path / "layer.tar"
    changed.write_bytes(layer.upper())
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    answer = client.request("GET", path)
    assert answer.status == 500
    body = answer.body.decode()
    assert "<Code>InternalError</Code>" in body
    assert "changed since the declaration naming it was loaded" in body
    assert layer.upper()[:20] not in answer.body
    (error,) = http_server.take_errors()
    assert isinstance(error, FileChanged)
    # The connection goes on serving: the config file is untouched.
    config = client.request("GET", layer_url(fake, client, "team/files", sha(CONFIG)))
    assert (config.status, config.body) == (200, CONFIG)


def test_a_blob_file_cut_while_it_streams_drops_the_connection(
    serve: Serve, http_server: EcrHTTPServer, tmp_path: Path
) -> None:
    # Far bigger than any socket buffer, so most of it is still unread when it is cut.
    layer = bytes(range(256)) * (48 * MiB // 256)
    fake, client = served_from(serve, declare(tmp_path, layer, with_files=True))
    path = layer_url(fake, client, "team/files", sha(layer))
    connection = http.client.HTTPConnection(client.host, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("content-length") == str(len(layer))
        received = response.read(64 * 1024)
        (tmp_path / "layer.tar").write_bytes(layer[: MiB // 2])  # truncated under the server
        # The stream ends early: http.client answers b"" (or a reset) short of the length.
        with contextlib.suppress(http.client.IncompleteRead, ConnectionError):
            while chunk := response.read(MiB):
                received += chunk
    finally:
        connection.close()
    assert len(received) < len(layer)
    assert received == layer[: len(received)]  # never another file's bytes
    (error,) = http_server.take_errors()
    assert isinstance(error, FileChanged)
    assert "is shorter than when it was loaded" in str(error)


def test_a_manifest_put_of_layers_never_uploaded(registry: Client, served: Served) -> None:
    config = registry.push_blob("team/copy", CONFIG)
    assert config == sha(CONFIG)
    layer = b"a layer nobody uploaded"
    manifest = json.dumps(manifest_of(CONFIG, layer)).encode()
    answer = registry.request(
        "PUT", "/v2/team/copy/manifests/v1", manifest, {"Content-Type": OCI_MANIFEST}
    )
    assert answer.status == 400
    assert answer.error == (
        "MANIFEST_BLOB_UNKNOWN",
        f"The layer with digest '{sha(layer)}' does not exist within the repository with "
        f"name 'team/copy' in the registry with id '{ACCOUNT}'",
    )
    put = served.fake.calls("PutImage").last
    assert (put.transport, put.error_code, put.fault) == (
        "registry",
        "LayersNotFoundException",
        None,
    )
    assert registry.request("GET", "/v2/team/copy/manifests/v1").status == 404


def test_allow_missing_layers_lets_the_manifest_put_through(
    registry: Client, served: Served
) -> None:
    served.fake.registry.allow_missing_layers()
    layer = b"a placeholder layer"
    manifest = json.dumps(manifest_of(CONFIG, layer)).encode()
    answer = registry.request(
        "PUT", "/v2/team/copy/manifests/v1", manifest, {"Content-Type": OCI_MANIFEST}
    )
    assert answer.status == 201
    assert answer.headers["docker-content-digest"] == sha(manifest)
    pulled = registry.request("GET", "/v2/team/copy/manifests/v1", headers={"Accept": OCI_MANIFEST})
    assert (pulled.status, pulled.body) == (200, manifest)
    # Its layers are named now, but nobody gave their bytes.
    repo = served.fake.registry.repository("team/copy")
    blob = registry.request("GET", f"/v2/team/copy/blobs/{sha(layer)}")
    assert blob.status == 404
    assert blob.error == ("BLOB_UNKNOWN", blob_unknown_message(repo, sha(layer)))
