"""GetAuthorizationToken: a ``docker login`` credential per registry."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.partitions import proxy_endpoint


def _password(registry_id: str, region: str, expires_at: float) -> str:
    """An opaque password in the shape of ECR's: base64 of a JSON envelope.

    Deterministic for a registry and an expiry (in whole seconds, the envelope's
    ``expiration``), so runs with a pinned clock repeat and the registry can check a
    password by computing it again (:func:`check_password`) instead of remembering the
    ones it gave. Its alphabet has no ``:``, which clients rely on when they split
    ``AWS:<password>``.
    """
    expiration = int(expires_at)
    payload = hashlib.sha256(f"pytest-ecr\0{registry_id}\0{region}\0{expiration}".encode())
    envelope = {
        "payload": base64.b64encode(payload.digest()).decode(),
        "version": "2",
        "type": "DATA_KEY",
        "expiration": expiration,
    }
    return base64.b64encode(json.dumps(envelope, separators=(",", ":")).encode()).decode()


def check_password(password: str, registry_ids: Iterable[str], region: str, now: float) -> str:
    """``"valid"``, ``"expired"`` or ``"invalid"``: whether *password* is one that
    GetAuthorizationToken gave in *region* for one of *registry_ids*, and whether it is
    still alive at *now* (epoch seconds on the fake's clock)."""
    try:
        envelope = json.loads(base64.b64decode(password.encode("ascii"), validate=True))
    except (ValueError, UnicodeError, binascii.Error):
        return "invalid"
    expiration = envelope.get("expiration") if isinstance(envelope, dict) else None
    if isinstance(expiration, bool) or not isinstance(expiration, int):
        return "invalid"
    if not any(
        hmac.compare_digest(password, _password(registry_id, region, expiration))
        for registry_id in registry_ids
    ):
        return "invalid"
    return "expired" if now >= expiration else "valid"


def get_authorization_token(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    del state  # a token does not depend on what the registry holds
    requested = v.bounded_list(params, "registryIds", low=1, high=10, required=False)
    if requested is None:
        registry_ids = [ctx.account]
    else:
        registry_ids = [
            v.check_registry_id(raw, f"registryIds.{position + 1}.member")
            for position, raw in enumerate(requested)
        ]
    # Millisecond precision, like every expiresAt ECR has been seen to send.
    expires_at = round(ctx.clock() + ctx.token_lifetime, 3)
    data = []
    for registry_id in registry_ids:
        password = _password(registry_id, ctx.region, expires_at)
        data.append(
            {
                "authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
                "expiresAt": expires_at,
                "proxyEndpoint": proxy_endpoint(registry_id, ctx.region),
            }
        )
    return {"authorizationData": data}
