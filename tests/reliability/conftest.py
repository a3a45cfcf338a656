from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Real-looking keys of the profile files: never valid, never to be seen signing a request.
REAL_KEY = "AKIAREALSOURCEKEY000"
REAL_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALSOURCE"

#: The child run's conftest: every request that reaches botocore's HTTP layer is recorded
#: (URL and Authorization) and stopped there; no socket is opened beyond loopback.
CHILD_CONFTEST = '''
import socket

import botocore.httpsession
import pytest

REACHED = []


class ReachedTheSocketLayer(Exception):
    """A request got as far as botocore's HTTP send."""


def _send(self, request):
    auth = request.headers.get("Authorization") or b""
    REACHED.append((request.url, auth.decode() if isinstance(auth, bytes) else auth))
    raise ReachedTheSocketLayer(request.url)


botocore.httpsession.URLLib3Session.send = _send
_connect = socket.socket.connect


def _loopback_only(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
        "127.0.0.1", "::1", "localhost"
    ):
        raise AssertionError(f"connect to {address!r}")
    return _connect(self, address)


socket.socket.connect = _loopback_only


@pytest.fixture
def socket_layer():
    REACHED.clear()
    return REACHED
'''

PROCESS = """\
import json, sys
with open(sys.argv[1], "a") as runs:
    runs.write("ran\\n")
print(json.dumps({{
    "Version": 1, "AccessKeyId": "AKIAPROCESSKEY000000", "SecretAccessKey": "{secret}",
    "SessionToken": "process-token", "Expiration": "2001-01-01T00:00:00Z",
}}))
"""


@dataclass
class AwsProject:
    """A pytester project on a developer's machine: a HOME with real profile files
    (``base``: keys; ``role``: assume-role from ``base``; ``proc``: a credential_process
    that appends a line to :attr:`runs` each time it runs), IMDS and container providers
    disabled through the environment."""

    pytester: pytest.Pytester
    home: Path
    runs: Path
    real_key: str = REAL_KEY

    def ran(self) -> int:
        return len(self.runs.read_text().splitlines()) if self.runs.exists() else 0


@pytest.fixture(name="aws_project")
def aws_project_fixture(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> AwsProject:
    home = pytester.path / "home"
    (home / ".aws").mkdir(parents=True)
    runs = pytester.path / "credential-process-runs.log"
    process = pytester.path / "credential_process.py"
    process.write_text(PROCESS.format(secret=REAL_SECRET))
    (home / ".aws" / "credentials").write_text(
        f"[base]\naws_access_key_id = {REAL_KEY}\naws_secret_access_key = {REAL_SECRET}\n"
    )
    (home / ".aws" / "config").write_text(
        "[default]\nregion = us-east-1\n"
        "[profile base]\nregion = us-east-1\n"
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
        "source_profile = base\nregion = us-east-1\n"
        f"[profile proc]\ncredential_process = {sys.executable} {process} {runs}\n"
        "region = us-east-1\n"
    )
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    pytester.makeconftest(CHILD_CONFTEST)
    return AwsProject(pytester, home, runs)
