"""Fakes shared by a class, a module or the session (``ecr_class``, ``ecr_module``,
``ecr_session``), and how each test in their scope gets a fake of its own.

A shared fake answers ECR while the fixtures of its scope (and only those) set up: what
they write through the API (CreateRepository, PutImage...) is its state. Each test that
requests it (or a fixture that does) gets, as ``ecr``, a fake whose registry is a fork of
that state as the test starts: the test sees everything the scope's fixtures wrote so
far, and its own writes go no further than the test. Tests of the scope that do not
request it see no shared fake: it is suspended for them, so their answers do not depend
on which tests ran first.

No pytest here; the plugin keeps one :class:`SharedFakes` per session.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pytest_ecr.declarations import DeclarationCache
from pytest_ecr.fake import FakeEcr
from pytest_ecr.faults import FaultSpec
from pytest_ecr.options import SHARED_FIXTURES
from pytest_ecr.transports import responder


class SharedFakeError(Exception):
    """A shared fake asked for in a way that cannot work (the message says how to fix it)."""


@dataclass(eq=False)
class SharedFake:
    """One live shared fake: the fake, its scope, and the node (pytest's class, module or
    session) whose markers declared it."""

    fake: FakeEcr
    scope: str
    node: Any
    #: The faults its declaration's ``faults:`` arm: armed for every test's fork too.
    declared_faults: list[FaultSpec] = field(default_factory=list)

    @property
    def fixture(self) -> str:
        """The fixture's name (``ecr_module``...)."""
        return SHARED_FIXTURES[self.scope]


class SharedFakes:
    """The live shared fakes of a session, innermost last. While a fixture of a wider
    scope sets up, the innermost one of that scope answers (:meth:`answering`); during a
    test none does (:meth:`suspended`); in between (fixtures tearing down at the end of
    their scope) the innermost one does."""

    def __init__(self) -> None:
        self._stack: list[SharedFake] = []

    def __len__(self) -> int:
        return len(self._stack)

    def find(self, fake: object) -> SharedFake | None:
        """The live shared fake whose :class:`FakeEcr` is *fake*."""
        return next((shared for shared in self._stack if shared.fake is fake), None)

    def push(self, shared: SharedFake) -> None:
        """Start *shared*: it answers from now on, the one it nests in waits."""
        current = responder.active()
        if current is not None and self.find(current) is None:
            raise SharedFakeError(
                f"{shared.fixture} was first requested while a test's own fake was active "
                "(request.getfixturevalue() inside a test?); request it as an argument of "
                "the test or of a fixture, so it is set up before the test's fake"
            )
        if self._stack:
            self._stack[-1].fake.deactivate()
        self._stack.append(shared)
        shared.fake.activate()

    def pop(self, shared: SharedFake) -> None:
        """End *shared* (its scope is over); the one it nested in answers again."""
        shared.fake.deactivate()
        self._stack.remove(shared)
        self.resume()

    def suspend(self) -> None:
        """Stop the innermost shared fake answering (a test starts)."""
        if self._stack:
            self._stack[-1].fake.deactivate()

    def resume(self) -> None:
        """Let the innermost shared fake answer again, unless another fake is active
        (a test's own fake, still being torn down)."""
        if self._stack and responder.active() is None:
            self._stack[-1].fake.activate()

    @contextmanager
    def answering(self, fixture: str, scope: str) -> Iterator[None]:
        """Inside the block (*fixture*, of *scope*, setting up), the innermost shared fake
        of that scope answers, or none: a fixture never seeds a wider shared fake, whose
        state would outlive the fixture's scope and leak into the next one's tests.
        Function-scoped fixtures and the shared fixtures themselves are left alone."""
        if scope == "function" or fixture in SHARED_FIXTURES.values():
            yield
            return
        current = responder.active()
        current_shared = self.find(current) if current is not None else None
        target = next((s for s in reversed(self._stack) if s.scope == scope), None)
        if (current is not None and current_shared is None) or target is current_shared:
            # A test's own fake (a fixture asked for inside a test), or the right one.
            yield
            return
        if current_shared is not None:
            current_shared.fake.deactivate()
        if target is not None:
            target.fake.activate()
        try:
            yield
        finally:
            if target is not None:
                target.fake.deactivate()
            self.resume()

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """No shared fake answers inside the block (a test)."""
        self.suspend()
        try:
            yield
        finally:
            self.resume()


def requested_fixture(fixturenames: Sequence[str], test_id: str) -> str | None:
    """The shared-fake fixture among a test's *fixturenames*, if any (at most one)."""
    names = [name for name in SHARED_FIXTURES.values() if name in fixturenames]
    if len(names) > 1:
        raise SharedFakeError(
            f"{test_id} uses {' and '.join(names)}; a test starts from one shared fake, so "
            "have its fixtures request the same one"
        )
    return names[0] if names else None


def check_local(fixture: str, backend: str, test_id: str | None = None) -> str:
    """*backend*, if it is the local one; a shared fake's state is the local model's."""
    if backend == "local":
        return backend
    who = fixture if test_id is None else f"{test_id} uses {fixture}, which"
    raise SharedFakeError(
        f"{who} needs the local backend, not {backend!r}: moto keeps the state in its own "
        "backend, which no test's fork can copy. With moto, seed in a function-scoped "
        "fixture that requests ecr."
    )


def fork_for_test(
    shared: SharedFake,
    *,
    test_id: str,
    backend: str,
    registry_nodes: list[Any],
    cache: DeclarationCache,
    seed: str,
    real_time: bool,
) -> FakeEcr:
    """A fake for the test *test_id* in *shared*'s scope: its registry starts as *shared*'s
    state now, with *shared*'s declared faults armed; the shared fake goes on from the same
    state, so what the test writes never reaches it or the next test. Raises
    :class:`SharedFakeError` for a *backend* or ``ecr_registry`` markers (on
    *registry_nodes*) the test cannot have in this scope."""
    check_local(shared.fixture, backend, test_id)
    check_markers(shared, test_id, registry_nodes)
    snapshot = shared.fake.registry.snapshot()
    shared.fake.registry = snapshot.fork()
    fake = FakeEcr(state=snapshot, cache=cache, seed=seed, real_time=real_time)
    for spec in shared.declared_faults:
        fake.add_fault(spec)
    return fake


def check_markers(shared: SharedFake, test_id: str, registry_nodes: list[Any]) -> None:
    """Refuse ``ecr_registry`` markers on *registry_nodes* that are narrower than the
    shared fake's scope: the registry of a test in a shared scope is the scope's."""
    chain = {id(node) for node in shared.node.listchain()}
    narrower = [node for node in registry_nodes if id(node) not in chain]
    if narrower:
        where = "the session" if shared.scope == "session" else shared.node.nodeid
        raise SharedFakeError(
            f"{test_id} uses {shared.fixture}, whose registry is declared for {where}, "
            f"but has ecr_registry markers of its own (on {narrower[0].nodeid}); move them "
            f"to the {shared.scope} (or, for the session, --ecr-registry / the ecr_registry "
            "ini key), or seed what this test needs through its own ecr fixture"
        )


__all__ = [
    "SHARED_FIXTURES",
    "SharedFake",
    "SharedFakeError",
    "SharedFakes",
    "check_local",
    "check_markers",
    "fork_for_test",
    "requested_fixture",
]
