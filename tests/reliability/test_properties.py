"""Property-based tests: random BatchGetImage requests and random declarations, through
real boto3 clients, always give a response that fits ECR's output shape or a modeled ECR
error — never an internal exception — and the HTTP endpoint answers alike."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_ecr import FakeEcr
from pytest_ecr.model import MediaType
from pytest_ecr.transports.http_server import EcrHTTPServer

REGISTRY = {
    "version": 1,
    "account": "111122223333",
    "repositories": [
        {
            "name": "team/api",
            "images": [
                {"tags": ["v1", "latest"]},
                {"tags": ["v2"], "media_type": MediaType.OCI_MANIFEST},
                {"tags": ["old"], "media_type": MediaType.DOCKER_V1},
                {"tags": ["broken"], "failure": {"code": "KmsError"}},
                {},
            ],
        }
    ],
}
MEDIA_TYPES = [
    MediaType.DOCKER_V1,
    MediaType.DOCKER_V2,
    MediaType.OCI_MANIFEST,
    MediaType.DOCKER_LIST,
    MediaType.OCI_INDEX,
    "application/json",
    "*/*",
]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def world(endpoint_client: Any) -> Iterator[tuple[FakeEcr, Any, Any, dict[str, str]]]:
    """One fake, its HTTP server, and a client for each path (activated per example)."""

    fake = FakeEcr([REGISTRY])
    server = EcrHTTPServer(fake).start()
    fake.http_endpoints = (server.endpoint_url,)
    config = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    local = fake.client(parameter_validation=False, retries={"total_max_attempts": 1})
    remote = endpoint_client(server.endpoint_url, config)
    repo = fake.registry.repository("team/api")
    stored = {image.digest: image.media_type for image in repo.images()}
    yield fake, local, remote, stored
    server.stop()


def _digests() -> list[str]:
    fake = FakeEcr([REGISTRY])
    return [image.digest for image in fake.registry.repository("team/api").images()]


DIGESTS = _digests()
tags = st.one_of(
    st.sampled_from(["v1", "latest", "v2", "old", "broken", "nope"]),
    st.text(min_size=0, max_size=310),
)
digests = st.one_of(
    st.sampled_from(DIGESTS),
    st.binary(min_size=32, max_size=32).map(lambda b: "sha256:" + b.hex()),
    st.text(max_size=80),
)
ident = st.fixed_dictionaries({}, optional={"imageTag": tags, "imageDigest": digests})
requests = st.fixed_dictionaries(
    {"imageIds": st.lists(ident, min_size=0, max_size=110)},
    optional={
        "acceptedMediaTypes": st.lists(st.sampled_from(MEDIA_TYPES), min_size=0, max_size=4),
        "repositoryName": st.sampled_from(["team/api", "team/none", "BAD NAME", "x"]),
        "registryId": st.sampled_from(["111122223333", "999999999999", "abc"]),
    },
)


def fits(shape: Any, value: Any, path: str = "") -> None:
    """Assert *value* fits the botocore output *shape* (types, members, lists)."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), path
        for key, member in value.items():
            assert key in shape.members, f"{path}.{key} is not in the ECR model"
            fits(shape.members[key], member, f"{path}.{key}")
    elif kind == "list":
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            fits(shape.member, item, f"{path}[{i}]")
    elif kind == "string":
        assert isinstance(value, str), path
        if shape.enum:
            assert value in shape.enum, f"{path}={value!r} not in {shape.enum}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int), path
    elif kind == "timestamp":
        assert isinstance(value, datetime.datetime), path
    elif kind == "boolean":
        assert isinstance(value, bool), path


def outcome(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    params = {"repositoryName": "team/api", **request}
    try:
        response = client.batch_get_image(**params)
    except botocore.exceptions.ClientError as error:
        code = error.response["Error"]["Code"]
        assert code in client.meta.service_model.shape_names or code == "ThrottlingException"
        return {"error": code, "message": error.response["Error"]["Message"]}
    response.pop("ResponseMetadata")
    shape = client.meta.service_model.operation_model("BatchGetImage").output_shape
    fits(shape, response)
    assert set(response) == {"images", "failures"}
    return response


@SETTINGS
@given(request=requests)
def test_random_batch_get_image_requests(world: Any, request: dict[str, Any]) -> None:
    fake, local, remote, stored = world
    with fake:
        answer = outcome(local, request)
        for image in answer.get("images", []):
            digest = image["imageId"]["imageDigest"]
            if image["imageManifestMediaType"] == stored[digest]:
                # untranslated: the bytes are the stored ones, so they hash to the digest
                computed = "sha256:" + hashlib.sha256(image["imageManifest"].encode()).hexdigest()
                assert computed == digest
        assert outcome(remote, request) == answer


repo_names = st.from_regex(r"[a-z0-9]{2,8}(/[a-z0-9]{2,8})?", fullmatch=True)
tag_names = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True)


@st.composite
def declarations(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(repo_names, min_size=1, max_size=3, unique=True))
    repos = []
    for name in names:
        all_tags = draw(st.lists(tag_names, max_size=8, unique=True))
        images = []
        while all_tags:
            take = draw(st.integers(min_value=1, max_value=len(all_tags)))
            media = draw(st.sampled_from([MediaType.DOCKER_V2, MediaType.OCI_MANIFEST]))
            images.append({"tags": all_tags[:take], "media_type": media})
            all_tags = all_tags[take:]
        repos.append({"name": name, "images": images})
    return {"version": 1, "repositories": repos}


@settings(max_examples=40, deadline=None)
@given(declaration=declarations(), accept=st.lists(st.sampled_from(MEDIA_TYPES), max_size=3))
def test_random_declarations_answer_every_declared_tag(
    declaration: dict[str, Any], accept: list[str]
) -> None:
    with FakeEcr([declaration]) as fake:
        client = fake.client(parameter_validation=False)
        for repo_decl in declaration["repositories"]:
            repo = fake.registry.repository(repo_decl["name"])
            ids = [{"imageTag": t} for image in repo_decl["images"] for t in image["tags"]]
            if not ids:
                continue
            params: dict[str, Any] = {"repositoryName": repo_decl["name"], "imageIds": ids}
            if accept:
                params["acceptedMediaTypes"] = accept
            answer = outcome(client, params)
            assert answer["failures"] == []
            for image in answer["images"]:
                assert image["imageId"]["imageDigest"] == repo.resolve_tag(
                    image["imageId"]["imageTag"]
                )
