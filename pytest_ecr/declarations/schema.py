"""The ``version: 1`` declaration format: plain values in, a :class:`Declaration` out.

The same checks run on YAML documents (with a line table, so problems carry lines) and on
mappings given from Python (without one). Every problem is collected; nothing stops at
the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from pytest_ecr.declarations.manifests import NotJson, json_ready, write_json
from pytest_ecr.declarations.platforms import (
    PLATFORM_HINT,
    Platform,
    PlatformError,
    parse_platform,
)
from pytest_ecr.declarations.problems import Problem, describe, expected_hint, join_path
from pytest_ecr.declarations.specs import (
    Declaration,
    FaultEntry,
    ImageSpec,
    RepositorySpec,
    fault_origin,
)
from pytest_ecr.declarations.synthetic import (
    CHILD_MEDIA_TYPES,
    SYNTHETIC_MEDIA_TYPES,
    synthetic_index,
    synthetic_manifest,
)
from pytest_ecr.declarations.yamlread import INVALID, NO_DOCUMENT, Lines
from pytest_ecr.faults import FAULT_HINT, FaultSpecError, parse_fault
from pytest_ecr.model import (
    DEFAULT_FAILURE_REASONS,
    IMAGE_FAILURE_CODES,
    Image,
    ImageFailure,
    MediaType,
    TagMutability,
    is_valid_digest,
)

#: The format version this module reads.
VERSION: Final = 1

TOP_KEYS: Final = ("version", "account", "region", "repositories", "faults")
REPOSITORY_KEYS: Final = ("name", "account", "region", "tag_mutability", "images")
IMAGE_KEYS: Final = (
    "tags",
    "manifest",
    "manifest_text",
    "manifest_file",
    "media_type",
    "platforms",
    "digest",
    "pushed_at",
    "failure",
)
MANIFEST_KEYS: Final = ("manifest", "manifest_text", "manifest_file")
FAILURE_KEYS: Final = ("code", "reason")

#: The media type of a synthetic manifest, and of a declared one without ``mediaType``.
DEFAULT_MEDIA_TYPE: Final = MediaType.DOCKER_V2
#: The list types ``platforms:`` can generate, the default first.
LIST_MEDIA_TYPES: Final = (MediaType.DOCKER_LIST, MediaType.OCI_INDEX)
_PLATFORMS_EXAMPLE = "like `platforms: [linux/amd64, linux/arm64]`"
#: 2024-01-01T00:00:00Z: image ``i`` of a repository is pushed ``i`` seconds after it,
#: unless it says ``pushed_at``, so declaration order is push order.
DEFAULT_PUSHED_AT: Final = 1_704_067_200.0

_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
# ECR's current RepositoryName pattern (it allows '__' and runs of '-').
_REPOSITORY = re.compile(r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_MUTABILITIES: Final = tuple(m.value for m in TagMutability)

_NAME_HINT = (
    "2 to 256 characters: lowercase letters and digits, joined by '.', '_', '__' or "
    "runs of '-', with '/' between path components, like 'team/api'"
)
_TAG_HINT = "1 to 300 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'"
_PUSHED_AT_HINT = "an ISO-8601 time like 2024-05-01T12:00:00Z, or epoch seconds"

_MISSING: Final[Any] = object()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _timestamp(value: dt.datetime) -> float:
    # Naive times are UTC: a declaration must mean the same on every machine.
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


class Validator:
    """Checks one source's values and builds its :class:`Declaration`."""

    def __init__(
        self,
        source: str,
        lines: Lines | None,
        base_dir: Path,
        *,
        relative_to: str,
    ) -> None:
        self.source = source
        self.lines = lines
        #: Where ``manifest_file`` paths start; *relative_to* names it in messages.
        self.base_dir = base_dir
        self.relative_to = relative_to
        self.problems: list[Problem] = []
        #: Manifest files read, so a cache can tell when they change, and sha256 (hex) of
        #: the bytes read from each.
        self.files: list[Path] = []
        self.file_hashes: list[str] = []

    # -- reporting -------------------------------------------------------------------

    def line(self, container: object, key: object = None) -> int | None:
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
        self.problems.append(Problem(self.source, self.line(container, key), path, message, hint))

    def unknown_keys(self, mapping: Mapping[Any, Any], path: str, allowed: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(
                    mapping,
                    key,
                    path,
                    f"unknown key {key!r}",
                    expected_hint(key, allowed),
                )

    def wrong(
        self,
        container: object,
        key: object,
        path: str,
        what: str,
        value: object,
        hint: str | None = None,
    ) -> None:
        self.problem(container, key, path, f"expected {what}, found {describe(value)}", hint)

    # -- the document ----------------------------------------------------------------

    def document(self, data: Any) -> Declaration | None:
        if data is NO_DOCUMENT or data is None:
            self.problems.append(
                Problem(
                    self.source,
                    None,
                    "",
                    "empty declaration",
                    "start with `version: 1`, then `repositories:`",
                )
            )
            return None
        if data is INVALID:
            return None
        if not isinstance(data, Mapping):
            self.problem(
                data,
                None,
                "",
                f"a declaration must be a mapping, found {describe(data)}",
                "start with `version: 1`",
            )
            return None
        self.unknown_keys(data, "", TOP_KEYS)
        self.version(data)
        account = self.account(data, "")
        region = self.region(data, "")
        repositories = self.repositories(data)
        faults = self.faults(data)
        if self.problems:
            return None
        return Declaration(self.source, account, region, repositories, faults)

    def version(self, data: Mapping[Any, Any]) -> None:
        value = data.get("version", _MISSING)
        if value is _MISSING:
            self.problem(
                data, None, "", "missing required key 'version'", "start with `version: 1`"
            )
        elif value is INVALID or (value == VERSION and _is_int(value)):
            return
        elif _is_int(value):
            self.problem(
                data,
                "version",
                "version",
                f"unsupported version {value}",
                f"this pytest-ecr reads `version: {VERSION}`",
            )
        else:
            self.wrong(
                data,
                "version",
                "version",
                f"the number {VERSION}",
                value,
                f"write `version: {VERSION}`",
            )

    def account(self, mapping: Mapping[Any, Any], path: str) -> str | None:
        value = mapping.get("account", _MISSING)
        if value is _MISSING or value is INVALID:
            return None
        where = join_path(path, "account")
        if isinstance(value, str):
            if _ACCOUNT.fullmatch(value):
                return value
            self.problem(
                mapping,
                "account",
                where,
                f"expected 12 digits, found {describe(value)}",
                "an AWS account id is 12 digits, like '123456789012'",
            )
        elif _is_int(value):
            quoted = f'"{value}"' if len(str(value)) == 12 else '"123456789012"'
            self.wrong(
                mapping,
                "account",
                where,
                "a string of 12 digits",
                value,
                f"quote it, as in account: {quoted}; YAML reads unquoted digits as a number "
                "and drops leading zeros",
            )
        else:
            self.wrong(mapping, "account", where, "a string of 12 digits", value)
        return None

    def region(self, mapping: Mapping[Any, Any], path: str) -> str | None:
        value = mapping.get("region", _MISSING)
        if value is _MISSING or value is INVALID:
            return None
        where = join_path(path, "region")
        if isinstance(value, str) and _REGION.fullmatch(value):
            return value
        if isinstance(value, str):
            self.problem(
                mapping,
                "region",
                where,
                f"invalid region {value!r}",
                "a region looks like 'us-east-1' or 'ap-southeast-2'",
            )
        else:
            self.wrong(
                mapping, "region", where, "a region name", value, "a region looks like 'us-east-1'"
            )
        return None

    def faults(self, data: Mapping[Any, Any]) -> tuple[FaultEntry, ...]:
        value = data.get("faults", _MISSING)
        if value is _MISSING or value is INVALID:
            return ()
        if not isinstance(value, (list, tuple)):
            self.wrong(data, "faults", "faults", "a list of fault mappings", value)
            return ()
        entries = []
        for index, spec in enumerate(value):
            path = f"faults[{index}]"
            if spec is INVALID:
                continue
            if not isinstance(spec, Mapping):
                self.problem(
                    value,
                    index,
                    path,
                    f"a fault must be a mapping, found {describe(spec)}",
                    "write `- {operation: BatchGetImage, error: ServerException}`",
                )
                continue
            entry = self.fault(dict(spec), self.line(value, index), path)
            if entry is not None:
                entries.append(entry)
        return tuple(entries)

    def fault(self, spec: dict[Any, Any], line: int | None, path: str) -> FaultEntry | None:
        """One fault mapping through the fault parser, its problems noted with the others."""
        # A value already reported (INVALID) is left out, so it is not reported again.
        fields = {key: item for key, item in spec.items() if item is not INVALID}
        try:
            fault = parse_fault(fields, fault_origin(self.source, line, path))
        except FaultSpecError as error:
            self.problems.extend(
                Problem(self.source, line, path, message, FAULT_HINT) for message in error.problems
            )
            return None
        return FaultEntry(MappingProxyType(spec), self.source, line, path, fault)

    # -- repositories ----------------------------------------------------------------

    def repositories(self, data: Mapping[Any, Any]) -> tuple[RepositorySpec, ...]:
        value = data.get("repositories", _MISSING)
        if value is _MISSING or value is INVALID:
            return ()
        if not isinstance(value, (list, tuple)):
            self.wrong(
                data,
                "repositories",
                "repositories",
                "a list of repositories",
                value,
                "write `repositories: [{name: team/api}]`, or `[]` for none",
            )
            return ()
        specs = []
        for index, entry in enumerate(value):
            spec = self.repository(value, index, entry)
            if spec is not None:
                specs.append(spec)
        return tuple(specs)

    def repository(self, parent: Any, index: int, entry: Any) -> RepositorySpec | None:
        path = f"repositories[{index}]"
        if entry is INVALID:
            return None
        if not isinstance(entry, Mapping):
            self.problem(
                parent,
                index,
                path,
                f"a repository must be a mapping, found {describe(entry)}",
                "write `- name: team/api`",
            )
            return None
        self.unknown_keys(entry, path, REPOSITORY_KEYS)
        name = self.repository_name(parent, index, entry, path)
        account = self.account(entry, path)
        region = self.region(entry, path)
        mutability = self.mutability(entry, path)
        images = self.images(entry, path, name or "")
        if name is None:
            return None
        return RepositorySpec(
            name, account, region, mutability, images, self.line(parent, index), path
        )

    def repository_name(
        self, parent: Any, index: int, entry: Mapping[Any, Any], path: str
    ) -> str | None:
        value = entry.get("name", _MISSING)
        if value is _MISSING:
            self.problem(
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
            self.wrong(entry, "name", where, "a string", value, _NAME_HINT)
        elif not 2 <= len(value) <= 256 or not _REPOSITORY.fullmatch(value):
            self.problem(entry, "name", where, f"invalid repository name {value!r}", _NAME_HINT)
        else:
            return value
        return None

    def mutability(self, entry: Mapping[Any, Any], path: str) -> TagMutability:
        value = entry.get("tag_mutability", _MISSING)
        if value is _MISSING or value is INVALID:
            return TagMutability.MUTABLE
        where = join_path(path, "tag_mutability")
        if isinstance(value, str) and value in _MUTABILITIES:
            return TagMutability(value)
        if isinstance(value, str):
            self.problem(
                entry,
                "tag_mutability",
                where,
                f"unknown tag_mutability {value!r}",
                expected_hint(value, _MUTABILITIES),
            )
        else:
            self.wrong(
                entry,
                "tag_mutability",
                where,
                "a string",
                value,
                f"expected one of: {', '.join(_MUTABILITIES)}",
            )
        return TagMutability.MUTABLE

    # -- images ----------------------------------------------------------------------

    def images(self, entry: Mapping[Any, Any], path: str, repository: str) -> tuple[ImageSpec, ...]:
        value = entry.get("images", _MISSING)
        if value is _MISSING or value is INVALID:
            return ()
        where = join_path(path, "images")
        if not isinstance(value, (list, tuple)):
            self.wrong(
                entry,
                "images",
                where,
                "a list of images",
                value,
                "write `images: [{tags: [latest]}]`, or `[]` for none",
            )
            return ()
        specs = []
        for index, image in enumerate(value):
            spec = self.image(value, index, image, f"{where}[{index}]", repository)
            if spec is not None:
                specs.append(spec)
        return tuple(specs)

    def image(
        self, parent: Any, index: int, entry: Any, path: str, repository: str
    ) -> ImageSpec | None:
        if entry is INVALID:
            return None
        if not isinstance(entry, Mapping):
            self.problem(
                parent,
                index,
                path,
                f"an image must be a mapping, found {describe(entry)}",
                "write `- tags: [latest]`, with a manifest or without one",
            )
            return None
        before = len(self.problems)
        self.unknown_keys(entry, path, IMAGE_KEYS)
        tags = self.tags(entry, path)
        media_type = self.media_type(entry, path)
        pushed_at = self.pushed_at(entry, path, DEFAULT_PUSHED_AT + index)
        failure = self.failure(entry, path)
        declared_digest = self.digest(entry, path)
        platforms = self.platforms(entry, path)
        kinds = [key for key in MANIFEST_KEYS if key in entry]
        if platforms is not None and kinds:
            self.problem(
                entry,
                kinds[0],
                path,
                f"platforms cannot be combined with {', '.join(kinds)}",
                "platforms generates the manifest list and its images; to declare a list "
                "yourself, drop platforms and declare each image it lists in this repository",
            )
            return None
        if len(kinds) > 1:
            self.problem(
                entry,
                kinds[1],
                path,
                f"an image takes at most one of {', '.join(MANIFEST_KEYS)}; "
                f"found {', '.join(kinds)}",
                "keep one; without any, the manifest is synthetic",
            )
            return None
        seed = f"{repository}/{index}/{','.join(tags)}"
        children: tuple[Image, ...] = ()
        image: Image | None
        if platforms is not None:
            if platforms is INVALID or media_type is INVALID:
                return None
            generated = self.generated_list(
                entry, path, media_type, seed, platforms, pushed_at, failure
            )
            if generated is None:
                return None
            image, children = generated
            what = "the generated manifest list"
        else:
            if kinds:
                kind = kinds[0]
                text = self.manifest(entry, kind, join_path(path, kind))
            else:
                kind = "media_type"
                text = self.synthetic(entry, path, media_type, seed, repository, tags)
            if text is None or media_type is INVALID:
                return None
            # Built even when other keys were wrong, so manifest problems are reported too.
            image = self.build(
                entry, kind, join_path(path, kind), text, media_type, pushed_at, failure
            )
            if image is None:
                return None
            what = "the manifest"
        if declared_digest is not None and declared_digest != image.digest:
            self.problem(
                entry,
                "digest",
                join_path(path, "digest"),
                f"digest {declared_digest} does not match {what}, whose digest is {image.digest}",
                "the digest is sha256 of the exact manifest bytes; fix it or leave it out",
            )
        if len(self.problems) != before:
            return None
        return ImageSpec(image, tags, self.line(parent, index), path, children)

    def platforms(self, entry: Mapping[Any, Any], path: str) -> Any:
        """The platforms given (a tuple), ``None`` when absent, :data:`INVALID` when wrong."""
        value = entry.get("platforms", _MISSING)
        if value is _MISSING:
            return None
        if value is INVALID:
            return INVALID
        where = join_path(path, "platforms")
        if isinstance(value, str):
            self.wrong(
                entry,
                "platforms",
                where,
                "a list of platforms",
                value,
                f"write `platforms: [{value}]`",
            )
            return INVALID
        if not isinstance(value, (list, tuple)):
            self.wrong(entry, "platforms", where, "a list of platforms", value, _PLATFORMS_EXAMPLE)
            return INVALID
        if not value:
            self.problem(
                entry,
                "platforms",
                where,
                "a manifest list needs at least one platform",
                _PLATFORMS_EXAMPLE,
            )
            return INVALID
        found: list[Platform] = []
        ok = True
        for position, item in enumerate(value):
            at = f"{where}[{position}]"
            if item is INVALID:
                ok = False
                continue
            if not isinstance(item, str):
                self.problem(
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
                self.problem(value, position, at, exc.message, exc.hint)
                ok = False
                continue
            if platform in found:
                self.problem(
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

    def generated_list(
        self,
        entry: Mapping[Any, Any],
        path: str,
        media_type: str | None,
        seed: str,
        platforms: tuple[Platform, ...],
        pushed_at: float,
        failure: ImageFailure | None,
    ) -> tuple[Image, tuple[Image, ...]] | None:
        """The list a ``platforms:`` entry generates, and its children (untagged)."""
        list_type = media_type or LIST_MEDIA_TYPES[0]
        if list_type not in LIST_MEDIA_TYPES:
            self.problem(
                entry,
                "media_type",
                join_path(path, "media_type"),
                f"media type {list_type!r} is not a manifest list type",
                "with platforms, media_type is the list's; "
                + expected_hint(list_type, LIST_MEDIA_TYPES),
            )
            return None
        text, texts = synthetic_index(list_type, seed, platforms)
        child_type = CHILD_MEDIA_TYPES[list_type]
        children = tuple(
            Image.from_manifest(child, media_type=child_type, pushed_at=pushed_at)
            for child in texts
        )
        image = Image.from_manifest(
            text, media_type=list_type, pushed_at=pushed_at, failure=failure
        )
        return image, children

    def tags(self, entry: Mapping[Any, Any], path: str) -> tuple[str, ...]:
        value = entry.get("tags", _MISSING)
        if value is _MISSING or value is INVALID:
            return ()
        where = join_path(path, "tags")
        if isinstance(value, str):
            self.wrong(entry, "tags", where, "a list of strings", value, f"write `tags: [{value}]`")
            return ()
        if not isinstance(value, (list, tuple)):
            self.wrong(entry, "tags", where, "a list of strings", value)
            return ()
        tags: list[str] = []
        seen: set[str] = set()
        for index, tag in enumerate(value):
            if tag is INVALID:
                continue
            at = f"{where}[{index}]"
            if not isinstance(tag, str):
                self.problem(
                    value,
                    index,
                    at,
                    f"a tag must be a string, found {describe(tag)}",
                    "quote it, so YAML keeps it a string" if tag is not None else None,
                )
            elif len(tag) > 300 or not _TAG.fullmatch(tag):
                self.problem(value, index, at, f"invalid tag {tag[:80]!r}", _TAG_HINT)
            elif tag in seen:
                self.problem(
                    value,
                    index,
                    at,
                    f"tag {tag!r} is listed twice for this image",
                    "list each tag once",
                )
            else:
                seen.add(tag)
                tags.append(tag)
        return tuple(tags)

    def media_type(self, entry: Mapping[Any, Any], path: str) -> Any:
        """The ``media_type`` given, ``None`` when absent, :data:`INVALID` when wrong."""
        value = entry.get("media_type", _MISSING)
        if value is _MISSING:
            return None
        if value is INVALID:
            return INVALID
        if isinstance(value, str) and value:
            return value
        self.wrong(
            entry,
            "media_type",
            join_path(path, "media_type"),
            "a media type string",
            value,
            f"like {DEFAULT_MEDIA_TYPE!r}",
        )
        return INVALID

    def pushed_at(self, entry: Mapping[Any, Any], path: str, default: float) -> float:
        value = entry.get("pushed_at", _MISSING)
        if value is _MISSING or value is INVALID:
            return default
        where = join_path(path, "pushed_at")
        seconds: float | None = None
        if isinstance(value, dt.datetime):
            seconds = _timestamp(value)
        elif isinstance(value, dt.date):
            seconds = _timestamp(dt.datetime(value.year, value.month, value.day))
        elif isinstance(value, str):
            text = value.strip()
            if text[-1:] in ("Z", "z"):
                text = text[:-1] + "+00:00"
            try:
                seconds = _timestamp(dt.datetime.fromisoformat(text))
            except ValueError:
                self.problem(
                    entry, "pushed_at", where, f"cannot read {value!r} as a time", _PUSHED_AT_HINT
                )
                return default
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isfinite(value):
                seconds = float(value)
        else:
            self.wrong(entry, "pushed_at", where, "a time", value, _PUSHED_AT_HINT)
            return default
        if seconds is None or seconds < 0:
            self.problem(
                entry,
                "pushed_at",
                where,
                f"expected a time after 1970, found {describe(value)}",
                _PUSHED_AT_HINT,
            )
            return default
        return seconds

    def failure(self, entry: Mapping[Any, Any], path: str) -> ImageFailure | None:
        value = entry.get("failure", _MISSING)
        if value is _MISSING or value is INVALID:
            return None
        where = join_path(path, "failure")
        if not isinstance(value, Mapping):
            example = value if isinstance(value, str) else "KmsError"
            self.wrong(
                entry, "failure", where, "a mapping", value, f"write `failure: {{code: {example}}}`"
            )
            return None
        self.unknown_keys(value, where, FAILURE_KEYS)
        code = value.get("code", _MISSING)
        reason = value.get("reason", _MISSING)
        ok = True
        if code is _MISSING:
            self.problem(
                value,
                None,
                where,
                "missing required key 'code'",
                f"expected one of: {', '.join(IMAGE_FAILURE_CODES)}",
            )
            ok = False
        elif code is INVALID:
            ok = False
        elif not isinstance(code, str):
            self.wrong(
                value,
                "code",
                join_path(where, "code"),
                "a string",
                code,
                f"expected one of: {', '.join(IMAGE_FAILURE_CODES)}",
            )
            ok = False
        elif code not in IMAGE_FAILURE_CODES:
            self.problem(
                value,
                "code",
                join_path(where, "code"),
                f"unknown failure code {code!r}",
                expected_hint(code, IMAGE_FAILURE_CODES),
            )
            ok = False
        if reason is INVALID:
            ok = False
        elif reason is not _MISSING and not isinstance(reason, str):
            self.wrong(value, "reason", join_path(where, "reason"), "a string", reason)
            ok = False
        if not ok:
            return None
        text = DEFAULT_FAILURE_REASONS.get(code, "") if reason is _MISSING else reason
        return ImageFailure(code, text)

    def digest(self, entry: Mapping[Any, Any], path: str) -> str | None:
        value = entry.get("digest", _MISSING)
        if value is _MISSING or value is INVALID:
            return None
        where = join_path(path, "digest")
        hint = "sha256: followed by 64 lowercase hex digits"
        if not isinstance(value, str):
            self.wrong(entry, "digest", where, "a string", value, hint)
        elif not (value.startswith("sha256:") and len(value) == 71 and is_valid_digest(value)):
            self.problem(entry, "digest", where, f"invalid digest {value!r}", hint)
        else:
            return value
        return None

    # -- manifests -------------------------------------------------------------------

    def manifest(self, entry: Mapping[Any, Any], kind: str, where: str) -> str | None:
        value = entry[kind]
        if value is INVALID:
            return None
        if kind == "manifest":
            if not isinstance(value, Mapping):
                self.wrong(
                    entry,
                    kind,
                    where,
                    "a mapping",
                    value,
                    "for exact text use manifest_text" if isinstance(value, str) else None,
                )
                return None
            before = len(self.problems)

            def report(
                container: object, key: object, at: str, message: str, hint: str | None
            ) -> None:
                self.problems.append(
                    Problem(self.source, self.line(container, key), at, message, hint)
                )

            try:
                try:
                    return write_json(value)
                except NotJson:
                    pass
                ready = json_ready(value, report, where)
                return write_json(ready) if len(self.problems) == before else None
            except ValueError as exc:  # an int beyond Python's int-to-text digit limit
                self.problem(entry, kind, where, f"cannot write the manifest as JSON: {exc}")
                return None
        if not isinstance(value, str):
            self.wrong(entry, kind, where, "a string", value)
            return None
        if kind == "manifest_text":
            return value
        return self.manifest_file(entry, where, value)

    def manifest_file(self, entry: Mapping[Any, Any], where: str, name: str) -> str | None:
        path = self.base_dir / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.problem(
                entry,
                "manifest_file",
                where,
                f"manifest file not found: {name}",
                f"looked for {path}; relative paths start at {self.relative_to}",
            )
            return None
        except OSError as exc:
            self.problem(
                entry,
                "manifest_file",
                where,
                f"cannot read manifest file {name}: {exc.strerror or exc}",
                f"looked for {path}",
            )
            return None
        self.files.append(path)
        self.file_hashes.append(hashlib.sha256(data).hexdigest())
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(
                entry,
                "manifest_file",
                where,
                f"manifest file {name} is not UTF-8: byte 0x{data[exc.start]:02x} at "
                f"offset {exc.start}",
                "ECR stores manifests as UTF-8 JSON",
            )
            return None

    def synthetic(
        self,
        entry: Mapping[Any, Any],
        path: str,
        media_type: Any,
        seed: str,
        repository: str,
        tags: tuple[str, ...],
    ) -> str | None:
        if media_type is INVALID:
            return None
        kind = media_type or DEFAULT_MEDIA_TYPE
        try:
            return synthetic_manifest(
                kind, seed, name=repository, tag=tags[0] if tags else "latest"
            )
        except ValueError as exc:
            where = join_path(path, "media_type")
            if kind in MediaType.LISTS:
                self.problem(
                    entry,
                    "media_type",
                    where,
                    "a synthetic manifest list needs `platforms:` to say which images it lists",
                    f"{_PLATFORMS_EXAMPLE}; or declare the manifest and each image it lists",
                )
            elif kind in MediaType.KNOWN:
                self.problem(entry, "media_type", where, str(exc))
            else:
                self.problem(
                    entry,
                    "media_type",
                    where,
                    f"unknown media type {kind!r}",
                    expected_hint(kind, SYNTHETIC_MEDIA_TYPES),
                )
            return None

    def build(
        self,
        entry: Mapping[Any, Any],
        kind: str,
        where: str,
        text: str,
        media_type: str | None,
        pushed_at: float,
        failure: ImageFailure | None,
    ) -> Image | None:
        synthetic = kind == "media_type"
        given = (media_type or DEFAULT_MEDIA_TYPE) if synthetic else media_type
        image: Image | None
        try:
            image = Image.from_manifest(
                text, media_type=given, pushed_at=pushed_at, failure=failure
            )
        except ValueError as exc:
            image, error = None, exc
            if given is None:
                image, error = self.build_as_default(text, pushed_at, failure, error)
            if image is None:
                self.problem(
                    entry,
                    kind,
                    where,
                    f"invalid manifest: {error}",
                    "ECR accepts Docker v2, OCI and schema 1 manifests and lists",
                )
                return None
        if image.media_type not in MediaType.KNOWN and not _has_artifact_type(text):
            self.problem(
                entry,
                kind,
                where,
                f"unsupported manifest media type {image.media_type!r}",
                expected_hint(image.media_type, sorted(MediaType.KNOWN))
                + "; an OCI artifact with its own type needs an artifactType",
            )
            return None
        return image

    @staticmethod
    def build_as_default(
        text: str, pushed_at: float, failure: ImageFailure | None, error: ValueError
    ) -> tuple[Image | None, ValueError]:
        """Read a manifest without ``mediaType`` as :data:`DEFAULT_MEDIA_TYPE`.

        The model recognises schema 1 and indexes without one; anything else it cannot
        classify is read as the default type, as the format promises.
        """
        try:
            doc = json.loads(text)
        except ValueError:
            return None, error
        if (
            not isinstance(doc, dict)
            or "mediaType" in doc
            or doc.get("schemaVersion") == 1
            or "manifests" in doc
        ):
            return None, error
        try:
            image = Image.from_manifest(
                text, media_type=DEFAULT_MEDIA_TYPE, pushed_at=pushed_at, failure=failure
            )
        except ValueError as exc:
            return None, exc
        return image, error


def _has_artifact_type(text: str) -> bool:
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("artifactType"), str)
