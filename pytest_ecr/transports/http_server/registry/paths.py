"""The OCI Distribution API's paths: ``/v2/<name>/<kind>/<reference>``.

A repository name may hold slashes, so each path is matched from its end, as
distribution matches it: ``/v2/a/b/manifests/v1`` is repository ``a/b``.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Final, NamedTuple

_PATTERNS: Final = (
    ("uploads", re.compile(r"/v2/(?P<name>.+)/blobs/uploads/(?P<ref>[^/]*)")),
    ("manifests", re.compile(r"/v2/(?P<name>.+)/manifests/(?P<ref>[^/]+)")),
    ("blobs", re.compile(r"/v2/(?P<name>.+)/blobs/(?P<ref>[^/]+)")),
    ("tags", re.compile(r"/v2/(?P<name>.+)/tags/list")),
    ("referrers", re.compile(r"/v2/(?P<name>.+)/referrers/(?P<ref>[^/]+)")),
)


class RegistryPath(NamedTuple):
    """What a registry path names: ``kind`` is ``base`` (``/v2/``), ``catalog``,
    ``manifests``, ``blobs``, ``uploads`` (``ref``: the upload id, ``""`` to start
    one), ``tags`` or ``referrers``."""

    kind: str
    name: str = ""
    ref: str = ""


def parse_path(path: str) -> RegistryPath | None:
    """What *path* names, or ``None`` for a path the registry API does not have."""
    if path in ("/v2/", "/v2"):
        return RegistryPath("base")
    if path == "/v2/_catalog":
        return RegistryPath("catalog")
    for kind, pattern in _PATTERNS:
        found = pattern.fullmatch(path)
        if found is not None:
            name = urllib.parse.unquote(found.group("name"))
            ref = urllib.parse.unquote(found.groupdict().get("ref") or "")
            return RegistryPath(kind, name, ref)
    return None


def query_fields(query: str) -> dict[str, str]:
    """The fields of a query string (the last of repeated ones)."""
    return dict(urllib.parse.parse_qsl(query, keep_blank_values=True))


def repository_url(name: str) -> str:
    return f"/v2/{name}"


__all__ = ["RegistryPath", "parse_path", "query_fields", "repository_url"]
