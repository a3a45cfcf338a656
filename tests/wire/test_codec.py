"""The awsJson1_1 codec: decoding requests, encoding answers, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_ecr.service.errors import EcrError
from pytest_ecr.wire import (
    CONTENT_TYPE,
    TARGET_PREFIX,
    WireRequest,
    decode_request,
    encode_error,
    encode_json,
    encode_result,
    respond,
)

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/ecr/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _headers(operation: str = "BatchGetImage", **extra: str) -> dict[str, str]:
    return {"X-Amz-Target": f"{TARGET_PREFIX}.{operation}", "Authorization": AUTH, **extra}


def _plain(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def test_a_mutated_dict_is_encoded_as_it_is_now() -> None:
    """No identity cache: the same dict, changed after it was encoded, encodes anew."""
    data = {"a": 1}
    assert encode_json(data) == '{"a":1}'
    data["a"] = 2
    assert encode_json(data) == '{"a":2}'


def _entry(manifest: str = '{"schemaVersion":2}', tag: str = "v1") -> dict[str, Any]:
    return {
        "registryId": "123456789012",
        "repositoryName": "team/api",
        "imageId": {"imageDigest": "sha256:" + "a" * 64, "imageTag": tag},
        "imageManifest": manifest,
        "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
    }


def test_image_entries_encode_as_json_does_whatever_changes_between_answers() -> None:
    """Image entries are encoded once per distinct content: every field, nested ones and
    key order included, changes the text, exactly as plain JSON encoding would."""
    base = _entry()
    variants = [
        base,
        _entry(tag="v2"),
        _entry(manifest='{"schemaVersion":2,"x":"\\u00e9\\n"}'),
        {**base, "imageId": {"imageTag": "v1", "imageDigest": base["imageId"]["imageDigest"]}},
        {k: base[k] for k in reversed(list(base))},
        {**base, "extra": 1},
        {**base, "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"},
        {**base, "imageId": {"imageDigest": base["imageId"]["imageDigest"]}},
        {**base, "imageId": {"imageDigest": base["imageId"]["imageDigest"], "imageTag": 1}},
        {**base, "imageId": {"imageDigest": None}},
        {**base, "imageId": {"imageTag": "v1"}},
        {**base, "imageId": ["sha256:" + "a" * 64]},
        {**base, "registryId": 123456789012},
        {**base, "imageManifest": {"schemaVersion": 2}},
    ]
    for _ in range(2):  # the second time from what the first encoded
        for entry in variants:
            result = {"images": [entry, entry], "failures": [{"failureCode": "x"}]}
            assert encode_json(result) == _plain(result)
    entry = _entry()
    first = encode_json({"images": [entry], "failures": []})
    entry["imageId"]["imageTag"] = "moved"  # mutated in place after it was encoded
    second = encode_json({"images": [entry], "failures": []})
    assert first != second == _plain({"images": [entry], "failures": []})


def test_other_key_orders_are_kept() -> None:
    result = {"failures": [], "images": [_entry()]}
    assert encode_json(result) == _plain(result)


def test_decode_request_reads_operation_region_key_and_attempt() -> None:
    request = decode_request(
        _headers(**{"amz-sdk-request": "attempt=2; max=5"}),
        b'{"repositoryName":"a"}',
        transport="http",
    )
    assert request == WireRequest(
        "BatchGetImage", {"repositoryName": "a"}, "eu-west-1", "AKIDEXAMPLE", 2, 5, "http"
    )


def test_header_names_are_case_insensitive_in_a_plain_dict() -> None:
    headers = {k.lower(): v for k, v in _headers("ListImages").items()}
    assert decode_request(headers, "{}", transport="botocore").operation == "ListImages"


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        ({}, b"{}", "UnknownOperationException"),
        ({"X-Amz-Target": "Other_V1.BatchGetImage"}, b"{}", "UnknownOperationException"),
        (_headers(), b"[1]", "SerializationException"),
        (_headers(), b"{", "SerializationException"),
    ],
)
def test_refused_requests(headers: dict[str, str], body: bytes, code: str) -> None:
    with pytest.raises(EcrError) as raised:
        decode_request(headers, body, transport="botocore")
    assert raised.value.code == code


def test_respond_encodes_the_answer_or_the_error() -> None:
    seen: list[WireRequest] = []

    def answer(request: WireRequest) -> dict[str, Any]:
        seen.append(request)
        if request.params.get("fail"):
            raise EcrError("RepositoryNotFoundException", "nope", 400)
        return {"images": [], "failures": []}

    ok = respond(answer, _headers(), b"{}", transport="botocore")
    assert (ok.status, ok.body) == (200, b'{"images":[],"failures":[]}')
    assert ok.headers["Content-Type"] == CONTENT_TYPE
    assert ok.headers["Content-Length"] == str(len(ok.body))
    error = respond(answer, _headers(), b'{"fail":true}', transport="botocore")
    assert error.status == 400
    assert json.loads(error.body) == {"__type": "RepositoryNotFoundException", "message": "nope"}
    bad = respond(answer, {}, b"{}", transport="botocore")
    assert json.loads(bad.body)["__type"] == "UnknownOperationException"
    assert len(seen) == 2  # a request the codec refused never reaches the fake


def test_request_ids_are_unique_and_uuid_shaped() -> None:
    ids = {encode_result({}).headers["x-amzn-RequestId"] for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 36 and i[14] == "4" for i in ids)


def test_errors_carry_their_status() -> None:
    answer = encode_error(EcrError("ServerException", "boom", 500))
    assert answer.status == 500
    assert json.loads(answer.body)["message"] == "boom"
