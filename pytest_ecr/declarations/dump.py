"""Writing declarations: a document (plain mappings) as YAML text the reader takes back.

``pytest-ecr snapshot`` builds the document; this module owns the YAML side, so PyYAML
stays inside the declarations layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml


class LiteralText(str):
    """A string written as a YAML block scalar (``|``) where YAML can hold it exactly."""


class _Dumper(yaml.SafeDumper):
    """Safe dumping, with :class:`LiteralText` block scalars (set per call below)."""

    literal = True


def _represent_literal(dumper: _Dumper, value: LiteralText) -> Any:
    # PyYAML falls back to a quoted style by itself where a block scalar cannot hold the
    # text exactly (trailing spaces, some control characters).
    if not dumper.literal:
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_Dumper.add_representer(LiteralText, _represent_literal)


def dump_declaration(document: Mapping[str, Any], header: str = "", *, literal: bool) -> str:
    """*header* followed by *document* as block-style YAML, keys in their given order.

    :class:`LiteralText` values become block scalars when *literal* is true, and
    double-quoted scalars (one line each, escapes visible) when it is false.
    """

    class Dumper(_Dumper):
        pass

    Dumper.literal = literal
    body = yaml.dump(
        dict(document),
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=1_000_000,
    )
    return header + body


__all__ = ["LiteralText", "dump_declaration"]
