"""The fake's SigV4 signer: byte for byte botocore's, and botocore's own code whenever
the internals its short path relies on are missing or disagree."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import botocore.auth
import pytest

from pytest_ecr.transports import signer
from pytest_ecr.transports.signer import FAKE_CREDENTIALS, FakeSigner, FastFakeSigner

#: The internals of the short path the installed botocore lacks (botocore.auth's
#: get_current_datetime came in 1.40.2): there botocore's own SigV4 signs every request.
MISSING_INTERNALS = [
    f"{getattr(owner, '__name__', owner)}.{name}"
    for owner, name in signer.BOTOCORE_INTERNALS
    if not hasattr(owner, name)
]
short_path = pytest.mark.skipif(
    bool(MISSING_INTERNALS),
    reason=f"botocore {botocore.__version__} has no {', '.join(MISSING_INTERNALS)}: "
    "the short path is not used there (FakeSigner, botocore's own SigV4, signs)",
)


def _ecr_request(url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    from botocore.awsrequest import AWSRequest

    return AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.BatchGetImage",
            "Content-Type": "application/x-amz-json-1.1",
            "User-Agent": "Boto3/1.0 md/Botocore#1.0 os/linux lang/python#3.11",
            **(headers or {}),
        },
    )


def _duplicate_header(request: Any) -> None:
    request.headers["X-Amz-Meta-Dup"] = "one"
    request.headers["X-Amz-Meta-Dup"] = "two  words"  # an email Message appends


def _non_ascii_value(request: Any) -> None:
    request.headers["X-Amz-Meta-Name"] = "caf\u00e9"


def _already_signed(request: Any) -> None:
    request.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=old"
    request.headers["X-Amz-Date"] = "20200101T000000Z"


def _unsigned_payload(request: Any) -> None:
    request.context["payload_signing_enabled"] = False


SIGNING_CASES = {
    "json body": ("https://api.ecr.{region}.amazonaws.com/", b'{"repositoryName": "a"}', None),
    "another body": ("https://api.ecr.{region}.amazonaws.com/", b'{"repositoryName": "b"}', None),
    "empty body": ("https://api.ecr.{region}.amazonaws.com/", b"", None),
    "no body": ("https://api.ecr.{region}.amazonaws.com/", None, None),
    "loopback with port and query": ("http://127.0.0.1:4566/?b=2&a=1", b"{}", None),
    "default port dropped": ("https://api.ecr.{region}.amazonaws.com:443/", b"{}", None),
    "ipv6 host": ("http://[::1]:8080/", b"{}", None),
    "path to normalise": ("https://api.ecr.{region}.amazonaws.com/a b/../c", b"{}", None),
    "spaces in values, mixed-case names": (
        "https://api.ecr.{region}.amazonaws.com/",
        b"{}",
        {"X-AMZ-Meta-Spaced": "  a   b  c ", "x-amz-meta-lower": "v"},
    ),
    "headers never signed": (
        "https://api.ecr.{region}.amazonaws.com/",
        b"{}",
        {"Expect": "100-continue", "X-Amzn-Trace-Id": "Root=1", "Connection": "keep-alive"},
    ),
    "host given": ("https://api.ecr.{region}.amazonaws.com/", b"{}", {"Host": "Example.COM"}),
    "duplicate header": ("https://api.ecr.{region}.amazonaws.com/", b"{}", _duplicate_header),
    "non-ASCII value (botocore's path)": (
        "https://api.ecr.{region}.amazonaws.com/",
        b"{}",
        _non_ascii_value,
    ),
    "form body (botocore's path)": ("https://api.ecr.{region}.amazonaws.com/", {"a": "1"}, None),
    "a retry, signed before": (
        "https://api.ecr.{region}.amazonaws.com/",
        b"{}",
        _already_signed,
    ),
    "unsigned payload (botocore's path)": (
        "https://api.ecr.{region}.amazonaws.com/",
        b"{}",
        _unsigned_payload,
    ),
}


@short_path
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
@pytest.mark.parametrize("case", list(SIGNING_CASES))
def test_the_fake_signature_is_sigv4_s_own(region: str, case: str) -> None:
    """The fake's signer takes shortcuts (signing keys kept, headers read once); what it
    writes is byte for byte what botocore's SigV4 writes for the same request and moment."""
    from botocore.auth import SigV4Auth

    url, body, extra = SIGNING_CASES[case]

    def signed(auth: SigV4Auth) -> tuple[str, str]:
        request = _ecr_request(
            url.format(region=region), body, extra if isinstance(extra, dict) else None
        )
        if callable(extra):
            extra(request)
        with mock_time("2026-11-27T10:00:00"):
            auth.add_auth(request)
        return str(request.headers["Authorization"]), str(request.headers["X-Amz-Date"])

    ours = FastFakeSigner(None, "ecr", region)
    plain = SigV4Auth(FAKE_CREDENTIALS, "ecr", region)
    for _ in range(2):  # the second time from the kept signing key
        assert signed(ours) == signed(plain)


@contextlib.contextmanager
def mock_time(moment: str) -> Iterator[None]:
    import datetime as dt
    from unittest import mock

    fixed = dt.datetime.fromisoformat(moment)
    with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
        yield


@short_path
def test_the_short_path_is_used_when_it_agrees_with_botocore() -> None:
    assert signer.short_path_agrees()
    assert signer.signer_class() is FastFakeSigner


def test_the_installed_botocore_gets_the_signer_its_internals_allow() -> None:
    """On an older botocore (without every internal) the plain signer is registered, and
    a request through the fake is signed by it and answered."""
    from pytest_ecr import FakeEcr
    from pytest_ecr.transports import botocore_hook

    expected = FakeSigner if MISSING_INTERNALS else FastFakeSigner
    assert signer.signer_class() is expected
    with FakeEcr() as fake:
        fake.client().describe_repositories()
        assert botocore.auth.AUTH_TYPE_MAPS[botocore_hook.SIGNATURE_VERSION] is expected
        (call,) = fake.calls("DescribeRepositories")
        assert call.status == 200


@pytest.mark.parametrize(("owner", "name"), signer.BOTOCORE_INTERNALS)
def test_a_missing_internal_falls_back_to_botocore_s_signer(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str
) -> None:
    """A botocore release without one of the internals the short path reads: botocore's
    own SigV4 signs (with the fake keys), and nothing fails."""
    monkeypatch.delattr(owner, name, raising=False)  # an older botocore may lack it already
    assert not signer.short_path_agrees()
    assert signer.signer_class() is FakeSigner


def test_a_canonical_request_that_disagrees_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A botocore release that builds its canonical request differently (here: one more
    header line) makes the start-up check pick botocore's own signer."""
    real = botocore.auth.SigV4Auth.canonical_request

    def changed(self: Any, request: Any) -> str:
        return str(real(self, request)) + "\n"

    monkeypatch.setattr(botocore.auth.SigV4Auth, "canonical_request", changed)
    assert not signer.short_path_agrees()
    assert signer.signer_class() is FakeSigner


def test_the_plain_signer_signs_with_the_fake_keys_whatever_it_is_given() -> None:
    from botocore.credentials import ReadOnlyCredentials

    real = ReadOnlyCredentials("AKIAREALKEY000000000", "real-secret", "token")
    request = _ecr_request("https://api.ecr.us-east-1.amazonaws.com/", b"{}")
    FakeSigner(real, "ecr", "us-east-1").add_auth(request)
    header = str(request.headers["Authorization"])
    assert f"Credential={FAKE_CREDENTIALS.access_key}/" in header
    assert "AKIAREALKEY" not in header
    assert "X-Amz-Security-Token" not in request.headers
