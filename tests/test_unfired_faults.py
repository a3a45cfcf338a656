"""Faults that never fire (issue 16, 4): reported at teardown, so a misspelt match field
cannot turn a fault into a silent no-op."""

from __future__ import annotations

import pytest

# Held by this process, so pytester's in-process runs (which drop the modules a run
# imported) share one copy of the fake's modules with the hook botocore keeps.
import pytest_ecr.fake  # noqa: F401

TESTS = """
import pytest

REGISTRY = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}

@pytest.mark.ecr_registry(REGISTRY)
@pytest.mark.ecr_fault("BatchGetImage", error="ServerException", repository="team/apl")
def test_misspelt(ecr_client):
    ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])

@pytest.mark.ecr_registry(REGISTRY)
def test_fired(ecr, ecr_client):
    ecr.fault("BatchGetImage", error="ServerException", times=1)
    ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])

@pytest.mark.ecr_registry(REGISTRY)
def test_chance(ecr, ecr_client):
    ecr.fault("BatchGetImage", error="ServerException", probability=0.0)
    ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])

DECLARED = {**REGISTRY, "faults": [{"operation": "ListImages", "error": "ServerException"}]}

@pytest.mark.ecr_registry(DECLARED)
def test_declared_in_the_file(ecr_client):
    ecr_client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
"""


def test_an_unfired_fault_warns_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest("-p", "no:randomly", "-W", "default")
    result.assert_outcomes(passed=4, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*UnfiredFaultWarning: 1 ECR fault(s) armed by this test never fired*",
            "*ServerException on BatchGetImage (@pytest.mark.ecr_fault on "
            "test_an_unfired_fault_warns_by_default.py::test_misspelt): matched 0 attempt(s)*",
        ]
    )
    assert "test_fired" not in result.stdout.str().split("warnings summary")[1]


@pytest.mark.parametrize(
    "how", [("--ecr-unfired-faults=error",), ("-o", "ecr_unfired_faults=error")]
)
def test_strict_suites_make_it_an_error(pytester: pytest.Pytester, how: tuple[str, ...]) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest("-p", "no:randomly", *how)
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_misspelt*"])


def test_it_can_be_ignored(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest("-p", "no:randomly", "--ecr-unfired-faults=ignore", "-W", "error")
    result.assert_outcomes(passed=4)


def test_a_failed_test_is_not_also_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_fault("ListImages", error="ServerException")
        def test_it(ecr):
            assert False
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--ecr-unfired-faults=error")
    result.assert_outcomes(failed=1)


def test_a_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_fault("ListImages", error="ServerException")
        def test_it(ecr):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-o", "ecr_unfired_faults=loud")
    assert result.ret != 0
    result.stderr.fnmatch_lines(
        ["*ecr_unfired_faults = 'loud': expected one of warn, error, ignore*"]
    )
