"""The pytest11 entry point: options, markers, report header and fixtures — nothing else.

Everything here wires pytest to library objects (:class:`~pytest_ecr.FakeEcr`) that work
without pytest. Loading the plugin arranges for the dormant botocore hook to go in as
botocore is imported; the library is imported by the first test that uses the fake.
"""

from __future__ import annotations

import contextlib
import random
import warnings
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from pytest_ecr._version import __version__
from pytest_ecr.backends import DEFAULT_BACKEND, BackendError, check_backend
from pytest_ecr.options import (
    ALLOW_NETWORK,
    MARKERS,
    SHARED_FIXTURES,
    UNFIRED_MODES,
    Settings,
    add_options,
    marker_problem,
)
from pytest_ecr.transports import ensure_hook, guard

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient

    from pytest_ecr.backends.stubber import EcrStubber
    from pytest_ecr.declarations import DeclarationCache, Source
    from pytest_ecr.fake import FakeEcr
    from pytest_ecr.scopes import SharedFake, SharedFakes
    from pytest_ecr.transports.http_server import EcrHTTPServer, EcrServer

# Before any conftest or test module can create a client at import time.
ensure_hook()

_CACHE = pytest.StashKey["DeclarationCache"]()
_SETTINGS = pytest.StashKey[Settings]()
_FAKE = pytest.StashKey["FakeEcr"]()
_CALL_FAILED = pytest.StashKey[bool]()
_GUARD_BEFORE = pytest.StashKey[bool]()
_SHARED = pytest.StashKey["SharedFakes"]()
# The autouse fixture whose set-up starts a test's fake (see pytest_fixture_setup).
_START = "_ecr_start"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for text in (*MARKERS.values(), ALLOW_NETWORK[1]):
        config.addinivalue_line("markers", text)
    unfired_faults = _unfired_mode(config)  # the first usage error, as before Settings
    seed = config.getoption("ecr_seed")
    from_cli = config.getoption("ecr_backend")
    origin = "--ecr-backend" if from_cli is not None else "ini key ecr_backend"
    try:
        backend = check_backend(
            from_cli if from_cli is not None else (config.getini("ecr_backend") or DEFAULT_BACKEND),
            origin,
        )
    except BackendError as error:
        raise pytest.UsageError(f"pytest-ecr: {error}") from None
    config.stash[_SETTINGS] = Settings(
        seed=seed if seed is not None else random.randrange(10**9),
        backend=backend,
        unfired_faults=unfired_faults,
        real_time=bool(config.getoption("ecr_real_time") or config.getini("ecr_real_time")),
        plan_only=bool(config.getoption("setupplan", False)),
    )
    config.stash[_GUARD_BEFORE] = guard.set_guard(_guard_on(config))


def pytest_unconfigure(config: pytest.Config) -> None:
    # As before this session (a pytester run keeps the outer one's); None: never changed.
    before = config.stash.get(_GUARD_BEFORE, None)
    if before is not None:
        guard.set_guard(before)


def _cache(config: pytest.Config) -> DeclarationCache:
    """The session's declaration cache: each file is parsed once per session, and once
    across runs while it does not change."""
    cache = config.stash.get(_CACHE, None)
    if cache is None:
        from pytest_ecr.declarations import DeclarationCache

        # Parsed files also persist under pytest's cache directory, keyed by content, so
        # a later run skips YAML parsing (absent under -p no:cacheprovider).
        pytest_cache = getattr(config, "cache", None)
        persist_dir = None
        if pytest_cache is not None:
            try:
                persist_dir = pytest_cache.mkdir("pytest-ecr")
            except OSError as exc:
                # As pytest's own cache does: warn, and go on without it (only slower).
                warnings.warn(
                    pytest.PytestCacheWarning(
                        f"pytest-ecr cannot use the cache folder ({exc}); declarations are "
                        "parsed anew in each run"
                    ),
                    stacklevel=1,
                )
        cache = config.stash[_CACHE] = DeclarationCache(persist_dir=persist_dir)
    return cache


def _default_sources(config: pytest.Config) -> list[str]:
    from_cli: list[str] = config.getoption("ecr_registry") or []
    if from_cli:
        return [str(Path(p).resolve()) for p in from_cli]
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return [str(base / p) for p in config.getini("ecr_registry")]


def pytest_report_header(config: pytest.Config) -> str:
    sources = _default_sources(config)
    registry = ", ".join(sources) if sources else "none (markers or ecr.load())"
    return (
        f"pytest-ecr {__version__}: backend={config.stash[_SETTINGS].backend}, "
        f"--ecr-seed={config.stash[_SETTINGS].seed}, default registry: {registry}"
        + (", guard=on" if _guard_on(config) else ", guard=off")
    )


def _guard_on(config: pytest.Config) -> bool:
    guard = config.getoption("ecr_guard")
    return bool(guard == "on" if guard is not None else config.getini("ecr_guard"))


def _check_marker(node: pytest.Item, marker: pytest.Mark) -> None:
    problem = marker_problem(marker.name, marker.args, marker.kwargs)
    if problem is not None:
        pytest.fail(f"{node.nodeid}: {problem}", pytrace=False)


def _backend(request: pytest.FixtureRequest) -> str:
    node = request.node
    marker = node.get_closest_marker("ecr_backend")
    if marker is None:
        return request.config.stash[_SETTINGS].backend
    _check_marker(node, marker)
    try:
        return check_backend(marker.args[0], f"@pytest.mark.ecr_backend on {node.nodeid}")
    except BackendError as error:
        _setup_error(f"pytest-ecr: {error}")


def _setup_error(message: str) -> NoReturn:
    """Fail the test's set-up with *message* alone: called while handling the error it
    words, it drops that error from the report, which would print the same text again."""
    raise pytest.fail.Exception(message, pytrace=False) from None


def _sources(request: pytest.FixtureRequest) -> tuple[list[Source], Path]:
    """The declaration sources for *request*'s node, and what their paths are relative to."""
    # iter_markers yields the closest first; outer (module, class) declarations come first.
    markers = list(request.node.iter_markers("ecr_registry"))[::-1]
    if not markers:
        return list(_default_sources(request.config)), Path.cwd()
    for marker in markers:
        _check_marker(request.node, marker)
    return [source for marker in markers for source in marker.args], request.path.parent


def _new_fake(request: pytest.FixtureRequest, backend: str) -> FakeEcr:
    from pytest_ecr.declarations import DeclarationError
    from pytest_ecr.fake import FakeEcr

    sources, base_dir = _sources(request)
    node, settings = request.node, request.config.stash[_SETTINGS]
    try:
        return FakeEcr(
            sources,
            base_dir=base_dir,
            cache=_cache(request.config),
            # Per node, so a test's random faults do not depend on which tests ran before.
            seed=f"{settings.seed}:{node.nodeid}",
            backend=backend,
            real_time=settings.real_time,
        )
    except DeclarationError as error:
        where = node.nodeid or "the session"
        _setup_error(f"pytest-ecr: bad registry declaration for {where}\n{error}")
    except BackendError as error:
        _setup_error(f"pytest-ecr: {error}")


def _arm_marker_faults(node: pytest.Item, fake: FakeEcr) -> None:
    from pytest_ecr.faults import FaultSpecError, parse_fault
    from pytest_ecr.transports.installed_model import installed_operations

    # Outer markers first, so faults fire in the order a reader sees them declared.
    for marker in reversed(list(node.iter_markers("ecr_fault"))):
        _check_marker(node, marker)
        spec = dict(marker.kwargs)
        if marker.args:
            spec["operation"] = marker.args[0]
        try:
            origin = f"@pytest.mark.ecr_fault on {node.nodeid}"
            fake.add_fault(parse_fault(spec, origin, installed_operations()))
        except FaultSpecError as error:
            _setup_error(str(error))


@pytest.fixture(name="ecr")
def ecr_fixture(request: pytest.FixtureRequest) -> FakeEcr:
    """The fake Amazon ECR active for this test (a :class:`pytest_ecr.FakeEcr`).

    Every botocore/boto3 ECR client in the process — made by the test, a fixture or the
    code under test, even at import time — is answered from the declared registry:
    ``ecr_registry`` marker sources, else ``--ecr-registry``, else the ``ecr_registry`` ini
    key. Writes are visible to this test only. Offers ``registry``, ``client()``,
    ``load()``, ``calls()`` and ``attach()``. The backend (``ecr_backend`` marker, else
    ``--ecr-backend``, else the ini key, else ``local``) answers what no fault answered;
    with ``moto``, moto's ECR is seeded from the declaration for the test. In a test that
    uses ``ecr_class``, ``ecr_module`` or ``ecr_session``, it starts from that shared
    fake's state instead (what the scope's fixtures wrote), and its writes stay its own.
    """
    # Started already by an ecr_* marker or a shared fake (see _start_test); else here.
    fake = request.node.stash.get(_FAKE, None)
    return fake if fake is not None else _start_fake(request)


def _start_fake(request: pytest.FixtureRequest) -> FakeEcr:
    """Make and start the test's fake; it ends with the fixture *request* sets up."""
    node = request.node
    shared = _requested_shared(request)
    fake = _new_fake(request, _backend(request)) if shared is None else _fork(request, shared)
    _arm_marker_faults(node, fake)
    node.stash[_FAKE] = fake
    try:
        fake.activate()
    except BackendError as error:
        _setup_error(f"pytest-ecr: {error}")
    lifecycle = node.get_closest_marker("ecr_lifecycle")
    if lifecycle is not None:
        try:
            fake.run_lifecycle_policies(*lifecycle.args, **lifecycle.kwargs)
        except (TypeError, ValueError) as error:
            fake.deactivate()
            _setup_error(f"pytest-ecr: @pytest.mark.ecr_lifecycle on {node.nodeid}: {error}")
    request.addfinalizer(lambda: _end_fake(request, fake, shared))
    return fake


def _end_fake(request: pytest.FixtureRequest, fake: FakeEcr, shared: SharedFake | None) -> None:
    try:
        fake.deactivate()
    finally:
        if shared is not None:
            _shared_fakes(request.config).resume()
    mode = request.config.stash[_SETTINGS].unfired_faults
    if mode == "ignore" or request.node.stash.get(_CALL_FAILED, False):
        return
    # A shared fake's declared faults are armed for every test of its scope, as a file's.
    declared = shared.declared_faults if shared else ()
    unfired = [armed for armed in fake.unfired_faults() if armed.spec not in declared]
    if not unfired:
        return
    from pytest_ecr.report import unfired_message

    message = unfired_message(unfired)
    if mode == "error":
        pytest.fail(message + "\n(--ecr-unfired-faults=error)", pytrace=False)
    from pytest_ecr.faults import UnfiredFaultWarning

    warnings.warn(UnfiredFaultWarning(message), stacklevel=1)


def _shared_fakes(config: pytest.Config) -> SharedFakes:
    """The session's live fakes shared by a class, a module or the session."""
    if _SHARED not in config.stash:
        from pytest_ecr.scopes import SharedFakes

        config.stash[_SHARED] = SharedFakes()
    return config.stash[_SHARED]


def _requested_shared(request: pytest.FixtureRequest) -> SharedFake | None:
    """The shared fake this test requests (directly or through a fixture), if any."""
    from pytest_ecr.scopes import SharedFakeError, requested_fixture

    try:
        name = requested_fixture(request.fixturenames, request.node.nodeid)
    except SharedFakeError as error:
        _setup_error(f"pytest-ecr: {error}")
    if name is None:
        return None
    found = _shared_fakes(request.config).find(request.getfixturevalue(name))
    assert found is not None, f"{name} is set up but not live"
    return found


def _fork(request: pytest.FixtureRequest, shared: SharedFake) -> FakeEcr:
    from pytest_ecr.scopes import SharedFakeError, fork_for_test

    node, settings = request.node, request.config.stash[_SETTINGS]
    try:
        return fork_for_test(
            shared,
            test_id=node.nodeid,
            backend=_backend(request),
            registry_nodes=[n for n, _ in node.iter_markers_with_node("ecr_registry")],
            cache=_cache(request.config),
            seed=f"{settings.seed}:{node.nodeid}",
            real_time=settings.real_time,
        )
    except SharedFakeError as error:
        _setup_error(f"pytest-ecr: {error}")


def _shared_fixture(request: pytest.FixtureRequest, scope: str) -> Iterator[FakeEcr]:
    from pytest_ecr.declarations import declared_faults
    from pytest_ecr.scopes import SharedFake, SharedFakeError, check_local

    stack = _shared_fakes(request.config)
    try:
        fake = _new_fake(request, check_local(SHARED_FIXTURES[scope], _backend(request)))
        sources, base_dir = _sources(request)
        faults = declared_faults(sources, base_dir, _cache(request.config))
        shared = SharedFake(fake, scope, request.node, faults)
        stack.push(shared)
    except SharedFakeError as error:
        _setup_error(f"pytest-ecr: {error}")
    try:
        yield fake
    finally:
        stack.pop(shared)


@pytest.fixture(name="ecr_class", scope="class")
def ecr_class_fixture(request: pytest.FixtureRequest) -> Iterator[FakeEcr]:
    """One fake ECR shared by a class's tests, for class-scoped fixtures that seed state
    through the API (see ``ecr_module``). Declared by the class's ``ecr_registry`` marker."""
    yield from _shared_fixture(request, "class")


@pytest.fixture(name="ecr_module", scope="module")
def ecr_module_fixture(request: pytest.FixtureRequest) -> Iterator[FakeEcr]:
    """One fake ECR shared by a module's tests, for module-scoped fixtures that seed state
    through the API. Declared by the module's ``ecr_registry`` marker (``pytestmark``),
    else the defaults; local backend only. Each test's ``ecr`` starts from its state as
    the test starts; a test's writes never reach the shared fake or the next test."""
    yield from _shared_fixture(request, "module")


@pytest.fixture(name="ecr_session", scope="session")
def ecr_session_fixture(request: pytest.FixtureRequest) -> Iterator[FakeEcr]:
    """One fake ECR shared by the session (per xdist worker), for session-scoped fixtures
    that seed state through the API (see ``ecr_module``). Declared by ``--ecr-registry``
    or the ``ecr_registry`` ini key."""
    yield from _shared_fixture(request, "session")


def _unfired_mode(config: pytest.Config) -> str:
    mode = str(config.getoption("ecr_unfired_faults") or config.getini("ecr_unfired_faults"))
    if mode not in UNFIRED_MODES:
        raise pytest.UsageError(
            f"ecr_unfired_faults = {mode!r}: expected one of {', '.join(UNFIRED_MODES)}"
        )
    return mode


@pytest.fixture(name="ecr_client")
def ecr_client_fixture(ecr: FakeEcr) -> ECRClient:
    """A boto3 ECR client for the declared account's default region, answered by ``ecr``."""
    return ecr.client()


@pytest.fixture(name="ecr_stubber")
def ecr_stubber_fixture(
    request: pytest.FixtureRequest, ecr: FakeEcr, ecr_client: ECRClient
) -> Iterator[EcrStubber]:
    """A real ``botocore.stub.Stubber``, active on ``ecr_client``, for strict, ordered
    expectations. ``expect("BatchGetImage", repositoryName=..., imageIds=[...])`` queues
    what the declared registry answers to exactly these parameters;
    ``expect_error(operation, code, message=None, **params)`` queues an error. A queued
    answer the test never asked for fails it at teardown. Stubbed calls skip botocore's
    retry loop, so faults do not apply to them; they are recorded in ``ecr.calls()``.
    """
    from pytest_ecr.history import EcrCallAssertionError

    with ecr.stubber(ecr_client) as stubber:
        yield stubber
    if not request.node.stash.get(_CALL_FAILED, False):
        try:
            stubber.assert_no_pending_responses()
        except EcrCallAssertionError as error:  # its text alone, not a chained second one
            raise pytest.fail.Exception(str(error), pytrace=False) from None


@pytest.fixture(scope="session")
def _ecr_http_server() -> Iterator[EcrHTTPServer]:
    # One loopback server per session (per xdist worker); each test attaches its own fake.
    from pytest_ecr.transports.http_server import EcrHTTPServer

    with EcrHTTPServer() as server:
        yield server


@pytest.fixture(name="ecr_server")
def ecr_server_fixture(ecr: FakeEcr, _ecr_http_server: EcrHTTPServer) -> Iterator[EcrServer]:
    """The test's fake ECR served over HTTP on 127.0.0.1 (an ephemeral port).

    For code outside this Python process: ``endpoint_url`` for ``--endpoint-url``, and
    ``env`` (``os.environ`` plus ``AWS_ENDPOINT_URL_ECR``, fake credentials and the region)
    for ``subprocess.run(..., env=ecr_server.env)``. Same registry, faults and call history
    as ``ecr``; an error inside the server thread is raised again at teardown.
    """
    from pytest_ecr.transports.http_server import EcrServer

    server = _ecr_http_server
    server.take_errors()
    server.fake = ecr
    ecr.http_endpoints = (*ecr.http_endpoints, server.endpoint_url)
    try:
        yield EcrServer(server, ecr)
    finally:
        server.fake = None
        ecr.http_endpoints = tuple(u for u in ecr.http_endpoints if u != server.endpoint_url)
    errors = server.take_errors()
    if errors:
        raise errors[0]


@pytest.fixture(autouse=True, name=_START)
def _ecr_start() -> None:
    """Where a test's fake starts (after wider-scoped fixtures, before the test's own), by
    pytest_fixture_setup, which has its request: taking ``request`` costs a test more."""


def _start_test(request: pytest.FixtureRequest) -> None:
    # A test with an ecr_* marker or a shared fake gets its fake unasked; others are left
    # alone (the guard aside). No shared fake answers a test.
    node = request.node
    shared = request.config.stash.get(_SHARED, None)
    marked = {marker.name for marker in node.iter_markers()}  # one walk up the nodes
    shared_asked = not set(SHARED_FIXTURES.values()).isdisjoint(request.fixturenames)
    needs_fake = shared_asked or not marked.isdisjoint(MARKERS)
    network = ALLOW_NETWORK[0] in marked
    if shared is None and not needs_fake and not network:
        return
    undo = contextlib.ExitStack()
    request.addfinalizer(undo.close)  # first in, last out: after the fake has ended
    if shared is not None:
        undo.enter_context(shared.suspended())
    if needs_fake:
        _start_fake(request)
    if network:
        undo.enter_context(guard.network_allowed())


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: Any, request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    # The network guard's message names the fixture (an ECR request of a module-scoped one
    # precedes every test's fake); a shared fake answers fixtures of its own scope only.
    name, scope = fixturedef.argname, fixturedef.scope
    if name == _START:  # after pytest has run it: pytest ends it even if the start fails
        done = yield
        if not request.config.stash[_SETTINGS].plan_only:
            _start_test(request)
        return done
    shared = request.config.stash.get(_SHARED, None)
    answering = shared.answering(name, scope) if shared else contextlib.nullcontext()
    with answering, guard.setting_up(name, scope):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    fake = item.stash.get(_FAKE, None)
    if fake is not None and report.when == "teardown":  # its last reader: items outlive tests
        del item.stash[_FAKE]
    if fake is not None and report.failed:
        from pytest_ecr.history import EcrCallAssertionError
        from pytest_ecr.report import calls_section

        error = call.excinfo.value if call.excinfo is not None else None
        listed = error.calls if isinstance(error, EcrCallAssertionError) else ()
        # The declared view with the moto backend (moto holds the live state).
        section = calls_section(list(fake.calls()), fake.registry, listed)
        if section is not None:
            report.sections.append(("ECR calls", section))
    return report
