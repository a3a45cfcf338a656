"""Shape checks of an image's ``platforms:`` list (see :mod:`pytest_ecr.declarations.shapes`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_ecr.declarations.format import PLATFORM_HINT, PLATFORMS_EXAMPLE
from pytest_ecr.declarations.platforms import Platform, PlatformError, parse_platform
from pytest_ecr.declarations.problems import describe, join_path
from pytest_ecr.declarations.shapes import MISSING, Report
from pytest_ecr.declarations.yamlread import INVALID


def _platform_items(report: Report, value: Sequence[Any], where: str) -> Any:
    """Each item of a ``platforms:`` list read, or :data:`INVALID` if one is wrong."""
    found: list[Platform] = []
    ok = True
    for position, item in enumerate(value):
        at = f"{where}[{position}]"
        if item is INVALID:
            ok = False
            continue
        if not isinstance(item, str):
            report.problem(
                value,
                position,
                at,
                f"a platform must be a string, found {describe(item)}",
                PLATFORM_HINT,
            )
            ok = False
            continue
        try:
            platform = parse_platform(item)
        except PlatformError as exc:
            report.problem(value, position, at, exc.message, exc.hint)
            ok = False
            continue
        if platform in found:
            report.problem(
                value,
                position,
                at,
                f"platform {item!r} is listed twice for this image",
                "list each platform once",
            )
            ok = False
            continue
        found.append(platform)
    return tuple(found) if ok else INVALID


def platforms(report: Report, entry: Mapping[Any, Any], path: str) -> Any:
    """The platforms given (a tuple), ``None`` when absent, :data:`INVALID` when wrong."""
    value = entry.get("platforms", MISSING)
    if value is MISSING:
        return None
    if value is INVALID:
        return INVALID
    where = join_path(path, "platforms")
    if isinstance(value, str):
        report.wrong(
            entry,
            "platforms",
            where,
            "a list of platforms",
            value,
            f"write `platforms: [{value}]`",
        )
        return INVALID
    if not isinstance(value, (list, tuple)):
        report.wrong(entry, "platforms", where, "a list of platforms", value, PLATFORMS_EXAMPLE)
        return INVALID
    if not value:
        report.problem(
            entry,
            "platforms",
            where,
            "a manifest list needs at least one platform",
            PLATFORMS_EXAMPLE,
        )
        return INVALID
    return _platform_items(report, value, where)


__all__ = ["platforms"]
