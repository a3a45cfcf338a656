"""The registry data plane side by side: ``skopeo copy`` of one big image from
``pytest-ecr serve`` and from the reference registry (distribution, Debian's
``docker-registry``), in one run, interleaved; and the fake server's memory while it
serves the pull, with 100 and with 10,000 images declared beside the big one.

Run from the repository root (needs ``skopeo`` and ``docker-registry`` on PATH)::

    python benchmarks/registry.py            # a 50 MB image, 7 rounds
    python benchmarks/registry.py --quick    # a 50 MB image, 3 rounds

What it does:

1. writes an OCI layout holding one image: a config and one uncompressed tar layer of
   ``--size`` MB of seeded random bytes (so nothing compresses it away);
2. starts distribution (filesystem storage in a temporary folder, no auth) and two fakes
   (``pytest-ecr serve``, declarations with 100 and with 10,000 synthetic images in
   another repository), each on 127.0.0.1;
3. pushes the image into each with ``skopeo copy`` (the fakes with ``AWS:<password>``
   from GetAuthorizationToken);
4. pulls it from distribution and from the 100-image fake into fresh ``oci:`` folders,
   alternating which goes first, ``--rounds`` times; skopeo verifies every blob's digest;
5. pulls it from the 10,000-image fake while sampling both fakes' RSS every 10 ms.

Reported: median pull times and their ratio (target: the fake at most 1.0x distribution's), and
each fake's RSS before the pulls and at their peak (target: what a pull adds does not grow
with the number of images, and stays far below the image's size: blobs are streamed).
Figures are reported, never asserted; the exit status is 0 whatever they are, 1 when a
step itself failed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from httpload import free_port, stop, wait_listening

MB = 1_000_000
TIMEOUT = 300


def _blob(layout: Path, data: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def write_layout(layout: Path, size: int, seed: int = 14) -> None:
    """An OCI layout with one image tagged ``v1``: one tar layer of *size* random bytes."""
    (layout / "blobs" / "sha256").mkdir(parents=True)
    payload = random.Random(seed).randbytes(size)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("payload.bin")
        info.size, info.mtime = len(payload), 0
        tar.addfile(info, io.BytesIO(payload))
    layer = archive.getvalue()
    layer_ref = _blob(layout, layer)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer_ref["digest"]]},
        "config": {},
    }
    config_ref = _blob(layout, json.dumps(config, separators=(",", ":")).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_ref},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer_ref}],
    }
    manifest_ref = _blob(layout, json.dumps(manifest, separators=(",", ":")).encode())
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **manifest_ref,
                "annotations": {"org.opencontainers.image.ref.name": "v1"},
            }
        ],
    }
    (layout / "index.json").write_text(json.dumps(index))
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')


def start_distribution(root: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    config = root / "distribution.yml"
    config.write_text(
        "version: 0.1\n"
        "log: {level: error}\n"
        f"storage: {{filesystem: {{rootdirectory: {root / 'storage'}}}}}\n"
        f"http: {{addr: '127.0.0.1:{port}'}}\n"
    )
    process = subprocess.Popen(
        ["docker-registry", "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_listening(port, process, "docker-registry")
    return process, port


def start_fake(root: Path, images: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    declaration = root / f"fake-{images}.yaml"
    declaration.write_text(
        "version: 1\n"
        "account: '123456789012'\n"
        "region: us-east-1\n"
        "repositories:\n"
        "  - name: bench/image\n"
        "  - name: bench/others\n"
        "    images:\n" + "".join(f"      - tags: [v{i}]\n" for i in range(images))
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_ecr.cli", "serve", str(declaration), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_listening(port, process, f"pytest-ecr serve ({images} images)")
    return process, port


def fake_password(port: int) -> str:
    """The password GetAuthorizationToken of the fake at *port* gives."""
    import base64

    import boto3

    from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

    client = boto3.client(
        "ecr",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id=FAKE_ACCESS_KEY,
        aws_secret_access_key=FAKE_SECRET_KEY,
    )
    token = client.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    return base64.b64decode(token).decode().partition(":")[2]


def skopeo(home: Path, *args: str) -> float:
    """Run skopeo with a private HOME; its wall time in seconds."""
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    started = time.perf_counter()
    subprocess.run(
        ["skopeo", "--insecure-policy", *args],
        env=env,
        check=True,
        timeout=TIMEOUT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return time.perf_counter() - started


def rss(pid: int) -> int:
    """Resident set size of *pid* in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler:
    """The peak RSS of some processes, sampled every 10 ms in a thread."""

    def __init__(self, pids: list[int]) -> None:
        self.peaks = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.peaks:
                self.peaks[pid] = max(self.peaks[pid], rss(pid))
            self._stop.wait(0.01)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    home = work / "home"
    home.mkdir()
    layout = work / "layout"
    write_layout(layout, args.size * MB)
    source = f"oci:{layout}:v1"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        registry, registry_port = start_distribution(work)
        processes.append(registry)
        small, small_port = start_fake(work, 100)
        processes.append(small)
        large, large_port = start_fake(work, args.images)
        processes.append(large)
        targets = {
            "distribution": (registry_port, []),
            "fake": (small_port, ["--src-creds", f"AWS:{fake_password(small_port)}"]),
            "fake-large": (large_port, ["--src-creds", f"AWS:{fake_password(large_port)}"]),
        }
        for _name, (port, creds) in targets.items():
            dest_creds = ["--dest-creds", creds[1]] if creds else []
            skopeo(
                home,
                "copy",
                "--dest-tls-verify=false",
                *dest_creds,
                source,
                f"docker://127.0.0.1:{port}/bench/image:v1",
            )
        idle = {pid: rss(pid) for pid in (small.pid, large.pid)}
        times: dict[str, list[float]] = {"distribution": [], "fake": []}
        pulls = 0

        def pull(name: str) -> float:
            nonlocal pulls
            port, creds = targets[name]
            pulls += 1
            destination = work / f"pull-{pulls}"
            seconds = skopeo(
                home,
                "copy",
                "--src-tls-verify=false",
                *creds,
                f"docker://127.0.0.1:{port}/bench/image:v1",
                f"oci:{destination}:v1",
            )
            shutil.rmtree(destination)
            return seconds

        with Sampler([small.pid, large.pid]) as sampler:
            pull("distribution")  # warm both once (page cache, connections), not counted
            pull("fake")
            for round_ in range(args.rounds):
                order = ["distribution", "fake"] if round_ % 2 == 0 else ["fake", "distribution"]
                for name in order:
                    times[name].append(pull(name))
            pull("fake-large")
            pull("fake-large")
        return {
            "times": times,
            "idle": idle,
            "peaks": sampler.peaks,
            "pids": {"fake": small.pid, "fake-large": large.pid},
        }
    finally:
        for process in processes:
            stop(process)


def report(args: argparse.Namespace, result: dict[str, Any]) -> None:
    times = result["times"]
    registry = statistics.median(times["distribution"])
    fake = statistics.median(times["fake"])
    ratio = fake / registry
    mark = "✓" if ratio <= 1.0 else f"✗ ({ratio - 1.0:.0%} over)"
    print(f"skopeo copy of a {args.size} MB image into oci:, median of {args.rounds} rounds")
    print(f"  distribution (docker-registry): {registry:.3f} s  {sorted(times['distribution'])}")
    print(f"  pytest-ecr serve:               {fake:.3f} s  {sorted(times['fake'])}")
    print(f"  fake / distribution: {ratio:.2f}x  (target <= 1.0x) {mark}")
    added = {}
    for name, images in (("fake", 100), ("fake-large", args.images)):
        pid = result["pids"][name]
        idle, peak = result["idle"][pid], result["peaks"][pid]
        added[name] = peak - idle
        print(
            f"  server with {images:>6,} images: RSS {idle / 2**20:.0f} MiB idle, "
            f"{peak / 2**20:.0f} MiB at the pulls' peak (+{(peak - idle) / 2**20:.1f} MiB)"
        )
    grown = added["fake-large"] - added["fake"]
    print(
        f"  what a pull adds, {args.images:,} vs 100 images: {grown / 2**20:+.1f} MiB "
        f"(target: flat, and far below the {args.size} MB image)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--size", type=int, default=50, help="the layer's size in MB [50]")
    parser.add_argument("--rounds", type=int, default=None, help="pull rounds [7; quick 3]")
    parser.add_argument("--images", type=int, default=10_000, help="the large fake's images")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 7
    missing = [tool for tool in ("skopeo", "docker-registry") if shutil.which(tool) is None]
    if missing:
        print(
            f"skipped: {' and '.join(missing)} not on PATH (Debian: apt-get install skopeo "
            "docker-registry)"
        )
        return 0
    with tempfile.TemporaryDirectory(prefix="pytest-ecr-registry-bench.") as work:
        try:
            result = run(args, Path(work))
        except (RuntimeError, subprocess.SubprocessError, OSError) as error:
            stderr = getattr(error, "stderr", b"") or b""
            print(f"failed: {error}\n{stderr.decode(errors='replace')[-2000:]}")
            return 1
    report(args, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
