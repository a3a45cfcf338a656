"""Shape checks: one declared value's type, keys, enum or pattern, as :class:`Problem` s.

Each check takes the :class:`Report` of its source and the mapping that holds the value,
records what is wrong (with the line of the key and its YAML path) and returns the value
as the model wants it, or a fallback. A value the YAML reader already reported
(:data:`~pytest_ecr.declarations.yamlread.INVALID`) is skipped without a second problem.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_ecr.declarations.format import (
    ACCOUNT_HINT,
    DEFAULT_MEDIA_TYPE,
    DEFAULT_TAG_MUTABILITY,
    DIGEST_HINT,
    FAILURE_CODE_HINT,
    FAILURE_CODES,
    FAILURE_KEYS,
    NAME_HINT,
    PUSHED_AT_HINT,
    REGION_HINT,
    REGION_SHORT_HINT,
    TAG_HINT,
    TAG_MUTABILITIES,
    TAG_MUTABILITY_HINT,
    VERSION,
)
from pytest_ecr.declarations.problems import Problem, describe, expected_hint, join_path
from pytest_ecr.declarations.yamlread import INVALID, Lines
from pytest_ecr.model import DEFAULT_FAILURE_REASONS, ImageFailure, TagMutability
from pytest_ecr.model.names import (
    IMAGE_TAG_MAX_LENGTH,
    IMAGE_TAG_RE,
    REGION_RE,
    REGISTRY_ID_RE,
    REPOSITORY_NAME_MAX_LENGTH,
    REPOSITORY_NAME_MIN_LENGTH,
    REPOSITORY_NAME_RE,
    SHA256_DIGEST_RE,
)

#: 9999-12-31T23:59:59Z: the last time botocore (datetime) can read back.
LATEST_TIME: Final = 253_402_300_799.0

#: A key that is absent (``mapping.get(key, MISSING)``), told apart from ``null``.
MISSING: Final[Any] = object()

# Bound once: CPython 3.11 calls a method of an imported name through LOAD_ATTR (it
# assumes a module), which builds a bound method on every call of these hot checks.
_account_match: Final = REGISTRY_ID_RE.fullmatch
_region_match: Final = REGION_RE.fullmatch
_name_match: Final = REPOSITORY_NAME_RE.fullmatch
_tag_match: Final = IMAGE_TAG_RE.fullmatch
_digest_match: Final = SHA256_DIGEST_RE.fullmatch
_default_reason: Final = DEFAULT_FAILURE_REASONS.get


class Report:
    """The problems of one source, each placed by file, line and YAML path.

    *lines* is the YAML reader's line table, ``None`` for a mapping given from Python
    (whose problems carry no line).
    """

    __slots__ = ("lines", "problems", "source")

    def __init__(self, source: str, lines: Lines | None) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, container: object, key: object = None) -> int | None:
        """The line of *key* in *container*, else of *container* itself."""
        lines = self.lines
        if lines is None:
            return None
        if key is not None:
            found = lines.child(container, key)
            if found is not None:
                return found
        return lines.line(container)

    def problem(
        self, container: object, key: object, path: str, message: str, hint: str | None = None
    ) -> None:
        """Record *message* at *key* of *container* (YAML path *path*)."""
        self.problems.append(Problem(self.source, self.line(container, key), path, message, hint))

    def wrong(
        self,
        container: object,
        key: object,
        path: str,
        what: str,
        value: object,
        hint: str | None = None,
    ) -> None:
        """Record ``expected <what>, found <value>``."""
        self.problem(container, key, path, f"expected {what}, found {describe(value)}", hint)

    def unknown_keys(self, mapping: Mapping[Any, Any], path: str, allowed: Sequence[str]) -> None:
        """Record every key of *mapping* not in *allowed*, with the closest allowed one."""
        for key in mapping:
            if key not in allowed:
                self.problem(
                    mapping, key, path, f"unknown key {key!r}", expected_hint(key, allowed)
                )


def is_int(value: object) -> bool:
    """Whether *value* is an integer and not a boolean (YAML ``true`` is an ``int``)."""
    return isinstance(value, int) and not isinstance(value, bool)


# -- the document and its repositories ---------------------------------------------------


def version(report: Report, data: Mapping[Any, Any]) -> None:
    """``version:``: required, and :data:`~pytest_ecr.declarations.format.VERSION`."""
    value = data.get("version", MISSING)
    if value is MISSING:
        report.problem(data, None, "", "missing required key 'version'", "start with `version: 1`")
    elif value is INVALID or (value == VERSION and is_int(value)):
        return
    elif is_int(value):
        report.problem(
            data,
            "version",
            "version",
            f"unsupported version {value}",
            f"this pytest-ecr reads `version: {VERSION}`",
        )
    else:
        report.wrong(
            data,
            "version",
            "version",
            f"the number {VERSION}",
            value,
            f"write `version: {VERSION}`",
        )


def account(report: Report, mapping: Mapping[Any, Any], path: str) -> str | None:
    """``account:`` of the document or of a repository; ``None`` when absent or wrong."""
    value = mapping.get("account", MISSING)
    if value is MISSING or value is INVALID:
        return None
    where = join_path(path, "account")
    if isinstance(value, str):
        if _account_match(value):
            return value
        report.problem(
            mapping,
            "account",
            where,
            f"expected 12 digits, found {describe(value)}",
            ACCOUNT_HINT,
        )
    elif is_int(value):
        quoted = f'"{value}"' if len(str(value)) == 12 else '"123456789012"'
        report.wrong(
            mapping,
            "account",
            where,
            "a string of 12 digits",
            value,
            f"quote it, as in account: {quoted}; YAML reads unquoted digits as a number "
            "and drops leading zeros",
        )
    else:
        report.wrong(mapping, "account", where, "a string of 12 digits", value)
    return None


def region(report: Report, mapping: Mapping[Any, Any], path: str) -> str | None:
    """``region:`` of the document or of a repository; ``None`` when absent or wrong."""
    value = mapping.get("region", MISSING)
    if value is MISSING or value is INVALID:
        return None
    where = join_path(path, "region")
    if isinstance(value, str) and _region_match(value):
        return value
    if isinstance(value, str):
        report.problem(mapping, "region", where, f"invalid region {value!r}", REGION_HINT)
    else:
        report.wrong(mapping, "region", where, "a region name", value, REGION_SHORT_HINT)
    return None


def repository_name(
    report: Report, parent: Any, index: int, entry: Mapping[Any, Any], path: str
) -> str | None:
    """A repository's required ``name:``; ``None`` when absent or wrong."""
    value = entry.get("name", MISSING)
    if value is MISSING:
        report.problem(
            parent,
            index,
            path,
            "missing required key 'name'",
            "every repository needs `name:`, like `name: team/api`",
        )
        return None
    if value is INVALID:
        return None
    where = join_path(path, "name")
    if not isinstance(value, str):
        report.wrong(entry, "name", where, "a string", value, NAME_HINT)
    elif not REPOSITORY_NAME_MIN_LENGTH <= len(
        value
    ) <= REPOSITORY_NAME_MAX_LENGTH or not _name_match(value):
        report.problem(entry, "name", where, f"invalid repository name {value!r}", NAME_HINT)
    else:
        return value
    return None


def tag_mutability(report: Report, entry: Mapping[Any, Any], path: str) -> TagMutability:
    """A repository's ``tag_mutability:``; the default when absent or wrong."""
    value = entry.get("tag_mutability", MISSING)
    if value is MISSING or value is INVALID:
        return DEFAULT_TAG_MUTABILITY
    where = join_path(path, "tag_mutability")
    if isinstance(value, str) and value in TAG_MUTABILITIES:
        return TagMutability(value)
    if isinstance(value, str):
        report.problem(
            entry,
            "tag_mutability",
            where,
            f"unknown tag_mutability {value!r}",
            expected_hint(value, TAG_MUTABILITIES),
        )
    else:
        report.wrong(entry, "tag_mutability", where, "a string", value, TAG_MUTABILITY_HINT)
    return DEFAULT_TAG_MUTABILITY


# -- an image's values -------------------------------------------------------------------


def tags(report: Report, entry: Mapping[Any, Any], path: str) -> tuple[str, ...]:
    """An image's ``tags:``, each valid and listed once; the good ones when some are not."""
    value = entry.get("tags", MISSING)
    if value is MISSING or value is INVALID:
        return ()
    where = join_path(path, "tags")
    if isinstance(value, str):
        report.wrong(entry, "tags", where, "a list of strings", value, f"write `tags: [{value}]`")
        return ()
    if not isinstance(value, (list, tuple)):
        report.wrong(entry, "tags", where, "a list of strings", value)
        return ()
    found: list[str] = []
    seen: set[str] = set()
    for index, tag in enumerate(value):
        if tag is INVALID:
            continue
        at = f"{where}[{index}]"
        if not isinstance(tag, str):
            report.problem(
                value,
                index,
                at,
                f"a tag must be a string, found {describe(tag)}",
                "quote it, so YAML keeps it a string" if tag is not None else None,
            )
        elif len(tag) > IMAGE_TAG_MAX_LENGTH or not _tag_match(tag):
            report.problem(value, index, at, f"invalid tag {tag[:80]!r}", TAG_HINT)
        elif tag in seen:
            report.problem(
                value,
                index,
                at,
                f"tag {tag!r} is listed twice for this image",
                "list each tag once",
            )
        else:
            seen.add(tag)
            found.append(tag)
    return tuple(found)


def media_type(report: Report, entry: Mapping[Any, Any], path: str) -> Any:
    """The ``media_type`` given, ``None`` when absent, :data:`INVALID` when wrong."""
    value = entry.get("media_type", MISSING)
    if value is MISSING:
        return None
    if value is INVALID:
        return INVALID
    if isinstance(value, str) and value:
        return value
    report.wrong(
        entry,
        "media_type",
        join_path(path, "media_type"),
        "a media type string",
        value,
        f"like {DEFAULT_MEDIA_TYPE!r}",
    )
    return INVALID


def _timestamp(value: dt.datetime) -> float:
    # Naive times are UTC: a declaration must mean the same on every machine.
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def _iso_seconds(text: str) -> float:
    """Epoch seconds of ISO-8601 *text* (``Z`` allowed); :class:`ValueError` if not one."""
    text = text.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    return _timestamp(dt.datetime.fromisoformat(text))


def pushed_at(
    report: Report,
    entry: Mapping[Any, Any],
    path: str,
    default: float,
    key: str = "pushed_at",
) -> float:
    """An image's ``pushed_at:`` (or another time, *key*) in epoch seconds; *default*
    when absent or wrong."""
    value = entry.get(key, MISSING)
    if value is MISSING or value is INVALID:
        return default
    where = join_path(path, key)
    seconds: float | None = None
    if isinstance(value, dt.datetime):
        seconds = _timestamp(value)
    elif isinstance(value, dt.date):
        seconds = _timestamp(dt.datetime(value.year, value.month, value.day))
    elif isinstance(value, str):
        try:
            seconds = _iso_seconds(value)
        except ValueError:
            report.problem(entry, key, where, f"cannot read {value!r} as a time", PUSHED_AT_HINT)
            return default
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value):
            seconds = float(value)
    else:
        report.wrong(entry, key, where, "a time", value, PUSHED_AT_HINT)
        return default
    if seconds is None or not 0 <= seconds <= LATEST_TIME:
        report.problem(
            entry,
            key,
            where,
            f"expected a time from 1970 to 9999, found {describe(value)}",
            PUSHED_AT_HINT,
        )
        return default
    return seconds


def _failure_code(report: Report, value: Mapping[Any, Any], where: str) -> str | None:
    """``failure.code``: required, one of ECR's ``ImageFailureCode`` values."""
    code = value.get("code", MISSING)
    if code is MISSING:
        report.problem(value, None, where, "missing required key 'code'", FAILURE_CODE_HINT)
    elif code is INVALID:
        pass
    elif not isinstance(code, str):
        report.wrong(value, "code", join_path(where, "code"), "a string", code, FAILURE_CODE_HINT)
    elif code not in FAILURE_CODES:
        report.problem(
            value,
            "code",
            join_path(where, "code"),
            f"unknown failure code {code!r}",
            expected_hint(code, FAILURE_CODES),
        )
    else:
        return code
    return None


def failure(report: Report, entry: Mapping[Any, Any], path: str) -> ImageFailure | None:
    """An image's ``failure:`` mapping; ``None`` when absent or wrong."""
    value = entry.get("failure", MISSING)
    if value is MISSING or value is INVALID:
        return None
    where = join_path(path, "failure")
    if not isinstance(value, Mapping):
        example = value if isinstance(value, str) else "KmsError"
        report.wrong(
            entry, "failure", where, "a mapping", value, f"write `failure: {{code: {example}}}`"
        )
        return None
    report.unknown_keys(value, where, FAILURE_KEYS)
    code = _failure_code(report, value, where)
    reason = value.get("reason", MISSING)
    ok = code is not None
    if reason is INVALID:
        ok = False
    elif reason is not MISSING and not isinstance(reason, str):
        report.wrong(value, "reason", join_path(where, "reason"), "a string", reason)
        ok = False
    if not ok or code is None:
        return None
    text = _default_reason(code, "") if reason is MISSING else reason
    return ImageFailure(code, text)


def digest(report: Report, entry: Mapping[Any, Any], path: str) -> str | None:
    """An image's expected ``digest:``; ``None`` when absent or wrong."""
    value = entry.get("digest", MISSING)
    if value is MISSING or value is INVALID:
        return None
    where = join_path(path, "digest")
    if not isinstance(value, str):
        report.wrong(entry, "digest", where, "a string", value, DIGEST_HINT)
    elif not _digest_match(value):
        report.problem(entry, "digest", where, f"invalid digest {value!r}", DIGEST_HINT)
    else:
        return value
    return None


__all__ = [
    "MISSING",
    "Report",
    "account",
    "digest",
    "failure",
    "is_int",
    "media_type",
    "pushed_at",
    "region",
    "repository_name",
    "tag_mutability",
    "tags",
    "version",
]
