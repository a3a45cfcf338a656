"""A loopback endpoint in a child process with limits on its memory and CPU time, for
tests and measurements that could exhaust either if a bound did not hold.

``python serve_child.py CONFIG_JSON``: CONFIG_JSON has ``limits`` (``memory`` bytes of
address space, ``cpu`` seconds) and ``server`` (keyword arguments of EcrHTTPServer). The
child prints its endpoint URL, then answers each line read on stdin: ``stats`` prints one
JSON line (threads, connections, the byte budget, peak RSS); end of input stops it.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
from typing import Any

REGISTRY = {
    "version": 1,
    "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}, {"name": "keep/me"}],
}


def _limit(limits: dict[str, Any]) -> None:
    if "memory" in limits:
        memory = int(limits["memory"])
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if "cpu" in limits:
        cpu = int(limits["cpu"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def peak_rss() -> int:
    """This process's peak resident set, in bytes: ``VmHWM`` of its own memory map.

    Not ``getrusage``'s ``ru_maxrss``: Linux carries that across ``execve``, so a child of
    a large pytest worker would report the worker's size.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss * 1024  # Linux reports KiB


def stats(server: Any) -> dict[str, Any]:
    return {
        "threads": threading.active_count(),
        "connections": len(server.connections),
        "budget_used": server.budget.used,
        "budget_peak": server.budget.peak,
        "budget_waiting": server.budget.waiting,
        "max_rss": peak_rss(),
        "errors": [repr(e) for e in server.errors],
    }


def main() -> int:
    config = json.loads(sys.argv[1])
    from pytest_ecr import FakeEcr
    from pytest_ecr.transports.http_server import EcrHTTPServer

    fake = FakeEcr([REGISTRY], fake_environment=False)
    server = EcrHTTPServer(fake, **config.get("server", {}))
    _limit(config.get("limits", {}))  # after start-up: the limits are for serving
    server.start()
    print(server.endpoint_url, flush=True)
    for line in sys.stdin:
        if line.strip() == "stats":
            print(json.dumps(stats(server)), flush=True)
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
