"""The JSON Schema of the declaration format, shipped as ``schema.json`` beside this module.

Editors use it (``# yaml-language-server: $schema=...``); ``pytest-ecr validate`` checks a
file with it too when the optional ``jsonschema`` package is installed. The
validator (:mod:`pytest_ecr.declarations.schema`) stays the authority: it also checks
manifests, digests and files. The schema is written by hand (its descriptions are the
reference docs) and checked, not generated: ``tests/declarations/test_format.py`` asserts
that the rules it states are exactly :func:`pytest_ecr.declarations.format.schema_facts`.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pytest_ecr.declarations.problems import Problem, join_path
from pytest_ecr.declarations.yamlread import INVALID, Lines, read_yaml

#: The file name of the schema inside the package.
SCHEMA_NAME = "schema.json"


def schema_path() -> Path:
    """Where the schema file is (for ``$schema=`` comments and editor settings)."""
    return Path(str(resources.files("pytest_ecr.declarations").joinpath(SCHEMA_NAME)))


def schema_text() -> str:
    """The schema, as shipped."""
    return resources.files("pytest_ecr.declarations").joinpath(SCHEMA_NAME).read_text("utf-8")


@functools.cache
def _schema() -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads(schema_text())
    return loaded


def load_schema() -> dict[str, Any]:
    """A fresh copy of the schema as a dict."""
    copied: dict[str, Any] = json.loads(json.dumps(_schema()))
    return copied


def jsonschema_available() -> bool:
    """Whether the optional ``jsonschema`` package can be imported."""
    try:
        importlib.import_module("jsonschema")
    except ImportError:
        return False
    return True


def _plain(value: Any) -> Any:
    """YAML values as JSON would hold them (timestamps become ISO-8601 text)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if value is INVALID:
        return None
    return value


def _locate(data: Any, lines: Lines, keys: list[Any]) -> tuple[int | None, str]:
    """The line and YAML path of the place *keys* lead to in *data*."""
    path = ""
    line = lines.line(data)
    container = data
    for key in keys:
        original: Any = key
        if isinstance(container, Mapping):
            # The schema saw string keys; find the key as YAML wrote it.
            original = next((k for k in container if str(k) == key), key)
        child_line = lines.child(container, original)
        if child_line is not None:
            line = child_line
        path = join_path(path, original)
        try:
            container = container[original]
        except (KeyError, IndexError, TypeError):
            break
    return line, path


def schema_problems(text: str, source: str) -> list[Problem]:
    """Check YAML *text* against the schema; one :class:`Problem` per violation.

    Needs the optional ``jsonschema`` package (:class:`ImportError` otherwise). Problems
    the YAML reader itself finds (syntax, duplicate keys, ...) are returned as they are.
    """
    jsonschema: Any = importlib.import_module("jsonschema")
    data, lines, problems = read_yaml(text, source)
    if problems:
        return list(problems)
    validator = jsonschema.Draft202012Validator(_schema())
    found: list[Problem] = []
    for error in validator.iter_errors(_plain(data)):
        line, path = _locate(data, lines, list(error.absolute_path))
        found.append(Problem(source, line, path, f"{error.message} (JSON Schema)"))
    return sorted(found, key=lambda p: (p.line is None, p.line or 0, p.path))


__all__ = [
    "SCHEMA_NAME",
    "jsonschema_available",
    "load_schema",
    "schema_path",
    "schema_problems",
    "schema_text",
]
