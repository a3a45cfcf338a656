"""Lone surrogates (issue 15, 5): refused at the edge with ECR's error, on every transport,
before any operation runs, so nothing is stored that could not be read back."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from pytest_ecr import FakeEcr

from .support import ACCOUNT, image_manifest

# These tests push made-up manifests to test something else than layers: PutImage may
# store them (allow_missing_layers), as a suite that pushes placeholders declares.
pytestmark = pytest.mark.usefixtures("placeholder_pushes")

LONE = "\ud800"


def error_of(excinfo: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_a_lone_surrogate_tag_is_refused_and_nothing_is_stored(
    any_client: Any, fake: FakeEcr
) -> None:
    before = len(any_client.list_images(repositoryName="team/api")["imageIds"])
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        any_client.put_image(
            repositoryName="team/api", imageManifest=image_manifest(77), imageTag=LONE
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Invalid parameter at 'imageTag' failed to satisfy constraint: "
        "'Member must contain only valid Unicode characters'",
    )
    # Every read of the repository still works.
    assert len(any_client.list_images(repositoryName="team/api")["imageIds"]) == before
    assert any_client.describe_images(repositoryName="team/api")["imageDetails"]
    # Refused by the codec, as a body ECR cannot read: no operation ran, none is recorded.
    fake.calls("PutImage").assert_not_called()


def test_the_member_is_named_inside_lists(any_client: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        any_client.batch_get_image(
            repositoryName="team/api", imageIds=[{"imageTag": "v1"}, {"imageTag": "a" + LONE}]
        )
    assert "at 'imageIds.2.member.imageTag'" in error_of(excinfo)[1]


def test_a_lone_surrogate_in_a_manifest_is_refused(any_client: Any) -> None:
    manifest = json.loads(image_manifest(78))
    manifest["annotations"] = {"note": LONE}
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        any_client.put_image(
            repositoryName="team/api",
            imageManifest=json.dumps(manifest, ensure_ascii=False),
            imageTag="x",
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert "at 'imageManifest'" in error_of(excinfo)[1]


def test_a_valid_pair_is_an_ordinary_character(any_client: Any) -> None:
    manifest = json.loads(image_manifest(79))
    manifest["annotations"] = {"note": "\U0001f600"}  # sent as a surrogate pair escape
    text = json.dumps(manifest)
    assert "\\ud83d\\ude00" in text
    answer = any_client.put_image(repositoryName="team/api", imageManifest=text, imageTag="ok")
    assert answer["image"]["registryId"] == ACCOUNT
