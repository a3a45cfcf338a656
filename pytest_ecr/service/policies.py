"""Shared by the policy operations: checking policy text and ECR's re-serialisation of it.

ECR stores a repository policy re-serialised, as Jackson's default pretty printer writes
JSON: two-space indentation for objects, ``"Key" : value``, arrays on one line as
``[ a, b ]`` (an object in an array opens on the array's line: ``[ {``), empty ones as
``{ }`` and ``[ ]``; keys in the order given (a repeated key keeps its first place and
its last value). :func:`jackson_pretty` writes that form.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model.policies import MAX_POLICY_LENGTH
from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import EcrError, invalid_parameter

REPOSITORY_POLICY_INVALID = "Invalid repository policy provided"
REGISTRY_POLICY_INVALID = "Invalid registry policy provided"
VERSIONS = ("2008-10-17", "2012-10-17")
_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition"}
)
_RESOURCE_KEYS = frozenset({"Resource", "NotResource"})
# Jackson's short escapes; other control characters are written as \u00XX (upper case).
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
}


def policy_text(params: Mapping[str, Any]) -> str:
    """``policyText``: required, at most 10240 characters."""
    text = v.expect_str(v.require(params, "policyText"), "policyText")
    if len(text) > MAX_POLICY_LENGTH:
        raise invalid_parameter(
            "policyText", f"Member must have length less than or equal to {MAX_POLICY_LENGTH}"
        )
    return text


def _invalid(message: str) -> EcrError:
    return invalid_parameter("PolicyText", message)


def parse_policy(text: str, *, repository: bool) -> dict[str, Any]:
    """The policy document of *text*, checked the way pytest-ecr checks ECR's policies.

    A valid policy is a JSON object with an optional ``Version`` (2008-10-17 or
    2012-10-17) and ``Id``, and a ``Statement`` (one object or a non-empty list of them),
    each with ``Effect`` Allow or Deny, a ``Principal`` (or ``NotPrincipal``) and an
    ``Action`` (or ``NotAction``). A repository policy may not name a ``Resource``: the
    repository is the resource. Anything else raises ECR's ``InvalidParameterException``.
    """
    message = REPOSITORY_POLICY_INVALID if repository else REGISTRY_POLICY_INVALID
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        raise _invalid(message) from None
    if not isinstance(doc, dict) or not set(doc) <= _TOP_KEYS:
        raise _invalid(message)
    if "Version" in doc and doc["Version"] not in VERSIONS:
        raise _invalid(message)
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _invalid(message)
    allowed = _STATEMENT_KEYS if repository else _STATEMENT_KEYS | _RESOURCE_KEYS
    for statement in statements:
        if not _valid_statement(statement, allowed):
            raise _invalid(message)
    return doc


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON.
    raise ValueError(name)


def _valid_statement(statement: Any, allowed: frozenset[str]) -> bool:
    if not isinstance(statement, dict) or not set(statement) <= allowed:
        return False
    if statement.get("Effect") not in ("Allow", "Deny"):
        return False
    if ("Principal" in statement) == ("NotPrincipal" in statement):
        return False
    if ("Action" in statement) == ("NotAction" in statement):
        return False
    actions = statement.get("Action", statement.get("NotAction"))
    if isinstance(actions, str):
        actions = [actions]
    return (
        isinstance(actions, list)
        and bool(actions)
        and all(isinstance(action, str) and action for action in actions)
    )


def locks_out(doc: Mapping[str, Any], account: str) -> bool:
    """Whether *doc* denies the caller's account (or everyone) ``ecr:SetRepositoryPolicy``
    without a condition: applying it needs ``force``."""
    found: Any = doc.get("Statement")
    statements: list[dict[str, Any]] = found if isinstance(found, list) else [found]
    for statement in statements:
        if statement.get("Effect") != "Deny" or "Condition" in statement:
            continue
        if "Action" not in statement or "Principal" not in statement:
            continue
        if _names_caller(statement["Principal"], account) and _matches_action(
            statement["Action"], "ecr:setrepositorypolicy"
        ):
            return True
    return False


def _names_caller(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    values = principal.get("AWS") if isinstance(principal, dict) else None
    if isinstance(values, str):
        values = [values]
    callers = {"*", account, f"arn:aws:iam::{account}:root"}
    return isinstance(values, list) and any(value in callers for value in values)


def _matches_action(actions: Any, wanted: str) -> bool:
    names = [actions] if isinstance(actions, str) else actions
    return any(fnmatch.fnmatchcase(wanted, name.lower()) for name in names)


# -- Jackson's default pretty printer --------------------------------------------------------


def jackson_pretty(doc: Any) -> str:
    """*doc* (parsed JSON) written as ECR writes a repository policy back."""
    out: list[str] = []
    _write(doc, 0, out)
    return "".join(out)


def _write(value: Any, depth: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{ }")
            return
        inner = "\n" + "  " * (depth + 1)
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append(("," if index else "") + inner + _string(key) + " : ")
            _write(item, depth + 1, out)
        out.append("\n" + "  " * depth + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[ ]")
            return
        out.append("[ ")
        for index, item in enumerate(value):
            if index:
                out.append(", ")
            _write(item, depth, out)
        out.append(" ]")
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, int):
        out.append(str(value))
    else:
        out.append(_java_double(float(value)))


def _string(text: str) -> str:
    parts = ['"']
    for char in text:
        escaped = _SHORT_ESCAPES.get(char)
        if escaped is not None:
            parts.append(escaped)
        elif char < " ":
            parts.append(f"\\u{ord(char):04X}")
        else:
            parts.append(char)
    parts.append('"')
    return "".join(parts)


def _java_double(number: float) -> str:
    """``Double.toString``: plain between 10^-3 and 10^7, else ``d.dddE<n>``."""
    text = repr(number)
    if number == 0 or 1e-3 <= abs(number) < 1e7:
        return text  # Python's repr uses no exponent in this range, and keeps ".0"
    sign = "-" if number < 0 else ""
    mantissa, _, exponent = f"{abs(number):.16e}".partition("e")
    digits = repr(abs(number)).split("e")[0].replace(".", "").lstrip("0").rstrip("0") or "0"
    del mantissa
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{int(exponent)}"


__all__ = [
    "REGISTRY_POLICY_INVALID",
    "REPOSITORY_POLICY_INVALID",
    "jackson_pretty",
    "locks_out",
    "parse_policy",
    "policy_text",
]
