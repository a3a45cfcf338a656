"""``/v2/`` and ECR's Basic authentication (ecr-control-plane.md §15.1)."""

from __future__ import annotations

from .conftest import Served
from .support import OTHER_ACCOUNT, Client, basic, password

EXPIRED = "Your authorization token has expired. Reauthenticate and try again."
INVALID = "Your authorization token is invalid. Reauthenticate and try again."


def test_no_credentials_get_ecrs_challenge(served: Served) -> None:
    client = served.client(login=False)
    answer = client.request("GET", "/v2/")
    assert answer.status == 401
    assert answer.headers["www-authenticate"] == (
        f'Basic realm="https://{served.fake.account}.dkr.ecr.us-east-1.amazonaws.com/",'
        'service="ecr.amazonaws.com"'
    )
    assert answer.headers["docker-distribution-api-version"] == "registry/2.0"
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.body == b"Not Authorized\n"
    # Every endpoint asks first, and nothing reaches the fake's history.
    assert client.request("GET", "/v2/team/api/manifests/v1").status == 401
    assert served.fake.calls().count == 0


def test_a_token_of_the_region_opens_the_registry(registry: Client, served: Served) -> None:
    answer = registry.request("GET", "/v2/")
    assert answer.status == 200
    assert answer.json() == {}
    assert answer.headers["docker-distribution-api-version"] == "registry/2.0"
    # Logging in is not recorded per request: only the one GetAuthorizationToken.
    assert [c.operation for c in served.fake.calls()] == ["GetAuthorizationToken"]


def test_a_wrong_password_or_user_is_denied(served: Served) -> None:
    client = served.client(login=False)
    secret = password(served.fake)
    for header in (
        basic(secret[:-4] + "AAAA"),
        basic("not-a-token"),
        basic(secret, user="admin"),
        "Basic %%%",
    ):
        answer = client.request("GET", "/v2/", headers={"Authorization": header})
        assert answer.status == 403, header
        assert answer.error == ("DENIED", INVALID)


def test_a_token_expires_on_the_fakes_clock(registry: Client, served: Served) -> None:
    assert registry.request("GET", "/v2/").status == 200
    served.fake.advance(hours=11, minutes=59)
    assert registry.request("GET", "/v2/").status == 200
    served.fake.advance(minutes=2)
    answer = registry.request("GET", "/v2/team/api/tags/list")
    assert answer.status == 403
    assert answer.error == ("DENIED", EXPIRED)
    # A new login works again.
    registry.secret = password(served.fake)
    assert registry.request("GET", "/v2/").status == 200


def test_a_token_is_valid_only_in_its_region(served: Served) -> None:
    eu = served.client(OTHER_ACCOUNT, "eu-west-1", login=False)
    eu.secret = password(served.fake)  # a us-east-1 token
    assert eu.request("GET", "/v2/").error == ("DENIED", INVALID)
    eu.secret = password(served.fake, "eu-west-1")
    assert eu.request("GET", "/v2/").status == 200


def test_paths_and_methods_the_registry_does_not_have(registry: Client) -> None:
    assert registry.request("GET", "/v2/team/api/nothing/here").error[0] == "NOT_FOUND"
    delete = registry.request("DELETE", f"/v2/team/api/blobs/sha256:{'0' * 64}")
    assert (delete.status, delete.error[0]) == (405, "UNSUPPORTED")
    assert registry.request("POST", "/v2/team/api/blobs/uploads/abc").status == 405


def test_no_fake_attached_is_a_503(served: Served) -> None:
    client = served.client()
    served.server.fake = None
    try:
        answer = client.request("GET", "/v2/")
        assert (answer.status, answer.error[0]) == (503, "UNAVAILABLE")
        layer = client.request("GET", "/pytest-ecr-layers/x")
        assert layer.status == 503
    finally:
        served.server.fake = served.fake
