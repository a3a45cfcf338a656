"""Declarations written as YAML (what ``pytest-ecr snapshot`` writes) read back exactly."""

from __future__ import annotations

import yaml

from pytest_ecr.declarations.dump import LiteralText, dump_declaration


def test_snapshot_writes_exact_text_that_yaml_block_scalars_cannot_hold() -> None:
    awkward = ['{\n  "a": 1 \n}', "\n{\n}\n\n", "{\r\n}", " {\n}", '{\n\t"x": 1\n}']
    document = {
        "version": 1,
        "repositories": [
            {
                "name": "team/api",
                "images": [
                    {"media_type": "application/x.y", "manifest_text": LiteralText(text)}
                    for text in awkward
                ],
            }
        ],
    }
    for literal in (True, False):
        text = dump_declaration(document, "", literal=literal)
        loaded = yaml.safe_load(text)
        assert [i["manifest_text"] for i in loaded["repositories"][0]["images"]] == awkward


def test_the_header_comes_first_and_keys_keep_their_order() -> None:
    document = {"version": 1, "account": "123456789012", "repositories": [{"name": "a/b"}]}
    text = dump_declaration(document, "# snapshot\n", literal=True)
    assert text.startswith("# snapshot\n")
    loaded = yaml.safe_load(text)
    assert loaded == document
    assert list(loaded) == ["version", "account", "repositories"]
