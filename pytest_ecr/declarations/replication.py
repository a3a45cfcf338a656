"""The ``replication:`` key of a ``registries:`` entry: the registry's replication rules.

```yaml
registries:
  - region: us-east-1
    replication:
      - destinations:
          - {region: eu-west-1}                       # account: this registry's
          - {region: us-west-2, account: "210987654321"}
        repository_filters: [team/, base]             # prefixes; none: every repository
        delete_replication: true
```

Checked as PutReplicationConfiguration checks it (rule, destination and filter limits,
the filter pattern, 25 unique destinations, no destination equal to the registry).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.declarations import format as fmt
from pytest_ecr.declarations import shapes
from pytest_ecr.declarations.problems import DeclarationError, Problem, join_path
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.target import Target
from pytest_ecr.model.replication import (
    FILTER_MAX_LENGTH,
    FILTER_MIN_LENGTH,
    FILTER_PATTERN,
    MAX_DESTINATIONS_PER_RULE,
    MAX_FILTERS,
    MAX_RULES,
    MAX_UNIQUE_DESTINATIONS,
    REPLICATION,
    Destination,
    ReplicationConfiguration,
    ReplicationRule,
)

_PREFIX_FILTER_RE = re.compile(FILTER_PATTERN)
#: A destination without ``account`` replicates to the declaring registry's account.
SAME_ACCOUNT = ""


def string_list(
    report: Report, entry: Mapping[Any, Any], key: str, where: str, check: Any
) -> tuple[str, ...] | None:
    """A list of 1..100 strings, each passed to *check* ``(text) -> problem or None``."""
    value = entry[key]
    if not isinstance(value, list) or not value or len(value) > MAX_FILTERS:
        report.wrong(entry, key, where, f"a list of 1 to {MAX_FILTERS} filters", value)
        return None
    found: list[str] = []
    for index, item in enumerate(value):
        problem = check(item) if isinstance(item, str) else "expected a string"
        if problem is not None:
            report.problem(value, index, join_path(where, index), problem)
            return None
        found.append(item)
    return tuple(found)


def _prefix_problem(text: str) -> str | None:
    if not FILTER_MIN_LENGTH <= len(text) <= FILTER_MAX_LENGTH:
        return f"a repository filter is 2 to 256 characters, found {len(text)}"
    if _PREFIX_FILTER_RE.fullmatch(text) is None:
        return f"invalid repository prefix {text!r} (lowercase repository-name characters)"
    return None


def _destination(report: Report, item: Any, where: str) -> Destination | None:
    if not isinstance(item, dict):
        report.problem(
            item,
            None,
            where,
            "a destination must be a mapping",
            "write `- {region: eu-west-1, account: '123456789012'}`",
        )
        return None
    report.unknown_keys(item, where, fmt.REPLICATION_DESTINATION_KEYS)
    if "region" not in item:
        report.problem(item, None, where, "missing required key 'region'")
        return None
    before = len(report.problems)
    region = shapes.region(report, item, where)
    account = shapes.account(report, item, where)
    if region is None or len(report.problems) > before:
        return None
    return Destination(region, account or SAME_ACCOUNT)


def _rule(report: Report, item: Any, where: str) -> ReplicationRule | None:
    if not isinstance(item, dict):
        report.problem(
            item,
            None,
            where,
            "a replication rule must be a mapping",
            "write `- {destinations: [{region: eu-west-1}]}`",
        )
        return None
    report.unknown_keys(item, where, fmt.REPLICATION_RULE_KEYS)
    raw = item.get("destinations")
    at = join_path(where, "destinations")
    if not isinstance(raw, list) or len(raw) > MAX_DESTINATIONS_PER_RULE:
        report.wrong(
            item,
            "destinations",
            at,
            f"a list of up to {MAX_DESTINATIONS_PER_RULE} destinations",
            raw,
        )
        return None
    found = [_destination(report, d, join_path(at, i)) for i, d in enumerate(raw)]
    filters: tuple[str, ...] | None = ()
    if "repository_filters" in item:
        filters = string_list(
            report,
            item,
            "repository_filters",
            join_path(where, "repository_filters"),
            _prefix_problem,
        )
    delete = item.get("delete_replication")
    if delete is not None and not isinstance(delete, bool):
        report.wrong(
            item,
            "delete_replication",
            join_path(where, "delete_replication"),
            "true or false",
            delete,
        )
        return None
    if filters is None or None in found:
        return None
    return ReplicationRule(tuple(d for d in found if d is not None), filters, delete)


def read_replication(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    value = entry["replication"]
    if not isinstance(value, list) or len(value) > MAX_RULES:
        report.wrong(
            entry,
            "replication",
            where,
            f"a list of up to {MAX_RULES} rules",
            value,
            "write `replication: [{destinations: [{region: eu-west-1}]}]`",
        )
        return None
    rules = [_rule(report, item, join_path(where, i)) for i, item in enumerate(value)]
    if None in rules:
        return None
    config = ReplicationConfiguration(tuple(r for r in rules if r is not None))
    if len(config.unique_destinations()) > MAX_UNIQUE_DESTINATIONS:
        report.problem(
            entry,
            "replication",
            where,
            f"more than {MAX_UNIQUE_DESTINATIONS} unique destinations "
            "across the rules (ECR's quota)",
        )
        return None
    return config


def apply_replication(target: Target, value: object) -> None:
    assert isinstance(value, ReplicationConfiguration)
    rules = []
    for rule in value.rules:
        destinations = tuple(
            Destination(d.region, d.registry_id or target.account) for d in rule.destinations
        )
        if Destination(target.region, target.account) in destinations:
            raise DeclarationError(
                [
                    Problem(
                        "<registries>",
                        None,
                        "replication",
                        f"registry {target.account} ({target.region}) replicates to itself",
                        "a destination must be another Region or another account, as ECR refuses",
                    )
                ]
            )
        rules.append(ReplicationRule(destinations, rule.filters, rule.delete_replication))
    config = ReplicationConfiguration(tuple(rules))
    if config.rules:
        target.state.set_registry_setting(target.account, target.region, REPLICATION, config)
