from __future__ import annotations

import pickle

import pytest

from pytest_ecr.declarations import DeclarationError, Problem
from pytest_ecr.declarations.problems import expected_hint, join_path


def test_problem_text_has_source_line_path_message_and_hint() -> None:
    problem = Problem(
        "registry.yaml",
        14,
        "repositories[1].images[0]",
        "unknown key 'tagz'",
        "expected one of: tags, manifest; did you mean 'tags'?",
    )
    assert str(problem) == (
        "registry.yaml:14 repositories[1].images[0]: unknown key 'tagz' "
        "(expected one of: tags, manifest; did you mean 'tags'?)"
    )


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (Problem("<mapping>", None, "repositories[0]", "m"), "<mapping> repositories[0]: m"),
        (Problem("r.yaml", 3, "", "m", "h"), "r.yaml:3: m (h)"),
        (Problem("r.yaml", None, "", "m"), "r.yaml: m"),
        (Problem("", None, "", "m"), "m"),
        (Problem("", None, "a.b", "m"), "a.b: m"),
    ],
)
def test_problem_text_leaves_out_missing_parts(problem: Problem, text: str) -> None:
    assert str(problem) == text


def test_error_summarises_then_lists_one_problem_per_line() -> None:
    found = [Problem("a.yaml", 1, "version", "m1"), Problem("a.yaml", 2, "", "m2", "h")]
    error = DeclarationError(found)
    assert error.problems == tuple(found)
    assert str(error).splitlines() == [
        "2 problems in registry declaration(s):",
        "a.yaml:1 version: m1",
        "a.yaml:2: m2 (h)",
    ]
    assert str(DeclarationError(found[:1])).startswith("1 problem in registry declaration(s):")
    assert isinstance(error, ValueError)


def test_error_survives_pickling_with_its_problems() -> None:
    error = DeclarationError([Problem("a.yaml", 1, "x", "m", "h")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == str(error)


def test_problems_are_frozen() -> None:
    problem = Problem("a", 1, "", "m")
    with pytest.raises(AttributeError):
        problem.line = 2  # type: ignore[misc]


def test_expected_hint_suggests_close_and_case_insensitive_matches() -> None:
    assert expected_hint("tagz", ("tags", "manifest")) == (
        "expected one of: tags, manifest; did you mean 'tags'?"
    )
    assert expected_hint("zzz", ("tags",)) == "expected one of: tags"
    assert expected_hint("IMAGE", ("image", "other")).endswith("did you mean 'image'?")
    assert expected_hint(3, ("tags",)) == "expected one of: tags"


def test_paths_join_keys_and_indexes() -> None:
    assert join_path("", "repositories") == "repositories"
    assert join_path("repositories", 1) == "repositories[1]"
    assert join_path("a", "b") == "a.b"
    assert join_path("m", "org.opencontainers.image.created") == (
        "m['org.opencontainers.image.created']"
    )
