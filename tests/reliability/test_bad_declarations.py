"""Every file of the bad-declaration corpus gets the plugin's own declaration error, with
file, line and the expected text — never a traceback from inside the plugin, never a
hang, never a partly loaded registry."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from pytest_ecr import DeclarationError, FakeEcr
from pytest_ecr.transports import responder

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))


def expectations(path: Path) -> tuple[list[str], int | None]:
    expect: list[str] = []
    line: int | None = None
    for text in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"# (expect|line): (.*)", text)
        if match is None:
            break
        if match.group(1) == "expect":
            expect.append(match.group(2))
        elif match.group(2) != "any":
            line = int(match.group(2))
    return expect, line


def test_the_corpus_is_large_enough() -> None:
    print(f"\n{len(FILES)} bad declarations in the corpus")
    assert len(FILES) >= 60


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bad_declaration(path: Path) -> None:
    expect, line = expectations(path)
    assert expect, f"{path.name} has no '# expect:' header"
    started = time.perf_counter()
    with pytest.raises(DeclarationError) as excinfo:
        FakeEcr([str(path)])
    assert time.perf_counter() - started < 30  # a hang guard, not a speed claim
    error = excinfo.value
    text = str(error)
    for fragment in expect:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert error.problems
    for problem in error.problems:
        assert problem.source == str(path), text
        # a hint: its own field, or the message saying what is expected instead
        assert problem.hint or "expected" in problem.message or "must be" in problem.message, text
        if problem.path:  # whole-file problems (an empty file) may have no line
            assert problem.line is not None, text
            assert problem.line >= 1, text
    if line is not None:
        assert line in {p.line for p in error.problems}, f"no problem at line {line}:\n{text}"
    assert responder.active() is None
