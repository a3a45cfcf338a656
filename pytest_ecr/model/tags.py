"""Resource tags of a repository: ECR's limits and the value kept per repository.

Tags are kept as a repository setting (:data:`TAGS`): a tuple of ``(key, value)`` pairs in
the order the keys were first added, replaced whole on every write so forks share it.
"""

from __future__ import annotations

from typing import Final

from pytest_ecr.model.repository import Repository

#: The repository setting that holds the tags.
TAGS: Final = "tags"
#: ECR's limits (TooManyTagsException, InvalidTagParameterException).
MAX_TAGS: Final = 50
MAX_KEY_LENGTH: Final = 128
MAX_VALUE_LENGTH: Final = 256
#: Keys starting with this prefix, in any case, are reserved for AWS.
RESERVED_PREFIX: Final = "aws:"

Tags = tuple[tuple[str, str], ...]


def repository_tags(repo: Repository) -> Tags:
    """The tags of *repo*, in the order their keys were first added."""
    value = repo.setting(TAGS)
    return value if isinstance(value, tuple) else ()


def merged(current: Tags, new: Tags) -> Tags:
    """*current* with *new* applied: a key already present keeps its place and takes the
    new value; other keys are appended in the order given."""
    values = dict(current)
    values.update(new)
    return tuple(values.items())


def without(current: Tags, keys: tuple[str, ...]) -> Tags:
    """*current* without the tags named by *keys* (absent keys are ignored)."""
    drop = set(keys)
    return tuple((key, value) for key, value in current if key not in drop)


def set_repository_tags(repo: Repository, tags: Tags) -> None:
    """Replace the tags of *repo* (no tags removes the setting)."""
    repo.set_setting(TAGS, tags or None)


__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_TAGS",
    "MAX_VALUE_LENGTH",
    "RESERVED_PREFIX",
    "TAGS",
    "Tags",
    "merged",
    "repository_tags",
    "set_repository_tags",
    "without",
]
