"""The mixed run (QUALITY.md row 15): 75% reads, 25% writes, and the burst (issue 16)."""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from typing import Any

from bench.calls import CALLS
from bench.city import City
from bench.load import HealthzPoller, Request, Server, load, maker
from bench.probe import Probe
from bench.writes import WritePool, missing_writes


def mixed_run(
    city: City,
    server: Server,
    probes: dict[str, Probe],
    args: argparse.Namespace,
    log: Callable[[str], None],
    *,
    clients: int = 16,
    max_requests: int | None = None,
) -> dict[str, Any] | None:
    """75% reads, 25% writes from `clients` clients: no 5xx, no "locked", no acknowledged write
    lost, and how slow /healthz got meanwhile."""
    reads = [c for c in CALLS if c.kind in ("page", "api") and probes[c.key].available]
    writes = [c for c in CALLS if c.kind == "write" and probes[c.key].available]
    if not reads or not writes:
        return None
    pools = {c.key: WritePool(city, c) for c in writes}
    read_makers = [maker(city, c, None) for c in reads]
    write_makers = [maker(city, c, pools[c.key]) for c in writes]
    locked_before = server.locked_messages()

    def make(rng: random.Random) -> Request:
        chosen = rng.choice(write_makers) if rng.random() < 0.25 else rng.choice(read_makers)
        return chosen(rng)

    poller = HealthzPoller(server.port)
    run = load(
        server.port,
        make,
        concurrency=clients,
        duration=args.mixed,
        max_requests=max_requests or args.mixed_requests,
    )
    healthz_slowest, healthz_failed = poller.stop()
    acknowledged = [m for pool in pools.values() for m in pool.markers]
    lost = missing_writes(city, acknowledged)
    result = {
        "requests": run.count,
        "seconds": run.seconds,
        "rps": run.rps,
        "p50": run.percentile(0.5),
        "p95": run.percentile(0.95),
        "server_errors": sum(n for s, n in run.statuses.items() if s >= 500 or s == 0),
        "statuses": dict(sorted(run.statuses.items())),
        "locked": server.locked_messages() - locked_before,
        "writes_acknowledged": len(acknowledged),
        "writes_lost": lost,
        "reads": [c.label for c in reads],
        "writes": [c.label for c in writes],
        "clients": clients,
        "healthz_slowest": healthz_slowest,
        "healthz_failed": healthz_failed,
    }
    log(
        f"  mixed 75/25, {clients} clients: {run.count} requests, p95 {result['p95']:.1f} ms, "
        f"5xx {result['server_errors']}, locked {result['locked']}, "
        f"{len(acknowledged)} writes acknowledged, {lost} lost, "
        f"/healthz slowest {healthz_slowest:.0f} ms ({healthz_failed} unanswered)"
    )
    return result
