"""The referrer index (subject -> referrers) and the storage-class state on the clock."""

from __future__ import annotations

import json

from pytest_ecr.model import Image, RegistryState, inspect_manifest
from pytest_ecr.model.archive import (
    ACTIVATING,
    ACTIVE,
    ARCHIVED,
    NEVER_ARCHIVED,
    RESTORE_SECONDS,
    STORAGE_CLASS_KEY,
    image_status,
    is_pullable,
)

OCI = "application/vnd.oci.image.manifest.v1+json"
EMPTY = {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "size": 2,
    "digest": "sha256:" + "4" * 64,
}


def subject_image(seed: int) -> Image:
    doc = {"schemaVersion": 2, "mediaType": OCI, "config": {**EMPTY, "size": seed}, "layers": []}
    return Image.from_manifest(json.dumps(doc))


def referrer_of(subject: str, seed: int, artifact_type: str | None = "application/x-sig") -> Image:
    doc: dict[str, object] = {
        "schemaVersion": 2,
        "mediaType": OCI,
        "config": {**EMPTY, "size": seed},
        "layers": [],
        "subject": {"mediaType": OCI, "digest": subject, "size": 1},
    }
    if artifact_type is not None:
        doc["artifactType"] = artifact_type
    return Image.from_manifest(json.dumps(doc))


def test_inspect_reads_subject_and_artifact_type() -> None:
    subject = subject_image(1)
    info = inspect_manifest(referrer_of(subject.digest, 2).manifest)
    assert (info.subject, info.artifact_type) == (subject.digest, "application/x-sig")
    plain = inspect_manifest(referrer_of(subject.digest, 3, None).manifest)
    assert plain.artifact_type == EMPTY["mediaType"]
    # A manifest without either keeps both unset (images compare as before).
    assert inspect_manifest(subject.manifest).subject is None
    assert inspect_manifest(subject.manifest).artifact_type is None


def test_the_index_is_kept_by_put_delete_and_fill() -> None:
    state = RegistryState()
    repo = state.create_repository("team/art")
    subject = repo.put(subject_image(1))
    first = repo.put(referrer_of(subject.digest, 2))
    second = repo.put(referrer_of(subject.digest, 3))
    assert repo.referrers(subject.digest) == (first.digest, second.digest)
    repo.delete(first.digest)
    assert repo.referrers(subject.digest) == (second.digest,)
    repo.delete(second.digest)
    assert repo.referrers(subject.digest) == ()

    filled = state.create_repository("team/filled")
    filled.fill([subject, first, second])
    assert filled.referrers(subject.digest) == (first.digest, second.digest)
    # A referrer may arrive before its subject.
    orphan = filled.put(referrer_of("sha256:" + "9" * 64, 4))
    assert filled.referrers("sha256:" + "9" * 64) == (orphan.digest,)


def test_forks_share_the_index_and_keep_their_writes() -> None:
    state = RegistryState()
    repo = state.create_repository("team/art")
    subject = repo.put(subject_image(1))
    first = repo.put(referrer_of(subject.digest, 2))
    state.freeze()
    one, two = state.fork(), state.fork()
    mine = one.repository("team/art")
    added = mine.put(referrer_of(subject.digest, 3))
    mine.delete(first.digest)
    assert mine.referrers(subject.digest) == (added.digest,)
    assert two.repository("team/art").referrers(subject.digest) == (first.digest,)


def test_archive_and_restore_on_the_clock() -> None:
    state = RegistryState()
    repo = state.create_repository("team/api")
    digest = repo.put(subject_image(1)).digest
    assert image_status(repo, digest, 0.0) == ACTIVE
    archived = NEVER_ARCHIVED.archived(100.0)
    repo.set_image_state(digest, STORAGE_CLASS_KEY, archived)
    assert image_status(repo, digest, 100.0) == ARCHIVED
    assert not is_pullable(repo, digest, 100.0)
    restoring = archived.restored(200.0)
    repo.set_image_state(digest, STORAGE_CLASS_KEY, restoring)
    assert image_status(repo, digest, 200.0 + RESTORE_SECONDS - 1) == ACTIVATING
    assert restoring.last_activated_at(200.0) is None
    assert image_status(repo, digest, 200.0 + RESTORE_SECONDS) == ACTIVE
    assert restoring.last_activated_at(10_000.0) == 200.0 + RESTORE_SECONDS
    again = restoring.archived(10_000.0)
    assert (again.last_archived_at, again.last_activated_at(20_000.0)) == (
        10_000.0,
        200.0 + RESTORE_SECONDS,
    )
    # The state goes with the image.
    repo.delete(digest)
    assert repo.image_state(digest, STORAGE_CLASS_KEY) is None
