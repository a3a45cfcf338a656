"""The ``pytest-ecr`` command line: validate, schema, snapshot; and the JSON Schema kept in
step with the validator it describes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.cli import main
from pytest_ecr.declarations import format as declaration_format
from pytest_ecr.declarations import load_declaration, load_sources
from pytest_ecr.declarations.jsonschema import load_schema, schema_path, schema_problems
from pytest_ecr.declarations.platforms import PLATFORM_PATTERN
from pytest_ecr.faults import CONNECTION_KINDS, FAULT_KEYS
from pytest_ecr.model import IMAGE_FAILURE_CODES, MediaType, RegistryState, TagMutability, names
from pytest_ecr.service.catalogue import COMMON_ERRORS, OPERATION_ERRORS
from pytest_ecr.transports.http_server import EcrServer

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"

BROKEN = """\
version: 1
account: 123456789012
repositories:
  - name: team/api
    tag_mutability: mutable
    images:
      - tagz: [v1]
      - tags: [v2]
        failure: {code: KmsErr}
faults:
  - {operation: BatchGetImage, error: Throttling, times: 0}
"""


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- validate ------------------------------------------------------------------------------


def test_validate_prints_every_problem_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text(BROKEN)

    status, out, _ = run("validate", "broken.yaml", capsys=capsys)

    assert status == 1
    lines = out.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == [
        "broken.yaml:2",
        "broken.yaml:5",
        "broken.yaml:7",
        "broken.yaml:9",
        "broken.yaml:11",
        "broken.yaml:11",
    ]
    assert "account: expected a string of 12 digits" in lines[0]
    assert "unknown key 'tagz'" in lines[2]
    assert "did you mean 'tags'?" in lines[2]
    assert "did you mean 'KmsError'?" in lines[3]
    assert "faults[0]: BatchGetImage cannot return 'Throttling'" in lines[4]
    assert "'times' must be an integer >= 1, got 0" in lines[5]


def test_validate_good_files_exit_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = ROOT / "docs" / "examples" / "registry.yaml"
    status, out, _ = run("validate", str(DATA / "registry.yaml"), str(examples), capsys=capsys)
    assert status == 0
    assert out.splitlines() == [f"{DATA / 'registry.yaml'}: ok", f"{examples}: ok"]


def test_validate_mixed_files_reports_each_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("good.yaml").write_text("version: 1\nrepositories: [{name: team/api}]\n")
    Path("bad.yaml").write_text("version: 2\n")
    status, out, _ = run("validate", "good.yaml", "bad.yaml", "missing.yaml", capsys=capsys)
    assert status == 1
    assert out.splitlines() == [
        "good.yaml: ok",
        "bad.yaml:1 version: unsupported version 2 (this pytest-ecr reads `version: 1`)",
        "missing.yaml: declaration file not found",
    ]


def test_validate_reports_conflicts_found_when_merging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("twice.yaml").write_text(
        "version: 1\n"
        "repositories:\n"
        "  - name: team/api\n"
        "    images: [{tags: [v1]}]\n"
        "  - name: team/api\n"
        "    images: [{tags: [v1], media_type: application/vnd.oci.image.manifest.v1+json}]\n"
    )
    status, out, _ = run("validate", "twice.yaml", capsys=capsys)
    assert status == 1
    assert out.startswith("twice.yaml:6 repositories[1].images[0]: tag 'v1'")


def test_validate_reports_yaml_syntax_errors_with_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("syntax.yaml").write_text("version: 1\nrepositories:\n  - name: [a\n")
    status, out, _ = run("validate", "syntax.yaml", capsys=capsys)
    assert status == 1
    assert out.startswith("syntax.yaml:")
    assert "invalid YAML" in out


@pytest.mark.slow
def test_validate_as_a_console_script(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN)
    result = subprocess.run(
        [sys.executable, "-m", "pytest_ecr.cli", "validate", "broken.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 6


def test_validate_checks_what_loading_checks_and_no_schema_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --schema, validate is the loader's check alone: the JSON Schema is not
    consulted (the two are kept identical by the tests), so it costs about one load."""
    import pytest_ecr.declarations.jsonschema as module

    calls: list[str] = []
    monkeypatch.setattr(module, "schema_problems", lambda text, source: calls.append(source))
    for extra in ([], ["--no-schema"]):
        status, out, _ = run("validate", *extra, str(DATA / "registry.yaml"), capsys=capsys)
        assert (status, out) == (0, f"{DATA / 'registry.yaml'}: ok\n")
    assert calls == []


def test_validate_with_schema_runs_the_schema_check_on_accepted_files(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("jsonschema")
    import pytest_ecr.declarations.jsonschema as module
    from pytest_ecr.declarations import Problem

    path = DATA / "registry.yaml"
    status, out, _ = run("validate", "--schema", str(path), capsys=capsys)
    assert (status, out) == (0, f"{path}: ok\n")  # the real schema agrees

    def disagree(text: str, source: str) -> list[Problem]:
        return [Problem(source, 3, "region", "schema says no")]

    monkeypatch.setattr(module, "schema_problems", disagree)
    status, out, _ = run("validate", "--schema", str(path), capsys=capsys)
    assert status == 1
    assert out == f"{path}:3 region: schema says no\n"


def test_validate_with_schema_says_when_jsonschema_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pytest_ecr.declarations.jsonschema as module

    monkeypatch.setattr(module, "jsonschema_available", lambda: False)
    status, out, err = run("validate", "--schema", str(DATA / "registry.yaml"), capsys=capsys)
    assert (status, out) == (2, "")
    assert "pip install 'pytest-ecr[schema]'" in err


# -- schema ------------------------------------------------------------------------------


def test_schema_command_prints_the_schema_and_its_path(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run("schema", capsys=capsys)
    assert status == 0
    assert json.loads(out) == load_schema()
    status, out, _ = run("schema", "--path", capsys=capsys)
    assert status == 0
    assert Path(out.strip()) == schema_path()
    assert schema_path() == ROOT / "pytest_ecr" / "declarations" / "schema.json"


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _properties(schema: dict[str, Any], name: str | None) -> dict[str, Any]:
    node = schema if name is None else schema["$defs"][name]
    assert node["additionalProperties"] is False, name
    properties: dict[str, Any] = node["properties"]
    return properties


@pytest.mark.parametrize(
    ("definition", "keys"),
    [
        (None, declaration_format.TOP_KEYS),
        ("repository", declaration_format.REPOSITORY_KEYS),
        ("image", declaration_format.IMAGE_KEYS),
        ("image_failure", declaration_format.FAILURE_KEYS),
        ("fault", FAULT_KEYS),
    ],
)
def test_schema_keys_are_the_validator_keys(definition: str | None, keys: tuple[str, ...]) -> None:
    properties = _properties(load_schema(), definition)
    assert list(properties) == list(keys)
    for key, spec in properties.items():
        assert spec.get("description"), f"{definition or 'top level'}.{key} has no description"


def test_schema_enums_and_patterns_are_the_validator_values() -> None:
    schema = load_schema()
    top = schema["properties"]
    defs = schema["$defs"]
    repository = defs["repository"]["properties"]
    image = defs["image"]["properties"]
    fault = defs["fault"]["properties"]

    assert top["version"]["const"] == declaration_format.VERSION
    assert schema["required"] == ["version"]
    assert defs["repository"]["required"] == ["name"]
    assert defs["image_failure"]["required"] == ["code"]
    assert repository["tag_mutability"]["enum"] == [m.value for m in TagMutability]
    assert repository["tag_mutability"]["default"] == TagMutability.MUTABLE.value
    assert defs["image_failure"]["properties"]["code"]["enum"] == list(IMAGE_FAILURE_CODES)
    assert fault["operation"]["enum"] == list(OPERATION_ERRORS)
    every_error = {error for errors in OPERATION_ERRORS.values() for error in errors}
    assert set(fault["error"]["enum"]) == every_error | set(COMMON_ERRORS)
    assert fault["failure"]["enum"] == list(IMAGE_FAILURE_CODES)
    assert fault["connection"]["enum"] == list(CONNECTION_KINDS)
    assert set(image["media_type"]["examples"]) == set(MediaType.KNOWN)

    assert defs["account"]["pattern"] == f"^{names.REGISTRY_ID_PATTERN}$"
    assert defs["region"]["pattern"] == f"^{names.REGION_PATTERN}$"
    assert repository["name"]["pattern"] == f"^{names.REPOSITORY_NAME_PATTERN}$"
    assert image["tags"]["items"]["pattern"] == f"^{names.IMAGE_TAG_PATTERN}$"
    assert image["digest"]["pattern"] == f"^{names.SHA256_DIGEST_PATTERN}$"
    assert image["platforms"]["items"]["pattern"] == PLATFORM_PATTERN
    assert top["account"]["default"] == "123456789012"
    assert top["region"]["default"] == "us-east-1"


def _yaml_files() -> Iterator[Path]:
    yield DATA / "registry.yaml"
    yield ROOT / "docs" / "examples" / "registry.yaml"


@pytest.mark.parametrize("path", list(_yaml_files()), ids=lambda p: p.name)
def test_good_declarations_pass_the_schema(path: Path) -> None:
    pytest.importorskip("jsonschema")
    assert schema_problems(path.read_text(), str(path)) == []


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        ("version: 1\nbogus: 1\n", "", "'bogus' was unexpected"),
        ("version: 1\nrepositories:\n  - {}\n", "repositories[0]", "'name' is a required"),
        (
            "version: 1\nrepositories:\n  - name: a/b\n    images:\n"
            "      - {manifest: {}, manifest_text: x}\n",
            "repositories[0].images[0]",
            "should not be valid",
        ),
        (
            "version: 1\nfaults:\n  - {operation: BatchGetImage}\n",
            "faults[0]",
            "is not valid under any of the given schemas",
        ),
        (
            "version: 1\nfaults:\n  - {error: ServerException, reason: x}\n",
            "faults[0]",
            "'failure' is a dependency of 'reason'",
        ),
        ("version: 1\nfaults:\n  - {latency: 1, times: 0}\n", "faults[0].times", "minimum"),
    ],
)
def test_the_schema_rejects_what_the_validator_rejects(text: str, path: str, fragment: str) -> None:
    pytest.importorskip("jsonschema")
    problems = schema_problems(text, "x.yaml")
    assert problems, text
    assert any(p.path == path and fragment in p.message for p in problems), problems
    assert all(p.line is not None for p in problems)


def test_schema_problems_carry_yaml_lines() -> None:
    pytest.importorskip("jsonschema")
    problems = schema_problems(BROKEN, "broken.yaml")
    assert [(p.line, p.path) for p in problems] == [
        (2, "account"),
        (5, "repositories[0].tag_mutability"),
        (7, "repositories[0].images[0]"),
        (9, "repositories[0].images[1].failure.code"),
        (11, "faults[0].error"),
        (11, "faults[0].times"),
    ]


# -- snapshot ------------------------------------------------------------------------------

_OCI_NO_TYPE = json.dumps(
    {
        "schemaVersion": 2,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": "sha256:" + "1" * 64,
            "size": 10,
        },
        "layers": [],
        "annotations": {"org.opencontainers.image.title": "caf\u00e9 \u2615", "note": "x  "},
    },
    ensure_ascii=False,
)
_CHILD = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": "sha256:" + "2" * 64,
            "size": 11,
        },
        "layers": [],
    },
    indent=2,
)


def _index(child: str) -> str:
    import hashlib

    digest = "sha256:" + hashlib.sha256(child.encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": digest,
                    "size": len(child.encode()),
                    "platform": {"architecture": "arm64", "os": "linux"},
                }
            ],
        }
    )


ROUND_TRIP: dict[str, Any] = {
    "version": 1,
    "account": "111122223333",
    "region": "eu-central-1",
    "repositories": [
        {
            "name": "team/api",
            "images": [
                {"tags": ["v1", "latest"]},
                {"tags": ["v2"], "media_type": "application/vnd.oci.image.manifest.v1+json"},
                {"media_type": "application/vnd.docker.distribution.manifest.v2+json"},
                {"tags": ["trailing-newline"], "manifest_text": _CHILD + "\n\n"},
                {"tags": ["encrypted"], "failure": {"code": "KmsError"}},
            ],
        },
        {
            "name": "team/web",
            "tag_mutability": "IMMUTABLE",
            "images": [
                {"manifest_text": _CHILD, "pushed_at": "2023-06-01T12:30:45Z"},
                {"tags": ["multi"], "manifest_text": _index(_CHILD), "pushed_at": 1700000000},
                {
                    "tags": ["no-media-type"],
                    "manifest_text": _OCI_NO_TYPE,
                    "media_type": "application/vnd.oci.image.manifest.v1+json",
                },
            ],
        },
        {"name": "empty"},
        {
            "name": "ubuntu",
            "images": [
                {"tags": ["precise"], "manifest_file": "data/manifests/ubuntu-precise.json"}
            ],
        },
        {
            "name": "elsewhere/other-account",
            "account": "999988887777",
            "images": [{"tags": ["x"]}],
        },
    ],
}


def _contents(state: RegistryState, account: str, region: str) -> dict[str, Any]:
    """Per repository: settings, and each image's digest, tags, manifest and push time."""
    out: dict[str, Any] = {}
    for repo in state.repositories(account, region):
        images = {}
        for image in repo.images():
            images[image.digest] = (
                repo.tags_of(image.digest),
                image.manifest,
                image.media_type,
                int(image.pushed_at),
            )
        out[repo.name] = (repo.tag_mutability.value, images)
    return out


def _declared_without_failures() -> dict[str, Any]:
    state = load_sources([ROUND_TRIP], base_dir=Path(__file__).parent)
    contents = _contents(state, "111122223333", "eu-central-1")
    failing = state.repository("team/api").image("encrypted").digest
    del contents["team/api"][1][failing]
    return contents


@pytest.mark.ecr_registry(ROUND_TRIP)
def test_snapshot_round_trip_through_the_endpoint(
    ecr: FakeEcr,
    ecr_server: EcrServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "snapshot.yaml"
    status, _, err = run(
        "snapshot",
        "--endpoint-url",
        ecr_server.endpoint_url,
        "--region",
        "eu-central-1",
        "-o",
        str(out),
        capsys=capsys,
    )
    assert status == 0, err
    # The image the registry refuses to return is left out, and said so.
    assert "skipped team/api@sha256:" in err
    assert "KmsError" in err

    snapshot = load_sources([str(out)])
    assert snapshot.account == "111122223333"
    assert snapshot.region == "eu-central-1"
    assert _contents(snapshot, "111122223333", "eu-central-1") == _declared_without_failures()
    # Through the endpoint only: every call went over HTTP, by digest, for exact bytes.
    assert {call.transport for call in ecr.calls()} == {"http"}
    for call in ecr.calls("BatchGetImage"):
        assert all(set(ident) == {"imageDigest"} for ident in call.params["imageIds"])
        assert len(call.params["acceptedMediaTypes"]) == 1
    assert main(["validate", str(out)]) == 0


@pytest.mark.slow
@pytest.mark.ecr_registry(ROUND_TRIP)
def test_snapshot_of_chosen_repositories_in_a_subprocess(
    ecr: FakeEcr, ecr_server: EcrServer, tmp_path: Path
) -> None:
    env = {**ecr_server.env, "AWS_DEFAULT_REGION": "eu-central-1", "AWS_REGION": "eu-central-1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest_ecr.cli", "snapshot", "--repository", "team/web"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    declaration = load_declaration(result.stdout, base_dir=tmp_path)
    assert [repo.name for repo in declaration.repositories] == ["team/web"]
    snapshot = load_sources([result.stdout], base_dir=tmp_path)
    expected = _declared_without_failures()["team/web"]
    assert _contents(snapshot, "111122223333", "eu-central-1") == {"team/web": expected}


@pytest.mark.ecr_registry(ROUND_TRIP)
def test_snapshot_of_another_registry_id(
    ecr: FakeEcr, ecr_server: EcrServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        "snapshot",
        "--endpoint-url",
        ecr_server.endpoint_url,
        "--region",
        "eu-central-1",
        "--registry-id",
        "999988887777",
        capsys=capsys,
    )
    assert status == 0, err
    declaration = load_declaration(out)
    assert declaration.account == "999988887777"
    assert [repo.name for repo in declaration.repositories] == ["elsewhere/other-account"]


@pytest.mark.slow
@pytest.mark.ecr_registry(ROUND_TRIP)
def test_snapshot_reports_aws_errors(
    ecr: FakeEcr, ecr_server: EcrServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        "snapshot",
        "--endpoint-url",
        ecr_server.endpoint_url,
        "--region",
        "eu-central-1",
        "--repository",
        "team/missing",
        capsys=capsys,
    )
    assert status == 1
    assert out == ""
    assert "RepositoryNotFoundException" in err


@pytest.mark.ecr_registry(
    {
        "version": 1,
        "repositories": [
            {"name": "team/big", "images": [{"tags": [f"v{i}"]} for i in range(150)]},
            {"name": "team/untagged", "images": [{} for _ in range(3)]},
        ],
    }
)
def test_snapshot_pages_and_batches(
    ecr: FakeEcr, ecr_server: EcrServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run("snapshot", "--endpoint-url", ecr_server.endpoint_url, capsys=capsys)
    assert status == 0, err

    snapshot = load_sources([out])
    assert _contents(snapshot, "123456789012", "us-east-1") == _contents(
        ecr.registry, "123456789012", "us-east-1"
    )
    # 150 images: DescribeImages pages through them, BatchGetImage takes 100 ids at most.
    assert len(ecr.calls("DescribeImages").where(repositoryName="team/big")) >= 2
    sizes = [len(c.params["imageIds"]) for c in ecr.calls("BatchGetImage")]
    assert sorted(sizes) == [3, 50, 100]
