"""The fake's credentials and the AWS environment, for every place that needs them.

One module owns them: the in-process hook signs with :data:`FAKE_ACCESS_KEY`, the HTTP
server's :attr:`~pytest_ecr.EcrServer.env` and ``pytest-ecr serve`` export them to
subprocesses, the moto backend signs its internal requests with them, and an active fake
patches the process environment with :func:`patch_environment` so that clients created
during a test resolve these keys (never a real profile, never the instance metadata
service). Pure Python: nothing here imports botocore.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: The access key id every request the fake answers is signed with.
FAKE_ACCESS_KEY = "AKIAPYTESTECR0000000"
#: Its secret key: obviously fake, never valid at AWS.
FAKE_SECRET_KEY = "pytest-ecr/fake/secret/key/never/valid/00"

# Paths that do not exist, so botocore finds no shared config or credentials file.
_MISSING = os.path.join(os.sep, "nonexistent", "pytest-ecr")

#: Variables that would make botocore look for real credentials, or attach real values to
#: the fake keys; unset while active. (``AWS_CREDENTIAL_EXPIRATION``, as aws-vault exports
#: it, would make the fake keys refreshable and, once past, "expired" on every refresh.)
REMOVED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
)

Saved = dict[str, "str | None"]


def process_environment(region: str, environ: Mapping[str, str] | None = None) -> Saved:
    """The variables an active fake sets (``None``: unset) in this process.

    The region is set only when *environ* (default ``os.environ``) names none, so a test's
    own ``AWS_DEFAULT_REGION`` wins.
    """
    environ = os.environ if environ is None else environ
    values: Saved = {
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
        "AWS_SESSION_TOKEN": None,
        "AWS_SECURITY_TOKEN": None,
        "AWS_CONFIG_FILE": _MISSING + "-config",
        "AWS_SHARED_CREDENTIALS_FILE": _MISSING + "-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
        **dict.fromkeys(REMOVED_VARIABLES),
    }
    if not environ.get("AWS_DEFAULT_REGION") and not environ.get("AWS_REGION"):
        values["AWS_DEFAULT_REGION"] = region
    return values


def export_environment(endpoint_url: str, region: str) -> dict[str, str]:
    """The variables that point an AWS SDK or the AWS CLI in a subprocess at a served
    registry: the endpoint, the fake credentials and the region."""
    return {
        "AWS_ENDPOINT_URL_ECR": endpoint_url,
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    }


def patch_environment(region: str) -> Saved:
    """Apply :func:`process_environment` to ``os.environ``; returns what it replaced."""
    values = process_environment(region)
    saved = _current(values)
    _apply(values, saved)
    return saved


def restore_environment(saved: Saved) -> None:
    """Undo :func:`patch_environment` with the mapping it returned (whatever the variables
    were changed to since)."""
    _apply(saved, _current(saved))


def _current(keys: Mapping[str, object]) -> Saved:
    """The values of *keys* in ``os.environ`` (``None``: unset). The names are read in one
    pass: asking ``os.environ`` for a name it lacks costs a raised ``KeyError``, and most
    of these are unset."""
    names = set(os.environ)
    return {key: os.environ[key] if key in names else None for key in keys}


def _apply(values: Saved, now: Saved) -> None:
    """Make ``os.environ`` say *values*, where it says *now*: only what differs is written."""
    for key, value in values.items():
        if value == now[key]:
            continue
        if value is None:
            del os.environ[key]
        else:
            os.environ[key] = value


__all__ = [
    "FAKE_ACCESS_KEY",
    "FAKE_SECRET_KEY",
    "REMOVED_VARIABLES",
    "export_environment",
    "patch_environment",
    "process_environment",
    "restore_environment",
]
