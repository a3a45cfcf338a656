"""Every rule of the version 1 format, with the exact problem it gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pytest_ecr.declarations import Declaration, FaultEntry, Problem, load_declaration
from pytest_ecr.declarations.format import REPOSITORY_KEYS
from pytest_ecr.faults import FAULT_HINT, FAULT_KEYS, parse_fault
from pytest_ecr.model import (
    DEFAULT_FAILURE_REASONS,
    IMAGE_FAILURE_CODES,
    ImageFailure,
    MediaType,
    TagMutability,
)

from .conftest import Problems, Write

IMAGE_KEYS = (
    "tags, manifest, manifest_text, manifest_file, media_type, platforms, digest, pushed_at, "
    "failure, scan, blobs"
)
TOP_KEYS = "version, account, region, registries, repositories, faults"
NAME_HINT = (
    "2 to 256 characters: lowercase letters and digits, joined by '.', '_', '__' or "
    "runs of '-', with '/' between path components, like 'team/api'"
)
TAG_HINT = "1 to 300 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'"
V2 = MediaType.DOCKER_V2
JAN_2024 = 1_704_067_200.0


def one_repo(images: str, extra: str = "") -> str:
    """A declaration whose only repository (line 3) lists *images* from line 5 on."""
    return f"version: 1\nrepositories:\n  - name: team/api\n{extra}    images:\n" + "".join(
        f"      {line}\n" for line in images.strip("\n").split("\n")
    )


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# -- the document ----------------------------------------------------------------------


def test_a_full_declaration_loads(write: Write) -> None:
    path = write(
        """\
        version: 1
        account: "123456789012"
        region: eu-central-1
        repositories:
          - name: team/api
            tag_mutability: IMMUTABLE
            images:
              - tags: [v1.2.0, latest]
              - tags: [v1.1.0]
                media_type: application/vnd.oci.image.manifest.v1+json
          - name: mirror/ubuntu
            account: "210987654321"
            region: us-west-2
        faults:
          - {operation: BatchGetImage, error: ServerException, times: 1}
        """
    )
    declaration = load_declaration(path)
    assert isinstance(declaration, Declaration)
    assert declaration.source == str(path)
    assert (declaration.account, declaration.region) == ("123456789012", "eu-central-1")
    api, ubuntu = declaration.repositories
    assert (api.name, api.account, api.region) == ("team/api", None, None)
    assert api.tag_mutability is TagMutability.IMMUTABLE
    assert (api.line, api.path) == (5, "repositories[0]")
    first, second = api.images
    assert first.tags == ("v1.2.0", "latest")
    assert (first.line, first.path) == (8, "repositories[0].images[0]")
    assert (second.line, second.path) == (9, "repositories[0].images[1]")
    assert second.image.media_type == MediaType.OCI_MANIFEST
    assert (ubuntu.account, ubuntu.region, ubuntu.images) == ("210987654321", "us-west-2", ())
    assert ubuntu.tag_mutability is TagMutability.MUTABLE
    (fault,) = declaration.faults
    spec = {"operation": "BatchGetImage", "error": "ServerException", "times": 1}
    assert fault == FaultEntry(
        spec, str(path), 15, "faults[0]", parse_fault(spec, f"{path}:15 faults[0]")
    )


def test_the_smallest_declaration_is_just_the_version() -> None:
    declaration = load_declaration("version: 1\n")
    assert declaration.source == "<text>"
    assert (declaration.account, declaration.region) == (None, None)
    assert declaration.repositories == declaration.faults == ()


def test_every_problem_of_a_file_is_reported_at_once(write: Write, problems: Problems) -> None:
    path = write(
        """\
        version: 1
        region: mars
        repositories:
          - name: Team/API
            images:
              - tagz: [v1]
              - failure: {code: KmsErr}
        """
    )
    assert problems(path) == [
        Problem(
            str(path),
            2,
            "region",
            "invalid region 'mars'",
            "a region looks like 'us-east-1' or 'ap-southeast-2'",
        ),
        Problem(
            str(path), 4, "repositories[0].name", "invalid repository name 'Team/API'", NAME_HINT
        ),
        Problem(
            str(path),
            6,
            "repositories[0].images[0]",
            "unknown key 'tagz'",
            f"expected one of: {IMAGE_KEYS}; did you mean 'tags'?",
        ),
        Problem(
            str(path),
            7,
            "repositories[0].images[1].failure.code",
            "unknown failure code 'KmsErr'",
            f"expected one of: {', '.join(IMAGE_FAILURE_CODES)}; did you mean 'KmsError'?",
        ),
    ]


def test_the_style_guide_example_reads_as_promised(write: Write, problems: Problems) -> None:
    path = write(one_repo("- tags: [v1]\n- tagz: [v2]"), name="registry.yaml")
    assert str(only(problems(path))) == (
        f"{path}:6 repositories[0].images[1]: unknown key 'tagz' "
        f"(expected one of: {IMAGE_KEYS}; did you mean 'tags'?)"
    )


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n", "--- ~\n"])
def test_an_empty_declaration_says_how_to_start(text: str, problems: Problems) -> None:
    assert problems(text or "\n") == [
        Problem(
            "<text>", None, "", "empty declaration", "start with `version: 1`, then `repositories:`"
        )
    ]


def test_an_empty_file_says_how_to_start(write: Write, problems: Problems) -> None:
    path = write("")
    assert problems(path) == [
        Problem(
            str(path),
            None,
            "",
            "empty declaration",
            "start with `version: 1`, then `repositories:`",
        )
    ]


def test_the_document_must_be_a_mapping(problems: Problems) -> None:
    assert problems("- version: 1\n") == [
        Problem(
            "<text>",
            1,
            "",
            "a declaration must be a mapping, found a list",
            "start with `version: 1`",
        )
    ]


def test_version_is_required(problems: Problems) -> None:
    assert problems('account: "123456789012"\n') == [
        Problem("<text>", 1, "", "missing required key 'version'", "start with `version: 1`")
    ]


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("2", "unsupported version 2", "this pytest-ecr reads `version: 1`"),
        ("'1'", "expected the number 1, found the string '1'", "write `version: 1`"),
        ("1.0", "expected the number 1, found the number 1.0", "write `version: 1`"),
        ("true", "expected the number 1, found the boolean true", "write `version: 1`"),
    ],
)
def test_version_must_be_1(value: str, message: str, hint: str, problems: Problems) -> None:
    assert problems(f"\nversion: {value}\n") == [Problem("<text>", 2, "version", message, hint)]


def test_unknown_top_level_keys_get_a_suggestion(problems: Problems) -> None:
    assert problems("version: 1\nregoin: us-east-1\n") == [
        Problem(
            "<text>",
            2,
            "",
            "unknown key 'regoin'",
            f"expected one of: {TOP_KEYS}; did you mean 'region'?",
        )
    ]


# -- account and region ------------------------------------------------------------------


def test_an_unquoted_account_is_rejected_with_a_hint_to_quote_it(problems: Problems) -> None:
    assert problems("version: 1\naccount: 123456789012\n") == [
        Problem(
            "<text>",
            2,
            "account",
            "expected a string of 12 digits, found the integer 123456789012",
            'quote it, as in account: "123456789012"; YAML reads unquoted digits as a number '
            "and drops leading zeros",
        )
    ]


def test_an_account_that_lost_its_leading_zeros_gets_a_generic_hint(problems: Problems) -> None:
    # 0123 is an octal number in YAML 1.1: the digits the user typed are gone.
    (problem,) = problems("version: 1\naccount: 0123\n")
    assert problem.message == "expected a string of 12 digits, found the integer 83"
    assert problem.hint is not None
    assert problem.hint.startswith('quote it, as in account: "123456789012"')


@pytest.mark.parametrize("value", ["'12345'", "'12345678901a'", "'1234567890123'"])
def test_an_account_is_12_digits(value: str, problems: Problems) -> None:
    (problem,) = problems(f"version: 1\naccount: {value}\n")
    assert problem.path == "account"
    assert problem.message.startswith("expected 12 digits, found the string ")
    assert problem.hint == "an AWS account id is 12 digits, like '123456789012'"


@pytest.mark.parametrize("region", ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1"])
def test_real_region_names_are_accepted(region: str) -> None:
    assert load_declaration(f"version: 1\nregion: {region}\n").region == region


@pytest.mark.parametrize("region", ["US-EAST-1", "useast1", "us-east", "us-east-1a"])
def test_malformed_regions_are_rejected(region: str, problems: Problems) -> None:
    assert problems(f"version: 1\nregion: {region}\n") == [
        Problem(
            "<text>",
            2,
            "region",
            f"invalid region {region!r}",
            "a region looks like 'us-east-1' or 'ap-southeast-2'",
        )
    ]


def test_a_region_must_be_a_string(problems: Problems) -> None:
    assert problems("version: 1\nregion: [us-east-1]\n") == [
        Problem(
            "<text>",
            2,
            "region",
            "expected a region name, found a list",
            "a region looks like 'us-east-1'",
        )
    ]


def test_repositories_may_name_their_own_account_and_region() -> None:
    declaration = load_declaration(
        'version: 1\nrepositories:\n  - {name: a/b, account: "210987654321", region: eu-west-1}\n'
    )
    (repository,) = declaration.repositories
    assert (repository.account, repository.region) == ("210987654321", "eu-west-1")


def test_repository_account_and_region_are_checked_too(problems: Problems) -> None:
    found = problems("version: 1\nrepositories:\n  - {name: a/b, account: 12, region: x}\n")
    assert [(p.line, p.path) for p in found] == [
        (3, "repositories[0].account"),
        (3, "repositories[0].region"),
    ]


# -- repositories ------------------------------------------------------------------------


def test_repositories_must_be_a_list(problems: Problems) -> None:
    assert problems("version: 1\nrepositories: {name: a/b}\n") == [
        Problem(
            "<text>",
            2,
            "repositories",
            "expected a list of repositories, found a mapping",
            "write `repositories: [{name: team/api}]`, or `[]` for none",
        )
    ]


def test_a_repository_must_be_a_mapping(problems: Problems) -> None:
    assert problems("version: 1\nrepositories:\n  - team/api\n") == [
        Problem(
            "<text>",
            3,
            "repositories[0]",
            "a repository must be a mapping, found the string 'team/api'",
            "write `- name: team/api`",
        )
    ]


def test_a_repository_needs_a_name(problems: Problems) -> None:
    assert problems("version: 1\nrepositories:\n  - images: []\n") == [
        Problem(
            "<text>",
            3,
            "repositories[0]",
            "missing required key 'name'",
            "every repository needs `name:`, like `name: team/api`",
        )
    ]


@pytest.mark.parametrize(
    "name",
    ["ab", "team/api", "a.b_c__d-e--f/g", "0/1", "x" * 256, "a/b/c/d"],
)
def test_valid_repository_names(name: str) -> None:
    declaration = load_declaration(f"version: 1\nrepositories:\n  - name: '{name}'\n")
    assert declaration.repositories[0].name == name


@pytest.mark.parametrize(
    "name",
    ["a", "x" * 257, "Team/api", "team/", "/team", "team//api", "-team", "team_", "a___b", "a b"],
)
def test_invalid_repository_names(name: str, problems: Problems) -> None:
    assert problems(f"version: 1\nrepositories:\n  - name: '{name}'\n") == [
        Problem("<text>", 3, "repositories[0].name", f"invalid repository name {name!r}", NAME_HINT)
    ]


def test_a_repository_name_must_be_a_string(problems: Problems) -> None:
    assert problems("version: 1\nrepositories:\n  - name: 42\n") == [
        Problem(
            "<text>",
            3,
            "repositories[0].name",
            "expected a string, found the integer 42",
            NAME_HINT,
        )
    ]


def test_unknown_repository_keys_get_a_suggestion(problems: Problems) -> None:
    assert problems("version: 1\nrepositories:\n  - name: a/b\n    imagse: []\n") == [
        Problem(
            "<text>",
            4,
            "repositories[0]",
            "unknown key 'imagse'",
            f"expected one of: {', '.join(REPOSITORY_KEYS)}; did you mean 'images'?",
        )
    ]


@pytest.mark.parametrize("mode", list(TagMutability))
def test_every_tag_mutability_is_accepted(mode: TagMutability) -> None:
    text = f"version: 1\nrepositories:\n  - name: a/b\n    tag_mutability: {mode.value}\n"
    assert load_declaration(text).repositories[0].tag_mutability is mode


def test_tag_mutability_is_upper_case(problems: Problems) -> None:
    text = "version: 1\nrepositories:\n  - name: a/b\n    tag_mutability: immutable\n"
    assert problems(text) == [
        Problem(
            "<text>",
            4,
            "repositories[0].tag_mutability",
            "unknown tag_mutability 'immutable'",
            "expected one of: MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, "
            "MUTABLE_WITH_EXCLUSION; did you mean 'IMMUTABLE'?",
        )
    ]


def test_tag_mutability_must_be_a_string(problems: Problems) -> None:
    text = "version: 1\nrepositories:\n  - name: a/b\n    tag_mutability: true\n"
    (problem,) = problems(text)
    assert problem.message == "expected a string, found the boolean true"


def test_images_must_be_a_list(problems: Problems) -> None:
    text = "version: 1\nrepositories:\n  - name: a/b\n    images: {tags: [v1]}\n"
    assert problems(text) == [
        Problem(
            "<text>",
            4,
            "repositories[0].images",
            "expected a list of images, found a mapping",
            "write `images: [{tags: [latest]}]`, or `[]` for none",
        )
    ]


def test_an_image_must_be_a_mapping(problems: Problems) -> None:
    assert problems(one_repo("- v1")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0]",
            "an image must be a mapping, found the string 'v1'",
            "write `- tags: [latest]`, with a manifest or without one",
        )
    ]


# -- tags --------------------------------------------------------------------------------


def test_tags_must_be_a_list(problems: Problems) -> None:
    assert problems(one_repo("- tags: v1")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].tags",
            "expected a list of strings, found the string 'v1'",
            "write `tags: [v1]`",
        )
    ]
    (problem,) = problems(one_repo("- tags: {a: b}"))
    assert (problem.message, problem.hint) == ("expected a list of strings, found a mapping", None)


def test_a_tag_that_yaml_reads_as_a_number_must_be_quoted(problems: Problems) -> None:
    assert problems(one_repo("- tags:\n  - latest\n  - 1.0\n  - yes")) == [
        Problem(
            "<text>",
            7,
            "repositories[0].images[0].tags[1]",
            "a tag must be a string, found the number 1.0",
            "quote it, so YAML keeps it a string",
        ),
        Problem(
            "<text>",
            8,
            "repositories[0].images[0].tags[2]",
            "a tag must be a string, found the boolean true",
            "quote it, so YAML keeps it a string",
        ),
    ]


@pytest.mark.parametrize("tag", ["-x", ".x", "a b", "a/b", "a:b", "é", "x" * 301])
def test_invalid_tags(tag: str, problems: Problems) -> None:
    (problem,) = problems(one_repo(f"- tags: ['{tag}']"))
    assert problem.path == "repositories[0].images[0].tags[0]"
    assert problem.message == f"invalid tag {tag[:80]!r}"
    assert problem.hint == TAG_HINT


@pytest.mark.parametrize("tag", ["v1.2.0", "latest", "_x", "A-b_c.d", "1", "x" * 300])
def test_valid_tags(tag: str) -> None:
    declaration = load_declaration(one_repo(f"- tags: ['{tag}']"))
    assert declaration.repositories[0].images[0].tags == (tag,)


def test_a_tag_listed_twice_for_one_image_is_a_mistake(problems: Problems) -> None:
    assert problems(one_repo("- tags: [a, b, a]")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].tags[2]",
            "tag 'a' is listed twice for this image",
            "list each tag once",
        )
    ]


# -- manifests ---------------------------------------------------------------------------


def test_an_image_takes_at_most_one_manifest_key(problems: Problems) -> None:
    text = one_repo("- manifest_text: '{}'\n  manifest_file: m.json")
    assert problems(text) == [
        Problem(
            "<text>",
            6,
            "repositories[0].images[0]",
            "an image takes at most one of manifest, manifest_text, manifest_file; "
            "found manifest_text, manifest_file",
            "keep one; without any, the manifest is synthetic",
        )
    ]


def test_an_inline_manifest_must_be_a_mapping(problems: Problems) -> None:
    assert problems(one_repo("- manifest: '{\"schemaVersion\": 2}'")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].manifest",
            "expected a mapping, found the string '{\"schemaVersion\": 2}'",
            "for exact text use manifest_text",
        )
    ]


def test_manifest_text_and_file_must_be_strings(problems: Problems) -> None:
    found = problems(one_repo("- manifest_text: {a: 1}\n- manifest_file: 3"))
    assert [(p.path, p.message) for p in found] == [
        ("repositories[0].images[0].manifest_text", "expected a string, found a mapping"),
        ("repositories[0].images[1].manifest_file", "expected a string, found the integer 3"),
    ]


def test_a_manifest_mapping_holds_only_json_values(problems: Problems) -> None:
    text = one_repo(
        "- manifest:\n"
        "    schemaVersion: 2\n"
        "    annotations:\n"
        "      created: 2024-05-01T00:00:00Z\n"
        "      1: one\n"
        "      ratio: .nan\n"
    )
    assert problems(text) == [
        Problem(
            "<text>",
            8,
            "repositories[0].images[0].manifest.annotations.created",
            "a manifest holds only JSON values, found the timestamp 2024-05-01T00:00:00+00:00",
            "JSON has no timestamps: quote it to keep it a string",
        ),
        Problem(
            "<text>",
            9,
            "repositories[0].images[0].manifest.annotations",
            "manifest keys must be strings, found the integer 1",
            "quote the key",
        ),
        Problem(
            "<text>",
            10,
            "repositories[0].images[0].manifest.annotations.ratio",
            "a manifest holds only JSON values, found the number nan",
            "JSON has no NaN or infinity",
        ),
    ]


def test_manifest_content_errors_come_from_the_model(problems: Problems) -> None:
    found = problems(one_repo("- manifest_text: 'not json'\n- manifest: {schemaVersion: 2}"))
    assert [(p.line, p.path) for p in found] == [
        (5, "repositories[0].images[0].manifest_text"),
        (6, "repositories[0].images[1].manifest"),
    ]
    assert found[0].message.startswith("invalid manifest: manifest is not valid JSON")
    assert found[1].message == (
        "invalid manifest: an image manifest needs a 'config' object and a 'layers' array"
    )
    assert found[1].hint == "ECR accepts Docker v2, OCI and schema 1 manifests and lists"


def test_manifest_file_errors_name_the_path_and_where_it_was_looked_for(
    write: Write, problems: Problems, tmp_path: Path
) -> None:
    path = write(one_repo("- manifest_file: manifests/missing.json"), name="sub/registry.yaml")
    assert problems(path) == [
        Problem(
            str(path),
            5,
            "repositories[0].images[0].manifest_file",
            "manifest file not found: manifests/missing.json",
            f"looked for {tmp_path / 'sub' / 'manifests' / 'missing.json'}; relative paths "
            f"start at {tmp_path / 'sub'} (the directory of the declaring file)",
        )
    ]


def test_manifest_file_of_text_sources_starts_at_base_dir(
    problems: Problems, tmp_path: Path
) -> None:
    (problem,) = problems(one_repo("- manifest_file: nope.json"), base_dir=tmp_path)
    assert problem.hint == (
        f"looked for {tmp_path / 'nope.json'}; relative paths start at {tmp_path} "
        "(the base directory)"
    )


def test_a_manifest_file_must_be_utf8(write: Write, problems: Problems) -> None:
    write(b'{"a": "\xff"}', name="bad.json")
    path = write(one_repo("- manifest_file: bad.json"))
    assert problems(path) == [
        Problem(
            str(path),
            5,
            "repositories[0].images[0].manifest_file",
            "manifest file bad.json is not UTF-8: byte 0xff at offset 7",
            "ECR stores manifests as UTF-8 JSON",
        )
    ]


def test_a_manifest_file_that_is_a_directory_is_reported(
    write: Write, problems: Problems, tmp_path: Path
) -> None:
    (tmp_path / "adir").mkdir()
    path = write(one_repo("- manifest_file: adir"))
    (problem,) = problems(path)
    assert problem.message.startswith("cannot read manifest file adir: ")
    assert problem.hint == f"looked for {tmp_path / 'adir'}"


def test_a_manifest_without_media_type_is_read_as_docker_v2() -> None:
    manifest = (
        '{"schemaVersion": 2, "config": {"size": 1, "digest": "sha256:aaaaaaaa"},'
        ' "layers": [{"size": 2, "digest": "sha256:aaaaaaaa"}]}'
    )
    declaration = load_declaration(one_repo(f"- manifest_text: '{manifest}'"))
    image = declaration.repositories[0].images[0].image
    assert (image.media_type, image.size_bytes, image.manifest) == (V2, 3, manifest)


def test_media_type_says_what_a_manifest_without_one_is() -> None:
    manifest = (
        '{"schemaVersion": 2, "config": {"size": 1, "digest": "sha256:aaaaaaaa"}, "layers": []}'
    )
    text = one_repo(f"- manifest_text: '{manifest}'\n  media_type: {MediaType.OCI_MANIFEST}")
    image = load_declaration(text).repositories[0].images[0].image
    assert image.media_type == MediaType.OCI_MANIFEST


def test_schema1_and_indexes_without_media_type_are_recognised() -> None:
    schema1 = '{"schemaVersion": 1, "name": "a/b", "fsLayers": [], "history": []}'
    index = '{"schemaVersion": 2, "manifests": []}'
    text = one_repo(f"- manifest_text: '{schema1}'\n- manifest_text: '{index}'")
    first, second = load_declaration(text).repositories[0].images
    assert first.image.media_type == MediaType.DOCKER_V1
    assert second.image.media_type == MediaType.OCI_INDEX


def test_a_media_type_that_contradicts_the_manifest_is_a_problem(problems: Problems) -> None:
    manifest = f'{{"schemaVersion": 2, "mediaType": "{V2}", "config": {{}}, "layers": []}}'
    text = one_repo(f"- manifest_text: '{manifest}'\n  media_type: {MediaType.OCI_MANIFEST}")
    (problem,) = problems(text)
    assert problem.message == (
        f"invalid manifest: manifest says mediaType {V2!r} but "
        f"{MediaType.OCI_MANIFEST!r} was given for it"
    )


def test_an_unknown_manifest_media_type_is_rejected(problems: Problems) -> None:
    manifest = '{"mediaType": "application/vnd.docker.distribution.manifest.v3+json"}'
    (problem,) = problems(one_repo(f"- manifest_text: '{manifest}'"))
    assert problem.path == "repositories[0].images[0].manifest_text"
    assert problem.message == (
        "unsupported manifest media type 'application/vnd.docker.distribution.manifest.v3+json'"
    )
    assert problem.hint is not None
    assert "did you mean 'application/vnd.docker.distribution.manifest.v2+json'?" in problem.hint
    assert problem.hint.endswith("; an OCI artifact with its own type needs an artifactType")


def test_an_artifact_with_its_own_media_type_is_accepted() -> None:
    manifest = (
        '{"mediaType": "application/vnd.example.thing.v1+json", '
        '"artifactType": "application/vnd.example.thing", "config": {"size": 2}}'
    )
    image = load_declaration(one_repo(f"- manifest_text: '{manifest}'")).repositories[0]
    assert image.images[0].image.media_type == "application/vnd.example.thing.v1+json"


def test_media_type_must_be_a_string(problems: Problems) -> None:
    assert problems(one_repo("- media_type: 2")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].media_type",
            "expected a media type string, found the integer 2",
            f"like {V2!r}",
        )
    ]


def test_synthetic_manifests_of_unknown_types_get_a_suggestion(problems: Problems) -> None:
    text = one_repo("- media_type: application/vnd.oci.image.manifest.v2+json")
    assert problems(text) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].media_type",
            "unknown media type 'application/vnd.oci.image.manifest.v2+json'",
            "expected one of: application/vnd.docker.distribution.manifest.v2+json, "
            "application/vnd.oci.image.manifest.v1+json, "
            "application/vnd.docker.distribution.manifest.v1+json; "
            "did you mean 'application/vnd.oci.image.manifest.v1+json'?",
        )
    ]


@pytest.mark.parametrize("media_type", sorted(MediaType.LISTS))
def test_synthetic_manifest_lists_need_platforms(media_type: str, problems: Problems) -> None:
    assert problems(one_repo(f"- media_type: {media_type}")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].media_type",
            "a synthetic manifest list needs `platforms:` to say which images it lists",
            "like `platforms: [linux/amd64, linux/arm64]`; or declare the manifest and each "
            "image it lists",
        )
    ]


# -- digest, pushed_at, failure ----------------------------------------------------------


def test_a_declared_digest_must_match_the_manifest(problems: Problems) -> None:
    manifest = (
        '{"schemaVersion": 2, "mediaType": "'
        + V2
        + '", "config": {"digest": "sha256:aaaaaaaa"}, "layers": []}'
    )
    wrong = "sha256:" + "0" * 64
    text = one_repo(f"- manifest_text: '{manifest}'\n  digest: '{wrong}'")
    actual = load_declaration(one_repo(f"- manifest_text: '{manifest}'"))
    digest = actual.repositories[0].images[0].image.digest
    assert problems(text) == [
        Problem(
            "<text>",
            6,
            "repositories[0].images[0].digest",
            f"digest {wrong} does not match the manifest, whose digest is {digest}",
            "the digest is sha256 of the exact manifest bytes; fix it or leave it out",
        )
    ]
    right = load_declaration(one_repo(f"- manifest_text: '{manifest}'\n  digest: '{digest}'"))
    assert right.repositories[0].images[0].image.digest == digest


@pytest.mark.parametrize(
    "digest",
    # Uppercase hex is well formed for ECR but is never a digest it computes: the hint
    # says lowercase, and so does the JSON Schema.
    ["sha256:abc", "md5:" + "0" * 64, "sha256:" + "g" * 64, "7", "sha256:" + "A" * 64],
)
def test_a_malformed_digest_is_rejected(digest: str, problems: Problems) -> None:
    (problem,) = problems(one_repo(f"- digest: '{digest}'"))
    assert problem.path == "repositories[0].images[0].digest"
    assert problem.message == f"invalid digest {digest!r}"
    assert problem.hint == "sha256: followed by 64 lowercase hex digits"


def pushed_at(value: str) -> float:
    image = load_declaration(one_repo(f"- pushed_at: {value}")).repositories[0].images[0]
    return image.image.pushed_at


MAY_2024_NOON = dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2024-05-01T12:00:00Z", MAY_2024_NOON),
        ("2024-05-01 12:00:00", MAY_2024_NOON),  # naive: UTC
        ("2024-05-01T14:00:00+02:00", MAY_2024_NOON),
        ("'2024-05-01T12:00:00Z'", MAY_2024_NOON),
        ("'2024-05-01T12:00:00'", MAY_2024_NOON),
        ("2024-05-01", MAY_2024_NOON - 12 * 3600),
        (str(int(MAY_2024_NOON)), MAY_2024_NOON),
        ("1714564800.5", MAY_2024_NOON + 0.5),
    ],
)
def test_pushed_at_accepts_times_dates_and_epoch_seconds(value: str, seconds: float) -> None:
    assert pushed_at(value) == seconds


def test_pushed_at_defaults_to_declaration_order() -> None:
    declaration = load_declaration(one_repo("- tags: [a]\n- tags: [b]\n- tags: [c]"))
    assert [i.image.pushed_at for i in declaration.repositories[0].images] == [
        JAN_2024,
        JAN_2024 + 1,
        JAN_2024 + 2,
    ]


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("yesterday", "cannot read 'yesterday' as a time", True),
        ("-5", "expected a time from 1970 to 9999, found the integer -5", True),
        (".inf", "expected a time from 1970 to 9999, found the number inf", True),
        ("1.0e+15", "expected a time from 1970 to 9999, found the number 1000000000000000.0", True),
        ("10000-01-01T00:00:00Z", "cannot read '10000-01-01T00:00:00Z' as a time", True),
        ("true", "expected a time, found the boolean true", True),
        ("[1]", "expected a time, found a list", True),
    ],
)
def test_bad_pushed_at(value: str, message: str, hint: bool, problems: Problems) -> None:
    assert problems(one_repo(f"- pushed_at: {value}")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].pushed_at",
            message,
            "an ISO-8601 time like 2024-05-01T12:00:00Z, or epoch seconds",
        )
    ]


def test_failure_reason_defaults_to_the_code_reason() -> None:
    text = one_repo("- failure: {code: KmsError}\n- failure: {code: ImageNotFound, reason: gone}")
    first, second = load_declaration(text).repositories[0].images
    assert first.image.failure == ImageFailure("KmsError", DEFAULT_FAILURE_REASONS["KmsError"])
    assert second.image.failure == ImageFailure("ImageNotFound", "gone")


def test_failure_must_be_a_mapping(problems: Problems) -> None:
    assert problems(one_repo("- failure: KmsError")) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].failure",
            "expected a mapping, found the string 'KmsError'",
            "write `failure: {code: KmsError}`",
        )
    ]


def test_failure_problems(problems: Problems) -> None:
    found = problems(
        one_repo(
            "- failure: {reason: x}\n- failure: {code: 3}\n- failure: {code: KmsError, why: x}"
        )
    )
    codes = f"expected one of: {', '.join(IMAGE_FAILURE_CODES)}"
    assert found == [
        Problem(
            "<text>", 5, "repositories[0].images[0].failure", "missing required key 'code'", codes
        ),
        Problem(
            "<text>",
            6,
            "repositories[0].images[1].failure.code",
            "expected a string, found the integer 3",
            codes,
        ),
        Problem(
            "<text>",
            7,
            "repositories[0].images[2].failure",
            "unknown key 'why'",
            "expected one of: code, reason",
        ),
    ]


# -- faults ------------------------------------------------------------------------------


def test_faults_are_parsed_and_kept_read_only(problems: Problems) -> None:
    declaration = load_declaration(
        "version: 1\nfaults:\n  - operation: BatchGetImage\n    error: ServerException\n"
        "  - {latency: 2}\n"
    )
    first, second = declaration.faults
    assert dict(first.spec) == {"operation": "BatchGetImage", "error": "ServerException"}
    assert (first.line, first.path, second.line, second.path) == (3, "faults[0]", 5, "faults[1]")
    assert (first.fault.operation, first.fault.error) == ("BatchGetImage", "ServerException")
    assert (second.fault.latency, second.fault.origin) == (2.0, "<text>:5 faults[1]")
    with pytest.raises(TypeError):
        first.spec["x"] = 1  # type: ignore[index]


def test_fault_problems_come_with_the_others_and_a_hint(problems: Problems) -> None:
    found = problems(
        "version: 1\nregion: nowhere\nfaults:\n  - operation: BatchGetImage\n    bogus: x\n"
    )
    assert [(p.line, p.path, p.message) for p in found] == [
        (2, "region", "invalid region 'nowhere'"),
        (
            4,
            "faults[0]",
            "unknown key 'bogus' (expected one of: " + ", ".join(FAULT_KEYS) + ")",
        ),
        (4, "faults[0]", "no effect: give one of 'error', 'failure', 'connection', 'latency'"),
    ]
    assert {p.hint for p in found[1:]} == {FAULT_HINT}


def test_faults_must_be_a_list_of_mappings(problems: Problems) -> None:
    assert problems("version: 1\nfaults:\n  - BatchGetImage\n") == [
        Problem(
            "<text>",
            3,
            "faults[0]",
            "a fault must be a mapping, found the string 'BatchGetImage'",
            "write `- {operation: BatchGetImage, error: ServerException}`",
        )
    ]
    (problem,) = problems("version: 1\nfaults: {}\n")
    assert problem.message == "expected a list of fault mappings, found a mapping"


# -- mapping sources ---------------------------------------------------------------------


def test_mappings_are_checked_the_same_way_without_lines(problems: Problems) -> None:
    source: dict[str, Any] = {
        "version": 1,
        "repositories": [{"name": "team/api", "images": [{"tagz": ["v1"]}, {"tags": "v2"}]}],
    }
    assert problems(source) == [
        Problem(
            "<mapping>",
            None,
            "repositories[0].images[0]",
            "unknown key 'tagz'",
            f"expected one of: {IMAGE_KEYS}; did you mean 'tags'?",
        ),
        Problem(
            "<mapping>",
            None,
            "repositories[0].images[1].tags",
            "expected a list of strings, found the string 'v2'",
            "write `tags: [v2]`",
        ),
    ]


def test_a_mapping_source_loads() -> None:
    declaration = load_declaration(
        {
            "version": 1,
            "account": "123456789012",
            "repositories": (
                {
                    "name": "a/b",
                    "images": [
                        {
                            "tags": ("v1",),
                            "manifest": {
                                "schemaVersion": 2,
                                "config": {"digest": "sha256:" + "a" * 64},
                                "layers": (),
                            },
                        },
                    ],
                },
            ),
        }
    )
    assert declaration.source == "<mapping>"
    (image,) = declaration.repositories[0].images
    assert (image.tags, image.line, image.image.media_type) == (("v1",), None, V2)
    assert image.image.manifest == (
        '{\n   "schemaVersion": 2,\n   "config": {\n      "digest": "sha256:'
        + "a" * 64
        + '"\n   },\n   "layers": []\n}'
    )


def test_a_self_containing_mapping_is_a_problem_not_a_crash(problems: Problems) -> None:
    manifest: dict[str, Any] = {"schemaVersion": 2}
    manifest["config"] = manifest
    source = {"version": 1, "repositories": [{"name": "a/b", "images": [{"manifest": manifest}]}]}
    (problem,) = problems(source)
    assert problem.message == "the manifest nests deeper than 100 levels"


# -- sources -----------------------------------------------------------------------------


def test_a_missing_file_names_what_it_was_resolved_against(
    problems: Problems, tmp_path: Path
) -> None:
    assert problems("nope.yaml", base_dir=tmp_path) == [
        Problem(
            str(tmp_path / "nope.yaml"),
            None,
            "",
            "declaration file not found",
            f"nope.yaml resolved against {tmp_path}",
        )
    ]
    absolute = tmp_path / "gone.yaml"
    assert problems(absolute) == [Problem(str(absolute), None, "", "declaration file not found")]


def test_yaml_text_without_a_newline_is_taken_for_a_path(problems: Problems) -> None:
    (problem,) = problems("version: 1")
    assert problem.message == "declaration file not found"
    assert problem.hint is not None
    assert problem.hint.endswith(
        "a string without a newline is a file path; YAML text needs at least one newline"
    )


def test_relative_paths_start_at_base_dir(write: Write, tmp_path: Path) -> None:
    write("version: 1\n", name="decl/r.yaml")
    declaration = load_declaration("r.yaml", base_dir=tmp_path / "decl")
    assert declaration.source == str(tmp_path / "decl" / "r.yaml")
    assert load_declaration(Path("decl/r.yaml"), base_dir=tmp_path).account is None


def test_relative_paths_default_to_the_current_directory(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("version: 1\nregion: eu-west-3\n", name="here.yaml")
    monkeypatch.chdir(tmp_path)
    assert load_declaration("here.yaml").region == "eu-west-3"


def test_a_directory_is_not_a_declaration(problems: Problems, tmp_path: Path) -> None:
    (problem,) = problems(tmp_path)
    assert problem.message == "a declaration must be a file, not a directory"


def test_a_file_that_is_not_utf8_is_reported_with_its_line(
    write: Write, problems: Problems
) -> None:
    path = write(b"version: 1\nregion: \xe9u-west-1\n")
    assert problems(path) == [
        Problem(str(path), 2, "", "not UTF-8: byte 0xe9 at offset 19", "save the file as UTF-8")
    ]


def test_a_byte_order_mark_is_fine(write: Write) -> None:
    path = write("\ufeffversion: 1\nregion: eu-west-1\n")
    assert load_declaration(path).region == "eu-west-1"


@pytest.mark.parametrize("source", [b"version: 1\n", 42, None, ["version: 1\n"]])
def test_other_kinds_of_source_are_a_problem_not_a_crash(
    source: object, problems: Problems
) -> None:
    (problem,) = problems(source)
    assert problem.line is None
    assert "a declaration source is a file path, YAML text or a mapping" in problem.message or (
        problem.message == "a declaration path must be text, not bytes"
    )
