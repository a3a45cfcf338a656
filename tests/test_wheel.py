"""The built wheel: what pip installs for users (entry points, schema, py.typed)."""

from __future__ import annotations

import os
import re
import shutil
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


# -- the install commands of README.md and the tutorial, run verbatim ----------------------

#: Files and directories of a work tree that a fresh checkout does not have.
_NOT_IN_A_CHECKOUT = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv*",
    "dist",
    "build",
    "site",
    "node_modules",
    "__pycache__",
    "*.egg-info",
    ".*_cache",
    ".hypothesis",
)

TINY_TEST = """\
import pytest


@pytest.mark.ecr_registry({"version": 1, "repositories": [{"name": "team/api",
    "images": [{"tags": ["v1"]}]}]})
def test_the_fake_answers(ecr, ecr_client):
    answer = ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert answer["images"][0]["imageId"]["imageDigest"] == (
        ecr.registry.repository("team/api").image("v1").digest
    )
"""


def install_blocks(page: Path, heading: str) -> list[str]:
    """The ``bash`` blocks of *page*'s section *heading*, verbatim."""
    text = page.read_text(encoding="utf-8")
    _, found, rest = text.partition(f"\n{heading}\n")
    assert found, f"{page.name} has no section {heading!r}"
    section = rest.split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```$", section, flags=re.S | re.M)
    assert blocks, f"{page.name}, {heading}: no bash block"
    return blocks


def _fresh_venv(where: Path) -> dict[str, str]:
    """A new virtualenv at *where*; the environment of a shell that activated it."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        VIRTUAL_ENV=str(where),
        PATH=f"{where / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


@pytest.mark.parametrize(
    ("page", "heading", "workdir"),
    [
        # README: commands run in the checkout itself.
        ("README.md", "## Install", "pytest-ecr"),
        # The tutorial: in the user's project, with the checkout beside it.
        ("docs/tutorial.md", "## 1. Install", "project"),
    ],
)
def test_the_install_commands_work_on_a_fresh_checkout(
    page: str, heading: str, workdir: str, tmp_path: Path
) -> None:
    """Each install block of the page, verbatim, in a fresh virtualenv on a copy of the
    checkout (nothing reached but the package index); then the installed plugin (not the
    work tree) answers a tiny test."""
    blocks = install_blocks(ROOT / page, heading)
    shutil.copytree(ROOT, tmp_path / "pytest-ecr", ignore=_NOT_IN_A_CHECKOUT)
    (tmp_path / "project").mkdir()
    env = _fresh_venv(tmp_path / "venv")
    for block in blocks:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=tmp_path / workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, f"{page}:\n{block}\n{result.stdout}\n{result.stderr}"
    python = str(tmp_path / "venv" / "bin" / "python")
    where = subprocess.run(
        [python, "-c", "import pytest_ecr.plugin; print(pytest_ecr.__file__)"],
        cwd=tmp_path / "project",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()
    assert "site-packages" in where, where
    assert str(tmp_path / "pytest-ecr") not in where, where  # installed, not the checkout
    (tmp_path / "project" / "test_tiny.py").write_text(TINY_TEST, encoding="utf-8")
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_tiny.py"],
        cwd=tmp_path / "project",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
