"""One fault parser, one set of problems: a bad ``faults:`` entry is reported the same way,
with the same hint and together with the declaration's other problems, by ``FakeEcr(...)``,
``ecr.load()``, ``pytest-ecr validate`` and the ``ecr`` fixture at set-up — each once."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.cli import main
from pytest_ecr.declarations import DeclarationError
from pytest_ecr.faults import FAULT_HINT

# Three problems: one outside `faults:`, two in one fault entry (one of them needing an
# operation the parser knows, the other a key it does not).
BAD = """\
version: 1
region: nowhere
repositories:
  - name: team/api
faults:
  - operation: BatchGetImage
    error: NoSuchError
  - {operation: ListImages, bogus: 1, error: ServerException}
"""


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(BAD)
    return path


def expected(path: Path) -> list[str]:
    with pytest.raises(DeclarationError) as raised:
        FakeEcr([str(path)])
    return [str(problem) for problem in raised.value.problems]


def test_fault_problems_come_with_the_others_each_with_the_hint(bad: Path) -> None:
    problems = expected(bad)
    assert [p.split(": ", 1)[0] for p in problems] == [
        f"{bad}:2 region",
        f"{bad}:6 faults[0]",
        f"{bad}:8 faults[1]",
    ]
    assert "cannot return 'NoSuchError'" in problems[1]
    assert "unknown key 'bogus'" in problems[2]
    assert all(p.endswith(f"({FAULT_HINT})") for p in problems[1:])


def test_ecr_load_reports_what_the_constructor_reports(bad: Path) -> None:
    fake = FakeEcr()
    with pytest.raises(DeclarationError) as raised:
        fake.load(str(bad))
    assert [str(problem) for problem in raised.value.problems] == expected(bad)


def test_validate_reports_what_loading_reports(
    bad: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith(str(bad))] == expected(bad)


def error_section(result: pytest.RunResult) -> str:
    """The ERRORS section only: under CI pytest repeats each whole message in its short
    summary, which is not the double report these tests are about."""
    out = result.stdout.str()
    start = out.index("= ERRORS =")
    end = out.find("short test summary info", start)
    return out[start : end if end != -1 else len(out)]


def test_setup_reports_what_loading_reports_once(pytester: pytest.Pytester, bad: Path) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.ecr_registry({str(bad)!r})
        def test_it(ecr):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    out = error_section(result)
    for problem in expected(bad):
        assert out.count(problem) == 1, problem
    assert "During handling of the above exception" not in out


def test_a_bad_fault_marker_is_printed_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_fault("BatchGetImage", error="NoSuchError")
        def test_it(ecr):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    out = error_section(result)
    assert out.count("BatchGetImage cannot return 'NoSuchError'") == 1
    assert "During handling of the above exception" not in out
