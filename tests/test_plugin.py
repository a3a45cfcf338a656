"""End-to-end tests of the pytest wiring, through pytester."""

from __future__ import annotations

import pytest

REGISTRY = """\
version: 1
account: "111122223333"
repositories:
  - name: {name}
    images:
      - tags: [v1]
"""

TEST_USES_REPO = """
import boto3
import pytest

{marker}
def test_repo(ecr):
    client = boto3.client("ecr", region_name="us-east-1")
    names = [r.name for r in ecr.registry.repositories()]
    assert names == [{expected!r}]
    client.batch_get_image(repositoryName={expected!r}, imageIds=[{{"imageTag": "v1"}}])
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".yaml", marker=REGISTRY.format(name="from/marker"))
    pytester.makefile(".yaml", option=REGISTRY.format(name="from/option"))
    pytester.makefile(".yaml", ini=REGISTRY.format(name="from/ini"))
    return pytester


def test_marker_path_is_relative_to_the_test_file(pytester: pytest.Pytester) -> None:
    sub = pytester.mkpydir("pkg")
    (sub / "reg.yaml").write_text(REGISTRY.format(name="team/api"))
    (sub / "test_it.py").write_text(
        TEST_USES_REPO.format(expected="team/api", marker="@pytest.mark.ecr_registry('reg.yaml')")
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_option_is_used_without_a_marker(project: pytest.Pytester) -> None:
    project.makepyfile(TEST_USES_REPO.format(expected="from/option", marker=""))
    project.runpytest("--ecr-registry", "option.yaml").assert_outcomes(passed=1)


def test_ini_is_used_without_option_or_marker(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\necr_registry = ini.yaml\n")
    project.makepyfile(TEST_USES_REPO.format(expected="from/ini", marker=""))
    project.runpytest().assert_outcomes(passed=1)


def test_precedence_marker_over_option_over_ini(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\necr_registry = ini.yaml\n")
    project.makepyfile(
        test_option=TEST_USES_REPO.format(expected="from/option", marker=""),
        test_marker=TEST_USES_REPO.format(
            expected="from/marker", marker="@pytest.mark.ecr_registry('marker.yaml')"
        ),
    )
    project.runpytest("--ecr-registry", "option.yaml").assert_outcomes(passed=2)


def test_module_and_function_markers_merge_outer_first(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", a=REGISTRY.format(name="repo/a"), b=REGISTRY.format(name="repo/b"))
    pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.ecr_registry("a.yaml")

        @pytest.mark.ecr_registry("b.yaml")
        def test_both(ecr):
            assert [r.name for r in ecr.registry.repositories()] == ["repo/a", "repo/b"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_marker_alone_activates_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", reg=REGISTRY.format(name="team/api"))
    pytester.makepyfile(
        """
        import boto3, pytest

        @pytest.mark.ecr_registry("reg.yaml")
        def test_no_fixture_named():
            client = boto3.client("ecr", region_name="us-east-1")
            r = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
            assert r["images"][0]["imageId"]["imageTag"] == "v1"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_marked_tests_fake_is_active_for_its_own_fixtures(pytester: pytest.Pytester) -> None:
    # The fake starts after the wider-scoped fixtures and before the test's function-scoped
    # ones, so a fixture the test asks for (without naming `ecr`) is answered by it.
    pytester.makefile(".yaml", reg=REGISTRY.format(name="team/api"))
    pytester.makepyfile(
        """
        import boto3, pytest
        from pytest_ecr.transports import responder

        @pytest.fixture(scope="module")
        def before_any_fake():
            assert responder.active() is None
            yield
            assert responder.active() is None

        @pytest.fixture
        def tags(before_any_fake):
            client = boto3.client("ecr", region_name="us-east-1")
            r = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
            yield [i["imageId"]["imageTag"] for i in r["images"]]
            assert responder.active() is not None  # torn down before the fake ends

        @pytest.mark.ecr_registry("reg.yaml")
        def test_answered(tags):
            assert tags == ["v1"]

        def test_after_it():
            assert responder.active() is None
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_failed_start_ends_cleanly_and_the_next_test_is_untouched(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import os, pytest
        from pytest_ecr import credentials
        from pytest_ecr.transports import responder

        @pytest.mark.ecr_fault("BatchGetImage", error="NoSuchCode")
        @pytest.mark.ecr_registry({"version": 1})
        def test_bad_fault():
            pass

        @pytest.mark.ecr_registry({"version": 1})
        def test_good():
            assert responder.active() is not None

        def test_plain():
            assert responder.active() is None
            assert os.environ.get("AWS_ACCESS_KEY_ID") != credentials.FAKE_ACCESS_KEY
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.no_fnmatch_line("*AssertionError*")


def test_setup_plan_starts_no_fake(pytester: pytest.Pytester) -> None:
    # --setup-plan runs no fixture; a broken declaration is then no error either.
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_registry("missing.yaml")
        def test_it(ecr):
            pass
        """
    )
    result = pytester.runpytest("--setup-plan")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*SETUP*F ecr*"])
    result.stdout.no_fnmatch_line("*bad registry declaration*")


def test_untouched_without_marker_or_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        from pytest_ecr import credentials
        from pytest_ecr.transports import responder

        def test_plain():
            assert responder.active() is None
            assert os.environ.get("AWS_ACCESS_KEY_ID") != credentials.FAKE_ACCESS_KEY
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_strict_markers_and_markers_listing(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--strict-markers", "--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.ecr_registry([*]sources)*",
            "@pytest.mark.ecr_fault(operation=None, [*][*]spec)*",
            "@pytest.mark.ecr_allow_network: *reach AWS*",
        ]
    )


def test_fixtures_listing_has_docstrings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(["ecr -- *", "*The fake Amazon ECR active for this test*"])
    result.stdout.fnmatch_lines(["ecr_client -- *", "*A boto3 ECR client*"])


def test_report_header(project: pytest.Pytester) -> None:
    project.makepyfile("def test_x(): pass")
    result = project.runpytest("--ecr-registry", "option.yaml")
    result.stdout.fnmatch_lines(
        ["pytest-ecr *: backend=local, --ecr-seed=*, default registry: *option.yaml, guard=on"]
    )


@pytest.mark.slow
def test_disabled_with_p_no_ecr(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(ecr): pass")
    result = pytester.runpytest_subprocess("-p", "no:ecr")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'ecr' not found*"])


@pytest.mark.slow
def test_client_created_at_import_time_is_answered(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", reg=REGISTRY.format(name="team/api"))
    pytester.makepyfile(
        app="""
        import boto3
        CLIENT = boto3.client(
            "ecr", region_name="us-east-1",
            aws_access_key_id="AKIAREALLOOKING00000", aws_secret_access_key="s",
        )

        def tag_digest(tag):
            r = CLIENT.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": tag}])
            return r["images"][0]["imageId"]["imageDigest"]
        """,
        test_app="""
        import pytest
        import app  # the client is created here, at collection time

        @pytest.mark.ecr_registry("reg.yaml")
        def test_it(ecr):
            assert app.tag_digest("v1") == ecr.registry.repository("team/api").image("v1").digest
            assert ecr.calls("BatchGetImage").count == 1
        """,
    )
    pytester.syspathinsert()
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_bad_declaration_is_an_error_naming_file_line_and_key(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        bad="version: 1\nrepositories:\n  - name: team/api\n    images:\n      - tagz: [v1]\n",
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_registry("bad.yaml")
        def test_it(ecr):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*bad registry declaration for test_bad_declaration_is_an_error_*.py::test_it*",
            "*bad.yaml:5 repositories[[]0[]].images[[]0[]]*unknown key 'tagz'*did you mean 'tags'*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_marker_with_wrong_argument_type(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_registry(42)
        def test_it(ecr):
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        ["*ecr_registry sources are file paths, mappings or YAML text; got int*"]
    )


GUARDED = """
import boto3
import pytest
from pytest_ecr.transports.botocore_hook import EcrNetworkGuardError

def test_forgot_the_fake():
    client = boto3.client(
        "ecr", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with pytest.raises(EcrNetworkGuardError, match="no fake ECR is active"):
        client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])

@pytest.mark.ecr_registry({"version": 1, "repositories": [{"name": "team/api"}]})
def test_with_the_fake(ecr_client):
    assert ecr_client.describe_repositories()["repositories"]
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["default", "option", "ini"])
def test_network_guard_option_and_ini(pytester: pytest.Pytester, how: str) -> None:
    pytester.makepyfile(GUARDED)
    if how == "ini":
        pytester.makeini("[pytest]\necr_guard = true\n")
        result = pytester.runpytest_subprocess()
    elif how == "option":
        result = pytester.runpytest_subprocess("--ecr-guard=on")
    else:
        result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["pytest-ecr *guard=on*"])


def test_real_time_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time, pytest

        @pytest.mark.ecr_registry({"version": 1, "repositories": [{"name": "team/api"}]})
        @pytest.mark.ecr_fault("DescribeRepositories", latency=0.2)
        def test_slow(ecr, ecr_client):
            started = time.perf_counter()
            ecr_client.describe_repositories()
            assert time.perf_counter() - started >= 0.2
            assert ecr.clock.real
        """
    )
    pytester.runpytest("--ecr-real-time").assert_outcomes(passed=1)


@pytest.mark.slow
def test_loading_the_plugin_imports_neither_botocore_nor_moto_and_hooks_later() -> None:
    import subprocess
    import sys

    code = """
import sys
import pytest
import pytest_ecr.plugin
assert "botocore" not in sys.modules, "the plugin imported botocore"
assert "yaml" not in sys.modules, "the plugin imported yaml"
import boto3  # the hook goes in as botocore loads
from pytest_ecr import FakeEcr
client = boto3.session.Session().client(
    "ecr", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
)
with FakeEcr([{"version": 1, "repositories": [{"name": "team/api"}]}]) as fake:
    assert client.describe_repositories()["repositories"][0]["repositoryName"] == "team/api"
assert "moto" not in sys.modules
# Each operation's module is imported when first answered: not those never called.
assert "pytest_ecr.service.describe_repositories" in sys.modules
unused = [m for m in ("put_image", "start_image_scan", "put_replication_configuration")
          if f"pytest_ecr.service.{m}" in sys.modules]
assert not unused, f"modules of operations never called were imported: {unused}"
# A declaration's feature modules (and the model behind them) wait for their keys.
features = [m for m in ("declarations.replication", "declarations.caches", "declarations.scans",
                        "model.lifecycle", "model.scanning", "model.replication", "model.caches")
            if f"pytest_ecr.{m}" in sys.modules]
assert not features, f"feature modules of keys never declared were imported: {features}"
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.slow
def test_declarations_persist_across_runs(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", reg=REGISTRY.format(name="team/api"))
    pytester.makepyfile(
        TEST_USES_REPO.format(expected="team/api", marker="@pytest.mark.ecr_registry('reg.yaml')")
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    stored = list((pytester.path / ".pytest_cache" / "d" / "pytest-ecr").glob("*.pickle"))
    assert len(stored) == 1
    pytester.runpytest_subprocess().assert_outcomes(passed=1)  # from the stored entry
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_finished_tests_fake_is_released_and_a_failing_teardown_still_lists_its_calls(
    pytester: pytest.Pytester,
) -> None:
    # The session keeps every item to its end: a fake kept on one would keep its
    # registry and its call log for the rest of the run (and give the collector more to do).
    pytester.makefile(".yaml", reg=REGISTRY.format(name="team/api"))
    pytester.makeconftest(
        """
import gc
import weakref
import pytest

FAKES = []

@pytest.fixture
def broken_teardown(ecr):
    yield
    raise RuntimeError("teardown broke")

def pytest_sessionfinish(session):
    # (pytest keeps the last failure's traceback, and with it that test's fake.)
    gc.collect()
    alive = [ref for ref in FAKES if ref() is not None]
    print(f"passing tests' fakes kept: {len(alive)} of {len(FAKES)}")
"""
    )
    pytester.makepyfile(
        """
import weakref
import boto3
import pytest
from conftest import FAKES

pytestmark = pytest.mark.ecr_registry("reg.yaml")

@pytest.mark.parametrize("n", range(3))
def test_it(n, ecr):
    FAKES.append(weakref.ref(ecr))
    boto3.client("ecr", region_name="us-east-1").describe_repositories()

def test_teardown_fails(broken_teardown, ecr):
    boto3.client("ecr", region_name="us-east-1").describe_repositories()
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-s")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*passing tests' fakes kept: 0 of 3"])
    # The teardown's report still reads the fake before it goes.
    result.stdout.fnmatch_lines(["*- ECR calls -*", "*DescribeRepositories*"])
