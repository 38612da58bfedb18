"""`make bench`: PlanTrack's main pages and API calls against a real server, at city scale.

For each scale (default 1 and 4):
1. a fresh SQLite database in a temporary folder, migrated (`plantrack db upgrade`) and filled
   with a synthetic city (`plantrack demo-data --scale N`), timed;
2. benchmark people: a coordinator (a browser session and a personal API token) and the lead of
   the department that owns the most strategies (a browser session);
3. SQL statements per request, counted in this process: each call goes once through the ASGI app
   with a `before_cursor_execute` listener on the app's engine (production code knows nothing);
4. the real server (`plantrack serve`, 1 worker, then 2) on 127.0.0.1 on a free port, and a load
   generator here (threads with keep-alive connections from the standard library, so the client
   takes as little of the machine's two cores as possible): for `/healthz` (the same server's
   baseline) and every call, median and 95th-percentile latency and requests per second at 1 and
   16 concurrent clients, each run bounded (--duration seconds or --max-requests, whichever comes
   first; requests in flight then finish);
5. with 2 workers, a mixed run (QUALITY.md row 15): 75% reads, 25% writes, bounded, counting 5xx,
   "database is locked" and acknowledged writes missing from the database afterwards.

A call whose route does not exist yet, or that answers 404, is listed as skipped with the reason;
it is measured as soon as it exists. Prints the tables and writes bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import bulk_saves, report_exports  # noqa: E402
from bench.calls import CALLS  # noqa: E402
from bench.city import BIN, City, _env, _load, build_city, machine  # noqa: E402, F401
from bench.measure import Measured, measure_server  # noqa: E402
from bench.probe import Probe, probe_calls  # noqa: E402
from bench.report import report  # noqa: E402

# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,4", help="comma-separated (default 1,4)")
    parser.add_argument("--workers", default="1,2", help="server workers (default 1,2)")
    parser.add_argument("--concurrency", default="1,16", help="clients (default 1,16)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per run (3)")
    parser.add_argument("--max-requests", type=int, default=300, help="requests per run (300)")
    parser.add_argument(
        "--mixed",
        type=float,
        default=10.0,
        help="seconds of the mixed 75/25 run with 2+ workers (10; 0: none)",
    )
    parser.add_argument("--mixed-requests", type=int, default=2000)
    parser.add_argument(
        "--burst",
        type=int,
        default=100,
        help="clients of the burst after the mixed run, all at once (100; 0: none)",
    )
    parser.add_argument(
        "--mixed-only",
        action="store_true",
        help="skip the per-call measurements: /healthz, the mixed run, the burst",
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument(
        "--budget",
        type=float,
        default=14.0,
        help="minutes: a server configuration that would end past it is skipped, with a note (14)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases and server logs")
    parser.add_argument(
        "--no-reports",
        action="store_true",
        help="skip the report PDFs and XLSX exports (timed at scale 1, after its servers)",
    )
    args = parser.parse_args()
    args.scales = [float(s) for s in args.scales.split(",")]
    args.workers = [int(w) for w in args.workers.split(",")]
    args.concurrency = sorted(int(c) for c in args.concurrency.split(","))

    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="plantrack-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'unused.db'}"
    info = machine()
    print(" · ".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    cities: list[City] = []
    results: dict[tuple[float, int], list[Measured]] = {}
    probes: dict[float, dict[str, Probe]] = {}
    mixed: dict[tuple[float, int], Any] = {}
    skipped_configs: list[str] = []
    bulk: dict[float, list[bulk_saves.BulkResult]] = {}
    files: dict[float, list[report_exports.FileResult]] = {}
    try:
        for scale in args.scales:
            city = build_city(scale, workdir)
            cities.append(city)
            print(f"scale {scale:g}: {city.generation_output.splitlines()[0]}", flush=True)
            probes[scale] = probe_calls(city)
            for call in CALLS:
                p = probes[scale][call.key]
                print(
                    f"  {call.label:<40} {'SQL ' + str(p.statements) if p.available else p.note}",
                    flush=True,
                )
            bulk[scale] = bulk_saves.measure(city)
            for line in bulk_saves.report_lines(scale, bulk[scale]):
                print(f"  {line}", flush=True)
            took: list[float] = []
            for workers in args.workers:
                elapsed = time.perf_counter() - began
                if took and elapsed + max(took) > args.budget * 60:
                    note = (
                        f"{workers} workers at scale {scale:g} skipped: the run had taken "
                        f"{elapsed / 60:.1f} min and this would take about "
                        f"{max(took) / 60:.1f} more (budget {args.budget:g} min, --budget)"
                    )
                    skipped_configs.append(note)
                    print(note, flush=True)
                    continue
                started = time.perf_counter()
                rows, mixed_result = measure_server(
                    city, workers, probes[scale], args, lambda line: print(line, flush=True)
                )
                took.append(time.perf_counter() - started)
                results[(scale, workers)] = rows
                if mixed_result:
                    mixed[(scale, workers)] = mixed_result
            if scale == 1 and not args.no_reports:  # last: it adds the seed plans to the city
                files[scale] = report_exports.measure(city)
                for line in report_exports.report_lines(scale, files[scale]):
                    print(f"  {line}", flush=True)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    info["load average at the end (1, 5, 15 min)"] = _load()
    text = report(
        info, cities, results, probes, mixed, args, time.perf_counter() - began, skipped_configs
    )
    for scale, saves in bulk.items():
        text += "\n\n" + "\n".join(bulk_saves.report_lines(scale, saves))
    for scale, downloads in files.items():
        text += "\n\n" + "\n".join(report_exports.report_lines(scale, downloads))
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    print()
    print(text)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
