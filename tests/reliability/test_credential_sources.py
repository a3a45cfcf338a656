"""While a fake is active no credential provider runs and nothing reaches botocore's
socket layer, whatever an ECR client made before the fake was made from.

For each credential source botocore supports (the container and instance-metadata
providers disabled through the environment, as on a developer's machine), a client and a
session are made before the fake, from real profile files in a temporary HOME. During the
fake the client's requests and a client the session makes are answered by the fake,
signed with the fake's key; every request that reaches botocore's HTTP layer
(``URLLib3Session.send``) or urllib3's is recorded, and none does; a ``credential_process``
records each run, and none happens. With the network guard on and opened, so the result
never depends on the guard.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.credentials
import botocore.httpsession
import botocore.tokens
import pytest
import urllib3.connectionpool

from pytest_ecr import FakeEcr
from pytest_ecr.credentials import FAKE_ACCESS_KEY
from pytest_ecr.transports import guard

# Fresh boto3 sessions from profile files, a few per test (0.3-0.4 s each), and
# credential_process runs: CI's lanes run them all, the fast lane leaves them out.
pytestmark = pytest.mark.slow

REGISTRY = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}
REAL_KEY = "AKIAREALLOOKINGKEY00"
REAL_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALLOOKING"
START_URL = "https://example-sso.awsapps.com/start"


class ReachedTheSocketLayer(Exception):
    """A request got as far as botocore's (or urllib3's) HTTP send."""


@dataclass
class Home:
    """A temporary HOME with AWS files, the environment pointing at them."""

    path: Path
    monkeypatch: pytest.MonkeyPatch
    runs: Path

    def config(self, text: str) -> None:
        (self.path / ".aws" / "config").write_text(text)

    def credentials(self, text: str) -> None:
        (self.path / ".aws" / "credentials").write_text(text)

    def process(self, expiration: str) -> str:
        """A ``credential_process`` command that appends a line to :attr:`runs` per run."""
        script = self.path / "credential-process.py"
        answer = {
            "Version": 1,
            "AccessKeyId": "AKIAPROCESSKEY000000",
            "SecretAccessKey": REAL_SECRET,
            "SessionToken": "process-token",
            "Expiration": expiration,
        }
        script.write_text(
            f"import sys\nopen({str(self.runs)!r}, 'a').write('ran\\n')\n"
            f"print({json.dumps(json.dumps(answer))})\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        return f"{sys.executable} {script}"

    def ran(self) -> int:
        return len(self.runs.read_text().splitlines()) if self.runs.exists() else 0


@pytest.fixture(name="home")
def home_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    (tmp_path / ".aws" / "sso" / "cache").mkdir(parents=True)
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no IMDS; no container URI set
    # botocore reads the SSO token cache folder from HOME once, at import.
    for owner in (botocore.credentials.SSOProvider, botocore.tokens.SSOTokenProvider):
        monkeypatch.setattr(owner, "_SSO_TOKEN_CACHE_DIR", str(tmp_path / ".aws" / "sso" / "cache"))
    return Home(tmp_path, monkeypatch, tmp_path / "runs.log")


def _environment(home: Home) -> None:
    home.monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    home.monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    home.monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")


def _environment_expiring(home: Home) -> None:
    # As aws-vault exports them: refreshable, refreshed by reading the environment again.
    _environment(home)
    home.monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2001-01-01T00:00:00Z")


def _shared_credentials_file(home: Home) -> None:
    home.credentials(
        f"[default]\naws_access_key_id = {REAL_KEY}\naws_secret_access_key = {REAL_SECRET}\n"
    )


def _config_file(home: Home) -> None:
    home.config(
        f"[default]\naws_access_key_id = {REAL_KEY}\naws_secret_access_key = {REAL_SECRET}\n"
    )


def _assume_role(home: Home) -> None:
    _shared_credentials_file(home)
    home.config(
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
        "source_profile = default\nregion = us-east-1\n"
    )
    home.monkeypatch.setenv("AWS_PROFILE", "dev")


def _assume_role_from_process(home: Home) -> None:
    home.config(
        f"[profile base]\ncredential_process = {home.process('2001-01-01T00:00:00Z')}\n"
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
        "source_profile = base\nregion = us-east-1\n"
    )
    home.monkeypatch.setenv("AWS_PROFILE", "dev")


def _credential_process(home: Home) -> None:
    # Expired on arrival: botocore runs the process again before every signature.
    home.config(
        f"[profile dev]\ncredential_process = {home.process('2001-01-01T00:00:00Z')}\n"
        "region = us-east-1\n"
    )
    home.monkeypatch.setenv("AWS_PROFILE", "dev")


def _write_token(home: Home, key: str) -> None:
    name = hashlib.sha1(key.encode()).hexdigest()  # botocore's cache key
    (home.path / ".aws" / "sso" / "cache" / f"{name}.json").write_text(
        json.dumps(
            {
                "startUrl": START_URL,
                "region": "us-east-1",
                "accessToken": "cached-sso-access-token",
                "expiresAt": "2099-01-01T00:00:00Z",
            }
        )
    )


def _sso_legacy(home: Home) -> None:
    home.config(
        f"[profile dev]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n"
    )
    _write_token(home, START_URL)
    home.monkeypatch.setenv("AWS_PROFILE", "dev")


def _sso_session(home: Home) -> None:
    home.config(
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
        "sso_role_name = Dev\nregion = us-east-1\n"
        f"[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
    )
    _write_token(home, "corp")
    home.monkeypatch.setenv("AWS_PROFILE", "dev")


def _web_identity(home: Home) -> None:
    token = home.path / "web-identity-token"
    token.write_text("a-web-identity-token")
    home.monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token))
    home.monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci")


SOURCES: dict[str, Callable[[Home], None]] = {
    "environment": _environment,
    "environment-with-expiration": _environment_expiring,
    "shared-credentials-file": _shared_credentials_file,
    "config-file": _config_file,
    "assume-role": _assume_role,
    "assume-role-from-process": _assume_role_from_process,
    "credential-process": _credential_process,
    "sso-legacy-profile": _sso_legacy,
    "sso-session": _sso_session,
    "web-identity": _web_identity,
}


@pytest.fixture(name="socket_layer")
def socket_layer_fixture(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request that reaches botocore's HTTP send or urllib3's connection pool."""
    reached: list[str] = []

    def botocore_send(self: Any, request: Any) -> Any:
        reached.append(f"botocore {request.method} {request.url}")
        raise ReachedTheSocketLayer(request.url)

    def urllib3_urlopen(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        reached.append(f"urllib3 {method} {self.host}{url}")
        raise ReachedTheSocketLayer(url)

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", botocore_send)
    monkeypatch.setattr(urllib3.connectionpool.HTTPConnectionPool, "urlopen", urllib3_urlopen)
    return reached


def _capture(client: Any, into: list[str]) -> Any:
    def capture(request: Any, **_: Any) -> None:
        into.append(request.headers["Authorization"].decode())

    client.meta.events.register("before-send.ecr", capture)
    return client


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_no_credential_provider_runs_during_a_fake(
    source: str, home: Home, socket_layer: list[str]
) -> None:
    SOURCES[source](home)
    # Made before the fake: the way a module-level client and session are.
    early = boto3.session.Session().client("ecr", region_name="us-east-1")
    session = boto3.session.Session()
    profile_session = (
        boto3.session.Session(profile_name="dev") if os.environ.get("AWS_PROFILE") else session
    )
    runs_before = home.ran()
    signatures: list[str] = []
    _capture(early, signatures)
    with guard.network_allowed(), FakeEcr([REGISTRY]) as fake:
        late = _capture(session.client("ecr", region_name="us-east-1"), signatures)
        profiled = _capture(profile_session.client("ecr"), signatures)
        for client in (early, late, profiled):
            answer = client.batch_get_image(
                repositoryName="team/api", imageIds=[{"imageTag": "v1"}]
            )
            assert answer["images"], source
        assert fake.calls().count == 3
    assert socket_layer == []
    assert home.ran() == runs_before, f"{source}: credential_process ran during the fake"
    assert len(signatures) == 3
    for header in signatures:
        assert f"Credential={FAKE_ACCESS_KEY}/" in header, (source, header)


@pytest.mark.parametrize("source", ["assume-role", "credential-process", "sso-session"])
def test_the_same_clients_resolve_their_own_credentials_again_after_the_fake(
    source: str, home: Home, socket_layer: list[str]
) -> None:
    """The fake changes nothing the client keeps: after it, the client's own provider is
    back (here it reaches the recorded socket layer, or runs its process)."""
    SOURCES[source](home)
    early = boto3.session.Session().client("ecr", region_name="us-east-1")
    with FakeEcr([REGISTRY]):
        early.describe_repositories()
    runs = home.ran()
    # STS or SSO reach the recorded socket layer; the expired process runs again.
    with guard.network_allowed(), pytest.raises((ReachedTheSocketLayer, RuntimeError)):
        early.describe_repositories()
    assert socket_layer or home.ran() > runs


def test_a_session_made_during_the_fake_is_not_refreshable_from_the_environment(
    home: Home,
) -> None:
    """An expiry exported with the real keys (aws-vault does) is not attached to the fake
    keys: a session made during the fake, for any service, gets usable static keys."""
    _environment_expiring(home)
    with FakeEcr([REGISTRY]):
        resolved = boto3.session.Session().get_credentials()
        assert resolved is not None
        assert resolved.get_frozen_credentials().access_key == FAKE_ACCESS_KEY
        assert "AWS_CREDENTIAL_EXPIRATION" not in os.environ
    assert os.environ["AWS_CREDENTIAL_EXPIRATION"] == "2001-01-01T00:00:00Z"
