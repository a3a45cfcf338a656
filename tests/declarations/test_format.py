"""``schema.json`` states exactly the rules of the format module, and ECR's names have one home."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pytest_ecr.declarations import format as declaration_format
from pytest_ecr.declarations.jsonschema import load_schema
from pytest_ecr.model import names

PACKAGE = Path(__file__).parent.parent.parent / "pytest_ecr"


def _facts(node: Any, pointer: str, found: dict[str, object]) -> None:
    """Every keyword of ``SCHEMA_KEYWORDS`` under *node*, by JSON pointer."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            _facts(item, f"{pointer}/{index}", found)
        return
    if not isinstance(node, dict) or pointer.startswith("/$defs/fault"):
        return
    for keyword, value in node.items():
        at = f"{pointer}/{keyword}"
        if keyword == "properties":
            found[at] = list(value)
            for name, spec in value.items():
                _facts(spec, f"{at}/{name}", found)
        elif keyword in declaration_format.SCHEMA_KEYWORDS:
            found[at] = value
        elif keyword not in ("description", "examples", "title", "$schema", "$ref", "type"):
            _facts(value, at, found)


def test_the_schema_states_exactly_the_format_modules_rules() -> None:
    found: dict[str, object] = {}
    _facts(load_schema(), "", found)
    expected = declaration_format.schema_facts()
    assert set(found) - set(expected) == set(), "stated by schema.json only"
    assert set(expected) - set(found) == set(), "missing from schema.json"
    for pointer, value in expected.items():
        assert found[pointer] == value, pointer


def test_the_fact_walk_sees_every_rule_it_is_asked_for() -> None:
    # A keyword outside the list, or under the fault definition, is not the format's.
    found: dict[str, object] = {}
    _facts(
        {
            "properties": {"a": {"pattern": "^x$", "maxContains": 3}},
            "$defs": {"fault": {"enum": [1]}, "other": {"allOf": [{"required": ["b"]}]}},
        },
        "",
        found,
    )
    assert found == {
        "/properties": ["a"],
        "/properties/a/pattern": "^x$",
        "/$defs/other/allOf/0/required": ["b"],
    }


@pytest.mark.parametrize(
    "pattern",
    [
        names.REPOSITORY_NAME_PATTERN,
        names.IMAGE_TAG_PATTERN,
        names.SHA256_DIGEST_PATTERN,
        names.DIGEST_PATTERN,
    ],
)
def test_each_ecr_pattern_is_written_once_in_the_package(pattern: str) -> None:
    # Written as source text, the pattern appears in model/names.py only (schema.json,
    # which is data, is checked above).
    literal = re.compile(re.escape(pattern.replace("\\", "\\\\")) + "|" + re.escape(pattern))
    holders = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if literal.search(path.read_text(encoding="utf-8"))
    ]
    assert holders == ["model/names.py"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("team/api", True),
        ("a__b/c---d.e_f", True),
        ("a", False),
        ("a" * 257, False),
        ("Team/api", False),
        ("team//api", False),
        ("team/api/", False),
        ("-team", False),
    ],
)
def test_repository_names(value: str, expected: bool) -> None:
    assert names.is_repository_name(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("latest", True),
        ("_x.y-z", True),
        ("a" * 300, True),
        ("a" * 301, False),
        (".hidden", False),
        ("-dash", False),
        ("a/b", False),
        ("", False),
    ],
)
def test_image_tags(value: str, expected: bool) -> None:
    assert names.is_image_tag(value) is expected


def test_digests_registry_ids_and_regions() -> None:
    hex64 = "ab" * 32
    assert names.is_sha256_digest(f"sha256:{hex64}")
    assert not names.is_sha256_digest(f"sha256:{hex64.upper()}")
    assert not names.is_sha256_digest(f"sha512:{hex64}")
    assert names.is_valid_digest(f"sha512:{hex64.upper()}")
    assert names.is_valid_digest("a-b_c+d.e:0")
    assert not names.is_valid_digest("sha256")
    assert names.is_registry_id("012345678901")
    assert not names.is_registry_id("12345678901")
    assert names.is_region_name("ap-southeast-2")
    assert not names.is_region_name("us-east")
