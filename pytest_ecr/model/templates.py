"""Repository creation templates: the settings of repositories ECR creates itself.

Templates are kept per registry (account and Region) under :data:`TEMPLATES_KEY` of
:meth:`RegistryState.set_registry_setting`, a tuple in creation order. They apply only
to repositories ECR creates on its own (a pull through a cache rule, a push to a missing
repository, replication), never to CreateRepository, and editing or deleting one never
touches repositories that exist. :func:`template_for` picks the template of a new
repository (longest matching prefix, else ``ROOT``); :func:`settings_for` builds what
that repository gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pytest_ecr.model.caches import ROOT, normal_prefix
from pytest_ecr.model.registry import RegistryState

#: Registry-level setting: a tuple of :class:`RepositoryCreationTemplate`.
TEMPLATES_KEY: Final = "repository_creation_templates"

REPLICATION: Final = "REPLICATION"
PULL_THROUGH_CACHE: Final = "PULL_THROUGH_CACHE"
CREATE_ON_PUSH: Final = "CREATE_ON_PUSH"
#: ``RCTAppliedFor`` values, in the service model's order.
APPLIED_FOR: Final = (REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH)

#: ``EncryptionType`` and ``ImageTagMutability`` values, and the exclusion filter pattern.
ENCRYPTION_TYPES: Final = ("AES256", "KMS", "KMS_DSSE")
TAG_MUTABILITIES: Final = (
    "MUTABLE",
    "IMMUTABLE",
    "IMMUTABLE_WITH_EXCLUSION",
    "MUTABLE_WITH_EXCLUSION",
)
EXCLUSION_FILTER_PATTERN: Final = "^[0-9a-zA-Z._*-]{1,128}$"

#: ``KmsKeyForRepositoryCreationTemplate``: a full key ARN, or empty.
KMS_KEY_PATTERN: Final = r"^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-z0-9-]+"


@dataclass(frozen=True, slots=True)
class RepositoryCreationTemplate:
    """One template. Tags are ``(key, value)`` pairs; exclusion filters wildcard strings."""

    prefix: str
    applied_for: tuple[str, ...]
    created_at: float
    updated_at: float
    description: str | None = None
    encryption_type: str = "AES256"
    kms_key: str | None = None
    resource_tags: tuple[tuple[str, str], ...] = ()
    image_tag_mutability: str = "MUTABLE"
    image_tag_mutability_exclusion_filters: tuple[str, ...] = ()
    repository_policy: str | None = None
    lifecycle_policy: str | None = None
    custom_role_arn: str | None = None

    @property
    def key(self) -> str:
        return normal_prefix(self.prefix)

    def matches(self, repository_name: str) -> bool:
        """Whether the template's prefix covers *repository_name* (``ROOT`` covers all).

        A prefix names a namespace: ``prod`` covers ``prod/api``, not ``production``
        nor ``prod`` itself.
        """
        return self.key == ROOT or repository_name.startswith(self.key + "/")


@dataclass(frozen=True, slots=True)
class CreatedRepositorySettings:
    """What a repository ECR creates itself starts with.

    Without a template: ECR's defaults (mutable tags, AES256, no policies, no tags).
    ``failure`` is set when the template cannot be applied as it stands: one that sets
    tags or a KMS key needs ``customRoleArn``, else ECR fails the creation it drives.
    """

    template_prefix: str | None = None
    image_tag_mutability: str = "MUTABLE"
    image_tag_mutability_exclusion_filters: tuple[str, ...] = ()
    encryption_type: str = "AES256"
    kms_key: str | None = None
    resource_tags: tuple[tuple[str, str], ...] = ()
    repository_policy: str | None = None
    lifecycle_policy: str | None = None
    failure: str | None = None


def templates(
    state: RegistryState, account: str, region: str
) -> tuple[RepositoryCreationTemplate, ...]:
    """The templates of one registry, in creation order."""
    found = state.registry_setting(account, region, TEMPLATES_KEY)
    return found if isinstance(found, tuple) else ()


def set_templates(
    state: RegistryState,
    account: str,
    region: str,
    value: tuple[RepositoryCreationTemplate, ...],
) -> None:
    state.set_registry_setting(account, region, TEMPLATES_KEY, value or None)


def find_template(
    found: tuple[RepositoryCreationTemplate, ...], prefix: str
) -> RepositoryCreationTemplate | None:
    """The template of *prefix* (with or without its trailing ``/``)."""
    key = normal_prefix(prefix)
    return next((template for template in found if template.key == key), None)


def template_for(
    found: tuple[RepositoryCreationTemplate, ...], repository_name: str, applied_for: str
) -> RepositoryCreationTemplate | None:
    """The template a repository that ECR creates for *applied_for* gets.

    Among the templates listing *applied_for*: the longest prefix covering the name
    (``prod/team`` over ``prod``), else ``ROOT``, else none.
    """
    best: RepositoryCreationTemplate | None = None
    root: RepositoryCreationTemplate | None = None
    for template in found:
        if applied_for not in template.applied_for:
            continue
        if template.key == ROOT:
            root = template
        elif template.matches(repository_name) and (
            best is None or len(template.key) > len(best.key)
        ):
            best = template
    return best or root


def settings_for(template: RepositoryCreationTemplate | None) -> CreatedRepositorySettings:
    """The settings a repository created from *template* (``None``: no template) gets."""
    if template is None:
        return CreatedRepositorySettings()
    failure = None
    if template.custom_role_arn is None and (
        template.resource_tags or (template.encryption_type != "AES256" and template.kms_key)
    ):
        failure = (
            f"The repository creation template with prefix '{template.prefix}' applies tags "
            "or a KMS key and needs a customRoleArn"
        )
    return CreatedRepositorySettings(
        template_prefix=template.prefix,
        image_tag_mutability=template.image_tag_mutability,
        image_tag_mutability_exclusion_filters=template.image_tag_mutability_exclusion_filters,
        encryption_type=template.encryption_type,
        kms_key=template.kms_key or None,
        resource_tags=template.resource_tags,
        repository_policy=template.repository_policy or None,
        lifecycle_policy=template.lifecycle_policy or None,
        failure=failure,
    )


def settings_for_new_repository(
    state: RegistryState, account: str, region: str, repository_name: str, applied_for: str
) -> CreatedRepositorySettings:
    """What a repository ECR creates itself (for *applied_for*) in one registry gets."""
    return settings_for(
        template_for(templates(state, account, region), repository_name, applied_for)
    )
