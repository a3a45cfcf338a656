"""What the three pull-time update exclusion operations share.

Exclusions are kept per registry (the caller's account, the client's Region). They
decide whose pulls leave ``lastRecordedPullTime`` alone; the fake does not record pull
times yet, so for now they are stored and listed only (docs/fidelity.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pytest_ecr.model.caches import PRINCIPAL_ARN_PATTERN, PRINCIPAL_ARN_RE
from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import invalid_parameter

PRINCIPAL_ARN_MAX: Final = 200


def principal_arn(params: Mapping[str, Any]) -> str:
    text = v.string_length(
        v.require(params, "principalArn"), "principalArn", low=0, high=PRINCIPAL_ARN_MAX
    )
    if PRINCIPAL_ARN_RE.fullmatch(text) is None:
        raise invalid_parameter(
            "principalArn", f"must satisfy regular expression '{PRINCIPAL_ARN_PATTERN}'"
        )
    return text
