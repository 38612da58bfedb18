"""The markdown report: the machine, the cities, one table per server configuration, the aims."""

from __future__ import annotations

import argparse
import math
from typing import Any

from bench.calls import CALLS
from bench.city import City
from bench.databases import NAMES, contention_label
from bench.measure import SERVER_ERRORS, Measured
from bench.probe import Probe

# --- the report ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def kilobytes(probe: Probe) -> str:
    """The answer's size on the wire, and its body's when it was compressed."""
    sent = f"{probe.wire / 1024:,.1f}"
    return sent if probe.wire >= probe.bytes else f"{sent} ({probe.bytes / 1024:,.0f})"


Key = tuple[str, float, int]  # database, scale, workers


def _where(database: str, scale: float, workers: int | None = None) -> str:
    text = f"{NAMES[database]}, scale {scale:g}"
    if workers is not None:
        text += f", {workers} worker{'s' if workers > 1 else ''}"
    return text


def _intro(info: dict[str, str], args: argparse.Namespace, total_seconds: float) -> list[str]:
    out = ["# PlanTrack benchmark", ""]
    out.append(
        f"`make bench` (bench/run.py), {info['date']}; whole run {total_seconds / 60:.1f} min."
    )
    out.append("")
    out.append("| machine | |")
    out.append("|---|---|")
    for key, value in info.items():
        out.append(f"| {key} | {value} |")
    out.append("")
    databases = []
    if "sqlite" in args.databases:
        databases.append("SQLite (WAL) in a temporary folder")
    if "postgresql" in args.databases:
        databases.append(
            "PostgreSQL on a throwaway server the benchmark starts as the tests do "
            "(tests/pg_server.py: loopback, fsync and synchronous commit off), a fresh "
            "database for each scale"
        )
    out.append(
        f"Each cell: one run of at most {args.duration:g} s or {args.max_requests} requests "
        f"(whichever first; requests in flight then finish), after a warm-up. Clients: threads "
        f"with keep-alive connections in the benchmark process, on the same machine as the "
        f"server (loopback); `client CPU` is the share of one core the load generator itself "
        f"used. p50 / p95: latency in ms as a client sees it. `SQL`: statements one request "
        f"issues, counted in-process through the ASGI app (a read page kept in memory: the "
        f"statements of serving it kept). `KB sent (body)`: the answer as sent to a client that "
        f"reads gzip (every client here says so, as browsers do), its body's size in brackets "
        f"when compressed. Ratios: the call's requests per "
        f"second over `/healthz`'s on the same server at the same concurrency. Pages are read by a "
        f"signed-in coordinator (My work: the lead of the department owning the most strategies, "
        f"with its own session); API calls use the coordinator's API token, except recording "
        f"a measurement, which only the owning department's lead may do (the lead's token). "
        f"Writes: each client changes an item no other client is changing at that moment "
        f"(a progress update on a strategy, this month's value of a metric: created, then "
        f"corrected with its version), so a refusal for a stale version would not be measured "
        f"as a write. {'The database is' if len(databases) == 1 else 'Each database in turn:'} "
        f"{'; '.join(databases)}; the server is "
        f"`plantrack serve` (uvicorn, access log on, as in production)."
    )
    out.append("")
    return out


def _cities(cities: list[City]) -> list[str]:
    out = ["## The cities", ""]
    out.append(
        "| database | scale | generation (`plantrack demo-data`) | size | strategies | steps | "
        "metrics | measurements | progress updates (history) | plan measured |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for c in cities:
        out.append(
            f"| {NAMES[c.database]} | {c.scale:g} | {c.generation_seconds:.1f} s | "
            f"{c.size_mb:.0f} MB | "
            f"{c.counts.get('strategy', 0):,} | {c.counts.get('workplan_step', 0):,} | "
            f"{c.counts.get('metric', 0):,} | {c.counts.get('measurement', 0):,} | "
            f"{c.counts.get('history_entry', 0):,} | `{c.slug}` |"
        )
    out.append("")
    return out


def _table(rows: list[Measured], probes: dict[str, Probe], low: int, high: int) -> list[str]:
    base = {k: r.runs[k].rps for r in rows if r.call.kind == "baseline" for k in r.runs}
    out = [
        f"| call | SQL | KB sent (body) | c={low} p50 | c={low} p95 | c={low} rps | "
        f"c={high} p50 | "
        f"c={high} p95 | c={high} rps | rps ÷ healthz c={low} | rps ÷ healthz c={high} | "
        f"failed | client CPU c={high} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, b = r.runs[low], r.runs[high]
        probe = probes.get(r.call.key, probes["healthz"])
        failed = a.failures + b.failures
        out.append(
            f"| {r.call.label} | {probe.statements} | {kilobytes(probe)} | "
            f"{fmt(a.percentile(0.5))} | "
            f"{fmt(a.percentile(0.95))} | {fmt(a.rps)} | {fmt(b.percentile(0.5))} | "
            f"{fmt(b.percentile(0.95))} | {fmt(b.rps)} | "
            f"{fmt(a.rps / base[low], 2) if base.get(low) else '–'} | "
            f"{fmt(b.rps / base[high], 2) if base.get(high) else '–'} | "
            f"{failed}{' ' + str(dict(a.statuses + b.statuses)) if failed else ''} | "
            f"{b.client_cpu * 100:.0f}% |"
        )
    out.append("")
    return out


def _mixed(m: dict[str, Any], workers: int, database: str) -> list[str]:
    trouble = contention_label(database)
    out = [
        f"Mixed load (QUALITY.md row 15), {workers} workers, 16 clients, 75% reads / "
        f"25% writes, {m['seconds']:.1f} s: {m['requests']:,} requests, "
        f"{m['rps']:.1f} rps, p50 {m['p50']:.1f} ms, **p95 {m['p95']:.1f} ms**; "
        f"**{m['server_errors']} 5xx, {m['locked']} {trouble}, "
        f"{m['writes_lost']} of {m['writes_acknowledged']} acknowledged writes lost**. "
        f"Statuses: {m['statuses']}. /healthz polled meanwhile: slowest "
        f"{m['healthz_slowest']:.0f} ms, {m['healthz_failed']} unanswered.",
        "",
    ]
    b = m.get("burst")
    if b:
        out.append(
            f"Burst (issue 16), {workers} workers, {b['clients']} clients at once, "
            f"3 requests each, same mix, {b['seconds']:.1f} s: {b['requests']:,} "
            f"requests, p50 {b['p50']:.1f} ms, **p95 {b['p95']:.1f} ms**; "
            f"**{b['server_errors']} 5xx, {b['locked']} {trouble}, "
            f"{b['writes_lost']} of {b['writes_acknowledged']} acknowledged writes "
            f"lost, /healthz slowest {b['healthz_slowest']:.0f} ms "
            f"({b['healthz_failed']} unanswered)**. Statuses: {b['statuses']}."
        )
        out.append("")
    return out


def _aims(results: dict[Key, list[Measured]], low: int, databases: list[str]) -> list[str]:
    out = ["## Against the aims (issue 5, deliverable 4)", ""]
    out.append(
        "Aim: every main page at scale 1 at least a fifth of `/healthz`'s requests per "
        "second on the same server, and no page's median above 150 ms."
    )
    out.append("")
    in_order = sorted(results.items(), key=lambda kv: (databases.index(kv[0][0]), *kv[0][1:]))
    for (database, scale, workers), rows in in_order:
        base = {k: r.runs[k].rps for r in rows if r.call.kind == "baseline" for k in r.runs}
        misses = []
        for r in rows:
            if r.call.kind.startswith("baseline"):
                continue
            for conc, run in r.runs.items():
                ratio = run.rps / base[conc] if base.get(conc) else math.nan
                if r.call.kind != "write" and ratio < 0.2:
                    misses.append(f"{r.call.label} c={conc}: {ratio:.2f} of healthz")
                if conc == low and run.percentile(0.5) > 150:
                    misses.append(
                        f"{r.call.label}: median {run.percentile(0.5):.0f} ms at c={conc}"
                    )
        verdict = "every measured call meets both aims" if not misses else "; ".join(misses)
        out.append(f"- {_where(database, scale, workers)}: {verdict}.")
    out.append("")
    return out


def report(
    info: dict[str, str],
    cities: list[City],
    results: dict[Key, list[Measured]],
    probes: dict[tuple[str, float], dict[str, Probe]],
    mixed: dict[Key, Any],
    args: argparse.Namespace,
    total_seconds: float,
    skipped_configs: list[str],
) -> str:
    """The whole report: one section per database, its tables headed with the database's name."""
    low, high = args.concurrency[0], args.concurrency[-1]
    out = _intro(info, args, total_seconds) + _cities(cities)
    for database in args.databases:
        mine = [c for c in cities if c.database == database]
        if not mine:
            continue
        out += [f"## {NAMES[database]}", ""]
        for c in mine:
            found = probes[(database, c.scale)]
            for workers in args.workers:
                rows = results.get((database, c.scale, workers))
                if rows is None:
                    continue
                out += [f"### {_where(database, c.scale, workers)}", ""]
                out += _table(rows, found, low, high)
                logged = SERVER_ERRORS.get((database, c.scale, workers))
                if logged:
                    out.append(
                        "Errors in the server's log: "
                        + "; ".join(f"{n}× `{line}`" for line, n in logged.most_common())
                        + "."
                    )
                    out.append("")
                m = mixed.get((database, c.scale, workers))
                if m:
                    out += _mixed(m, workers, database)
            skipped = [(call, found[call.key]) for call in CALLS if not found[call.key].available]
            if skipped:
                out.append(
                    f"Not measured ({_where(database, c.scale)}): "
                    + "; ".join(
                        f"{call.label} (`{call.method} {call.template}`): {p.note}"
                        for call, p in skipped
                    )
                    + "."
                )
                out.append("")
    for note in skipped_configs:
        out.append(f"Not measured: {note}.")
        out.append("")
    out += _aims(results, low, args.databases)
    return "\n".join(out)
