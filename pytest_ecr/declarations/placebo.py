"""Reading placebo's recordings of ECR answers, for ``pytest-ecr from-placebo``.

placebo (a boto3 record/playback library) saves each answer a client received as one
JSON file in its data directory, named ``<service>.<Operation>_<n>.json`` (``n`` counts
the answers of one operation from 1) and holding ``{"status_code": ..., "data": ...}``:
the status and botocore's parsed answer, with ``datetime`` values written as
``{"__class__": "datetime", "year": ..., ..., "microsecond": ...}`` and no time zone.
For ECR the service part is the endpoint prefix, ``api.ecr``; ``ecr`` is read too.

Only what the files say is read: placebo records answers, not requests, and not the
order of answers of different operations.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_ecr.declarations.files import FileRefused, read_regular
from pytest_ecr.service.catalogue import OPERATION_ERRORS

#: The largest recording read: a BatchGetImage answer of 100 images of ECR's largest
#: manifests (4 MiB each) fits; anything larger is not an ECR answer.
RECORDING_MAX_BYTES = 512 * 1024 * 1024

_NAME = re.compile(
    r"^(?:api\.)?ecr\.(?P<operation>[A-Za-z0-9]+)_(?P<index>[0-9]+)\.(?P<format>[A-Za-z0-9]+)$"
)
_FIX = "record again with placebo's default JSON format, or delete the file"


class RecordingError(ValueError):
    """Recordings that cannot be converted; the message lists every problem, each with
    its file and how to fix it."""

    def __init__(self, directory: Path, problems: list[str]) -> None:
        self.directory = directory
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"cannot convert the placebo recordings in {directory}:\n{lines}")


@dataclass(frozen=True, slots=True)
class Recording:
    """One recorded answer: which operation, its number, its status and its data."""

    path: Path
    operation: str
    index: int
    status: int
    data: Mapping[str, Any]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _BadTime(ValueError):
    pass


def _datetime(fields: dict[str, Any]) -> Any:
    """json's object hook: placebo's ``datetime`` mappings back into (UTC) datetimes."""
    if fields.get("__class__") != "datetime":
        return fields
    try:
        parts = {
            key: fields[key]
            for key in ("year", "month", "day", "hour", "minute", "second", "microsecond")
        }
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in parts.values()):
            raise TypeError("a field is not an integer")
        # placebo writes botocore's local clock time without its zone and reads it back
        # as UTC; so does this (exact when the recording ran with TZ=UTC).
        return dt.datetime(**parts, tzinfo=dt.timezone.utc)
    except (KeyError, TypeError, ValueError) as error:
        raise _BadTime(f"a datetime placebo wrote is unreadable ({error}): {fields}") from None


def _read_one(path: Path, operation: str, index: int) -> Recording:
    """The recording in *path*; ``ValueError`` says what is wrong with it."""
    try:
        raw = read_regular(path, RECORDING_MAX_BYTES)
    except (OSError, FileRefused) as error:
        raise ValueError(f"cannot be read: {error}") from None
    try:
        document = json.loads(raw.decode("utf-8"), object_hook=_datetime)
    except _BadTime as error:
        raise ValueError(str(error)) from None
    except UnicodeDecodeError as error:
        raise ValueError(f"is not UTF-8 text ({error}); {_FIX}") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"is not JSON (line {error.lineno} column {error.colno}: {error.msg}); {_FIX}"
        ) from None
    if not isinstance(document, dict) or not {"status_code", "data"} <= document.keys():
        raise ValueError(
            'is not a placebo recording (expected a JSON object {"status_code": ..., '
            f'"data": {{...}}}}); {_FIX}'
        )
    status, data = document["status_code"], document["data"]
    if isinstance(status, bool) or not isinstance(status, int) or not isinstance(data, dict):
        raise ValueError(
            f"'status_code' must be an integer and 'data' an object, got {status!r} and "
            f"{type(data).__name__}; {_FIX}"
        )
    return Recording(path, operation, index, status, data)


def read_recordings(directory: Path) -> tuple[list[Recording], list[str]]:
    """Every ECR recording in *directory*, by operation and number, and notes on files
    left out. :class:`RecordingError` lists every unreadable one (nothing is converted
    from a directory with a bad recording: a half conversion would pass for whole)."""
    if not directory.is_dir():
        raise RecordingError(directory, ["not a directory (give placebo's data_path)"])
    problems: list[str] = []
    notes: list[str] = []
    recordings: list[Recording] = []
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if match is None:
            continue  # another service's recording, or not placebo's at all
        operation, index, kind = match["operation"], int(match["index"]), match["format"]
        if kind != "json":
            problems.append(
                f"{path.name}: a {kind} recording, which is not read (code could run while "
                f"unpickling); {_FIX}"
            )
            continue
        if operation not in OPERATION_ERRORS:
            notes.append(f"{path.name}: left out: {operation} is no ECR operation pytest-ecr knows")
            continue
        try:
            recordings.append(_read_one(path, operation, index))
        except ValueError as error:
            problems.append(f"{path.name}: {error}")
    if problems:
        raise RecordingError(directory, problems)
    if not recordings:
        raise RecordingError(
            directory,
            [
                "no ECR recordings here (placebo names them api.ecr.<Operation>_<n>.json); "
                "record with pill.record() on a boto3 session whose ECR client is used"
            ],
        )
    recordings.sort(key=lambda r: (r.operation, r.index))
    return recordings, notes


__all__ = ["RECORDING_MAX_BYTES", "Recording", "RecordingError", "read_recordings"]
