"""Manifest bytes: inline mappings are serialised one documented way; files are exact."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_ecr.declarations import load_declaration, serialize_manifest
from pytest_ecr.declarations.manifests import NotJson, write_json
from pytest_ecr.model import MediaType

from .conftest import Write

DATA = Path(__file__).resolve().parent.parent / "data" / "manifests"
AWS_CLI_EXAMPLE = DATA / "aws-cli-batch-get-image-example.json"
AWS_CLI_DIGEST = "sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5"


def test_serialisation_is_json_dumps_with_a_three_space_indent() -> None:
    manifest = {
        "schemaVersion": 2,
        "mediaType": MediaType.OCI_MANIFEST,
        "config": {"mediaType": MediaType.OCI_CONFIG, "size": 7, "digest": "sha256:ab"},
        "layers": [],
        "annotations": {"org.example.note": 'naïve <&> "quoted" \u2028', "empty": {}},
    }
    text = serialize_manifest(manifest)
    assert text == json.dumps(manifest, indent=3, ensure_ascii=False)
    assert text.startswith('{\n   "schemaVersion": 2,\n   "mediaType": ')
    assert '"naïve <&> \\"quoted\\" \u2028"' in text
    assert '"layers": [],' in text
    assert not text.endswith("\n")


def test_keys_keep_the_order_they_are_written_in() -> None:
    assert serialize_manifest({"b": 1, "a": [True, None, 1.5]}) == (
        '{\n   "b": 1,\n   "a": [\n      true,\n      null,\n      1.5\n   ]\n}'
    )


def test_serialisation_falls_back_to_json_for_what_it_does_not_write() -> None:
    assert serialize_manifest({1: "x"}) == json.dumps({1: "x"}, indent=3)  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        serialize_manifest({"when": object()})
    with pytest.raises(NotJson):
        write_json({"x": float("nan")})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(json_values)
def test_the_fast_writer_is_exactly_json_dumps(value: Any) -> None:
    assert write_json(value) == json.dumps(value, indent=3, ensure_ascii=False)


def test_the_aws_cli_example_manifest_has_the_documented_digest() -> None:
    data = AWS_CLI_EXAMPLE.read_bytes()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == AWS_CLI_DIGEST
    assert not data.endswith(b"\n")
    # Docker's layout is exactly what serialize_manifest writes for the same content.
    assert serialize_manifest(json.loads(data)) == data.decode("utf-8")


def test_manifest_file_uses_the_exact_bytes(write: Write, tmp_path: Path) -> None:
    data = AWS_CLI_EXAMPLE.read_bytes()
    write(data, name="decl/manifests/example.json")
    path = write(
        """\
        version: 1
        repositories:
          - name: cluster-autoscaler
            images:
              - tags: [v1.13.6]
                manifest_file: manifests/example.json
                digest: sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5
        """,
        name="decl/registry.yaml",
    )
    image = load_declaration(path, base_dir=tmp_path).repositories[0].images[0].image
    assert image.digest == AWS_CLI_DIGEST
    assert image.manifest.encode("utf-8") == data
    assert image.media_type == MediaType.DOCKER_V2
    assert image.size_bytes == 2777 + 17743696 + 2565026 + 28005981 + 775


def test_the_same_manifest_inline_gives_the_same_digest() -> None:
    # JSON is YAML: the example pasted as a flow mapping keeps its key order.
    inline = AWS_CLI_EXAMPLE.read_text(encoding="utf-8").replace("\n", "\n          ")
    text = f"version: 1\nrepositories:\n  - name: a/b\n    images:\n      - manifest: {inline}\n"
    image = load_declaration(text).repositories[0].images[0].image
    assert image.digest == AWS_CLI_DIGEST


def test_manifest_text_is_used_byte_for_byte() -> None:
    manifest = (
        '{"schemaVersion":2,"mediaType":"'
        + MediaType.DOCKER_V2
        + '","config":{"digest":"sha256:aaaaaaaa"},"layers":[]}\n'
    )
    text = "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - manifest_text: |\n"
    text += "".join(f"          {line}\n" for line in manifest.splitlines())
    image = load_declaration(text).repositories[0].images[0].image
    assert image.manifest == manifest
    assert image.digest == "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()


def test_non_ascii_manifest_files_keep_their_bytes(write: Write) -> None:
    data = (
        '{"schemaVersion": 2, "mediaType": "' + MediaType.OCI_MANIFEST + '", '
        '"config": {"size": 1, "digest": "sha256:aaaaaaaa"}, "layers": [],'
        ' "annotations": {"by": "Zoë"}}'
    ).encode()
    write(data, name="m.json")
    path = write(
        "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - manifest_file: m.json\n"
    )
    image = load_declaration(path).repositories[0].images[0].image
    assert image.digest == "sha256:" + hashlib.sha256(data).hexdigest()
