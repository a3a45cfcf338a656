"""``ecr.load()`` after the test wrote to the registry (issue 16, 8): refused, since the
rebuild from the declarations would drop the writes without a word."""

from __future__ import annotations

import pytest

from pytest_ecr import FakeEcr

REGISTRY = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}
MORE = {"version": 1, "repositories": [{"name": "team/web"}]}


def test_load_before_any_write_merges() -> None:
    with FakeEcr([REGISTRY]) as fake:
        client = fake.client()
        client.describe_repositories()  # reads do not count
        fake.load(MORE)
        names = [r["repositoryName"] for r in client.describe_repositories()["repositories"]]
        assert names == ["team/api", "team/web"]


def test_load_after_a_write_is_refused_and_keeps_the_write() -> None:
    with FakeEcr([REGISTRY]) as fake:
        client = fake.client()
        client.create_repository(repositoryName="team/new")
        arn = client.describe_repositories(repositoryNames=["team/new"])["repositories"][0]
        client.tag_resource(resourceArn=arn["repositoryArn"], tags=[{"Key": "a", "Value": "b"}])
        with pytest.raises(RuntimeError) as excinfo:
            fake.load(MORE)
        assert str(excinfo.value).startswith(
            "ecr.load() after this test wrote to the registry (CreateRepository, TagResource) "
            "would drop those writes"
        )
        # Nothing was lost or changed.
        assert fake.registry.repository("team/new").name == "team/new"
        with pytest.raises(KeyError):
            fake.registry.repository("team/web")


def test_a_failed_write_does_not_count() -> None:
    with FakeEcr([REGISTRY]) as fake:
        client = fake.client()
        with pytest.raises(client.exceptions.RepositoryAlreadyExistsException):
            client.create_repository(repositoryName="team/api")
        fake.load(MORE)
        assert fake.registry.repository("team/web").name == "team/web"
