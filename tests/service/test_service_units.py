"""The service layer called directly: pinned clocks, partitions, tokens, translation rules."""

from __future__ import annotations

import base64
import json

import pytest
from botocore_model import needs_full_model

from pytest_ecr.model import Image, RegistryState
from pytest_ecr.service import OPERATIONS, EcrError, RequestContext, dispatch
from pytest_ecr.service.media import negotiate
from pytest_ecr.service.paging import encode_token
from pytest_ecr.service.partitions import partition_of, proxy_endpoint, repository_arn

from .support import ACCOUNT, OCI, image_manifest

CTX = RequestContext(ACCOUNT, "us-east-1", now=1_700_000_000.789)


def fresh() -> RegistryState:
    state = RegistryState(ACCOUNT, "us-east-1")
    state.create_repository("team/api")
    return state


@needs_full_model()
def test_every_operation_is_registered() -> None:
    # Every operation of the installed botocore's model. (Compared sorted: a test that
    # takes one out with monkeypatch puts it back at the end of the dict.)
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecr")
    assert sorted(OPERATIONS) == sorted(model.operation_names)


def test_every_operation_of_an_older_model_is_registered() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecr")
    assert set(model.operation_names) <= set(OPERATIONS)


def test_context_clock_defaults_to_real_time() -> None:
    assert RequestContext(ACCOUNT, "us-east-1").now is None
    assert CTX.clock() == 1_700_000_000.789


def test_push_time_is_the_pinned_clock_in_whole_seconds() -> None:
    state = fresh()
    state.allow_missing_layers()  # the manifest names layers nobody uploaded
    dispatch(
        state, "PutImage", {"repositoryName": "team/api", "imageManifest": image_manifest(1)}, CTX
    )
    [image] = state.repository("team/api").images()
    assert image.pushed_at == 1_700_000_000.0


def test_created_at_keeps_milliseconds() -> None:
    state = fresh()
    created = dispatch(state, "CreateRepository", {"repositoryName": "new"}, CTX)
    assert created["repository"]["createdAt"] == 1_700_000_000.789


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-east-1", "aws-us-gov"),
        ("us-iso-west-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eu-isoe-west-1", "aws-iso-e"),
    ],
)
def test_partition_table(region: str, partition: str) -> None:
    assert partition_of(region).name == partition
    assert repository_arn(ACCOUNT, region, "a/b").startswith(f"arn:{partition}:ecr:{region}:")


def test_proxy_endpoint_has_no_trailing_slash() -> None:
    assert proxy_endpoint(ACCOUNT, "cn-north-1") == (
        f"https://{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn"
    )


def test_tampered_token_is_rejected() -> None:
    state = fresh()
    repo = state.repository("team/api")
    for n in range(3):
        repo.put(Image.from_manifest(image_manifest(n)))
    page = dispatch(state, "ListImages", {"repositoryName": "team/api", "maxResults": 1}, CTX)
    payload = json.loads(base64.urlsafe_b64decode(page["nextToken"]))
    payload["offset"] = 2
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    with pytest.raises(EcrError) as excinfo:
        dispatch(state, "ListImages", {"repositoryName": "team/api", "nextToken": forged}, CTX)
    assert excinfo.value.code == "InvalidParameterException"
    scope = f"ListImages\0{ACCOUNT}\0us-east-1\0team/api\0ANY\0ACTIVE"
    last = dispatch(
        state,
        "ListImages",
        {"repositoryName": "team/api", "nextToken": encode_token(scope, 2)},
        CTX,
    )
    assert len(last["imageIds"]) == 1


def test_token_past_the_end_gives_an_empty_last_page() -> None:
    # Images deleted between pages shorten the walk; the stale token still reads.
    state = fresh()
    scope = f"ListImages\0{ACCOUNT}\0us-east-1\0team/api\0ANY\0ACTIVE"
    response = dispatch(
        state,
        "ListImages",
        {"repositoryName": "team/api", "nextToken": encode_token(scope, 50)},
        CTX,
    )
    assert response == {"imageIds": []}


def test_negotiate_keeps_the_old_call_shape() -> None:
    image = Image.from_manifest(image_manifest(1, OCI))
    assert negotiate(image, frozenset({OCI}), by_digest=False) == (image.manifest, OCI)
    assert negotiate(image, None, by_digest=False) == (image.manifest, OCI)


def test_wrong_json_types_are_serialization_errors() -> None:
    state = fresh()
    with pytest.raises(EcrError) as excinfo:
        dispatch(state, "ListImages", {"repositoryName": "team/api", "maxResults": "5"}, CTX)
    assert excinfo.value.code == "SerializationException"
    with pytest.raises(EcrError) as excinfo:
        dispatch(state, "DeleteRepository", {"repositoryName": "team/api", "force": "yes"}, CTX)
    assert excinfo.value.code == "SerializationException"


def test_created_at_is_truncated_to_the_millisecond_never_ahead() -> None:
    # Rounded, 0.7996 would be 0.800: a time after the call returned (a flake of the
    # parity suite, whose timestamps in the future normalise differently).
    from pytest_ecr.model import RegistryState
    from pytest_ecr.service import dispatch

    ctx = RequestContext(ACCOUNT, "us-east-1", now=1_700_000_000.7996)
    created = dispatch(
        RegistryState(ACCOUNT, "us-east-1"), "CreateRepository", {"repositoryName": "a/b"}, ctx
    )
    assert created["repository"]["createdAt"] == 1_700_000_000.799
    assert created["repository"]["createdAt"] <= ctx.clock()
