"""Fault injection below botocore's retry loop, virtual backoff, and call history."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.exceptions
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.faults import FaultSpecError, parse_fault
from pytest_ecr.history import EcrCallAssertionError
from pytest_ecr.model import IMAGE_FAILURE_CODES

REGISTRY = {
    "version": 1,
    "account": "111122223333",
    "repositories": [
        {"name": "team/api", "images": [{"tags": ["v1"]}, {"tags": ["v2"]}]},
        {"name": "team/web", "images": [{"tags": ["v1"]}]},
    ],
}
IDS = [{"imageTag": "v1"}]


def get(client: Any, repo: str = "team/api", ids: list[dict[str, str]] | None = None) -> Any:
    return client.batch_get_image(repositoryName=repo, imageIds=ids or IDS)


@pytest.fixture
def fake() -> Iterator[FakeEcr]:
    with FakeEcr([REGISTRY]) as fake:
        yield fake


def legacy(fake: FakeEcr, **extra: Any) -> Any:
    return fake.client(retries={"mode": "legacy", **extra})


def standard(fake: FakeEcr, **extra: Any) -> Any:
    return fake.client(retries={"mode": "standard", **extra})


# -- effects -----------------------------------------------------------------------------


def test_error_effect_uses_ecr_default_message_and_status(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="RepositoryNotFoundException")
    client = fake.client()
    with pytest.raises(client.exceptions.RepositoryNotFoundException) as excinfo:
        get(client)
    error = excinfo.value.response
    assert error["Error"]["Message"] == (
        "The repository with name 'team/api' does not exist in the registry with id '111122223333'"
    )
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_error_effect_message_and_status_override(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="InvalidParameterException", message="nope", status=418)
    client = fake.client()
    with pytest.raises(client.exceptions.InvalidParameterException) as excinfo:
        get(client)
    assert excinfo.value.response["Error"]["Message"] == "nope"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 418


@pytest.mark.parametrize(
    ("name", "message", "status"),
    [
        ("InvalidParameterException", "Invalid parameter at 'repositoryName'", 400),
        (
            "RepositoryNotFoundException",
            "The repository with name 'team/api' does not exist in the registry with id "
            "'111122223333'",
            400,
        ),
        ("ServerException", "Internal server error", 500),
    ],
)
def test_the_seed_documents_three_exceptions(
    fake: FakeEcr, name: str, message: str, status: int
) -> None:
    """The three throws of BatchGetImageCommand's reference page, as modeled exceptions."""
    fake.fault("BatchGetImage", error=name)
    client = fake.client(retries={"total_max_attempts": 1})
    with pytest.raises(getattr(client.exceptions, name)) as excinfo:
        get(client)
    assert excinfo.value.response["Error"] == {"Code": name, "Message": message}
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_throttling_is_an_unmodeled_client_error(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="ThrottlingException")
    client = fake.client(retries={"total_max_attempts": 1})
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        get(client)
    assert excinfo.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
    }
    assert not hasattr(client.exceptions, "ThrottlingException")


def test_access_denied_names_the_action(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="AccessDeniedException")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        get(fake.client())
    message = excinfo.value.response["Error"]["Message"]
    assert "is not authorized to perform: ecr:BatchGetImage" in message


@pytest.mark.parametrize(
    "code", [c for c in IMAGE_FAILURE_CODES if c != "ImageReferencedByManifestList"]
)
def test_failure_effect_for_every_image_failure_code(fake: FakeEcr, code: str) -> None:
    fake.fault("BatchGetImage", failure=code, image="team/api:v1")
    response = get(fake.client(), ids=[{"imageTag": "v1"}, {"imageTag": "v2"}])
    assert [i["imageId"]["imageTag"] for i in response["images"]] == ["v2"]
    [failure] = response["failures"]
    assert failure["imageId"] == {"imageTag": "v1"}
    assert failure["failureCode"] == code
    assert failure["failureReason"]


def test_failure_effect_with_reason_and_every_image(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", failure="UpstreamUnavailable", reason="docker hub is down")
    response = get(fake.client(), ids=[{"imageTag": "v1"}, {"imageTag": "v2"}])
    assert response["images"] == []
    assert [f["failureReason"] for f in response["failures"]] == ["docker hub is down"] * 2


def test_failure_effect_keeps_repository_errors(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", failure="KmsError")
    client = fake.client()
    with pytest.raises(client.exceptions.RepositoryNotFoundException):
        get(client, repo="team/none")


@pytest.mark.parametrize(
    ("kind", "exception"),
    [
        ("reset", botocore.exceptions.ConnectionClosedError),
        ("timeout", botocore.exceptions.ReadTimeoutError),
        ("endpoint", botocore.exceptions.EndpointConnectionError),
    ],
)
def test_connection_effects_raise_botocore_exceptions_after_retries(
    fake: FakeEcr, kind: str, exception: type[Exception]
) -> None:
    fake.fault("BatchGetImage", connection=kind)
    with pytest.raises(exception):
        get(standard(fake))
    assert fake.calls("BatchGetImage").attempts == [1, 2, 3]
    assert len(fake.backoff) == 2


def test_latency_is_virtual(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", latency=30)
    started = time.perf_counter()
    get(fake.client())
    assert time.perf_counter() - started < 5
    assert [(s.seconds, s.kind) for s in fake.sleeps] == [(30.0, "latency")]


def test_latency_can_be_real() -> None:
    with FakeEcr([REGISTRY], real_time=True) as fake:
        fake.fault("BatchGetImage", latency=0.05)
        started = time.perf_counter()
        get(fake.client())
        assert time.perf_counter() - started >= 0.05


# -- matching ------------------------------------------------------------------------


def test_matching_on_repository_image_region_account(fake: FakeEcr) -> None:
    fake.fault(error="ServerException", repository="team/web")
    fake.fault(error="ServerException", image="team/api:v2")
    fake.fault(error="ServerException", region="eu-west-1")
    fake.fault(error="ServerException", account="999999999999")
    client = fake.client(retries={"total_max_attempts": 1})
    get(client)  # team/api:v1 in us-east-1, own account: untouched
    for call in (
        lambda: get(client, repo="team/web"),
        lambda: get(client, ids=[{"imageTag": "v2"}]),
        lambda: get(fake.client(region="eu-west-1", retries={"total_max_attempts": 1})),
        lambda: client.batch_get_image(
            registryId="999999999999", repositoryName="team/api", imageIds=IDS
        ),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            call()
        assert excinfo.value.response["Error"]["Code"] == "ServerException"


def test_image_by_digest(fake: FakeEcr) -> None:
    digest = fake.registry.repository("team/api").image("v1").digest
    fake.fault("BatchGetImage", failure="ImageInaccessible", image=f"team/api@{digest}")
    response = get(fake.client(), ids=[{"imageDigest": digest}, {"imageTag": "v2"}])
    assert [f["imageId"] for f in response["failures"]] == [{"imageDigest": digest}]


# -- timing -------------------------------------------------------------------------


def outcomes(fake: FakeEcr, attempts: int) -> list[bool]:
    client = fake.client(retries={"total_max_attempts": 1})
    result = []
    for _ in range(attempts):
        try:
            get(client)
            result.append(True)
        except client.exceptions.ServerException:
            result.append(False)
    return result


def test_times(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="ServerException", times=2)
    assert outcomes(fake, 4) == [False, False, True, True]


def test_after(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="ServerException", after=2, times=1)
    assert outcomes(fake, 4) == [True, True, False, True]


def test_every(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="ServerException", every=3)
    assert outcomes(fake, 7) == [True, True, False, True, True, False, True]


def test_probability_is_seeded_and_replays() -> None:
    def run(seed: int) -> list[bool]:
        with FakeEcr([REGISTRY], seed=seed) as fake:
            fake.fault("BatchGetImage", error="ServerException", probability=0.5)
            return outcomes(fake, 40)

    first, again, other = run(7), run(7), run(8)
    assert first == again
    assert first != other
    assert 5 < first.count(False) < 35


# -- botocore's retry loop sees the faults ------------------------------------------------


def test_two_server_errors_then_success_under_legacy(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="ServerException", times=2)
    response = get(legacy(fake))
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    calls = fake.calls("BatchGetImage")
    assert calls.count == 3
    assert calls.attempts == [1, 2, 3]
    assert [c.error_code for c in calls] == ["ServerException", "ServerException", None]


@pytest.mark.parametrize(
    ("error", "mode", "attempts"),
    [
        ("ServerException", "legacy", 5),
        ("ServerException", "standard", 3),
        ("ThrottlingException", "legacy", 5),
        ("ThrottlingException", "standard", 3),
        ("LimitExceededException", "legacy", 1),
        ("LimitExceededException", "standard", 3),
        ("RepositoryNotFoundException", "legacy", 1),
        ("RepositoryNotFoundException", "standard", 1),
    ],
)
def test_retry_counts_follow_botocore(fake: FakeEcr, error: str, mode: str, attempts: int) -> None:
    fake.fault("BatchGetImage", error=error)
    with pytest.raises(botocore.exceptions.ClientError):
        get(fake.client(retries={"mode": mode}))
    assert fake.calls("BatchGetImage").count == attempts
    assert len(fake.backoff) == attempts - 1


def attempts_at_a_real_endpoint(handler: Any, exception: type[Exception], **config: Any) -> int:
    """How many attempts botocore makes against a real loopback HTTP endpoint run by
    *handler* before raising *exception* (its backoff zeroed: real sleeps are slow)."""
    import boto3
    import botocore.retries.standard
    import botocore.retryhandler
    from botocore.config import Config

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        real = boto3.session.Session().client(
            "ecr",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{server.server_port}",
            aws_access_key_id="a",
            aws_secret_access_key="b",
            config=Config(**config),
        )
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(botocore.retryhandler, "delay_exponential", lambda *a, **k: 0)
            mp.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda *a: 0)
            with pytest.raises(exception):
                real.batch_get_image(repositoryName="team/api", imageIds=IDS)
    finally:
        server.shutdown()
        server.server_close()
    return int(handler.count)


class _CannedEcr(BaseHTTPRequestHandler):
    """A real HTTP endpoint answering every request with one canned ECR error."""

    code = "ServerException"
    status = 500
    count = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).count += 1
        body = f'{{"__type":"{self.code}","message":"x"}}'.encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.slow
@pytest.mark.parametrize(
    ("code", "status", "mode"),
    [
        ("ServerException", 500, "legacy"),
        ("ThrottlingException", 400, "standard"),
        ("LimitExceededException", 400, "legacy"),
        ("LimitExceededException", 400, "standard"),
    ],
)
def test_same_attempt_count_as_a_real_http_endpoint(code: str, status: int, mode: str) -> None:
    handler = type("Handler", (_CannedEcr,), {"code": code, "status": status, "count": 0})
    real_attempts = attempts_at_a_real_endpoint(
        handler, botocore.exceptions.ClientError, retries={"mode": mode}
    )
    with FakeEcr([REGISTRY]) as fake:
        fake.fault("BatchGetImage", error=code, status=status)
        with pytest.raises(botocore.exceptions.ClientError):
            get(fake.client(retries={"mode": mode}))
        assert fake.calls().count == real_attempts


def test_five_retried_throttles_take_no_wall_time(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="ThrottlingException", times=5)
    started = time.perf_counter()
    response = get(fake.client(retries={"mode": "legacy", "total_max_attempts": 6}))
    wall = time.perf_counter() - started
    assert response["ResponseMetadata"]["RetryAttempts"] == 5
    assert len(fake.backoff) == 5
    assert all(0 <= delay <= 2 ** (i + 1) for i, delay in enumerate(fake.backoff))
    assert wall < sum(fake.backoff) or sum(fake.backoff) < 0.5


# -- history -------------------------------------------------------------------------


def test_history_records_every_attempt_with_its_fault(fake: FakeEcr) -> None:
    fake.fault("BatchGetImage", error="ServerException", times=1)
    get(fake.client())
    first, second = fake.calls("BatchGetImage")
    assert first.fault is not None
    assert "error ServerException" in first.fault
    assert (first.status, first.error_code) == (500, "ServerException")
    assert second.ok
    assert second.response is not None
    assert (second.attempt, second.region, second.account) == (2, "us-east-1", "111122223333")


def test_partial_match_assertions(fake: FakeEcr) -> None:
    client = fake.client()
    get(client)
    get(client, repo="team/web")
    calls = fake.calls("BatchGetImage")
    calls.assert_called(times=2)
    calls.assert_any_call(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    calls.assert_called_with(repositoryName="team/web")
    assert calls.where(repositoryName="team/api").count == 1
    fake.calls("PutImage").assert_not_called()


def test_assertion_error_shows_expected_received_and_closest(fake: FakeEcr) -> None:
    client = fake.client()
    get(client)
    get(client, repo="team/web")
    with pytest.raises(EcrCallAssertionError) as excinfo:
        fake.calls("BatchGetImage").assert_any_call(
            repositoryName="team/web", imageIds=[{"imageTag": "v9"}]
        )
    text = str(excinfo.value)
    assert isinstance(excinfo.value, AssertionError)
    assert "expected params (partial match): {'repositoryName': 'team/web'" in text
    (closest,) = [line for line in text.splitlines() if line.endswith("<- closest")]
    assert "team/web" in closest
    assert text.splitlines()[-2:] == [
        "differences from the closest call (#2):",
        "  imageIds[0].imageTag: expected 'v9', got 'v1'",
    ]


def test_threads_get_exactly_the_declared_number_of_faults(fake: FakeEcr) -> None:
    armed = fake.fault("BatchGetImage", error="ServerException", times=100)
    client = fake.client(retries={"total_max_attempts": 1})
    errors = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal errors
        for _ in range(50):
            try:
                get(client)
            except client.exceptions.ServerException:
                with lock:
                    errors += 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == 100 == armed.fired
    calls = fake.calls("BatchGetImage")
    assert calls.count == 400
    assert sum(1 for c in calls if c.fault) == 100


# -- bad specs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"operation": "BatchGetImages", "error": "ServerException"},
            "unknown operation 'BatchGetImages'",
        ),
        (
            {"operation": "GetAuthorizationToken", "error": "RepositoryNotFoundException"},
            "GetAuthorizationToken cannot return 'RepositoryNotFoundException'",
        ),
        ({"operation": "ListImages", "failure": "KmsError"}, "ListImages has no per-image results"),
        ({"operation": "BatchGetImage", "eror": "ServerException"}, "unknown key 'eror'"),
        ({"operation": "BatchGetImage"}, "no effect"),
        ({"error": "ServerException", "times": 0}, "'times' must be an integer >= 1"),
        ({"failure": "KmsErr"}, "did you mean 'KmsError'?"),
        ({"connection": "rest"}, "did you mean 'reset'?"),
        ({"error": "ServerException", "image": "nocolon"}, "'image' must be 'repository:tag'"),
        ({"error": "ServerException", "probability": 2}, "'probability' must be a number between"),
    ],
)
def test_bad_specs_are_named(spec: dict[str, Any], expected: str) -> None:
    with pytest.raises(FaultSpecError) as excinfo:
        parse_fault(spec, "here:3")
    assert "here:3" in str(excinfo.value)
    assert expected in str(excinfo.value)


def test_bad_marker_is_a_setup_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_fault("BatchGetImage", eror="ServerException")
        def test_it(ecr):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*bad ECR fault spec (@pytest.mark.ecr_fault on test_bad_marker_*.py::test_it)*",
            "*unknown key 'eror'*did you mean 'error'?*",
        ]
    )


def test_markers_inject_and_report_section_shows_calls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        REG = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}

        @pytest.mark.ecr_registry(REG)
        @pytest.mark.ecr_fault("BatchGetImage", error="ServerException", times=2)
        def test_retried(ecr, ecr_client):
            ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
            assert ecr.calls("BatchGetImage").count == 3

        @pytest.mark.ecr_registry(REG)
        def test_fails(ecr, ecr_client):
            ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
            ecr.calls("BatchGetImage").assert_called_with(repositoryName="team/web")
        """
    )
    result = pytester.runpytest("--ecr-seed", "3")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*pytest-ecr *--ecr-seed=3*",
            "*EcrCallAssertionError: expected the last BatchGetImage call to match*",
            "*1. BatchGetImage(attempt 1, us-east-1)*team/api*-> 200 OK   <- last",
            "*repositoryName: expected 'team/web', got 'team/api'",
        ]
    )
    # The one call is in the assertion message, so the report adds no section repeating it.
    assert "ECR calls" not in result.stdout.str()


# -- YAML faults ---------------------------------------------------------------------

FAULTY_YAML = """\
version: 1
repositories:
  - name: team/api
    images:
      - tags: [v1]
faults:
  - {operation: BatchGetImage, error: ServerException, times: 1}
  - {operation: BatchGetImage, failure: KmsError, image: "team/api:v1", after: 1, times: 1}
"""


def test_yaml_faults_are_armed_and_rearmed_by_reset() -> None:
    with FakeEcr([FAULTY_YAML]) as fake:
        client = fake.client()
        response = get(client)  # ServerException, retried, then KmsError failure
        assert response["failures"][0]["failureCode"] == "KmsError"
        assert [c.error_code for c in fake.calls()] == ["ServerException", None]
        assert get(client)["images"]  # both faults spent
        fake.reset()
        assert fake.calls().count == 0
        assert get(client)["failures"][0]["failureCode"] == "KmsError"


def test_bad_yaml_fault_names_file_and_line(tmp_path: Any) -> None:
    from pytest_ecr import DeclarationError

    path = tmp_path / "reg.yaml"
    path.write_text(
        "version: 1\nrepositories: []\nfaults:\n"
        "  - {operation: BatchGetImage, error: ServerException}\n"
        "  - {operation: ListImages, failure: KmsError, tims: 2}\n"
    )
    with pytest.raises(DeclarationError) as excinfo:
        FakeEcr([str(path)])
    text = str(excinfo.value)
    assert f"{path}:5 faults[1]: ListImages has no per-image results" in text
    assert "unknown key 'tims'" in text
    assert "did you mean 'times'?" in text


def test_failure_effect_on_batch_delete_image_deletes_nothing(fake: FakeEcr) -> None:
    client = fake.client()
    fake.fault("BatchDeleteImage", failure="ImageReferencedByManifestList", image="team/api:v1")
    response = client.batch_delete_image(
        repositoryName="team/api", imageIds=[{"imageTag": "v1"}, {"imageTag": "v2"}]
    )
    assert [i["imageTag"] for i in response["imageIds"]] == ["v2"]
    [failure] = response["failures"]
    assert failure["imageId"] == {"imageTag": "v1"}
    assert failure["failureCode"] == "ImageReferencedByManifestList"
    assert failure["failureReason"].startswith("Requested image referenced by manifest list")
    # the failed id was not deleted
    assert get(client)["images"][0]["imageId"]["imageTag"] == "v1"


class _DroppingEcr(BaseHTTPRequestHandler):
    """A real HTTP endpoint that resets every connection (or never answers in time)."""

    protocol_version = "HTTP/1.1"
    mode = "reset"
    count = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).count += 1
        if self.mode == "timeout":
            time.sleep(0.5)  # past the client's 0.2 s read timeout
        import socket
        import struct

        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "mode", "exception"),
    [
        ("reset", "legacy", botocore.exceptions.ConnectionClosedError),
        ("reset", "standard", botocore.exceptions.ConnectionClosedError),
        ("timeout", "legacy", botocore.exceptions.ReadTimeoutError),
        ("timeout", "standard", botocore.exceptions.ReadTimeoutError),
    ],
)
def test_connection_faults_retried_like_a_real_endpoint(
    kind: str, mode: str, exception: type[Exception]
) -> None:
    handler = type("Handler", (_DroppingEcr,), {"mode": kind, "count": 0})
    real_attempts = attempts_at_a_real_endpoint(
        handler, exception, retries={"mode": mode}, read_timeout=0.2
    )
    with FakeEcr([REGISTRY]) as fake:
        fake.fault("BatchGetImage", connection=kind)
        with pytest.raises(exception):
            get(fake.client(retries={"mode": mode}, read_timeout=0.2))
        assert fake.calls().count == real_attempts
