"""Inline manifest mappings: what they may hold and the one way they become text."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from pytest_ecr.declarations.problems import describe, join_path
from pytest_ecr.declarations.yamlread import INVALID, MAX_DEPTH

#: ``report(container, key, path, message, hint)`` for a value JSON cannot hold.
Report = Callable[[object, object, str, str, "str | None"], None]


def serialize_manifest(manifest: Mapping[str, Any]) -> str:
    """The exact text (and so the digest) of an inline ``manifest:`` mapping.

    The rule is ``json.dumps(manifest, indent=3, ensure_ascii=False)``: keys in the order
    they are written, a three-space indent, ``": "`` after each key and ``","`` at the end
    of each line but the last of its object or array, non-ASCII characters written as they
    are (UTF-8), and no trailing newline. That is the layout of the manifests ``docker
    push`` uploads (Go's ``json.MarshalIndent`` with three spaces), such as the one in the
    AWS CLI ``batch-get-image`` example, except that Go also writes ``<``, ``>`` and ``&``
    as ``\\u003c``, ``\\u003e`` and ``\\u0026``; where those bytes matter, use
    ``manifest_text`` or ``manifest_file``, which are used byte for byte.

    Any :class:`~collections.abc.Mapping` is written as an object and any tuple as an
    array; other values JSON cannot hold raise :class:`TypeError` or :class:`ValueError`
    as :func:`json.dumps` does.
    """
    try:
        return write_json(manifest)
    except NotJson:
        # Let json say what is wrong, in its own words (or write what it can).
        return json.dumps(manifest, indent=3, ensure_ascii=False)


class NotJson(Exception):
    """The value holds something :func:`write_json` does not write."""


_encode_str = json.encoder.encode_basestring  # the C version when available


def write_json(value: Any) -> str:
    """``json.dumps(value, indent=3, ensure_ascii=False)``, about three times faster.

    ``json.dumps`` runs in pure Python as soon as it indents; declarations with thousands
    of inline manifests spend most of their load time there. Raises :class:`NotJson` for a
    non-string key, NaN or infinity, a value JSON has no type for, or nesting deeper than
    the YAML reader allows, so callers can fall back or report.
    """
    parts: list[str] = []
    _write(value, parts, "\n", 0)
    return "".join(parts)


def _write(value: Any, parts: list[str], newline: str, depth: int) -> None:
    if isinstance(value, str):
        parts.append(_encode_str(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NotJson
        parts.append(float.__repr__(value))
    elif depth > MAX_DEPTH:
        raise NotJson
    elif isinstance(value, Mapping):
        if not value:
            parts.append("{}")
            return
        inner = newline + "   "
        separator = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotJson
            parts.append(separator)
            parts.append(_encode_str(key))
            parts.append(": ")
            _write(item, parts, inner, depth + 1)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + "   "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _write(item, parts, inner, depth + 1)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        raise NotJson


def _json_hint(value: object) -> str | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return "JSON has no timestamps: quote it to keep it a string"
    if isinstance(value, float):
        return "JSON has no NaN or infinity"
    return None


def json_ready(value: Any, report: Report, path: str = "", depth: int = 0) -> Any:
    """A copy of *value* made of dicts, lists, strings, numbers, booleans and null.

    Anything JSON cannot hold (a timestamp, a non-string key, NaN) is passed to *report*
    with the container, key and YAML path where it sits (*path* is *value*'s own); the
    copy then leaves it out. Values already reported by the YAML reader are left out
    silently.
    """
    if depth > MAX_DEPTH:
        # Only a Python mapping can get here (YAML input is bounded when read), and a
        # self-containing one would otherwise recurse until the interpreter gives up.
        report(value, None, path, f"the manifest nests deeper than {MAX_DEPTH} levels", None)
        return None
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                report(
                    value,
                    key,
                    path,
                    f"manifest keys must be strings, found {describe(key)}",
                    "quote the key",
                )
                continue
            out[key] = _item(value, key, item, report, path, depth)
        return out
    if isinstance(value, (list, tuple)):
        return [_item(value, i, item, report, path, depth) for i, item in enumerate(value)]
    return value


def _item(container: object, key: object, item: Any, report: Report, path: str, depth: int) -> Any:
    if item is None or isinstance(item, (str, bool, int)):
        return item
    if isinstance(item, float):
        if math.isfinite(item):
            return item
    elif isinstance(item, (Mapping, list, tuple)):
        return json_ready(item, report, join_path(path, key), depth + 1)
    elif item is INVALID:
        return None
    report(
        container,
        key,
        join_path(path, key),
        f"a manifest holds only JSON values, found {describe(item)}",
        _json_hint(item),
    )
    return None
