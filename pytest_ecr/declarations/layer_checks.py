"""``allow_missing_layers``: the registry and repository switch for suites that push
placeholder manifests.

ECR's PutImage refuses a manifest whose config or layers the repository has neither
received nor seen in another of its images (``LayersNotFoundException``), and so does the
fake. A suite whose tests push made-up manifests on purpose declares
``allow_missing_layers: true`` on a ``registries:`` entry (every repository of that
registry, those created by the tests included) or on a repository (that one only; it
wins over its registry's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.declarations.blobs_format import ALLOW_MISSING_LAYERS_KEY
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.target import Target


def read(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    value = entry[ALLOW_MISSING_LAYERS_KEY]
    if isinstance(value, bool):
        return value
    report.wrong(
        entry,
        ALLOW_MISSING_LAYERS_KEY,
        where,
        "true or false",
        value,
        "write `allow_missing_layers: true` to let PutImage store manifests whose layers "
        "were never uploaded",
    )
    return None


def apply(target: Target, value: object) -> None:
    if not isinstance(value, bool):
        return
    if target.repository is not None:
        target.repository.set_setting(ALLOW_MISSING_LAYERS_KEY, value)
    else:
        target.state.set_registry_setting(
            target.account, target.region, ALLOW_MISSING_LAYERS_KEY, value
        )


__all__ = ["apply", "read"]
