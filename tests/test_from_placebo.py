"""``pytest-ecr from-placebo``: recordings made by the real placebo against the fake,
converted into a declaration, loaded into a new fake, and the two fakes' answers compared;
and the errors for recordings that cannot be converted."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.cli import main
from pytest_ecr.declarations.from_placebo import convert_placebo
from pytest_ecr.declarations.placebo import RecordingError

placebo = pytest.importorskip("placebo")

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "pull",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": ["ecr:BatchGetImage"],
        }
    ],
}

V1 = (
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    '"config":{"mediaType":"application/vnd.oci.image.config.v1+json",'
    f'"digest":"sha256:{"1" * 64}","size":2}},"layers":[]}}'
)

SOURCE = textwrap.dedent(
    f"""\
    version: 1
    repositories:
      - name: team/api
        tag_mutability: IMMUTABLE_WITH_EXCLUSION
        tag_mutability_exclusions: [latest]
        scan_on_push: true
        encryption: {{type: KMS, kms_key: "arn:aws:kms:us-east-1:123456789012:key/k1"}}
        created_at: 2023-11-02T09:30:00Z
        tags: {{team: api, cost-center: "4711"}}
        policy: '{json.dumps(POLICY)}'
        lifecycle_policy:
          rules:
            - rulePriority: 1
              selection: {{tagStatus: untagged, countType: imageCountMoreThan, countNumber: 5}}
              action: {{type: expire}}
        images:
          - tags: [v1, latest]
            manifest_text: '{V1}'
            pushed_at: 2024-05-01T08:00:00Z
          - tags: [v2]
            pushed_at: 2024-05-02T08:00:00Z
          - tags: [v3]
            media_type: application/vnd.docker.distribution.manifest.v2+json
            pushed_at: 2024-05-03T08:00:00Z
    """
)


def _session() -> Any:
    return boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def _record(directory: Path, calls: Any) -> None:
    """Record, with placebo, the answers *calls* gets from the active fake."""
    session = _session()
    pill = placebo.attach(session, data_path=str(directory))
    pill.record()
    try:
        calls(session.client("ecr"))
    finally:
        pill.stop()


def _the_app(client: Any) -> None:
    """What a tool under test would do: list repositories, their settings and images,
    and fetch the manifests of two of the three (the third only described)."""
    repos = client.describe_repositories()["repositories"]
    for repo in repos:
        name = repo["repositoryName"]
        client.list_tags_for_resource(resourceArn=repo["repositoryArn"])
        client.get_repository_policy(repositoryName=name)
        client.get_lifecycle_policy(repositoryName=name)
        for page in client.get_paginator("describe_images").paginate(
            repositoryName=name, PaginationConfig={"PageSize": 1}
        ):
            del page
        client.batch_get_image(
            repositoryName=name, imageIds=[{"imageTag": "v1"}, {"imageTag": "v3"}]
        )


def _answers(client: Any) -> dict[str, Any]:
    name = "team/api"
    repo = client.describe_repositories()["repositories"][0]
    images = client.describe_images(repositoryName=name)["imageDetails"]
    got = client.batch_get_image(
        repositoryName=name, imageIds=[{"imageTag": "v1"}, {"imageTag": "v3"}]
    )
    return {
        "repository": dict(repo),
        "tags": client.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"],
        "policy": json.loads(client.get_repository_policy(repositoryName=name)["policyText"]),
        "lifecycle": client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"],
        "images": {
            d["imageDigest"]: (sorted(d.get("imageTags", [])), d["imagePushedAt"]) for d in images
        },
        "manifests": sorted(
            (i["imageId"]["imageDigest"], i["imageManifest"]) for i in got["images"]
        ),
    }


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """placebo's recordings of the app against a fake of SOURCE, and that fake's answers."""
    directory = tmp_path / "recordings"
    directory.mkdir()
    with FakeEcr([SOURCE]) as ecr:
        _record(directory, _the_app)
        answers = _answers(ecr.client())
    return directory, answers


def test_the_conversion_answers_as_the_recorded_registry_did(
    recorded: tuple[Path, dict[str, Any]],
) -> None:
    directory, before = recorded
    assert (directory / "api.ecr.DescribeImages_3.json").is_file()  # three pages recorded
    conversion = convert_placebo(directory)
    with FakeEcr([conversion.text]) as ecr:
        after = _answers(ecr.client())
    v2 = next(d for d, (tags, _) in before["images"].items() if tags == ["v2"])
    # v2's manifest was never fetched: declared synthetic, with its tags and push time.
    assert any(f"team/api@{v2}: no manifest recorded" in note for note in conversion.notes)
    before_v2 = before["images"].pop(v2)
    after_v2 = [v for d, v in after["images"].items() if v[0] == ["v2"]]
    after["images"] = {d: v for d, v in after["images"].items() if v[0] != ["v2"]}
    assert after_v2 == [before_v2]
    assert after == before  # settings, tags, policies, digests, push times, manifest bytes


def test_no_synthetic_leaves_out_what_has_no_manifest(
    recorded: tuple[Path, dict[str, Any]],
) -> None:
    directory, _ = recorded
    conversion = convert_placebo(directory, synthetic=False)
    with FakeEcr([conversion.text]) as ecr:
        images = ecr.client().describe_images(repositoryName="team/api")["imageDetails"]
    assert sorted(tag for d in images for tag in d["imageTags"]) == ["latest", "v1", "v3"]
    assert any("left out: no manifest recorded" in note for note in conversion.notes)


def test_later_settings_and_several_repositories(tmp_path: Path) -> None:
    directory = tmp_path / "rec"
    directory.mkdir()

    def calls(client: Any) -> None:
        client.create_repository(repositoryName="app-a", imageTagMutability="IMMUTABLE")
        client.put_image_tag_mutability(repositoryName="app-a", imageTagMutability="MUTABLE")
        client.create_repository(repositoryName="app-b", tags=[{"Key": "k", "Value": "v"}])
        client.put_image_scanning_configuration(
            repositoryName="app-b", imageScanningConfiguration={"scanOnPush": True}
        )
        client.list_tags_for_resource(
            resourceArn=client.describe_repositories(repositoryNames=["app-b"])["repositories"][0][
                "repositoryArn"
            ]
        )

    with FakeEcr():
        _record(directory, calls)
    conversion = convert_placebo(directory)
    with FakeEcr([conversion.text]) as ecr:
        repos = {
            r["repositoryName"]: r for r in ecr.client().describe_repositories()["repositories"]
        }
    assert repos["app-a"]["imageTagMutability"] == "MUTABLE"  # the Put answer is later
    assert repos["app-b"]["imageScanningConfiguration"] == {"scanOnPush": True}
    notes = "\n".join(conversion.notes)
    assert "app-a: the recordings disagree on tag_mutability" in notes
    assert "tags left out: ListTagsForResource answers do not name their repository" in notes


def _write(directory: Path, name: str, content: str | bytes) -> None:
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def test_unreadable_recordings_are_all_named_and_nothing_is_written(tmp_path: Path) -> None:
    directory = tmp_path / "rec"
    directory.mkdir()
    _write(directory, "api.ecr.DescribeRepositories_1.json", '{"status_code": 200, "data": ')
    _write(directory, "api.ecr.DescribeImages_1.json", '{"data": {}}')
    _write(directory, "ecr.ListImages_1.pickle", b"\x80\x04N.")
    _write(directory, "api.ecr.PutImage_1.json", '{"status_code": "200", "data": []}')
    _write(directory, "ecr.BatchGetImage_2.json", b"\xff\xfe")
    _write(
        directory,
        "api.ecr.CreateRepository_1.json",
        '{"status_code": 200, "data": {"t": {"__class__": "datetime", "year": 2024}}}',
    )
    _write(directory, "s3.ListBuckets_1.json", "not json, not ours")
    out = tmp_path / "out.yaml"
    assert main(["from-placebo", str(directory), "-o", str(out)]) == 1
    assert not out.exists()
    with pytest.raises(RecordingError) as caught:
        convert_placebo(directory)
    message = str(caught.value)
    assert f"cannot convert the placebo recordings in {directory}" in message
    expected = {
        "api.ecr.DescribeRepositories_1.json: is not JSON (line 1 column",
        "api.ecr.DescribeImages_1.json: is not a placebo recording",
        "ecr.ListImages_1.pickle: a pickle recording, which is not read",
        "api.ecr.PutImage_1.json: 'status_code' must be an integer",
        "ecr.BatchGetImage_2.json: is not UTF-8 text",
        "api.ecr.CreateRepository_1.json: a datetime placebo wrote is unreadable",
    }
    for text in expected:
        assert text in message, (text, message)
    assert len(caught.value.problems) == len(expected)
    assert "s3.ListBuckets" not in message
    assert "record again with placebo's default JSON format" in message


@pytest.mark.parametrize("make", ["missing", "empty", "only-others"])
def test_no_recordings(tmp_path: Path, make: str, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "rec"
    if make != "missing":
        directory.mkdir()
    if make == "only-others":
        _write(directory, "s3.ListBuckets_1.json", '{"status_code": 200, "data": {}}')
    assert main(["from-placebo", str(directory)]) == 1
    err = capsys.readouterr().err
    if make == "missing":
        assert "not a directory (give placebo's data_path)" in err
    else:
        assert "no ECR recordings here (placebo names them api.ecr.<Operation>_<n>.json)" in err


def test_a_converted_manifest_is_not_used_as_the_stored_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "rec"
    directory.mkdir()
    digest = "sha256:" + "ab" * 32
    answer = {
        "status_code": 200,
        "data": {
            "images": [
                {
                    "registryId": "123456789012",
                    "repositoryName": "team/api",
                    "imageId": {"imageDigest": digest, "imageTag": "v1"},
                    "imageManifest": '{"schemaVersion": 1}',
                }
            ],
            "failures": [],
        },
    }
    _write(directory, "api.ecr.BatchGetImage_1.json", json.dumps(answer))
    _write(directory, "api.ecr.Frobnicate_1.json", json.dumps(answer))
    out = tmp_path / "registry.yaml"
    assert main(["from-placebo", str(directory), "--region", "eu-west-1", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "the recorded manifest is not the stored one" in err
    left_out = "api.ecr.Frobnicate_1.json: left out: Frobnicate is no ECR operation"
    assert f"{left_out} pytest-ecr knows" in err
    assert f"wrote {out}" in err
    assert main(["validate", str(out)]) == 0
    assert "region: eu-west-1" in out.read_text(encoding="utf-8")
