"""What one declaration source says, validated, before it is merged into a registry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_ecr.declarations.features import Settings
from pytest_ecr.faults import FaultSpec
from pytest_ecr.model import Image, TagMutability
from pytest_ecr.model.blobs import BlobSource


@dataclass(frozen=True, slots=True)
class ImageSpec:
    """One declared image: the built model image and the tags it is declared with.

    ``children`` are the images a ``platforms:`` entry generates for its manifest list
    (``image``), one per platform: they are stored untagged, before the list.
    """

    image: Image
    tags: tuple[str, ...]
    line: int | None
    path: str
    children: tuple[Image, ...] = ()
    #: The image-level settings declared for it (a scan...).
    settings: Settings = ()
    #: Where the blobs of the image and of its children come from: ``(image digest,
    #: source)`` for each that brings bytes (synthetic images, declared blob files).
    blob_sources: tuple[tuple[str, BlobSource], ...] = ()


@dataclass(frozen=True, slots=True)
class RepositorySpec:
    """One declared repository; ``account`` / ``region`` ``None`` means the defaults."""

    name: str
    account: str | None
    region: str | None
    tag_mutability: TagMutability
    images: tuple[ImageSpec, ...]
    line: int | None
    path: str
    #: The repository-level settings declared for it (tags, policies...).
    settings: Settings = ()
    #: ``lifecycle_policy:`` as ECR stores it (minified JSON), checked by ECR's rules.
    lifecycle_policy: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrySpec:
    """One ``registries:`` entry: registry-level settings of (account, region);
    ``None`` means the declaration's (else the default) account or region."""

    account: str | None
    region: str | None
    settings: Settings
    line: int | None
    path: str


@dataclass(frozen=True, slots=True)
class FaultEntry:
    """One ``faults:`` entry: the mapping as written and the fault parsed from it.

    The declaration is checked by the one fault parser (:func:`pytest_ecr.faults.parse_fault`)
    while it is loaded, so a bad entry is reported with the declaration's other problems.
    """

    spec: Mapping[str, Any]
    source: str
    line: int | None
    path: str
    fault: FaultSpec


def fault_origin(source: str, line: int | None, path: str) -> str:
    """Where a declared fault comes from, as its :attr:`FaultSpec.origin` says it."""
    where = f"{source}:{line}" if line else source
    return f"{where} {path}".strip()


@dataclass(frozen=True, slots=True, eq=False)
class Declaration:
    """The validated content of one source (a file, YAML text or a mapping).

    ``account`` and ``region`` are ``None`` when the source does not state them.
    Declarations compare by identity: they are shared, read-only parse results.
    """

    source: str
    account: str | None
    region: str | None
    repositories: tuple[RepositorySpec, ...]
    faults: tuple[FaultEntry, ...]
    registries: tuple[RegistrySpec, ...] = ()
