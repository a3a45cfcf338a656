"""Measuring and reporting: plans, interleaved timing, statistics, the tables."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import importlib.metadata
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# -- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one mode."""

    name: str
    rounds: int  # interleaved blocks per variant (in-process rows)
    block_budget: float  # seconds one block of one variant should take
    max_block: int  # calls per block at most
    scale_sizes: tuple[int, ...]  # repository sizes of section 2 (plugin)
    moto_scale_sizes: tuple[int, ...]  # ... and for moto
    setup_big: int  # the large declaration of section 3
    setup_rounds: int  # rounds of the per-test set-up rows
    yaml_size: int  # images in the YAML declaration of sections 3 and 4
    yaml_rounds: int  # cold loads of it
    yaml_mapping: bool  # also load a variant with manifests as nested mappings
    suite_tests: int  # tests in each generated suite of section 5
    suite_runs: int  # timed runs of each suite (median)
    #: of which moto's suite, twelve times the others' time, takes part in this many
    suite_moto_runs: int
    suite_fixture: bool  # also a suite using the ecr_client fixture
    suite_warmup: bool  # an untimed run of each suite first (else one collection only)
    startup_runs: int  # timed runs of each start-up command (median; paired differences)
    startup_nocache: bool  # also start-up without a bytecode cache
    profile: bool  # cProfile the in-process path
    #: Section 1 counted under callgrind: (contender, ids, calls) runs, and whether the
    #: cache simulation (and so the cycle estimate) is on.
    counts: tuple[tuple[str, int, int], ...] = ()
    count_cache_sim: bool = True
    #: §4b: the small and the large declaration of the scaling rows, and the rounds of
    #: fresh processes timed (each round: the small load three times, as it is cheap and
    #: its spread sets the ratio's; the large load and validate once each).
    scaling_sizes: tuple[int, int] = (1_000, 10_000)
    scaling_runs: int = 3
    #: HTTP throughput: seconds of load per run, and runs per server (alternating).
    http_seconds: float = 1.0
    http_rounds: int = 1


QUICK = Plan(
    name="quick",
    rounds=5,
    block_budget=0.02,
    max_block=50,
    scale_sizes=(100, 1_000, 10_000),
    moto_scale_sizes=(100, 1_000),
    setup_big=10_000,
    setup_rounds=200,
    yaml_size=1_000,
    yaml_rounds=3,
    yaml_mapping=False,
    suite_tests=20,
    suite_runs=1,
    suite_moto_runs=1,
    suite_fixture=False,
    suite_warmup=False,
    startup_runs=2,
    startup_nocache=False,
    profile=False,
    # Only so the counting cannot rot: two contenders, a few calls, no cache simulation.
    counts=(("plugin", 1, 5), ("floor", 1, 5)),
    count_cache_sim=False,
)

FULL = Plan(
    name="full",
    rounds=20,
    block_budget=0.1,
    max_block=100,
    scale_sizes=(100, 10_000, 100_000),
    moto_scale_sizes=(100, 10_000),
    setup_big=10_000,
    setup_rounds=2_000,
    yaml_size=10_000,
    yaml_rounds=5,
    yaml_mapping=True,
    scaling_sizes=(10_000, 100_000),
    scaling_runs=5,
    suite_tests=200,
    suite_runs=5,
    suite_moto_runs=3,
    suite_fixture=True,
    suite_warmup=False,
    startup_runs=15,
    startup_nocache=True,
    profile=True,
    http_seconds=4.0,
    http_rounds=3,
    counts=tuple(
        (contender, ids, 40 if ids == 1 else 10)
        for ids in (1, 100)
        for contender in ("plugin", "floor", "stubber", "moto")
    ),
)

# -- statistics and reporting ----------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    median: float  # nanoseconds
    q1: float
    q3: float
    n: int

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        if not samples:
            raise ValueError("no samples")
        if len(samples) == 1:
            return cls(samples[0], samples[0], samples[0], 1)
        q1, median, q3 = statistics.quantiles(samples, n=4, method="inclusive")
        return cls(median, q1, q3, len(samples))


def fmt_ns(ns: float) -> str:
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f} µs"
    if ns < 1e9:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.2f} s"


@dataclass
class Row:
    section: str
    name: str
    stats: Stats | None = None
    text: str = ""  # shown instead of stats (skipped rows, facts)
    note: str = ""

    @property
    def median(self) -> str:
        return fmt_ns(self.stats.median) if self.stats is not None else self.text

    @property
    def iqr(self) -> str:
        return fmt_ns(self.stats.iqr) if self.stats is not None else ""

    @property
    def n(self) -> str:
        return str(self.stats.n) if self.stats is not None else ""


#: The unit of a ratio (escaped: ruff's RUF001 would take the sign for a stray letter x).
TIMES = "\u00d7"


@dataclass
class Ratio:
    section: str
    name: str
    value: float | None  # None: could not be computed
    target: str  # "<= 1.15", ">= 2", or "" for information only
    unit: str = TIMES
    note: str = ""

    @property
    def _bound(self) -> tuple[str, float]:
        op, _, bound = self.target.partition(" ")
        return op, float(bound)

    @property
    def met(self) -> bool | None:
        if not self.target or self.value is None:
            return None
        op, limit = self._bound
        return self.value <= limit if op == "<=" else self.value >= limit

    @property
    def status(self) -> str:
        met = self.met
        return "" if met is None else ("✓" if met else "✗")

    def _with_unit(self, value: float, digits: str) -> str:
        if self.unit == TIMES:
            return f"{value:{digits}}{TIMES}"
        return f"{value:{digits}} {self.unit}"

    @property
    def shown(self) -> str:
        if self.value is None:
            return "n/a"
        return self._with_unit(self.value, ".2f" if self.unit == TIMES else ".3g")

    @property
    def shown_target(self) -> str:
        if not self.target:
            return "(info)"
        op, limit = self._bound
        return f"{'≤' if op == '<=' else '≥'} {self._with_unit(limit, 'g')}"

    @property
    def miss(self) -> str:
        """By how much a missed target is missed."""
        if self.met is not False or self.value is None:
            return ""
        op, limit = self._bound
        if op == "<=":
            over = self._with_unit(self.value - limit, ".3g")
            return f"over by {over} ({100 * (self.value / limit - 1):.0f}% above the target)"
        short = self._with_unit(limit - self.value, ".3f")
        return f"short by {short} ({100 * (1 - self.value / limit):.1f}% below the target)"


@dataclass
class Report:
    plan: Plan
    rows: list[Row] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: (label, value) facts about this run, shown with the machine's.
    facts: list[tuple[str, str]] = field(default_factory=list)

    def row(self, row: Row) -> Row:
        self.rows.append(row)
        print(f"  {row.section:>3} {row.name:<62} {row.median:>11} {row.iqr:>10}", flush=True)
        return row

    def ratio(self, ratio: Ratio) -> Ratio:
        self.ratios.append(ratio)
        print(
            f"  {ratio.section:>3} {ratio.name:<62} {ratio.shown:>11} "
            f"{ratio.shown_target:>10} {ratio.status}",
            flush=True,
        )
        return ratio

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))
        print(f"  check {'✓' if ok else '✗'} {name} {detail}", flush=True)


def ratio_of(a: Row | None, b: Row | None) -> float | None:
    if a is None or b is None or a.stats is None or b.stats is None or b.stats.median == 0:
        return None
    return a.stats.median / b.stats.median


# -- timing ----------------------------------------------------------------------------------


@dataclass
class Variant:
    """One contender of an interleaved measurement."""

    name: str
    call: Callable[[], object]
    context: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext
    samples: list[int] = field(default_factory=list)
    block: int = 1


def _timed_block(variant: Variant, count: int, samples: list[int]) -> None:
    call = variant.call
    clock = time.perf_counter_ns
    with variant.context():
        gc.collect(1)
        gc.disable()
        try:
            for _ in range(count):
                start = clock()
                call()
                samples.append(clock() - start)
        finally:
            gc.enable()


def interleave(
    variants: Sequence[Variant], plan: Plan, *, rounds: int | None = None, warmup: int = 3
) -> None:
    """Time every variant in ``rounds`` blocks, alternating the order of variants.

    The block size of each variant is set from its warm-up so that a block takes about
    ``plan.block_budget`` seconds; every call is timed on its own.
    """
    gc.collect()
    gc.freeze()  # what exists now is never collected: later collections stay cheap
    for variant in variants:
        warm: list[int] = []
        _timed_block(variant, warmup, warm)
        per_call = min(warm) / 1e9
        variant.block = max(1, min(plan.max_block, int(plan.block_budget / max(per_call, 1e-7))))
    try:
        for index in range(rounds if rounds is not None else plan.rounds):
            order = variants if index % 2 == 0 else list(reversed(variants))
            for variant in order:
                _timed_block(variant, variant.block, variant.samples)
    finally:
        gc.unfreeze()


# -- the report ------------------------------------------------------------------------------


def source_fingerprint() -> str:
    """sha256 (12 hex digits) of pytest_ecr's sources, to tell whether they changed."""
    import pytest_ecr

    root = Path(pytest_ecr.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_head(directory: Path) -> str:
    """The checked-out commit (read-only: ``git rev-parse``), or ``unknown``."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def machine_facts() -> list[tuple[str, str]]:
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        import yaml

        libyaml = "yes (CSafeLoader)" if yaml.__with_libyaml__ else "no (pure-Python loader)"
    except ImportError:
        libyaml = "n/a"

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return [
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("OS", platform.platform()),
        ("botocore", version("botocore")),
        ("boto3", version("boto3")),
        ("moto", version("moto")),
        ("PyYAML", version("PyYAML")),
        ("LibYAML C loader", libyaml),
        ("pytest", version("pytest")),
        ("pytest-ecr", version("pytest-ecr")),
        ("date", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def print_tables(report: Report) -> None:
    print("\n" + "=" * 100)
    print(f"{'sec':>5} {'measurement':<62} {'median':>11} {'IQR':>10} {'n':>6}")
    for row in report.rows:
        print(f"{row.section:>5} {row.name:<62} {row.median:>11} {row.iqr:>10} {row.n:>6}")
    print("-" * 100)
    print(f"{'sec':>5} {'ratio':<62} {'value':>11} {'target':>10}")
    for ratio in report.ratios:
        print(
            f"{ratio.section:>5} {ratio.name:<62} {ratio.shown:>11} "
            f"{ratio.shown_target:>10} {ratio.status} {ratio.miss}"
        )
    print("-" * 100)
    for name, ok, detail in report.checks:
        print(f"  {'✓' if ok else '✗'} {name} {detail}")
    for error in report.errors:
        print(f"  ERROR {error}")


def markdown(report: Report, command: str, elapsed: float) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Generated by `benchmarks/run.py` ({report.plan.name} mode) in {elapsed:.0f} s. "
        "Medians of individually timed calls (IQR = interquartile range); ratios are of "
        "medians unless the row names paired runs; targets are from the performance issue. "
        "A noisy shared 2-core machine: "
        "compare ratios, not absolute numbers, across runs.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in [*machine_facts(), *report.facts]),
        f"| command | `{command}` |",
        "",
        "## Ratios and targets",
        "",
        "| § | ratio | value | target | met | by how much |",
        "|---|---|---:|---|:-:|---|",
    ]
    for r in report.ratios:
        out.append(
            f"| {r.section} | {r.name} | {r.shown} | {r.shown_target} | {r.status} | {r.miss} |"
        )
    out += ["", "## Measurements", "", "| § | measurement | median | IQR | n | note |"]
    out.append("|---|---|---:|---:|---:|---|")
    for row in report.rows:
        cells = (row.section, row.name.strip(), row.median, row.iqr, row.n, row.note)
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "## Checks", ""]
    out += [
        f"- {'✓' if ok else '✗'} {name} {detail}".rstrip() for name, ok, detail in report.checks
    ]
    missed = [r for r in report.ratios if r.met is False]
    out += ["", "## Targets missed", ""]
    if missed:
        out += [
            f"- §{r.section} {r.name}: {r.shown} against {r.shown_target} — {r.miss}."
            for r in missed
        ]
    else:
        out.append("None.")
    if report.notes:
        out += ["", "## Notes", ""]
        out += [n if n.startswith("  -") else f"- {n}" for n in report.notes]
    if report.profile:
        out += ["", "## Profile of the in-process path (cProfile)", ""]
        out += report.profile
    if report.errors:
        out += ["", "## Errors", ""]
        out += [f"- {e}" for e in report.errors]
    return "\n".join(out).rstrip() + "\n"
