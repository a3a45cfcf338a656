"""What is measured: the data, the contenders' clients, moto, the generated suites."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import logging
import os
import resource
import shlex
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import boto3
from botocore.awsrequest import AWSResponse

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import synthetic_manifest
from pytest_ecr.model import Image, MediaType, RegistryState
from pytest_ecr.service import RequestContext, dispatch
from pytest_ecr.wire import encode_result

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ACCOUNT = "123456789012"
REGION = "us-east-1"
REPOSITORY = "bench/app"
ACCESS_KEY = "AKIABENCHMARK0000000"
SECRET_KEY = "benchmark/secret/key/never/valid/000000000"

# -- data ------------------------------------------------------------------------------------


class Data:
    """Manifests, model states and YAML declarations shared by every section."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._manifests: list[str] = []
        self._images: list[Image] = []
        self._states: dict[int, RegistryState] = {}
        self.yaml_files: dict[tuple[int, str], Path] = {}

    def manifests(self, count: int) -> list[str]:
        while len(self._manifests) < count:
            i = len(self._manifests)
            self._manifests.append(synthetic_manifest(MediaType.DOCKER_V2, f"bench/{i}"))
        return self._manifests[:count]

    def images(self, count: int) -> list[Image]:
        manifests = self.manifests(count)
        while len(self._images) < count:
            self._images.append(Image.from_manifest(manifests[len(self._images)]))
        return self._images[:count]

    def state(self, count: int) -> RegistryState:
        """A frozen state with one repository of *count* images tagged ``v0``..., built
        with the model API (no YAML)."""
        if count not in self._states:
            state = RegistryState(ACCOUNT, REGION)
            repo = state.create_repository(REPOSITORY)
            for i, image in enumerate(self.images(count)):
                repo.put(image)
                repo.tag(f"v{i}", image.digest)
            self._states[count] = state.freeze()
        return self._states[count]

    def forget_state(self, count: int) -> None:
        self._states.pop(count, None)

    def yaml_file(self, count: int, style: str = "text") -> Path:
        """A declaration of the same images: ``manifest_text`` block strings (*text*) or
        inline ``manifest`` mappings (*mapping*)."""
        key = (count, style)
        if key not in self.yaml_files:
            path = self.workdir / f"registry-{count}-{style}.yaml"
            path.write_text(declaration_yaml(self.manifests(count), style), encoding="utf-8")
            self.yaml_files[key] = path
        return self.yaml_files[key]


def _yaml_block(value: Any, indent: int) -> list[str]:
    """Block-style YAML of a JSON-like value (strings written as JSON strings)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(_yaml_block(item, indent + 2))
            else:
                lines.append(f"{pad}{key}: {json.dumps(item)}")
    else:
        for item in value:
            inner = _yaml_block(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
    return lines


def declaration_yaml(manifests: Sequence[str], style: str) -> str:
    out = [
        "version: 1",
        f'account: "{ACCOUNT}"',
        f"region: {REGION}",
        "repositories:",
        f"  - name: {REPOSITORY}",
        "    images:",
    ]
    for i, manifest in enumerate(manifests):
        out.append(f"      - tags: [v{i}]")
        if style == "text":
            out.append("        manifest_text: |-")
            out.extend("          " + line for line in manifest.split("\n"))
        else:
            out.append("        manifest:")
            out.extend(_yaml_block(json.loads(manifest), 10))
    return "\n".join(out) + "\n"


def declaration_data(manifests: Sequence[str]) -> dict[str, Any]:
    """The same declaration as plain data (what the YAML holds), for the JSON row."""
    return {
        "version": 1,
        "account": ACCOUNT,
        "region": REGION,
        "repositories": [
            {
                "name": REPOSITORY,
                "images": [
                    {"tags": [f"v{i}"], "manifest_text": manifest}
                    for i, manifest in enumerate(manifests)
                ],
            }
        ],
    }


def spread_ids(repository_size: int, count: int) -> list[dict[str, str]]:
    """*count* tags spread evenly over a repository of *repository_size* images."""
    step = max(1, repository_size // count)
    return [{"imageTag": f"v{i * step}"} for i in range(count)]


# -- clients ---------------------------------------------------------------------------------


def new_client(endpoint_url: str | None = None) -> Any:
    """The same client for every contender: own session, explicit fake credentials."""
    return boto3.session.Session().client(
        "ecr",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        endpoint_url=endpoint_url,
    )


class _RawBody:
    """The urllib3-like body an ``AWSResponse`` is read from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def canned_client(body: bytes) -> Any:
    """A client answered by a before-send handler with a precomputed body: botocore's
    whole pipeline (validation, serialisation, signing, retries, parsing), no fake."""
    headers = {
        "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000",
        "Content-Type": "application/x-amz-json-1.1",
        "Content-Length": str(len(body)),
    }

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, cast("Any", headers), _RawBody(body))

    client = new_client()
    client.meta.events.register("before-send.ecr", answer)
    return client


def plugin_answer(state: RegistryState, ids: list[dict[str, str]]) -> bytes:
    params = {"repositoryName": REPOSITORY, "imageIds": ids}
    result = dispatch(state.fork(), "BatchGetImage", params, RequestContext(ACCOUNT, REGION))
    return encode_result(result).body


def caller(client: Any, kwargs: dict[str, Any]) -> Callable[[], object]:
    """One BatchGetImage call of *client*, as a variant's body."""

    def call() -> object:
        return client.batch_get_image(**kwargs)

    return call


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def active(fake: FakeEcr) -> Callable[[], contextlib.AbstractContextManager[object]]:
    """The fake active for a block, with a fresh call log, as a test would have it."""

    @contextlib.contextmanager
    def context() -> Iterator[object]:
        fake.reset()
        with fake:
            yield fake

    return context


# -- moto ------------------------------------------------------------------------------------


class Moto:
    """moto's in-process mock and server, seeded through PutImage."""

    def __init__(self) -> None:
        from moto import mock_aws

        self._mock_aws = mock_aws
        self.version = importlib.metadata.version("moto")
        self._mock = mock_aws()
        self._started = False
        self._client: Any = None
        self.seeded: dict[str, int] = {}
        self.seed_seconds: dict[str, float] = {}
        self.server: Any = None
        self.server_url: str | None = None

    @contextlib.contextmanager
    def active(self) -> Iterator[object]:
        """mock_aws on, keeping its state between blocks (start/stop without reset)."""
        self._mock.start(reset=not self._started)
        self._started = True
        try:
            yield self
        finally:
            self._mock.stop(remove_data=False)

    @property
    def client(self) -> Any:
        if self._client is None:
            with self.active():
                self._client = new_client()
        return self._client

    def seed(self, repository: str, manifests: Sequence[str]) -> None:
        if repository in self.seeded:
            return
        client = self.client
        start = time.perf_counter()
        with self.active():
            client.create_repository(repositoryName=repository)
            for i, manifest in enumerate(manifests):
                client.put_image(
                    repositoryName=repository, imageManifest=manifest, imageTag=f"v{i}"
                )
        self.seed_seconds[repository] = time.perf_counter() - start
        self.seeded[repository] = len(manifests)

    def start_server(self) -> str:
        if self.server_url is None:
            from moto.server import ThreadedMotoServer

            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self.server.start()
            host, port = self.server.get_host_and_port()
            self.server_url = f"http://{host}:{port}"
        return self.server_url

    def per_test(self) -> None:
        """What a moto test pays before its first call: mock_aws on, a client, mock off."""
        with self._mock_aws():
            boto3.client("ecr", region_name=REGION)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def load_moto() -> Moto | None:
    try:
        return Moto()
    except ImportError:
        return None


def own_answer(fake: FakeEcr, kwargs: dict[str, Any]) -> Callable[[], object] | None:
    """The plugin's own work for one request, without botocore: the request botocore
    would send (captured once) decoded by the codec, answered by ``FakeEcr.answer`` and
    encoded, as the hook does it (``pytest_ecr.wire.respond``)."""
    try:
        from pytest_ecr.wire import respond
    except ImportError:  # a version of the plugin without the shared codec step
        return None
    seen: dict[str, Any] = {}

    def grab(request: Any, **_: Any) -> AWSResponse:
        seen["headers"] = request.headers  # botocore's own headers object, as the hook gets
        seen["body"] = request.body
        return AWSResponse(request.url, 200, cast("Any", {}), _RawBody(b"{}"))

    client = new_client()
    client.meta.events.register("before-send.ecr", grab)
    client.batch_get_image(**kwargs)

    def run() -> object:
        return respond(fake.answer, seen["headers"], seen["body"], transport="botocore")

    try:
        run()
    except TypeError:  # the codec's signature changed: leave the row out
        return None
    return run


def subprocess_env(pycache: Path | None) -> dict[str, str]:
    """The environment of the pytest subprocesses: fake AWS settings, and bytecode cached
    under *pycache* (never beside the sources), or not cached at all when it is ``None``."""
    drop = ("AWS_", "PYTEST_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/nonexistent/benchmark-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/benchmark-credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return env


@dataclass(frozen=True)
class Timed:
    """One subprocess run: wall-clock and CPU (user + system) nanoseconds, and its output."""

    wall: int
    cpu: int
    stdout: str


def _children_cpu() -> int:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def time_command(command: list[str], cwd: Path, env: dict[str, str]) -> Timed:
    """Run *command* to completion; raises :class:`RuntimeError` when it fails."""
    cpu = _children_cpu()
    start = time.perf_counter_ns()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter_ns() - start
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-2000:]
        raise RuntimeError(f"{shlex.join(command)} exited {done.returncode}:\n{tail}")
    return Timed(elapsed, _children_cpu() - cpu, done.stdout)


SUITE_PLUGIN = """\
import boto3
import pytest

pytestmark = pytest.mark.ecr_registry("registry.yaml")


@pytest.mark.parametrize("n", range({tests}))
def test_batch_get_image(n):
    client = boto3.client("ecr", region_name="us-east-1")
    ids = [{{"imageTag": f"v{{(n * 10 + k) % 100}}"}} for k in range(10)]
    response = client.batch_get_image(repositoryName="bench/app", imageIds=ids)
    assert len(response["images"]) == 10
"""

SUITE_PLUGIN_FIXTURE = """\
import pytest

pytestmark = pytest.mark.ecr_registry("registry.yaml")


@pytest.mark.parametrize("n", range({tests}))
def test_batch_get_image(n, ecr_client):
    ids = [{{"imageTag": f"v{{(n * 10 + k) % 100}}"}} for k in range(10)]
    response = ecr_client.batch_get_image(repositoryName="bench/app", imageIds=ids)
    assert len(response["images"]) == 10
"""

SUITE_STUBBER = """\
import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

IMAGES = json.loads(Path(__file__).with_name("images.json").read_text())


@pytest.mark.parametrize("n", range({tests}))
def test_batch_get_image(n):
    client = boto3.client("ecr", region_name="us-east-1")
    ids = [{{"imageTag": f"v{{(n * 10 + k) % 100}}"}} for k in range(10)]
    canned = {{"images": [IMAGES[i["imageTag"]] for i in ids], "failures": []}}
    with Stubber(client) as stubber:
        stubber.add_response(
            "batch_get_image", canned, {{"repositoryName": "bench/app", "imageIds": ids}}
        )
        response = client.batch_get_image(repositoryName="bench/app", imageIds=ids)
    assert len(response["images"]) == 10
"""

SUITE_MOTO = """\
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

MANIFESTS = {{
    tag: image["imageManifest"]
    for tag, image in json.loads(Path(__file__).with_name("images.json").read_text()).items()
}}


@pytest.fixture
def ecr_client():
    with mock_aws():
        yield boto3.client("ecr", region_name="us-east-1")


@pytest.mark.parametrize("n", range({tests}))
def test_batch_get_image(n, ecr_client):
    ids = [{{"imageTag": f"v{{(n * 10 + k) % 100}}"}} for k in range(10)]
    # moto has no declarations: each test seeds what it reads (only those 10 images).
    ecr_client.create_repository(repositoryName="bench/app")
    for image_id in ids:
        tag = image_id["imageTag"]
        ecr_client.put_image(repositoryName="bench/app", imageManifest=MANIFESTS[tag], imageTag=tag)
    response = ecr_client.batch_get_image(repositoryName="bench/app", imageIds=ids)
    assert len(response["images"]) == 10
"""
