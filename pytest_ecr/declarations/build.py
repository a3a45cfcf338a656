"""Merging declarations, in order, into one frozen registry state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pytest_ecr.declarations.features import Level, Settings, Target, apply_settings
from pytest_ecr.declarations.format import DEFAULT_PUSHED_AT, EXCLUSIONS_KEY
from pytest_ecr.declarations.problems import DeclarationError, Problem
from pytest_ecr.declarations.specs import Declaration, ImageSpec, RegistrySpec, RepositorySpec
from pytest_ecr.model import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    Image,
    RegistryKey,
    RegistryState,
    Repository,
    TagMutability,
)
from pytest_ecr.model.blobs import BlobSource
from pytest_ecr.model.repository import tag_is_immutable

#: ``createdAt`` of every declared repository: 2024-01-01T00:00:00Z, the same instant
#: the default ``pushed_at`` values count from.
DEFAULT_CREATED_AT = DEFAULT_PUSHED_AT


def _immutability(merging: _Merging) -> Callable[[str], bool]:
    """Whether a tag may not be declared again: immutable under the repository's mode and
    its declared exclusions (merged before its images are)."""
    mode = merging.mutability
    declared = merging.settings.get(EXCLUSIONS_KEY)
    filters = declared[0] if declared is not None and isinstance(declared[0], tuple) else ()
    return lambda tag: tag_is_immutable(mode, filters, tag)


#: Where something was declared: (source, line, YAML path), formatted only for problems.
_Place = tuple[str, "int | None", str]


def _where(source: str, line: int | None, path: str) -> str:
    where = source if line is None else f"{source}:{line}"
    return f"{where} {path}" if path else where


@dataclass(slots=True)
class _Merging:
    """One repository being merged, with where each of its parts was first declared.

    Its images and tags are collected here and stored in the repository at once when
    every declaration is merged (:meth:`Repository.fill`): a tag never moves while
    merging (a second image for it is a conflict), so that is what put and tag would do.
    """

    repository: Repository
    mutability: TagMutability
    declared_at: str
    images: dict[str, Image] = field(default_factory=dict)
    images_at: dict[str, _Place] = field(default_factory=dict)
    #: tag -> (digest, where it was first declared)
    tags: dict[str, tuple[str, _Place]] = field(default_factory=dict)
    #: Manifest lists by digest, with where each was first declared.
    lists: dict[str, _Place] = field(default_factory=dict)
    #: Repository-level settings: key -> (value, where first declared).
    settings: dict[str, tuple[object, _Place]] = field(default_factory=dict)
    #: Image-level settings: digest -> key -> (value, where first declared).
    image_settings: dict[str, dict[str, tuple[object, _Place]]] = field(default_factory=dict)
    #: Where declared images' blobs come from, by image digest (the first declaration's).
    blob_sources: dict[str, BlobSource] = field(default_factory=dict)


class _Builder:
    def __init__(self, account: str, region: str) -> None:
        self.state = RegistryState(account, region)
        self.merging: dict[RegistryKey, _Merging] = {}
        #: Registry-level settings: (account, region) -> key -> (value, where first declared).
        self.registry_settings: dict[tuple[str, str], dict[str, tuple[object, _Place]]] = {}
        self.problems: list[Problem] = []

    def registry(self, declaration: Declaration, spec: RegistrySpec) -> None:
        """Merge one ``registries:`` entry of *declaration*."""
        where = (
            spec.account or declaration.account or self.state.account,
            spec.region or declaration.region or self.state.region,
        )
        place = (declaration.source, spec.line, spec.path)
        merged = self.registry_settings.setdefault(where, {})
        self._settings(
            "registry", f"registry {where[0]} ({where[1]})", merged, spec.settings, place
        )

    def _settings(
        self,
        level: Level,
        what: str,
        merged: dict[str, tuple[object, _Place]],
        settings: Settings,
        place: _Place,
    ) -> None:
        """Merge *settings* into *merged*; the same key with another value is a problem."""
        for key, value in settings:
            first = merged.get(key)
            if first is None:
                merged[key] = (value, place)
            elif first[0] != value:
                self.problems.append(
                    Problem(
                        *place,
                        f"{key} of {what} is declared differently at {_where(*first[1])}",
                        f"declare the {level} setting {key} once, or alike everywhere",
                    )
                )

    def repository(self, declaration: Declaration, spec: RepositorySpec) -> None:
        """Merge one repository entry of *declaration* into the state being built."""
        merging = self._merging(declaration, spec)
        if merging is None:
            return
        if spec.lifecycle_policy is not None:
            from pytest_ecr.model.lifecycle import LIFECYCLE_POLICY_KEY, StoredPolicy, parse_policy

            # A later declaration's policy replaces an earlier one, as a Put would.
            merging.repository.set_setting(
                LIFECYCLE_POLICY_KEY,
                StoredPolicy(spec.lifecycle_policy, parse_policy(spec.lifecycle_policy)),
            )
        source = declaration.source
        what = f"repository {spec.name!r}"
        self._settings(
            "repository", what, merging.settings, spec.settings, (source, spec.line, spec.path)
        )
        immutable = _immutability(merging)
        for image_spec in spec.images:
            place = (source, image_spec.line, image_spec.path)
            if self._image(merging, image_spec, place):
                self._tags(merging, spec.name, image_spec, place, immutable)
                if image_spec.settings:
                    digest = image_spec.image.digest
                    merged = merging.image_settings.setdefault(digest, {})
                    self._settings("image", f"image {digest}", merged, image_spec.settings, place)

    def _merging(self, declaration: Declaration, spec: RepositorySpec) -> _Merging | None:
        """The repository *spec* merges into (created on first sight), or ``None`` with a
        problem when it is declared with another tag mutability than before."""
        key = RegistryKey(
            spec.account or declaration.account or self.state.account,
            spec.region or declaration.region or self.state.region,
            spec.name,
        )
        here = _where(declaration.source, spec.line, spec.path)
        merging = self.merging.get(key)
        if merging is None:
            repository = self.state.create_repository(
                spec.name,
                account=key.account,
                region=key.region,
                tag_mutability=spec.tag_mutability,
                created_at=DEFAULT_CREATED_AT,
            )
            merging = self.merging[key] = _Merging(repository, spec.tag_mutability, here)
        elif merging.mutability is not spec.tag_mutability:
            self.problems.append(
                Problem(
                    declaration.source,
                    spec.line,
                    spec.path,
                    f"repository {spec.name!r} ({key.account}, {key.region}) is declared "
                    f"{spec.tag_mutability.value} here but {merging.mutability.value} at "
                    f"{merging.declared_at}",
                    "declare one tag_mutability for it",
                )
            )
            return None
        return merging

    def _image(self, merging: _Merging, image_spec: ImageSpec, place: _Place) -> bool:
        """Add *image_spec*'s image (and its generated children) unless it is there
        already; ``False`` with a problem when it was declared with another failure."""
        images, images_at = merging.images, merging.images_at
        image = image_spec.image
        digest = image.digest
        # Generated children go in first, untagged, as a client pushes them.
        for child in image_spec.children:
            if child.digest not in images:
                images[child.digest] = child
                images_at[child.digest] = place
        for image_digest, source in image_spec.blob_sources:
            merging.blob_sources.setdefault(image_digest, source)
        existing = images.get(digest)
        if existing is None:
            images[digest] = image
            images_at[digest] = place
            if image.children:
                merging.lists[digest] = place
        elif existing.failure != image.failure:
            self.problems.append(
                Problem(
                    *place,
                    f"image {digest} is declared with a different failure at "
                    f"{_where(*images_at[digest])}",
                    "declare its failure once",
                )
            )
            return False
        return True

    def _tags(
        self,
        merging: _Merging,
        name: str,
        image_spec: ImageSpec,
        place: _Place,
        immutable: Callable[[str], bool],
    ) -> None:
        """Point *image_spec*'s tags at its image; a tag on two images, or twice in an
        immutable repository, is a problem."""
        tags_at = merging.tags
        digest = image_spec.image.digest
        for tag in image_spec.tags:
            first = tags_at.get(tag)
            if first is None:
                tags_at[tag] = (digest, place)
                continue
            current, first_place = first
            if current != digest:
                self.problems.append(
                    Problem(
                        *place,
                        f"tag {tag!r} of repository {name!r} is on image {digest} "
                        f"here but on image {current} at {_where(*first_place)}",
                        "a tag names one image; remove it from one of them",
                    )
                )
            elif immutable(tag):
                self.problems.append(
                    Problem(
                        *place,
                        f"tag {tag!r} is declared twice in {merging.mutability.value} "
                        f"repository {name!r}; first at {_where(*first_place)}",
                        "an immutable tag is declared once",
                    )
                )

    def check_lists(self) -> None:
        """Every image a declared list references must be in its repository."""
        for merging in self.merging.values():
            images = merging.images
            name = merging.repository.name
            for digest, (source, line, path) in merging.lists.items():
                for child in dict.fromkeys(images[digest].children):
                    if child not in images:
                        self.problems.append(
                            Problem(
                                source,
                                line,
                                path,
                                f"manifest list {digest} references image {child}, which is "
                                f"not in repository {name!r}",
                                "declare that image in the same repository (untagged if need "
                                "be): ECR refuses to push a list whose images are missing "
                                "(ReferencedImagesNotFoundException)",
                            )
                        )

    def finish(self) -> RegistryState:
        state = self.state
        for merging in self.merging.values():
            repository = merging.repository
            repository.fill(
                merging.images.values(),
                [(tag, digest) for tag, (digest, _) in merging.tags.items()],
            )
            repository.blobs.provide(merging.blob_sources)
            where = (state, repository.registry_id, repository.region, repository)
            apply_settings("repository", Target(*where), _values(merging.settings))
            for digest, settings in merging.image_settings.items():
                apply_settings("image", Target(*where, digest), _values(settings))
        for (account, region), settings in self.registry_settings.items():
            apply_settings("registry", Target(state, account, region), _values(settings))
        return state.freeze()


def _values(merged: dict[str, tuple[object, _Place]]) -> Settings:
    return tuple((key, value) for key, (value, _) in merged.items())


def build_state(declarations: Sequence[Declaration]) -> RegistryState:
    """Merge *declarations* in order into one frozen :class:`RegistryState`.

    The caller's account (region) is the last one a declaration states, else
    :data:`~pytest_ecr.model.DEFAULT_ACCOUNT` (:data:`~pytest_ecr.model.DEFAULT_REGION`).
    A repository without its own account or region takes its file's, else that default.
    The same repository in several declarations merges its images, and the same image
    (digest) merges its tags. Raises :class:`DeclarationError` listing every conflict,
    with both places: a tag on two different images, a tag declared twice in an
    immutable repository, a repository declared with two tag mutabilities, an image
    declared with two failures; and a manifest list referencing an image that is not in
    its repository once all declarations are merged (ECR would refuse to push it). A
    declaration given twice (the same object) counts once. The images a ``platforms:``
    entry generates are stored untagged, before their list.
    """
    account, region = DEFAULT_ACCOUNT, DEFAULT_REGION
    for declaration in declarations:
        account = declaration.account or account
        region = declaration.region or region
    builder = _Builder(account, region)
    seen: set[int] = set()
    for declaration in declarations:
        if id(declaration) in seen:
            continue
        seen.add(id(declaration))
        for registry in declaration.registries:
            builder.registry(declaration, registry)
        for spec in declaration.repositories:
            builder.repository(declaration, spec)
    builder.check_lists()
    if builder.problems:
        raise DeclarationError(builder.problems)
    return builder.finish()
