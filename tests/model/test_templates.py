"""Which template a repository ECR creates itself gets, and what it gets from it."""

from __future__ import annotations

from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.templates import (
    CREATE_ON_PUSH,
    PULL_THROUGH_CACHE,
    REPLICATION,
    CreatedRepositorySettings,
    RepositoryCreationTemplate,
    set_templates,
    settings_for,
    settings_for_new_repository,
    template_for,
    templates,
)


def template(prefix: str, *applied: str, **fields: Any) -> RepositoryCreationTemplate:
    return RepositoryCreationTemplate(
        prefix,
        applied or (PULL_THROUGH_CACHE,),
        0.0,
        0.0,
        **fields,  # type: ignore[arg-type]
    )


ROOT = template("ROOT", PULL_THROUGH_CACHE, CREATE_ON_PUSH)
PROD = template("prod", PULL_THROUGH_CACHE)
TEAM = template("prod/team/", PULL_THROUGH_CACHE)
PUSH = template("prod/team/api", CREATE_ON_PUSH)
ALL = (ROOT, PROD, TEAM, PUSH)


def test_the_longest_matching_prefix_wins() -> None:
    assert template_for(ALL, "prod/team/api", PULL_THROUGH_CACHE) is TEAM
    assert template_for(ALL, "prod/team/api/x", CREATE_ON_PUSH) is PUSH
    assert template_for(ALL, "prod/web", PULL_THROUGH_CACHE) is PROD


def test_root_when_nothing_else_matches_and_a_prefix_names_a_namespace() -> None:
    assert template_for(ALL, "production/api", PULL_THROUGH_CACHE) is ROOT
    assert template_for(ALL, "prod", PULL_THROUGH_CACHE) is ROOT
    assert template_for(ALL, "prod/web", CREATE_ON_PUSH) is ROOT


def test_only_templates_for_the_scenario_count() -> None:
    assert template_for(ALL, "prod/web", REPLICATION) is None
    assert template_for((PROD,), "other/x", PULL_THROUGH_CACHE) is None


def test_settings_without_a_template_are_ecrs_defaults() -> None:
    assert settings_for(None) == CreatedRepositorySettings()
    assert settings_for(None).encryption_type == "AES256"
    assert settings_for(None).image_tag_mutability == "MUTABLE"


def test_settings_from_a_template() -> None:
    chosen = template(
        "prod",
        image_tag_mutability="IMMUTABLE_WITH_EXCLUSION",
        image_tag_mutability_exclusion_filters=("dev-*",),
        encryption_type="KMS",
        kms_key="arn:aws:kms:us-east-1:111122223333:key/abc",
        resource_tags=(("team", "core"),),
        repository_policy="{}",
        lifecycle_policy="",
        custom_role_arn="arn:aws:iam::111122223333:role/r",
    )
    settings = settings_for(chosen)
    assert settings.template_prefix == "prod"
    assert settings.image_tag_mutability_exclusion_filters == ("dev-*",)
    assert (settings.encryption_type, settings.kms_key) == ("KMS", chosen.kms_key)
    assert settings.resource_tags == (("team", "core"),)
    assert (settings.repository_policy, settings.lifecycle_policy) == ("{}", None)
    assert settings.failure is None


def test_tags_or_a_kms_key_without_a_role_fail_the_creation() -> None:
    assert settings_for(template("prod", resource_tags=(("a", "b"),))).failure is not None
    keyed = template("prod", encryption_type="KMS", kms_key="arn:aws:kms:us-east-1:1:key/a")
    assert settings_for(keyed).failure is not None
    assert settings_for(template("prod", encryption_type="KMS")).failure is None


def test_templates_are_a_registry_setting_per_fork() -> None:
    base = RegistryState("111122223333", "us-east-1")
    set_templates(base, "111122223333", "us-east-1", (ROOT,))
    base.freeze()
    fork = base.fork()
    set_templates(fork, "111122223333", "us-east-1", ())
    assert templates(fork, "111122223333", "us-east-1") == ()
    assert templates(base.fork(), "111122223333", "us-east-1") == (ROOT,)
    settings = settings_for_new_repository(
        base.fork(), "111122223333", "us-east-1", "any/name", CREATE_ON_PUSH
    )
    assert settings.template_prefix == "ROOT"
