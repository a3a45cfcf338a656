"""``FakeEcr``: a declared registry answering every ECR client while it is active.

This is the object the ``ecr`` fixture yields, and it works without pytest too::

    with FakeEcr(sources=["registry.yaml"]) as ecr:
        client = boto3.client("ecr", region_name="us-east-1")
        client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])

``backend="moto"`` hands every request no fault answered to moto's ECR, seeded from the
declaration (:mod:`pytest_ecr.backends.moto`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from pytest_ecr._frames import hide_usage_errors
from pytest_ecr.backends import DEFAULT_BACKEND, check_backend
from pytest_ecr.clock import Sleep, SleepKind, VirtualClock
from pytest_ecr.credentials import patch_environment, restore_environment
from pytest_ecr.declarations import DeclarationCache, Source, declared_faults, load_sources
from pytest_ecr.faults import (
    NO_INJECTION,
    ArmedFault,
    ConnectionFault,
    FaultKwargs,
    FaultSet,
    FaultSpec,
    Injection,
    apply_failures,
    empty_result,
    injected_error,
    parse_fault,
)
from pytest_ecr.history import Call, CallList, History
from pytest_ecr.model import RegistryState
from pytest_ecr.service import RequestContext, dispatch, registry_blobs, validate_request
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.operation_names import mutates
from pytest_ecr.transports import botocore_hook, responder
from pytest_ecr.transports.installed_model import installed_operations

# A misspelt fault keyword or operation name shows the test's line, not these frames.
__tracebackhide__ = hide_usage_errors

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient
    from typing_extensions import Unpack

    from pytest_ecr._literals import EcrOperation
    from pytest_ecr.backends.moto import MotoBackend
    from pytest_ecr.backends.stubber import EcrStubber
    from pytest_ecr.model.blobs import BlobContent
    from pytest_ecr.model.lifecycle import LifecycleRun
    from pytest_ecr.wire import WireRequest


class FakeEcr:
    """A fake ECR: a declared registry, a per-test writable view of it, and a call log.

    *sources* are YAML file paths (relative to *base_dir*), mappings or YAML text, merged
    in order. While active (``with fake:`` or :meth:`activate`), every botocore/boto3 ECR
    client in the process is answered by this fake, signed with fake credentials, and no
    ECR request leaves the process.

    *backend* answers what no fault answered: ``"local"`` (pytest-ecr's own model) or
    ``"moto"`` (moto's ECR, seeded from the declaration while the fake is active; then
    :attr:`registry` stays the declared view and moto holds the live state).
    """

    def __init__(
        self,
        sources: Sequence[Source] = (),
        *,
        base_dir: str | os.PathLike[str] | None = None,
        state: RegistryState | None = None,
        cache: DeclarationCache | None = None,
        fake_environment: bool = True,
        real_time: bool = False,
        seed: int | str = 0,
        backend: str = DEFAULT_BACKEND,
    ) -> None:
        #: ``"local"`` or ``"moto"``: what answers the requests no fault answered.
        self.backend: str = check_backend(backend, "FakeEcr(backend=...)")
        self._moto: MotoBackend | None = None
        if self.backend == "moto":
            from pytest_ecr.backends.moto import MotoBackend

            self._moto = MotoBackend()
        self._cache = cache if cache is not None else DeclarationCache()
        self._base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        self._sources: list[Source] = list(sources)
        if state is not None and self._sources:
            raise ValueError("pass either sources or a state, not both")
        self._from_state = state is not None
        if state is None:
            state, faults = self._cache.state_and_faults(self._sources, base_dir=self._base_dir)
        else:
            faults = []
            if not state.frozen:
                state.freeze()
        self._declared = state
        self.registry: RegistryState = state.fork()
        self._history = History()
        self._lock = threading.RLock()
        self._fake_environment = fake_environment
        self._saved_env: dict[str, str | None] | None = None
        self._faults = FaultSet(seed)
        self._contexts: dict[tuple[str, str, str | None], RequestContext] = {}
        #: Retry backoff and injected latency, recorded instead of slept.
        self.clock = VirtualClock(real=real_time)
        #: URLs of HTTP servers serving this fake: the in-process hook lets requests to
        #: them through, so a client pointed at the server really goes over HTTP.
        self.http_endpoints: tuple[str, ...] = ()
        self._declared_faults = faults
        for spec in faults:
            self._faults.add(spec)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return (
            f"<FakeEcr {state} backend={self.backend} account={self.account} region={self.region}>"
        )

    # -- the registry --------------------------------------------------------------------

    @property
    def account(self) -> str:
        """The caller's account: the default ``registryId``."""
        return self.registry.account

    @property
    def region(self) -> str:
        """The default region (used by :meth:`client` when none is given)."""
        return self.registry.region

    @property
    def declared(self) -> RegistryState:
        """The declared state, shared read-only; :attr:`registry` is this test's view."""
        return self._declared

    def load(self, source: Source) -> None:
        """Add a declaration source; the registry becomes the merge of all sources so far.

        The test's view is rebuilt from the declarations. After a write through the API
        (PutImage, TagResource...) that rebuild would drop the write, so ``load`` refuses
        with :class:`RuntimeError`: load sources first, then exercise the code.
        """
        written = sorted(
            {c.operation for c in self._history.calls() if c.ok and mutates(c.operation)}
        )
        if written:
            raise RuntimeError(
                f"ecr.load() after this test wrote to the registry ({', '.join(written)}) "
                "would drop those writes; load every source before the code under test "
                "runs (ecr_registry markers, or ecr.load() first)"
            )
        if self._from_state:
            raise TypeError("this FakeEcr was built from a state; load() needs declaration sources")
        sources = [*self._sources, source]
        state = load_sources(sources, base_dir=self._base_dir, cache=self._cache)
        added = declared_faults([source], self._base_dir, self._cache)
        with self._lock:
            self._sources = sources
            self._declared = state
            self.registry = state.fork()
            self._declared_faults = [*self._declared_faults, *added]
            for spec in added:
                self._faults.add(spec)
            if self._moto is not None and self._moto.active:
                self._moto.seed(self.registry)

    def reset(self) -> None:
        """Back to the declared state, with an empty call log."""
        with self._lock:
            self.registry = self._declared.fork()
            self._history.clear()
            self._faults.clear()
            for spec in self._declared_faults:
                self._faults.add(spec)
            self.clock.clear()
            if self._moto is not None and self._moto.active:
                self._moto.seed(self.registry)

    # -- answering -----------------------------------------------------------------------

    def answer(self, request: WireRequest) -> Mapping[str, Any]:
        """Answer one decoded request: the output members, or :class:`EcrError` raised.

        What every transport calls (through :func:`pytest_ecr.wire.respond`). Faults are
        decided first, as a failing network or service would act before the registry is
        consulted; then the backend answers; every attempt is recorded, once, here. An
        injected connection fault raises :class:`~pytest_ecr.faults.ConnectionFault` for
        the transport to act out.
        """
        region = request.region or self.registry.region
        account = self.registry.account
        operation, params = request.operation, request.params
        injection = self._faults.decide(operation, params, region, account)
        fault = None if injection is NO_INJECTION else injection.describe()
        if injection.latency:
            self.clock.sleep(injection.latency, "latency")
        if injection.connection is not None:
            self._record(request, region, account, fault, connection=injection.connection)
            raise ConnectionFault(str(injection.connection.connection), injection.connection)
        if injection.error is not None:
            error = injected_error(injection.error, operation, params, region, account)
            self._record(request, region, account, fault, error=error)
            raise error
        ctx = self._context(account, region)
        # Marks the calls a backend other than the local one answered (moto never sees
        # an attempt a fault answered, and the history says which ones it did see).
        extra = {"backend": self.backend} if self._moto is not None else None
        with self._lock:
            try:
                result = self._backend_result(operation, params, ctx, injection)
            except EcrError as error:
                self._record(request, region, account, fault, error=error, extra=extra)
                raise
            except Exception as exc:
                # moto answers some requests by raising (moto/ecr/models.py, put_image):
                # recorded, then raised to the caller as plain mock_aws would.
                failure = EcrError(type(exc).__name__, str(exc), 500)
                extra = {**(extra or {}), "exception": repr(exc)}
                self._record(request, region, account, fault, error=failure, extra=extra)
                raise
            self._record(request, region, account, fault, response=result, extra=extra)
        return result

    def blob_content(
        self, account: str, region: str, repository: str, digest: str
    ) -> BlobContent | str:
        """The bytes of blob *digest* of a repository, or why none (``BLOB_UNKNOWN``'s text)."""
        with self._lock:
            return registry_blobs.blob_content(self.registry, account, region, repository, digest)

    def mount_blob(self, account: str, region: str, source: str, target: str, digest: str) -> bool:
        """A registry's cross-repository mount (``registry_blobs.mount_blob``)."""
        with self._lock:
            return registry_blobs.mount_blob(self.registry, account, region, source, target, digest)

    def sleep(self, seconds: float, kind: SleepKind) -> None:
        """Spend *seconds* on this fake's clock (recorded, not slept, unless real time)."""
        self.clock.sleep(seconds, kind)

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> float:
        """Move this fake's clock on (never slept): scans and lifecycle previews in
        progress finish, images age. Returns the fake's time after the move (epoch
        seconds), which push times, expiry and every timestamp the fake answers use."""
        total = seconds + 60.0 * minutes + 3600.0 * hours + 86400.0 * days
        if total < 0:
            raise ValueError(f"advance() moves time forward only, got {total} seconds")
        self.clock.sleep(total, "advance")
        return self.clock.now()

    # -- lifecycle policies --------------------------------------------------------------

    def run_lifecycle_policies(
        self, *, days_later: float = 0, repository: str | None = None
    ) -> LifecycleRun:
        """Move the fake's clock on by *days_later* days (:meth:`advance`), then run every
        stored lifecycle policy (of the repositories named *repository* only) as ECR does:
        expired images are deleted from every answer, transitioned ones archived, and
        ``lastEvaluatedAt`` set. Returns what was done. Local backend only."""
        from pytest_ecr.model.lifecycle import check_run, run_policies

        if self._moto is not None:
            raise TypeError("run_lifecycle_policies() needs the local backend, not moto")
        check_run(self.registry, days_later, repository)
        now = self.advance(days=days_later)
        with self._lock:
            return run_policies(self.registry, now, repository)

    def _backend_result(
        self,
        operation: str,
        params: Mapping[str, Any],
        ctx: RequestContext,
        injection: Injection,
    ) -> dict[str, Any]:
        """The backend's answer, with the per-image failures *injection* carries split
        off the request first and added to the answer's ``failures``."""
        if not injection.failures:
            return self._backend_answer(operation, params, ctx)
        params_left, failures = apply_failures(operation, params, injection.failures)
        if params_left.get("imageIds"):
            result = dict(self._backend_answer(operation, params_left, ctx))
        else:
            self._backend_validate(operation, params, ctx)
            result = empty_result(operation)
        result["failures"] = [*result.get("failures", []), *failures]
        return result

    def _context(self, account: str, region: str) -> RequestContext:
        # The first HTTP server serving this fake, if any: where layer downloads point.
        endpoint = self.http_endpoints[0] if self.http_endpoints else None
        ctx = self._contexts.get((account, region, endpoint))
        if ctx is None:
            ctx = self._contexts[(account, region, endpoint)] = RequestContext(
                account, region, time_source=self.clock.now, endpoint=endpoint
            )
        return ctx

    def _record(
        self,
        request: WireRequest,
        region: str,
        account: str,
        fault: str | None,
        *,
        response: Mapping[str, Any] | None = None,
        error: EcrError | None = None,
        connection: FaultSpec | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if connection is not None:
            status, extra = 0, {"connection": connection.connection}
        else:
            status = error.status if error is not None else 200
        self._history.record(
            Call(
                request.operation,
                request.params,
                region,
                account,
                request.attempt,
                request.transport,
                response,
                error.body() if error is not None else None,
                status,
                fault,
                extra,
            )
        )

    def _backend_answer(
        self, operation: str, params: Mapping[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        if self._moto is not None:
            return self._moto.answer(operation, params, ctx)
        return dispatch(self.registry, operation, params, ctx)

    def _backend_validate(
        self, operation: str, params: Mapping[str, Any], ctx: RequestContext
    ) -> None:
        if self._moto is not None:
            self._moto.validate(operation, params, ctx)
        else:
            validate_request(self.registry, operation, params, ctx)

    # -- faults --------------------------------------------------------------------------

    def fault(
        self, operation: EcrOperation | None = None, /, **spec: Unpack[FaultKwargs]
    ) -> ArmedFault:
        """Arm a fault for the rest of this test; same keywords as the ``ecr_fault``
        marker and YAML ``faults:`` entries. Returns the armed fault (``.fired`` counts
        how often it acted). A bad spec raises :class:`~pytest_ecr.faults.FaultSpecError`."""
        fields: dict[str, Any] = dict(spec)
        if operation is not None:
            fields["operation"] = operation
        return self._faults.add(parse_fault(fields, "ecr.fault()", installed_operations()))

    def add_fault(self, spec: FaultSpec) -> ArmedFault:
        """Arm an already validated :class:`FaultSpec`."""
        return self._faults.add(spec)

    @property
    def faults(self) -> list[ArmedFault]:
        """The faults armed for this test, with their counters."""
        return self._faults.armed

    def unfired_faults(self) -> list[ArmedFault]:
        """The faults this test armed (``ecr_fault`` markers, :meth:`fault`) that never
        fired: most often a match field that names nothing the code asked for (a misspelt
        ``repository=``), which makes the fault a silent no-op. Left out: faults declared
        in a registry's ``faults:`` (one file serves many tests), and ``probability``
        faults that matched (not firing is then chance)."""
        return self._faults.unfired(exclude=self._declared_faults)

    def clear_faults(self) -> None:
        """Disarm every fault of this test, declared ones included (``reset()`` re-arms those)."""
        self._faults.clear()

    def seed(self, seed: int | str) -> None:
        """Reseed the generator of ``probability`` faults."""
        self._faults.reseed(seed)

    @property
    def sleeps(self) -> list[Sleep]:
        """Every delay of this test: botocore's retry backoff and injected latency."""
        return self.clock.sleeps

    @property
    def backoff(self) -> list[float]:
        """The retry delays botocore asked for, in order (recorded, not slept)."""
        return self.clock.backoff

    def calls(self, operation: EcrOperation | None = None) -> CallList:
        """Recorded attempts, all or of one operation (API name or client method), in
        order; an unknown name is a ``ValueError`` with a "did you mean"."""
        return self._history.calls(operation, installed_operations())

    # -- clients -------------------------------------------------------------------------

    def client(self, region: str | None = None, **config: Any) -> ECRClient:
        """A boto3 ECR client for *region* (default: the declared region).

        Keyword arguments become a ``botocore.config.Config`` (``retries=...``,
        ``read_timeout=...``). The client is created with fake credentials, so it is
        answered by whichever fake is active when it sends a request.
        """
        from botocore.config import Config

        return cast(
            "ECRClient",
            botocore_hook.create_client(
                region or self.region, Config(**config) if config else None
            ),
        )

    def attach(self, client: Any) -> Any:
        """Route a client created before pytest-ecr loaded through the fake; returns it."""
        botocore_hook.attach(client)
        return client

    # -- activation ----------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether this fake is the one answering ECR requests now."""
        return responder.active() is self

    def activate(self) -> FakeEcr:
        """Answer every ECR client in this process from now on (``with fake:`` does this)."""
        responder.activate(self)
        if self._fake_environment and self._saved_env is None:
            self._saved_env = patch_environment(self.region)
        if self._moto is not None and not self._moto.active:
            try:
                self._moto.start(self.registry)
            except BaseException:
                self.deactivate()
                raise
        return self

    def deactivate(self) -> None:
        """Stop answering; restore the environment (``with fake:`` does this on exit)."""
        try:
            if self._moto is not None:
                # Before the environment is restored: moto's mock restores what it
                # patched on top of the fake's environment.
                self._moto.stop()
        finally:
            responder.deactivate(self)
            if self._saved_env is not None:
                restore_environment(self._saved_env)
                self._saved_env = None

    @property
    def moto(self) -> MotoBackend:
        """The moto backend (``backend="moto"`` only): ``.ecr(account, region)`` is moto's
        ``ECRBackend``, the live state of this test."""
        if self._moto is None:
            raise AttributeError(f"this FakeEcr uses the {self.backend!r} backend, not 'moto'")
        return self._moto

    def stubber(self, client: Any = None) -> EcrStubber:
        """A ``botocore.stub.Stubber`` on *client* (default: a new :meth:`client`) whose
        ``expect(operation, **params)`` queues what this registry answers, computed on a
        fork of the declared state. Stubbed calls are recorded in :meth:`calls`; faults
        do not apply to them (the Stubber answers before botocore's retry loop). Use it
        as a context manager, like any Stubber."""
        from pytest_ecr.backends.stubber import EcrStubber

        return EcrStubber(
            client if client is not None else self.client(),
            self._declared.fork(),
            account=self.account,
            on_call=self._history.record,
        )

    def __enter__(self) -> FakeEcr:
        return self.activate()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.deactivate()
