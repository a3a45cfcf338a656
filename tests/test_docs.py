"""The docs are tested: every example runs, every name they mention exists, and everything
the plugin offers is in the reference.

How a page's fenced code blocks are used (the page's blocks share one directory):

* ``python``, ``yaml``, ``json``, ``js``, ``ini``, ``toml`` blocks with ``title="NAME"``
  are written to that file. Untitled ``python`` blocks become test modules.
* Every ``python`` block is then run by pytest, with the plugin, and must pass (a test may
  skip only for a missing external tool such as Node.js or skopeo).
* Every ``yaml`` block is a declaration: it must pass the validator and the JSON Schema,
  except those titled ``broken*.yaml``, which must fail them.
* ``console`` blocks are run: ``$ pytest-ecr ...``, ``$ pytest ...`` and ``$ echo $?``
  are the commands they may hold, and each shown output line must appear, in order
  (``...`` matches anything).
* ``bash`` and ``text`` blocks are not run here: installation steps (the install blocks of
  README.md and the tutorial are run verbatim by ``tests/test_wheel.py``), long-running
  servers, commands that need a real AWS account, and shown output.
* A block holding ``--8<--`` / ``FILE`` / ``--8<--`` includes a file of the example suite, which
  :func:`test_the_example_suite_passes` runs.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import DeclarationError, load_declaration
from pytest_ecr.declarations import format as declaration_format
from pytest_ecr.faults import FAULT_KEYS

# Every test here builds the site or runs a page's examples in a subprocess.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
PAGES = [*sorted(p for p in DOCS.rglob("*.md") if "examples" not in p.parts), ROOT / "README.md"]
WRITTEN = {"python", "yaml", "json", "js", "ini", "toml"}
NOT_RUN = {"bash", "text"}
KNOWN_LANGUAGES = WRITTEN | NOT_RUN | {"console"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<info>[^`\n]*)$")
# pymdownx.snippets, in its block form (a one-line `--8<-- "FILE"` would be reformatted
# by ruff, which formats the Python blocks of Markdown files).
SNIPPET = re.compile(r"^--8<--\n(?P<path>[^\n]+)\n--8<--$", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    title: str | None
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def included(self) -> bool:
        return bool(SNIPPET.search(self.text))


def code_blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, dedented."""
    blocks: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"].strip()
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        lang = info.split()[0] if info else ""
        title = re.search(r'title="([^"]+)"', info)
        start = index - len(body)
        blocks.append(
            Block(page, start, lang, title.group(1) if title else None, "\n".join(body) + "\n")
        )
        index += 1
    return blocks


def prose(page: Path) -> str:
    """The page without its code blocks."""
    text = page.read_text(encoding="utf-8")
    return re.sub(r"^([ \t]*)(```+|~~~+).*?^\1\2[ \t]*$", "", text, flags=re.M | re.S)


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _gen_reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_reference"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gen_reference = _gen_reference()


# -- the blocks themselves ---------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_blocks_have_known_languages(page: Path) -> None:
    for block in code_blocks(page):
        assert block.lang in KNOWN_LANGUAGES, (
            f"{block.where}: a ```{block.lang or '(no language)'} block is neither run nor "
            f"exempt; use one of {', '.join(sorted(KNOWN_LANGUAGES))}"
        )
        if block.title and not block.included:
            assert block.lang in WRITTEN, f"{block.where}: title= on a {block.lang} block"


def _snippets() -> Iterator[tuple[Path, str]]:
    for page in PAGES:
        for block in code_blocks(page):
            for match in SNIPPET.finditer(block.text):
                yield page, match["path"]


def test_included_files_exist_and_are_tested() -> None:
    included = list(_snippets())
    assert included, "the example suite is included in the docs"
    for page, path in included:
        target = ROOT / path
        assert target.is_file(), f"{page_id(page)} includes missing {path}"
        # What the docs include is run by the example suite (or is the changelog).
        assert target.is_relative_to(DOCS / "examples") or target.name == "CHANGELOG.md", path


# -- running a page ------------------------------------------------------------------------


def _matches(expected: str, actual: str) -> bool:
    actual = re.sub(r"\s+\[\s*\d+%\]$", "", actual.rstrip())  # pytest's progress column
    if "..." not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def assert_output(block: Block, command: str, expected: list[str], output: str) -> None:
    actual = output.splitlines()
    position = 0
    for want in (line for line in expected if line.strip()):
        while position < len(actual) and not _matches(want, actual[position]):
            position += 1
        assert position < len(actual), (
            f"{block.where}: `{command}` did not print {want!r} (in order); it printed:\n" + output
        )
        position += 1


def run_console(block: Block, pytester: pytest.Pytester) -> None:
    commands: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
        else:
            assert not line.strip(), f"{block.where}: output before any command"
    assert commands, f"{block.where}: a console block without a command"
    status = 0
    for command, expected in commands:
        argv = shlex.split(command)
        if argv == ["echo", "$?"]:
            output = f"{status}\n"
        elif argv[0] == "pytest-ecr":
            from pytest_ecr.cli import main

            stream = io.StringIO()
            with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
                try:
                    status = main(argv[1:])
                except SystemExit as exit:
                    status = int(exit.code or 0)
            output = stream.getvalue()
        elif argv[0] == "pytest":
            result = pytester.runpytest_subprocess(
                *argv[1:], "-p", "no:randomly", "-p", "no:cacheprovider", timeout=300
            )
            status = int(result.ret)
            output = "\n".join(result.outlines)
        else:
            pytest.fail(f"{block.where}: console blocks run pytest-ecr and pytest, not {command!r}")
        assert_output(block, command, expected, output)


def _declaration_problems(block: Block, base_dir: Path) -> list[str]:
    try:
        load_declaration(block.text, base_dir=base_dir)
    except DeclarationError as error:
        return [str(problem) for problem in error.problems]
    from pytest_ecr.faults import FaultSpecError, parse_fault

    problems: list[str] = []
    for entry in load_declaration(block.text, base_dir=base_dir).faults:
        try:
            parse_fault(entry.spec, block.where)
        except FaultSpecError as error:
            problems.extend(error.problems)
    if importlib.util.find_spec("jsonschema") is not None:
        from pytest_ecr.declarations.jsonschema import schema_problems

        problems += [str(p) for p in schema_problems(block.text, block.where)]
    return problems


RUNNABLE = [page for page in PAGES if any(not b.included for b in code_blocks(page))]


#: Pages whose examples need an optional package: without it they skip (the async extra).
NEEDS = {"async.md": ("aiobotocore", "aioboto3")}


@pytest.mark.parametrize("page", RUNNABLE, ids=page_id)
def test_page_examples_run(page: Path, pytester: pytest.Pytester) -> None:
    missing = [name for name in NEEDS.get(page.name, ()) if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(
            f"{page_id(page)} needs {', '.join(missing)} (pip install -e '.[test,aioboto3]')"
        )
    blocks = [block for block in code_blocks(page) if not block.included]
    node_modules = os.environ.get("PYTEST_ECR_NODE_MODULES")
    if node_modules and Path(node_modules).is_dir():
        (pytester.path / "node_modules").symlink_to(node_modules)
    tests = moto_tests = 0
    for block in blocks:
        if block.lang not in WRITTEN:
            continue
        name = block.title
        if name is None and block.lang == "python":
            name = f"test_{page.stem.replace('-', '_')}_{block.line}.py"
        if name is not None:
            target = pytester.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
            is_test = block.lang == "python" and target.name.startswith("test_")
            tests += is_test
            moto_tests += is_test and 'importorskip("moto")' in block.text
    for block in blocks:
        if block.lang == "yaml":
            problems = _declaration_problems(block, pytester.path)
            if (block.title or "").startswith("broken"):
                assert problems, f"{block.where}: a broken example that the validator accepts"
            else:
                assert problems == [], block.where
    if tests and moto_tests == tests and importlib.util.find_spec("moto") is None:
        # Every test module of the page skips without moto: pytest would collect none (exit 5).
        pytest.skip(f"moto is not installed: {page_id(page)}'s examples need it")
    if tests:
        # In a subprocess, as users run it: the plugin's process-wide hooks start afresh.
        result = pytester.runpytest_subprocess(
            "-p", "no:randomly", "-p", "no:cacheprovider", "-rs", timeout=300
        )
        outcomes = result.parseoutcomes()
        assert result.ret == 0, f"{page_id(page)}: its examples fail:\n" + str(result.stdout)
        assert outcomes.get("passed", 0) > 0
        skipped = [line for line in result.outlines if line.startswith("SKIPPED")]
        assert all(
            "node" in line.lower() or "moto" in line or "skopeo" in line for line in skipped
        ), skipped
    for block in blocks:
        if block.lang == "console":
            run_console(block, pytester)


def test_the_example_suite_passes(pytester: pytest.Pytester) -> None:
    """README's main job, run as part of the tests too."""
    result = pytester.runpytest_subprocess(
        str(DOCS / "examples"), "-p", "no:randomly", "-p", "no:cacheprovider", "-q"
    )
    assert result.ret == 0, str(result.stdout)
    assert result.parseoutcomes()["passed"] >= 20


# -- names: what the docs mention exists, what exists is in the reference ------------------


def _known_names() -> dict[str, set[str]]:
    return {
        "fixture": {f.name for f in gen_reference.fixtures()},
        "marker": {m.name for m in gen_reference.markers()},
        "ini key": {k.name for k in gen_reference.ini_keys()},
        "option": {flag for o in gen_reference.options() for flag in o.flags},
    }


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_name_the_docs_mention_exists(page: Path) -> None:
    known = _known_names()
    text = prose(page)
    for option in re.findall(r"(?<![\w-])--ecr-[a-z][a-z-]*", text):
        assert option in known["option"], f"{page_id(page)} mentions unknown option {option}"
    names = known["fixture"] | known["marker"] | known["ini key"]
    for name in re.findall(r"(?<![\w.])ecr_[a-z_]+", text):
        assert name in names, f"{page_id(page)} mentions {name}, which is not a pytest-ecr name"
    for block in code_blocks(page):
        for marker in re.findall(r"pytest\.mark\.(ecr_\w+)", block.text):
            assert marker in known["marker"], f"{block.where}: unknown marker {marker}"
    # YAML keys written as `key:`, and fault fields written as `field=` in prose.
    yaml_keys = {
        *declaration_format.TOP_KEYS,
        *declaration_format.REPOSITORY_KEYS,
        *declaration_format.IMAGE_KEYS,
        *declaration_format.FAILURE_KEYS,
        *FAULT_KEYS,
    }
    for key in re.findall(r"`([a-z_]+):`", text):
        assert key in yaml_keys, f"{page_id(page)} mentions YAML key {key}:, which does not exist"
    # `name=value` alone is a fault field, or a keyword of FakeEcr itself.
    keywords = {*FAULT_KEYS, *inspect.signature(FakeEcr).parameters}
    for span in re.findall(r"`([^`\n]+)`", text):
        if re.fullmatch(r"[a-z_]+=\S*", span):
            assert span.split("=")[0] in keywords, f"{page_id(page)}: `{span}` is no keyword"
        if re.match(r"(ecr\.fault|ecr_fault)\(", span):
            for field in re.findall(r"\b([a-z_]+)=", span):
                assert field in FAULT_KEYS, f"{page_id(page)}: `{span}` names no fault field"


def test_the_reference_holds_every_fixture_marker_option_and_ini_key(
    pytester: pytest.Pytester,
) -> None:
    reference = (DOCS / "reference.md").read_text(encoding="utf-8")
    for section in ("fixtures", "markers", "options", "ini", "api"):
        assert f"<!-- generated: {section} -->" in reference

    # What pytest itself shows users, in this process, against what the page renders.
    listed = pytester.runpytest("--fixtures", "-v", "-p", "no:randomly").stdout.str()
    public = set(re.findall(r"^(ecr\w*)(?: \[\w+ scope\])? -- ", listed, flags=re.M))
    fixtures = {f.name: f for f in gen_reference.fixtures()}
    assert set(fixtures) == public
    for fixture in fixtures.values():
        assert fixture.doc, f"{fixture.name}: no docstring"
        assert "no docstring" not in fixture.doc, f"{fixture.name}: no docstring"
    rendered = gen_reference.render_fixtures()
    assert all(f"### `{name}`" in rendered for name in public)

    shown = pytester.runpytest("--markers", "-p", "no:randomly").stdout.str()
    markers = set(re.findall(r"^@pytest\.mark\.(ecr_\w+)", shown, flags=re.M))
    assert {m.name for m in gen_reference.markers()} == markers
    assert all(m.doc.strip() for m in gen_reference.markers())

    helptext = pytester.runpytest("--help", "-p", "no:randomly").stdout.str()
    options = set(re.findall(r"(?<![\w-])(--ecr-[a-z-]+)", helptext))
    recorded = {flag for o in gen_reference.options() for flag in o.flags}
    assert recorded == options
    assert all(o.attrs.get("help") for o in gen_reference.options())
    ini = set(re.findall(r"^  (ecr_\w+) \(", helptext, flags=re.M))
    assert {k.name for k in gen_reference.ini_keys()} == ini
    assert all(k.help for k in gen_reference.ini_keys())
    rendered = gen_reference.render_options() + gen_reference.render_ini()
    assert all(f"`{name}`" in rendered for name in options | ini)


def test_the_readme_lists_every_option_ini_key_marker_and_command() -> None:
    """README's "What you get" names everything the plugin registers (its addoption and
    addini calls, its markers) and every subcommand of the ``pytest-ecr`` command."""
    from pytest_ecr.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spans = set(re.findall(r"`([^`\n]+)`", readme))
    words = {span.split()[0].split("(")[0] for span in spans}
    options = {flag for option in gen_reference.options() for flag in option.flags}
    ini = {key.name for key in gen_reference.ini_keys()}
    markers = {marker.name for marker in gen_reference.markers()}
    assert options
    assert ini
    assert markers
    missing = sorted((options | ini | markers) - words)
    assert not missing, f"README.md does not list {missing}"
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    for command in commands:
        assert f"`pytest-ecr {command}" in readme, f"README.md does not list {command}"


def test_the_declaration_reference_holds_every_yaml_key_and_fault_field() -> None:
    page = (DOCS / "declaration.md").read_text(encoding="utf-8")
    assert "<!-- generated: declaration -->" in page
    assert "<!-- generated: faults -->" in page
    rendered = gen_reference.render_declaration()
    for keys in (
        declaration_format.TOP_KEYS,
        declaration_format.REPOSITORY_KEYS,
        declaration_format.IMAGE_KEYS,
        declaration_format.FAILURE_KEYS,
    ):
        for key in keys:
            assert f"| `{key}` |" in rendered, key
    faults = gen_reference.render_faults()
    for key in FAULT_KEYS:
        assert f"| `{key}` |" in faults, key


def test_every_generated_section_is_used_exactly_once() -> None:
    used: list[str] = []
    for page in PAGES:
        used += gen_reference.GENERATED.findall(page.read_text(encoding="utf-8"))
    assert sorted(used) == sorted(gen_reference.SECTIONS)


def test_sections_render() -> None:
    for name, render in gen_reference.SECTIONS.items():
        assert render().strip(), name
    expanded = gen_reference.expand((DOCS / "reference.md").read_text(encoding="utf-8"))
    assert "<!-- generated:" not in expanded


# -- the site ------------------------------------------------------------------------------


def test_the_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    if importlib.util.find_spec("mkdocs") is None or shutil.which("mkdocs") is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        # As README's docs command sets it: no end-of-life notice from the theme.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "end of life" not in result.stdout + result.stderr
    reference = (tmp_path / "reference" / "index.html").read_text(encoding="utf-8")
    assert "ecr_server" in reference
    assert "<!-- generated:" not in reference
    # The site's own stylesheet (no mid-word breaks in tables, visible code scrollbars).
    assert (tmp_path / "stylesheets" / "extra.css").is_file()
    assert 'href="../stylesheets/extra.css"' in reference


def test_every_public_name_has_a_reference_entry_and_imports() -> None:
    import pytest_ecr

    rendered = gen_reference.render_api()
    for name in pytest_ecr.__all__:
        if name == "__version__":
            continue
        assert getattr(pytest_ecr, name) is not None, name  # it imports
        assert f"`{name}" in rendered, f"{name} has no entry in the Python API reference"
    assert "`FakeEcr(sources" in rendered  # the constructor's signature is shown


def test_every_member_of_the_api_classes_has_a_description() -> None:
    """Every attribute, property and method the Python API reference lists for its
    classes (``Call``'s ``__slots__`` fields among them) comes with a description."""
    for title, cls in gen_reference._api_classes():
        undocumented = [shown for _, shown, doc in gen_reference._members(cls) if not doc]
        assert undocumented == [], f"{title}: no description for {undocumented}"
