"""Registry declarations: YAML files, YAML text and mappings turned into the model.

This is the only package that imports PyYAML. It reads declarations safely (no Python
objects, bounded aliases and nesting), reports every problem of a source at once with
file, line and YAML path, and merges declarations into a frozen
:class:`~pytest_ecr.model.RegistryState` that tests fork.
"""

from __future__ import annotations

from pytest_ecr.declarations.build import build_state
from pytest_ecr.declarations.cache import (
    DeclarationCache,
    declared_faults,
    load_declarations,
    load_sources,
)
from pytest_ecr.declarations.loading import Source, load_declaration
from pytest_ecr.declarations.manifests import serialize_manifest
from pytest_ecr.declarations.platforms import Platform, PlatformError, parse_platform
from pytest_ecr.declarations.problems import DeclarationError, Problem
from pytest_ecr.declarations.specs import Declaration, FaultEntry, ImageSpec, RepositorySpec
from pytest_ecr.declarations.synthetic import synthetic_blobs, synthetic_index, synthetic_manifest

__all__ = [
    "Declaration",
    "DeclarationCache",
    "DeclarationError",
    "FaultEntry",
    "ImageSpec",
    "Platform",
    "PlatformError",
    "Problem",
    "RepositorySpec",
    "Source",
    "build_state",
    "declared_faults",
    "load_declaration",
    "load_declarations",
    "load_sources",
    "parse_platform",
    "serialize_manifest",
    "synthetic_blobs",
    "synthetic_index",
    "synthetic_manifest",
]
