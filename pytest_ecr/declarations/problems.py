"""What is wrong with a declaration, where, and how to fix it."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in one declaration source.

    ``source`` is the file path (or ``<mapping>`` / ``<text>``), ``line`` is 1-based and
    ``None`` where the source has no lines, ``path`` is the YAML path of the place (``""``
    for the whole document), ``hint`` says what is accepted or how to fix it.
    """

    source: str
    line: int | None
    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        if self.path:
            where = f"{where} {self.path}" if where else self.path
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class DeclarationError(ValueError):
    """A registry declaration is wrong; :attr:`problems` lists every mistake found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in registry declaration(s):"]
        lines.extend(str(problem) for problem in self.problems)
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle their args; ours is the rendered text, not the problems, so
        # without this an error sent between xdist workers would come back broken.
        return (type(self), (self.problems,))


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def join_path(parent: str, key: object) -> str:
    """``parent.key`` or ``parent[3]``: a YAML path one step down."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{parent}[{key}]"
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{key!r}]"


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Problems of each source in line order, sources in the order they came."""
    order: dict[str, int] = {}
    for problem in problems:
        order.setdefault(problem.source, len(order))
    return sorted(
        problems,
        key=lambda p: (order[p.source], p.line is None, p.line or 0),
    )


def expected_hint(key: object, allowed: Sequence[str]) -> str:
    """``expected one of: a, b; did you mean 'a'?`` for an unknown *key*."""
    hint = f"expected one of: {', '.join(allowed)}"
    if isinstance(key, str):
        close = difflib.get_close_matches(key, allowed, n=1)
        if not close:
            lowered = {name.lower(): name for name in allowed}
            if key.lower() in lowered:
                close = [lowered[key.lower()]]
        if close:
            hint += f"; did you mean {close[0]!r}?"
    return hint


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value: object) -> str:
    """How a found value reads in a message: ``the integer 12``, ``a mapping``."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {_short(value)!r}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        return f"the timestamp {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"
