"""``.ci/floors.py``: the floor lane's pins, read from pyproject.toml."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parent.parent


def _floors() -> ModuleType:
    spec = importlib.util.spec_from_file_location("floors", ROOT / ".ci" / "floors.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floors = _floors()
PROJECT = floors.tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_dependency_and_the_moto_extra_is_pinned_to_its_floor() -> None:
    pins = dict(line.split("==") for line in floors.constraints(PROJECT))
    assert pins == {
        "pytest": "7.4",
        "botocore": "1.34",
        "boto3": "1.34",
        "PyYAML": "6.0",
        "h11": "0.16",
        "moto": "5.1.11",
    }
    # One pin per requirement: nothing of pyproject's runtime list is left out.
    assert len(pins) == len(PROJECT["dependencies"]) + len(PROJECT["optional-dependencies"]["moto"])
    assert floors.python_floor(PROJECT) == "3.10"


def test_a_requirement_without_a_floor_is_refused() -> None:
    project = {"dependencies": ["pytest>=7.4", "boto3"], "optional-dependencies": {"moto": []}}
    with pytest.raises(ValueError, match="'boto3' has no '>=' floor"):
        floors.constraints(project)
    bounded = {"dependencies": ["moto[ecr] <6, >=5.1.11 ; python_version>'3'"]}
    assert floors.constraints({**bounded, "optional-dependencies": {"moto": []}}) == [
        "moto==5.1.11"
    ]


@pytest.mark.slow
def test_check_fails_where_an_installed_version_is_not_its_floor(tmp_path: Path) -> None:
    # This virtualenv holds the newest versions, not the floors.
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "floors.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert [line.split("==")[0] for line in lines[:-1]] == [
        "pytest",
        "botocore",
        "boto3",
        "PyYAML",
        "h11",
        "moto",
    ]
    assert lines[-1].startswith("Python ")
    assert result.returncode == (1 if "<- not" in result.stdout else 0)
    out = tmp_path / "floors.txt"
    subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "floors.py"), "--output", str(out)],
        check=True,
        timeout=60,
    )
    assert out.read_text(encoding="utf-8").splitlines() == floors.constraints(PROJECT)
