"""``pytest-ecr snapshot`` keeps a repository's declarable settings: tags, tag mutability
with its exclusions, scan-on-push, encryption, creation time and the repository policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.cli import main
from pytest_ecr.declarations import load_sources
from pytest_ecr.model.policies import repository_policy
from pytest_ecr.model.tags import repository_tags
from pytest_ecr.transports.http_server import EcrServer

POLICY = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}
DECLARED: dict[str, Any] = {
    "version": 1,
    "account": "111122223333",
    "repositories": [
        {
            "name": "team/api",
            "tags": {"team": "api", "env": "prod"},
            "tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
            "tag_mutability_exclusions": ["latest", "dev-*"],
            "scan_on_push": True,
            "encryption": {"type": "KMS", "kms_key": "alias/team"},
            "created_at": "2023-03-04T05:06:07Z",
            "policy": POLICY,
            "images": [{"tags": ["v1"]}],
        },
        {"name": "team/plain"},
    ],
}


@pytest.mark.ecr_registry(DECLARED)
@needs("Repository.imageTagMutabilityExclusionFilters")
def test_snapshot_keeps_the_settings(
    ecr: FakeEcr, ecr_server: EcrServer, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "snapshot.yaml"
    status = main(["snapshot", "--endpoint-url", ecr_server.endpoint_url, "-o", str(out)])
    assert status == 0, capsys.readouterr().err
    declared, snapshot = ecr.registry, load_sources([str(out)])
    for name in ("team/api", "team/plain"):
        before, after = declared.repository(name), snapshot.repository(name)
        assert repository_tags(after) == repository_tags(before)
        assert repository_policy(after) == repository_policy(before)
        assert (
            after.tag_mutability,
            after.tag_mutability_exclusion_filters,
            after.scan_on_push,
            after.encryption_type,
            after.kms_key,
            after.created_at,
        ) == (
            before.tag_mutability,
            before.tag_mutability_exclusion_filters,
            before.scan_on_push,
            before.encryption_type,
            before.kms_key,
            before.created_at,
        )
    assert json.loads(repository_policy(snapshot.repository("team/api")) or "") == POLICY
