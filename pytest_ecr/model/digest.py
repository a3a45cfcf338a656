"""Image digests, computed the way ECR computes them."""

from __future__ import annotations

import hashlib
import re

#: The regular expression ECR quotes in its ``InvalidImageDigest`` failure reason.
DIGEST_PATTERN = "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+"

# The quoted pattern has ``9-_`` in its character class; ECR means a literal hyphen there,
# so the compiled form escapes it rather than building a range.
_DIGEST_RE = re.compile(r"[a-zA-Z0-9\-_+.]+:[a-fA-F0-9]+")


def sha256_digest(data: bytes) -> str:
    """Return ``sha256:<hex>`` of *data*: ECR's digest of a manifest's exact bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def is_valid_digest(value: str) -> bool:
    """Whether *value* is well formed by ECR's rule (``algorithm:hex``)."""
    return _DIGEST_RE.fullmatch(value) is not None
