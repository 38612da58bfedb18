"""Measuring one server configuration: every call at each concurrency, then the mixed run."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.calls import CALLS, Call
from bench.city import City
from bench.load import Run, Server, load, maker
from bench.mixed import mixed_run
from bench.probe import Probe
from bench.writes import WritePool

# --- measuring a server -------------------------------------------------------------------------


SERVER_ERRORS: dict[tuple[str, float, int], Counter] = {}


@dataclass
class Measured:
    call: Call
    runs: dict[int, Run]


def measure_server(
    city: City,
    workers: int,
    probes: dict[str, Probe],
    args: argparse.Namespace,
    log: Callable[[str], None],
) -> tuple[list[Measured], dict[str, Any] | None]:
    server = Server(city, workers)
    measured: list[Measured] = []
    mixed = None
    try:
        for call in CALLS:
            if not probes[call.key].available or (args.mixed_only and call.kind != "baseline"):
                continue
            pool = WritePool(city, call) if call.kind == "write" else None
            make = maker(city, call, pool)
            load(server.port, make, concurrency=1, duration=0.5, max_requests=3)  # warm up
            runs = {}
            for concurrency in args.concurrency:
                runs[concurrency] = load(
                    server.port,
                    make,
                    concurrency=concurrency,
                    duration=args.duration,
                    max_requests=args.max_requests,
                )
                run = runs[concurrency]
                log(
                    f"  {workers}w {call.label:<40} c={concurrency:<3} n={run.count:<4} "
                    f"p50={run.percentile(0.5):8.1f} ms  p95={run.percentile(0.95):8.1f} ms  "
                    f"{run.rps:8.1f} rps"
                    + (f"  {run.failures} failed {dict(run.statuses)}" if run.failures else "")
                )
            measured.append(Measured(call, runs))
        # The baseline again: does the server still answer /healthz as fast as at the start?
        again = Call(
            "healthz_end",
            "/healthz (again, at the end)",
            "GET",
            "/healthz",
            "anonymous",
            "baseline_end",
        )
        runs = {
            c: load(
                server.port,
                maker(city, again, None),
                concurrency=c,
                duration=args.duration,
                max_requests=args.max_requests,
            )
            for c in args.concurrency
        }
        measured.append(Measured(again, runs))
        log(
            f"  {workers}w {again.label:<40} "
            + "  ".join(
                f"c={c}: p50={r.percentile(0.5):.1f} ms {r.rps:.1f} rps" for c, r in runs.items()
            )
        )
        if workers >= 2 and args.mixed > 0:
            mixed = mixed_run(city, server, probes, args, log)
            if mixed and args.burst > 0:
                # All clients at once on fresh connections, three requests each (issue 16).
                mixed["burst"] = mixed_run(
                    city, server, probes, args, log, clients=args.burst, max_requests=3 * args.burst
                )
    finally:
        server.stop()
        SERVER_ERRORS[(city.database, city.scale, workers)] = server.errors()
    return measured, mixed
