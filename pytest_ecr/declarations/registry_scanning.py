"""A registry's ``scanning:`` (its scan type and scanning rules), declared.

``scanning: {scan_type: BASIC, rules: [{scan_frequency: SCAN_ON_PUSH,
repository_filters: ["prod/*"]}]}`` is what PutRegistryScanningConfiguration would set,
checked by the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pytest_ecr.declarations.format import SCANNING_KEYS, SCANNING_RULE_KEYS
from pytest_ecr.declarations.problems import describe, expected_hint, join_path
from pytest_ecr.declarations.shapes import MISSING, Report
from pytest_ecr.declarations.target import Target
from pytest_ecr.declarations.yamlread import INVALID
from pytest_ecr.model import scanning as s

EXAMPLE: Final = (
    "write `scanning: {scan_type: BASIC, rules: [{scan_frequency: SCAN_ON_PUSH, "
    "repository_filters: ['*']}]}`"
)
FILTER_HINT: Final = (
    "1 to 255 characters: lowercase letters, digits, '.', '_', '-', '/' and the wildcard '*'"
)


def _enum(
    report: Report, mapping: Mapping[Any, Any], key: str, where: str, allowed: tuple[str, ...]
) -> str | None:
    value = mapping[key]
    at = join_path(where, key)
    if value is INVALID:
        return None
    if not isinstance(value, str):
        report.wrong(mapping, key, at, "a string", value, f"expected one of: {', '.join(allowed)}")
    elif value not in allowed:
        report.problem(mapping, key, at, f"unknown {key} {value!r}", expected_hint(value, allowed))
    else:
        return value
    return None


def _filters(report: Report, rule: Mapping[Any, Any], where: str) -> tuple[str, ...] | None:
    value = rule.get("repository_filters", MISSING)
    at = join_path(where, "repository_filters")
    if value is MISSING:
        report.problem(rule, None, where, "missing required key 'repository_filters'", EXAMPLE)
        return None
    if value is INVALID:
        return None
    if not isinstance(value, (list, tuple)):
        report.wrong(rule, "repository_filters", at, "a list of filters", value, EXAMPLE)
        return None
    if len(value) > 100:
        report.problem(rule, "repository_filters", at, "a rule takes at most 100 filters")
        return None
    found: list[str] = []
    for index, item in enumerate(value):
        if item is INVALID:
            return None
        ok = isinstance(item, str) and len(item) <= 255 and s.FILTER_RE.fullmatch(item)
        if not ok:
            report.problem(value, index, f"{at}[{index}]", f"invalid filter {item!r}", FILTER_HINT)
            return None
        found.append(item)
    return tuple(found)


def _rule(report: Report, parent: Any, index: int, rule: Any, where: str) -> s.ScanningRule | None:
    if not isinstance(rule, Mapping):
        report.problem(
            parent, index, where, f"a rule must be a mapping, found {describe(rule)}", EXAMPLE
        )
        return None
    report.unknown_keys(rule, where, SCANNING_RULE_KEYS)
    if "scan_frequency" not in rule:
        report.problem(parent, index, where, "missing required key 'scan_frequency'", EXAMPLE)
        frequency = None
    else:
        frequency = _enum(report, rule, "scan_frequency", where, s.SCAN_FREQUENCIES)
    filters = _filters(report, rule, where)
    if frequency is None or filters is None:
        return None
    return s.ScanningRule(frequency, filters)


def _rules(
    report: Report, value: Mapping[Any, Any], where: str, scan_type: str
) -> tuple[s.ScanningRule, ...] | None:
    items = value.get("rules", MISSING)
    if items is MISSING:
        return ()
    at = join_path(where, "rules")
    if items is INVALID:
        return None
    if not isinstance(items, (list, tuple)):
        report.wrong(value, "rules", at, "a list of rules", items, EXAMPLE)
        return None
    rules: list[s.ScanningRule] = []
    ok = True
    for index, item in enumerate(items):
        place = f"{at}[{index}]"
        rule = _rule(report, items, index, item, place) if item is not INVALID else None
        if rule is None:
            ok = False
        elif any(r.frequency == rule.frequency for r in rules):
            report.problem(
                items,
                index,
                place,
                f"a second {rule.frequency} rule",
                "ECR takes one rule per scan_frequency; put all its filters in one rule",
            )
            ok = False
        elif scan_type == s.BASIC and rule.frequency == s.CONTINUOUS_SCAN:
            report.problem(
                items,
                index,
                place,
                "CONTINUOUS_SCAN needs scan_type ENHANCED",
                "basic scanning scans on push or manually",
            )
            ok = False
        else:
            rules.append(rule)
    return tuple(rules) if ok else None


def read(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """A registry's ``scanning:``: a :class:`ScanningConfiguration`, or ``None`` after
    reporting what is wrong."""
    value = entry["scanning"]
    if not isinstance(value, Mapping):
        report.wrong(entry, "scanning", where, "a mapping", value, EXAMPLE)
        return None
    report.unknown_keys(value, where, SCANNING_KEYS)
    scan_type: str | None = s.BASIC
    if "scan_type" in value:
        scan_type = _enum(report, value, "scan_type", where, s.SCAN_TYPES)
    rules = _rules(report, value, where, scan_type or s.BASIC)
    if scan_type is None or rules is None:
        return None
    return s.ScanningConfiguration(scan_type, rules)


def apply(target: Target, value: object) -> None:
    """Make *value* the registry's scanning configuration."""
    target.state.set_registry_setting(target.account, target.region, s.REGISTRY_SCANNING_KEY, value)


__all__ = ["apply", "read"]
