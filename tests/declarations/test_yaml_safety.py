"""YAML is read safely: no Python objects, bounded aliases and nesting, clear errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_ecr.declarations import DeclarationError, Problem, load_declaration
from pytest_ecr.declarations.yamlread import INVALID, NO_DOCUMENT, read_yaml

from .conftest import Problems, Write

NOT_ALLOWED_HINT = (
    "a declaration is plain data: strings, numbers, booleans, null, timestamps, lists and mappings"
)


def test_python_tags_are_never_constructed(
    problems: Problems, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(command: str) -> int:
        raise AssertionError(f"os.system({command!r}) was called")

    monkeypatch.setattr(os, "system", boom)
    text = "version: 1\nregion: !!python/object/apply:os.system ['echo pwned']\n"
    assert problems(text) == [
        Problem(
            "<text>",
            2,
            "region",
            "YAML tag '!!python/object/apply:os.system' is not allowed",
            NOT_ALLOWED_HINT,
        )
    ]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!python/object:os.Pathlike {}", "!!python/object:os.Pathlike"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!custom x", "!custom"),
        ("!<tag:example.com,2024:thing> x", "tag:example.com,2024:thing"),
    ],
)
def test_only_standard_tags_are_allowed(value: str, tag: str, problems: Problems) -> None:
    text = f"version: 1\nfaults:\n  - message: {value}\n    error: ServerException\n"
    assert problems(text) == [
        Problem(
            "<text>", 3, "faults[0].message", f"YAML tag {tag!r} is not allowed", NOT_ALLOWED_HINT
        )
    ]


def test_explicit_standard_tags_are_fine() -> None:
    declaration = load_declaration(
        "version: !!int 1\nrepositories:\n  - name: !!str a/b\n    images:\n"
        "      - tags: !!seq [!!str 1]\n        pushed_at: !!float 12\n"
    )
    image = declaration.repositories[0].images[0]
    assert (image.tags, image.image.pushed_at) == (("1",), 12.0)


def test_a_value_that_does_not_fit_its_tag_is_a_problem(problems: Problems) -> None:
    assert problems("version: !!int one\n") == [
        Problem("<text>", 1, "version", "cannot read 'one' as !!int")
    ]


def test_an_impossible_date_is_a_problem_not_a_crash(problems: Problems) -> None:
    text = "version: 1\nrepositories:\n  - name: a/b\n    images:\n      - pushed_at: 2024-13-45\n"
    assert problems(text) == [
        Problem(
            "<text>",
            5,
            "repositories[0].images[0].pushed_at",
            "cannot read '2024-13-45' as !!timestamp",
            "quote it to keep it a string",
        )
    ]


def billion_laughs(levels: int = 9) -> str:
    lines = [
        "version: 1",
        "faults:",
        '  - a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for level in range(1, levels + 1):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        refs = ",".join(f"*{previous}" for _ in range(10))
        lines.append(f"    {name}: &{name} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_stopped_quickly(problems: Problems) -> None:
    started = time.perf_counter()
    found = problems(billion_laughs())
    assert time.perf_counter() - started < 2
    assert found == [
        Problem(
            "<text>",
            8,
            "faults[0].f[7]",
            "aliases expand to more than 1,000,000 nodes",
            "this looks like a 'billion laughs' document",
        )
    ]


def test_moderate_aliases_are_fine() -> None:
    text = (
        "version: 1\n"
        "repositories:\n"
        "  - name: a/b\n"
        "    images:\n"
        "      - &img {media_type: application/vnd.oci.image.manifest.v1+json, tags: [x]}\n"
        "  - name: c/d\n"
        "    images: [*img]\n"
    )
    first, second = load_declaration(text).repositories
    assert first.images[0].tags == second.images[0].tags == ("x",)
    # An alias is reported where it is used; what is inside it, where the anchor is.
    assert (first.images[0].line, second.images[0].line) == (5, 7)


def test_merge_keys_work_like_pyyaml() -> None:
    text = (
        "version: 1\n"
        "repositories:\n"
        "  - name: a/b\n"
        "    images:\n"
        "      - &base {media_type: application/vnd.oci.image.manifest.v1+json, tags: [x]}\n"
        "      - <<: *base\n"
        "        tags: [y]\n"
    )
    first, second = load_declaration(text).repositories[0].images
    assert second.tags == ("y",)
    assert second.image.media_type == first.image.media_type


def test_merge_of_a_plain_value_is_a_problem(problems: Problems) -> None:
    assert problems("version: 1\nfaults:\n  - <<: 3\n    error: ServerException\n") == [
        Problem(
            "<text>",
            3,
            "faults[0]['<<']",
            "'<<' merges a mapping or a list of mappings, found a plain value",
        )
    ]


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deep_nesting_is_refused_without_crashing(depth: int, problems: Problems) -> None:
    started = time.perf_counter()
    (problem,) = problems("version: 1\nfaults: " + "[" * depth + "]" * depth + "\n")
    assert time.perf_counter() - started < 30  # a hang guard, not a speed claim
    assert problem.line == 2
    # LibYAML builds that cap flow nesting themselves refuse it first, in their words.
    assert problem.message in (
        "lists and mappings nest deeper than 100 levels",
        "invalid YAML: while increasing flow level, exceeded maximum nesting depth",
    )
    assert len(problem.path) <= 80


def test_aliases_cannot_make_nesting_deeper_than_allowed(problems: Problems) -> None:
    deep = "[" * 90 + "]" * 90
    (problem,) = problems(f"version: 1\nfaults: [&d {deep}, [[[[[[[[[[[[*d]]]]]]]]]]]]]\n")
    assert problem.message == "alias *d makes lists and mappings nest deeper than 100 levels"


def test_a_recursive_alias_is_refused(problems: Problems) -> None:
    assert problems("version: 1\nfaults: &f [*f]\n") == [
        Problem(
            "<text>",
            2,
            "faults[0]",
            "alias *f refers to a list or mapping that contains it",
            "an alias may only repeat a value defined before and outside it",
        )
    ]


def test_an_undefined_alias_is_a_problem(problems: Problems) -> None:
    assert problems("version: 1\nregion: *nowhere\n") == [
        Problem(
            "<text>",
            2,
            "region",
            "alias *nowhere refers to no anchor &nowhere before it",
            "define &nowhere on a value above this line, or write the value out",
        )
    ]


def test_syntax_errors_give_the_line(problems: Problems) -> None:
    (problem,) = problems("version: 1\nrepositories:\n  - name: [a\n  - name: b\n")
    # The exact wording is the YAML parser's; the line is where it gave up.
    assert (problem.source, problem.line) == ("<text>", 4)
    assert problem.message.startswith("invalid YAML: ")


def test_a_tab_indent_gives_the_line(problems: Problems) -> None:
    (problem,) = problems("version: 1\nrepositories:\n\t- name: a/b\n")
    assert (problem.line, problem.message.startswith("invalid YAML: ")) == (3, True)


def test_duplicate_keys_are_a_problem(problems: Problems) -> None:
    text = "version: 1\nrepositories:\n  - name: a/b\n    name: c/d\n"
    assert problems(text) == [
        Problem(
            "<text>",
            4,
            "repositories[0]",
            "duplicate key 'name' (first at line 3)",
            "a key may appear once in a mapping",
        )
    ]


def test_keys_must_be_plain_values(problems: Problems) -> None:
    assert problems("version: 1\n? [a, b]\n: c\n") == [
        Problem("<text>", 2, "", "a mapping key must be a plain value, found a list")
    ]


def test_a_second_document_is_a_problem(problems: Problems) -> None:
    assert problems("version: 1\n---\nversion: 1\n") == [
        Problem(
            "<text>",
            2,
            "",
            "a second YAML document ('---') in one declaration",
            "put each registry declaration in its own file, or merge them",
        )
    ]


def test_control_characters_are_a_problem(write: Write, problems: Problems) -> None:
    path = write("version: 1\nregion: a\x01b\n")
    (problem,) = problems(path)
    assert (problem.line, problem.path) == (2, "")
    assert problem.message.startswith("invalid YAML: ")


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nregion: eu-west-1\n# \u00e9\u00e9 \u65e5\u672c \U0001f600\nrepositories: []\n",
        "\ufeffversion: 1\nregion: eu-west-1\n",
        "version: 1\n# \u00e9\u00e9\u00e9\u00e9 \u65e5\u672c\u8a9e\nregion: a\x01b\n",
        "a: [1, 2\n# \u00e9\n",
        "a: \u00e9\u65e5\n\tb: 1\n",
    ],
)
def test_a_files_bytes_read_as_its_text(text: str) -> None:
    # A declaration file's bytes go to the parser undecoded; what it reads (values, lines,
    # problems with their lines, after multi-byte characters too) is what the text gives.
    from_bytes = read_yaml(text.encode("utf-8"), "s")
    from_text = read_yaml(text, "s")
    assert from_bytes[0] == from_text[0]
    assert from_bytes[2] == from_text[2]
    if "\x01" in text:  # a reader error's line, counted in characters of the text
        assert [p.line for p in from_text[2]] == [text[: text.index("\x01")].count("\n") + 1]


def test_a_control_character_after_multibyte_text_gives_its_line(
    write: Write, problems: Problems
) -> None:
    path = write("version: 1\n# \u00e9\u00e9\u00e9\u00e9 \u65e5\u672c\u8a9e\nregion: a\x01b\n")
    (problem,) = problems(path)
    assert (problem.line, problem.path) == (3, "")
    assert problem.message.startswith("invalid YAML: ")


def test_the_reader_keeps_lines_of_keys_and_items() -> None:
    root, lines, found = read_yaml("a:\n  - x\n  -\n    y: 1\nb: 2\n", "s")
    assert found == []
    assert root == {"a": ["x", {"y": 1}], "b": 2}
    assert (lines.child(root, "a"), lines.child(root, "b")) == (1, 5)
    assert (lines.child(root["a"], 0), lines.child(root["a"], 1)) == (2, 4)
    assert lines.child(root["a"][1], "y") == 4
    assert lines.child(root, "missing") is None
    assert lines.line({}) is None


def test_the_reader_marks_empty_streams_and_rejected_values() -> None:
    assert read_yaml("", "s")[0] is NO_DOCUMENT
    root, _, found = read_yaml("a: !!binary eA==\n", "s")
    assert root == {"a": INVALID}
    assert len(found) == 1


def test_scalars_resolve_like_safe_load() -> None:
    import yaml

    text = (
        "a: [1, 0x1F, 0o17, 017, 1_000, -3, +4, 1.5, .inf, -.inf, yes, no, on, off, true, ~,"
        " null, '', x, 'y', 2024-05-01, 2024-05-01T12:00:00Z, '2024', <<, =, 0, 00, 1e3]\n"
    )
    root, _, found = read_yaml(text, "s")
    expected = yaml.safe_load(text.replace("<<, =", "'<<', '='"))
    assert found == []
    assert root == expected


TOKENS = [
    "version: 1\n", "repositories:\n", "  - name: a/b\n", "    images:\n", "      - tags: [v1]\n",
    "        manifest: {", "}", "[", "]", "&a ", "*a", "<<: ", "!!python/object:x ", "? ", ": ",
    "- ", "---\n", "'", '"', "\\", "\t", "\n", "  ", "1", "0x", "2024-01-01", "~", "!!binary ",
    "%YAML 1.1\n", "#", "|", ">", "faults:\n", "  - {a: 1}\n", "manifest_text: ", "pushed_at: ",
    "media_type: ", "failure: {code: KmsError}", "\x00", "\ufeff", "é",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_any_text_gives_a_declaration_or_problems(parts: list[str]) -> None:
    text = ""
    try:
        load_declaration("".join(parts) + "\n")
    except DeclarationError as error:
        text = str(error)
    assert text == "" or re.match(r"[1-9][0-9]* problems? in registry declaration", text)


@pytest.mark.slow
def test_reading_survives_yaml_being_imported_again() -> None:
    # pytester's in-process runs drop the modules a run imported; libyaml's extension keeps
    # its first event classes, which a second import of ``yaml`` no longer exports.
    code = """
import sys
from pytest_ecr.declarations import load_declaration
load_declaration("version: 1\\nrepositories:\\n  - name: a/b\\n")
for name in [m for m in sys.modules if m.split(".")[0] in ("yaml", "_yaml", "pytest_ecr")]:
    del sys.modules[name]
from pytest_ecr.declarations import load_declaration
print(load_declaration("version: 1\\nrepositories:\\n  - name: a/b\\n").repositories[0].name)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "a/b", done.stderr
