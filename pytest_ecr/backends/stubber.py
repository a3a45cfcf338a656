"""Stubber mode: a real ``botocore.stub.Stubber`` whose queued answers come from the
declared registry.

:meth:`EcrStubber.expect` computes what the local backend would answer for an operation
and its parameters (with :func:`pytest_ecr.service.dispatch`, on the stubber's own fork of
the declared state, no HTTP involved), turns it into exactly what botocore's parser would
return, and queues it with ``expected_params``, so the order and the parameters of the
calls are checked strictly. Expectations share state in the order they are queued: an
expected PutImage makes the image visible to the expectations queued after it.

The Stubber answers at botocore's ``before-call`` event, before a request is built,
signed, retried or sent, so the fake's in-process hook never sees a stubbed call and
faults do not apply to it (there is no retry loop to act in); queue an error with
:meth:`EcrStubber.expect_error` instead. Stubbed calls are still recorded in the fake's
call history, with ``transport="stubber"``.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from pprint import pformat
from typing import Any, cast

from botocore import parsers
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from pytest_ecr._literals import EcrErrorCode, EcrOperation
from pytest_ecr.history import Call, EcrCallAssertionError
from pytest_ecr.model import RegistryState
from pytest_ecr.service import RequestContext, dispatch, validate_request
from pytest_ecr.service.catalogue import (
    default_error_message,
)
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.operation_names import UnknownOperationError, canonical_operation
from pytest_ecr.wire import encode_result

_PARAMS_KEY = "pytest_ecr_params"
_HANDLER_ID = "pytest-ecr-stubber"
# Operations that write: computing an error's default message for them must not run them.
_WRITES = frozenset({"PutImage", "BatchDeleteImage", "CreateRepository", "DeleteRepository"})
_WRITES |= {"PutLifecyclePolicy", "DeleteLifecyclePolicy", "StartLifecyclePolicyPreview"}


class EcrStubber(Stubber):
    """A ``botocore.stub.Stubber`` on an ECR client, with helpers that queue the answers
    of the declared registry.

    *state* is the writable registry the expectations are computed on (the ``ecr``
    fixture passes a fork of the declared state). *on_call* receives a
    :class:`~pytest_ecr.history.Call` for every stubbed call the client makes.
    """

    def __init__(
        self,
        client: Any,
        state: RegistryState,
        *,
        account: str | None = None,
        region: str | None = None,
        on_call: Callable[[Call], None] | None = None,
    ) -> None:
        super().__init__(client)
        if client.meta.service_model.service_id.hyphenize() != "ecr":
            raise TypeError(
                f"EcrStubber takes an ECR client, got a "
                f"{client.meta.service_model.service_name!r} client"
            )
        #: The registry the expectations are computed on, updated as they are queued.
        self.registry = state
        self._ctx = RequestContext(
            account=account or state.account, region=region or client.meta.region_name
        )
        self._on_call = on_call

    @property
    def _pending(self) -> deque[dict[str, Any]]:
        # botocore's queue of stubbed answers (typed here: the stubs do not declare it).
        queue: deque[dict[str, Any]] = self.__dict__["_queue"]
        return queue

    def __repr__(self) -> str:
        return f"<EcrStubber {len(self._pending)} pending on {self.client.meta.region_name}>"

    # -- activation ----------------------------------------------------------------------

    def activate(self) -> None:
        super().activate()
        events = self.client.meta.events
        events.register(
            "before-parameter-build.ecr.*", self._remember_params, unique_id=f"{_HANDLER_ID}-p"
        )
        events.register("after-call.ecr.*", self._record, unique_id=f"{_HANDLER_ID}-r")

    def deactivate(self) -> None:
        super().deactivate()
        events = self.client.meta.events
        events.unregister("before-parameter-build.ecr.*", unique_id=f"{_HANDLER_ID}-p")
        events.unregister("after-call.ecr.*", unique_id=f"{_HANDLER_ID}-r")

    # -- expectations --------------------------------------------------------------------

    def expect(self, operation: EcrOperation, /, **params: Any) -> dict[str, Any]:
        """Queue what the local backend answers to *operation* with *params*, expecting
        exactly these parameters. *operation* is the API name (``"BatchGetImage"``) or
        the client method (``"batch_get_image"``).

        Returns the queued answer as the client will return it (with an ``Error`` entry
        when the registry answers with an error, which the client raises as
        ``ClientError``).
        """
        api, method = self._names(operation)
        try:
            result = dispatch(self.registry, api, _wire(params), self._ctx)
        except EcrError as error:
            return self._queue_error(method, api, error, params)
        parsed = self._parse(api, result)
        # Queued as Stubber.add_response does, minus its check of the answer against the
        # output shape: that check applies input constraints (min lengths) to outputs and
        # rejects answers ECR really sends, such as BatchDeleteImage's "imageIds": [].
        # The answer here is botocore's own parse of a valid wire answer.
        self._pending.append(
            {
                "operation_name": api,
                "response": (_ok_response(), parsed),
                "expected_params": copy.deepcopy(params),
            }
        )
        return copy.deepcopy(parsed)

    def expect_error(
        self,
        operation: EcrOperation,
        code: EcrErrorCode,
        /,
        message: str | None = None,
        *,
        status: int | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Queue an error answer (*code*, e.g. ``"ThrottlingException"``) for *operation*
        called with exactly *params*.

        Without *message* (or *status*), the text (and status) are those the local
        backend gives for this code and these parameters, or ECR's known text for the
        code (``Rate exceeded`` for throttling), or pytest-ecr's documented default.
        """
        api, method = self._names(operation)
        derived: EcrError | None = None
        try:
            if api in _WRITES:
                validate_request(self.registry, api, _wire(params), self._ctx)
            else:
                dispatch(self.registry, api, _wire(params), self._ctx)
        except EcrError as local_error:
            derived = local_error if local_error.code == code else None
        if derived is None:
            repository = params.get("repositoryName")
            derived = EcrError(
                code,
                default_error_message(
                    code,
                    api,
                    repository if isinstance(repository, str) else None,
                    str(params.get("registryId") or self._ctx.account),
                    self._ctx.region,
                ),
                500 if code == "ServerException" else 400,
            )
        error = EcrError(
            code,
            message if message is not None else derived.message,
            status if status is not None else derived.status,
        )
        return self._queue_error(method, api, error, params)

    def assert_no_pending_responses(self) -> None:
        """Fail, listing them, if some queued answers were never asked for."""
        __tracebackhide__ = True
        if not self._pending:
            return
        lines = [
            f"{len(self._pending)} expected ECR call(s) were never made "
            "(ecr_stubber expectations, in queue order):"
        ]
        for item in self._pending:
            expected = item["expected_params"]
            shown = "any parameters" if expected is None else pformat(expected, width=88)
            lines.append(f"  - {item['operation_name']} with {shown}")
        raise EcrCallAssertionError("\n".join(lines))

    @property
    def pending(self) -> list[str]:
        """Operation names of the answers still queued, in order."""
        return [str(item["operation_name"]) for item in self._pending]

    # -- internals -----------------------------------------------------------------------

    def _names(self, operation: str) -> tuple[str, str]:
        meta = self.client.meta
        if operation in meta.method_to_api_mapping:
            return str(meta.method_to_api_mapping[operation]), operation
        for method, api in meta.method_to_api_mapping.items():
            if api == operation:
                return str(api), str(method)
        # Not in this client's model: the same error (with a "did you mean") as calls().
        api = canonical_operation(operation)
        raise UnknownOperationError(
            f"the installed botocore's ECR model has no operation {api!r}; upgrade botocore"
        )

    def _parse(self, api: str, result: Mapping[str, Any]) -> dict[str, Any]:
        """*result* as botocore's parser turns the wire answer into the client's return."""
        service_model = self.client.meta.service_model
        wire = encode_result(result)
        parser = parsers.create_parser(service_model.metadata["protocol"])
        shape = service_model.operation_model(api).output_shape
        assert shape is not None, f"{api} has no output shape"
        parsed: dict[str, Any] = parser.parse(
            {"status_code": wire.status, "headers": wire.headers, "body": wire.body}, shape
        )
        parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
        return parsed

    def _queue_error(
        self, method: str, api: str, error: EcrError, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        model: Any = self.client.meta.service_model
        shape = model.shape_for_error_code(error.code)
        members = getattr(shape, "members", {})
        modeled = {"message": error.message} if "message" in members else None
        self.add_client_error(
            method,
            service_error_code=error.code,
            service_message=error.message,
            http_status_code=error.status,
            expected_params=copy.deepcopy(dict(params)),
            modeled_fields=modeled,
        )
        answer: dict[str, Any] = copy.deepcopy(self._pending[-1]["response"][1])
        return answer

    def _remember_params(self, params: Any, context: Any, **_: Any) -> None:
        if isinstance(context, dict):
            context[_PARAMS_KEY] = copy.deepcopy(params)

    def _record(self, http_response: Any, parsed: Any, model: Any, context: Any, **_: Any) -> None:
        if self._on_call is None:
            return
        status = int(getattr(http_response, "status_code", 200))
        error = parsed.get("Error") if isinstance(parsed, dict) else None
        params = context.get(_PARAMS_KEY, {}) if isinstance(context, dict) else {}
        response = None
        if error is None and isinstance(parsed, dict):
            # As the wire carried it: timestamps back to epoch seconds.
            response = _json_safe({k: v for k, v in parsed.items() if k != "ResponseMetadata"})
        self._on_call(
            Call(
                model.name,
                params,
                self._ctx.region,
                self._ctx.account,
                1,
                "stubber",
                response,
                {"__type": error.get("Code"), "message": error.get("Message")} if error else None,
                status,
                None,
                {},
            )
        )


def _ok_response() -> AWSResponse:
    # What Stubber.add_response puts in its queue: an empty HTTP 200.
    response: Any = AWSResponse
    return cast("AWSResponse", response(None, 200, {}, None))


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Mapping):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def _wire(params: Mapping[str, Any]) -> dict[str, Any]:
    """Client parameters as the service layer receives them (decoded JSON)."""
    decoded: dict[str, Any] = json.loads(json.dumps(dict(params), default=str))
    return decoded


__all__ = ["EcrStubber"]
