"""Blobs that verify: every blob a declared or synthetic image names is served by
``repository.blobs.content()`` with the sha256 and size of its manifest, configs describe
their layers, and declared blob files are checked when loaded (issue 14: 2)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from pytest_ecr.declarations import DeclarationError, build_state, load_declaration
from pytest_ecr.declarations.files import FileChanged
from pytest_ecr.declarations.synthetic_layers import stored_gzip, tar_archive
from pytest_ecr.model import MediaType, Repository
from pytest_ecr.model.blobs import manifest_blobs
from pytest_ecr.service.layers import blob_unknown_message


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read(repository: Repository, digest: str, start: int = 0, end: int | None = None) -> bytes:
    content = repository.blobs.content(digest)
    assert content is not None, f"no bytes for {digest}"
    return b"".join(content.chunks(start, end))


def pull_image(repository: Repository, ref: str) -> dict[str, Any]:
    """Every blob of image *ref*, checked against its manifest as a verifying client
    does; the config, parsed."""
    image = repository.image(ref)
    blobs = manifest_blobs(image)
    assert blobs
    for blob in blobs:
        data = read(repository, blob.digest)
        assert sha(data) == blob.digest
        assert blob.size is None or len(data) == blob.size
        content = repository.blobs.content(blob.digest)
        assert content is not None
        assert content.size == len(data)
    doc = json.loads(image.manifest)
    config = json.loads(read(repository, doc["config"]["digest"]))
    diff_ids = []
    for layer in doc["layers"]:
        tar = gzip.decompress(read(repository, layer["digest"]))
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            assert all(member.isfile() for member in archive.getmembers())
        diff_ids.append(sha(tar))
    assert config["rootfs"] == {"type": "layers", "diff_ids": diff_ids}
    assert len(config["history"]) == len(doc["layers"])
    return dict(config)


SYNTHETIC = """\
version: 1
repositories:
  - name: team/api
    images:
      - tags: [docker]
      - tags: [oci]
        media_type: application/vnd.oci.image.manifest.v1+json
      - tags: [legacy]
        media_type: application/vnd.docker.distribution.manifest.v1+json
      - tags: [multi]
        platforms: [linux/amd64, linux/arm64/v8, linux/arm/v7, windows/amd64]
"""


@pytest.fixture(scope="module")
def synthetic() -> Repository:
    return build_state([load_declaration(SYNTHETIC)]).repository("team/api")


@pytest.mark.parametrize("tag", ["docker", "oci"])
def test_every_blob_of_a_synthetic_image_verifies(synthetic: Repository, tag: str) -> None:
    config = pull_image(synthetic, tag)
    assert (config["architecture"], config["os"]) == ("amd64", "linux")
    assert "variant" not in config


def test_every_child_of_a_platforms_list_verifies_for_its_platform(synthetic: Repository) -> None:
    index = synthetic.image("multi")
    entries = json.loads(index.manifest)["manifests"]
    assert [entry["digest"] for entry in entries] == list(index.children)
    layers = set()
    for entry in entries:
        config = pull_image(synthetic, entry["digest"])
        wanted = entry["platform"]
        assert {k: config[k] for k in ("architecture", "os", "variant") if k in config} == wanted
        layers.add(json.loads(synthetic.image(entry["digest"]).manifest)["layers"][0]["digest"])
    # Each platform has its own base layer bytes.
    assert len(layers) == len(entries)


def test_schema1_blob_sums_are_served(synthetic: Repository) -> None:
    image = synthetic.image("legacy")
    sums = [entry["blobSum"] for entry in json.loads(image.manifest)["fsLayers"]]
    for digest in sums:
        data = read(synthetic, digest)
        assert sha(data) == digest
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as archive:
            assert archive.getmembers()


def test_ranges_and_chunks_read_the_same_bytes(synthetic: Repository) -> None:
    layer = json.loads(synthetic.image("docker").manifest)["layers"][0]
    whole = read(synthetic, layer["digest"])
    assert read(synthetic, layer["digest"], 100, 5000) == whole[100:5000]
    assert read(synthetic, layer["digest"], len(whole) - 3) == whole[-3:]


def test_a_fork_serves_the_declared_blobs_and_drops_them_with_their_image(
    synthetic: Repository,
) -> None:
    fork = synthetic.fork()
    own = json.loads(fork.image("oci").manifest)["layers"][-1]["digest"]
    assert sha(read(fork, own)) == own
    fork.delete(fork.image("oci").digest)
    # Its own layer goes with it; a base layer other images share stays.
    assert fork.blobs.content(own) is None
    base = json.loads(synthetic.image("docker").manifest)["layers"][0]["digest"]
    assert fork.blobs.content(base) is not None
    assert synthetic.blobs.content(own) is not None


def test_the_gzip_is_stored_blocks_any_inflater_reads() -> None:
    # Larger than one stored block (65,535 bytes): several blocks, the last one final.
    tar = tar_archive((("big", bytes(range(256)) * 600), ("small", b"x")))
    blob = stored_gzip(tar)
    assert blob[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    assert gzip.decompress(blob) == tar
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        names = [m.name for m in archive.getmembers()]
    assert names == ["big", "small"]
    assert gzip.decompress(stored_gzip(b"")) == b""


# -- declared blob files -----------------------------------------------------------------


def oci_layout(root: Path) -> tuple[str, dict[str, bytes]]:
    """An image written as an OCI layout under *root*/layout; its manifest text and
    its blobs by digest."""
    tar = tar_archive((("hello.txt", b"hello from a declared layer\n"),))
    layer = gzip.compress(tar, mtime=0)
    config = json.dumps(
        {
            "architecture": "arm64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [sha(tar)]},
            "history": [{"created_by": "COPY hello.txt /"}],
        }
    ).encode()
    blobs = {sha(config): config, sha(layer): layer}
    folder = root / "layout" / "blobs" / "sha256"
    folder.mkdir(parents=True)
    for digest, data in blobs.items():
        (folder / digest.removeprefix("sha256:")).write_bytes(data)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MediaType.OCI_MANIFEST,
            "config": {
                "mediaType": MediaType.OCI_CONFIG,
                "digest": sha(config),
                "size": len(config),
            },
            "layers": [
                {"mediaType": MediaType.OCI_LAYER, "digest": sha(layer), "size": len(layer)}
            ],
        }
    )
    (root / "manifest.json").write_text(manifest)
    return manifest, blobs


def declare(root: Path, blobs: str) -> Path:
    path = root / "registry.yaml"
    path.write_text(
        "version: 1\nrepositories:\n  - name: team/app\n    images:\n"
        "      - tags: [v1]\n        manifest_file: manifest.json\n" + blobs
    )
    return path


FILES = "        blobs:\n          folder: layout\n          files:\n            {digest}: {name}\n"


def problems(path: Path) -> list[tuple[int | None, str, str, str | None]]:
    with pytest.raises(DeclarationError) as caught:
        load_declaration(path)
    return [(p.line, p.path, p.message, p.hint) for p in caught.value.problems]


def test_blobs_of_an_oci_layout_folder_are_served(tmp_path: Path) -> None:
    _, blobs = oci_layout(tmp_path)
    state = build_state([load_declaration(declare(tmp_path, "        blobs: {folder: layout}\n"))])
    repository = state.repository("team/app")
    config = pull_image(repository, "v1")
    assert config["architecture"] == "arm64"
    for digest, data in blobs.items():
        assert read(repository, digest) == data


def test_per_blob_files_win_over_the_folder(tmp_path: Path) -> None:
    _, blobs = oci_layout(tmp_path)
    config = next(d for d, data in blobs.items() if data.startswith(b"{"))
    copy = tmp_path / "config.json"
    copy.write_bytes(blobs[config])
    text = FILES.format(digest=config, name="config.json")
    repository = build_state([load_declaration(declare(tmp_path, text))]).repository("team/app")
    content = repository.blobs.content(config)
    assert content is not None
    assert getattr(content, "path", "") == str(copy.absolute())
    pull_image(repository, "v1")


def test_a_missing_blob_says_where_it_was_looked_for(tmp_path: Path) -> None:
    _, blobs = oci_layout(tmp_path)
    layer = next(d for d, data in blobs.items() if not data.startswith(b"{"))
    (tmp_path / "layout" / "blobs" / "sha256" / layer.removeprefix("sha256:")).unlink()
    [(line, path, message, hint)] = problems(declare(tmp_path, "        blobs: {folder: layout}\n"))
    assert (line, path) == (7, "repositories[0].images[0].blobs")
    assert message.startswith(f"no file for blob {layer}, which the manifest names in ")
    assert hint is not None
    assert "blobs.files" in hint
    assert "blobs/sha256/" in hint


def test_a_blob_file_of_the_wrong_size_or_bytes_is_refused(tmp_path: Path) -> None:
    _, blobs = oci_layout(tmp_path)
    config = next(d for d, data in blobs.items() if data.startswith(b"{"))
    (tmp_path / "short.json").write_bytes(blobs[config][:-1])
    (tmp_path / "other.json").write_bytes(blobs[config][:-1] + b" ")
    for name, expected in [
        ("short.json", f"blob file short.json has {len(blobs[config]) - 1} bytes, but the"),
        ("other.json", "blob file other.json hashes to sha256:"),
    ]:
        text = FILES.format(digest=config, name=name)
        [(line, path, message, _)] = problems(declare(tmp_path, text))
        assert line == 10
        assert path == f"repositories[0].images[0].blobs.files['{config}']"
        assert message.startswith(expected)


def test_blob_files_must_be_regular_and_inside_the_folder(tmp_path: Path) -> None:
    _, blobs = oci_layout(tmp_path)
    config = next(d for d, data in blobs.items() if data.startswith(b"{"))
    os.mkfifo(tmp_path / "pipe")
    text = (
        "        blobs:\n          folder: ../elsewhere\n          files:\n"
        f"            {config}: pipe\n            sha256:{'0' * 64}: x\n"
    )
    found = problems(declare(tmp_path, text))
    messages = [message for _, _, message, _ in found]
    assert "'../elsewhere' is outside the declaring folder" in messages
    assert "cannot read blob file pipe: not a regular file (a FIFO)" in messages
    assert f"the manifest names no blob sha256:{'0' * 64}" in messages


def test_blobs_on_a_synthetic_image_or_a_list_is_a_mistake(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(
        "version: 1\nrepositories:\n  - name: team/app\n    images:\n"
        "      - tags: [v1]\n        blobs: {folder: .}\n"
        "      - tags: [multi]\n        platforms: [linux/amd64]\n        blobs: {folder: .}\n"
    )
    messages = [message for _, _, message, _ in problems(path)]
    assert (
        messages == ["blobs is for declared manifests; a synthetic image's blobs are generated"] * 2
    )


def test_a_blob_file_changed_after_loading_is_not_served(tmp_path: Path) -> None:
    _, blobs = oci_layout(tmp_path)
    repository = build_state(
        [load_declaration(declare(tmp_path, "        blobs: {folder: layout}\n"))]
    ).repository("team/app")
    config = next(d for d, data in blobs.items() if data.startswith(b"{"))
    (tmp_path / "layout" / "blobs" / "sha256" / config.removeprefix("sha256:")).write_bytes(
        b"{}" + blobs[config]
    )
    with pytest.raises(FileChanged, match="changed since the declaration naming it was loaded"):
        read(repository, config)


def test_a_named_blob_without_bytes_has_a_message_saying_how_to_declare_it(
    tmp_path: Path,
) -> None:
    oci_layout(tmp_path)
    repository = build_state([load_declaration(declare(tmp_path, ""))]).repository("team/app")
    config = json.loads(repository.image("v1").manifest)["config"]["digest"]
    assert repository.blobs.reference(config) is not None
    assert repository.blobs.content(config) is None
    message = blob_unknown_message(repository, config)
    assert "no bytes for it" in message
    assert "blobs: {folder: <dir>}" in message
    assert f"blobs: {{files: {{{config}: <file>}}}}" in message
    unknown = "sha256:" + "0" * 64
    assert blob_unknown_message(repository, unknown) == (
        f"blob {unknown} is unknown to the repository 'team/app'"
    )


# -- allow_missing_layers ----------------------------------------------------------------


def test_the_switch_is_declared_per_registry_and_per_repository() -> None:
    state = build_state(
        [
            load_declaration(
                "version: 1\nregistries:\n  - allow_missing_layers: true\n"
                "  - {region: eu-west-1, allow_missing_layers: false}\n"
                "repositories:\n  - name: team/strict\n    allow_missing_layers: false\n"
                "  - name: team/loose\n"
            )
        ]
    )
    account = state.account
    assert state.registry_setting(account, "us-east-1", "allow_missing_layers") is True
    assert state.registry_setting(account, "eu-west-1", "allow_missing_layers") is False
    assert state.repository("team/strict").setting("allow_missing_layers") is False
    assert state.repository("team/loose").setting("allow_missing_layers") is None


def test_the_switch_takes_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(
        "version: 1\nregistries:\n  - allow_missing_layers: yes please\n"
        "repositories:\n  - name: team/a\n    allow_missing_layers: 1\n"
    )
    found = problems(path)
    assert [(line, where, message) for line, where, message, _ in found] == [
        (
            3,
            "registries[0].allow_missing_layers",
            "expected true or false, found the string 'yes please'",
        ),
        (6, "repositories[0].allow_missing_layers", "expected true or false, found the integer 1"),
    ]
    assert all(hint and "allow_missing_layers: true" in hint for *_, hint in found)


def test_a_generated_blob_costs_an_object_not_its_bytes(synthetic: Repository) -> None:
    layer = json.loads(synthetic.image("docker").manifest)["layers"][-1]
    content = synthetic.blobs.content(layer["digest"])
    assert content is not None
    assert content.size == layer["size"]
    assert not any(isinstance(v, bytes) for v in vars_of(content))
    assert sha(b"".join(content.chunks())) == layer["digest"]


def vars_of(value: object) -> list[object]:
    return [getattr(value, name) for name in getattr(value, "__slots__", ())]


def test_replication_takes_the_declared_bytes_along() -> None:
    from pytest_ecr import FakeEcr

    with FakeEcr([SYNTHETIC]) as fake:
        client = fake.client()
        client.put_replication_configuration(
            replicationConfiguration={
                "rules": [{"destinations": [{"region": "eu-west-1", "registryId": fake.account}]}]
            }
        )
        manifest = fake.registry.repository("team/api").image("oci").manifest
        fake.registry.allow_missing_layers()  # a retag: its layers are in the repository
        client.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="again")
        replica = fake.registry.repository("team/api", region="eu-west-1")
        pull_image(replica, "again")
