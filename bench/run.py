"""`make bench`: PlanTrack's main pages and API calls against a real server, at city scale.

For each database (`--databases`: sqlite by default, `sqlite,postgresql` for both) and each scale
(default 1 and 4):
1. a fresh database (SQLite: a file in a temporary folder; PostgreSQL: a new database on a
   throwaway server the run starts as the tests do, tests/pg_server.py), migrated
   (`plantrack db upgrade`) and filled with a synthetic city (`plantrack demo-data --scale N`),
   timed;
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
   "database is locked" (on PostgreSQL: server-log lines naming an error, a deadlock or a
   serialization failure) and acknowledged writes missing from the database afterwards.

A call whose route does not exist yet, or that answers 404, is listed as skipped with the reason;
it is measured as soon as it exists. Prints the tables and writes bench/results.md.

The modules: calls (what is measured), databases (SQLite files, the PostgreSQL server), city
(building a city and its people), writes (write pools, lost writes), probe (routes, SQL counts),
load (the server and the load generator), measure (one server configuration), mixed (the 75/25
run and the burst), report (the markdown tables).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import bulk_saves, report_exports  # noqa: E402
from bench.calls import CALLS  # noqa: E402
from bench.city import BIN, City, _env, _load, build_city, machine  # noqa: E402, F401
from bench.databases import NAMES, Databases  # noqa: E402
from bench.databases import parse as parse_databases  # noqa: E402
from bench.measure import Measured, measure_server  # noqa: E402
from bench.probe import Probe, probe_calls  # noqa: E402
from bench.report import Key, report  # noqa: E402

BUDGET_PER_DATABASE = 14.0  # minutes (the default --budget is this for each database)


@dataclass
class Collected:
    cities: list[City] = field(default_factory=list)
    results: dict[Key, list[Measured]] = field(default_factory=dict)
    probes: dict[tuple[str, float], dict[str, Probe]] = field(default_factory=dict)
    mixed: dict[Key, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    bulk: dict[tuple[str, float], list[bulk_saves.BulkResult]] = field(default_factory=dict)
    files: dict[tuple[str, float], list[report_exports.FileResult]] = field(default_factory=dict)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--databases",
        default="sqlite",
        help="comma-separated: sqlite, postgresql (default sqlite; PostgreSQL runs on a "
        "throwaway server the benchmark starts and stops)",
    )
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
        default=None,
        help="minutes for the whole run, shared evenly among the databases in order (time one "
        "leaves unused passes to the next): a server configuration that would end past its "
        "database's share is skipped, with a note (default "
        f"{BUDGET_PER_DATABASE:g} a database: {BUDGET_PER_DATABASE:g} for sqlite, "
        f"{2 * BUDGET_PER_DATABASE:g} for sqlite,postgresql)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite databases and the server logs"
    )
    parser.add_argument(
        "--no-reports",
        action="store_true",
        help="skip the report PDFs and XLSX exports (timed at scale 1, after its servers)",
    )
    args = parser.parse_args()
    try:
        args.databases = parse_databases(args.databases)
    except ValueError as error:
        parser.error(str(error))
    args.scales = [float(s) for s in args.scales.split(",")]
    args.workers = [int(w) for w in args.workers.split(",")]
    args.concurrency = sorted(int(c) for c in args.concurrency.split(","))
    if args.budget is None:
        args.budget = BUDGET_PER_DATABASE * len(args.databases)
    return args


def measure_city(
    city: City, args: argparse.Namespace, began: float, share_ends: float, got: Collected
) -> None:
    """Everything measured on one city: SQL counts, bulk saves, each server configuration that
    fits in its database's share of the budget, then (scale 1) the reports and exports."""
    name, scale = NAMES[city.database], city.scale
    key = (city.database, scale)
    print(f"{name}, scale {scale:g}: {city.generation_output.splitlines()[0]}", flush=True)
    got.probes[key] = probe_calls(city)
    for call in CALLS:
        p = got.probes[key][call.key]
        print(
            f"  {call.label:<40} {'SQL ' + str(p.statements) if p.available else p.note}",
            flush=True,
        )
    got.bulk[key] = bulk_saves.measure(city)
    for line in bulk_saves.report_lines(scale, got.bulk[key], name):
        print(f"  {line}", flush=True)
    took: list[float] = []
    for workers in args.workers:
        now = time.perf_counter()
        if took and now + max(took) > share_ends:
            note = (
                f"{name}, {workers} workers at scale {scale:g} skipped: the run had taken "
                f"{(now - began) / 60:.1f} min and this would take about "
                f"{max(took) / 60:.1f} more, past {name}'s share of the budget (its first "
                f"{(share_ends - began) / 60:.2f} of {args.budget:g} min, --budget)"
            )
            got.skipped.append(note)
            print(note, flush=True)
            continue
        rows, mixed_result = measure_server(
            city, workers, got.probes[key], args, lambda line: print(line, flush=True)
        )
        took.append(time.perf_counter() - now)
        got.results[(city.database, scale, workers)] = rows
        if mixed_result:
            got.mixed[(city.database, scale, workers)] = mixed_result
    if scale == 1 and not args.no_reports:  # last: it adds the seed plans to the city
        got.files[key] = report_exports.measure(city)
        for line in report_exports.report_lines(scale, got.files[key], name):
            print(f"  {line}", flush=True)


def with_postgresql(info: dict[str, str], version: str) -> dict[str, str]:
    """The machine table with the PostgreSQL server's and driver's versions after SQLite's."""
    import psycopg

    out: dict[str, str] = {}
    for key, value in info.items():
        out[key] = value
        if key == "SQLite":
            out["PostgreSQL"] = version
            out["psycopg"] = psycopg.__version__
    return out


def main() -> int:
    args = options()
    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="plantrack-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'unused.db'}"
    info = machine()
    print(" · ".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    got = Collected()
    databases = Databases()
    try:
        for index, database in enumerate(args.databases):
            share_ends = began + args.budget * 60 * (index + 1) / len(args.databases)
            for scale in args.scales:
                city = build_city(scale, workdir, database, databases)
                got.cities.append(city)
                measure_city(city, args, began, share_ends, got)
    finally:
        databases.stop()  # the PostgreSQL server, on a failure or Ctrl-C too
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if databases.version:
        info = with_postgresql(info, databases.version)
    info["load average at the end (1, 5, 15 min)"] = _load()
    text = report(
        info,
        got.cities,
        got.results,
        got.probes,
        got.mixed,
        args,
        time.perf_counter() - began,
        got.skipped,
    )
    for (database, scale), saves in got.bulk.items():
        text += "\n\n" + "\n".join(bulk_saves.report_lines(scale, saves, NAMES[database]))
    for (database, scale), downloads in got.files.items():
        lines = report_exports.report_lines(scale, downloads, NAMES[database])
        text += "\n\n" + "\n".join(lines)
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    print()
    print(text)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
