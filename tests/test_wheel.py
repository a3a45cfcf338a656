"""The built wheel: what pip installs for users (entry points, schema, py.typed)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# Every test here builds or installs the wheel in a subprocess.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built with the project's build backend (hatchling), offline."""
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    build = "import sys, hatchling.build as backend; print(backend.build_wheel(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out / result.stdout.strip().splitlines()[-1]


def _read(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name).decode("utf-8")


def test_wheel_holds_the_package_with_its_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        schema = archive.read("pytest_ecr/declarations/schema.json")
    assert wheel.name.startswith("pytest_ecr-")
    assert {
        "pytest_ecr/__init__.py",
        "pytest_ecr/plugin.py",
        "pytest_ecr/cli.py",
        "pytest_ecr/py.typed",
        "pytest_ecr/declarations/schema.json",
        "pytest_ecr/declarations/jsonschema.py",
    } <= names
    assert schema == (ROOT / "pytest_ecr" / "declarations" / "schema.json").read_bytes()
    assert not [n for n in names if n.startswith(("tests/", "docs/", "benchmarks/"))]


def test_wheel_declares_the_plugin_and_the_command(wheel: Path) -> None:
    entry_points = _read(wheel, ".dist-info/entry_points.txt")
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in entry_points.splitlines():
        line = line.strip()
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = {}
        elif "=" in line:
            name, _, value = line.partition("=")
            sections[current][name.strip()] = value.strip()
    assert sections["pytest11"] == {"ecr": "pytest_ecr.plugin"}
    assert sections["console_scripts"] == {"pytest-ecr": "pytest_ecr.cli:main"}


def test_wheel_metadata(wheel: Path) -> None:
    metadata = _read(wheel, ".dist-info/METADATA")
    assert "Name: pytest-ecr" in metadata
    assert "Classifier: Framework :: Pytest" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    assert "Requires-Python: >=3.10" in metadata
    for extra in ("moto", "examples", "docs", "test", "schema"):
        assert f"Provides-Extra: {extra}" in metadata


def test_the_installed_layout_finds_its_schema(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import pytest_ecr\n"
        "from pytest_ecr.declarations.jsonschema import load_schema, schema_path\n"
        "assert pytest_ecr.__file__.startswith(sys.argv[1]), pytest_ecr.__file__\n"
        "assert str(schema_path()).startswith(sys.argv[1])\n"
        "assert load_schema()['title'].startswith('pytest-ecr')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=120)
