"""Blobs (layers and configs) per repository: content, references, and uploads in progress.

ECR scopes layers to a repository, so each :class:`~pytest_ecr.model.Repository` holds one
:class:`RepositoryBlobs`. It keeps three things apart:

- **content**: the bytes of a blob, as a :class:`BlobContent` (any object that knows its
  size and yields its bytes in chunks). A completed upload stores its parts as they came
  (:class:`PartsContent`, never joined into one copy). Declared images bring their own
  bytes through a :class:`BlobSource` per image (:meth:`RepositoryBlobs.provide`): a
  synthetic image's builds them again when asked, a declared image's blob files are read
  when served. :meth:`RepositoryBlobs.content` answers from both;
- **references**: how many images of the repository name a blob in their manifest (config
  and layers), with the size and media type the manifest states. They are read out of the
  manifests lazily, on the first question, so building or forking a repository of
  100,000 images costs nothing here until a layer is asked about;
- **uploads** in progress (:class:`Upload`), by upload id.

Like the repository, a frozen store is shared read-only and each test works on an O(1)
:meth:`RepositoryBlobs.fork` that keeps its own writes: a test's uploads never leak.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol

from pytest_ecr.model.image import Image
from pytest_ecr.model.layered import LayeredMap
from pytest_ecr.model.media import MediaType


class FrozenBlobsError(RuntimeError):
    """Raised on an attempt to write to a shared (frozen) blob store instead of a fork."""


class BlobContent(Protocol):
    """The bytes of one blob: its size, and its bytes from *start* to *end* in chunks."""

    @property
    def size(self) -> int: ...

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``[start, end)`` (``end`` ``None``: to the end), in chunks."""
        ...


@dataclass(frozen=True, slots=True)
class PartsContent:
    """Bytes kept as the parts they arrived in (an upload's parts), never joined."""

    parts: tuple[bytes, ...]

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        stop = self.size if end is None else min(end, self.size)
        offset = 0
        for part in self.parts:
            low, high = max(start, offset), min(stop, offset + len(part))
            if low < high:
                yield (
                    part
                    if (low, high) == (offset, offset + len(part))
                    else part[low - offset : high - offset]
                )
            offset += len(part)
            if offset >= stop:
                return


class BlobSource(Protocol):
    """Where the blobs of one declared image come from (its generated or declared bytes)."""

    def content(self, digest: str) -> BlobContent | None:
        """The bytes of blob *digest* of the image, or ``None`` if it brings none."""
        ...


#: The repository or registry setting that lets PutImage store a manifest whose config or
#: layers the repository lacks (``allow_missing_layers`` in a declaration).
ALLOW_MISSING_LAYERS: Final = "allow_missing_layers"

#: Layer media types a registry does not serve (their ``urls`` point elsewhere): no
#: bytes are needed for them.
FOREIGN_LAYER_TYPES: Final = frozenset(
    {
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    }
)


def content_digest(content: BlobContent) -> str:
    """``sha256:<hex>`` of the whole content, read chunk by chunk."""
    hasher = hashlib.sha256()
    for chunk in content.chunks():
        hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


class BlobDescriptor(NamedTuple):
    """A blob as a manifest names it: digest, stated size and media type (either may be
    absent, as in a schema 1 manifest). A named tuple: indexing a repository of 100,000
    images builds and hashes hundreds of thousands of these."""

    digest: str
    size: int | None
    media_type: str | None


class BlobReference(NamedTuple):
    """What the repository's manifests say of one blob: the size and media type of the
    first manifest that named it, how many of its images name it (a count, so a base
    layer that 100,000 images share costs O(1) per push or delete), and the
    :class:`BlobSource` of the first declared image naming it that brings bytes."""

    size: int | None
    media_type: str | None
    images: int
    source: BlobSource | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """A layer upload in progress: its id, when it started, and the parts received so far
    (in order and contiguous: the service checks that before adding one)."""

    upload_id: str
    started_at: float
    parts: tuple[bytes, ...] = ()
    received: int = 0

    @property
    def last_byte_received(self) -> int:
        """The offset of the last byte received; ``-1`` before the first part."""
        return self.received - 1

    def with_part(self, data: bytes) -> Upload:
        return Upload(
            self.upload_id, self.started_at, (*self.parts, data), self.received + len(data)
        )


def manifest_blobs(image: Image) -> tuple[BlobDescriptor, ...]:
    """The blobs an image's manifest names: config then layers (a schema 1 manifest's
    ``fsLayers``); none for a manifest list, whose children are images."""
    if image.media_type in MediaType.LISTS:
        return ()
    try:
        doc = json.loads(image.manifest)
    except ValueError:
        return ()
    if not isinstance(doc, dict):
        return ()
    if image.media_type in MediaType.SCHEMA1:
        entries = doc.get("fsLayers")
        return tuple(
            BlobDescriptor(entry["blobSum"], None, None)
            for entry in (entries if isinstance(entries, list) else [])
            if isinstance(entry, dict) and isinstance(entry.get("blobSum"), str)
        )
    layers = doc.get("layers")
    found: list[BlobDescriptor] = []
    for entry in [doc.get("config"), *(layers if type(layers) is list else ())]:
        if type(entry) is not dict:
            continue
        digest, size, media_type = entry.get("digest"), entry.get("size"), entry.get("mediaType")
        if type(digest) is str:
            found.append(
                BlobDescriptor(
                    digest,
                    size if type(size) is int else None,
                    media_type if type(media_type) is str else None,
                )
            )
    return tuple(found)


class RepositoryBlobs:
    """One repository's blobs: content by digest, references from its images' manifests,
    and uploads in progress. See the module's text."""

    __slots__ = (
        "_base",
        "_contents",
        "_frozen",
        "_lock",
        "_pending",
        "_refs",
        "_seed",
        "_sources",
        "_uploads",
    )

    def __init__(self, *, _base: RepositoryBlobs | None = None) -> None:
        self._base = _base
        self._contents: LayeredMap[str, BlobContent] = LayeredMap(
            _base._contents._base if _base is not None else None
        )
        self._uploads: LayeredMap[str, Upload] = LayeredMap(
            _base._uploads._base if _base is not None else None
        )
        # The reference index, built on the first question: for a fork, the entries it
        # changed over its base's index (a reference with no images: none left).
        self._refs: dict[str, BlobReference] | None = None
        # Images whose manifests are still to be read: every image of a filled repository
        # (``_seed``), then the additions (True) and removals (False) since.
        self._seed: Iterable[Image] = ()
        self._pending: list[tuple[bool, Image]] = []
        # image digest -> where its blobs come from (declared images); a fork reads its
        # base's, and adds none.
        self._sources: dict[str, BlobSource] = {}
        self._frozen = False
        # A frozen store is read by every test's fork, maybe from several threads: its
        # index is built (once) under this lock.
        self._lock = threading.Lock()

    # Compared by what they hold (content, uploads, references), as the repository's
    # other indexes are: fill() and put() must build the same store.
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RepositoryBlobs):
            return NotImplemented
        return (
            dict(self.contents()) == dict(other.contents())
            and list(self.uploads()) == list(other.uploads())
            and self.references() == other.references()
        )

    def __repr__(self) -> str:
        return f"<RepositoryBlobs contents={len(self._contents)} uploads={len(self._uploads)}>"

    # -- content -----------------------------------------------------------------------

    def content(self, digest: str) -> BlobContent | None:
        """The bytes of blob *digest*, or ``None`` when the repository has none: uploaded
        bytes, else those of a declared image that names it (generated or read from its
        blob files, on each call)."""
        found = self._contents.get(digest)
        if found is None:
            reference = self._index_entry(digest)
            if reference is not None and reference.images and reference.source is not None:
                found = reference.source.content(digest)
        return found

    def contents(self) -> Iterator[tuple[str, BlobContent]]:
        """Every ``(digest, content)`` the repository holds uploaded bytes for (declared
        images' bytes are not listed: they are made when asked for)."""
        return self._contents.items()

    def provide(self, sources: Mapping[str, BlobSource]) -> None:
        """Declare where the blobs of images come from: *sources* maps an image digest to
        its :class:`BlobSource`. For declared state only: before the store is frozen and
        before its first question (the reference index reads the sources as it is built).
        """
        self._check_writable()
        if self._base is not None or self._refs is not None:
            raise FrozenBlobsError("blob sources are provided before the store is first read")
        self._sources.update(sources)

    def _source_of(self, image: Image) -> BlobSource | None:
        store: RepositoryBlobs | None = self
        while store is not None:
            found = store._sources.get(image.digest)
            if found is not None:
                return found
            store = store._base
        return None

    def store(self, digest: str, content: BlobContent) -> None:
        """Keep *content* (immutable: forks share it) as the bytes of blob *digest*."""
        self._check_writable()
        self._contents[digest] = content

    def discard(self, digest: str) -> BlobContent | None:
        """Drop the bytes of blob *digest*; return them."""
        self._check_writable()
        return self._contents.pop(digest)

    # -- references --------------------------------------------------------------------

    def reference(self, digest: str) -> BlobReference | None:
        """What the repository's images say of blob *digest*; ``None`` if none names it."""
        found = self._index_entry(digest)
        return found if found is not None and found.images else None

    def references(self) -> dict[str, BlobReference]:
        """Every blob the repository's images name, with what they say of it."""
        merged = dict(self._base.references()) if self._base is not None else {}
        merged.update(self._index())
        return {digest: ref for digest, ref in merged.items() if ref.images}

    def image_added(self, image: Image) -> None:
        """Note a new image (read lazily, on the next question)."""
        self._pending.append((True, image))

    def image_removed(self, image: Image) -> None:
        """Note a deleted image (read lazily, on the next question)."""
        self._pending.append((False, image))

    def seed(self, images: Iterable[Image]) -> None:
        """Index *images* (a filled repository's, all at once) when first asked."""
        self._check_writable()
        if self._base is not None:
            # A fork emptied of its base's images (their removals noted): add to that.
            self._pending.extend((True, image) for image in images)
            return
        self._seed = images
        self._refs = None
        self._pending = []

    def _index_entry(self, digest: str) -> BlobReference | None:
        refs = self._index()
        found = refs.get(digest)
        if found is None and self._base is not None:
            return self._base._index_entry(digest)
        return found

    def _index(self) -> dict[str, BlobReference]:
        if self._frozen:
            with self._lock:
                return self._build()
        return self._build()

    def _build(self) -> dict[str, BlobReference]:
        refs = self._refs
        if refs is None:
            refs = {}
            for image in self._seed:
                self._apply(refs, True, image)
            self._refs = refs
            self._seed = ()
        if self._pending:
            pending, self._pending = self._pending, []
            for added, image in pending:
                self._apply(refs, added, image)
        return refs

    def _apply(self, refs: dict[str, BlobReference], added: bool, image: Image) -> None:
        base = self._base
        source = self._source_of(image) if added else None
        for blob in dict.fromkeys(manifest_blobs(image)):
            digest = blob.digest
            current = refs.get(digest)
            if current is None and base is not None:
                current = base._index_entry(digest)
            if added:
                if current is None or not current.images:
                    refs[digest] = BlobReference(blob.size, blob.media_type, 1, source)
                else:
                    refs[digest] = current._replace(
                        images=current.images + 1, source=current.source or source
                    )
            elif current is not None and current.images:
                refs[digest] = current._replace(images=current.images - 1)

    # -- uploads -----------------------------------------------------------------------

    def upload(self, upload_id: str) -> Upload | None:
        """The upload in progress *upload_id*, or ``None``."""
        return self._uploads.get(upload_id)

    def uploads(self) -> Iterator[Upload]:
        """Every upload in progress."""
        for _, upload in self._uploads.items():
            yield upload

    def start_upload(self, upload_id: str, started_at: float) -> Upload:
        self._check_writable()
        upload = self._uploads[upload_id] = Upload(upload_id, started_at)
        return upload

    def add_part(self, upload_id: str, data: bytes) -> Upload:
        """Append *data* to the upload; :class:`KeyError` if there is no such upload."""
        self._check_writable()
        upload = self._uploads.get(upload_id)
        if upload is None:
            raise KeyError(upload_id)
        upload = self._uploads[upload_id] = upload.with_part(data)
        return upload

    def finish_upload(self, upload_id: str) -> Upload | None:
        """End the upload (completed or abandoned); return it."""
        self._check_writable()
        return self._uploads.pop(upload_id)

    # -- sharing -----------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._frozen:
            raise FrozenBlobsError("this blob store is shared declared state; write to a fork")

    def freeze(self) -> None:
        """Make this store read-only shared state."""
        if self._frozen:
            return
        if self._base is not None:
            # A fork (a shared fake's, snapshotted for its next test) becomes a store of
            # its own: the references it sees, its base's included, flattened into one.
            refs = self.references()
            self._base, self._refs, self._seed, self._pending = None, refs, (), []
        self._contents = LayeredMap(self._contents.flatten())
        self._uploads = LayeredMap(self._uploads.flatten())
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    def fork(self) -> RepositoryBlobs:
        """A writable view of this frozen store for one test: O(1)."""
        if not self._frozen:
            raise FrozenBlobsError("only a frozen blob store can be forked")
        return RepositoryBlobs(_base=self)
