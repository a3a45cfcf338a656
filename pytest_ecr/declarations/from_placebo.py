"""``pytest-ecr from-placebo``: a declaration from placebo's recordings of ECR answers.

What is kept:

* repositories, from DescribeRepositories and CreateRepository answers (account and
  region from the repository ARN), with the settings those answers show (tag mutability
  and its exclusions, scan on push, encryption, creation time) and those of
  PutImageTagMutability, PutImageScanningConfiguration, Get/SetRepositoryPolicy and
  Get/PutLifecyclePolicy answers; a ListTagsForResource answer names no resource, so its
  tags are kept only when the recordings hold one repository;
* images with their exact manifest bytes, from BatchGetImage and PutImage answers (the
  declared digests are the recorded ones), and their tags and push times from
  DescribeImages;
* an image seen only in DescribeImages (no manifest recorded) as a synthetic image with
  its tags, push time and media type, whose digest is then not the recorded one (a note
  says so), or left out with ``synthetic=False``.

placebo's files do not say in which order answers of different operations came, so where
they disagree the latest state is taken to be DescribeRepositories', then a Put/Set
answer's, then CreateRepository's (within one operation the highest number wins), and a
note names the disagreement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_ecr._version import __version__
from pytest_ecr.declarations.api_answers import (
    dump_exact,
    has_media_type,
    repository_settings,
    sort_time,
    time_value,
)
from pytest_ecr.declarations.dump import LiteralText
from pytest_ecr.declarations.placebo import Recording, read_recordings
from pytest_ecr.declarations.synthetic import SYNTHETIC_MEDIA_TYPES
from pytest_ecr.model import DEFAULT_ACCOUNT

#: How much a source of a setting is trusted to be the latest state (higher: later).
_RANK = {"CreateRepository": 0, "DescribeRepositories": 2}
_SETTING_OPERATIONS = {
    "PutImageTagMutability": ("imageTagMutability", "imageTagMutabilityExclusionFilters"),
    "PutImageScanningConfiguration": ("imageScanningConfiguration",),
    "GetRepositoryPolicy": ("policyText",),
    "SetRepositoryPolicy": ("policyText",),
    "GetLifecyclePolicy": ("lifecyclePolicyText",),
    "PutLifecyclePolicy": ("lifecyclePolicyText",),
}


@dataclass(frozen=True, slots=True)
class Conversion:
    """The declaration's YAML text, and notes on what was left out or made up."""

    text: str
    notes: tuple[str, ...]


@dataclass
class _Image:
    digest: str
    tags: list[str] = field(default_factory=list)
    described: bool = False
    pushed_at: Any = None
    media_type: str | None = None
    manifest: str | None = None


@dataclass
class _Repo:
    name: str
    account: str
    region: str | None = None
    #: setting -> (rank, number, operation, value); the highest rank and number wins.
    settings: dict[str, list[tuple[int, int, str, Any]]] = field(default_factory=dict)
    images: dict[str, _Image] = field(default_factory=dict)

    def offer(self, key: str, rank: int, recording: Recording, value: Any) -> None:
        self.settings.setdefault(key, []).append(
            (rank, recording.index, recording.operation, value)
        )


class _Builder:
    def __init__(self, account: str | None, region: str | None) -> None:
        self.account = account
        self.region = region
        self.repos: dict[tuple[str, str], _Repo] = {}
        self.notes: list[str] = []
        self.tag_answers: list[Recording] = []

    def repo(self, account: str | None, name: str, region: str | None = None) -> _Repo:
        account = account or self.account or DEFAULT_ACCOUNT
        found = self.repos.setdefault((account, name), _Repo(name, account))
        found.region = found.region or region
        return found

    # -- the answers -------------------------------------------------------------------

    def add(self, recording: Recording) -> None:
        data, operation = recording.data, recording.operation
        if operation in _RANK:
            listed = data.get("repositories") or [data.get("repository")]
            for repository in listed:
                if isinstance(repository, Mapping):
                    self.repository(recording, repository)
        elif operation in _SETTING_OPERATIONS:
            self.setting(recording)
        elif operation == "ListTagsForResource":
            self.tag_answers.append(recording)
        elif operation == "DescribeImages":
            for detail in data.get("imageDetails") or []:
                self.described(detail)
        elif operation in ("BatchGetImage", "PutImage"):
            images = data.get("images") or [data.get("image")]
            for image in images:
                if isinstance(image, Mapping):
                    self.manifest(image)

    def repository(self, recording: Recording, repository: Mapping[str, Any]) -> None:
        arn = str(repository.get("repositoryArn", ""))
        parts = arn.split(":", 5)  # arn:aws:ecr:<region>:<account>:repository/<name>
        region = parts[3] if len(parts) == 6 and parts[3] else None
        name = repository.get("repositoryName")
        if not isinstance(name, str):
            return
        repo = self.repo(repository.get("registryId"), name, region)
        rank = _RANK[recording.operation]
        settings = repository_settings(repository)
        for key in ("tag_mutability", "tag_mutability_exclusions", "scan_on_push"):
            default = {"tag_mutability": "MUTABLE", "scan_on_push": False}.get(key, [])
            repo.offer(key, rank, recording, settings.get(key, default))
        for key in ("encryption", "created_at"):
            if key in settings:
                repo.offer(key, rank, recording, settings[key])

    def setting(self, recording: Recording) -> None:
        data = recording.data
        name = data.get("repositoryName")
        if not isinstance(name, str):
            return
        repo = self.repo(data.get("registryId"), name)
        settings = repository_settings(
            {key: data[key] for key in _SETTING_OPERATIONS[recording.operation] if key in data}
        )
        if recording.operation == "PutImageTagMutability":
            repo.offer("tag_mutability", 1, recording, settings.get("tag_mutability", "MUTABLE"))
            exclusions = settings.get("tag_mutability_exclusions", [])
            repo.offer("tag_mutability_exclusions", 1, recording, exclusions)
        elif recording.operation == "PutImageScanningConfiguration":
            repo.offer("scan_on_push", 1, recording, settings.get("scan_on_push", False))
        elif "policyText" in data:
            repo.offer("policy", 1, recording, data["policyText"])
        elif "lifecyclePolicyText" in data:
            repo.offer("lifecycle_policy", 1, recording, data["lifecyclePolicyText"])

    def described(self, detail: Any) -> None:
        if not isinstance(detail, Mapping) or not isinstance(detail.get("imageDigest"), str):
            return
        if not isinstance(detail.get("repositoryName"), str):
            return
        repo = self.repo(detail.get("registryId"), detail["repositoryName"])
        image = repo.images.setdefault(detail["imageDigest"], _Image(detail["imageDigest"]))
        image.described = True
        image.tags = [str(tag) for tag in detail.get("imageTags") or []]
        image.pushed_at = detail.get("imagePushedAt", image.pushed_at)
        image.media_type = detail.get("imageManifestMediaType") or image.media_type

    def manifest(self, found: Mapping[str, Any]) -> None:
        ident = found.get("imageId") or {}
        digest, manifest = ident.get("imageDigest"), found.get("imageManifest")
        name = found.get("repositoryName")
        if (
            not isinstance(digest, str)
            or not isinstance(manifest, str)
            or not isinstance(name, str)
        ):
            return
        repo = self.repo(found.get("registryId"), name)
        image = repo.images.setdefault(digest, _Image(digest))
        actual = "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()
        if actual != digest:
            self.notes.append(
                f"{repo.name}@{digest}: the recorded manifest is not the stored one (its "
                "digest differs: ECR converted it for acceptedMediaTypes); not used"
            )
            return
        image.manifest = manifest
        image.media_type = image.media_type or found.get("imageManifestMediaType")
        tag = ident.get("imageTag")
        if isinstance(tag, str) and not image.described and tag not in image.tags:
            image.tags.append(tag)

    # -- the document ------------------------------------------------------------------

    def chosen(self, repo: _Repo) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        for key, offers in repo.settings.items():
            best = max(offers, key=lambda offer: offer[:2])
            values = {repr(offer[3]) for offer in offers}
            if len(values) > 1:
                sources = ", ".join(sorted({f"{o[2]} says {o[3]!r}" for o in offers}))
                self.notes.append(
                    f"{repo.name}: the recordings disagree on {key} ({sources}); kept "
                    f"{best[2]}'s (placebo does not record the order of answers)"
                )
            if best[3] not in ("MUTABLE", False, []):
                entry[key] = best[3]
        return entry

    def tags(self) -> None:
        for recording in self.tag_answers:
            tags = recording.data.get("tags") or []
            if not tags:
                continue
            if len(self.repos) != 1:
                self.notes.append(
                    f"{recording.path.name}: tags left out: ListTagsForResource answers do "
                    "not name their repository and the recordings hold several"
                )
                continue
            repo = next(iter(self.repos.values()))
            value = {str(t.get("Key")): str(t.get("Value")) for t in tags if isinstance(t, dict)}
            repo.offer("tags", 1, recording, value)


def _image_entry(repo: _Repo, image: _Image, synthetic: bool, notes: list[str]) -> Any:
    entry: dict[str, Any] = {}
    if image.tags:
        entry["tags"] = image.tags
    if image.manifest is not None:
        entry["digest"] = image.digest
    pushed_at = time_value(image.pushed_at)
    if pushed_at is not None:
        entry["pushed_at"] = pushed_at
    if image.manifest is not None:
        if not has_media_type(image.manifest) and image.media_type:
            entry["media_type"] = image.media_type
        entry["manifest_text"] = LiteralText(image.manifest)
        return entry
    where = f"{repo.name}@{image.digest}"
    if not synthetic:
        notes.append(f"{where}: left out: no manifest recorded (BatchGetImage or PutImage)")
        return None
    if image.media_type and image.media_type not in SYNTHETIC_MEDIA_TYPES:
        notes.append(
            f"{where}: left out: no manifest recorded, and {image.media_type} cannot be made up"
        )
        return None
    if image.media_type:
        entry["media_type"] = image.media_type
    notes.append(f"{where}: no manifest recorded; declared synthetic, with another digest")
    return entry


def _repository_entries(builder: _Builder, synthetic: bool) -> list[dict[str, Any]]:
    entries = []
    for (account, name), repo in sorted(builder.repos.items()):
        entry: dict[str, Any] = {"name": name, "account": account}
        if repo.region:
            entry["region"] = repo.region
        entry.update(builder.chosen(repo))
        ordered = sorted(repo.images.values(), key=lambda i: (sort_time(i.pushed_at), i.digest))
        images = [_image_entry(repo, image, synthetic, builder.notes) for image in ordered]
        entry["images"] = [image for image in images if image is not None]
        entries.append(entry)
    return entries


def _hoist(entries: list[dict[str, Any]], key: str, given: str | None) -> str | None:
    """The value of *key* shared by every entry, moved to the document's top."""
    values = {entry.get(key) for entry in entries} | ({given} if given else set())
    values.discard(None)
    if len(values) != 1:
        return None
    value = values.pop()
    for entry in entries:
        entry.pop(key, None)
    return value


def convert_placebo(
    directory: Path,
    *,
    synthetic: bool = True,
    account: str | None = None,
    region: str | None = None,
) -> Conversion:
    """The declaration of the ECR state placebo's recordings in *directory* show.

    *account* and *region* are used where the recordings do not say (an image of a
    repository no recorded answer describes). Raises
    :class:`~pytest_ecr.declarations.placebo.RecordingError` for unreadable recordings.
    """
    recordings, notes = read_recordings(directory)
    builder = _Builder(account, region)
    for recording in recordings:
        if recording.ok:
            builder.add(recording)
    builder.tags()
    entries = _repository_entries(builder, synthetic)
    document: dict[str, Any] = {"version": 1}
    top_account = _hoist(entries, "account", account)
    top_region = _hoist(entries, "region", region)
    if top_account:
        document["account"] = top_account
    if top_region:
        document["region"] = top_region
    document["repositories"] = entries
    header = (
        f"# Converted from the placebo recordings in {directory.name}/ by pytest-ecr "
        f"{__version__} from-placebo.\n"
        "# manifest_text holds each recorded manifest's exact bytes: the digests are the "
        "recorded ones.\n"
    )
    return Conversion(dump_exact(document, header), (*notes, *builder.notes))


__all__ = ["Conversion", "convert_placebo"]
