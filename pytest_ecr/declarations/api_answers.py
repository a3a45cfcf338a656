"""Declaration entries from ECR's own answers, shared by ``pytest-ecr snapshot`` (a live
registry read through boto3) and ``pytest-ecr from-placebo`` (answers placebo recorded):
a repository's settings as DescribeRepositories gives them, times, and a YAML text that
holds every manifest byte for byte."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from pytest_ecr.declarations.dump import dump_declaration
from pytest_ecr.declarations.loading import load_declaration
from pytest_ecr.declarations.problems import DeclarationError


def time_value(value: Any) -> str | float | None:
    """A time of an answer (a ``datetime``, or epoch seconds) as a declaration writes it:
    ISO-8601 in UTC (a naive time is taken as UTC), or ``None`` for anything else."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        text: str = value.astimezone(dt.timezone.utc).isoformat()
        return text.replace("+00:00", "Z")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def sort_time(value: Any) -> float:
    """*value* (as :func:`time_value` takes it) as epoch seconds, 0 when it is no time."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return float(value.timestamp())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return 0.0


def has_media_type(manifest: str) -> bool:
    """Whether the manifest text states its own ``mediaType``."""
    try:
        doc = json.loads(manifest)
    except ValueError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("mediaType"), str)


def repository_settings(repository: Mapping[str, Any]) -> dict[str, Any]:
    """The declarable settings of a ``Repository`` of ECR's answers (DescribeRepositories,
    CreateRepository): tag mutability and its exclusions, scan on push, encryption and the
    creation time, each left out where it is ECR's default."""
    entry: dict[str, Any] = {}
    mutability = repository.get("imageTagMutability", "MUTABLE")
    if mutability != "MUTABLE":
        entry["tag_mutability"] = mutability
    filters = repository.get("imageTagMutabilityExclusionFilters") or []
    if filters:
        entry["tag_mutability_exclusions"] = [f["filter"] for f in filters]
    if (repository.get("imageScanningConfiguration") or {}).get("scanOnPush"):
        entry["scan_on_push"] = True
    encryption = repository.get("encryptionConfiguration") or {}
    if encryption.get("encryptionType", "AES256") != "AES256":
        entry["encryption"] = {"type": encryption["encryptionType"]}
        if encryption.get("kmsKey"):
            entry["encryption"]["kms_key"] = encryption["kmsKey"]
    created = time_value(repository.get("createdAt"))
    if created is not None:
        entry["created_at"] = created
    return entry


def _declares_exactly(text: str, document: Mapping[str, Any]) -> bool:
    """Whether *text* declares every image of *document* with its manifest's bytes."""
    try:
        declaration = load_declaration(text)
    except DeclarationError:
        return False
    wanted = {
        (repo["name"], image["digest"]): str(image["manifest_text"])
        for repo in document.get("repositories", [])
        for image in repo.get("images", [])
        if "manifest_text" in image
    }
    got = {
        (repo.name, spec.image.digest): spec.image.manifest
        for repo in declaration.repositories
        for spec in repo.images
        if (repo.name, spec.image.digest) in wanted
    }
    return got == wanted


def dump_exact(document: Mapping[str, Any], header: str) -> str:
    """*document* as YAML whose ``manifest_text`` values read back byte for byte: block
    scalars where they hold the text exactly, else double-quoted scalars. The text is
    checked by reading it back (and is a valid declaration)."""
    for literal in (True, False):
        text = dump_declaration(document, header, literal=literal)
        if _declares_exactly(text, document):
            return text
    raise RuntimeError(  # pragma: no cover - PyYAML's double quotes are exact
        "pytest-ecr: could not write the manifests exactly"
    )
