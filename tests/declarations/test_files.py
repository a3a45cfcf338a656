"""The files a declaration names: special files refused, sizes bounded, paths kept inside
the declaring folder, and an unusable cache folder costing only speed (issue 15: 6, 7, 9).

What could hang or exhaust memory if it regressed runs in a child process with a time
and an address-space limit.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_ecr.declarations import DeclarationError, load_declaration
from pytest_ecr.declarations.files import FileRefused, escapes, read_regular

MANIFEST = (
    '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", '
    '"config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, '
    '"digest": "sha256:' + "a" * 64 + '"}, "layers": []}'
)


def _limits() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def in_child(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run *code* in a child Python with 1 GiB of address space and 60 s."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limits,
        check=False,
    )


LOAD = """
from pytest_ecr.declarations import DeclarationError, load_declaration
try:
    load_declaration({source!r})
except DeclarationError as error:
    print(error)
else:
    print("LOADED")
"""


def declaration_naming(manifest_file: str) -> str:
    return (
        "version: 1\nrepositories:\n  - name: a/b\n    images:\n"
        f"      - manifest_file: {manifest_file}\n"
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.slow
def test_a_fifo_as_the_declaration_is_refused_not_waited_on(fifo: Path, tmp_path: Path) -> None:
    done = in_child(LOAD.format(source=str(fifo)), tmp_path)
    assert "cannot read the declaration file: not a regular file (a FIFO)" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("target", ["pipe", "/dev/zero", "/dev/urandom", "sparse"])
def test_special_and_huge_manifest_files_are_refused(
    target: str, fifo: Path, tmp_path: Path
) -> None:
    sparse = tmp_path / "sparse"
    with sparse.open("wb") as handle:
        handle.truncate(8 << 30)  # 8 GiB, no blocks
    link = tmp_path / "m.json"
    link.symlink_to(target if target.startswith("/") else tmp_path / target)
    (tmp_path / "r.yaml").write_text(declaration_naming("m.json"))
    done = in_child(LOAD.format(source=str(tmp_path / "r.yaml")), tmp_path)
    assert "r.yaml:5 repositories[0].images[0].manifest_file: cannot read manifest file" in (
        done.stdout
    )
    expected = {
        "pipe": "not a regular file (a FIFO)",
        "/dev/zero": "not a regular file (a device)",
        "/dev/urandom": "not a regular file (a device)",
        "sparse": "larger than 4 MiB (8589934592 bytes)",
    }[target]
    assert expected in done.stdout
    assert "regular file of at most 4 MiB" in done.stdout


@pytest.mark.slow
def test_validate_refuses_a_fifo_too(fifo: Path, tmp_path: Path) -> None:
    done = in_child(
        f"import sys; from pytest_ecr.cli import main; sys.exit(main(['validate', {str(fifo)!r}]))",
        tmp_path,
    )
    assert done.returncode == 1
    assert "not a regular file (a FIFO)" in done.stdout + done.stderr


def test_read_regular_reads_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    assert read_regular(path, 10) == b"x" * 10
    with pytest.raises(FileRefused, match="larger than 9 bytes"):
        read_regular(path, 9)
    with pytest.raises(IsADirectoryError):
        read_regular(tmp_path, 10)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 10)


def test_a_manifest_file_over_4_mib_is_refused(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(MANIFEST + " " * (4 << 20))
    (tmp_path / "r.yaml").write_text(declaration_naming("m.json"))
    with pytest.raises(DeclarationError, match=r"larger than 4 MiB \([0-9]+ bytes\)"):
        load_declaration(str(tmp_path / "r.yaml"))


@pytest.mark.parametrize(
    ("name", "outside"),
    [
        ("m.json", False),
        ("sub/m.json", False),
        ("sub/../m.json", False),
        ("./m.json", False),
        ("../m.json", True),
        ("sub/../../m.json", True),
        ("/etc/passwd", True),
        ("/proc/self/environ", True),
    ],
)
def test_what_counts_as_outside_the_declaring_folder(name: str, outside: bool) -> None:
    assert escapes(name) is outside


@pytest.mark.parametrize("name", ["/etc/passwd", "../secret.json", "sub/../../m.json"])
def test_a_manifest_file_outside_the_declaring_folder_is_a_problem(
    name: str, tmp_path: Path
) -> None:
    folder = tmp_path / "decl"
    folder.mkdir()
    (tmp_path / "secret.json").write_text(MANIFEST)
    (folder / "r.yaml").write_text(declaration_naming(name))
    with pytest.raises(DeclarationError) as excinfo:
        load_declaration(str(folder / "r.yaml"))
    (problem,) = excinfo.value.problems
    assert problem.message == f"manifest_file {name!r} is outside the declaring folder"
    assert problem.line == 5
    assert "copy or symlink the file there" in (problem.hint or "")


def test_a_symlink_inside_the_folder_is_the_way_to_use_a_file_from_elsewhere(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "decl"
    folder.mkdir()
    (tmp_path / "shared.json").write_text(MANIFEST)
    (folder / "m.json").symlink_to(tmp_path / "shared.json")
    (folder / "r.yaml").write_text(declaration_naming("m.json"))
    image = load_declaration(str(folder / "r.yaml")).repositories[0].images[0].image
    assert image.manifest == MANIFEST


UNUSABLE = ["cache-is-a-file", "d-is-a-file", "pytest-ecr-is-a-file"]


@pytest.mark.slow
@pytest.mark.parametrize("case", UNUSABLE)
def test_an_unusable_cache_folder_warns_and_goes_on(case: str, pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", registry="version: 1\nrepositories:\n  - name: a/b\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecr_registry("registry.yaml")
        def test_it(ecr):
            assert ecr.registry.repository("a/b").name == "a/b"
        """
    )
    cache = pytester.path / ".pytest_cache"
    if case == "cache-is-a-file":
        cache.write_text("not a folder")
    else:
        (cache / "d").parent.mkdir(parents=True)
        if case == "d-is-a-file":
            (cache / "d").write_text("not a folder")
        else:
            (cache / "d").mkdir()
            (cache / "d" / "pytest-ecr").write_text("not a folder")
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-W", "default")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*pytest-ecr cannot use the cache folder*"])


def test_an_inline_manifest_over_ecrs_limit_is_refused() -> None:
    text = MANIFEST[:-1] + ', "annotations": {"pad": "' + "x" * (4 << 20) + '"}}'
    source = {"version": 1, "repositories": [{"name": "a/b", "images": [{"manifest_text": text}]}]}
    with pytest.raises(DeclarationError) as excinfo:
        load_declaration(source)
    (problem,) = excinfo.value.problems
    assert problem.path == "repositories[0].images[0].manifest_text"
    assert problem.message == (f"manifest of {len(text)} characters is over ECR's limit of 4194304")
