"""Section 1 counted instead of timed: instructions per BatchGetImage call, under callgrind.

Wall-clock medians on a shared machine move by 10-20% between runs; the number of
instructions a call executes does not (valgrind counts the same total for the same
program, inputs and environment, whatever else the machine is doing). Each contender runs
in its own process under ``valgrind --tool=callgrind --cache-sim=yes``: set up, warm up,
then ``calls`` calls between two ``zlib.adler32`` markers, at which callgrind dumps its
counters (``--dump-before=zlib_adler32``), so the middle dump holds exactly the calls.

Reported per call: instructions (Ir), and an estimate of cycles that also charges the
simulated cache misses, ``Ir + 10 x L1 misses + 100 x last-level misses`` (the weights
KCachegrind's cycle estimate uses): code that runs botocore's pipeline with more of its
own beside it misses the caches more often, which instructions alone do not show.

Run as a worker by :mod:`run` (``python benchmarks/instructions.py --worker ...``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: Contender -> what its worker measures (the same names as the timed rows).
CONTENDERS = {
    "plugin": "plugin in-process",
    "floor": "canned before-send (botocore floor)",
    "stubber": "botocore Stubber (add_response + call)",
    "moto": "moto mock_aws",
}
MARKER = "zlib_adler32"


@dataclass(frozen=True)
class Count:
    """Per-call counts of one contender at one request size."""

    contender: str
    ids: int
    calls: int
    instructions: float
    cycles: float  # estimated, cache misses included

    @property
    def name(self) -> str:
        return CONTENDERS[self.contender]


def available() -> str | None:
    """Why counting is impossible here, or ``None`` when valgrind is at hand."""
    if shutil.which("valgrind") is None:
        return "valgrind is not installed (apt-get install valgrind)"
    return None


def _parse(path: Path) -> tuple[float, float]:
    """(Ir, estimated cycles) of one callgrind dump."""
    events: list[str] = []
    totals: list[int] = []
    for line in path.read_text().splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("totals:"):
            totals = [int(x) for x in line.split()[1:]]
    values = dict(zip(events, totals, strict=False))
    ir = values.get("Ir", 0)
    l1 = values.get("I1mr", 0) + values.get("D1mr", 0) + values.get("D1mw", 0)
    ll = values.get("ILmr", 0) + values.get("DLmr", 0) + values.get("DLmw", 0)
    return float(ir), float(ir + 10 * l1 + 100 * ll)


def _callgrind(
    command: Sequence[str],
    out: Path,
    *,
    options: Sequence[str] = (),
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    dump: Path | None = None,
) -> tuple[float, float]:
    """(Ir, estimated cycles) of *command* run under callgrind, read from *dump* (a
    part written at a ``--dump-before`` marker) or else from the whole run's *out*."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", *options, f"--callgrind-out-file={out}", *command],
        cwd=cwd,
        env={**(env if env is not None else os.environ), "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    result = dump if dump is not None else out
    if done.returncode != 0 or not result.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"callgrind run of {' '.join(command[-4:])} failed: {' / '.join(tail)}")
    return _parse(result)


def count(contender: str, ids: int, calls: int, workdir: Path, *, cache_sim: bool = True) -> Count:
    """Run one worker under callgrind; per-call counts of its measured calls (the cycle
    estimate equals the instructions when *cache_sim* is off)."""
    out = workdir / f"callgrind.{contender}.{ids}"
    worker = [sys.executable, str(HERE / "instructions.py"), "--worker", contender, str(ids)]
    ir, cycles = _callgrind(
        [*worker, str(calls)],
        out,
        options=(f"--cache-sim={'yes' if cache_sim else 'no'}", f"--dump-before={MARKER}"),
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        dump=Path(f"{out}.2"),  # the middle part: between the two markers
    )
    return Count(contender, ids, calls, ir / calls, cycles / calls)


def count_command(command: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    """Instructions of a whole command (no markers, no cache simulation)."""
    with tempfile.TemporaryDirectory(prefix="pytest-ecr-callgrind-") as tmp:
        return _callgrind(command, Path(tmp) / "callgrind.out", cwd=cwd, env=env)[0]


def count_all(
    plan: Sequence[tuple[str, int, int]],
    *,
    jobs: int = 2,
    cache_sim: bool = True,
    on_done: Callable[[Count], None],
) -> list[Count]:
    """Count every ``(contender, ids, calls)`` of *plan*, *jobs* at a time."""
    with (
        tempfile.TemporaryDirectory(prefix="pytest-ecr-callgrind-") as tmp,
        ThreadPoolExecutor(jobs) as pool,
    ):
        futures = [pool.submit(count, c, i, n, Path(tmp), cache_sim=cache_sim) for c, i, n in plan]
        results = []
        for future in futures:
            result = future.result()
            on_done(result)
            results.append(result)
        return results


# -- the worker --------------------------------------------------------------------------------


def _worker(contender: str, ids_count: int, calls: int) -> None:
    import gc
    import zlib

    from botocore.stub import Stubber
    from workload import (
        REPOSITORY,
        Data,
        canned_client,
        load_moto,
        new_client,
        plugin_answer,
        spread_ids,
        without_metadata,
    )

    from pytest_ecr import FakeEcr

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        data = Data(Path(tmp))
        state = data.state(100)
        # As in the timed rows: moto imported and the plugin loaded before any client.
        moto = load_moto()
        fake = FakeEcr(state=state)
        kwargs: dict[str, Any] = {
            "repositoryName": REPOSITORY,
            "imageIds": spread_ids(100, ids_count),
        }
        call: Callable[[], object]
        if contender == "plugin":
            client = new_client()
            fake.activate()
            call = lambda: client.batch_get_image(**kwargs)  # noqa: E731
        elif contender == "floor":
            canned = canned_client(plugin_answer(state, kwargs["imageIds"]))
            call = lambda: canned.batch_get_image(**kwargs)  # noqa: E731
        elif contender == "stubber":
            with fake:
                expected = without_metadata(new_client().batch_get_image(**kwargs))
            stub_client = new_client()
            stubber = Stubber(stub_client)
            stubber.activate()

            def call() -> object:
                stubber.add_response("batch_get_image", expected, kwargs)
                return stub_client.batch_get_image(**kwargs)

        elif contender == "moto":
            if moto is None:
                raise SystemExit("moto is not installed")
            moto.seed(REPOSITORY, data.manifests(100))
            moto_client = moto.client
            stack.enter_context(moto.active())
            call = lambda: moto_client.batch_get_image(**kwargs)  # noqa: E731
        else:
            raise SystemExit(f"unknown contender {contender!r}")
        for _ in range(10):
            call()
        gc.collect()
        gc.disable()  # as in the timed blocks
        zlib.adler32(b"start")
        for _ in range(calls):
            call()
        zlib.adler32(b"stop")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--worker", nargs=3, metavar=("CONTENDER", "IDS", "CALLS"))
    args = parser.parse_args(argv)
    if args.worker:
        contender, ids, calls = args.worker
        sys.path.insert(0, str(HERE))
        _worker(contender, int(ids), int(calls))
        return 0
    reason = available()
    if reason is not None:
        print(reason)
        return 1
    for result in count_all(
        [(c, i, 20) for i in (1, 100) for c in CONTENDERS],
        on_done=lambda r: print(f"{r.name} {r.ids} id: {r.instructions:,.0f} Ir/call"),
    ):
        del result
    return 0


if __name__ == "__main__":
    sys.exit(main())
