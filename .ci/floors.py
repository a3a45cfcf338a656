"""The lowest versions pyproject.toml allows, for CI's floor lane.

``python .ci/floors.py`` prints one ``name==version`` line for every runtime dependency
and every package of the ``moto`` extra whose requirement has a ``>=`` floor: a pip
constraints file. ``python .ci/floors.py --python`` prints the floor of
``requires-python`` (``3.10``). ``python .ci/floors.py --check`` (in the floor lane's
virtualenv) prints the installed version of each and fails unless every one is its floor;
``--output FILE`` writes the constraints to FILE (for tox, which redirects nothing).
The floors are read from pyproject.toml, so they are written once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser as a package
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

#: The extras whose floors the lane also pins (moto is the optional backend).
EXTRAS = ("moto",)

_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(?P<spec>[^;]*)")


def _floor_of(requirement: str) -> tuple[str, str] | None:
    """``(name, version)`` of a requirement's ``>=`` bound, or None without one."""
    match = _FLOOR.match(requirement)
    if match is None:
        raise ValueError(f"pyproject.toml: cannot read the requirement {requirement!r}")
    for clause in match["spec"].split(","):
        operator, _, version = clause.strip().partition(">=")
        if not operator and version:
            return match[1], version.strip()
    return None


def constraints(project: dict[str, object]) -> list[str]:
    """The ``name==floor`` lines of *project*'s dependencies and the :data:`EXTRAS`."""
    requirements = list(project["dependencies"])  # type: ignore[call-overload]
    extras = project.get("optional-dependencies", {})
    for extra in EXTRAS:
        requirements += extras[extra]  # type: ignore[index]
    lines = []
    for requirement in requirements:
        floor = _floor_of(requirement)
        if floor is None:
            raise ValueError(f"pyproject.toml: {requirement!r} has no '>=' floor to test")
        lines.append(f"{floor[0]}=={floor[1]}")
    return lines


def python_floor(project: dict[str, object]) -> str:
    """The version of ``requires-python = ">=X.Y"``."""
    match = re.fullmatch(r"\s*>=\s*(\d+\.\d+)\s*", str(project["requires-python"]))
    if match is None:
        raise ValueError(f"pyproject.toml: requires-python {project['requires-python']!r}")
    return match[1]


def check(lines: list[str], python: str) -> int:
    """Print each pinned package's installed version and Python's; 1 unless each is its
    floor."""
    from importlib.metadata import PackageNotFoundError, version

    from packaging.version import Version

    wrong = 0
    for line in lines:
        name, _, floor = line.partition("==")
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "(not installed)"
        same = installed[:1].isdigit() and Version(installed) == Version(floor)
        print(f"{name}=={installed}" + ("" if same else f"  <- not the floor {floor}"))
        wrong += not same
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    print(f"Python {sys.version.split()[0]}" + ("" if running == python else f"  <- not {python}"))
    return 1 if wrong or running != python else 0


def main(argv: list[str]) -> int:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    if argv == ["--python"]:
        print(python_floor(project))
    elif argv == ["--check"]:
        return check(constraints(project), python_floor(project))
    elif not argv:
        print("\n".join(constraints(project)))
    elif len(argv) == 2 and argv[0] == "--output":
        Path(argv[1]).write_text("\n".join(constraints(project)) + "\n", encoding="utf-8")
    else:
        print("usage: python .ci/floors.py [--python | --check | --output FILE]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
