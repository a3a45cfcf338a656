"""Declared control-plane settings (:mod:`pytest_ecr.declarations.features`): the
``registries:`` list, and settings of repositories and images read by their feature,
merged across declarations and put into the model.

The features of the product are tested with their operations; here one test feature per
level stands in, so the mechanism is pinned whatever features exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pytest_ecr.declarations import DeclarationError, build_state, load_declaration
from pytest_ecr.declarations import features as features_module
from pytest_ecr.declarations import format as format_module
from pytest_ecr.declarations import schema as schema_module
from pytest_ecr.declarations.features import Feature, Target, features
from pytest_ecr.declarations.shapes import Report


def _read_label(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    value = entry["label"]
    if not isinstance(value, str):
        report.wrong(entry, "label", where, "a string", value, "write `label: text`")
        return None
    return value


def _apply_registry(target: Target, value: object) -> None:
    target.state.set_registry_setting(target.account, target.region, "label", value)


def _apply_repository(target: Target, value: object) -> None:
    assert target.repository is not None
    target.repository.set_setting("label", value)


def _apply_image(target: Target, value: object) -> None:
    assert target.repository is not None
    assert target.digest is not None
    target.repository.set_image_state(target.digest, "label", value)


@pytest.fixture(autouse=True)
def label_features(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``label`` key at each level, for this module's tests only."""
    by_level = {
        "registry": (Feature("label", "registry", _read_label, _apply_registry),),
        "repository": (Feature("label", "repository", _read_label, _apply_repository),),
        "image": (Feature("label", "image", _read_label, _apply_image),),
    }
    monkeypatch.setattr(features_module, "_BY_LEVEL", by_level)
    monkeypatch.setattr(schema_module, "_IMAGE_FEATURES", True)
    monkeypatch.setattr(schema_module, "REGISTRY_KEYS", (*format_module.REGISTRY_KEYS, "label"))
    monkeypatch.setattr(schema_module, "REPOSITORY_KEYS", (*format_module.REPOSITORY_KEYS, "label"))
    monkeypatch.setattr(schema_module, "IMAGE_KEYS", (*format_module.IMAGE_KEYS, "label"))


DOC = """\
version: 1
account: "111122223333"
registries:
  - label: home
  - region: eu-west-1
    label: away
repositories:
  - name: team/api
    label: api
    images:
      - tags: [v1]
        label: scanned
"""


def test_settings_reach_the_model_at_every_level() -> None:
    state = build_state([load_declaration(DOC)])
    assert state.registry_setting("111122223333", "us-east-1", "label") == "home"
    assert state.registry_setting("111122223333", "eu-west-1", "label") == "away"
    repo = state.repository("team/api")
    assert repo.setting("label") == "api"
    assert repo.image_state(repo.image("v1").digest, "label") == "scanned"
    # Declared, so shared and frozen: each test writes to its fork.
    assert state.frozen


def test_a_wrong_value_is_reported_with_its_place_and_the_others() -> None:
    bad = DOC.replace("label: home", "label: [1]").replace("label: api", "label: 2")
    with pytest.raises(DeclarationError) as excinfo:
        load_declaration(bad)
    found = [(p.line, p.path) for p in excinfo.value.problems]
    assert found == [(4, "registries[0].label"), (9, "repositories[0].label")]


def test_a_registries_entry_checks_its_keys_and_place() -> None:
    bad = DOC.replace("  - region: eu-west-1", "  - region: nowhere\n    acount: '1'")
    with pytest.raises(DeclarationError) as excinfo:
        load_declaration(bad)
    messages = [p.message for p in excinfo.value.problems]
    assert any("invalid region 'nowhere'" in m for m in messages)
    assert any("unknown key 'acount'" in m for m in messages)
    hint = next(p.hint for p in excinfo.value.problems if "acount" in p.message)
    assert "did you mean 'account'?" in hint


@pytest.mark.parametrize(
    ("value", "message"),
    [("registries: {}", "a list of registries"), ("registries: [3]", "must be a mapping")],
)
def test_registries_must_be_a_list_of_mappings(value: str, message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        load_declaration(f"version: 1\n{value}\n")


def test_the_same_setting_declared_alike_merges() -> None:
    state = build_state([load_declaration(DOC), load_declaration(DOC)])
    assert state.repository("team/api").setting("label") == "api"


def test_the_same_setting_declared_differently_names_both_places(tmp_path: Path) -> None:
    (tmp_path / "first.yaml").write_text(DOC)
    (tmp_path / "other.yaml").write_text(DOC.replace("label: api", "label: web"))
    first, other = (
        load_declaration(name, base_dir=tmp_path) for name in ("first.yaml", "other.yaml")
    )
    with pytest.raises(DeclarationError) as excinfo:
        build_state([first, other])
    (problem,) = excinfo.value.problems
    assert problem.source.endswith("other.yaml")
    assert problem.line == 8  # the repository entry
    assert "label of repository 'team/api' is declared differently at " in problem.message
    assert "first.yaml:8" in problem.message


def test_every_feature_key_is_in_the_format() -> None:
    # The product's own features, not this module's test ones.
    real = features_module.FEATURES
    levels = {
        "registry": format_module.REGISTRY_KEYS,
        "repository": format_module.REPOSITORY_KEYS,
        "image": format_module.IMAGE_KEYS,
    }
    for level, keys in levels.items():
        declared = {f.key for f in real if f.level == level}
        assert declared <= set(keys), level
    assert len({(f.level, f.key) for f in real}) == len(real)
    assert features("registry")  # this module's stand-in is what the walk sees
