"""The per-repository blob store: content apart from references, lazily indexed manifest
references, uploads in progress, and the same fork semantics as images and tags."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from pytest_ecr.model import Image, RegistryState
from pytest_ecr.model.blobs import (
    BlobDescriptor,
    BlobReference,
    FrozenBlobsError,
    PartsContent,
    RepositoryBlobs,
    Upload,
    content_digest,
    manifest_blobs,
)
from pytest_ecr.model.digest import sha256_digest
from pytest_ecr.model.repository import FrozenRepositoryError

OCI = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def digest(n: int) -> str:
    return "sha256:" + f"{n:064x}"


def image(config: int, *layers: int) -> Image:
    doc = {
        "schemaVersion": 2,
        "mediaType": OCI,
        "config": {"mediaType": CONFIG, "size": config, "digest": digest(config)},
        "layers": [{"mediaType": LAYER, "size": n * 10, "digest": digest(n)} for n in layers],
    }
    return Image.from_manifest(json.dumps(doc))


def declared(*images: Image) -> RegistryState:
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("team/api")
    repo.fill(images)
    return state.freeze()


def test_manifest_blobs_config_then_layers() -> None:
    assert manifest_blobs(image(1, 2, 3)) == (
        BlobDescriptor(digest(1), 1, CONFIG),
        BlobDescriptor(digest(2), 20, LAYER),
        BlobDescriptor(digest(3), 30, LAYER),
    )
    index = Image.from_manifest(
        json.dumps({"mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []})
    )
    assert manifest_blobs(index) == ()
    schema1 = Image.from_manifest(
        json.dumps({"schemaVersion": 1, "fsLayers": [{"blobSum": digest(9)}]})
    )
    assert manifest_blobs(schema1) == (BlobDescriptor(digest(9), None, None),)


def test_references_of_a_filled_repository_are_read_on_first_question() -> None:
    a, b = image(1, 2), image(1, 3)
    state = declared(a, b)
    blobs = state.repository("team/api").blobs
    assert blobs.reference(digest(1)) == BlobReference(1, CONFIG, 2)
    assert blobs.reference(digest(3)) == BlobReference(30, LAYER, 1)
    assert blobs.reference(digest(4)) is None


def test_puts_and_deletes_move_references_in_a_fork_only() -> None:
    a = image(1, 2)
    state = declared(a)
    test = state.fork()
    repo = test.repository("team/api")
    repo.put(image(5, 2))
    repo.delete(a.digest)
    assert repo.blobs.reference(digest(2)) == BlobReference(20, LAYER, 1)
    assert repo.blobs.reference(digest(1)) is None
    assert repo.blobs.reference(digest(5)) is not None
    shared = state.repository("team/api").blobs
    assert shared.reference(digest(1)) == BlobReference(1, CONFIG, 1)
    assert shared.reference(digest(5)) is None


def test_a_reference_index_built_before_the_writes_follows_them() -> None:
    repo = RegistryState().create_repository("team/api")
    a = repo.put(image(1, 2))
    assert repo.blobs.reference(digest(2)) == BlobReference(20, LAYER, 1)
    repo.delete(a.digest)
    assert repo.blobs.reference(digest(2)) is None
    repo.put(a)
    assert repo.blobs.reference(digest(2)) == BlobReference(20, LAYER, 1)


def test_content_and_uploads_stay_in_the_fork() -> None:
    state = declared(image(1, 2))
    first = state.fork().repository("team/api")
    first.blobs.start_upload("u1", 5.0)
    first.blobs.add_part("u1", b"ab")
    upload = first.blobs.add_part("u1", b"c")
    assert upload == Upload("u1", 5.0, (b"ab", b"c"), 3)
    assert upload.last_byte_received == 2
    first.blobs.store(digest(2), PartsContent(upload.parts))
    assert first.blobs.finish_upload("u1") == upload
    assert first.blobs.upload("u1") is None
    second = state.fork().repository("team/api")
    assert second.blobs.content(digest(2)) is None
    assert list(second.blobs.uploads()) == []
    assert state.repository("team/api").blobs.content(digest(2)) is None
    with pytest.raises(KeyError):
        first.blobs.add_part("u1", b"late")


def test_a_deleted_repository_takes_its_blobs_along() -> None:
    state = declared(image(1, 2))
    test = state.fork()
    repo = test.repository("team/api")
    repo.blobs.store(digest(7), PartsContent((b"x",)))
    repo.blobs.start_upload("u", 0.0)
    test.delete_repository("111122223333", "us-east-1", "team/api")
    again = test.create_repository("team/api")
    assert again.blobs.content(digest(7)) is None
    assert again.blobs.upload("u") is None
    assert again.blobs.reference(digest(1)) is None


def test_frozen_blobs_refuse_writes_and_only_they_fork_a_fork_freezes_flat() -> None:
    state = RegistryState()
    repo = state.create_repository("team/api")
    repo.blobs.store(digest(1), PartsContent((b"kept",)))
    with pytest.raises(FrozenBlobsError):
        repo.blobs.fork()
    state.freeze()
    assert repo.blobs.frozen
    with pytest.raises(FrozenBlobsError):
        repo.blobs.store(digest(2), PartsContent(()))
    with pytest.raises(FrozenBlobsError):
        repo.blobs.start_upload("u", 0.0)
    fork = repo.blobs.fork()
    assert fork.content(digest(1)) == PartsContent((b"kept",))
    assert dict(fork.contents()) == {digest(1): PartsContent((b"kept",))}
    fork.discard(digest(1))
    assert fork.content(digest(1)) is None
    assert repo.blobs.content(digest(1)) is not None
    # A fork freezes into a store of its own (a shared fake's snapshot), base untouched.
    fork.store(digest(3), PartsContent((b"new",)))
    fork.freeze()
    assert dict(fork.contents()) == {digest(3): PartsContent((b"new",))}
    assert repo.blobs.content(digest(1)) is not None
    with pytest.raises(FrozenBlobsError):
        fork.store(digest(4), PartsContent(()))


def test_writes_before_freezing_are_indexed_after() -> None:
    state = RegistryState()
    repo = state.create_repository("team/api")
    repo.put(image(1, 2))
    state.freeze()
    assert repo.blobs.reference(digest(2)) == BlobReference(20, LAYER, 1)
    assert RepositoryBlobs().reference(digest(2)) is None


def test_parts_content_reads_any_range_without_joining() -> None:
    content = PartsContent((b"abc", b"de", b"fgh"))
    assert content.size == 8
    assert b"".join(content.chunks()) == b"abcdefgh"
    assert list(content.chunks(0, 5)) == [b"abc", b"de"]
    assert b"".join(content.chunks(2, 7)) == b"cdefg"
    assert b"".join(content.chunks(4, 100)) == b"efgh"
    assert list(content.chunks(8)) == []
    assert content_digest(content) == sha256_digest(b"abcdefgh")


def test_every_reference_of_a_fork_and_equality_by_content() -> None:
    a = image(1, 2)
    state = declared(a)
    repo = state.fork().repository("team/api")
    b = repo.put(image(5))
    repo.delete(a.digest)
    assert repo.blobs.references() == {digest(5): BlobReference(5, CONFIG, 1)}
    built = RegistryState().create_repository("team/api")
    built.put(b)
    assert built.blobs == repo.blobs
    built.blobs.start_upload("u", 0.0)
    assert built.blobs != repo.blobs
    assert built.blobs != "a store"


def test_a_layer_shared_by_many_images_is_counted() -> None:
    images = [image(1000 + n, 7) for n in range(50)]
    state = declared(*images)
    repo = state.fork().repository("team/api")
    assert repo.blobs.reference(digest(7)) == BlobReference(70, LAYER, 50)
    for one in images[:49]:
        repo.delete(one.digest)
    assert repo.blobs.reference(digest(7)) == BlobReference(70, LAYER, 1)
    repo.delete(images[49].digest)
    assert repo.blobs.reference(digest(7)) is None
    assert state.repository("team/api").blobs.reference(digest(7)) == BlobReference(70, LAYER, 50)


class Generated:
    """A blob produced on demand (as the data plane's synthetic layers will be): *size*
    bytes of a repeating pattern, never held whole."""

    def __init__(self, size: int) -> None:
        self.size = size

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        stop = self.size if end is None else min(end, self.size)
        for low in range(start, stop, 4096):
            yield bytes((n % 251) for n in range(low, min(low + 4096, stop)))


def test_any_source_of_bytes_is_content() -> None:
    source = Generated(10_000)
    expected = bytes(n % 251 for n in range(10_000))
    assert content_digest(source) == sha256_digest(expected)
    repo = RegistryState().create_repository("team/api")
    repo.blobs.store(content_digest(source), source)
    stored = repo.blobs.content(sha256_digest(expected))
    assert stored is source
    assert b"".join(stored.chunks(9_990)) == expected[9_990:]


def test_a_fork_emptied_then_filled_counts_only_its_images() -> None:
    a = image(1, 2)
    state = declared(a)
    repo = state.fork().repository("team/api")
    repo.delete(a.digest)
    b = image(5, 2)
    repo.fill([b])
    assert repo.blobs.reference(digest(2)) == BlobReference(20, LAYER, 1)
    assert repo.blobs.reference(digest(1)) is None
    assert repo.blobs.reference(digest(5)) == BlobReference(5, CONFIG, 1)


def test_a_snapshot_of_a_fork_keeps_what_it_sees_and_forks_again() -> None:
    """A shared fake's state, snapshotted as a test starts (RegistryState.snapshot)."""
    a = image(1, 2)
    state = declared(a)
    shared = state.fork()
    repo = shared.repository("team/api")
    repo.put(image(5, 2))
    repo.delete(a.digest)
    repo.blobs.store(digest(7), PartsContent((b"ab", b"c")))
    shared.create_repository("team/web")
    shared.set_registry_setting("111122223333", "us-east-1", "policy", "text")
    snapshot = shared.snapshot()
    assert snapshot.frozen
    assert [r.name for r in snapshot.repositories()] == ["team/api", "team/web"]
    blobs = snapshot.repository("team/api").blobs
    assert blobs.frozen
    assert blobs.reference(digest(2)) == BlobReference(20, LAYER, 1)
    assert blobs.reference(digest(1)) is None
    assert blobs.content(digest(7)) is not None
    assert snapshot.registry_setting("111122223333", "us-east-1", "policy") == "text"
    # The snapshotted state refuses writes; forks of the snapshot take them, apart.
    with pytest.raises(FrozenRepositoryError):
        shared.create_repository("late")
    one, two = snapshot.fork(), snapshot.fork()
    one.repository("team/api").delete(image(5, 2).digest)
    assert one.repository("team/api").blobs.reference(digest(2)) is None
    assert two.repository("team/api").blobs.reference(digest(2)) == BlobReference(20, LAYER, 1)
    # The declared state is untouched, and an untouched fork's snapshot is its base.
    assert state.repository("team/api").blobs.reference(digest(1)) == BlobReference(1, CONFIG, 1)
    assert state.fork().snapshot() is state
    assert snapshot.snapshot() is snapshot


class _Counting:
    """A blob source that makes bytes for the digests it was given, counting its calls."""

    def __init__(self, *digests: str) -> None:
        self.digests = digests
        self.calls = 0

    def content(self, digest: str) -> PartsContent | None:
        self.calls += 1
        return PartsContent((digest.encode(),)) if digest in self.digests else None


def test_declared_images_bring_their_bytes_through_their_source() -> None:
    first, second = image(1, 2, 3), image(4, 2)
    source = _Counting(digest(1), digest(2), digest(3))
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("team/api")
    repo.fill([first, second])
    repo.blobs.provide({first.digest: source})
    state.freeze()
    # Nothing is built until a blob is asked for; then only that one, each time.
    assert source.calls == 0
    shared = state.repository("team/api").blobs
    found = shared.content(digest(2))
    assert found is not None
    assert b"".join(found.chunks()) == digest(2).encode()
    assert source.calls == 1
    # A blob only the other image names has no source: no bytes, still referenced.
    assert shared.content(digest(4)) is None
    assert shared.reference(digest(4)) is not None
    assert dict(shared.contents()) == {}
    fork = state.fork().repository("team/api")
    assert fork.blobs.content(digest(3)) is not None
    fork.delete(first.digest)
    assert fork.blobs.content(digest(3)) is None  # its only image is gone
    assert fork.blobs.content(digest(2)) is not None  # the other image still names it


def test_sources_are_provided_before_the_first_question_only() -> None:
    state = RegistryState("111122223333", "us-east-1")
    repo = state.create_repository("team/api")
    repo.fill([image(1, 2)])
    assert repo.blobs.reference(digest(2)) is not None
    with pytest.raises(FrozenBlobsError, match="before the store is first read"):
        repo.blobs.provide({})
    state.freeze()
    with pytest.raises(FrozenBlobsError):
        state.fork().repository("team/api").blobs.provide({})
