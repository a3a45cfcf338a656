"""``maxResults``/``nextToken`` paging shared by the list and describe operations.

A token is the offset of the next item in the repository's (or registry's) insertion
order, bound by a checksum to the request it continues, so a token from another
repository, filter or operation, or a garbled one, is rejected instead of silently
paging through the wrong results. Pages are cut with :func:`itertools.islice`: a page
costs its offset plus its length, never a copy of the whole collection.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import invalid_parameter

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

#: Constraint text for a ``nextToken`` the fake did not issue for this request.
INVALID_TOKEN = "Member must be a nextToken returned by a previous call with the same parameters"


@dataclass(frozen=True, slots=True)
class Page:
    """Where a page starts, how long it is, and which request it belongs to."""

    start: int
    size: int
    scope: str


def exclusive_with(params: Mapping[str, Any], field: str) -> None:
    """Reject paging parameters next to an explicit list (``imageIds``, ``repositoryNames``).

    ECR documents that they "cannot be used" together; its error text is unknown, so this
    one names the paging field first and the list second.
    """
    for paging_field in ("maxResults", "nextToken"):
        if params.get(paging_field) is not None:
            raise invalid_parameter(
                paging_field, f"Member cannot be specified together with {field}"
            )


def _checksum(scope: str, offset: int) -> str:
    return hashlib.sha256(f"{scope}\0{offset}".encode()).hexdigest()[:16]


def encode_token(scope: str, offset: int) -> str:
    payload = json.dumps({"offset": offset, "check": _checksum(scope, offset)})
    return base64.urlsafe_b64encode(payload.encode()).decode()


def _decode_token(token: str, scope: str) -> int:
    bad = invalid_parameter("nextToken", INVALID_TOKEN)
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad from None
    if not isinstance(payload, dict):
        raise bad
    offset = payload.get("offset")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise bad
    if payload.get("check") != _checksum(scope, offset):
        raise bad
    return offset


def page_request(params: Mapping[str, Any], scope: str) -> Page:
    """Read and check ``maxResults`` and ``nextToken`` for a request in *scope*."""
    size = DEFAULT_PAGE_SIZE
    raw_size = params.get("maxResults")
    if raw_size is not None:
        size = v.int_range(raw_size, "maxResults", low=1, high=MAX_PAGE_SIZE)
    start = 0
    raw_token = params.get("nextToken")
    if raw_token is not None:
        start = _decode_token(v.expect_str(raw_token, "nextToken"), scope)
    return Page(start, size, scope)


def paginate(items: Iterable[T], page: Page) -> tuple[list[T], str | None]:
    """The items of *page* and the token of the next one (``None`` on the last page).

    Reads one item past the page to know whether another page exists, so the last page
    never ends with a token that leads to an empty page.
    """
    chunk = list(islice(items, page.start, page.start + page.size + 1))
    if len(chunk) <= page.size:
        return chunk, None
    return chunk[: page.size], encode_token(page.scope, page.start + page.size)


def with_token(result: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        result["nextToken"] = token
    return result
