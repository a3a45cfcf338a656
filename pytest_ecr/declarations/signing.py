"""The ``signing:`` key of a ``registries:`` entry: the registry's managed signing rules.

```yaml
registries:
  - signing:
      - profile_arn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/release
        repository_filters: ["team/*", "*prod*"]   # wildcards; none: every repository
```

Checked as PutSigningConfiguration checks it (10 rules, the profile ARN's length and
pattern, 1..100 filters and their pattern).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.declarations import format as fmt
from pytest_ecr.declarations.problems import join_path
from pytest_ecr.declarations.replication import string_list
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.target import Target
from pytest_ecr.model import signing as sig
from pytest_ecr.model.signing import SIGNING, SigningConfiguration, SigningRule

_PROFILE_ARN_RE = re.compile(sig.PROFILE_ARN_PATTERN)
_WILDCARD_FILTER_RE = re.compile(sig.FILTER_PATTERN)
ARN_HINT = "write `profile_arn: arn:aws:signer:<region>:<account>:/signing-profiles/<name>`"


def _wildcard_problem(text: str) -> str | None:
    if not sig.FILTER_MIN_LENGTH <= len(text) <= sig.FILTER_MAX_LENGTH:
        return f"a repository filter is 1 to 256 characters, found {len(text)}"
    if _WILDCARD_FILTER_RE.fullmatch(text) is None:
        return f"invalid repository filter {text!r} (lowercase name segments, `*` wildcards)"
    return None


def _rule(report: Report, item: Any, where: str) -> SigningRule | None:
    if not isinstance(item, dict):
        report.problem(item, None, where, "a signing rule must be a mapping", ARN_HINT)
        return None
    report.unknown_keys(item, where, fmt.SIGNING_RULE_KEYS)
    arn = item.get("profile_arn")
    at = join_path(where, "profile_arn")
    if arn is None:
        report.problem(item, None, where, "missing required key 'profile_arn'", ARN_HINT)
        return None
    if (
        not isinstance(arn, str)
        or len(arn) > sig.PROFILE_ARN_MAX_LENGTH
        or _PROFILE_ARN_RE.fullmatch(arn) is None
    ):
        report.wrong(item, "profile_arn", at, "a signer signing-profile ARN", arn, ARN_HINT)
        return None
    filters: tuple[str, ...] | None = ()
    if "repository_filters" in item:
        filters = string_list(
            report,
            item,
            "repository_filters",
            join_path(where, "repository_filters"),
            _wildcard_problem,
        )
    return None if filters is None else SigningRule(arn, filters)


def read_signing(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    value = entry["signing"]
    if not isinstance(value, list) or len(value) > sig.MAX_RULES:
        report.wrong(
            entry,
            "signing",
            where,
            f"a list of up to {sig.MAX_RULES} rules",
            value,
            "write `signing: [{profile_arn: ...}]`",
        )
        return None
    rules = [_rule(report, item, join_path(where, i)) for i, item in enumerate(value)]
    if None in rules:
        return None
    return SigningConfiguration(tuple(r for r in rules if r is not None))


def apply_signing(target: Target, value: object) -> None:
    target.state.set_registry_setting(target.account, target.region, SIGNING, value)
