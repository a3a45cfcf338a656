"""Repositories: images by digest, tags by name, and the indexes between them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from types import MappingProxyType

from pytest_ecr.model.image import Image
from pytest_ecr.model.layered import LayeredMap


class TagMutability(str, Enum):
    """A repository's ``imageTagMutability`` setting."""

    MUTABLE = "MUTABLE"
    IMMUTABLE = "IMMUTABLE"
    IMMUTABLE_WITH_EXCLUSION = "IMMUTABLE_WITH_EXCLUSION"
    MUTABLE_WITH_EXCLUSION = "MUTABLE_WITH_EXCLUSION"


class FrozenRepositoryError(RuntimeError):
    """Raised on an attempt to write to shared, declared state instead of a test's fork."""


class Repository:
    """One repository of one registry.

    Lookups go through two indexes, ``tag -> digest`` and ``digest -> image``, plus the
    reverse ``digest -> tags`` (in the order the tags were added), so no operation scans
    the repository's images. A declared repository is frozen once loaded; tests work on
    :meth:`fork`\\ s of it, which share its indexes and keep their own writes.
    """

    __slots__ = (
        "_frozen",
        "_image_state",
        "_image_tags",
        "_images",
        "_parents",
        "_settings",
        "_tags",
        "created_at",
        "encryption_type",
        "kms_key",
        "name",
        "region",
        "registry_id",
        "scan_on_push",
        "tag_mutability",
        "tag_mutability_exclusion_filters",
    )

    def __init__(
        self,
        name: str,
        registry_id: str,
        region: str,
        *,
        tag_mutability: TagMutability = TagMutability.MUTABLE,
        created_at: float = 0.0,
        tag_mutability_exclusion_filters: tuple[str, ...] = (),
        scan_on_push: bool = False,
        encryption_type: str = "AES256",
        kms_key: str | None = None,
    ) -> None:
        self.name = name
        self.registry_id = registry_id
        self.region = region
        self.tag_mutability = tag_mutability
        self.created_at = created_at
        #: Wildcard filters (``*`` only) of the ``*_WITH_EXCLUSION`` mutability modes.
        self.tag_mutability_exclusion_filters = tag_mutability_exclusion_filters
        self.scan_on_push = scan_on_push
        self.encryption_type = encryption_type
        self.kms_key = kms_key
        self._images: LayeredMap[str, Image] = LayeredMap()
        self._tags: LayeredMap[str, str] = LayeredMap()
        self._image_tags: LayeredMap[str, tuple[str, ...]] = LayeredMap()
        # child digest -> digests of the manifest lists in this repository that list it
        self._parents: LayeredMap[str, tuple[str, ...]] = LayeredMap()
        # Per-feature repository settings (tags, policies, lifecycle policy...): each
        # value is immutable and replaced whole on a write, so a fork copies the dict.
        self._settings: dict[str, object] = {}
        # digest -> {feature: immutable value}: state ECR keeps per image (scans, storage
        # class, pull times); dropped with the image.
        self._image_state: LayeredMap[str, Mapping[str, object]] = LayeredMap()
        self._frozen = False

    def __repr__(self) -> str:
        return (
            f"<Repository {self.registry_id}/{self.region}/{self.name} "
            f"images={len(self._images)} tags={len(self._tags)}>"
        )

    # -- reading ---------------------------------------------------------------------

    def is_tag_immutable(self, tag: str) -> bool:
        """Whether pushing *tag* to another image must fail, exclusion filters included.

        The filters name the exceptions to the mode: tags that stay mutable in an
        ``IMMUTABLE_WITH_EXCLUSION`` repository, tags that are immutable in a
        ``MUTABLE_WITH_EXCLUSION`` one.
        """
        return tag_is_immutable(self.tag_mutability, self.tag_mutability_exclusion_filters, tag)

    def image(self, ref: str) -> Image:
        """The image for a tag or a digest; :class:`KeyError` if there is none."""
        found = self.get_image(ref) if ref.startswith("sha256:") else None
        if found is None:
            digest = self._tags.get(ref)
            found = self._images.get(digest) if digest is not None else None
        if found is None:
            raise KeyError(f"no image {ref!r} in repository {self.name!r}")
        return found

    def get_image(self, digest: str) -> Image | None:
        return self._images.get(digest)

    def resolve_tag(self, tag: str) -> str | None:
        """The digest a tag points to, or ``None``."""
        return self._tags.get(tag)

    def tags_of(self, digest: str) -> tuple[str, ...]:
        """Tags of an image in the order they were added (empty when untagged)."""
        return self._image_tags.get(digest) or ()

    def images(self) -> Iterator[Image]:
        """Every image, in the order they were added."""
        for _, image in self._images.items():
            yield image

    def tags(self) -> Iterator[tuple[str, str]]:
        """Every ``(tag, digest)`` pair."""
        return self._tags.items()

    def __len__(self) -> int:
        return len(self._images)

    def size_of(self, image: Image) -> int | None:
        """``imageSizeInBytes`` as ECR reports it: a list reports its largest child."""
        if image.size_bytes is not None or not image.children:
            return image.size_bytes
        sizes = [
            child.size_bytes
            for child in (self._images.get(d) for d in image.children)
            if child is not None and child.size_bytes is not None
        ]
        return max(sizes) if sizes else None

    def setting(self, key: str) -> object | None:
        """The repository setting *key* (a feature's immutable value), or ``None``."""
        return self._settings.get(key)

    def settings(self) -> Mapping[str, object]:
        """Every repository setting, read-only."""
        return MappingProxyType(self._settings)

    def image_state(self, digest: str, key: str) -> object | None:
        """What ECR keeps for one image under *key* (a scan, a storage class...), or ``None``."""
        state = self._image_state.get(digest)
        return state.get(key) if state is not None else None

    def image_states(self, digest: str) -> Mapping[str, object]:
        """Everything kept for one image, read-only (empty when nothing is)."""
        return self._image_state.get(digest) or MappingProxyType({})

    def referencing_lists(self, digest: str) -> list[str]:
        """Digests of manifest lists in this repository that reference *digest* (indexed)."""
        return list(self._parents.get(digest) or ())

    # -- writing ---------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._frozen:
            raise FrozenRepositoryError(
                f"repository {self.name!r} is shared declared state; write to a fork"
            )

    def set_setting(self, key: str, value: object | None) -> object | None:
        """Set (or, with ``None``, remove) the repository setting *key*; return the old value.

        *value* must be immutable (a tuple, a frozen dataclass, a string): forks share it.
        """
        self._check_writable()
        old = self._settings.get(key)
        if value is None:
            self._settings.pop(key, None)
        else:
            self._settings[key] = value
        return old

    def configure(
        self,
        *,
        tag_mutability: TagMutability | None = None,
        tag_mutability_exclusion_filters: tuple[str, ...] | None = None,
        scan_on_push: bool | None = None,
    ) -> None:
        """Change the settings PutImageTagMutability and PutImageScanningConfiguration
        change; ``None`` leaves one as it is."""
        self._check_writable()
        if tag_mutability is not None:
            self.tag_mutability = tag_mutability
        if tag_mutability_exclusion_filters is not None:
            self.tag_mutability_exclusion_filters = tag_mutability_exclusion_filters
        if scan_on_push is not None:
            self.scan_on_push = scan_on_push

    def set_image_state(self, digest: str, key: str, value: object | None) -> None:
        """Keep *value* (immutable) for the image *digest* under *key*; ``None`` removes it.

        :class:`KeyError` if the repository has no such image.
        """
        self._check_writable()
        if digest not in self._images:
            raise KeyError(f"no image {digest!r} in repository {self.name!r}")
        state = dict(self._image_state.get(digest) or {})
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
        if state:
            self._image_state[digest] = MappingProxyType(state)
        else:
            self._image_state.pop(digest)

    def put(self, image: Image) -> Image:
        """Store an image (or return the one already stored under its digest)."""
        self._check_writable()
        existing = self._images.get(image.digest)
        if existing is not None:
            return existing
        self._images[image.digest] = image
        for child in dict.fromkeys(image.children):
            self._parents[child] = (*(self._parents.get(child) or ()), image.digest)
        return image

    def fill(self, images: Iterable[Image], tags: Iterable[tuple[str, str]] = ()) -> None:
        """Store *images*, then point each ``(tag, digest)`` of *tags* at its image.

        The same as :meth:`put` for each image, then :meth:`tag` for each pair, in order,
        but for an empty writable repository only and without the per-call overhead:
        declarations of 100,000 images are built with it. An image whose digest is
        already given is skipped (as :meth:`put` does). Raises :class:`ValueError` if
        the repository is not empty or a tag is given twice, :class:`KeyError` if a tag
        names a digest that is not among *images*; the repository is then unchanged.
        """
        self._check_writable()
        if len(self._images) or len(self._tags):
            raise ValueError(f"repository {self.name!r} is not empty; fill() builds empty ones")
        stored: dict[str, Image] = {}
        parents: dict[str, tuple[str, ...]] = {}
        for image in images:
            if image.digest in stored:
                continue
            stored[image.digest] = image
            for child in dict.fromkeys(image.children):
                parents[child] = (*parents.get(child, ()), image.digest)
        by_tag: dict[str, str] = {}
        by_digest: dict[str, tuple[str, ...]] = {}
        for tag, digest in tags:
            if digest not in stored:
                raise KeyError(f"no image {digest!r} in repository {self.name!r}")
            if tag in by_tag:
                raise ValueError(f"tag {tag!r} is given twice")
            by_tag[tag] = digest
            by_digest[digest] = (*by_digest.get(digest, ()), tag)
        # Every index put() and tag() keep (a test compares each slot with theirs).
        self._images = LayeredMap(stored)
        self._tags = LayeredMap(by_tag)
        self._image_tags = LayeredMap(by_digest)
        self._parents = LayeredMap(parents)

    def tag(self, tag: str, digest: str) -> str | None:
        """Point *tag* at *digest*; return the digest it left, if it moved.

        The image the tag leaves stays in the repository, untagged if that was its last
        tag: ECR keeps it (lifecycle rules clean such images up).
        """
        self._check_writable()
        if digest not in self._images:
            raise KeyError(f"no image {digest!r} in repository {self.name!r}")
        previous = self._tags.get(tag)
        if previous == digest:
            return None
        if previous is not None:
            self._image_tags[previous] = tuple(t for t in self.tags_of(previous) if t != tag)
        self._tags[tag] = digest
        self._image_tags[digest] = (*self.tags_of(digest), tag)
        return previous

    def untag(self, tag: str) -> str | None:
        """Remove *tag*; return the digest it pointed to."""
        self._check_writable()
        digest = self._tags.pop(tag)
        if digest is not None:
            self._image_tags[digest] = tuple(t for t in self.tags_of(digest) if t != tag)
        return digest

    def delete(self, digest: str) -> tuple[str, ...]:
        """Delete an image and all its tags; return the tags it had."""
        self._check_writable()
        tags = self.tags_of(digest)
        for tag in tags:
            self._tags.pop(tag)
        self._image_tags.pop(digest)
        self._image_state.pop(digest)
        image = self._images.pop(digest)
        for child in dict.fromkeys(image.children if image is not None else ()):
            left = tuple(d for d in self._parents.get(child) or () if d != digest)
            if left:
                self._parents[child] = left
            else:
                self._parents.pop(child)
        return tags

    # -- sharing ---------------------------------------------------------------------

    def freeze(self) -> None:
        """Make this repository read-only shared state (flattening its layers once)."""
        if self._frozen:
            return
        images = LayeredMap(self._images.flatten())
        tags = LayeredMap(self._tags.flatten())
        image_tags = LayeredMap({d: t for d, t in self._image_tags.flatten().items() if t})
        self._images, self._tags, self._image_tags = images, tags, image_tags
        self._parents = LayeredMap(self._parents.flatten())
        self._image_state = LayeredMap(self._image_state.flatten())
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    def fork(self) -> Repository:
        """A writable copy sharing this frozen repository's indexes: O(1)."""
        if not self._frozen:
            raise FrozenRepositoryError("only a frozen repository can be forked")
        clone = Repository(
            self.name,
            self.registry_id,
            self.region,
            tag_mutability=self.tag_mutability,
            created_at=self.created_at,
            tag_mutability_exclusion_filters=self.tag_mutability_exclusion_filters,
            scan_on_push=self.scan_on_push,
            encryption_type=self.encryption_type,
            kms_key=self.kms_key,
        )
        # The frozen maps hold their contents in their base; forks layer over that base.
        clone._images = LayeredMap(self._images._base)
        clone._tags = LayeredMap(self._tags._base)
        clone._image_tags = LayeredMap(self._image_tags._base)
        clone._parents = LayeredMap(self._parents._base)
        clone._image_state = LayeredMap(self._image_state._base)
        clone._settings = dict(self._settings)
        return clone


def tag_is_immutable(mode: TagMutability, filters: tuple[str, ...], tag: str) -> bool:
    """Whether *tag* is immutable under *mode* with the exclusion *filters*: the filters
    name the tags that stay mutable under ``IMMUTABLE_WITH_EXCLUSION`` and the immutable
    ones under ``MUTABLE_WITH_EXCLUSION``; each matches the whole tag, ``*`` any run."""
    if mode is TagMutability.MUTABLE:
        return False
    if mode is TagMutability.IMMUTABLE:
        return True
    excluded = any(_wildcard(pattern).fullmatch(tag) is not None for pattern in filters)
    if mode is TagMutability.IMMUTABLE_WITH_EXCLUSION:
        return not excluded
    return excluded


def _wildcard(pattern: str) -> re.Pattern[str]:
    # ECR's exclusion filters know one wildcard, `*`; everything else is literal.
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
