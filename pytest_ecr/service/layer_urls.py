"""Layer download URLs: what GetDownloadUrlForLayer answers and a registry blob GET
redirects to, in the shape of ECR's presigned S3 URLs.

A URL names the layer in its path (``/pytest-ecr-layers/<registry>/<region>/v2/<repo>/
blobs/<digest>``, a path no other route of the endpoint serves) and carries a signature
over the path and its time of issue, valid for :data:`LAYER_URL_LIFETIME` seconds on the
fake's clock, as ECR's ``X-Amz-Expires=3600``. The signature is recomputed when the URL
is fetched (:func:`check_layer_url`), so nothing remembers the URLs handed out; its key
is a constant, since its only job is to catch a hand-made or altered URL.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
import urllib.parse
from typing import Final, NamedTuple

#: How long a layer URL can be fetched after it was issued (ECR: ``X-Amz-Expires=3600``).
LAYER_URL_LIFETIME: Final = 3600
#: The path every layer URL begins with.
LAYER_URL_PREFIX: Final = "/pytest-ecr-layers/"
_KEY: Final = b"pytest-ecr layer url"
_DATE_FORMAT: Final = "%Y%m%dT%H%M%SZ"


class LayerLocation(NamedTuple):
    """The layer a URL names."""

    registry_id: str
    region: str
    repository: str
    digest: str


def layer_path(registry_id: str, region: str, repository: str, digest: str) -> str:
    return f"{LAYER_URL_PREFIX}{registry_id}/{region}/v2/{repository}/blobs/{digest}"


def _signature(path: str, date: str) -> str:
    return hmac.new(_KEY, f"{path}\n{date}".encode(), hashlib.sha256).hexdigest()


def layer_url_query(path: str, issued_at: float) -> str:
    """The query string signing *path* as issued at *issued_at* (epoch seconds)."""
    date = time.strftime(_DATE_FORMAT, time.gmtime(int(issued_at)))
    return urllib.parse.urlencode(
        {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Date": date,
            "X-Amz-Expires": str(LAYER_URL_LIFETIME),
            "X-Amz-Signature": _signature(path, date),
        }
    )


def parse_layer_path(path: str) -> LayerLocation | None:
    """The layer *path* names, or ``None`` when it is not a layer URL's path."""
    if not path.startswith(LAYER_URL_PREFIX):
        return None
    registry_id, _, rest = path[len(LAYER_URL_PREFIX) :].partition("/")
    region, _, rest = rest.partition("/")
    if not rest.startswith("v2/"):
        return None
    repository, sep, digest = rest[3:].rpartition("/blobs/")
    if not (registry_id and region and repository and sep and digest):
        return None
    return LayerLocation(registry_id, region, repository, digest)


def check_layer_url(path: str, query: str, now: float) -> str | None:
    """Why the URL of *path* and *query* cannot be fetched at *now* (an S3 error code:
    ``AccessDenied`` once expired, ``SignatureDoesNotMatch`` for a URL the fake did not
    sign), or ``None`` when it can."""
    fields = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    date = fields.get("X-Amz-Date", "")
    given = fields.get("X-Amz-Signature", "")
    if not hmac.compare_digest(given, _signature(path, date)):
        return "SignatureDoesNotMatch"
    try:
        issued = calendar.timegm(time.strptime(date, _DATE_FORMAT))
    except ValueError:
        return "SignatureDoesNotMatch"
    if now > issued + LAYER_URL_LIFETIME:
        return "AccessDenied"
    return None


__all__ = [
    "LAYER_URL_LIFETIME",
    "LAYER_URL_PREFIX",
    "LayerLocation",
    "check_layer_url",
    "layer_path",
    "layer_url_query",
    "parse_layer_path",
]
