"""Merging declarations, in order, into one frozen registry state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pytest_ecr.declarations.problems import DeclarationError, Problem
from pytest_ecr.declarations.schema import DEFAULT_PUSHED_AT
from pytest_ecr.declarations.specs import Declaration, RepositorySpec
from pytest_ecr.model import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    RegistryKey,
    RegistryState,
    Repository,
    TagMutability,
)

#: ``createdAt`` of every declared repository: 2024-01-01T00:00:00Z, the same instant
#: the default ``pushed_at`` values count from.
DEFAULT_CREATED_AT = DEFAULT_PUSHED_AT

#: Modes under which a declared tag may not be declared again. Declarations cannot give
#: exclusion filters, so ``IMMUTABLE_WITH_EXCLUSION`` excludes no tag.
_IMMUTABLE = frozenset({TagMutability.IMMUTABLE, TagMutability.IMMUTABLE_WITH_EXCLUSION})


def _where(source: str, line: int | None, path: str) -> str:
    where = source if line is None else f"{source}:{line}"
    return f"{where} {path}" if path else where


@dataclass(slots=True)
class _Merging:
    """One repository being merged, with where each of its parts was first declared."""

    repository: Repository
    mutability: TagMutability
    declared_at: str
    images_at: dict[str, str] = field(default_factory=dict)
    tags_at: dict[str, str] = field(default_factory=dict)


class _Builder:
    def __init__(self, account: str, region: str) -> None:
        self.state = RegistryState(account, region)
        self.merging: dict[RegistryKey, _Merging] = {}
        self.problems: list[Problem] = []

    def repository(self, declaration: Declaration, spec: RepositorySpec) -> None:
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
            return
        repository = merging.repository
        immutable = merging.mutability in _IMMUTABLE
        for image_spec in spec.images:
            image = image_spec.image
            digest = image.digest
            image_here = _where(declaration.source, image_spec.line, image_spec.path)
            existing = repository.get_image(digest)
            if existing is None:
                repository.put(image)
                merging.images_at[digest] = image_here
            elif existing.failure != image.failure:
                self.problems.append(
                    Problem(
                        declaration.source,
                        image_spec.line,
                        image_spec.path,
                        f"image {digest} is declared with a different failure at "
                        f"{merging.images_at[digest]}",
                        "declare its failure once",
                    )
                )
                continue
            for tag in image_spec.tags:
                first = merging.tags_at.get(tag)
                if first is None:
                    repository.tag(tag, digest)
                    merging.tags_at[tag] = image_here
                    continue
                current = repository.resolve_tag(tag)
                if current != digest:
                    self.problems.append(
                        Problem(
                            declaration.source,
                            image_spec.line,
                            image_spec.path,
                            f"tag {tag!r} of repository {spec.name!r} is on image {digest} "
                            f"here but on image {current} at {first}",
                            "a tag names one image; remove it from one of them",
                        )
                    )
                elif immutable:
                    self.problems.append(
                        Problem(
                            declaration.source,
                            image_spec.line,
                            image_spec.path,
                            f"tag {tag!r} is declared twice in {merging.mutability.value} "
                            f"repository {spec.name!r}; first at {first}",
                            "an immutable tag is declared once",
                        )
                    )


def build_state(declarations: Sequence[Declaration]) -> RegistryState:
    """Merge *declarations* in order into one frozen :class:`RegistryState`.

    The caller's account (region) is the last one a declaration states, else
    :data:`~pytest_ecr.model.DEFAULT_ACCOUNT` (:data:`~pytest_ecr.model.DEFAULT_REGION`).
    A repository without its own account or region takes its file's, else that default.
    The same repository in several declarations merges its images, and the same image
    (digest) merges its tags. Raises :class:`DeclarationError` listing every conflict,
    with both places: a tag on two different images, a tag declared twice in an
    immutable repository, a repository declared with two tag mutabilities, an image
    declared with two failures. A declaration given twice (the same object) counts once.
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
        for spec in declaration.repositories:
            builder.repository(declaration, spec)
    if builder.problems:
        raise DeclarationError(builder.problems)
    return builder.state.freeze()
