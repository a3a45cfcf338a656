"""The lifecycle policy rule language: a policy's JSON text checked as ECR checks it.

:func:`parse_policy` turns the text into a :class:`LifecyclePolicy` (its rules in priority
order) or raises :class:`LifecyclePolicyError` whose :attr:`~LifecyclePolicyError.detail`
is the text ECR puts after ``Lifecycle policy validation failure:``. ECR validates the
document with a JSON Schema (the one text seen from it is a ``oneOf`` failure, in the words
of the java json-schema-validator); the shape checks here use that validator's wording,
the checks across rules use texts of this project's choosing (docs/fidelity.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

#: Rules per policy and characters per policy text (ECR's quotas).
MAX_RULES: Final = 50
MAX_POLICY_LENGTH: Final = 30_720
MIN_POLICY_LENGTH: Final = 100
#: ``*`` per ``tagPatternList`` entry at most.
MAX_WILDCARDS: Final = 4

TAG_STATUSES: Final = ("tagged", "untagged", "any")
COUNT_TYPES: Final = (
    "imageCountMoreThan",
    "sinceImagePushed",
    "sinceImagePulled",
    "sinceImageTransitioned",
)
#: The count types that measure an age (and take ``countUnit: days``).
AGE_COUNT_TYPES: Final = COUNT_TYPES[1:]
COUNT_UNITS: Final = ("days",)
STORAGE_CLASSES: Final = ("standard", "archive")
ACTION_TYPES: Final = ("expire", "transition")
TARGET_STORAGE_CLASSES: Final = ("archive",)

RULE_KEYS: Final = ("rulePriority", "description", "selection", "action")
RULE_REQUIRED: Final = ("rulePriority", "selection", "action")
SELECTION_KEYS: Final = (
    "tagStatus",
    "tagPatternList",
    "tagPrefixList",
    "countType",
    "countUnit",
    "countNumber",
    "storageClass",
)
SELECTION_REQUIRED: Final = ("tagStatus", "countType", "countNumber")
ACTION_KEYS: Final = ("type", "targetStorageClass")
ACTION_REQUIRED: Final = ("type",)

#: ECR's text for a text that is not a JSON object with the policy's fields.
NOT_A_POLICY: Final = "Could not map policyString into LifecyclePolicy."
#: The validator's text for a selection (or action) that is neither of its two forms:
#: count-based without ``countUnit`` / age-based with it (expire / transition).
ONE_OF: Final = "instance failed to match exactly one schema (matched 0 out of 2)"


class LifecyclePolicyError(ValueError):
    """A policy ECR rejects; :attr:`detail` is ECR's text after the failure prefix, and
    :attr:`rule` the position in ``rules`` of the rule at fault (``None``: the whole)."""

    def __init__(self, detail: str, rule: int | None = None) -> None:
        super().__init__(f"Lifecycle policy validation failure: {detail}")
        self.detail = detail
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Selection:
    """A rule's ``selection``; lists are empty when absent, ``count_unit`` ``None``."""

    tag_status: str
    count_type: str
    count_number: int
    count_unit: str | None = None
    tag_prefixes: tuple[str, ...] = ()
    tag_patterns: tuple[str, ...] = ()
    storage_class: str = "standard"

    @property
    def counts(self) -> bool:
        """Whether the rule keeps the newest ``count_number`` images (else: an age)."""
        return self.count_type == "imageCountMoreThan"


@dataclass(frozen=True, slots=True)
class Rule:
    priority: int
    selection: Selection
    action: str
    target_storage_class: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """A valid policy: its rules in priority order (lowest number first)."""

    rules: tuple[Rule, ...]


def minified(text: str) -> str:
    """The policy text as ECR stores and echoes it: the JSON without whitespace, keys in
    their order. :class:`LifecyclePolicyError` when it is not JSON."""
    return json.dumps(_load(text), separators=(",", ":"), ensure_ascii=False)


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise LifecyclePolicyError(NOT_A_POLICY) from None


def parse_policy(text: str) -> LifecyclePolicy:
    """The policy *text* states; :class:`LifecyclePolicyError` as ECR would reject it."""
    return policy_of(_load(text))


def policy_of(document: Any) -> LifecyclePolicy:
    """The policy a decoded JSON document (or a mapping declared in YAML) states."""
    if not isinstance(document, Mapping):
        raise LifecyclePolicyError(NOT_A_POLICY)
    _keys(document, ("rules",), ("rules",))
    rules = document["rules"]
    if not isinstance(rules, list):
        raise LifecyclePolicyError(_type_text(rules, "array"))
    if not rules:
        raise LifecyclePolicyError(
            "array is too short: must have at least 1 elements but instance has 0 elements"
        )
    if len(rules) > MAX_RULES:
        raise LifecyclePolicyError(
            f"array is too long: must have at most {MAX_RULES} elements but instance has "
            f"{len(rules)} elements"
        )
    parsed = []
    for index, rule in enumerate(rules):
        try:
            parsed.append(_rule(rule))
        except LifecyclePolicyError as error:
            error.rule = index
            raise
    _check_rule_set(parsed)
    return LifecyclePolicy(tuple(sorted(parsed, key=lambda rule: rule.priority)))


# -- the validator's wording ---------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_text(value: Any, expected: str) -> str:
    return (
        f"instance type ({_json_type(value)}) does not match any allowed primitive type "
        f'(allowed: ["{expected}"])'
    )


def _names(names: Sequence[str]) -> str:
    return "[" + ",".join(json.dumps(name) for name in names) + "]"


def _keys(mapping: Mapping[str, Any], allowed: Sequence[str], required: Sequence[str]) -> None:
    extra = sorted(str(key) for key in mapping if key not in allowed)
    if extra:
        raise LifecyclePolicyError(
            f"object instance has properties which are not allowed by the schema: {_names(extra)}"
        )
    missing = sorted(key for key in required if mapping.get(key) is None)
    if missing:
        raise LifecyclePolicyError(f"object has missing required properties ({_names(missing)})")


def _object(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LifecyclePolicyError(_type_text(value, "object"))
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise LifecyclePolicyError(_type_text(value, "string"))
    return value


def _enum(value: Any, allowed: Sequence[str]) -> str:
    text = _string(value)
    if text not in allowed:
        raise LifecyclePolicyError(
            f"instance value ({json.dumps(text)}) not found in enum (possible values: "
            f"{_names(sorted(allowed))})"
        )
    return text


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LifecyclePolicyError(_type_text(value, "integer"))
    if value < 1:
        raise LifecyclePolicyError(
            f"numeric instance is lower than the required minimum (minimum: 1, found: {value})"
        )
    return value


def _tag_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise LifecyclePolicyError(_type_text(value, "array"))
    entries = tuple(_string(item) for item in value)
    if any(not entry for entry in entries):
        raise LifecyclePolicyError("string is too short (length: 0, required minimum: 1)")
    return entries


# -- one rule --------------------------------------------------------------------------------


def _rule(value: Any) -> Rule:
    rule = _object(value)
    _keys(rule, RULE_KEYS, RULE_REQUIRED)
    priority = _positive(rule["rulePriority"])
    description = rule.get("description")
    if description is not None:
        _string(description)
    selection = _selection(_object(rule["selection"]))
    action, target = _action(_object(rule["action"]))
    where = f"rule with rulePriority {priority}"
    if action == "transition" and selection.storage_class == "archive":
        raise LifecyclePolicyError(
            f"The {where} selects archived images, which cannot transition; use action type expire"
        )
    if selection.count_type == "sinceImageTransitioned" and selection.storage_class != "archive":
        raise LifecyclePolicyError(
            f"The {where} uses countType sinceImageTransitioned, which requires "
            "storageClass archive"
        )
    if selection.count_type == "sinceImagePulled" and selection.storage_class == "archive":
        raise LifecyclePolicyError(
            f"The {where} uses countType sinceImagePulled, which selects images of "
            "storageClass standard only"
        )
    return Rule(priority, selection, action, target, description)


def _selection(selection: Mapping[str, Any]) -> Selection:
    _keys(selection, SELECTION_KEYS, SELECTION_REQUIRED)
    tag_status = _enum(selection["tagStatus"], TAG_STATUSES)
    count_type = _enum(selection["countType"], COUNT_TYPES)
    unit_given = "countUnit" in selection
    unit = selection.get("countUnit")
    age = count_type in AGE_COUNT_TYPES
    # The schema's oneOf: a count without countUnit, or an age with countUnit "days"; a
    # null, a missing or another unit matches neither.
    if age != unit_given or (age and unit not in COUNT_UNITS):
        raise LifecyclePolicyError(ONE_OF)
    number = _positive(selection["countNumber"])
    storage = selection.get("storageClass", "standard")
    storage = _enum(storage, STORAGE_CLASSES)
    prefixes = selection.get("tagPrefixList")
    patterns = selection.get("tagPatternList")
    prefix_list = _tag_list(prefixes) if prefixes is not None else ()
    pattern_list = _tag_list(patterns) if patterns is not None else ()
    if tag_status == "tagged":
        if prefixes is not None and patterns is not None:
            raise LifecyclePolicyError(
                "tagPrefixList and tagPatternList cannot be used together in one rule"
            )
        if not prefix_list and not pattern_list:
            raise LifecyclePolicyError(
                "tagPrefixList or tagPatternList is required when tagStatus is tagged"
            )
    elif prefixes is not None or patterns is not None:
        raise LifecyclePolicyError(
            f"tagPrefixList and tagPatternList are allowed only when tagStatus is tagged, "
            f"not {tag_status}"
        )
    for pattern in pattern_list:
        if pattern.count("*") > MAX_WILDCARDS:
            raise LifecyclePolicyError(
                f"tagPatternList entry {json.dumps(pattern)} has more than {MAX_WILDCARDS} "
                "wildcards (*)"
            )
    return Selection(
        tag_status,
        count_type,
        number,
        unit if age else None,
        prefix_list,
        pattern_list,
        storage,
    )


def _action(action: Mapping[str, Any]) -> tuple[str, str | None]:
    _keys(action, ACTION_KEYS, ACTION_REQUIRED)
    kind = _enum(action["type"], ACTION_TYPES)
    given = "targetStorageClass" in action
    target = action.get("targetStorageClass")
    # oneOf again: expire without a target, transition with targetStorageClass archive.
    if (kind == "transition") != given or (given and target not in TARGET_STORAGE_CLASSES):
        raise LifecyclePolicyError(ONE_OF)
    return kind, target


# -- the rules together ------------------------------------------------------------------------


def _check_rule_set(rules: Sequence[Rule]) -> None:
    seen: set[int] = set()
    for index, rule in enumerate(rules):
        if rule.priority in seen:
            raise LifecyclePolicyError(
                f"The rulePriority {rule.priority} is used by more than one rule; "
                "each rule needs a unique rulePriority",
                index,
            )
        seen.add(rule.priority)
    last = max(seen)
    for index, rule in enumerate(rules):
        if rule.selection.tag_status == "any" and rule.priority != last:
            raise LifecyclePolicyError(
                f"The rule with tagStatus any (rulePriority {rule.priority}) must have the "
                "highest rulePriority",
                index,
            )
    untagged: dict[str, int] = {}
    prefixes: dict[tuple[str, str], int] = {}
    for index, rule in sorted(enumerate(rules), key=lambda item: item[1].priority):
        selection = rule.selection
        storage = selection.storage_class
        if selection.tag_status == "untagged":
            if storage in untagged:
                raise LifecyclePolicyError(
                    f"Only one rule can select untagged images of storageClass {storage}; "
                    f"rulePriority {untagged[storage]} and {rule.priority} both do",
                    index,
                )
            untagged[storage] = rule.priority
        for prefix in selection.tag_prefixes:
            first = prefixes.setdefault((storage, prefix), rule.priority)
            if first != rule.priority:
                raise LifecyclePolicyError(
                    f"The tag prefix {json.dumps(prefix)} is used by rulePriority {first} and "
                    f"{rule.priority}; tag prefixes must be unique across rules",
                    index,
                )


def entry_patterns(selection: Selection) -> tuple[re.Pattern[str], ...]:
    """One compiled pattern per list entry, to search an image's tags joined by newlines
    (tags hold none): a prefix matches the start of a tag, a pattern a whole tag, with
    ``*`` for any run of characters (zero or more)."""
    compiled = [re.compile("^" + re.escape(prefix), re.M) for prefix in selection.tag_prefixes]
    compiled += [
        re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$", re.M)
        for pattern in selection.tag_patterns
    ]
    return tuple(compiled)
