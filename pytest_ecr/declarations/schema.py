"""The document walk of the ``version: 1`` format: plain values in, a :class:`Declaration` out.

The same walk runs on YAML documents (with a line table, so problems carry lines) and on
mappings given from Python (without one). It goes top level → registries, repositories → images,
hands each value to its shape check (:mod:`~pytest_ecr.declarations.shapes`) and each
image's manifest to :mod:`~pytest_ecr.declarations.sources`, and collects every problem
with its file, line and YAML path; nothing stops at the first. What the format allows is
stated in :mod:`~pytest_ecr.declarations.format`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pytest_ecr.declarations import lifecycle, platform_shapes, shapes
from pytest_ecr.declarations.features import features, read_settings
from pytest_ecr.declarations.format import (
    DEFAULT_PUSHED_AT,
    IMAGE_KEYS,
    MANIFEST_KEYS,
    REGISTRY_KEYS,
    REPOSITORY_KEYS,
    TOP_KEYS,
)
from pytest_ecr.declarations.problems import Problem, describe, join_path
from pytest_ecr.declarations.shapes import MISSING, Report
from pytest_ecr.declarations.sources import ManifestSources
from pytest_ecr.declarations.specs import (
    Declaration,
    FaultEntry,
    ImageSpec,
    RegistrySpec,
    RepositorySpec,
    fault_origin,
)
from pytest_ecr.declarations.yamlread import INVALID, NO_DOCUMENT, Lines
from pytest_ecr.faults import FAULT_HINT, FaultSpecError, parse_fault
from pytest_ecr.model import Image

# Images are the hot loop of a 100,000-image file: skip the settings lookup when no
# image-level setting exists.
_IMAGE_FEATURES = bool(features("image"))


class Validator:
    """Walks one source's values and builds its :class:`Declaration`.

    :attr:`problems` collects what is wrong; :attr:`files` and :attr:`file_hashes` list
    the manifest files read and the sha256 (hex) of their bytes, so a cache can tell
    when they change. ``manifest_file`` paths start at *base_dir*, which *relative_to*
    names in messages.
    """

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
        self.base_dir = base_dir
        self.relative_to = relative_to
        self.report = Report(source, lines)
        self.sources = ManifestSources(self.report, base_dir, relative_to)
        self.problems: list[Problem] = self.report.problems
        self.files: list[Path] = self.sources.files
        self.file_hashes: list[str] = self.sources.file_hashes

    # -- the document ----------------------------------------------------------------

    def document(self, data: Any) -> Declaration | None:
        """The declaration *data* (what the YAML reader gave) states; ``None`` if wrong."""
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
        report = self.report
        if not isinstance(data, Mapping):
            report.problem(
                data,
                None,
                "",
                f"a declaration must be a mapping, found {describe(data)}",
                "start with `version: 1`",
            )
            return None
        report.unknown_keys(data, "", TOP_KEYS)
        shapes.version(report, data)
        account = shapes.account(report, data, "")
        region = shapes.region(report, data, "")
        registries = self.registries(data)
        repositories = self.repositories(data)
        faults = self.faults(data)
        if self.problems:
            return None
        return Declaration(self.source, account, region, repositories, faults, registries)

    def faults(self, data: Mapping[Any, Any]) -> tuple[FaultEntry, ...]:
        """The ``faults:`` entries, each a mapping, for the fault layer to check."""
        value = data.get("faults", MISSING)
        if value is MISSING or value is INVALID:
            return ()
        report = self.report
        if not isinstance(value, (list, tuple)):
            report.wrong(data, "faults", "faults", "a list of fault mappings", value)
            return ()
        entries = []
        for index, spec in enumerate(value):
            path = f"faults[{index}]"
            if spec is INVALID:
                continue
            if not isinstance(spec, Mapping):
                report.problem(
                    value,
                    index,
                    path,
                    f"a fault must be a mapping, found {describe(spec)}",
                    "write `- {operation: BatchGetImage, error: ServerException}`",
                )
                continue
            entry = self.fault(dict(spec), report.line(value, index), path)
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

    # -- registries ------------------------------------------------------------------

    def registries(self, data: Mapping[Any, Any]) -> tuple[RegistrySpec, ...]:
        """The ``registries:`` list: registry-level settings, each entry checked."""
        value = data.get("registries", MISSING)
        if value is MISSING or value is INVALID:
            return ()
        report = self.report
        if not isinstance(value, (list, tuple)):
            report.wrong(
                data,
                "registries",
                "registries",
                "a list of registries",
                value,
                "write `registries: [{account: '123456789012', region: us-east-1, ...}]`",
            )
            return ()
        specs = []
        for index, entry in enumerate(value):
            path = f"registries[{index}]"
            if entry is INVALID:
                continue
            if not isinstance(entry, Mapping):
                report.problem(
                    value,
                    index,
                    path,
                    f"a registry must be a mapping, found {describe(entry)}",
                    "write `- {region: eu-west-1, ...}` with the registry's settings",
                )
                continue
            report.unknown_keys(entry, path, REGISTRY_KEYS)
            account = shapes.account(report, entry, path)
            region = shapes.region(report, entry, path)
            settings = read_settings(report, entry, path, "registry")
            specs.append(RegistrySpec(account, region, settings, report.line(value, index), path))
        return tuple(specs)

    # -- repositories ----------------------------------------------------------------

    def repositories(self, data: Mapping[Any, Any]) -> tuple[RepositorySpec, ...]:
        """The ``repositories:`` list, each entry checked."""
        value = data.get("repositories", MISSING)
        if value is MISSING or value is INVALID:
            return ()
        if not isinstance(value, (list, tuple)):
            self.report.wrong(
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
        """One repository, item *index* of the list *parent*; ``None`` if it has no name."""
        path = f"repositories[{index}]"
        if entry is INVALID:
            return None
        report = self.report
        if not isinstance(entry, Mapping):
            report.problem(
                parent,
                index,
                path,
                f"a repository must be a mapping, found {describe(entry)}",
                "write `- name: team/api`",
            )
            return None
        report.unknown_keys(entry, path, REPOSITORY_KEYS)
        name = shapes.repository_name(report, parent, index, entry, path)
        account = shapes.account(report, entry, path)
        region = shapes.region(report, entry, path)
        mutability = shapes.tag_mutability(report, entry, path)
        settings = read_settings(report, entry, path, "repository")
        images = self.images(entry, path, name or "")
        lifecycle_policy = lifecycle.lifecycle_policy(report, entry, path)
        if name is None:
            return None
        return RepositorySpec(
            name,
            account,
            region,
            mutability,
            images,
            report.line(parent, index),
            path,
            settings,
            lifecycle_policy=lifecycle_policy,
        )

    # -- images ----------------------------------------------------------------------

    def images(self, entry: Mapping[Any, Any], path: str, repository: str) -> tuple[ImageSpec, ...]:
        """A repository's ``images:`` list, each entry checked and built."""
        value = entry.get("images", MISSING)
        if value is MISSING or value is INVALID:
            return ()
        where = join_path(path, "images")
        if not isinstance(value, (list, tuple)):
            self.report.wrong(
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
        """One image, item *index* of *parent*, with its manifest built; ``None`` if wrong."""
        if entry is INVALID:
            return None
        report = self.report
        if not isinstance(entry, Mapping):
            report.problem(
                parent,
                index,
                path,
                f"an image must be a mapping, found {describe(entry)}",
                "write `- tags: [latest]`, with a manifest or without one",
            )
            return None
        problems = report.problems
        before = len(problems)
        report.unknown_keys(entry, path, IMAGE_KEYS)
        tags = shapes.tags(report, entry, path)
        media_type = shapes.media_type(report, entry, path)
        pushed_at = shapes.pushed_at(report, entry, path, DEFAULT_PUSHED_AT + index)
        failure = shapes.failure(report, entry, path)
        declared_digest = shapes.digest(report, entry, path)
        platforms = platform_shapes.platforms(report, entry, path)
        settings = read_settings(report, entry, path, "image") if _IMAGE_FEATURES else ()
        kinds = [key for key in MANIFEST_KEYS if key in entry]
        if len(kinds) > 1 or (kinds and platforms is not None):
            self.manifest_conflict(entry, path, kinds, platforms is not None)
            return None
        seed = f"{repository}/{index}/{','.join(tags)}"
        sources = self.sources
        children: tuple[Image, ...] = ()
        built: Image | None
        if platforms is not None:
            generated = sources.generated_list(
                entry, path, media_type, seed, platforms, pushed_at, failure
            )
            if generated is None:
                return None
            built, children = generated
        else:
            if kinds:
                kind = kinds[0]
                text = sources.text(entry, kind, join_path(path, kind))
            else:
                kind = "media_type"
                text = sources.synthetic(entry, path, media_type, seed, repository, tags)
            if text is None:
                return None
            # Built even when other keys were wrong, so manifest problems are reported too.
            built = sources.build(
                entry, kind, join_path(path, kind), text, media_type, pushed_at, failure
            )
            if built is None:
                return None
        blob_sources = sources.blob_sources(entry, path, kinds, seed, built, children, platforms)
        if declared_digest is not None and declared_digest != built.digest:
            what = "the manifest" if platforms is None else "the generated manifest list"
            report.problem(
                entry,
                "digest",
                join_path(path, "digest"),
                f"digest {declared_digest} does not match {what}, whose digest is {built.digest}",
                "the digest is sha256 of the exact manifest bytes; fix it or leave it out",
            )
        if len(problems) != before:
            return None
        return ImageSpec(
            built, tags, report.line(parent, index), path, children, settings, blob_sources
        )

    def manifest_conflict(
        self, entry: Mapping[Any, Any], path: str, kinds: list[str], with_platforms: bool
    ) -> None:
        """Report manifest keys that cannot go together: two, or one with ``platforms``."""
        if with_platforms:
            self.report.problem(
                entry,
                kinds[0],
                path,
                f"platforms cannot be combined with {', '.join(kinds)}",
                "platforms generates the manifest list and its images; to declare a list "
                "yourself, drop platforms and declare each image it lists in this repository",
            )
        else:
            self.report.problem(
                entry,
                kinds[1],
                path,
                f"an image takes at most one of {', '.join(MANIFEST_KEYS)}; "
                f"found {', '.join(kinds)}",
                "keep one; without any, the manifest is synthetic",
            )


__all__ = ["Validator"]
