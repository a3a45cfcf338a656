"""Failure output worth reading: each call once, long values abridged, the differing keys,
pytest-ecr's own frames hidden for its usage errors, and the wrong-region hint."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr._frames import hide_usage_errors
from pytest_ecr.history import Call, CallList, History, matches
from pytest_ecr.report import calls_section, differences, shown

REG = {
    "version": 1,
    "repositories": [
        {"name": "team/api", "images": [{"tags": ["v1"]}]},
        {"name": "mirror/ubuntu", "region": "eu-west-1", "images": [{"tags": ["22.04"]}]},
        {"name": "shared/base", "account": "210987654321", "images": [{"tags": ["1"]}]},
    ],
}
TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
]
HEAD = f"REG = {REG!r}\nTYPES = {TYPES!r}\nimport pytest\n"


def run(pytester: pytest.Pytester, body: str) -> str:
    pytester.makepyfile(HEAD + body)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    # Up to pytest's own short summary, which repeats a whole message under CI=true.
    return result.stdout.str().split("short test summary info")[0]


def report_section(text: str) -> list[str] | None:
    """The lines of the "ECR calls" report section, or ``None`` when there is none."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if re.fullmatch(r"-+ ECR calls -+", line)]
    if not starts:
        return None
    rest = lines[starts[0] + 1 :]
    end = next((n for n, line in enumerate(rest) if re.match(r"[=_]{3,}", line)), len(rest))
    return rest[:end]


# -- assertion messages ------------------------------------------------------------------


def test_a_failed_assert_called_with_prints_each_call_once_abridged_with_the_diff(
    pytester: pytest.Pytester,
) -> None:
    text = run(
        pytester,
        """
@pytest.mark.ecr_registry(REG)
def test_it(ecr, ecr_client):
    got = ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}],
                                     acceptedMediaTypes=TYPES)
    manifest = got["images"][0]["imageManifest"]
    ecr_client.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="v2")
    ecr.calls("PutImage").assert_called_with(repositoryName="team/api", imageTag="v3")
""",
    )
    assert text.count("PutImage(attempt 1, us-east-1)") == 1
    assert text.count("BatchGetImage(attempt 1, us-east-1)") == 1
    # The manifest by digest and size; acceptedMediaTypes by its first entries and length.
    assert '"schemaVersion"' not in text
    found = re.findall(r"<manifest (sha256:[0-9a-f]{64}), (\d+) bytes>", text)
    assert len(found) == 1
    assert TYPES[2] not in text
    assert TYPES[3] not in text
    assert f"'acceptedMediaTypes': ['{TYPES[0]}', '{TYPES[1]}', ... 4 items]" in text
    lines = [line.removeprefix("E   ").strip() for line in text.splitlines()]
    i = next(n for n, line in enumerate(lines) if "expected the last PutImage call" in line)
    assert lines[i + 1 : i + 6] == [
        "expected params (partial match): {'repositoryName': 'team/api', 'imageTag': 'v3'}",
        "PutImage calls (1):",
        f"2. PutImage(attempt 1, us-east-1) params={{'repositoryName': 'team/api', "
        f"'imageManifest': <manifest {found[0][0]}, {found[0][1]} bytes>, 'imageTag': 'v2'}} "
        "-> 200 OK   <- last",
        "differences from the last call (#2):",
        "imageTag: expected 'v3', got 'v2'",
    ]
    # The report section lists what the message did not: the BatchGetImage call only.
    section = report_section(text)
    assert section is not None
    assert section[0] == "(call 2: listed in the assertion message above)"
    assert section[1].startswith("  1. BatchGetImage(attempt 1, us-east-1)")
    assert len(section) == 2


def test_the_manifest_shown_is_named_by_its_real_digest() -> None:
    with FakeEcr([REG]) as fake:
        image = fake.registry.repository("team/api").image("v1")
        client = fake.client()
        manifest = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])[
            "images"
        ][0]["imageManifest"]
        client.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="v2")
        size = len(manifest.encode())
        assert fake.calls("PutImage").last.describe() == (
            "PutImage(attempt 1, us-east-1) params={'repositoryName': 'team/api', "
            f"'imageManifest': <manifest {image.digest}, {size} bytes>, 'imageTag': 'v2'}} "
            "-> 200 OK"
        )
    assert image.digest == "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()


def test_assert_any_call_marks_the_closest_and_diffs_nested_keys(
    pytester: pytest.Pytester,
) -> None:
    text = run(
        pytester,
        """
@pytest.mark.ecr_registry(REG)
def test_it(ecr, ecr_client):
    for tag in ("v1", "v2", "v3"):
        try:
            ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": tag}])
        except Exception:
            pass
    ecr.calls("batch_get_image").assert_any_call(
        repositoryName="team/api", registryId="123456789012",
        imageIds=[{"imageTag": "v2", "imageDigest": "sha256:" + "0" * 64}])
""",
    )
    lines = [line.removeprefix("E").strip() for line in text.splitlines()]
    marked = [line for line in lines if line.endswith("<- closest")]
    assert len(marked) == 1
    assert marked[0].startswith("2. BatchGetImage")
    assert "'v2'" in marked[0]
    i = lines.index("differences from the closest call (#2):")
    assert lines[i + 1 : i + 3] == [
        "registryId: expected '123456789012', but the call has no registryId",
        "imageIds[0].imageDigest: expected 'sha256:" + "0" * 64 + "', but the call has no "
        "imageDigest",
    ]
    assert text.count("BatchGetImage(attempt 1, us-east-1)") == 3
    assert report_section(text) is None


def test_a_long_history_is_listed_by_its_ends_and_the_compared_call() -> None:
    history = History()
    for n in range(30):
        history.record(Call("ListImages", {"repositoryName": f"r{n}"}, "us-east-1", "1"))
    with pytest.raises(AssertionError) as excinfo:
        history.calls("ListImages").assert_any_call(repositoryName="r15x")
    text = str(excinfo.value)
    assert "  ... 10 call(s) left out" in text
    assert text.count("ListImages(attempt 1") == 20
    closest = [line for line in text.splitlines() if line.endswith("<- closest")]
    assert closest == [
        "  30. ListImages(attempt 1, us-east-1) params={'repositoryName': 'r29'} -> 200 OK"
        "   <- closest"
    ]


# -- abridging and differences, directly --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ([1, 2, 3], "[1, 2, 3]"),
        ([1, 2, 3, 4], "[1, 2, ... 4 items]"),
        (
            {"imageIds": [{"imageTag": "a"}] * 100},
            "{'imageIds': [{'imageTag': 'a'}, {'imageTag': 'a'}, ... 100 items]}",
        ),
        ("x" * 201, repr("x" * 40) + "... (201 characters)"),
        (b"\0" * 9, "<9 bytes>"),
        (
            {"imageManifest": "{}"},
            "{'imageManifest': <manifest sha256:"
            + hashlib.sha256(b"{}").hexdigest()
            + ", 2 bytes>}",
        ),
    ],
)
def test_shown_abridges(value: Any, text: str) -> None:
    assert shown(value) == text


@pytest.mark.parametrize(
    ("expected", "actual", "lines"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, []),
        ({"a": 1}, {"a": 2}, ["a: expected 1, got 2"]),
        ({"a": 1}, {}, ["a: expected 1, but the call has no a"]),
        ({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3]}}, ["a.b[1]: expected 2, got 3"]),
        ({"a": [1]}, {"a": [1, 2]}, ["a: expected 1 item(s) [1], got 2 [1, 2]"]),
        ({"a": {"b": 1}}, {"a": "text"}, ["a: expected a mapping {'b': 1}, got 'text'"]),
        ({"a": [1]}, {"a": 1}, ["a: expected a list [1], got 1"]),
    ],
)
def test_differences_agree_with_the_partial_match(
    expected: dict[str, Any], actual: dict[str, Any], lines: list[str]
) -> None:
    assert differences(expected, actual) == lines
    assert matches(expected, actual) is (not lines)


# -- hidden frames -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('ecr.fault("BatchGetImage", eror="ThrottlingException")', "did you mean 'error'?"),
        ('ecr.calls("batch_delete_images")', "did you mean 'batch_delete_image'?"),
    ],
)
def test_a_usage_error_shows_the_users_line_and_the_message_not_the_plugin(
    pytester: pytest.Pytester, line: str, message: str
) -> None:
    text = run(pytester, f"\ndef test_it(ecr):\n    {line}\n")
    assert f">       {line}" in text
    assert message in text
    assert "pytest_ecr/" not in text
    failure = text.split(" test_it ")[1].split(" ECR calls ")[0].strip("-_\n ").splitlines()
    # The test's source, its line, the message (1 to 3 lines), the location: no frames.
    assert len(failure) <= 12, failure


def test_only_pytest_ecrs_own_errors_hide_its_frames() -> None:
    class Info:
        def __init__(self, value: BaseException) -> None:
            self.value = value

    from pytest_ecr.faults import FaultSpecError

    assert hide_usage_errors(Info(FaultSpecError("x", ["y"])))
    assert not hide_usage_errors(Info(KeyError("a bug")))
    assert not hide_usage_errors(None)


# -- the wrong region ---------------------------------------------------------------------


def test_a_wrong_region_call_is_answered_faithfully_and_the_report_says_where(
    pytester: pytest.Pytester,
) -> None:
    text = run(
        pytester,
        """
@pytest.mark.ecr_registry(REG)
def test_it(ecr):
    ecr.client().describe_images(repositoryName="mirror/ubuntu")
""",
    )
    assert (
        "RepositoryNotFoundException: An error occurred (RepositoryNotFoundException) when "
        "calling the DescribeImages operation: The repository with name 'mirror/ubuntu' does "
        "not exist in the registry with id '123456789012'" in text
    )
    assert report_section(text) == [
        "  1. DescribeImages(attempt 1, us-east-1) params={'repositoryName': 'mirror/ubuntu'} "
        "-> 400 RepositoryNotFoundException",
        "note: call 1 (DescribeImages) asked for repository 'mirror/ubuntu' in us-east-1 "
        "(account 123456789012), which has none; the fake has one in eu-west-1. Is the "
        "client's region (or registryId) the one meant?",
    ]


def test_the_hint_names_another_account_and_stays_quiet_when_none_exists() -> None:
    with FakeEcr([REG]) as fake:
        client = fake.client()
        for name in ("shared/base", "nowhere/at-all"):
            with pytest.raises(client.exceptions.RepositoryNotFoundException):
                client.list_images(repositoryName=name)
        section = calls_section(list(fake.calls()), fake.registry)
    assert section is not None
    notes = [line for line in section.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: call 1 (ListImages) asked for repository 'shared/base' in us-east-1 (account "
        "123456789012), which has none; the fake has one in us-east-1, account 210987654321. "
        "Is the client's region (or registryId) the one meant?"
    ]


def test_an_assertion_that_listed_every_call_leaves_no_section_unless_a_hint() -> None:
    calls = [Call("ListImages", {"repositoryName": "team/api"}, "us-east-1", "1")]
    calls[0].number = 1
    assert calls_section(calls, None, listed=calls) is None
    assert calls_section([], None) == "no ECR calls"
    assert CallList(calls).describe() == (
        "  1. ListImages(attempt 1, us-east-1) params={'repositoryName': 'team/api'} -> 200 OK"
    )
