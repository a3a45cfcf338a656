from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_ecr.declarations import DeclarationError, Problem, load_declaration

Write = Callable[..., Path]
Problems = Callable[..., list[Problem]]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write dedented text to a file under tmp_path (default name registry.yaml)."""

    def write(text: str | bytes, name: str = "registry.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def problems(tmp_path: Path) -> Problems:
    """Load a source that must fail; return its problems."""

    def problems(source: Any, **kwargs: Any) -> list[Problem]:
        if isinstance(source, str) and "\n" in source:
            source = textwrap.dedent(source)
        kwargs.setdefault("base_dir", tmp_path)
        with pytest.raises(DeclarationError) as info:
            load_declaration(source, **kwargs)
        return list(info.value.problems)

    return problems
