"""The package's structure, checked by tools: import-linter's contracts (and that they
bite), and the process-wide state, which is exactly the state listed here."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pytest_ecr"

#: Every module-level value of the package that changes after import, and why it is safe.
#: ``module:name`` -> justification. A new one fails ``test_process_state_is_listed`` until
#: it is listed here with its reason.
PROCESS_STATE = {
    # The one state that decides answers.
    "pytest_ecr.transports.responder:_active": (
        "the active fake: botocore's handlers are registered once per process and answer "
        "from it; set and cleared under _lock by activate()/deactivate()"
    ),
    "pytest_ecr.transports.responder:_lock": "serialises activate()/deactivate()",
    # Installation of the hook, once per process.
    "pytest_ecr.transports.__init__:_lock": "makes installing the botocore hook happen once",
    "pytest_ecr.transports.botocore_hook:_real_send": (
        "botocore's own Endpoint._send, replaced once by the network guard's"
    ),
    "pytest_ecr.transports.botocore_hook:_real_create_client": (
        "botocore's own Session.create_client, replaced once by the one that gives ECR "
        "clients created during a fake the fake's keys"
    ),
    "pytest_ecr.transports.guard:_on": (
        "the network guard's switch for the process, set by the plugin per pytest session "
        "(restored at its end)"
    ),
    "pytest_ecr.transports.guard:_opened": (
        "how many network_allowed() blocks are open (the ecr_allow_network marker's test)"
    ),
    "pytest_ecr.transports.guard:_lock": "serialises the switch, the counter and the stack",
    "pytest_ecr.transports.guard:_setting_up": (
        "the pytest fixtures being set up now (pushed and popped by the plugin's "
        "pytest_fixture_setup around each): read only to word the guard's message"
    ),
    "pytest_ecr.transports.aiobotocore_hook:_real_send": (
        "aiobotocore's own AioEndpoint._send, replaced once by the network guard's"
    ),
    "pytest_ecr.transports.aiobotocore_hook:_real_create_client": (
        "aiobotocore's own AioSession._create_client, replaced once by the one that gives "
        "ECR clients created during a fake the fake's keys"
    ),
    "pytest_ecr.transports.botocore_hook:_thread": (
        "per thread: whether the hook just answered, so the next retry sleep is virtual"
    ),
    "pytest_ecr.transports.aiobotocore_hook:_answered": (
        "per asyncio task (a context variable): whether the hook just answered, so the "
        "next retry sleep is virtual"
    ),
    "pytest_ecr.transports.botocore_hook:_session": (
        "one boto3 session for FakeEcr.client(): the service model is loaded once; clients "
        "carry no state of the fake"
    ),
    "pytest_ecr.transports.botocore_hook:_session_lock": (
        "botocore's client creation is not thread-safe"
    ),
    # Pure functions of their keys: whatever they hold, a hit is what computing gives.
    "pytest_ecr.transports.signer:FastFakeSigner._keys": (
        "SigV4 signing keys of the fixed fake secret by (date, region, service): a pure "
        "function of the key; bounded"
    ),
    "pytest_ecr.wire:_FRAGMENTS": (
        "JSON text of image entries keyed by their whole content (key order included): a "
        "pure function of the key; bounded"
    ),
    "pytest_ecr.wire:_id_counter": "request ids: only their uniqueness matters",
    # Read once per process from files of the installed package itself.
    "pytest_ecr.declarations.persist:code_hash": (
        "the hash of the parser's own sources, part of every store key: the code of a "
        "running process does not change"
    ),
    "pytest_ecr.declarations.jsonschema:_schema": "the shipped schema.json, parsed once",
    "pytest_ecr.declarations.synthetic_layers:_pooled": (
        "the shared layers of synthetic images, a pure function of (kind, index, platform), "
        "built once each: a few dozen KiB per platform, never anything but the bytes it "
        "would build again"
    ),
    "pytest_ecr.backends.moto:_response_class": "moto's ECR response class, looked up once",
    "pytest_ecr.transports.installed_model:installed_operations": (
        "the installed botocore's ECR operation names, read once: the installed botocore "
        "and its data path do not change while the process runs"
    ),
}

_MUTATORS = {
    "append", "add", "clear", "discard", "extend", "insert", "pop", "popitem", "remove",
    "setdefault", "update",
}  # fmt: skip


def _module_name(path: Path) -> str:
    return path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")


def _state_of(path: Path) -> set[str]:
    """Names of module-level (and class-level) values *path* changes after import:
    rebound by ``global``, mutated in place, or state objects (locks, locals, counters)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    found: set[str] = set()
    top: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    top[target.id] = node.value
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
        ):
            top[node.target.id] = node.value
    for name, value in top.items():
        if isinstance(value, ast.Call):
            func = value.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in {"Lock", "RLock", "local", "ContextVar", "count", "Event", "Condition"}:
                found.add(name)
    classes = {
        node.name: {
            target.id
            for item in node.body
            if isinstance(item, (ast.Assign, ast.AnnAssign))
            for target in (item.targets if isinstance(item, ast.Assign) else [item.target])
            if isinstance(target, ast.Name)
        }
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }
    for node in tree.body:
        # A module-level function whose results are kept for the process.
        if isinstance(node, ast.FunctionDef) and any(
            (d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", ""))
            in {"cache", "lru_cache"}
            for d in node.decorator_list
        ):
            found.add(node.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.update(node.names)
        base: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _MUTATORS:
                base = node.func.value
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript):
                    base = target.value
        if isinstance(base, ast.Name) and base.id in top:
            found.add(base.id)
        elif isinstance(base, ast.Attribute) and base.attr.startswith("_"):
            for cls, names in classes.items():
                if base.attr in names:
                    found.add(f"{cls}.{base.attr}")
    return {f"{module}:{name}" for name in found}


def test_process_state_is_listed() -> None:
    """The package's process-wide state is exactly :data:`PROCESS_STATE`: one value that
    decides answers (the active fake), and the rest named with why it is safe."""
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        found |= _state_of(path)
    assert sorted(found - PROCESS_STATE.keys()) == [], "unlisted process state"
    assert sorted(PROCESS_STATE.keys() - found) == [], "listed state that no longer exists"


def test_the_state_scan_sees_mutation(tmp_path: Path) -> None:
    """The scan is not blind: a module-level cache filled by a function is found."""
    probe = tmp_path / "probe.py"
    probe.write_text("CACHE = {}\n\ndef remember(k, v):\n    CACHE[k] = v\n", encoding="utf-8")
    original = ROOT
    try:
        globals()["ROOT"] = tmp_path
        assert _state_of(probe) == {"probe:CACHE"}
    finally:
        globals()["ROOT"] = original


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` run on the package under *cwd* (skips when it is not installed)."""
    beside = Path(sys.executable).with_name("lint-imports")
    executable = str(beside) if beside.exists() else shutil.which("lint-imports")
    if executable is None:
        pytest.skip("import-linter is not installed (pip install -e '.[lint]')")
    return subprocess.run(
        [executable, "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_the_import_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("model/probe.py", "import yaml\n", "The model knows nothing"),
        ("declarations/probe.py", "import pytest\n", "Only the plugin module imports pytest"),
        ("declarations/probe2.py", "import botocore.session\n", "aioboto3 only where"),
        ("plugin.py", "import aiobotocore.session\n", "aioboto3 only where"),
        ("history.py", "import aioboto3\n", "aioboto3 only where"),
        ("model/probe.py", "import aiobotocore\n", "The model knows nothing"),
        ("wire.py", "import moto\n", "Only the moto backend imports moto"),
        ("service/probe.py", "from pytest_ecr import fake\n", "Layers"),
        ("model/probe.py", "from pytest_ecr.model import image\n", "No import cycles"),
    ],
)
def test_a_probe_breaking_a_contract_fails_the_check(
    tmp_path: Path, module: str, source: str, contract: str
) -> None:
    """Each contract bites: a copy of the package with one forbidden import added fails
    ``lint-imports``, naming the contract."""
    shutil.copytree(PACKAGE, tmp_path / "pytest_ecr", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "pytest_ecr" / module
    if module == "model/probe.py" and "image" in source:
        # A cycle: image imports the probe, the probe imports image.
        image = tmp_path / "pytest_ecr" / "model" / "image.py"
        image.write_text(
            image.read_text(encoding="utf-8") + "\nfrom pytest_ecr.model import probe\n",
            encoding="utf-8",
        )
    existing = target.read_text(encoding="utf-8") if target.exists() else ""
    target.write_text(existing + "\n" + source, encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    # The summary lists each contract once, then KEPT or BROKEN (wrapped when long).
    summary = " ".join(result.stdout.split("Contracts", 1)[1].split())
    verdict = re.search(re.escape(contract) + r".*?\b(KEPT|BROKEN)\b", summary)
    assert verdict is not None, result.stdout
    assert verdict.group(1) == "BROKEN", result.stdout


# -- size and complexity ---------------------------------------------------------------------

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
MAX_COMPLEXITY = 20
#: The YAML reader is one tight state machine kept in one file for speed and safety.
MODULE_LINE_EXCEPTIONS: dict[str, int] = {}


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_modules_and_functions_stay_small() -> None:
    """No module over ~500 lines, no function over ~80 lines."""
    too_long: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        lines = text.count("\n")
        if lines > MODULE_LINE_EXCEPTIONS.get(name, MAX_MODULE_LINES):
            too_long.append(f"{name}: {lines} lines")
        for function in _functions(ast.parse(text)):
            length = (function.end_lineno or function.lineno) - function.lineno + 1
            if length > MAX_FUNCTION_LINES:
                too_long.append(f"{name}:{function.lineno} {function.name}: {length} lines")
    assert too_long == []


def test_no_function_is_too_complex() -> None:
    """Cyclomatic complexity (radon) of at most 20 for every function and method."""
    radon = pytest.importorskip("radon.complexity")
    complex_ = [
        f"{path.relative_to(ROOT).as_posix()}:{block.lineno} {block.name}: {block.complexity}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for block in radon.cc_visit(path.read_text(encoding="utf-8"))
        if block.complexity > MAX_COMPLEXITY
    ]
    assert complex_ == []
