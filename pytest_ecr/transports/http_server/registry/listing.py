"""Listings: ``tags/list`` as ListImages, ``_catalog`` as DescribeRepositories, and
``referrers`` as ListImageReferrers (ecr-control-plane.md §15.5).

Each asks for one page: ``n`` is the action's ``maxResults`` (its default page when
absent) and the next page is offered in a ``Link`` header whose ``last`` is the
action's ``nextToken``, so a page costs what the action's page costs, never a walk of
the whole repository or registry.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from pytest_ecr.model import MediaType
from pytest_ecr.transports.http_server.registry.blobs import checked_digest
from pytest_ecr.transports.http_server.registry.context import RegistryContext
from pytest_ecr.transports.http_server.registry.oci import API_VERSION, JSON, unsupported
from pytest_ecr.transports.http_server.registry.paths import query_fields
from pytest_ecr.transports.http_server.routes import Response

# seen: tags/list is served as text/plain (ECR's user guide example)
TAGS_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
#: The one filter the referrers listing applies, named in ``OCI-Filters-Applied``.
ARTIFACT_TYPE: Final = "artifactType"


def _paging(fields: Mapping[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    n = fields.get("n")
    if n is not None:
        if not n.isdigit():
            raise unsupported(
                "Invalid parameter at 'maxResults' failed to satisfy constraint: "
                "'Member must be a number'"
            )
        params["maxResults"] = int(n)
    if fields.get("last"):
        params["nextToken"] = fields["last"]
    return params


def _page(
    status_body: dict[str, Any],
    path: str,
    fields: Mapping[str, str],
    token: Any,
    content_type: str = JSON,
) -> Response:
    headers = [API_VERSION, ("Content-Type", content_type)]
    if isinstance(token, str) and token:
        following = {key: value for key, value in fields.items() if key != "last"}
        following["last"] = token
        headers.append(("Link", f'<{path}?{urllib.parse.urlencode(following)}>; rel="next"'))
    return Response(200, headers, json.dumps(status_body, separators=(",", ":")).encode())


def list_tags(ctx: RegistryContext, name: str) -> Response:
    fields = query_fields(ctx.request.query)
    params = {"repositoryName": name, "filter": {"tagStatus": "TAGGED"}, **_paging(fields)}
    result = ctx.answer("ListImages", params, name)
    tags = [str(ident["imageTag"]) for ident in result.get("imageIds") or () if "imageTag" in ident]
    return _page(
        {"name": name, "tags": tags},
        f"/v2/{name}/tags/list",
        fields,
        result.get("nextToken"),
        TAGS_CONTENT_TYPE,
    )


def catalog(ctx: RegistryContext) -> Response:
    fields = query_fields(ctx.request.query)
    result = ctx.answer("DescribeRepositories", _paging(fields))
    names = [str(repo["repositoryName"]) for repo in result.get("repositories") or ()]
    return _page({"repositories": names}, "/v2/_catalog", fields, result.get("nextToken"))


def referrers(ctx: RegistryContext, name: str, digest: str) -> Response:
    fields = query_fields(ctx.request.query)
    params: dict[str, Any] = {
        "repositoryName": name,
        "subjectId": {"imageDigest": checked_digest(digest)},
    }
    if fields.get("last"):
        params["nextToken"] = fields["last"]
    wanted = fields.get(ARTIFACT_TYPE)
    if wanted:
        params["filter"] = {"artifactTypes": [wanted]}
    result = ctx.answer("ListImageReferrers", params, name)
    manifests = []
    for referrer in result.get("referrers") or ():
        entry = {key: referrer[key] for key in ("mediaType", "digest", "size") if key in referrer}
        for key in ("artifactType", "annotations"):
            if key in referrer:
                entry[key] = referrer[key]
        manifests.append(entry)
    index = {"schemaVersion": 2, "mediaType": MediaType.OCI_INDEX, "manifests": manifests}
    response = _page(
        index,
        f"/v2/{name}/referrers/{digest}",
        fields,
        result.get("nextToken"),
        MediaType.OCI_INDEX,
    )
    if wanted:
        response.headers.append(("OCI-Filters-Applied", ARTIFACT_TYPE))
    return response


__all__ = ["ARTIFACT_TYPE", "TAGS_CONTENT_TYPE", "catalog", "list_tags", "referrers"]
