"""Which of pytest-ecr's own frames a failure report shows.

A module that sets ``__tracebackhide__ = hide_usage_errors`` at its top keeps its frames
out of pytest's traceback when the exception is one of pytest-ecr's own (a misspelt
fault keyword, an unknown operation name, a failed call assertion): their messages say
what is wrong and how to fix it, and the user's own line is what matters. Anything else
(a bug) keeps every frame. ``--full-trace`` shows them all regardless.
"""

from __future__ import annotations

from typing import Any


def hide_usage_errors(excinfo: Any) -> bool:
    """Whether a frame of pytest-ecr is hidden for *excinfo* (pytest's ``ExceptionInfo``)."""
    error = getattr(excinfo, "value", None)
    return isinstance(error, Exception) and type(error).__module__.startswith("pytest_ecr.")
