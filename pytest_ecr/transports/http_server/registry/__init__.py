"""The OCI Distribution API (the registry "data plane") as routes of the HTTP server.

Every registry request is answered as the ECR API action ECR maps it to
(ecr-control-plane.md §15.7), through the fake's :meth:`~pytest_ecr.transports.
responder.Responder.answer` with ``transport="registry"``: a manifest pull is one
BatchGetImage call in the history, a throttling fault on it is a 429 the client's own
retries see, a connection fault drops the connection. The answer (or the ECR error) is
then written as the registry writes it: status, headers and the distribution error
body.

Modules: :mod:`.context` (authentication, the call to the fake), :mod:`.oci` (error
bodies and the ECR-error translation), :mod:`.paths`, and one module per family of
endpoints (:mod:`.manifests`, :mod:`.blobs`, :mod:`.uploads`, :mod:`.listing`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from pytest_ecr.service.layer_urls import LAYER_URL_PREFIX
from pytest_ecr.transports.http_server.registry import blobs, listing, manifests, uploads
from pytest_ecr.transports.http_server.registry.context import RegistryContext, authenticate
from pytest_ecr.transports.http_server.registry.oci import API_VERSION, JSON, OciError
from pytest_ecr.transports.http_server.registry.paths import RegistryPath, parse_path
from pytest_ecr.transports.http_server.routes import Request, Response, Route, Server

Endpoint = Callable[[RegistryContext, RegistryPath], Response]


def _base(ctx: RegistryContext, target: RegistryPath) -> Response:
    return Response(200, [API_VERSION, ("Content-Type", JSON)], b"{}")


#: (kind, method) -> what answers it.
_ENDPOINTS: Final[dict[tuple[str, str], Endpoint]] = {
    ("base", "GET"): _base,
    ("base", "HEAD"): _base,
    ("catalog", "GET"): lambda ctx, t: listing.catalog(ctx),
    ("manifests", "GET"): lambda ctx, t: manifests.get_manifest(ctx, t.name, t.ref),
    ("manifests", "HEAD"): lambda ctx, t: manifests.get_manifest(ctx, t.name, t.ref),
    ("manifests", "PUT"): lambda ctx, t: manifests.put_manifest(ctx, t.name, t.ref),
    ("manifests", "DELETE"): lambda ctx, t: manifests.delete_manifest(ctx, t.name, t.ref),
    ("blobs", "HEAD"): lambda ctx, t: blobs.head_blob(ctx, t.name, t.ref),
    ("blobs", "GET"): lambda ctx, t: blobs.get_blob(ctx, t.name, t.ref),
    ("uploads", "PATCH"): lambda ctx, t: uploads.patch_upload(ctx, t.name, t.ref),
    ("uploads", "PUT"): lambda ctx, t: uploads.put_upload(ctx, t.name, t.ref),
    ("uploads", "GET"): lambda ctx, t: uploads.upload_status(ctx, t.name, t.ref),
    ("tags", "GET"): lambda ctx, t: listing.list_tags(ctx, t.name),
    ("referrers", "GET"): lambda ctx, t: listing.referrers(ctx, t.name, t.ref),
}


def _endpoint(target: RegistryPath, method: str) -> Endpoint | None:
    if target.kind == "uploads" and method == "POST":
        if target.ref:
            return None
        return lambda ctx, t: uploads.start_upload(ctx, t.name)
    return _ENDPOINTS.get((target.kind, method))


def registry_api(server: Server, request: Request) -> Response:
    """Answer one registry request (any ``/v2/...`` path) from ``server.fake``."""
    try:
        ctx = authenticate(server, request)
        target = parse_path(request.path)
        if target is None:
            # chosen: distribution's answer to a path it does not route
            raise OciError(404, "NOT_FOUND", f"No registry endpoint at {request.path}")
        endpoint = _endpoint(target, request.method)
        if endpoint is None:
            raise OciError(405, "UNSUPPORTED", "The operation is unsupported.")
        return endpoint(ctx, target)
    except OciError as error:
        return error.response()


#: The registry's routes: ``/v2/...`` (uploads read their bodies as they arrive) and
#: the layer URLs blob downloads are redirected to.
REGISTRY_ROUTES: Final = (
    Route(frozenset({"GET", "HEAD", "DELETE"}), "/v2", registry_api, prefix=True),
    Route(frozenset({"PUT", "PATCH", "POST"}), "/v2", registry_api, prefix=True, streamed=True),
    Route(frozenset({"GET", "HEAD"}), LAYER_URL_PREFIX, blobs.layer_download, prefix=True),
)

__all__ = ["REGISTRY_ROUTES", "registry_api"]
