"""Manifest lists and OCI indexes: generated from ``platforms:``, or declared with their
images, and checked the way ECR checks a pushed list."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import (
    DeclarationError,
    Platform,
    PlatformError,
    Problem,
    load_declaration,
    load_sources,
    parse_platform,
    serialize_manifest,
    synthetic_index,
    synthetic_manifest,
)
from pytest_ecr.declarations.platforms import (
    KNOWN_ARCHITECTURES,
    KNOWN_OS,
    KNOWN_VARIANTS,
    PLATFORM_PATTERN,
)
from pytest_ecr.declarations.synthetic import child_seed
from pytest_ecr.model import Image, MediaType

from .conftest import Problems

PLATFORM_HINT = "os/architecture[/variant], like linux/amd64, linux/arm64 or linux/arm/v7"
EXAMPLE_HINT = "like `platforms: [linux/amd64, linux/arm64]`"

THREE = "[linux/amd64, linux/arm64, linux/arm/v7]"
#: The declaration whose digests are pinned below: they must never change. (They changed
#: once, when synthetic images got real blobs and configs for their platform.)
PINNED = f"""\
version: 1
repositories:
  - name: team/multi
    images:
      - tags: [latest]
        platforms: {THREE}
"""
PINNED_DOCKER = (
    "sha256:41f8f2790ff5be72ffe1eb310002aaa62aefb43fd68fbd5711e0e3138e9e093d",
    (
        "sha256:17bafa35c152d9719214c5cc4cd2d0b2b64949c3c475d0c368e218fe677e4d33",
        "sha256:d0c89f9abf3319d0c1816f5d74c20b49040b92e198526af4e9cf23639713ac1d",
        "sha256:80f1ce633d15b1388317618deb4a1e163113b356be232be0dd68a452d42a17d8",
    ),
)
PINNED_OCI = (
    "sha256:14eb038eadaee0c56d4664a5a240d4fa4a4ef78f0446f143ce9fa02afb0e5c7d",
    (
        "sha256:517c16325af7b0c0c0d57e24707345b86c3c0f466a438d7e1adc3c42d5ff92fa",
        "sha256:f95ceee0b75ae89ffc64d5de6621363974505df2f03f6d6ca3f1b5cf7bd74ff9",
        "sha256:b2b9e7fff738fd31d4da546f6427ac54b682c72347d34ff860aa12024eb18bc9",
    ),
)


def one_repo(images: str, name: str = "team/multi") -> str:
    body = textwrap.indent(textwrap.dedent(images).strip("\n"), "      ")
    return f"version: 1\nrepositories:\n  - name: {name}\n    images:\n{body}\n"


def at(index: int = 0, key: str = "") -> str:
    path = f"repositories[0].images[{index}]"
    return f"{path}.{key}" if key else path


# -- platform strings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("linux/amd64", Platform("linux", "amd64")),
        ("linux/arm/v7", Platform("linux", "arm", "v7")),
        ("linux/arm64/v8", Platform("linux", "arm64", "v8")),
        ("linux/arm64/v8.2", Platform("linux", "arm64", "v8.2")),
        ("linux/amd64/v3", Platform("linux", "amd64", "v3")),
        ("windows/amd64", Platform("windows", "amd64")),
        ("linux/s390x", Platform("linux", "s390x")),
        ("linux/ppc64le", Platform("linux", "ppc64le")),
        ("linux/riscv64/rva22u64", Platform("linux", "riscv64", "rva22u64")),
    ],
)
def test_platforms_read(text: str, expected: Platform) -> None:
    platform = parse_platform(text)
    assert platform == expected
    assert str(platform) == text


def test_a_platform_descriptor_is_in_dockers_order() -> None:
    assert list(parse_platform("linux/arm/v7").descriptor().items()) == [
        ("architecture", "arm"),
        ("os", "linux"),
        ("variant", "v7"),
    ]
    assert parse_platform("linux/amd64").descriptor() == {"architecture": "amd64", "os": "linux"}


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("linux", "invalid platform 'linux'", PLATFORM_HINT),
        ("linux/", "invalid platform 'linux/'", PLATFORM_HINT),
        ("linux/arm/v7/x", "invalid platform 'linux/arm/v7/x'", PLATFORM_HINT),
        (
            "Linux/amd64",
            "unknown operating system 'Linux' in platform 'Linux/amd64'",
            "expected one of: aix, android, darwin, dragonfly, freebsd, illumos, ios, js, linux, "
            "netbsd, openbsd, plan9, solaris, wasip1, windows; did you mean 'linux'?",
        ),
        (
            "linux/x86_64",
            "unknown architecture 'x86_64' in platform 'linux/x86_64'",
            "platforms use Go's architecture names; did you mean 'linux/amd64'?",
        ),
        (
            "linux/aarch64/v8",
            "unknown architecture 'aarch64' in platform 'linux/aarch64/v8'",
            "platforms use Go's architecture names; did you mean 'linux/arm64/v8'?",
        ),
        (
            "linux/armhf",
            "unknown architecture 'armhf' in platform 'linux/armhf'",
            "platforms use Go's architecture names; did you mean 'linux/arm/v7'?",
        ),
        (
            "linux/amd46",
            "unknown architecture 'amd46' in platform 'linux/amd46'",
            "expected one of: 386, amd64, arm, arm64, loong64, mips, mips64, mips64le, mipsle, "
            "ppc64, ppc64le, riscv64, s390x, wasm; did you mean 'amd64'?",
        ),
        (
            "linux/arm/v9",
            "unknown variant 'v9' of architecture 'arm' in platform 'linux/arm/v9'",
            "expected one of: v5, v6, v7, v8",
        ),
        (
            "linux/arm64/v7",
            "unknown variant 'v7' of architecture 'arm64' in platform 'linux/arm64/v7'",
            "arm64 is v8 or later; did you mean 'linux/arm/v7'?",
        ),
        (
            "linux/arm64/v10",
            "unknown variant 'v10' of architecture 'arm64' in platform 'linux/arm64/v10'",
            "expected v8 or v9, or one of their minor versions like v8.2",
        ),
        (
            "linux/386/v1",
            "architecture '386' takes no variant, found 'v1' in platform 'linux/386/v1'",
            "write linux/386",
        ),
    ],
)
def test_bad_platforms_say_what_is_wrong(text: str, message: str, hint: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_platform(text)
    assert (info.value.message, info.value.hint) == (message, hint)
    assert str(info.value) == message


# -- generated lists ---------------------------------------------------------------------


def test_pinned_docker_list_digests_never_change() -> None:
    (spec,) = load_declaration(PINNED).repositories[0].images
    assert (spec.image.digest, tuple(c.digest for c in spec.children)) == PINNED_DOCKER
    assert spec.tags == ("latest",)


def test_pinned_oci_index_digests_never_change() -> None:
    text = PINNED + f"        media_type: {MediaType.OCI_INDEX}\n"
    (spec,) = load_declaration(text).repositories[0].images
    assert (spec.image.digest, tuple(c.digest for c in spec.children)) == PINNED_OCI


def test_the_same_declaration_gives_the_same_bytes_every_time() -> None:
    first = load_declaration(PINNED).repositories[0].images[0]
    second = load_declaration(PINNED).repositories[0].images[0]
    assert first == second
    assert first is not second


def test_a_docker_list_references_docker_v2_children_by_size_and_digest() -> None:
    (spec,) = load_declaration(PINNED).repositories[0].images
    image = spec.image
    assert image.media_type == MediaType.DOCKER_LIST
    assert image.size_bytes is None
    document = json.loads(image.manifest)
    assert list(document) == ["schemaVersion", "mediaType", "manifests"]
    assert (document["schemaVersion"], document["mediaType"]) == (2, MediaType.DOCKER_LIST)
    platforms = [parse_platform(p) for p in ("linux/amd64", "linux/arm64", "linux/arm/v7")]
    assert len(document["manifests"]) == len(spec.children) == 3
    for entry, child, platform in zip(document["manifests"], spec.children, platforms, strict=True):
        assert list(entry) == ["mediaType", "size", "digest", "platform"]
        assert entry == {
            "mediaType": MediaType.DOCKER_V2,
            "size": len(child.manifest.encode("utf-8")),
            "digest": child.digest,
            "platform": platform.descriptor(),
        }
        assert child.media_type == MediaType.DOCKER_V2
        assert child.manifest == synthetic_manifest(
            MediaType.DOCKER_V2, child_seed("team/multi/0/latest", platform), platform=platform
        )
        assert child.failure is None
        assert child.pushed_at == image.pushed_at
    assert image.children == tuple(child.digest for child in spec.children)
    # The list is laid out like every inline manifest.
    assert image.manifest == serialize_manifest(document)


def test_an_oci_index_references_oci_children_in_buildkits_key_order() -> None:
    text = PINNED + f"        media_type: {MediaType.OCI_INDEX}\n"
    (spec,) = load_declaration(text).repositories[0].images
    assert spec.image.media_type == MediaType.OCI_INDEX
    document = json.loads(spec.image.manifest)
    assert document["mediaType"] == MediaType.OCI_INDEX
    for entry, child in zip(document["manifests"], spec.children, strict=True):
        assert list(entry) == ["mediaType", "digest", "size", "platform"]
        assert (entry["mediaType"], child.media_type) == (MediaType.OCI_MANIFEST,) * 2
        assert json.loads(child.manifest)["config"]["mediaType"] == MediaType.OCI_CONFIG


def test_children_differ_per_platform_and_lists_per_entry() -> None:
    text = one_repo(
        f"""
        - tags: [a]
          platforms: {THREE}
        - tags: [b]
          platforms: {THREE}
        """
    )
    first, second = load_declaration(text).repositories[0].images
    assert len({child.digest for child in first.children}) == 3
    # Seeds come from the entry (repository, index, tags), as for single images.
    assert first.image.digest != second.image.digest
    assert not {c.digest for c in first.children} & {c.digest for c in second.children}


def test_synthetic_index_is_a_public_function() -> None:
    platforms = [parse_platform("linux/amd64"), parse_platform("linux/arm64")]
    text, children = synthetic_index(MediaType.DOCKER_LIST, "team/multi/0/latest", platforms)
    assert len(children) == 2
    assert json.loads(text)["manifests"][1]["platform"] == {"architecture": "arm64", "os": "linux"}
    with pytest.raises(ValueError, match="is not a manifest list type"):
        synthetic_index(MediaType.DOCKER_V2, "s", platforms)
    with pytest.raises(ValueError, match="at least one platform"):
        synthetic_index(MediaType.OCI_INDEX, "s", [])
    with pytest.raises(ValueError, match="may appear once"):
        synthetic_index(MediaType.OCI_INDEX, "s", platforms * 2)


def test_children_are_stored_untagged_before_their_list() -> None:
    text = one_repo(
        f"""
        - tags: [single]
        - tags: [latest, v1]
          platforms: {THREE}
          pushed_at: 2024-05-01T00:00:00Z
          failure: {{code: KmsError}}
        """
    )
    state = load_sources([text])
    repository = state.repository("team/multi")
    spec = load_declaration(text).repositories[0].images[1]
    digests = [image.digest for image in repository.images()]
    assert digests[1:] == [*(c.digest for c in spec.children), spec.image.digest]
    assert repository.resolve_tag("latest") == repository.resolve_tag("v1") == spec.image.digest
    for child in spec.children:
        assert repository.tags_of(child.digest) == ()
        stored = repository.get_image(child.digest)
        assert stored is not None
        # The entry's failure is the list's; its images are pulled as usual.
        assert stored.failure is None
        assert stored.pushed_at == 1_714_521_600.0
    listed = repository.image("latest")
    assert listed.failure is not None
    assert listed.failure.code == "KmsError"
    # imageSizeInBytes of a list is its largest image's.
    sizes = [c.size_bytes for c in spec.children if c.size_bytes is not None]
    assert repository.size_of(listed) == max(sizes)


def test_platforms_work_from_mappings_too() -> None:
    mapping: dict[str, Any] = {
        "version": 1,
        "repositories": [{"name": "team/multi", "images": [{"tags": ["latest"]}]}],
    }
    mapping["repositories"][0]["images"][0]["platforms"] = [
        "linux/amd64",
        "linux/arm64",
        "linux/arm/v7",
    ]
    (spec,) = load_declaration(mapping).repositories[0].images
    assert (spec.image.digest, tuple(c.digest for c in spec.children)) == PINNED_DOCKER


def test_a_declared_digest_must_be_the_generated_lists(problems: Problems) -> None:
    good = PINNED + f"        digest: {PINNED_DOCKER[0]}\n"
    assert load_declaration(good).repositories[0].images[0].image.digest == PINNED_DOCKER[0]
    wrong = "sha256:" + "0" * 64
    assert problems(PINNED + f"        digest: {wrong}\n") == [
        Problem(
            "<text>",
            7,
            at(0, "digest"),
            f"digest {wrong} does not match the generated manifest list, whose digest is "
            f"{PINNED_DOCKER[0]}",
            "the digest is sha256 of the exact manifest bytes; fix it or leave it out",
        )
    ]


# -- problems ----------------------------------------------------------------------------


def test_every_platform_problem_is_reported_at_once(problems: Problems) -> None:
    text = one_repo(
        "- tags: [v1]\n"
        "  platforms: [linux/amd64, linux/x86_64, linux/amd64, 3, linux, linux/arm64/v7]\n"
    )
    path = at(0, "platforms")
    assert problems(text) == [
        Problem(
            "<text>",
            6,
            f"{path}[1]",
            "unknown architecture 'x86_64' in platform 'linux/x86_64'",
            "platforms use Go's architecture names; did you mean 'linux/amd64'?",
        ),
        Problem(
            "<text>",
            6,
            f"{path}[2]",
            "platform 'linux/amd64' is listed twice for this image",
            "list each platform once",
        ),
        Problem(
            "<text>",
            6,
            f"{path}[3]",
            "a platform must be a string, found the integer 3",
            PLATFORM_HINT,
        ),
        Problem("<text>", 6, f"{path}[4]", "invalid platform 'linux'", PLATFORM_HINT),
        Problem(
            "<text>",
            6,
            f"{path}[5]",
            "unknown variant 'v7' of architecture 'arm64' in platform 'linux/arm64/v7'",
            "arm64 is v8 or later; did you mean 'linux/arm/v7'?",
        ),
    ]


def test_block_lists_report_each_platform_on_its_line(problems: Problems) -> None:
    text = one_repo(
        """
        - tags: [v1]
          platforms:
            - linux/amd64
            - linux/aarch64
        """
    )
    (problem,) = problems(text)
    assert (problem.line, problem.path) == (8, at(0, "platforms") + "[1]")


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        (
            "linux/amd64",
            "expected a list of platforms, found the string 'linux/amd64'",
            "write `platforms: [linux/amd64]`",
        ),
        ("{os: linux}", "expected a list of platforms, found a mapping", EXAMPLE_HINT),
        ("null", "expected a list of platforms, found null", EXAMPLE_HINT),
        ("[]", "a manifest list needs at least one platform", EXAMPLE_HINT),
    ],
)
def test_platforms_must_be_a_list_of_platforms(
    value: str, message: str, hint: str, problems: Problems
) -> None:
    assert problems(one_repo(f"- platforms: {value}")) == [
        Problem("<text>", 5, at(0, "platforms"), message, hint)
    ]


@pytest.mark.parametrize("kind", ["manifest", "manifest_text", "manifest_file"])
def test_platforms_exclude_a_declared_manifest(kind: str, problems: Problems) -> None:
    value = "{schemaVersion: 2}" if kind == "manifest" else "'x.json'"
    text = one_repo(f"- tags: [v1]\n  platforms: [linux/amd64]\n  {kind}: {value}")
    assert problems(text) == [
        Problem(
            "<text>",
            7,
            at(),
            f"platforms cannot be combined with {kind}",
            "platforms generates the manifest list and its images; to declare a list "
            "yourself, drop platforms and declare each image it lists in this repository",
        )
    ]


def test_with_platforms_media_type_is_the_lists(problems: Problems) -> None:
    text = one_repo(f"- platforms: [linux/amd64]\n  media_type: {MediaType.OCI_MANIFEST}")
    assert problems(text) == [
        Problem(
            "<text>",
            6,
            at(0, "media_type"),
            f"media type {MediaType.OCI_MANIFEST!r} is not a manifest list type",
            "with platforms, media_type is the list's; expected one of: "
            f"{MediaType.DOCKER_LIST}, {MediaType.OCI_INDEX}; "
            f"did you mean {MediaType.OCI_INDEX!r}?",
        )
    ]


def test_other_problems_of_the_entry_are_reported_with_platform_ones(problems: Problems) -> None:
    text = one_repo("- tags: [v1, v1]\n  platforms: [linux/amd6]\n  pushed_at: never")
    assert [(p.line, p.path) for p in problems(text)] == [
        (5, at(0, "tags") + "[1]"),
        (6, at(0, "platforms") + "[0]"),
        (7, at(0, "pushed_at")),
    ]


# -- declared lists and the images they reference ----------------------------------------


def image_text(seed: str, media_type: str = MediaType.DOCKER_V2) -> str:
    return synthetic_manifest(media_type, seed)


def list_text(*children: str, media_type: str = MediaType.DOCKER_LIST) -> str:
    entries = []
    for child, arch in zip(children, ("amd64", "arm64", "s390x"), strict=False):
        image = Image.from_manifest(child)
        entries.append(
            {
                "mediaType": image.media_type,
                "size": len(child.encode()),
                "digest": image.digest,
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    return json.dumps({"schemaVersion": 2, "mediaType": media_type, "manifests": entries})


def entry(text: str, tags: str = "") -> str:
    line = f"- manifest_text: {json.dumps(text)}"
    return f"{line}\n  tags: [{tags}]" if tags else line


def test_a_declared_list_with_its_images_loads() -> None:
    amd, arm = image_text("amd"), image_text("arm")
    listed = list_text(amd, arm)
    state = load_sources([one_repo("\n".join([entry(amd), entry(arm), entry(listed, "v1")]))])
    repository = state.repository("team/multi")
    image = repository.image("v1")
    assert image.children == (Image.from_manifest(amd).digest, Image.from_manifest(arm).digest)
    assert repository.size_of(image) == max(
        Image.from_manifest(amd).size_bytes or 0, Image.from_manifest(arm).size_bytes or 0
    )


def test_a_missing_image_of_a_declared_list_is_a_problem() -> None:
    amd, arm, s390 = image_text("amd"), image_text("arm"), image_text("s390x")
    listed = list_text(amd, arm, s390)
    text = one_repo("\n".join([entry(arm), entry(listed, "v1")]))
    with pytest.raises(DeclarationError) as info:
        load_sources([text])
    list_digest = Image.from_manifest(listed).digest
    hint = (
        "declare that image in the same repository (untagged if need be): ECR refuses to "
        "push a list whose images are missing (ReferencedImagesNotFoundException)"
    )
    assert list(info.value.problems) == [
        Problem(
            "<text>",
            6,
            at(1),
            f"manifest list {list_digest} references image {Image.from_manifest(child).digest}, "
            "which is not in repository 'team/multi'",
            hint,
        )
        for child in (amd, s390)
    ]


def test_images_of_a_list_may_come_from_another_source() -> None:
    amd = image_text("amd")
    listed = one_repo(entry(list_text(amd), "v1"))
    # Reported once, though declared twice.
    with pytest.raises(DeclarationError) as info:
        load_sources([listed, listed + "\n"])
    assert len(info.value.problems) == 1
    state = load_sources([listed, one_repo(entry(amd))])
    assert state.repository("team/multi").tags_of(Image.from_manifest(amd).digest) == ()


def test_images_of_a_list_must_be_in_its_own_repository() -> None:
    amd = image_text("amd")
    text = one_repo(entry(list_text(amd), "v1")) + "  - name: other\n    images:\n"
    text += textwrap.indent(entry(amd), "      ") + "\n"
    with pytest.raises(DeclarationError, match="which is not in repository 'team/multi'"):
        load_sources([text])


def test_an_empty_declared_index_needs_no_images() -> None:
    index = '{"schemaVersion": 2, "mediaType": "' + MediaType.OCI_INDEX + '", "manifests": []}'
    state = load_sources([one_repo(entry(index, "v1"))])
    assert state.repository("team/multi").image("v1").children == ()


# -- through a real client ---------------------------------------------------------------


def test_a_client_gets_the_list_and_describes_its_images() -> None:
    text = one_repo(
        f"""
        - tags: [latest, v1]
          platforms: {THREE}
        - tags: [oci]
          platforms: [linux/amd64, windows/amd64]
          media_type: {MediaType.OCI_INDEX}
        """
    )
    declared = load_declaration(text).repositories[0].images
    with FakeEcr([text]) as fake:
        client = fake.client()
        got = client.batch_get_image(
            repositoryName="team/multi",
            imageIds=[{"imageTag": "latest"}],
            acceptedMediaTypes=[MediaType.DOCKER_LIST],
        )
        assert got["failures"] == []
        (image,) = got["images"]
        assert image["imageId"] == {"imageTag": "latest", "imageDigest": declared[0].image.digest}
        assert image["imageManifest"] == declared[0].image.manifest
        assert image["imageManifestMediaType"] == MediaType.DOCKER_LIST

        details = client.describe_images(repositoryName="team/multi")["imageDetails"]
        by_digest = {detail["imageDigest"]: detail for detail in details}
        assert len(by_digest) == 2 + 5
        for spec in declared:
            listed = by_digest[spec.image.digest]
            sizes = [by_digest[child.digest]["imageSizeInBytes"] for child in spec.children]
            assert listed["imageSizeInBytes"] == max(sizes)
            assert listed["imageManifestMediaType"] == spec.image.media_type
            for child in spec.children:
                assert "imageTags" not in by_digest[child.digest]
                assert by_digest[child.digest]["imageSizeInBytes"] == child.size_bytes
        assert sorted(by_digest[declared[0].image.digest]["imageTags"]) == ["latest", "v1"]
        untagged = client.list_images(
            repositoryName="team/multi", filter={"tagStatus": "UNTAGGED"}
        )["imageIds"]
        assert {i["imageDigest"] for i in untagged} == {
            child.digest for spec in declared for child in spec.children
        }
        # The lists hold on to their images.
        child = declared[0].children[0].digest
        deleted = client.batch_delete_image(
            repositoryName="team/multi", imageIds=[{"imageDigest": child}]
        )
        assert deleted["imageIds"] == []
        assert deleted["failures"][0]["failureCode"] == "ImageReferencedByManifestList"


def test_the_platform_pattern_accepts_exactly_what_parse_platform_does() -> None:
    pattern = re.compile(PLATFORM_PATTERN)
    variants = {v for values in KNOWN_VARIANTS.values() for v in values} | {"", "v0", "V7", "x"}
    candidates = [
        f"{os}/{arch}" + (f"/{variant}" if variant else "")
        for os in (*KNOWN_OS, "Linux", "beos")
        for arch in (*KNOWN_ARCHITECTURES, "x86_64", "armhf")
        for variant in sorted(variants)
    ]
    candidates += ["linux", "linux/", "/amd64", "linux/amd64/", "linux/arm/v7/x", " linux/amd64"]
    for text in candidates:
        try:
            parse_platform(text)
        except PlatformError:
            accepted = False
        else:
            accepted = True
        assert (pattern.fullmatch(text) is not None) is accepted, text
        assert (pattern.search(text) is not None) is accepted, text  # JSON Schema searches
