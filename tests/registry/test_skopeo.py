"""A real OCI client nobody here wrote: skopeo (Debian's package), against the fake's
registry on loopback. Each run has its own HOME, policy, registries and auth files, so
nothing of the machine's container configuration is used."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import Served
from .support import OCI_INDEX, OCI_MANIFEST, Client, sha

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("skopeo") is None,
        reason="skopeo is not installed (apt-get install skopeo; .ci/run installs it where "
        "apt-get is available)",
    ),
]
TIMEOUT = 120


class Skopeo:
    def __init__(self, home: Path, host: str, secret: str) -> None:
        self.home = home
        self.host = host
        self.secret = secret
        home.mkdir(parents=True, exist_ok=True)
        self.policy = home / "policy.json"
        self.policy.write_text(json.dumps({"default": [{"type": "insecureAcceptAnything"}]}))
        (home / "registries.conf").write_text("")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "CONTAINERS_REGISTRIES_CONF": str(home / "registries.conf"),
            "REGISTRY_AUTH_FILE": str(home / "auth.json"),
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["skopeo", "--policy", str(self.policy), *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=self.env,
            check=False,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def ref(self, repository: str, reference: str) -> str:
        return f"docker://{self.host}/{repository}:{reference}"

    def pull(
        self, ref: str, target: Path, *options: str, platform: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[str]:
        """``skopeo copy`` into an OCI layout, failing rather than changing a digest."""
        return self.run(
            *platform,
            "copy",
            "--preserve-digests",
            *options,
            "--src-tls-verify=false",
            f"--src-creds=AWS:{self.secret}",
            ref,
            f"oci:{target}:pulled",
        )


@pytest.fixture(name="skopeo")
def skopeo_fixture(served: Served, registry: Client, tmp_path: Path) -> Skopeo:
    return Skopeo(tmp_path / "home", registry.host, str(registry.secret))


def _blobs_verified(layout: Path) -> dict[str, bytes]:
    """Every blob of an OCI layout, checked against its name."""
    found = {}
    for path in (layout / "blobs" / "sha256").iterdir():
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == path.name
        found["sha256:" + path.name] = data
    return found


def _index_manifest(layout: Path) -> dict[str, Any]:
    (entry,) = json.loads((layout / "index.json").read_text())["manifests"]
    return dict(entry)


def test_inspect_of_a_pushed_and_a_declared_image(
    skopeo: Skopeo, registry: Client, served: Served
) -> None:
    manifest, digest = registry.push_image("team/copy", "v1", [os.urandom(4096)])
    result = skopeo.run(
        "inspect",
        "--tls-verify=false",
        f"--creds=AWS:{skopeo.secret}",
        skopeo.ref("team/copy", "v1"),
    )
    inspected = json.loads(result.stdout)
    assert inspected["Digest"] == digest
    assert inspected["Architecture"] == "amd64"
    assert inspected["RepoTags"] == ["v1"]
    raw = skopeo.run(
        "inspect",
        "--raw",
        "--tls-verify=false",
        f"--creds=AWS:{skopeo.secret}",
        skopeo.ref("team/copy", "v1"),
    )
    assert raw.stdout.encode() == manifest
    # A declared image: its manifest, byte for byte.
    declared = skopeo.run(
        "inspect",
        "--raw",
        "--tls-verify=false",
        f"--creds=AWS:{skopeo.secret}",
        skopeo.ref("team/api", "v1"),
    )
    image = served.fake.registry.repository("team/api").image("v1")
    assert declared.stdout == image.manifest


def test_copy_into_an_oci_directory_verifies_every_blob(
    skopeo: Skopeo, registry: Client, served: Served, tmp_path: Path
) -> None:
    layers = [os.urandom(3 * 1024 * 1024), os.urandom(100)]
    manifest, digest = registry.push_image("team/copy", "v1", layers)
    skopeo.pull(skopeo.ref("team/copy", "v1"), tmp_path / "out")
    blobs = _blobs_verified(tmp_path / "out")
    assert _index_manifest(tmp_path / "out")["digest"] == digest
    assert blobs[digest] == manifest
    for layer in layers:
        assert blobs[sha(layer)] == layer
    # One manifest pull is one BatchGetImage; each blob one GetDownloadUrlForLayer.
    assert served.fake.calls("BatchGetImage").count >= 1
    assert {c.transport for c in served.fake.calls("BatchGetImage")} == {"registry"}
    downloaded = {c.params["layerDigest"] for c in served.fake.calls("GetDownloadUrlForLayer")}
    assert downloaded >= {sha(layer) for layer in layers}


def test_copy_from_a_directory_into_a_new_repository(
    skopeo: Skopeo, registry: Client, served: Served, tmp_path: Path
) -> None:
    registry.push_image("team/copy", "v1", [os.urandom(6 * 1024 * 1024)])
    skopeo.pull(skopeo.ref("team/copy", "v1"), tmp_path / "local")
    client = served.fake.client()
    with served.fake:
        client.create_repository(repositoryName="team/new")
    digest_file = tmp_path / "digest"
    skopeo.run(
        "copy",
        "--dest-tls-verify=false",
        f"--dest-creds=AWS:{skopeo.secret}",
        "--digestfile",
        str(digest_file),
        f"oci:{tmp_path / 'local'}:pulled",
        skopeo.ref("team/new", "copied"),
    )
    pushed = digest_file.read_text().strip()
    with served.fake:
        details = client.describe_images(repositoryName="team/new")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in details] == [(pushed, ["copied"])]
    assert served.fake.calls("PutImage").last.transport == "registry"


def test_a_throttled_pull_is_retried_and_succeeds(
    skopeo: Skopeo, registry: Client, served: Served, tmp_path: Path
) -> None:
    _, digest = registry.push_image("team/copy", "v1", [b"layer"])
    served.fake.fault("BatchGetImage", error="ThrottlingException", times=1)
    skopeo.pull(skopeo.ref("team/copy", "v1"), tmp_path / "out", "--retry-times", "3")
    assert _index_manifest(tmp_path / "out")["digest"] == digest
    attempts = served.fake.calls("BatchGetImage")
    assert attempts[0].fault is not None
    assert attempts[0].status != 200
    assert any(c.fault is None and c.status == 200 for c in attempts[1:])


def test_a_multi_architecture_image_pulled_for_one_platform(
    skopeo: Skopeo, registry: Client, tmp_path: Path
) -> None:
    children = {
        arch: registry.push_image(
            "team/copy", f"only-{arch}", [arch.encode() * 1000], architecture=arch
        )
        for arch in ("amd64", "arm64")
    }
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": digest,
                    "size": len(manifest),
                    "platform": {"architecture": arch, "os": "linux"},
                }
                for arch, (manifest, digest) in children.items()
            ],
        }
    ).encode()
    put = registry.request(
        "PUT", "/v2/team/copy/manifests/multi", index, {"Content-Type": OCI_INDEX}
    )
    assert put.status == 201
    skopeo.pull(
        skopeo.ref("team/copy", "multi"),
        tmp_path / "arm",
        platform=("--override-arch", "arm64", "--override-os", "linux"),
    )
    blobs = _blobs_verified(tmp_path / "arm")
    chosen = _index_manifest(tmp_path / "arm")["digest"]
    assert chosen == children["arm64"][1]
    config = json.loads(blobs[json.loads(blobs[chosen])["config"]["digest"]])
    assert config["architecture"] == "arm64"


def test_through_the_plugin_with_a_marker_fault(pytester: pytest.Pytester) -> None:
    """The fixture as users have it: skopeo pushes from an OCI layout, then pulls under an
    ``ecr_fault`` marker, and ``ecr.calls`` shows the attempts."""
    pytester.makepyfile(
        """
        import base64, hashlib, json, subprocess
        import pytest

        REG = {"version": 1, "repositories": [{"name": "team/app"}]}

        def blob(layout, data):
            digest = hashlib.sha256(data).hexdigest()
            (layout / "blobs" / "sha256" / digest).write_bytes(data)
            return {"digest": "sha256:" + digest, "size": len(data)}

        def layout_of(path):
            (path / "blobs" / "sha256").mkdir(parents=True)
            (path / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
            config = blob(path, b'{"architecture": "amd64", "os": "linux"}')
            layer = blob(path, b"layer bytes " * 1000)
            manifest = json.dumps({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer}],
            }).encode()
            entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                     **blob(path, manifest),
                     "annotations": {"org.opencontainers.image.ref.name": "v1"}}
            (path / "index.json").write_text(json.dumps({"schemaVersion": 2,
                                                         "manifests": [entry]}))
            return entry["digest"]

        @pytest.mark.ecr_registry(REG)
        @pytest.mark.ecr_fault("BatchGetImage", error="ThrottlingException", times=1)
        def test_push_then_a_throttled_pull(ecr, ecr_server, ecr_client, tmp_path):
            token = ecr_client.get_authorization_token()["authorizationData"][0]
            creds = base64.b64decode(token["authorizationToken"]).decode()
            policy = tmp_path / "policy.json"
            policy.write_text('{"default": [{"type": "insecureAcceptAnything"}]}')
            env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
            def skopeo(*args):
                subprocess.run(["skopeo", "--policy", str(policy), "copy",
                                "--preserve-digests", *args],
                               env=env, timeout=120, check=True, capture_output=True)
            digest = layout_of(tmp_path / "src")
            image = f"docker://{ecr_server.registry_host()}/team/app:v1"
            skopeo("--dest-tls-verify=false", "--dest-creds", creds,
                   f"oci:{tmp_path / 'src'}:v1", image)
            assert ecr.registry.repository("team/app").image("v1").digest == digest
            skopeo("--retry-times", "3", "--src-tls-verify=false", "--src-creds", creds,
                   image, f"oci:{tmp_path / 'out'}:v1")
            pulls = ecr.calls("BatchGetImage")
            assert pulls[0].error_code == "ThrottlingException"
            assert pulls[0].transport == "registry"
            assert pulls.last.status == 200
            assert ecr.calls("PutImage").last.params["imageTag"] == "v1"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=300)
    result.assert_outcomes(passed=1)
