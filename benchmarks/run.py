"""Side-by-side benchmark of pytest-ecr against botocore's floor, Stubber and moto.

Run from the repository root::

    python benchmarks/run.py --quick   # small sizes, few rounds: about 1 min (CI runs this)
    python benchmarks/run.py           # full sizes: about 12 min, writes benchmarks/RESULTS.md

Every timed row is many individually timed calls (``time.perf_counter_ns``, the garbage
collector disabled around each block), with the variants of a section interleaved block by
block so the noise of a shared machine falls on all of them alike. Rows report the median
and the interquartile range; ratios are of medians unless the row names paired runs (the
subprocess rows, whose runs are made back to back). Targets are reported, never asserted:
the script exits 0 whatever the numbers (and 1 only if a benchmark itself broke).

See ``benchmarks/README.md`` for what each row means.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import inspect
import json
import pstats
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import controlplane
import httpload
import instructions
import lifecycle
from botocore.stub import Stubber
from harness import (
    FULL,
    QUICK,
    TIMES,
    Ratio,
    Report,
    Row,
    Stats,
    Variant,
    git_head,
    interleave,
    load_average,
    machine_facts,
    markdown,
    print_tables,
    ratio_of,
    source_fingerprint,
)
from workload import (
    ACCESS_KEY,
    ACCOUNT,
    REGION,
    REPOSITORY,
    SECRET_KEY,
    SUITE_MOTO,
    SUITE_PLUGIN,
    SUITE_PLUGIN_FIXTURE,
    SUITE_STUBBER,
    Data,
    Moto,
    active,
    caller,
    canned_client,
    declaration_data,
    load_moto,
    new_client,
    own_answer,
    plugin_answer,
    spread_ids,
    subprocess_env,
    time_command,
    without_metadata,
)

from pytest_ecr import FakeEcr
from pytest_ecr.declarations import DeclarationCache, load_sources
from pytest_ecr.model import RegistryState
from pytest_ecr.transports.http_server import EcrHTTPServer

HERE = Path(__file__).resolve().parent

# -- section 1: one call, side by side -------------------------------------------------------


def section_calls(report: Report, data: Data, moto: Moto | None) -> None:
    plan = report.plan
    print("\n[1] BatchGetImage on a 100-image repository, side by side", flush=True)
    state = data.state(100)
    fake = FakeEcr(state=state)
    plugin = new_client()
    server = EcrHTTPServer(fake).start()
    http_client = new_client(server.endpoint_url)
    servers = [server]
    fake.http_endpoints = tuple(s.endpoint_url for s in servers)
    stub_client = new_client()
    stubber = Stubber(stub_client)
    moto_server_client = None
    if moto is not None:
        moto.seed(REPOSITORY, data.manifests(100))
        moto_server_client = new_client(moto.start_server())

    rows: dict[tuple[str, int], Row] = {}
    try:
        for count in (1, 100):
            ids = spread_ids(100, count)
            kwargs = {"repositoryName": REPOSITORY, "imageIds": ids}
            body = plugin_answer(state, ids)
            canned = canned_client(body)
            with fake:
                expected = without_metadata(plugin.batch_get_image(**kwargs))

            def stubbed(kwargs: dict[str, Any] = kwargs, expected: Any = expected) -> Any:
                stubber.add_response("batch_get_image", expected, kwargs)
                return stub_client.batch_get_image(**kwargs)

            @contextlib.contextmanager
            def stubbing() -> Iterator[object]:
                stubber.activate()
                try:
                    yield stubber
                finally:
                    stubber.deactivate()

            variants = [
                Variant("plugin in-process", caller(plugin, kwargs), active(fake)),
                Variant("canned before-send (botocore floor)", caller(canned, kwargs)),
                Variant("botocore Stubber (add_response + call)", stubbed, stubbing),
                Variant("plugin HTTP endpoint", caller(http_client, kwargs)),
            ]
            own = own_answer(fake, kwargs)
            if own is not None:
                variants.insert(
                    1, Variant("plugin's own work: wire.respond, no botocore", own, active(fake))
                )
            if moto is not None and moto_server_client is not None:
                variants.insert(
                    4, Variant("moto mock_aws", caller(moto.client, kwargs), moto.active)
                )
                variants.append(
                    Variant("moto ThreadedMotoServer", caller(moto_server_client, kwargs))
                )

            # Same answer from every contender before timing anything.
            assert fake.active is False
            report.check(
                f"canned answer = plugin answer ({count} id)",
                without_metadata(canned.batch_get_image(**kwargs)) == expected,
            )
            with stubbing():
                same = without_metadata(stubbed()) == expected
            report.check(f"Stubber answer = plugin answer ({count} id)", same)
            report.check(
                f"HTTP endpoint answer = plugin answer ({count} id)",
                without_metadata(http_client.batch_get_image(**kwargs)) == expected,
            )
            if moto is not None and moto_server_client is not None:
                want = sorted(
                    (i["imageId"]["imageTag"], i["imageManifest"]) for i in expected["images"]
                )
                with moto.active():
                    got = moto.client.batch_get_image(**kwargs)["images"]
                mine = sorted((i["imageId"]["imageTag"], i["imageManifest"]) for i in got)
                report.check(f"moto returns the same tags and manifests ({count} id)", mine == want)
                served = moto_server_client.batch_get_image(**kwargs)["images"]
                report.check(
                    f"moto server returns the same images ({count} id)", len(served) == len(want)
                )

            interleave(variants, plan)
            for variant in variants:
                rows[(variant.name, count)] = report.row(
                    Row("1", f"{count:>3} id  {variant.name}", Stats.of(variant.samples))
                )
        plugin_row = "plugin in-process"
        floor = "canned before-send (botocore floor)"
        stub = "botocore Stubber (add_response + call)"
        moto_row, http_row = "moto mock_aws", "plugin HTTP endpoint"
        Key = tuple[str, int]

        def ratio(name: str, top: Key, bottom: Key, target: str = "") -> None:
            report.ratio(Ratio("1", name, ratio_of(rows.get(top), rows.get(bottom)), target))

        for count, target in ((1, "<= 1.15"), (100, "<= 1.3")):
            ratio(f"plugin / canned floor, {count} id", (plugin_row, count), (floor, count), target)
        for count in (1, 100):
            ratio(f"plugin / Stubber, {count} id", (plugin_row, count), (stub, count))
        ratio("moto mock_aws / plugin, 1 id", (moto_row, 1), (plugin_row, 1), ">= 2")
        ratio("moto mock_aws / canned floor, 1 id (moto/plugin ceiling)", (moto_row, 1), (floor, 1))
        ratio("moto mock_aws / plugin, 100 id", (moto_row, 100), (plugin_row, 100))
        for count in (1, 100):
            ratio(
                f"moto server / plugin HTTP endpoint, {count} id",
                ("moto ThreadedMotoServer", count),
                (http_row, count),
            )
    finally:
        for each in servers:
            each.stop()

    section_http_throughput(report, data, moto is not None)
    if plan.profile:
        profile_plugin(report, fake, plugin)
    if plan.counts:
        section_counts(report)


def section_http_throughput(report: Report, data: Data, with_moto: bool) -> None:
    """1-id BatchGetImage throughput of each HTTP server in its own process."""
    plan = report.plan
    print("\n[1h] HTTP throughput, each server in its own process", flush=True)
    env = subprocess_env(None)
    body = json.dumps({"repositoryName": REPOSITORY, "imageIds": [{"imageTag": "v0"}]})
    seen: dict[str, list[httpload.Load]] = {"pytest-ecr serve": [], "moto server": []}
    with contextlib.ExitStack() as stack:
        urls = {
            "pytest-ecr serve": stack.enter_context(
                httpload.pytest_ecr_server(data.yaml_file(100), env)
            )
        }
        if with_moto:
            url = stack.enter_context(httpload.moto_server(env))
            seeding = new_client(url)
            seeding.create_repository(repositoryName=REPOSITORY)
            for i, manifest in enumerate(data.manifests(100)):
                seeding.put_image(
                    repositoryName=REPOSITORY, imageManifest=manifest, imageTag=f"v{i}"
                )
            urls["moto server"] = url
        for index in range(plan.http_rounds):
            order = list(urls) if index % 2 == 0 else list(reversed(urls))
            for name in order:
                headers = httpload.signed_request(
                    urls[name], body.encode(), REGION, ACCESS_KEY, SECRET_KEY
                )
                load = httpload.run_load(
                    urls[name], plan.http_seconds, {"body": body, "headers": headers}
                )
                seen[name].append(load)
    rates: dict[str, float] = {}
    for name, loads in seen.items():
        if not loads:
            continue
        rates[name] = statistics.median(load.per_second for load in loads)
        latency = statistics.median(load.median_latency for load in loads)
        report.check(
            f"{name} answered the 1-id request with one image under load",
            all(load.images == 1 for load in loads),
        )
        report.row(
            Row(
                "1h",
                f"  1 id  {name}, one keep-alive client",
                text=f"{rates[name]:,.0f} req/s",
                note=f"median latency {latency * 1e6:,.0f} µs; runs: "
                + ", ".join(f"{load.per_second:,.0f}" for load in loads)
                + f" req/s of {plan.http_seconds:g} s",
            )
        )
    if "moto server" in rates:
        report.ratio(
            Ratio(
                "1h",
                "HTTP throughput, pytest-ecr serve / moto server, 1 id",
                rates["pytest-ecr serve"] / rates["moto server"],
                ">= 3",
            )
        )


def section_counts(report: Report) -> None:
    """Section 1 again, counted under callgrind: repeatable where the times are not."""
    plan = report.plan
    print("\n[1c] instructions per call under callgrind", flush=True)
    reason = instructions.available()
    if reason is not None:
        report.rows.append(Row("1c", "instruction counts", text="not measured", note=reason))
        return
    if "moto" in {c for c, _, _ in plan.counts} and load_moto() is None:
        counts_plan = tuple(run for run in plan.counts if run[0] != "moto")
    else:
        counts_plan = plan.counts
    found: dict[tuple[str, int], instructions.Count] = {}

    def show(result: instructions.Count) -> None:
        found[(result.contender, result.ids)] = result
        text = f"{result.instructions / 1e6:.3f} M instr"
        if plan.count_cache_sim:
            text += f", {result.cycles / 1e6:.3f} M est. cycles"
        report.row(
            Row("1c", f"{result.ids:>3} id  {result.name}", text=text, note=f"{result.calls} calls")
        )

    instructions.count_all(counts_plan, cache_sim=plan.count_cache_sim, on_done=show)

    def ratio(name: str, a: tuple[str, int], b: tuple[str, int], target: str = "") -> None:
        first, second = found.get(a), found.get(b)
        if first is None or second is None:
            return  # not counted in this mode
        kinds = [("instructions", "instructions")]
        if plan.count_cache_sim:
            kinds.append(("est. cycles", "cycles"))
        for label, attribute in kinds:
            value = getattr(first, attribute) / getattr(second, attribute)
            report.ratio(Ratio("1c", f"{name} ({label})", value, target))

    for ids in (1, 100):
        ratio(f"plugin / canned floor, {ids} id", ("plugin", ids), ("floor", ids))
    ratio("moto mock_aws / plugin, 1 id", ("moto", 1), ("plugin", 1))
    ratio("moto mock_aws / canned floor, 1 id", ("moto", 1), ("floor", 1))


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if "pytest_ecr/" in filename:
        filename = "pytest_ecr/" + filename.rsplit("pytest_ecr/", 1)[1]
    elif "site-packages/" in filename:
        filename = filename.rsplit("site-packages/", 1)[1]
    elif "/lib/python" in filename:
        filename = filename.rsplit("/lib/python", 1)[1].split("/", 1)[-1]
    return f"{name} ({filename}:{line})" if line else name


def profile_plugin(report: Report, fake: FakeEcr, client: Any) -> None:
    """cProfile the in-process path: where a plugin call spends its time.

    cProfile inflates code made of many small calls (botocore's) more than the rest, so
    shares here are indicative; the timed rows are the measurement.
    """
    print("\n[1p] profiling the in-process path", flush=True)
    for count, calls in ((1, 2_000), (100, 200)):
        kwargs = {"repositoryName": REPOSITORY, "imageIds": spread_ids(100, count)}
        profiler = cProfile.Profile()
        fake.reset()
        with fake:
            client.batch_get_image(**kwargs)
            profiler.enable()
            for _ in range(calls):
                client.batch_get_image(**kwargs)
            profiler.disable()
        entries: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        total = sum(value[2] for value in entries.values())  # own times add up to the whole

        def us(seconds: float, calls: int = calls) -> str:
            return f"{seconds / calls * 1e6:.1f}"

        ours = {k: v for k, v in entries.items() if "pytest_ecr" in k[0]}
        own = sum(v[2] for v in ours.values())
        hook = max((v[3] for k, v in ours.items() if k[2] == "_before_send"), default=0.0)
        lines = [
            f"**{count} id**, {calls} calls: {us(total)} µs/call under cProfile. "
            f"The hook (`_before_send`, cumulative) takes {us(hook)} µs/call "
            f"({100 * hook / total:.0f}%); own time in pytest_ecr code {us(own)} µs/call "
            f"({100 * own / total:.0f}%).",
            "",
            "| pytest_ecr function | own µs/call | cumulative µs/call |",
            "|---|---:|---:|",
        ]
        for key, value in sorted(ours.items(), key=lambda kv: kv[1][2], reverse=True)[:12]:
            lines.append(f"| `{_where(key)}` | {us(value[2])} | {us(value[3])} |")
        lines += ["", "| whole call, top own time | own µs/call | % |", "|---|---:|---:|"]
        for key, value in sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:8]:
            lines.append(f"| `{_where(key)}` | {us(value[2])} | {100 * value[2] / total:.1f} |")
        report.profile.extend([*lines, ""])
        print("\n".join(lines[:18]), flush=True)


# -- section 2: repository size --------------------------------------------------------------


def section_scale(report: Report, data: Data, moto: Moto | None) -> None:
    plan = report.plan
    print("\n[2] 100-id BatchGetImage vs repository size", flush=True)
    client = new_client()
    variants: list[Variant] = []
    rows: dict[str, Row] = {}
    for size in plan.scale_sizes:
        start = time.perf_counter()
        state = data.state(size)
        built = time.perf_counter() - start
        fake = FakeEcr(state=state)
        kwargs = {"repositoryName": REPOSITORY, "imageIds": spread_ids(size, 100)}
        with fake:
            assert len(client.batch_get_image(**kwargs)["images"]) == 100
        variants.append(
            Variant(
                f"plugin, {size:,} images",
                caller(client, kwargs),
                active(fake),
            )
        )
        if size > 100:
            report.notes.append(
                f"Section 2: the {size:,}-image state was built with the model API in "
                f"{built:.2f} s (manifests generated, digests computed, indexed, frozen)."
            )
    if moto is not None:
        for size in plan.moto_scale_sizes:
            repository = REPOSITORY if size == 100 else f"{REPOSITORY}-{size}"
            moto.seed(repository, data.manifests(size))
            kwargs = {"repositoryName": repository, "imageIds": spread_ids(size, 100)}
            with moto.active():
                assert len(moto.client.batch_get_image(**kwargs)["images"]) == 100
            variants.append(
                Variant(f"moto mock_aws, {size:,} images", caller(moto.client, kwargs), moto.active)
            )
            if size > 100:
                report.notes.append(
                    f"Section 2: seeding moto with {size:,} images through PutImage took "
                    f"{moto.seed_seconds[repository]:.1f} s (each PutImage scans the repository)."
                )
    interleave(variants, plan, warmup=1)
    for variant in variants:
        rows[variant.name] = report.row(
            Row("2", f"100 id  {variant.name}", Stats.of(variant.samples))
        )
    if moto is not None:
        for size in plan.scale_sizes:
            if size not in plan.moto_scale_sizes:
                report.row(
                    Row(
                        "2",
                        f"100 id  moto mock_aws, {size:,} images",
                        text="not measured",
                        note="linear scans per id and per PutImage: too slow to seed and call"
                        if size >= 100_000
                        else "not in this mode",
                    )
                )
    small, big = plan.scale_sizes[0], plan.scale_sizes[-1]
    report.ratio(
        Ratio(
            "2",
            f"plugin {big:,} / {small} images",
            ratio_of(rows.get(f"plugin, {big:,} images"), rows.get(f"plugin, {small:,} images")),
            "<= 1.2",
        )
    )
    if moto is not None:
        mbig = plan.moto_scale_sizes[-1]
        report.ratio(
            Ratio(
                "2",
                f"moto {mbig:,} / {small} images",
                ratio_of(
                    rows.get(f"moto mock_aws, {mbig:,} images"),
                    rows.get(f"moto mock_aws, {small:,} images"),
                ),
                "",
            )
        )
        report.ratio(
            Ratio(
                "2",
                f"moto / plugin at {mbig:,} images",
                ratio_of(
                    rows.get(f"moto mock_aws, {mbig:,} images"),
                    rows.get(f"plugin, {mbig:,} images"),
                ),
                "",
            )
        )
    # The largest state is not needed again (section 3 uses setup_big).
    for size in plan.scale_sizes:
        if size not in (100, plan.setup_big):
            data.forget_state(size)


# -- section 3: per-test set-up and teardown -------------------------------------------------


def section_setup(report: Report, data: Data, moto: Moto | None) -> None:
    plan = report.plan
    print("\n[3] per-test cost: set-up + teardown of the fake", flush=True)
    small, big = 100, plan.setup_big
    states = {size: data.state(size) for size in (small, big)}
    cache = DeclarationCache()
    files = {size: data.yaml_file(size) for size in (small, plan.yaml_size)}
    for path in files.values():
        load_sources([path], cache=cache)  # warm: parsed once, as for a session

    def cycle_state(size: int) -> Callable[[], object]:
        state = states[size]

        def run() -> object:
            fake = FakeEcr(state=state)
            with fake:
                pass
            return fake

        return run

    def cycle_cache(size: int) -> Callable[[], object]:
        path = files[size]

        def run() -> object:
            fake = FakeEcr([path], cache=cache)
            with fake:
                pass
            return fake

        return run

    def with_client(factory: str) -> Callable[[], object]:
        state = states[big]

        def run() -> object:
            fake = FakeEcr(state=state)
            with fake:
                if factory == "fake":
                    return fake.client()
                return boto3.client("ecr", region_name=REGION)

        return run

    variants = [
        Variant(f"FakeEcr(state=) enter/exit, {small} images", cycle_state(small)),
        Variant(f"FakeEcr(state=) enter/exit, {big:,} images", cycle_state(big)),
        Variant(f"FakeEcr(warm cache) enter/exit, {small} images", cycle_cache(small)),
        Variant(
            f"FakeEcr(warm cache) enter/exit, {plan.yaml_size:,} images",
            cycle_cache(plan.yaml_size),
        ),
    ]
    interleave(variants, plan, rounds=max(1, plan.setup_rounds // 50))
    rows = {v.name: report.row(Row("3", v.name, Stats.of(v.samples))) for v in variants}

    heavy = [
        Variant(f"FakeEcr + ecr.client() (new session), {big:,}", with_client("fake")),
        Variant(f"FakeEcr + boto3.client() (default session), {big:,}", with_client("default")),
    ]
    if moto is not None:
        heavy.append(Variant("moto mock_aws() enter/exit + boto3.client()", moto.per_test))
    interleave(heavy, plan, rounds=max(3, plan.setup_rounds // 200), warmup=1)
    for variant in heavy:
        rows[variant.name] = report.row(Row("3", variant.name, Stats.of(variant.samples)))

    for variant, label in (
        (variants[1], f"per-test set-up, state=, {big:,} images"),
        (variants[3], f"per-test set-up, warm cache, {plan.yaml_size:,} images"),
    ):
        stats = rows[variant.name].stats
        assert stats is not None
        report.ratio(Ratio("3", label, stats.median / 1e6, "<= 1", "ms"))
    report.ratio(
        Ratio(
            "3",
            f"set-up {big:,} / {small} images (state=)",
            ratio_of(rows[variants[1].name], rows[variants[0].name]),
            "<= 1.2",
        )
    )
    report.ratio(
        Ratio(
            "3",
            f"set-up {plan.yaml_size:,} / {small} images (warm cache)",
            ratio_of(rows[variants[3].name], rows[variants[2].name]),
            "<= 1.2",
        )
    )
    if moto is not None:
        report.ratio(
            Ratio(
                "3",
                "moto per test / FakeEcr + boto3.client()",
                ratio_of(rows[heavy[2].name], rows[heavy[1].name]),
                "",
            )
        )


# -- section 4: loading a declaration --------------------------------------------------------


def persistent_cache() -> Callable[[Path], DeclarationCache] | None:
    """A factory of declaration caches that persist across runs, if the package has one
    (``DeclarationCache(persist_dir=...)``)."""
    try:
        parameters = inspect.signature(DeclarationCache).parameters
    except (TypeError, ValueError):
        return None
    if "persist_dir" not in parameters:
        return None
    make: Any = DeclarationCache

    def factory(directory: Path) -> DeclarationCache:
        cache: DeclarationCache = make(persist_dir=directory)
        return cache

    return factory


def section_loading(report: Report, data: Data) -> None:
    """§4 and §4b: a declaration's load, then how loading scales with its size."""
    section_load(report, data)
    section_scaling(report, data)


def section_load(report: Report, data: Data) -> None:
    import yaml

    plan = report.plan
    size = plan.yaml_size
    print(f"\n[4] loading a {size:,}-image YAML declaration", flush=True)
    path = data.yaml_file(size)
    text = path.read_text(encoding="utf-8")
    as_json = json.dumps(declaration_data(data.manifests(size)))
    loader: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader

    def cold(source: Path) -> Callable[[], object]:
        return lambda: load_sources([source], cache=DeclarationCache())

    state = cold(path)()
    assert isinstance(state, RegistryState)
    same = state.repository(REPOSITORY).image("v0").digest == data.images(1)[0].digest
    report.check("the YAML declaration gives the same digests as the model-built state", same)
    cold_row = f"cold load (new DeclarationCache), manifest_text blocks, {size:,}"
    alone_row = f"yaml.load ({loader.__name__}) of the same text, alone"
    json_row = "json.loads of the same data as JSON"
    variants = [
        Variant(cold_row, cold(path)),
        Variant(alone_row, lambda: yaml.load(text, loader)),
        Variant(json_row, lambda: json.loads(as_json)),
    ]
    mapping_row = f"cold load, inline manifest mappings, {size:,}"
    if plan.yaml_mapping:
        mapped = data.yaml_file(size, "mapping")
        digest = load_sources([mapped]).repository(REPOSITORY).image("v0").digest
        report.check(
            "inline manifest mappings give the same digests", digest == data.images(1)[0].digest
        )
        variants.append(Variant(mapping_row, cold(mapped)))
    persistent = persistent_cache()
    first_row = f"first run with persist_dir (parse + store), {size:,}"
    later_row = f"later run: new DeclarationCache(persist_dir=), stored, {size:,}"
    if persistent is not None:
        factory = persistent
        store = data.workdir / "declaration-store"
        load_sources([path], cache=factory(store))  # the first run: parse, then store
        later = load_sources([path], cache=factory(store))
        same = later.repository(REPOSITORY).image("v0").digest == data.images(1)[0].digest
        report.check("a later run (persistent cache) gives the same digests", same)
        fresh = iter(range(1_000_000))
        variants += [
            Variant(
                first_row,
                lambda: load_sources(
                    [path], cache=factory(store.with_name(f"store-{next(fresh)}"))
                ),
            ),
            Variant(later_row, lambda: load_sources([path], cache=factory(store))),
        ]
    interleave(variants, plan, rounds=plan.yaml_rounds, warmup=1)
    rows = {v.name: report.row(Row("4", v.name, Stats.of(v.samples))) for v in variants}
    if persistent is None:
        report.row(
            Row(
                "4",
                "later run (persistent cross-run cache)",
                text="not implemented yet",
                note="DeclarationCache takes no persist_dir: every session pays the cold load",
            )
        )
    else:
        report.ratio(
            Ratio(
                "4",
                "later run (persistent cache) / cold load",
                ratio_of(rows[later_row], rows[cold_row]),
                "",
            )
        )
        report.ratio(
            Ratio(
                "4",
                "later run (persistent cache) / json.loads",
                ratio_of(rows[later_row], rows[json_row]),
                "<= 3",
            )
        )
    report.ratio(
        Ratio("4", "cold YAML load / json.loads", ratio_of(rows[cold_row], rows[json_row]), "")
    )
    report.ratio(
        Ratio(
            "4", "cold YAML load / yaml.load alone", ratio_of(rows[cold_row], rows[alone_row]), ""
        )
    )
    if plan.yaml_mapping:
        report.ratio(
            Ratio(
                "4",
                "inline mappings / manifest_text blocks (cold)",
                ratio_of(rows[mapping_row], rows[cold_row]),
                "",
            )
        )


#: One timed operation in a fresh process (imports first, untimed): a cold load through a
#: new DeclarationCache, or `pytest-ecr validate`'s work, with the collector on as in a
#: real run. Prints nanoseconds and the peak RSS (KiB) of the process's own memory: Linux's
#: ``ru_maxrss`` keeps the parent's high-water mark across fork and exec (this benchmark's
#: process, holding the generated data, is the bigger), so /proc's VmHWM is read instead.
SCALING_RUN = """\
import io, resource, sys, time
from pytest_ecr.cli import _validate
from pytest_ecr.declarations import DeclarationCache, load_sources
def peak_kib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
what, path = sys.argv[1:]
start = time.perf_counter_ns()
if what == "load":
    load_sources([path], cache=DeclarationCache())
elif _validate([path], io.StringIO()) != 0:
    raise SystemExit("validate found problems")
print(time.perf_counter_ns() - start, peak_kib())
"""


def section_scaling(report: Report, data: Data) -> None:
    """§4b: a cold load of a small and a ten times larger declaration, each in a fresh
    process, and `pytest-ecr validate` against a load of the larger one."""
    plan = report.plan
    small, big = plan.scaling_sizes
    print(f"\n[4b] loading {small:,} and {big:,} images cold; validate / load", flush=True)
    files = {size: data.yaml_file(size) for size in (small, big)}
    env = subprocess_env(None)
    samples: dict[tuple[str, int], list[float]] = {}
    peaks: dict[tuple[str, int], int] = {}
    # Interleaved, so a busy spell hits every row; the small load, a tenth of the others'
    # time, is sampled three times a round so its median is as steady as theirs.
    order = [("load", small), ("load", big), ("load", small), ("validate", big), ("load", small)]
    for _ in range(plan.scaling_runs):
        for key in order:
            command = [sys.executable, "-c", SCALING_RUN, key[0], str(files[key[1]])]
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, check=True, cwd=data.workdir
            )
            ns, peak = done.stdout.split()
            samples.setdefault(key, []).append(float(ns))
            peaks[key] = max(peaks.get(key, 0), int(peak))

    def row(key: tuple[str, int], name: str) -> Row:
        note = f"peak RSS {peaks[key] / 1024:.0f} MB"
        return report.row(Row("4b", name, Stats.of(samples[key]), note=note))

    small_row = row(("load", small), f"cold load, {small:,} images (fresh process)")
    big_row = row(("load", big), f"cold load, {big:,} images (fresh process)")
    validate_row = row(("validate", big), f"pytest-ecr validate, {big:,} images")
    report.ratio(
        Ratio(
            "4b",
            f"cold load {big:,} / {small:,} images",
            ratio_of(big_row, small_row),
            f"<= {1.2 * big / small:g}",
        )
    )
    report.ratio(
        Ratio(
            "4b", f"validate / cold load, {big:,} images", ratio_of(validate_row, big_row), "<= 1.5"
        )
    )


# -- sections 5 and 6: pytest in a subprocess ------------------------------------------------


FIRST_TEST = "test_batch_get_image[0]"


def runs_note(values: Sequence[float]) -> str:
    """The individual runs of a subprocess row, in seconds, in the order they ran."""
    return "runs: " + ", ".join(f"{v / 1e9:.2f}" for v in values) + " s"


def section_suite(report: Report, data: Data, moto: Moto | None, workdir: Path) -> None:
    plan = report.plan
    tests = plan.suite_tests
    print(f"\n[5] a generated suite of {tests} tests, each a 10-id BatchGetImage", flush=True)
    suite = workdir / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (suite / "registry.yaml").write_text(data.yaml_file(100).read_text("utf-8"), "utf-8")
    images = {
        f"v{i}": {
            "registryId": ACCOUNT,
            "repositoryName": REPOSITORY,
            "imageId": {"imageDigest": image.digest, "imageTag": f"v{i}"},
            "imageManifest": image.manifest,
            "imageManifestMediaType": image.media_type,
        }
        for i, image in enumerate(data.images(100))
    }
    (suite / "images.json").write_text(json.dumps(images), encoding="utf-8")
    files = {
        "plugin (marker + boto3.client())": ("test_plugin.py", SUITE_PLUGIN, []),
        "botocore Stubber (-p no:ecr)": ("test_stubber.py", SUITE_STUBBER, ["-p", "no:ecr"]),
    }
    if plan.suite_fixture:
        files["plugin (ecr_client fixture)"] = ("test_plugin_fixture.py", SUITE_PLUGIN_FIXTURE, [])
    if moto is not None:
        files["moto mock_aws (-p no:ecr)"] = ("test_moto.py", SUITE_MOTO, ["-p", "no:ecr"])
    env = subprocess_env(workdir / "pycache")
    commands: dict[str, list[str]] = {}
    for name, (filename, template, extra) in files.items():
        (suite / filename).write_text(template.format(tests=tests), encoding="utf-8")
        commands[name] = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *extra,
            filename,
        ]
    samples: dict[str, list[float]] = {name: [] for name in commands}

    def run(name: str, command: list[str]) -> float:
        timed = time_command(command, suite, env)
        if f"{tests} passed" not in timed.stdout:
            raise RuntimeError(f"{name}: expected {tests} passed, got:\n{timed.stdout[-1000:]}")
        return timed.wall

    # Warm-up: the first test of every suite fills the bytecode cache with everything the
    # suite imports (pytest, its plugins, boto3, moto, pytest-ecr's lazily imported parts);
    # the full mode may also run each suite once untimed.
    for name, command in commands.items():
        first = time_command([*command[:-1], f"{command[-1]}::{FIRST_TEST}"], suite, env)
        if "1 passed" not in first.stdout:
            raise RuntimeError(f"{name}: the first test did not pass:\n{first.stdout[-1000:]}")
    if plan.suite_warmup:
        for name, command in commands.items():
            run(name, command)
    # The target's two suites (plugin, Stubber) run five times in the full mode, as their
    # runs differ by a tenth on a shared machine; moto's, at twelve times their time, three.
    for index in range(plan.suite_runs):
        order = [
            item
            for item in commands.items()
            if index < plan.suite_moto_runs or not item[0].startswith("moto")
        ]
        for name, command in order if index % 2 == 0 else reversed(order):
            samples[name].append(run(name, command))
    rows = {
        name: report.row(
            Row("5", f"{tests} tests  {name}", Stats.of(values), note=runs_note(values))
        )
        for name, values in samples.items()
    }
    report.notes.append(
        "Section 5 command: `"
        + shlex.join(["python", *commands[next(iter(commands))][1:]])
        + "` in a temporary directory holding only the suite, `registry.yaml` (100 images), "
        "`images.json` and an empty `pytest.ini`; Stubber and moto suites add `-p no:ecr`, as "
        "a project without pytest-ecr would run them."
    )
    stub = rows["botocore Stubber (-p no:ecr)"]
    # The target's ratio pairs the runs made back to back (one round runs both suites, in
    # turn): a slow spell of a shared machine falls on both of a pair, where the ratio of
    # the two medians can take them from different spells. Both are reported.
    plugin_runs = samples["plugin (marker + boto3.client())"]
    stub_runs = samples["botocore Stubber (-p no:ecr)"]
    report.ratio(
        Ratio(
            "5",
            "suite: plugin (marker) / Stubber, median of paired runs",
            statistics.median(a / b for a, b in zip(plugin_runs, stub_runs, strict=True)),
            "<= 1.3",
        )
    )
    report.ratio(
        Ratio(
            "5",
            "suite: plugin (marker) / Stubber, ratio of medians",
            ratio_of(rows["plugin (marker + boto3.client())"], stub),
            "",
        )
    )
    if plan.suite_fixture:
        report.ratio(
            Ratio(
                "5",
                "suite: plugin (ecr_client fixture) / Stubber",
                ratio_of(rows["plugin (ecr_client fixture)"], stub),
                "",
            )
        )
    if moto is not None:
        report.ratio(
            Ratio(
                "5", "suite: moto / Stubber", ratio_of(rows["moto mock_aws (-p no:ecr)"], stub), ""
            )
        )


def import_breakdown(env: dict[str, str], cwd: Path) -> list[str]:
    """What ``import pytest_ecr.plugin`` costs once pytest is loaded, and the biggest
    third-party modules it pulls in (``-X importtime``, one run: indicative only)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pytest; import pytest_ecr.plugin"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    entries: list[tuple[int, int, int, str]] = []  # (self µs, cumulative µs, depth, name)
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            depth = len(match.group(3)) // 2
            entries.append((int(match.group(1)), int(match.group(2)), depth, match.group(4)))
    first = next((i for i, e in enumerate(entries) if e[3] == "pytest" and e[2] == 0), None)
    if first is None:
        return []
    after = entries[first + 1 :]
    # Post-order output: an entry's parent is the next entry one level up.
    parents: list[str | None] = [None] * len(after)
    waiting: dict[int, list[int]] = {}
    for index, (_, _, depth, name) in enumerate(after):
        for child in waiting.pop(depth + 1, []):
            parents[child] = name
        waiting.setdefault(depth, []).append(index)
    total = sum(e[1] for e in after if e[2] == 0)
    ours = sum(e[0] for e in after if e[3].startswith("pytest_ecr"))
    pulled = sorted(
        (
            (cum, name)
            for (_, cum, _, name), parent in zip(after, parents, strict=True)
            if not name.startswith("pytest_ecr")
            and (parent is None or parent.startswith("pytest_ecr"))
        ),
        reverse=True,
    )
    text = (
        f"Section 6, `python -X importtime -c 'import pytest; import pytest_ecr.plugin'` (one "
        f"run): the plugin import costs {total / 1e3:.1f} ms after pytest "
        f"({ours / 1e3:.1f} ms in pytest_ecr's own modules)"
    )
    if not pulled:
        return [text + "; it imports no other module that pytest had not imported."]
    lines = [text + "; the biggest other modules it pulls in:"]
    lines += [f"  - `{name}`: {cum / 1e3:.1f} ms" for cum, name in pulled[:8]]
    return lines


def section_startup(report: Report, workdir: Path) -> None:
    plan = report.plan
    print("\n[6] plugin import and pytest start-up", flush=True)
    empty = workdir / "empty"
    empty.mkdir()
    (empty / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (empty / "test_trivial.py").write_text("def test_trivial():\n    pass\n", encoding="utf-8")
    env = subprocess_env(workdir / "pycache")
    bare = subprocess_env(None)
    base = [sys.executable, "-m", "pytest", "--collect-only", "-q"]
    # name -> (command, environment)
    commands = {
        "with pytest-ecr": (base, env),
        "without (-p no:ecr)": ([*base, "-p", "no:ecr"], env),
    }
    if plan.startup_nocache:
        commands["with pytest-ecr, no bytecode cache"] = (base, bare)
        commands["without (-p no:ecr), no bytecode cache"] = ([*base, "-p", "no:ecr"], bare)
    for command, environment in commands.values():  # warm-up: bytecode cache, OS caches
        time_command(command, empty, environment)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(plan.startup_runs):
        order = list(commands.items())
        for name, (command, environment) in order if index % 2 == 0 else reversed(order):
            timed = time_command(command, empty, environment)
            samples[name].append(timed.wall)
            cpu[name].append(timed.cpu)
    rows = {
        name: report.row(
            Row(
                "6",
                f"pytest --collect-only -q, {name}",
                Stats.of(values),
                note=runs_note(values),
            )
        )
        for name, values in samples.items()
    }

    def overhead(suffix: str) -> float | None:
        with_row = rows.get(f"with pytest-ecr{suffix}")
        without_row = rows.get(f"without (-p no:ecr){suffix}")
        if with_row is None or without_row is None:
            return None
        assert with_row.stats is not None
        assert without_row.stats is not None
        return (with_row.stats.median - without_row.stats.median) / 1e6

    def paired(suffix: str) -> float | None:
        """Median of the differences of runs made back to back (with, then without, or
        the other way round): slow spells of a shared machine fall on both of a pair."""
        with_runs = samples.get(f"with pytest-ecr{suffix}")
        without_runs = samples.get(f"without (-p no:ecr){suffix}")
        if not with_runs or not without_runs:
            return None
        return statistics.median(a - b for a, b in zip(with_runs, without_runs, strict=True)) / 1e6

    report.ratio(
        Ratio(
            "6",
            "start-up overhead of the plugin (median of paired differences)",
            paired(""),
            "<= 40",
            "ms",
        )
    )
    report.ratio(Ratio("6", "start-up overhead, difference of the medians", overhead(""), "", "ms"))
    cpu_with = Stats.of(cpu["with pytest-ecr"]).median
    cpu_without = Stats.of(cpu["without (-p no:ecr)"]).median
    report.ratio(
        Ratio(
            "6",
            "start-up overhead, CPU time (user + sys)",
            (cpu_with - cpu_without) / 1e6,
            "",
            "ms",
        )
    )
    fastest = {name: min(values) for name, values in samples.items()}
    report.ratio(
        Ratio(
            "6",
            "start-up overhead, difference of the fastest runs",
            (fastest["with pytest-ecr"] - fastest["without (-p no:ecr)"]) / 1e6,
            "",
            "ms",
        )
    )
    if plan.startup_nocache:
        report.ratio(
            Ratio(
                "6",
                "start-up overhead, no bytecode cache (median of paired differences)",
                paired(", no bytecode cache"),
                "",
                "ms",
            )
        )
    if plan.counts and instructions.available() is None:
        # The same two commands counted under callgrind: repeatable where the times are not.
        # A whole pytest run is not quite repeatable (its cache files, plugins' own
        # randomness): a few runs each, the median shown with every run.
        names = ("with pytest-ecr", "without (-p no:ecr)")
        repeats = 3 if plan.name == "full" else 1
        with ThreadPoolExecutor(2) as pool:
            futures = {
                name: [
                    pool.submit(
                        instructions.count_command, commands[name][0], empty, commands[name][1]
                    )
                    for _ in range(repeats)
                ]
                for name in names
            }
            runs = {name: [f.result() for f in found] for name, found in futures.items()}
        counted = {name: statistics.median(values) for name, values in runs.items()}
        for name, value in counted.items():
            report.row(
                Row(
                    "6",
                    f"pytest --collect-only -q, {name}, under callgrind",
                    text=f"{value / 1e6:,.1f} M instr",
                    note="runs: " + ", ".join(f"{v / 1e6:,.1f}" for v in runs[name]) + " M",
                )
            )
        extra = counted["with pytest-ecr"] - counted["without (-p no:ecr)"]
        report.ratio(
            Ratio(
                "6",
                "start-up overhead in instructions, share of a pytest run without the plugin",
                100 * extra / counted["without (-p no:ecr)"],
                "",
                "%",
            )
        )
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, pytest_ecr.plugin; print('moto' in sys.modules)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report.check(
        "after `import pytest_ecr.plugin`, moto is not in sys.modules",
        probe.stdout.strip() == "False",
    )
    timer = (
        "import time, pytest; start = time.perf_counter_ns(); import pytest_ecr.plugin; "
        "print(time.perf_counter_ns() - start)"
    )
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", timer],
                cwd=empty,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(plan.startup_runs)
    ]
    report.row(
        Row(
            "6",
            "import pytest_ecr.plugin after pytest (timed inside the process)",
            Stats.of(imports),
        )
    )
    report.notes.extend(import_breakdown(env, empty))


STANDING_NOTES = [
    "Every in-process contender uses the same kind of client: its own boto3 session, "
    "explicit fake credentials, default retries. moto is imported before any client is "
    "made, so each carries moto's (disabled) before-send handler too.",
    "The canned row registers a before-send handler returning a precomputed JSON body of "
    "the very answer the plugin gives, with no fake active: botocore's floor for an answer "
    "that keeps validation, serialisation, signing, retries and parsing.",
    "The Stubber row times `add_response` (which validates the response against the "
    "output shape) plus the call, as a test does; Stubber skips signing, the retry "
    "handler and parsing.",
    "moto is seeded through PutImage with the same manifests; its digests are computed "
    "differently from ECR's (so only tags and manifests are compared). mock_aws stays "
    "seeded between blocks (start(reset=False)/stop(remove_data=False)); "
    "ThreadedMotoServer runs in this process and serves the same moto backend.",
    "moto is not measured on 100,000 images: every BatchGetImage id scans the repository "
    "and each PutImage scans it too, so seeding alone is quadratic.",
    "Subprocess rows (§5, §6) run with bytecode cached under a temporary "
    "PYTHONPYCACHEPREFIX, warmed first (§5: the first test of each suite; §6: one run of "
    "each command), as an installed package would be (nothing is written beside the "
    "sources). The full mode also times "
    "start-up with PYTHONDONTWRITEBYTECODE=1, where every run compiles pytest_ecr's "
    "sources again.",
    "Per-test rows (§3) construct the fake, enter and exit it; the moto row enters and "
    "exits mock_aws() and creates a boto3 client, since mock_aws resets boto3's default "
    "session and a moto test cannot use a client made before.",
]


def _median(report: Report, section: str, *words: str) -> float | None:
    """The median (ns) of the first row of *section* whose name has all *words*."""
    for row in report.rows:
        if row.section == section and row.stats and all(w in row.name for w in words):
            return row.stats.median
    return None


def findings(report: Report) -> list[str]:
    """What the numbers say, in words: where the plugin's time goes beyond the floor."""
    out: list[str] = []
    for count in ("  1 id", "100 id"):
        plugin = _median(report, "1", count, "plugin in-process")
        floor = _median(report, "1", count, "canned before-send")
        own = _median(report, "1", count, "plugin's own work")
        if plugin is not None and floor is not None:
            text = (
                f"Findings, §1 {count.strip()}: the plugin costs {(plugin - floor) / 1e3:.0f} µs "
                f"per call over botocore's floor ({floor / 1e3:.0f} µs)"
            )
            if own is not None:
                text += (
                    f"; its own work (decode, answer, record, encode), timed alone in a hot "
                    f"loop, is {own / 1e3:.0f} µs, so {(plugin - floor - own) / 1e3:.0f} µs "
                    "go elsewhere in situ (the hook's glue, colder caches; see the cProfile "
                    "tables in full mode)"
                )
            out.append(text + ".")
    plugin = _median(report, "1", "  1 id", "plugin in-process")
    floor = _median(report, "1", "  1 id", "canned before-send")
    moto = _median(report, "1", "  1 id", "moto mock_aws")
    if plugin is not None and floor is not None and moto is not None:
        out.append(
            f"Findings, §1 moto / plugin at 1 id: a plugin costing nothing over the floor would "
            f"score moto / floor = {moto / floor:.2f}{TIMES}; reaching 2{TIMES} needs the plugin "
            "at or "
            f"under {moto / 2e3:.0f} µs, i.e. at most {(moto / 2 - floor) / 1e3:.0f} µs over "
            "the floor on this run."
        )
    slow = _median(report, "1", "  1 id", "plugin HTTP endpoint")
    fast = _median(report, "1", "  1 id", "TCP_NODELAY")
    if slow is not None and fast is not None and slow > 5 * fast:
        out.append(
            f"Findings, §1 HTTP endpoint: a small answer takes {slow / 1e6:.0f} ms instead of "
            f"{fast / 1e6:.1f} ms. The handler writes the headers and the body in two writes; "
            "with Nagle's algorithm on, the body waits for the client's delayed ACK (~40 ms on "
            "Linux). Setting `disable_nagle_algorithm = True` on the request handler (as the "
            "experiment row does), or sending headers and body in one write, removes the stall."
        )
    new_session = _median(report, "3", "ecr.client()")
    default = _median(report, "3", "boto3.client()", "default session")
    if new_session is not None and default is not None and new_session > 5 * default:
        out.append(
            f"Findings, §3/§5 clients: `FakeEcr.client()` (what the `ecr_client` fixture "
            f"calls) builds a new boto3 session each time: {new_session / 1e6:.0f} ms per "
            f"test against {default / 1e6:.1f} ms for `boto3.client()` on the default session "
            "(service model and endpoint data loaded again every time). Sharing one botocore "
            "session (or its loader) between the clients it makes would remove most of it."
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="small sizes and few rounds")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the Markdown report (default: benchmarks/RESULTS.md in full "
        "mode, none in quick mode; '-' for none)",
    )
    parser.add_argument(
        "--sections", default="1,2,3,4,5,6,L,R", help="comma-separated sections to run"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    output: Path | None = args.output
    if output is None and not args.quick:
        output = HERE / "RESULTS.md"
    if output is not None and str(output) == "-":
        output = None
    sections = {s.strip() for s in args.sections.split(",")}
    command = shlex.join(
        ["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]
    )

    started = time.perf_counter()
    report = Report(plan)
    head, source, load = git_head(HERE), source_fingerprint(), load_average()
    print(f"pytest-ecr benchmarks, {plan.name} mode", flush=True)
    for key, value in machine_facts():
        print(f"  {key}: {value}")
    moto = load_moto()
    if moto is None:
        report.notes.append("moto is not installed: its rows are skipped.")
    report.notes.extend(STANDING_NOTES)
    runs: list[tuple[str, Callable[[Data, Path], None]]] = [
        ("1", lambda d, w: section_calls(report, d, moto)),
        ("2", lambda d, w: section_scale(report, d, moto)),
        ("3", lambda d, w: section_setup(report, d, moto)),
        ("4", lambda d, w: section_loading(report, d)),
        ("5", lambda d, w: section_suite(report, d, moto, w)),
        ("6", lambda d, w: section_startup(report, w)),
        ("L", lambda d, w: lifecycle.section_lifecycle(report, d)),
        ("R", lambda d, w: controlplane.section_reads(report, d)),
    ]
    with tempfile.TemporaryDirectory(prefix="pytest-ecr-bench-") as tmp:
        workdir = Path(tmp)
        data = Data(workdir)
        try:
            for key, run in runs:
                if key not in sections:
                    continue
                section_start = time.perf_counter()
                try:
                    run(data, workdir)
                    print(f"  (section {key}: {time.perf_counter() - section_start:.1f} s)")
                except Exception as error:  # report it, and go on with the others
                    report.errors.append(f"section {key}: {type(error).__name__}: {error}")
                    print(f"  section {key} failed: {error!r}", flush=True)
        finally:
            if moto is not None:
                moto.stop()
    report.notes[:0] = findings(report)
    source_after = source_fingerprint()
    report.facts += [
        ("pytest-ecr source", f"commit {head}, working tree sha256 {source}"),
        ("load average (1, 5, 15 min)", f"{load} at the start, {load_average()} at the end"),
    ]
    if source_after != source:
        report.notes.insert(
            0,
            f"WARNING: pytest_ecr's sources changed during this run ({source} -> "
            f"{source_after}): rows measured before and after the change are mixed.",
        )
    elapsed = time.perf_counter() - started
    print_tables(report)
    print(f"\n{plan.name} run took {elapsed:.1f} s", flush=True)
    if output is not None:
        output.write_text(markdown(report, command, elapsed), encoding="utf-8")
        print(f"wrote {output}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
