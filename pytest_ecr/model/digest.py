"""Image digests, computed the way ECR computes them."""

from __future__ import annotations

import hashlib


def sha256_digest(data: bytes) -> str:
    """Return ``sha256:<hex>`` of *data*: ECR's digest of a manifest's exact bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()
