"""Fakes wider than one test: ``ecr_class``, ``ecr_module``, ``ecr_session``, their
isolation rules, and the loud error of a wider-scoped fixture that seeds with no fake."""

from __future__ import annotations

import pytest

# Imported here, in the outer process: pytester's in-process runs drop the modules they
# import, and a class imported afresh by a later run would not be the one already caught.
import pytest_ecr.scopes  # noqa: F401

REG = """
REG = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}
"""

NAMES = """
def names(client):
    return sorted(r["repositoryName"] for r in client.describe_repositories()["repositories"])
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", *args)


# -- what a user sees without the shared fixtures ------------------------------------------


def test_a_module_fixture_seeding_with_no_fake_is_told_why_and_what_to_use(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest

        @pytest.fixture(scope="module")
        def repo():
            boto3.client("ecr", region_name="us-east-1").create_repository(
                repositoryName="team/api")

        def test_one(repo, ecr):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    text = result.stdout.str()
    assert "EcrNetworkGuardError" in text
    assert (
        "(CreateRepository): no fake ECR is active: it was sent while the module-scoped "
        "fixture 'repo' was being set up, before any test's fake exists" in text
    )
    assert "have 'repo' request `ecr_module`" in text
    assert "Share one fake across a class, module or session" in text


@pytest.mark.parametrize(("scope", "fixture"), [("class", "ecr_class"), ("session", "ecr_session")])
def test_the_error_names_the_shared_fixture_of_the_fixtures_scope(
    pytester: pytest.Pytester, scope: str, fixture: str
) -> None:
    pytester.makepyfile(
        f"""
        import boto3, pytest

        class TestIt:
            @pytest.fixture(scope="{scope}")
            @classmethod
            def repo(cls):
                boto3.client("ecr", region_name="us-east-1").describe_repositories()

            def test_one(self, repo, ecr):
                pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert f"the {scope}-scoped fixture 'repo'" in result.stdout.str()
    assert f"have 'repo' request `{fixture}`" in result.stdout.str()


def test_a_function_fixture_set_up_before_ecr_is_told_to_request_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest

        @pytest.fixture
        def repo():
            boto3.client("ecr", region_name="us-east-1").describe_repositories()

        def test_one(repo, ecr):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert (
        "it was sent while fixture 'repo' was being set up, before the test's fake: have "
        "'repo' request the `ecr` fixture" in result.stdout.str()
    )


def test_a_request_in_the_test_itself_keeps_the_plain_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_one():
            boto3.client("ecr", region_name="us-east-1").describe_repositories()
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "no fake ECR is active in this test. Request the `ecr` fixture" in result.stdout.str()
    assert "being set up" not in result.stdout.str()


# -- sharing a fake ------------------------------------------------------------------------

MODULE_TESTS = (
    NAMES
    + """
import boto3, pytest

@pytest.fixture(scope="module")
def repo(ecr_module):
    boto3.client("ecr", region_name="us-east-1").create_repository(repositoryName="seeded")
    return "seeded"

def test_a_sees_the_seed_and_writes(repo, ecr):
    assert names(ecr.client()) == ["seeded"]
    ecr.client().create_repository(repositoryName="from-a")
    assert names(ecr.client()) == ["from-a", "seeded"]
    # The test's history is its own: the seeding call is the shared fake's.
    assert [c.operation for c in ecr.calls()] == [
        "DescribeRepositories", "CreateRepository", "DescribeRepositories"]

def test_b_sees_the_seed_not_a_s_write(repo, ecr):
    assert names(ecr.client()) == ["seeded"]
    ecr.client().delete_repository(repositoryName="seeded")
    assert names(ecr.client()) == []

def test_c_without_naming_ecr(repo):
    # A test in the scope gets its own fake even without naming `ecr`.
    assert names(boto3.client("ecr", region_name="us-east-1")) == ["seeded"]

def test_d_not_using_the_shared_fake(ecr):
    assert names(ecr.client()) == []

def test_e_using_nothing():
    with pytest.raises(Exception, match="no fake ECR is active in this test"):
        boto3.client("ecr", region_name="us-east-1").describe_repositories()

def test_f_shared_history(repo, ecr_module):
    assert [c.operation for c in ecr_module.calls()] == ["CreateRepository"]
"""
)


@pytest.mark.parametrize("order", ["as-written", "reversed"])
def test_a_module_fake_is_seeded_once_and_each_test_writes_to_its_own_fork(
    pytester: pytest.Pytester, order: str
) -> None:
    pytester.makepyfile(test_mod=MODULE_TESTS)
    if order == "reversed":
        pytester.makeconftest("def pytest_collection_modifyitems(items):\n    items.reverse()\n")
    result = run(pytester, "-v")
    result.assert_outcomes(passed=6)


@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_random_order_does_not_change_what_a_test_sees(
    pytester: pytest.Pytester, seed: str
) -> None:
    pytest.importorskip("pytest_randomly", reason="needs pytest-randomly (the test extra)")
    pytester.makepyfile(test_mod=MODULE_TESTS)
    result = pytester.runpytest(
        "-p", "randomly", f"--randomly-seed={seed}", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=6)


def test_the_seeding_fixture_runs_once_per_module(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def repo(ecr_module):
            ecr_module.client().create_repository(repositoryName="seeded")

        def test_one(repo, ecr):
            pass

        def test_two(repo, ecr):
            pass

        def test_three(repo, ecr, ecr_module):
            assert ecr_module.calls("CreateRepository").count == 1
        """
    )
    run(pytester).assert_outcomes(passed=3)


def test_a_class_fake_takes_the_class_marker_and_other_classes_are_untouched(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        REG
        + NAMES
        + """
import pytest

@pytest.fixture(scope="class")
def pushed(ecr_class):
    client = ecr_class.client()
    manifest = client.batch_get_image(
        repositoryName="team/api", imageIds=[{"imageTag": "v1"}]
    )["images"][0]["imageManifest"]
    client.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="prod")

@pytest.mark.ecr_registry(REG)
class TestShared:
    def test_tag_is_there(self, pushed, ecr):
        tags = {t for i in ecr.client().describe_images(repositoryName="team/api")["imageDetails"]
                for t in i.get("imageTags", [])}
        assert tags == {"v1", "prod"}
        assert ecr.registry.repository("team/api").image("prod").digest

    def test_untag_here_only(self, pushed, ecr):
        ecr.client().batch_delete_image(repositoryName="team/api", imageIds=[{"imageTag": "prod"}])

    def test_tag_still_there(self, pushed, ecr):
        assert ecr.registry.repository("team/api").image("prod") is not None

class TestOther:
    def test_default_registry(self, ecr):
        assert names(ecr.client()) == []
"""
    )
    run(pytester).assert_outcomes(passed=4)


def test_a_session_fake_spans_modules_and_nests_module_fakes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def base(ecr_session):
            ecr_session.client().create_repository(repositoryName="from-session")
        """
    )
    common = NAMES + "\nimport pytest\n"
    pytester.makepyfile(
        test_a=common
        + """
def test_sees_session(base, ecr):
    assert names(ecr.client()) == ["from-session"]
""",
        test_b=common
        + """
@pytest.fixture(scope="module")
def local(ecr_module):
    ecr_module.client().create_repository(repositoryName="from-module")

def test_module_fake(local, ecr):
    # The module's fake, not the session's: a test starts from one shared fake.
    assert names(ecr.client()) == ["from-module"]

def test_session_fake_again(base, ecr):
    assert names(ecr.client()) == ["from-session"]
""",
        test_c=common
        + """
def test_sees_session_after_the_module_fake(base, ecr):
    assert names(ecr.client()) == ["from-session"]
""",
    )
    run(pytester).assert_outcomes(passed=4)
    pytester.makeconftest(
        pytester.path.joinpath("conftest.py").read_text()
        + "\ndef pytest_collection_modifyitems(items):\n    items.reverse()\n"
    )
    run(pytester).assert_outcomes(passed=4)


def test_the_session_fake_reads_the_default_registry(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        registry="version: 1\nrepositories:\n  - name: team/api\n    images:\n      - tags: [v1]\n",
    )
    pytester.makepyfile(
        NAMES
        + """
import pytest

@pytest.fixture(scope="session")
def base(ecr_session):
    ecr_session.client().create_repository(repositoryName="extra")

def test_one(base, ecr):
    assert names(ecr.client()) == ["extra", "team/api"]
"""
    )
    run(pytester, "--ecr-registry", "registry.yaml").assert_outcomes(passed=1)


# -- markers and faults inside a shared scope ---------------------------------------------


def test_fault_markers_act_on_the_test_only_and_declared_faults_on_every_fake(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        REG = {"version": 1, "repositories": [{"name": "team/api"}],
               "faults": [{"operation": "ListImages", "error": "ServerException", "times": 1}]}
        pytestmark = pytest.mark.ecr_registry(REG)

        @pytest.fixture(scope="module")
        def seeded(ecr_module):
            client = ecr_module.client()
            client.list_images(repositoryName="team/api")  # retried past the declared fault
            assert ecr_module.calls("ListImages").count == 2
            client.create_repository(repositoryName="seeded")

        @pytest.mark.ecr_fault("DescribeRepositories", error="ThrottlingException", times=1)
        def test_marker_fault(seeded, ecr):
            ecr.client().describe_repositories()
            assert ecr.calls("DescribeRepositories").count == 2

        def test_declared_fault_is_armed_for_the_test(seeded, ecr):
            ecr.client().list_images(repositoryName="team/api")
            assert [c.error_code for c in ecr.calls("ListImages")] == ["ServerException", None]

        def test_declared_fault_unfired_is_not_reported(seeded, ecr):
            pass
        """
    )
    result = run(pytester, "-W", "error::pytest_ecr.faults.UnfiredFaultWarning")
    result.assert_outcomes(passed=3)


def test_a_test_marker_declaring_its_own_registry_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        REG
        + """
import pytest

@pytest.fixture(scope="module")
def seeded(ecr_module):
    pass

@pytest.mark.ecr_registry(REG)
def test_one(seeded, ecr):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*pytest-ecr: test_a_test_marker_declaring_its_own_registry_is_refused.py::test_one "
            "uses ecr_module, whose registry is declared for "
            "test_a_test_marker_declaring_its_own_registry_is_refused.py, but has ecr_registry "
            "markers of its own (on *::test_one); move them to the module*"
        ]
    )


def test_the_moto_backend_is_refused_with_the_way_out(pytester: pytest.Pytester) -> None:
    # Without moto the backend is refused first ("needs moto, which is not installed").
    pytest.importorskip("moto")
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.ecr_backend("moto")

        @pytest.fixture(scope="module")
        def seeded(ecr_module):
            pass

        def test_one(seeded):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert (
        "pytest-ecr: ecr_module needs the local backend, not 'moto': moto keeps the state in "
        "its own backend" in result.stdout.str()
    )
    assert "seed in a function-scoped fixture that requests ecr" in result.stdout.str()


def test_two_shared_fakes_in_one_test_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_one(ecr_session, ecr_module):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert "uses ecr_module and ecr_session; a test starts from one shared fake" in (
        result.stdout.str()
    )


def test_the_report_section_shows_the_tests_calls_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def seeded(ecr_module):
            ecr_module.client().create_repository(repositoryName="seeded")

        def test_one(seeded, ecr):
            ecr.client().describe_repositories()
            assert False
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    section = text.split("- ECR calls -")[1]
    assert "1. DescribeRepositories(attempt 1, us-east-1)" in section
    assert "CreateRepository" not in section


@pytest.mark.slow
def test_xdist_workers_each_seed_their_own_shared_fake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mod=MODULE_TESTS)
    pytester.makepyfile(test_mod2=MODULE_TESTS)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly", timeout=300)
    result.assert_outcomes(passed=12)


def test_a_shared_fake_answers_the_fixtures_of_its_own_scope_only(
    pytester: pytest.Pytester,
) -> None:
    """A module fixture that forgot ecr_module, while a session fake is alive, does not
    write into the session's fake (which would leak into every later module): the guard
    stops it, naming the fixture. A class fixture that requests ecr_module is stopped too."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def base(ecr_session):
            ecr_session.client().create_repository(repositoryName="from-session")
        """
    )
    pytester.makepyfile(
        test_a="""
        def test_first(base, ecr):
            pass
        """,
        test_b="""
        import boto3, pytest

        @pytest.fixture(scope="module")
        def forgot():
            boto3.client("ecr", region_name="us-east-1").create_repository(repositoryName="xx")

        def test_forgot(base, forgot, ecr):
            pass

        @pytest.fixture(scope="class")
        def wider(ecr_module):
            boto3.client("ecr", region_name="us-east-1").create_repository(repositoryName="yy")

        class TestIt:
            def test_wider(self, wider, ecr):
                pass
        """,
        test_c="""
        def test_session_state_is_clean(base, ecr):
            repos = ecr.client().describe_repositories()["repositories"]
            names = [r["repositoryName"] for r in repos]
            assert names == ["from-session"]
        """,
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, errors=2)
    text = result.stdout.str()
    assert "the module-scoped fixture 'forgot' was being set up" in text
    assert "have 'forgot' request `ecr_module`" in text
    assert "the class-scoped fixture 'wider' was being set up" in text
    assert "have 'wider' request `ecr_class`" in text
    assert "each answers the fixtures of its own scope only" in text


def test_the_tests_fork_is_what_ecr_server_and_ecr_stubber_answer_from(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        NAMES
        + """
import boto3, pytest

@pytest.fixture(scope="module")
def seeded(ecr_module):
    ecr_module.client().create_repository(repositoryName="seeded")

def test_over_http(seeded, ecr, ecr_server):
    client = boto3.client("ecr", region_name="us-east-1", endpoint_url=ecr_server.endpoint_url)
    assert names(client) == ["seeded"]
    assert ecr.calls().last.transport == "http"

def test_stubber(seeded, ecr_stubber, ecr_client):
    ecr_stubber.expect("DescribeRepositories")
    assert names(ecr_client) == ["seeded"]

def test_load_is_refused(seeded, ecr):
    with pytest.raises(TypeError, match="built from a state"):
        ecr.load({"version": 1})
"""
    )
    run(pytester).assert_outcomes(passed=3)
