"""Reading one declaration source: a file, YAML text or a mapping."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from pytest_ecr.declarations.files import DECLARATION_MAX_BYTES, FileRefused, read_regular
from pytest_ecr.declarations.problems import DeclarationError, Problem, sort_problems
from pytest_ecr.declarations.schema import Validator
from pytest_ecr.declarations.specs import Declaration
from pytest_ecr.declarations.yamlread import read_yaml

#: A declaration source: a file path, YAML text (a ``str`` with a newline) or a mapping.
Source: TypeAlias = str | os.PathLike[str] | Mapping[str, Any]

#: ``Problem.source`` of sources that are not files.
MAPPING_SOURCE = "<mapping>"
TEXT_SOURCE = "<text>"


@dataclass(frozen=True, slots=True, eq=False)
class Parsed:
    """The outcome of reading one source: a declaration, or the problems found."""

    declaration: Declaration | None
    problems: tuple[Problem, ...]
    #: Manifest files the source read, which a cache must watch as well as the source.
    files: tuple[Path, ...]
    #: sha256 (hex) of the bytes read from each of ``files``, in the same order.
    file_hashes: tuple[str, ...] = ()


def is_text(source: object) -> bool:
    """Whether *source* is YAML text rather than a path: a ``str`` with a newline."""
    return isinstance(source, str) and "\n" in source


def source_path(source: str | os.PathLike[str], base_dir: Path) -> Path:
    """Where a path source points: relative paths start at *base_dir*."""
    return base_dir / os.fspath(source)


def _finish(validator: Validator, data: Any, problems: list[Problem]) -> Parsed:
    declaration = validator.document(data)
    problems.extend(validator.problems)
    files, hashes = tuple(validator.files), tuple(validator.file_hashes)
    if problems:
        return Parsed(None, tuple(sort_problems(problems)), files, hashes)
    return Parsed(declaration, (), files, hashes)


def parse_text(
    text: str | bytes,
    base_dir: Path,
    *,
    source: str = TEXT_SOURCE,
    relative_to: str | None = None,
) -> Parsed:
    """Read YAML *text* (a string, or bytes checked to be UTF-8); ``manifest_file`` paths
    start at *base_dir*."""
    data, lines, problems = read_yaml(text, source)
    validator = Validator(
        source, lines, base_dir, relative_to=relative_to or f"{base_dir} (the base directory)"
    )
    return _finish(validator, data, problems)


def parse_mapping(mapping: Mapping[Any, Any], base_dir: Path) -> Parsed:
    """Check an already-parsed mapping (no lines to report)."""
    validator = Validator(
        MAPPING_SOURCE, None, base_dir, relative_to=f"{base_dir} (the base directory)"
    )
    return _finish(validator, mapping, [])


def parse_file(path: Path, given: str, base_dir: Path) -> Parsed:
    """Read the declaration file *path* (*given* is how the caller named it)."""
    data = read_file(path, given, base_dir)
    if isinstance(data, Parsed):
        return data
    return parse_file_data(path, data)


def read_file(path: Path, given: str, base_dir: Path) -> bytes | Parsed:
    """The bytes of the declaration file *path*, or the problem reading it."""
    source = str(path)

    def failed(message: str, hint: str | None = None) -> Parsed:
        return Parsed(None, (Problem(source, None, "", message, hint),), ())

    relative = not Path(given).is_absolute()
    looked = f"{given} resolved against {base_dir}" if relative else None
    try:
        data = read_regular(path, DECLARATION_MAX_BYTES)
    except FileRefused as exc:
        return failed(
            f"cannot read the declaration file: {exc}",
            "a declaration is a regular YAML file" + (f" ({looked})" if looked else ""),
        )
    except FileNotFoundError:
        hint = looked
        if ": " in given or given.startswith("version"):
            hint = (f"{looked}; " if looked else "") + (
                "a string without a newline is a file path; YAML text needs at least one newline"
            )
        return failed("declaration file not found", hint)
    except IsADirectoryError:
        return failed("a declaration must be a file, not a directory", looked)
    except OSError as exc:
        return failed(f"cannot read the declaration file: {exc.strerror or exc}", looked)
    return data


def parse_file_data(path: Path, data: bytes) -> Parsed:
    """Check *data*, the bytes read from the declaration file *path*."""
    source = str(path)
    try:
        if not data.isascii():  # checked, not kept: the parser reads UTF-8 bytes itself
            data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Parsed(
            None,
            (
                Problem(
                    source,
                    data.count(b"\n", 0, exc.start) + 1,
                    "",
                    f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                    "save the file as UTF-8",
                ),
            ),
            (),
        )
    return parse_text(
        data,
        path.parent,
        source=source,
        relative_to=f"{path.parent} (the directory of the declaring file)",
    )


def parse(source: object, base_dir: Path) -> Parsed:
    """Read any kind of source; bad input gives problems, never an exception."""
    if isinstance(source, str) and "\n" in source:
        return parse_text(source, base_dir)
    if isinstance(source, (str, os.PathLike)):
        given = os.fspath(source)
        if not isinstance(given, str):
            return Parsed(
                None,
                (Problem(repr(source), None, "", "a declaration path must be text, not bytes"),),
                (),
            )
        return parse_file(base_dir / given, given, base_dir)
    if isinstance(source, Mapping):
        return parse_mapping(source, base_dir)
    return Parsed(
        None,
        (
            Problem(
                f"<{type(source).__name__}>",
                None,
                "",
                "a declaration source is a file path, YAML text or a mapping, "
                f"found a {type(source).__name__}",
            ),
        ),
        (),
    )


def base_path(base_dir: str | os.PathLike[str] | None) -> Path:
    """*base_dir* as an absolute path; the current directory when ``None``."""
    return Path.cwd() if base_dir is None else Path(base_dir).absolute()


def load_declaration(
    source: Source, *, base_dir: str | os.PathLike[str] | None = None
) -> Declaration:
    """Read and check one declaration source.

    *source* is one of:

    * a ``str`` that contains a newline: YAML text;
    * any other ``str``, or an :class:`os.PathLike`: the path of a YAML file, relative
      paths resolved against *base_dir* (default: the current directory);
    * a :class:`~collections.abc.Mapping`: the already-parsed content (no line numbers).

    ``manifest_file`` paths start at the declaring file's directory, or at *base_dir* for
    text and mappings. Raises :class:`DeclarationError` listing every problem of the source.
    """
    parsed = parse(source, base_path(base_dir))
    if parsed.declaration is None:
        raise DeclarationError(parsed.problems)
    return parsed.declaration
