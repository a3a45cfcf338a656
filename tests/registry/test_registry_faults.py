"""One set of faults, one history: faults on the actions a registry request maps to act
on the registry path with a registry's statuses (§15.7; issue 14, point 4)."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import threading
import time
from pathlib import Path

import pytest

from .conftest import Served
from .support import ACCOUNT, OTHER_ACCOUNT, REGISTRY, Client, sha


def test_throttling_is_a_429_then_the_retry_succeeds(registry: Client, served: Served) -> None:
    fault = served.fake.fault("BatchGetImage", error="ThrottlingException", times=1)
    throttled = registry.request("GET", "/v2/team/api/manifests/v1")
    assert throttled.status == 429
    assert throttled.error == ("TOOMANYREQUESTS", "Rate exceeded")
    assert registry.request("GET", "/v2/team/api/manifests/v1").status == 200
    calls = served.fake.calls("BatchGetImage")
    assert [c.fault is not None for c in calls] == [True, False]
    assert {c.transport for c in calls} == {"registry"}
    assert fault.fired == 1


def test_server_errors_are_5xx(registry: Client, served: Served) -> None:
    served.fake.fault("GetDownloadUrlForLayer", error="ServerException", times=1)
    layer = b"a layer"
    registry.push_image("team/copy", "v1", [layer])
    failed = registry.request("GET", f"/v2/team/copy/blobs/{sha(layer)}")
    assert failed.status == 500
    assert failed.error[0] == "UNKNOWN"
    assert registry.request("GET", f"/v2/team/copy/blobs/{sha(layer)}").status == 307


def test_a_connection_fault_drops_the_connection(registry: Client, served: Served) -> None:
    served.fake.fault("BatchGetImage", connection="reset", times=1)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        registry.request("GET", "/v2/team/api/manifests/v1")
    registry.close()
    retried = served.client()
    assert retried.request("GET", "/v2/team/api/manifests/v1").status == 200
    first = served.fake.calls("BatchGetImage")[0]
    assert (first.status, first.transport) == (0, "registry")


def test_a_fault_on_an_upload_part_answers_before_the_body_is_read(
    registry: Client, served: Served
) -> None:
    served.fake.fault("UploadLayerPart", error="ThrottlingException", times=1)
    data = os.urandom(20 * 1024 * 1024)
    started = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    path = registry.path_of(started.headers["location"])
    refused = registry.request("PATCH", path, data)
    assert refused.status == 429
    # The rest of the body was read and dropped: the same connection goes on.
    accepted = registry.request("PATCH", path, data)
    assert accepted.status == 201
    done = registry.request(
        "PUT", registry.path_of(accepted.headers["location"]) + f"&digest={sha(data)}"
    )
    assert done.status == 201


def test_a_fault_matches_the_repository_of_the_registry_request(
    registry: Client, served: Served
) -> None:
    served.fake.fault("BatchGetImage", repository="team/other", error="ServerException")
    assert registry.request("GET", "/v2/team/api/manifests/v1").status == 200


def test_each_other_registry_has_a_port_of_its_own(served: Served) -> None:
    own = served.endpoint.registry_host()
    assert own == served.server.endpoint_url.removeprefix("http://")
    other = served.endpoint.registry_host(OTHER_ACCOUNT, "eu-west-1")
    assert other != own
    assert served.endpoint.registry_host(OTHER_ACCOUNT, "eu-west-1") == other
    assert served.server.registry_ports[(OTHER_ACCOUNT, "eu-west-1")] == int(other.split(":")[1])
    client = served.client(OTHER_ACCOUNT, "eu-west-1")
    answer = client.request("GET", "/v2/mirror/base/manifests/stable")
    assert answer.status == 200
    call = served.fake.calls("BatchGetImage").last
    assert (call.region, call.params["registryId"]) == ("eu-west-1", OTHER_ACCOUNT)
    mine = served.client()
    assert mine.request("GET", "/v2/mirror/base/manifests/stable").error[0] == "NAME_UNKNOWN"


def test_registry_host_refuses_what_names_no_registry(served: Served) -> None:
    with pytest.raises(ValueError, match="an account is 12 digits"):
        served.endpoint.registry_host("12345")
    with pytest.raises(ValueError, match="not a region name"):
        served.endpoint.registry_host(region="mars")


@pytest.mark.slow
def test_the_fixture_serves_the_registry(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import base64, http.client, pytest

        REG = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}

        @pytest.mark.ecr_registry(REG)
        def test_pull(ecr, ecr_client, ecr_server):
            data = ecr_client.get_authorization_token()["authorizationData"][0]
            conn = http.client.HTTPConnection(ecr_server.registry_host(), timeout=10)
            conn.request("GET", "/v2/team/api/manifests/v1",
                         headers={"Authorization": "Basic " + data["authorizationToken"]})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            assert response.status == 200
            assert body == ecr.registry.repository("team/api").image("v1").manifest.encode()
            (pull,) = ecr.calls("BatchGetImage")
            assert pull.transport == "registry"
            assert ecr.calls("GetAuthorizationToken").count == 1
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_the_calls_report_names_the_registry(registry: Client, served: Served) -> None:
    registry.push_blob("team/copy", b"x" * 300)
    registry.request("GET", "/v2/team/api/manifests/v1")
    described = served.fake.calls().describe()
    assert "BatchGetImage(attempt 1, us-east-1, registry) params=" in described
    assert "'layerPartBlob': <300 bytes>" in described
    assert "GetAuthorizationToken(attempt 1, us-east-1) params=" in described


def test_serve_prints_the_host_of_every_declared_registry(tmp_path: Path) -> None:
    from pytest_ecr.cli import _serve

    declaration = tmp_path / "registry.yaml"
    declaration.write_text(json.dumps(REGISTRY))
    out = io.StringIO()
    stop = threading.Event()
    worker = threading.Thread(target=_serve, args=(str(declaration), 0, out, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while "Ctrl-C" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        printed = out.getvalue()
    finally:
        stop.set()
        worker.join(30)
    hosts = dict(re.findall(r"^  (\d{12} [a-z0-9-]+): (127\.0\.0\.1:\d+)$", printed, re.M))
    assert set(hosts) == {f"{ACCOUNT} us-east-1", f"{OTHER_ACCOUNT} eu-west-1"}
    endpoint = re.search(r"at (http://127\.0\.0\.1:\d+)", printed)
    assert endpoint is not None
    assert hosts[f"{ACCOUNT} us-east-1"] == endpoint.group(1).removeprefix("http://")
    assert hosts[f"{OTHER_ACCOUNT} eu-west-1"] != hosts[f"{ACCOUNT} us-east-1"]


@pytest.mark.parametrize(
    ("operation", "error", "status", "code"),
    [
        ("PutImage", "LayersNotFoundException", 400, "MANIFEST_BLOB_UNKNOWN"),
        ("PutImage", "ImageTagAlreadyExistsException", 400, "TAG_INVALID"),
        ("BatchGetImage", "AccessDeniedException", 403, "DENIED"),
        ("BatchGetImage", "RepositoryNotFoundException", 404, "NAME_UNKNOWN"),
        ("InitiateLayerUpload", "KmsException", 400, "UNKNOWN"),
        ("InitiateLayerUpload", "ThrottlingException", 429, "TOOMANYREQUESTS"),
        ("CompleteLayerUpload", "InvalidLayerException", 400, "BLOB_UPLOAD_INVALID"),
        ("ListImages", "ServerException", 500, "UNKNOWN"),
    ],
)
def test_injected_errors_read_as_the_registry_answers_them(
    registry: Client, served: Served, operation: str, error: str, status: int, code: str
) -> None:
    manifest = registry.small_manifest("team/copy")
    started = registry.request("POST", "/v2/team/copy/blobs/uploads/")
    upload = registry.path_of(started.headers["location"])
    served.fake.fault(operation, error=error, times=1)
    requests = {
        "PutImage": ("PUT", "/v2/team/copy/manifests/v9", manifest),
        "BatchGetImage": ("GET", "/v2/team/api/manifests/v1", None),
        "InitiateLayerUpload": ("POST", "/v2/team/copy/blobs/uploads/", None),
        "CompleteLayerUpload": ("PUT", f"{upload}&digest={sha(b'abc')}", b"abc"),
        "ListImages": ("GET", "/v2/team/api/tags/list", None),
    }
    method, path, body = requests[operation]
    answer = registry.request(method, path, body)
    assert (answer.status, answer.error[0]) == (status, code)
    injected = served.fake.calls(operation).last
    assert injected.error_code == error
    assert answer.error[1] == injected.error["message"]


def test_an_injected_503_is_unavailable(registry: Client, served: Served) -> None:
    served.fake.fault("BatchGetImage", error="ServerException", status=503, times=1)
    answer = registry.request("GET", "/v2/team/api/manifests/v1")
    assert (answer.status, answer.error[0]) == (503, "UNAVAILABLE")
