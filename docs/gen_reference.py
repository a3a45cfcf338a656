"""Generate the reference sections of the docs from the code, so they cannot drift.

Each ``<!-- generated: NAME -->`` line in a page is replaced, when the site is built (see
``docs/hooks.py``), by the Markdown that :data:`SECTIONS` ``[NAME]`` returns:

* fixtures and markers: read from pytest's own ``--fixtures`` and ``--markers`` output
  (the plugin is loaded through its ``pytest11`` entry point, as users load it);
* command-line options and ini keys: recorded from the plugin's ``pytest_addoption``;
* the declaration format and the fault fields: from the shipped JSON Schema, whose keys
  and values a test keeps equal to the validator's;
* the Python API: from the classes' signatures and docstrings;
* the ``pytest-ecr`` command: from its argparse parser.

``python docs/gen_reference.py NAME`` prints one section, for a look without building.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import re
import subprocess
import sys
import tempfile
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

GENERATED = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.MULTILINE)
_NOTSET = object()


# -- what pytest says about the plugin ----------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    name: str
    scope: str
    doc: str


@dataclass(frozen=True)
class Marker:
    name: str
    signature: str
    doc: str


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    attrs: dict[str, Any]


@dataclass(frozen=True)
class IniKey:
    name: str
    help: str
    type: str | None
    default: Any


@dataclass
class _Recorder:
    """Stands in for ``pytest.Parser`` (and its groups) to record what the plugin adds."""

    options: list[Option] = field(default_factory=list)
    ini: list[IniKey] = field(default_factory=list)

    def getgroup(self, name: str, description: str = "", after: str | None = None) -> _Recorder:
        return self

    def addoption(self, *flags: str, **attrs: Any) -> None:
        self.options.append(Option(tuple(flags), attrs))

    def addini(
        self, name: str, help: str, type: str | None = None, default: Any = _NOTSET, **_: Any
    ) -> None:
        self.ini.append(IniKey(name, help, type, default))


def plugin_modules() -> list[Any]:
    """The modules the ``pytest11`` entry points of pytest-ecr name."""
    modules = []
    for entry in metadata.entry_points(group="pytest11"):
        if entry.dist is not None and entry.dist.name.replace("_", "-") == "pytest-ecr":
            modules.append(importlib.import_module(entry.value))
    if not modules:  # not installed as a distribution: fall back to the known module
        modules.append(importlib.import_module("pytest_ecr.plugin"))
    return modules


@functools.cache
def _recorded() -> _Recorder:
    recorder = _Recorder()
    for module in plugin_modules():
        hook = getattr(module, "pytest_addoption", None)
        if hook is None:
            continue
        params = inspect.signature(hook).parameters
        kwargs: dict[str, Any] = {"parser": recorder}
        if "pluginmanager" in params:
            kwargs["pluginmanager"] = None
        hook(**kwargs)
    return recorder


def options() -> list[Option]:
    return list(_recorded().options)


def ini_keys() -> list[IniKey]:
    return list(_recorded().ini)


@functools.cache
def _pytest_output(*args: str) -> str:
    """Run pytest with *args* in an empty directory and return what it printed."""
    with tempfile.TemporaryDirectory() as empty:
        ini = Path(empty) / "pytest.ini"
        ini.write_text("[pytest]\n")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-c", str(ini), "-p", "no:randomly", *args],
            cwd=empty,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"pytest {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def pytest_help() -> str:
    """``pytest --help``, for checking that nothing escaped the recorder."""
    return _pytest_output("--help")


def fixtures() -> list[Fixture]:
    """Public fixtures of pytest-ecr's modules, as ``pytest --fixtures -v`` lists them."""
    entries: list[tuple[str, str, list[str]]] = []
    section = ""
    head = re.compile(r"^(\w+)(?: \[(\w+) scope\])? -- ")
    for line in _pytest_output("--fixtures", "-v").splitlines():
        heading = re.match(r"^-+ fixtures defined from (\S+) -+$", line)
        if heading:
            section = heading.group(1)
            continue
        if not section.startswith("pytest_ecr"):
            continue
        match = head.match(line)
        if match:
            entries.append((match.group(1), match.group(2) or "function", []))
        elif entries and (line.startswith("    ") or not line.strip()):
            entries[-1][2].append(line[4:])
    return [
        Fixture(name, scope, "\n".join(doc).strip())
        for name, scope, doc in entries
        if not name.startswith("_")
    ]


def markers() -> list[Marker]:
    """The ``ecr_*`` markers, as ``pytest --markers`` lists them."""
    found = []
    for line in _pytest_output("--markers").splitlines():
        match = re.match(r"^@pytest\.mark\.((ecr_\w+)[^:]*): (.*)$", line)
        if match:
            found.append(Marker(match.group(2), match.group(1), match.group(3)))
    return found


# -- rendering helpers ---------------------------------------------------------------------


def _rst_to_md(text: str) -> str:
    """Docstring markup (reStructuredText roles, double backticks) as Markdown."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _cell(text: str) -> str:
    return " ".join(_rst_to_md(text).split()).replace("|", "\\|")


def _value(value: Any) -> str:
    if value is _NOTSET or value is None:
        return "—"
    return f"`{json.dumps(value)}`"


def _paragraphs(doc: str) -> str:
    return _rst_to_md(inspect.cleandoc(doc))


# -- sections ----------------------------------------------------------------------------


def render_fixtures() -> str:
    parts = []
    for fixture in fixtures():
        parts.append(
            f"### `{fixture.name}`\n\nScope: {fixture.scope}.\n\n{_paragraphs(fixture.doc)}"
        )
    return "\n\n".join(parts)


def render_markers() -> str:
    parts = []
    for marker in markers():
        parts.append(
            f"### `{marker.name}`\n\n`@pytest.mark.{marker.signature}`\n\n{_rst_to_md(marker.doc)}"
        )
    return "\n\n".join(parts)


def _option_value(option: Option) -> str:
    attrs = option.attrs
    action = attrs.get("action", "store")
    if action in ("store_true", "store_false"):
        return "flag"
    kind = attrs.get("type")
    word = {int: "integer", float: "number"}.get(kind, "text") if kind is not str else "text"
    metavar = attrs.get("metavar")
    text = f"`{metavar}` ({word})" if metavar else word
    if action == "append":
        text += ", repeatable"
    return text


def render_options() -> str:
    rows = ["| Option | Value | Default | Description |", "| --- | --- | --- | --- |"]
    for option in options():
        default = option.attrs.get("default", _NOTSET)
        shown = "—" if default in (None, [], _NOTSET) else _value(default)
        flags = ", ".join(f"`{flag}`" for flag in option.flags)
        rows.append(
            f"| {flags} | {_option_value(option)} | {shown} | "
            f"{_cell(str(option.attrs.get('help', '')))} |"
        )
    return "\n".join(rows)


def render_ini() -> str:
    rows = ["| Ini key | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for key in ini_keys():
        default = key.default
        shown = "—" if default in ([], "", None, _NOTSET) else _value(default)
        rows.append(f"| `{key.name}` | {key.type or 'string'} | {shown} | {_cell(key.help)} |")
    return "\n".join(rows)


@functools.cache
def schema() -> dict[str, Any]:
    from pytest_ecr.declarations.jsonschema import load_schema

    return load_schema()


def _resolve(spec: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with its ``$ref`` (to ``#/$defs/...``) merged in."""
    ref = spec.get("$ref")
    if not ref:
        return spec
    target = schema()["$defs"][ref.rsplit("/", 1)[-1]]
    return {**target, **{k: v for k, v in spec.items() if k != "$ref"}}


def _type(spec: dict[str, Any]) -> str:
    spec = _resolve(spec)
    if "const" in spec:
        return f"`{json.dumps(spec['const'])}`"
    if "enum" in spec:
        return "one of " + ", ".join(f"`{value}`" for value in spec["enum"])
    kinds = spec.get("type")
    if isinstance(kinds, list):
        return " or ".join(kinds)
    if kinds == "array":
        items = _resolve(spec.get("items", {}))
        if "$ref" in spec.get("items", {}):
            return f"list of {spec['items']['$ref'].rsplit('/', 1)[-1].replace('_', ' ')} mappings"
        return f"list of {items.get('type', 'value')}s"
    if kinds == "object" and "properties" in spec:
        return "mapping (below)"
    text = {"object": "mapping", "integer": "integer", "number": "number"}.get(kinds, kinds)
    if "pattern" in spec and kinds == "string":
        return f"{text} matching `{spec['pattern']}`"
    return str(text or "any")


def _table(properties: dict[str, Any], required: list[str]) -> str:
    rows = ["| Key | Value | Default | Description |", "| --- | --- | --- | --- |"]
    for key, spec in properties.items():
        resolved = _resolve(spec)
        default = "required" if key in required else _value(resolved.get("default", _NOTSET))
        rows.append(
            f"| `{key}` | {_cell(_type(spec))} | {default} | {_cell(spec.get('description', ''))} |"
        )
    return "\n".join(rows)


def render_declaration() -> str:
    root = schema()
    defs = root["$defs"]
    parts = [
        "### Top level",
        _cell(root["description"]),
        _table(root["properties"], root.get("required", [])),
    ]
    for name, title in (
        ("registry", "`registries[]`"),
        ("account_settings", "`registries[].account_settings`"),
        ("pull_through_cache_rule", "`registries[].pull_through_cache_rules[]`"),
        ("creation_template", "`registries[].creation_templates[]`"),
        ("repository", "`repositories[]`"),
        ("encryption", "`repositories[].encryption`"),
        ("image", "`repositories[].images[]`"),
        ("image_failure", "`repositories[].images[].failure`"),
        ("image_scan", "`repositories[].images[].scan`"),
        ("scan_finding", "`repositories[].images[].scan.findings[]`"),
        ("registry", "`registries[]`"),
        ("registry_scanning", "`registries[].scanning`"),
        ("scanning_rule", "`registries[].scanning.rules[]`"),
    ):
        # A nested mapping with its own keys (account_settings) is a property, not a $def.
        node = defs.get(name) or defs["registry"]["properties"][name]
        parts += [f"### {title}", _cell(node["description"])]
        parts.append(_table(node["properties"], node.get("required", [])))
    return "\n\n".join(parts)


def render_faults() -> str:
    from pytest_ecr.faults import FAULT_KEYS, FaultKwargs

    node = schema()["$defs"]["fault"]
    hints = {
        key: getattr(hint, "__forward_arg__", getattr(hint, "__name__", str(hint)))
        for key, hint in FaultKwargs.__annotations__.items()
    }
    rows = [
        "| Field | Python type | Values | Default | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key in FAULT_KEYS:
        spec = node["properties"][key]
        rows.append(
            f"| `{key}` | `{_cell(hints[key])}` | {_cell(_type(spec))} | "
            f"{_value(spec.get('default', _NOTSET))} | {_cell(spec['description'])} |"
        )
    return _cell(node["description"]) + "\n\n" + "\n".join(rows)


def _signature(function: Callable[..., Any]) -> str:
    """``(a, b=None, *, c=1, **spec)``: the call as a user writes it, without types."""
    parameters = list(inspect.signature(function).parameters.values())
    if parameters and parameters[0].name == "self":
        parameters = parameters[1:]
    shown = [p.replace(annotation=inspect.Parameter.empty) for p in parameters]
    return str(inspect.Signature(shown))


def _attribute_docs(cls: type) -> dict[str, str]:
    """The ``#:`` comments above ``self.<name> = ...`` lines in *cls*'s ``__init__``: how
    the package documents a ``__slots__`` attribute (Sphinx's convention)."""
    init = cls.__dict__.get("__init__")
    if init is None:
        return {}
    docs: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(init).splitlines():
        text = line.strip()
        if text.startswith("#:"):
            pending.append(text[2:].strip())
            continue
        match = re.match(r"self\.(\w+)\s*(?::[^=]*)?=", text)
        if match and pending:
            docs.setdefault(match.group(1), " ".join(pending))
        pending = []
    return docs


def _members(cls: type) -> Iterator[tuple[str, str, str]]:
    attribute_docs = _attribute_docs(cls)
    for name, value in inspect.getmembers(cls):
        if name.startswith("_") or name in getattr(cls, "__reference_skip__", ()):
            continue
        raw = inspect.getattr_static(cls, name)
        if inspect.ismemberdescriptor(raw):  # a __slots__ attribute
            yield name, name, attribute_docs.get(name, "")
        elif isinstance(raw, property):
            yield name, name, inspect.getdoc(raw) or ""
        elif inspect.isfunction(value) and value.__qualname__.startswith(cls.__name__ + "."):
            yield name, f"{name}{_signature(value)}", inspect.getdoc(value) or ""


def _api_classes() -> list[tuple[str, type]]:
    from pytest_ecr import Call, CallList, EcrServer, FakeEcr

    classes: list[tuple[str, type]] = [
        ("`FakeEcr` — the `ecr` fixture", FakeEcr),
        ("`CallList` — what `ecr.calls()` returns", CallList),
        ("`Call` — one recorded attempt", Call),
        ("`EcrServer` — the `ecr_server` fixture", EcrServer),
    ]
    try:
        stubber = importlib.import_module("pytest_ecr.backends.stubber")
    except ImportError:  # pragma: no cover - the stubber is part of the package
        return classes
    classes.append(("`EcrStubber` — the `ecr_stubber` fixture", stubber.EcrStubber))
    return classes


def _other_names() -> list[tuple[str, object]]:
    """Every name of ``pytest_ecr.__all__`` without a section of its own above."""
    import pytest_ecr

    shown = {cls.__name__ for _, cls in _api_classes()}
    return [
        (name, getattr(pytest_ecr, name))
        for name in pytest_ecr.__all__
        if name not in shown and not name.startswith("_")
    ]


#: The ``Literal`` types (pytest_ecr/_literals.py, generated from botocore's ECR model).
_TYPE_DOCS = {
    "EcrOperationName": "An ECR API operation name, such as `BatchGetImage`.",
    "EcrOperationMethod": "A boto3 client method of an ECR operation, such as `batch_get_image`.",
    "EcrOperation": (
        "`EcrOperationName` or `EcrOperationMethod`: the `operation` of `calls()`, "
        "`fault()`, `ecr_stubber.expect`."
    ),
    "EcrErrorCode": "An error code some ECR operation answers: the type of `error=`.",
    "ImageFailureCode": "ECR's per-image failure codes: the type of `failure=`.",
}


def _kind(value: object) -> str:
    if typing.get_origin(value) in (typing.Literal, typing.Union):
        return "type"
    if not inspect.isclass(value):
        return "value"
    if issubclass(value, Warning):
        return "warning"
    return "exception" if issubclass(value, BaseException) else "class"


def _other_names_table() -> str:
    rows = ["| Name | What it is |", "| --- | --- |"]
    for name, value in _other_names():
        doc = inspect.getdoc(value) if inspect.isclass(value) else _TYPE_DOCS.get(name, "")
        first = (doc or "").split("\n\n", 1)[0]
        kind = _kind(value)
        rows.append(f"| `{name}` ({kind}) | {_cell(first) or '—'} |")
    return "### Other names of `pytest_ecr`\n\n" + "\n".join(rows)


def render_api() -> str:
    parts = []
    for title, cls in _api_classes():
        doc = _paragraphs(inspect.getdoc(cls) or "")
        if cls.__name__ == "FakeEcr":
            doc = f"`FakeEcr{inspect.signature(cls)}`\n\n" + doc
        rows = ["| Member | Description |", "| --- | --- |"]
        for name, shown, member_doc in _members(cls):
            first = member_doc.split("\n\n", 1)[0]
            rows.append(f"| `{_cell(shown)}` | {_cell(first) or '—'} |")
            del name
        parts.append(f"### {title}\n\n{doc}\n\n" + "\n".join(rows))
    parts.append(_other_names_table())
    return "\n\n".join(parts)


def render_cli() -> str:
    from pytest_ecr.cli import build_parser

    def formatter(prog: str) -> argparse.HelpFormatter:
        # A fixed width, so the page does not depend on the terminal that built it.
        return argparse.HelpFormatter(prog, width=88)

    parser = build_parser()
    parser.formatter_class = formatter
    parts = [f"```text\n$ pytest-ecr --help\n{parser.format_help().rstrip()}\n```"]
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in getattr(action, "choices", {}).items():
            sub.formatter_class = formatter
            parts.append(
                f"### `pytest-ecr {name}`\n\n```text\n$ pytest-ecr {name} --help\n"
                f"{sub.format_help().rstrip()}\n```"
            )
    return "\n\n".join(parts)


SECTIONS: dict[str, Callable[[], str]] = {
    "fixtures": render_fixtures,
    "markers": render_markers,
    "options": render_options,
    "ini": render_ini,
    "declaration": render_declaration,
    "faults": render_faults,
    "api": render_api,
    "cli": render_cli,
}


def expand(markdown: str) -> str:
    """*markdown* with every ``<!-- generated: NAME -->`` line replaced by its section."""

    def section(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in SECTIONS:
            raise KeyError(f"unknown generated section {name!r}; known: {', '.join(SECTIONS)}")
        return SECTIONS[name]()

    return GENERATED.sub(section, markdown)


if __name__ == "__main__":
    for requested in sys.argv[1:] or list(SECTIONS):
        print(SECTIONS[requested]())
        print()
