"""Server-side request validation: the checks botocore's client does not make.

botocore checks only ``required`` and minimum lengths; ECR checks patterns, maximum
lengths and list sizes itself and answers ``InvalidParameterException``. Requests that
arrive over HTTP from other SDKs may also carry wrong JSON types, which get the same
treatment here rather than an internal error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model.names import (
    REGISTRY_ID_PATTERN,
    REGISTRY_ID_RE,
    REPOSITORY_NAME_MAX_LENGTH,
    REPOSITORY_NAME_MIN_LENGTH,
    REPOSITORY_NAME_PATTERN,
    REPOSITORY_NAME_RE,
)
from pytest_ecr.service.errors import EcrError, invalid_parameter

# Bound once: CPython 3.11 calls a method of an imported name through LOAD_ATTR, which
# would build a bound method on every request.
_repository_name_match = REPOSITORY_NAME_RE.fullmatch
_registry_id_match = REGISTRY_ID_RE.fullmatch


def serialization_error(message: str) -> EcrError:
    return EcrError("SerializationException", message)


def require(params: Mapping[str, Any], field: str) -> Any:
    value = params.get(field)
    if value is None:
        raise invalid_parameter(field, "Member must not be null")
    return value


def expect_str(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise serialization_error(f"Expected a string for '{field}'")
    return value


def expect_list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise serialization_error(f"Expected a list for '{field}'")
    return value


def expect_object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise serialization_error(f"Expected an object for '{field}'")
    return value


def repository_name(params: Mapping[str, Any], field: str = "repositoryName") -> str:
    return check_repository_name(require(params, field), field)


def check_repository_name(value: Any, field: str) -> str:
    """A repository name already taken out of the request (e.g. one of ``repositoryNames``)."""
    name = expect_str(value, field)
    if len(name) < REPOSITORY_NAME_MIN_LENGTH:
        raise invalid_parameter(
            field, f"Member must have length greater than or equal to {REPOSITORY_NAME_MIN_LENGTH}"
        )
    if len(name) > REPOSITORY_NAME_MAX_LENGTH:
        raise invalid_parameter(
            field, f"Member must have length less than or equal to {REPOSITORY_NAME_MAX_LENGTH}"
        )
    if _repository_name_match(name) is None:
        raise invalid_parameter(
            field, f"must satisfy regular expression '{REPOSITORY_NAME_PATTERN}'"
        )
    return name


def registry_id(params: Mapping[str, Any], default: str, field: str = "registryId") -> str:
    value = params.get(field)
    if value is None:
        return default
    return check_registry_id(value, field)


def check_registry_id(value: Any, field: str) -> str:
    """A registry id already taken out of the request (e.g. one of ``registryIds``)."""
    text = expect_str(value, field)
    if _registry_id_match(text) is None:
        raise invalid_parameter(field, f"must satisfy regular expression '{REGISTRY_ID_PATTERN}'")
    return text


def bounded_list(
    params: Mapping[str, Any], field: str, *, low: int, high: int, required: bool
) -> list[Any] | None:
    value = params.get(field)
    if value is None:
        if required:
            raise invalid_parameter(field, "Member must not be null")
        return None
    items = expect_list(value, field)
    if len(items) < low:
        raise invalid_parameter(field, f"Member must have length greater than or equal to {low}")
    if len(items) > high:
        raise invalid_parameter(field, f"Member must have length less than or equal to {high}")
    return items


def image_identifier(value: Any, field: str) -> tuple[str | None, str | None]:
    """``(tag, digest)`` of one ``ImageIdentifier``, type-checked but not judged."""
    ident = expect_object(value, field)
    tag = ident.get("imageTag")
    digest = ident.get("imageDigest")
    if tag is not None:
        expect_str(tag, f"{field}.imageTag")
    if digest is not None:
        expect_str(digest, f"{field}.imageDigest")
    return tag, digest


def accepted_media_type_list(params: Mapping[str, Any]) -> tuple[str, ...] | None:
    """``acceptedMediaTypes`` in request order, which decides between translations."""
    items = bounded_list(params, "acceptedMediaTypes", low=1, high=100, required=False)
    if items is None:
        return None
    return tuple(expect_str(item, "acceptedMediaTypes") for item in items)


def expect_int(value: Any, field: str) -> int:
    # JSON true/false decode to bool, an int subclass; they are not numbers on the wire.
    if isinstance(value, bool) or not isinstance(value, int):
        raise serialization_error(f"Expected an integer for '{field}'")
    return value


def expect_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise serialization_error(f"Expected a boolean for '{field}'")
    return value


def int_range(value: Any, field: str, *, low: int, high: int) -> int:
    number = expect_int(value, field)
    if number < low:
        raise invalid_parameter(field, f"Member must have value greater than or equal to {low}")
    if number > high:
        raise invalid_parameter(field, f"Member must have value less than or equal to {high}")
    return number


def string_length(value: Any, field: str, *, low: int, high: int) -> str:
    text = expect_str(value, field)
    if len(text) < low:
        raise invalid_parameter(field, f"Member must have length greater than or equal to {low}")
    if len(text) > high:
        raise invalid_parameter(field, f"Member must have length less than or equal to {high}")
    return text


def enum_value(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    text = expect_str(value, field)
    if text not in allowed:
        raise invalid_parameter(
            field, f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    return text


def optional_object(params: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    """An optional structure member; absent reads as empty."""
    value = params.get(field)
    return {} if value is None else expect_object(value, field)
