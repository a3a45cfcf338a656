"""The parts of the validator on their own: the report, shape checks and manifest sources."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pytest_ecr.declarations import platform_shapes, shapes
from pytest_ecr.declarations.format import DEFAULT_PUSHED_AT, DEFAULT_TAG_MUTABILITY
from pytest_ecr.declarations.problems import Problem
from pytest_ecr.declarations.schema import Validator
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.sources import ManifestSources
from pytest_ecr.declarations.synthetic import synthetic_manifest
from pytest_ecr.declarations.yamlread import INVALID, read_yaml
from pytest_ecr.model import ImageFailure, MediaType, TagMutability


def test_a_report_places_problems_by_key_then_container() -> None:
    data, lines, problems = read_yaml("version: 1\nrepositories:\n  - name: x\n", "f.yaml")
    assert problems == []
    report = Report("f.yaml", lines)
    entry = data["repositories"][0]
    assert report.line(entry, "name") == 3
    assert report.line(entry, "absent") == 3
    report.unknown_keys(data, "", ("version", "repositories", "region"))
    report.wrong(entry, "name", "repositories[0].name", "a number", "x", "a hint")
    assert report.problems == [
        Problem(
            "f.yaml", 3, "repositories[0].name", "expected a number, found the string 'x'", "a hint"
        )
    ]
    assert Report("<mapping>", None).line(entry, "name") is None


def test_shape_checks_give_fallbacks_for_what_is_wrong() -> None:
    report = Report("<mapping>", None)
    entry = {
        "account": 12,
        "tag_mutability": "FROZEN",
        "tags": ["ok", "ok", ".bad"],
        "pushed_at": "yesterday",
        "failure": {"code": "KmsError", "reason": 3},
        "platforms": [],
        "media_type": "",
    }
    assert shapes.account(report, entry, "r") is None
    assert shapes.tag_mutability(report, entry, "r") is DEFAULT_TAG_MUTABILITY
    assert shapes.tags(report, entry, "r") == ("ok",)
    assert shapes.pushed_at(report, entry, "r", DEFAULT_PUSHED_AT) == DEFAULT_PUSHED_AT
    assert shapes.failure(report, entry, "r") is None
    assert platform_shapes.platforms(report, entry, "r") is INVALID
    assert shapes.media_type(report, entry, "r") is INVALID
    assert [p.path for p in report.problems] == [
        "r.account",
        "r.tag_mutability",
        "r.tags[1]",
        "r.tags[2]",
        "r.pushed_at",
        "r.failure.reason",
        "r.platforms",
        "r.media_type",
    ]


def test_shape_checks_read_good_values_and_skip_absent_or_reported_ones() -> None:
    report = Report("<mapping>", None)
    entry = {
        "account": "012345678901",
        "region": "eu-west-3",
        "tag_mutability": "IMMUTABLE",
        "pushed_at": 10,
        "failure": {"code": "KmsError", "reason": "no key"},
        "digest": INVALID,
    }
    assert shapes.account(report, entry, "") == "012345678901"
    assert shapes.region(report, entry, "") == "eu-west-3"
    assert shapes.tag_mutability(report, entry, "") is TagMutability.IMMUTABLE
    assert shapes.pushed_at(report, entry, "", 0.0) == 10.0
    assert shapes.failure(report, entry, "") == ImageFailure("KmsError", "no key")
    assert shapes.digest(report, entry, "") is None
    assert shapes.tags(report, entry, "") == ()
    assert platform_shapes.platforms(report, entry, "") is None
    assert report.problems == []


def test_manifest_sources_record_each_file_read_with_its_hash(tmp_path: Path) -> None:
    text = synthetic_manifest(MediaType.DOCKER_V2, "seed")
    (tmp_path / "m.json").write_text(text, encoding="utf-8")
    report = Report("<mapping>", None)
    sources = ManifestSources(report, tmp_path, "the test directory")
    entry = {"manifest_file": "m.json"}
    read = sources.text(entry, "manifest_file", "images[0].manifest_file")
    assert read == text
    assert sources.files == [tmp_path / "m.json"]
    assert sources.file_hashes == [hashlib.sha256(text.encode()).hexdigest()]
    image = sources.build(entry, "manifest_file", "x", text, None, 1.0, None)
    assert image is not None
    assert image.media_type == MediaType.DOCKER_V2
    assert sources.text({"manifest_file": "gone.json"}, "manifest_file", "x") is None
    assert report.problems[-1].hint == (
        f"looked for {tmp_path / 'gone.json'}; relative paths start at the test directory"
    )


def test_the_validator_shares_its_parts_lists() -> None:
    validator = Validator("<mapping>", None, Path(), relative_to="here")
    assert validator.problems is validator.report.problems
    assert validator.files is validator.sources.files
    assert validator.file_hashes is validator.sources.file_hashes
    assert validator.document({"version": 1, "repositories": [{"name": "a/b"}]}) is not None
    assert validator.problems == []
