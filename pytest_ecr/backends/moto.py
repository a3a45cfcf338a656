"""The moto backend: moto's ECR, seeded from the declared registry.

While a :class:`~pytest_ecr.FakeEcr` with ``backend="moto"`` is active:

- moto's mock is on. The fake starts ``moto.mock_aws()``, or reuses one that is already
  active (a ``@mock_aws`` decorator, a fixture) and leaves it running afterwards.
- moto's ECR state *is* the declaration: on activation, :meth:`FakeEcr.reset` and
  :meth:`FakeEcr.load`, every moto ECR backend is reset and the declared repositories
  (name, tag mutability and exclusion filters, scan and encryption settings with the KMS
  key ARN, creation time, tags, repository policy), the registry policy, and images (exact
  manifest text, media type, tags in declared order, push time) are put into
  ``ecr_backends[account][region]``. Images are stored with their declared digests, so a
  declared image has its real digest in moto too; images pushed through moto's PutImage
  get moto's own digest (moto/ecr/models.py, Image._create_digest). Account settings have
  no place in moto and are dropped (moto answers neither Get- nor PutAccountSetting).
- ``MOTO_ACCOUNT_ID`` is the declared account, so the other services moto mocks (Lambda,
  ECS, S3, ...) act in the caller's account and see the declared images there.
- Faults stay the fake's: an attempt a fault answers never reaches moto. Every other
  request is handed to moto's own ECR response class, in the registry it addresses (its
  ``registryId`` when that is a declared account, else the caller's account), and moto's
  answer is recorded in the call history like any other.
- On deactivation moto's ECR backends are reset; a mock the fake started is stopped,
  which resets every moto service as ``mock_aws`` always does.

moto is imported here only, and only inside functions: ``import pytest_ecr`` and
``import pytest_ecr.plugin`` never import it.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from pytest_ecr.backends import BackendError
from pytest_ecr.credentials import FAKE_ACCESS_KEY
from pytest_ecr.model import RegistryState, Repository, scanning
from pytest_ecr.model.lifecycle import LIFECYCLE_POLICY_KEY, StoredPolicy
from pytest_ecr.model.policies import REGISTRY_POLICY, registry_policy, repository_policy
from pytest_ecr.model.tags import repository_tags
from pytest_ecr.service import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.wire import CONTENT_TYPE, TARGET_PREFIX

# The registry a request is routed to. moto's own ``x-moto-account-id`` header loses to
# the MOTO_ACCOUNT_ID variable this backend sets, so the routed response class reads this
# header first.
_ACCOUNT_HEADER = "x-pytest-ecr-account"
_ACCOUNT_ENV = "MOTO_ACCOUNT_ID"
_UNSET = object()


@functools.cache
def _response_class() -> Any:
    """moto's ECR response class, answering in the account named by our header."""
    from moto.ecr.responses import ECRResponse

    class RoutedECRResponse(ECRResponse):
        def get_current_account(self) -> str:
            account = self.headers.get(_ACCOUNT_HEADER)
            return str(account) if account else str(super().get_current_account())

    return RoutedECRResponse


def _utc(timestamp: float) -> datetime:
    # moto keeps naive UTC datetimes (its utcnow()); match it so its serializer agrees.
    return datetime.fromtimestamp(timestamp, timezone.utc).replace(tzinfo=None)


class MotoBackend:
    """moto's ECR seeded from a :class:`RegistryState`, answering the fake's requests."""

    def __init__(self) -> None:
        self._mock: Any = None
        self._saved_account: object = _UNSET
        self._accounts: frozenset[str] = frozenset()
        self._account = ""
        self._region = ""

    @property
    def active(self) -> bool:
        return self._saved_account is not _UNSET

    @property
    def owns_mock(self) -> bool:
        """Whether this backend started moto's mock (rather than reusing one)."""
        return self._mock is not None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, state: RegistryState) -> None:
        """Turn moto's mock on (or join an active one) and seed it from *state*."""
        if self.active:
            self.seed(state)
            return
        current = os.environ.get(_ACCOUNT_ENV)
        if current is not None and current != state.account:
            raise BackendError(
                f"the moto ECR backend: {_ACCOUNT_ENV}={current} but the declared account "
                f"is {state.account}; moto must act in the declared (caller's) account — "
                f'declare `account: "{current}"` in the registry, or unset {_ACCOUNT_ENV}'
            )
        import moto
        from moto.core.models import botocore_stubber

        if not botocore_stubber.enabled:
            mock = moto.mock_aws()
            mock.start()
            self._mock = mock
        self._saved_account = current
        os.environ[_ACCOUNT_ENV] = state.account
        try:
            self.seed(state)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Reset moto's ECR state; stop the mock if this backend started it."""
        if not self.active:
            return
        try:
            _reset_ecr()
        finally:
            if self._saved_account is None:
                os.environ.pop(_ACCOUNT_ENV, None)
            else:
                os.environ[_ACCOUNT_ENV] = str(self._saved_account)
            self._saved_account = _UNSET
            mock, self._mock = self._mock, None
            if mock is not None:
                mock.stop()

    def seed(self, state: RegistryState) -> None:
        """Make moto's ECR state exactly *state* (every ECR backend is reset first)."""
        from moto.ecr.models import ecr_backends

        _reset_ecr()
        accounts = {state.account}
        for repo in state.repositories():
            accounts.add(repo.registry_id)
            _seed_repository(ecr_backends[repo.registry_id][repo.region], repo)
        # The registry policy; account settings have no place in moto and are dropped.
        for account, region, _ in state.registry_settings(REGISTRY_POLICY):
            backend = ecr_backends[account][region]
            backend.registry_policy = registry_policy(state, account, region)
        _seed_scanning(state, ecr_backends)
        _seed_registry_settings(state, ecr_backends, accounts)
        self._accounts = frozenset(accounts)
        self._account, self._region = state.account, state.region

    def ecr(self, account: str | None = None, region: str | None = None) -> Any:
        """moto's ``ECRBackend`` for *account* and *region* (default: the declared ones),
        for tests that look at moto's state directly."""
        from moto.ecr.models import ecr_backends

        return ecr_backends[account or self._account][region or self._region]

    # -- answering -----------------------------------------------------------------------

    def answer(
        self, operation: str, params: Mapping[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        """moto's answer to one request: its output dict, or :class:`EcrError` for an
        error answer. Exceptions moto raises itself (a bare ``Exception`` for PutImage to a
        missing repository, ``ParamValidationError`` for an empty ``imageIds``)
        propagate unchanged, as they would under plain ``mock_aws``."""
        from botocore.awsrequest import AWSPreparedRequest
        from botocore.compat import HTTPHeaders
        from werkzeug.exceptions import HTTPException  # moto's own dependency

        registry_id = params.get("registryId")
        account = (
            registry_id
            if isinstance(registry_id, str) and registry_id in self._accounts
            else ctx.account
        )
        url = f"https://api.ecr.{ctx.region}.amazonaws.com/"
        fields = {
            "X-Amz-Target": f"{TARGET_PREFIX}.{operation}",
            "Content-Type": CONTENT_TYPE,
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/20260101/{ctx.region}"
                "/ecr/aws4_request, SignedHeaders=host;x-amz-target, Signature=0"
            ),
            _ACCOUNT_HEADER: account,
        }
        headers = HTTPHeaders()
        for name, value in fields.items():
            headers[name] = value
        body = json.dumps(dict(params)).encode("utf-8")
        request: Any = AWSPreparedRequest("POST", url, headers, body, False)
        normalize = _request_normalizer()
        if normalize is not None:
            request = normalize(request)
        try:
            status, _, text = _response_class().dispatch(request, url, headers)
        except HTTPException as error:
            status, text = int(error.code or 500), error.get_body()
        return _decode(int(status), text)

    def validate(self, operation: str, params: Mapping[str, Any], ctx: RequestContext) -> None:
        """Request-level checks of a request whose every image id an injected failure
        took: moto is asked whether the repository exists, and nothing else."""
        name = params.get("repositoryName")
        if not isinstance(name, str):
            return
        lookup: dict[str, Any] = {"repositoryNames": [name]}
        if "registryId" in params:
            lookup["registryId"] = params["registryId"]
        self.answer("DescribeRepositories", lookup, ctx)


def _seed_registry_settings(state: RegistryState, backends: Any, accounts: set[str]) -> None:
    """Registry-level settings moto can hold: the replication configuration (moto keeps
    the API's dict). Signing configurations and backfills moto does not know are dropped."""
    from pytest_ecr.model.replication import REPLICATION, ReplicationConfiguration
    from pytest_ecr.service.replication import configuration_shape

    for account, region, value in state.registry_settings(REPLICATION):
        if isinstance(value, ReplicationConfiguration):
            accounts.add(account)
            backends[account][region].replication_config = configuration_shape(value)


def _seed_repository(backend: Any, repo: Repository) -> None:
    from moto.ecr.models import Image as MotoImage

    encryption: dict[str, str] = {"encryptionType": repo.encryption_type}
    if repo.kms_key:
        encryption["kmsKey"] = repo.kms_key
    created = backend.create_repository(
        repository_name=repo.name,
        registry_id=repo.registry_id,
        encryption_config=encryption,
        image_scan_config={"scanOnPush": repo.scan_on_push},
        image_tag_mutability=repo.tag_mutability.value,
        tags=[{"Key": key, "Value": value} for key, value in repository_tags(repo)],
        image_tag_mutability_exclusion_filters=[
            {"filterType": "WILDCARD", "filter": f} for f in repo.tag_mutability_exclusion_filters
        ]
        or None,
    )
    if repo.created_at:
        created.created_at = _utc(repo.created_at)
    created.policy = repository_policy(repo)
    # Images are appended directly (moto's put_image scans every stored manifest on each
    # push) and carry their declared digest, which moto would otherwise compute wrongly.
    for image in repo.images():
        tags = repo.tags_of(image.digest)
        first_tag: Any = tags[0] if tags else None  # moto stores untagged images with None
        stored = MotoImage(
            backend.account_id,
            first_tag,
            image.manifest,
            repo.name,
            image.media_type,
            image.digest,
        )
        for tag in tags[1:]:
            stored.update_tag(tag)
        if image.pushed_at:
            stored.image_pushed_at = int(image.pushed_at)
        created.images.append(stored)
    # moto keeps a lifecycle policy's text (and evaluates nothing); previews are dropped.
    policy = repo.setting(LIFECYCLE_POLICY_KEY)
    if isinstance(policy, StoredPolicy):
        created.lifecycle_policy = policy.text


def _seed_scanning(state: RegistryState, ecr_backends: Any) -> None:
    """Each declared registry scanning configuration, as moto holds it (declared scans
    have no place in moto: it answers its own fixed finding)."""
    for account, region, config in state.registry_settings(scanning.REGISTRY_SCANNING_KEY):
        if not isinstance(config, scanning.ScanningConfiguration):
            continue
        rules = [
            {
                "scanFrequency": rule.frequency,
                "repositoryFilters": [
                    {"filter": f, "filterType": "WILDCARD"} for f in rule.filters
                ],
            }
            for rule in config.rules
        ]
        ecr_backends[account][region].put_registry_scanning_configuration(config.scan_type, rules)


def _reset_ecr() -> None:
    from moto.ecr.models import ecr_backends

    for per_account in list(ecr_backends.values()):
        per_account.reset()


def _decode(status: int, text: Any) -> dict[str, Any]:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = None
    if status < 300 and isinstance(body, dict):
        return body
    if isinstance(body, dict) and body.get("__type"):
        code = str(body["__type"]).rpartition("#")[2]
        message = body.get("message", body.get("Message", ""))
        raise EcrError(code, str(message), status)
    raise EcrError("InternalFailure", f"moto answered HTTP {status}: {str(text)[:300]}", status)


__all__ = ["MotoBackend"]


def _request_normalizer() -> Any:
    """moto 5.2.4 and later take their own request type, made by ``normalize_request``;
    earlier versions take botocore's request as it is (``None`` then)."""
    try:
        from moto.core.request import normalize_request
    except ImportError:
        return None
    return normalize_request
