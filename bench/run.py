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
import contextlib
import datetime as dt
import http.client
import itertools
import json
import math
import os
import platform
import queue
import random
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import bulk_saves, report_exports  # noqa: E402

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SEED = 1

# --- what is measured ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    key: str
    label: str
    method: str
    template: str  # path with {slug}, {id}; the query string is added by `query`
    who: str  # anonymous | coordinator | lead | token
    kind: str  # baseline | page | api | write
    query: str = ""
    write: str = ""  # progress | measurement (write calls)
    body: str = "json"  # json | form


CALLS: tuple[Call, ...] = (
    Call("healthz", "/healthz (baseline)", "GET", "/healthz", "anonymous", "baseline"),
    Call("overview", "Plan overview", "GET", "/plans/{slug}", "coordinator", "page"),
    Call("roadmap", "Roadmap", "GET", "/plans/{slug}/roadmap", "coordinator", "page"),
    Call("scorecard", "Scorecard", "GET", "/plans/{slug}/scorecard", "coordinator", "page"),
    Call(
        "quick_wins", "Quick wins board", "GET", "/plans/{slug}/quick-wins", "coordinator", "page"
    ),
    Call(
        "search", "Search", "GET", "/plans/{slug}/search", "coordinator", "page", query="q=permit"
    ),
    Call("review", "Review", "GET", "/review", "coordinator", "page"),
    Call("my_work", "My work (lead)", "GET", "/my-work", "lead", "page"),
    Call("activity", "Activity feed", "GET", "/activity", "coordinator", "page"),
    Call("tree_api", "Plan tree API", "GET", "/api/v1/plans/{slug}/tree", "token", "api"),
    Call("plans_api", "Plan list API", "GET", "/api/v1/plans", "token", "api"),
    Call(
        "measure_api",
        "Record a measurement (API, lead)",
        "POST",
        "/api/v1/metrics/{id}/measurements",
        "lead_token",
        "write",
        write="measurement",
    ),
    Call(
        "progress_api",
        "Progress update (API, coordinator)",
        "POST",
        "/api/v1/strategies/{id}/progress",
        "token",
        "write",
        write="progress",
    ),
    Call(
        "measure_page",
        "Record a measurement (my work, htmx)",
        "POST",
        "/my-work/metrics/{id}/measurements",
        "lead",
        "write",
        write="measurement",
        body="form",
    ),
    Call(
        "progress_page",
        "Progress update (my work, htmx)",
        "POST",
        "/my-work/strategies/{id}/progress",
        "lead",
        "write",
        write="progress",
        body="form",
    ),
)


# --- the machine --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import sqlalchemy
    import uvicorn

    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "SQLAlchemy": sqlalchemy.__version__,
        "uvicorn": uvicorn.__version__,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at the start (1, 5, 15 min)": _load(),
    }


def _load() -> str:
    """Other work on the machine skews every figure: the load average says how much there was."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# --- setting up a city --------------------------------------------------------------------------


@dataclass
class City:
    scale: float
    folder: Path
    database_url: str
    generation_seconds: float
    generation_output: str
    slug: str = ""
    department: str = ""
    cookies: dict[str, str] = field(default_factory=dict)  # who -> cookie header
    csrf: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token | lead_token -> API token
    strategies: dict[str, list[int]] = field(default_factory=dict)  # who -> editable strategies
    metrics: dict[str, list[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    size_mb: float = 0.0


def _env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "ENVIRONMENT": "development"}
    env.pop("DEMO_MODE", None)
    return env


def _point_app_at(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ENVIRONMENT"] = "development"
    from app.db import reset_engine
    from app.settings import get_settings

    get_settings.cache_clear()
    reset_engine()


def build_city(scale: float, workdir: Path) -> City:
    folder = workdir / f"scale-{scale:g}"
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'bench.db'}"
    env = _env(url)
    subprocess.run(
        [str(BIN / "plantrack"), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "plantrack"), "demo-data", "--scale", f"{scale:g}", "--seed", str(SEED)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    city = City(scale, folder, url, time.perf_counter() - started, done.stdout.strip())
    match = re.search(r"largest plan: (\S+); busiest department: (\S+)", done.stdout)
    assert match, done.stdout
    city.slug, city.department = match.group(1), match.group(2)
    _point_app_at(url)
    _people(city)
    city.size_mb = (folder / "bench.db").stat().st_size / 1e6
    return city


def _people(city: City) -> None:
    """Sessions and a token for the generated coordinator and the busiest department's lead."""
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from app.auth import SESSION_COOKIE, session_cookie_value
    from app.db import get_engine
    from app.models import Department, Metric, Organization, Plan, Strategy, User
    from app.models import __all__ as tables
    from app.services.accounts import api_tokens, browser_sessions
    from app.services.demo_city.generator import organization_slug

    org_slug = organization_slug(SEED)
    with Session(get_engine(), expire_on_commit=False) as session:
        org = session.exec(select(Organization).where(Organization.slug == org_slug)).one()
        dept = session.exec(
            select(Department).where(
                Department.organization_id == org.id, Department.code == city.department
            )
        ).one()
        people = {
            "coordinator": session.exec(
                select(User).where(User.username == f"{org_slug}-coordinator-1")
            ).one(),
            "lead": session.exec(
                select(User).where(User.role == "lead", User.department_id == dept.id)
            ).one(),
        }
        for who, user in people.items():
            started = browser_sessions.start_session(session=session, user=user)
            city.cookies[who] = f"{SESSION_COOKIE}={session_cookie_value(started.token)}"
            city.csrf[who] = started.csrf_token
        _, city.tokens["token"] = api_tokens.create_api_token(
            session=session, user=people["coordinator"], name="benchmark"
        )
        _, city.tokens["lead_token"] = api_tokens.create_api_token(
            session=session, user=people["lead"], name="benchmark"
        )
        session.commit()
        plan_ids = [p for p in session.exec(select(Plan.id).where(Plan.organization_id == org.id))]
        live = col(Strategy.archived_at).is_(None)
        city.strategies["token"] = list(
            session.exec(
                select(Strategy.id)
                .where(col(Strategy.plan_id).in_(plan_ids), live, Strategy.status != "complete")
                .order_by(Strategy.id)
            )
        )
        city.strategies["lead"] = city.strategies["lead_token"] = list(
            session.exec(
                select(Strategy.id)
                .where(Strategy.department_id == dept.id, live, Strategy.status != "complete")
                .order_by(Strategy.id)
            )
        )
        metric_live = col(Metric.archived_at).is_(None)
        city.metrics["token"] = list(
            session.exec(
                select(Metric.id)
                .where(col(Metric.plan_id).in_(plan_ids), metric_live)
                .order_by(Metric.id)
            )
        )
        city.metrics["lead"] = city.metrics["lead_token"] = list(
            session.exec(
                select(Metric.id)
                .where(Metric.department_id == dept.id, metric_live)
                .order_by(Metric.id)
            )
        )
        import app.models as models

        for name in tables:
            model = getattr(models, name)
            if hasattr(model, "__table__"):
                city.counts[model.__tablename__] = session.exec(
                    select(func.count()).select_from(model)
                ).one()


# --- requests -----------------------------------------------------------------------------------


def this_period() -> dt.date:
    return dt.date.today().replace(day=1)


class WritePool:
    """Items a write call changes. Each client takes one item out for the length of a request, so
    no two clients edit the same item at once (a stale-edit refusal would measure something
    else); versions are read from the database and then follow the answers."""

    def __init__(self, city: City, call: Call) -> None:
        self.city, self.call = city, call
        ids = (city.strategies if call.write == "progress" else city.metrics)[call.who]
        self.items: queue.Queue[int] = queue.Queue()
        rng = random.Random(call.key)
        ids = list(ids)
        rng.shuffle(ids)
        for item in ids[:64]:
            self.items.put(item)
        self.size = min(len(ids), 64)
        self.versions = self._versions(ids[:64])
        self.markers: list[tuple[str, int, str]] = []  # acknowledged writes: (kind, id, note)
        self.lock = threading.Lock()

    def _versions(self, ids: list[int]) -> dict[int, int | None]:
        path = self.city.database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
            marks = ",".join("?" * len(ids)) or "NULL"
            if self.call.write == "progress":
                rows = db.execute(f"SELECT id, version FROM strategy WHERE id IN ({marks})", ids)
                return {i: v for i, v in rows}
            rows = db.execute(
                f"SELECT metric_id, version FROM measurement WHERE period = ? AND metric_id IN "
                f"({marks}) AND archived_at IS NULL",
                [this_period().isoformat(), *ids],
            )
            found = {i: v for i, v in rows}
            return {i: found.get(i) for i in ids}

    def request(self, rng: random.Random) -> tuple[int, str, bytes, dict[str, str]]:
        item = self.items.get(timeout=120)
        version = self.versions.get(item)
        note = f"bench-{uuid.uuid4().hex[:12]}"
        if self.call.write == "progress":
            fields: dict[str, Any] = {
                "version": version,
                "status": rng.choice(("on_track", "at_risk")),
                "narrative": f"Benchmark update {note}.",
                "note": note,
            }
        else:
            fields = {
                "period": this_period().isoformat(),
                "value": round(rng.uniform(1, 99), 1),
                "note": note,
            }
            if version is not None:
                fields["version"] = version
        path = self.call.template.replace("{id}", str(item))
        headers = {}
        if self.call.body == "json":
            body = json.dumps(fields).encode()
            headers["Content-Type"] = "application/json"
        else:
            body = urlencode({k: ("" if v is None else str(v)) for k, v in fields.items()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["HX-Request"] = "true"
        return item, path, body, {**headers, "X-Bench-Note": note}

    def answered(self, item: int, status: int, data: bytes, note: str) -> None:
        if 200 <= status < 300:
            version = None
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                version = json.loads(data).get("version")
            current = self.versions.get(item)
            self.versions[item] = (
                version if isinstance(version, int) else (1 if current is None else current + 1)
            )
            with self.lock:
                self.markers.append((self.call.write, item, note))
        elif status in (409, 412):
            self.versions.update(self._versions([item]))
        self.items.put(item)


# Every client says it reads gzip, as browsers and HTTP libraries do (issue 14).
ACCEPT_GZIP = {"Accept-Encoding": "gzip"}


def headers_for(city: City, who: str) -> dict[str, str]:
    if who in city.tokens:
        return {
            "Authorization": f"Bearer {city.tokens[who]}",
            "Accept": "application/json",
            **ACCEPT_GZIP,
        }
    if who in city.cookies:
        return {"Cookie": city.cookies[who], "X-CSRF-Token": city.csrf[who], **ACCEPT_GZIP}
    return dict(ACCEPT_GZIP)


def url_for(city: City, call: Call) -> str:
    path = call.template.replace("{slug}", city.slug)
    return f"{path}?{call.query}" if call.query else path


# --- routes that exist, and SQL statements per request ------------------------------------------


def route_exists(app: Any, method: str, path: str) -> bool:
    from starlette.routing import Match

    scope = {"type": "http", "path": path.split("?")[0], "method": method, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in app.routes)


@dataclass
class Probe:
    available: bool
    note: str = ""
    statements: int | None = None
    status: int | None = None
    bytes: int = 0  # the body
    wire: int = 0  # the body as sent (gzipped when the server compressed it)


def probe_calls(city: City) -> dict[str, Probe]:
    """Does each call exist and answer? And how many SQL statements does one request issue."""
    from sqlalchemy import event
    from starlette.testclient import TestClient

    from app.db import get_engine
    from app.main import create_app

    app = create_app()
    client = TestClient(app, raise_server_exceptions=False)
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    results: dict[str, Probe] = {}
    rng = random.Random(0)
    try:
        for call in CALLS:
            sample = url_for(city, call).replace("{id}", "1")
            if not route_exists(app, call.method, sample):
                results[call.key] = Probe(False, "not built yet (no such route)")
                continue
            pool = WritePool(city, call) if call.kind == "write" else None
            if pool is not None and pool.size == 0:
                results[call.key] = Probe(False, f"nothing for '{call.who}' to change")
                continue
            seen = []
            for _ in range(3):  # the first request warms caches; the fewest of the next two
                headers = headers_for(city, call.who)
                body, item, note = None, 0, ""
                path = url_for(city, call)
                if pool is not None:
                    item, path, body, extra = pool.request(rng)
                    note = extra.pop("X-Bench-Note")
                    headers.update(extra)
                statements[0] = 0
                answer = client.request(call.method, path, headers=headers, content=body)
                seen.append(
                    (
                        statements[0],
                        answer.status_code,
                        len(answer.content),
                        answer.num_bytes_downloaded,
                    )
                )
                if pool is not None:
                    pool.answered(item, answer.status_code, answer.content, note)
            used, status, size, wire = min(seen[1:])
            if status == 404:
                results[call.key] = Probe(False, "answers 404", used, status)
            elif status >= 400:
                results[call.key] = Probe(False, f"answers {status}", used, status)
            else:
                results[call.key] = Probe(True, "", used, status, size, wire)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return results


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, city: City, workers: int) -> None:
        self.port = free_port()
        self.log = city.folder / f"server-{workers}w.log"
        self.workers = workers
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN / "plantrack"),
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--workers",
                    str(workers),
                ],
                env=_env(city.database_url),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    time.sleep(0.5 if workers > 1 else 0)  # let every worker come up
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def locked_messages(self) -> int:
        return self.log.read_text(errors="replace").count("database is locked")

    def errors(self) -> Counter:
        """The exceptions the server logged (the last line of each traceback), counted."""
        found: Counter = Counter()
        for line in self.log.read_text(errors="replace").splitlines():
            if re.match(r"^[\w.]+(Error|Exception|Timeout)\b.*?: ", line):
                found[line.split(" (Background on this error")[0][:300]] += 1
        return found


# --- the load generator -------------------------------------------------------------------------


@dataclass
class Run:
    concurrency: int
    latencies: list[float]
    statuses: Counter
    seconds: float
    client_cpu: float  # share of one core the load generator used

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000 if ordered else math.nan

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else math.nan

    @property
    def failures(self) -> int:
        return sum(n for s, n in self.statuses.items() if not 200 <= s < 400)


SERVER_ERRORS: dict[tuple[float, int], Counter] = {}

Request = tuple[str, str, bytes | None, dict[str, str], Callable[[int, bytes], None] | None]


def load(
    port: int,
    make: Callable[[random.Random], Request],
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
) -> Run:
    """`concurrency` clients, each on its own keep-alive connection, sending requests one after
    another until `duration` seconds have passed or `max_requests` have been started."""
    started_count = itertools.count()
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        barrier.wait()
        mine, codes = [], Counter()
        while time.perf_counter() < deadline[0] and next(started_count) < max_requests:
            method, path, body, headers, done = make(rng)
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=120)
                data, status = b"", 0
            mine.append(time.perf_counter() - t0)
            codes[status] += 1
            if done is not None:
                done(status, data)
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    begin = time.perf_counter()
    deadline[0] = begin + duration
    barrier.wait()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - begin
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    used = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return Run(concurrency, latencies, statuses, seconds, used / seconds if seconds else 0.0)


def maker(city: City, call: Call, pool: WritePool | None) -> Callable[[random.Random], Request]:
    base = headers_for(city, call.who)
    path = url_for(city, call)

    def make(rng: random.Random) -> Request:
        if pool is None:
            return call.method, path, None, base, None
        item, item_path, body, extra = pool.request(rng)
        note = extra.pop("X-Bench-Note")
        return (
            call.method,
            item_path,
            body,
            {**base, **extra},
            lambda status, data: pool.answered(item, status, data, note),
        )

    return make


# --- measuring a server -------------------------------------------------------------------------


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
        SERVER_ERRORS[(city.scale, workers)] = server.errors()
    return measured, mixed


class HealthzPoller:
    """/healthz every 0.1 s on a connection of its own while a run lasts: its slowest answer
    (issue 16: a burst of one caller's writes once left it unanswered)."""

    def __init__(self, port: int) -> None:
        self.port, self.slowest, self.failed = port, 0.0, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        while not self.done.is_set():
            t0 = time.perf_counter()
            try:
                conn.request("GET", "/healthz")
                answer = conn.getresponse()
                answer.read()
                self.failed += answer.status != 200
            except (OSError, http.client.HTTPException):
                self.failed += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            self.slowest = max(self.slowest, time.perf_counter() - t0)
            self.done.wait(0.1)
        conn.close()

    def stop(self) -> tuple[float, int]:
        self.done.set()
        self.thread.join()
        return self.slowest * 1000, self.failed


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


def missing_writes(city: City, acknowledged: list[tuple[str, int, str]]) -> int:
    """Acknowledged writes the database does not hold: each carried a unique note, which the
    history keeps (a progress entry's note, or a measurement's note field)."""
    if not acknowledged:
        return 0
    path = city.database_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
        notes = {
            n for (n,) in db.execute("SELECT note FROM history_entry WHERE note LIKE 'bench-%'")
        }
        notes |= {
            json.loads(a)
            for (a,) in db.execute(
                "SELECT after FROM history_field WHERE field = 'note' AND after LIKE '\"bench-%'"
            )
        }
    return sum(1 for _, _, note in acknowledged if note not in notes)


# --- the report ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def kilobytes(probe: Probe) -> str:
    """The answer's size on the wire, and its body's when it was compressed."""
    sent = f"{probe.wire / 1024:,.1f}"
    return sent if probe.wire >= probe.bytes else f"{sent} ({probe.bytes / 1024:,.0f})"


def report(
    info: dict[str, str],
    cities: list[City],
    results: dict[tuple[float, int], list[Measured]],
    probes: dict[float, dict[str, Probe]],
    mixed: dict[tuple[float, int], Any],
    args: argparse.Namespace,
    total_seconds: float,
    skipped_configs: list[str],
) -> str:
    low, high = args.concurrency[0], args.concurrency[-1]
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
        f"as a write. The database is SQLite (WAL) in a temporary folder; the server is "
        f"`plantrack serve` (uvicorn, access log on, as in production)."
    )
    out.append("")
    out.append("## The cities")
    out.append("")
    out.append(
        "| scale | generation (`plantrack demo-data`) | database | strategies | steps | "
        "metrics | measurements | progress updates (history) | plan measured |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for c in cities:
        out.append(
            f"| {c.scale:g} | {c.generation_seconds:.1f} s | {c.size_mb:.0f} MB | "
            f"{c.counts.get('strategy', 0):,} | {c.counts.get('workplan_step', 0):,} | "
            f"{c.counts.get('metric', 0):,} | {c.counts.get('measurement', 0):,} | "
            f"{c.counts.get('history_entry', 0):,} | `{c.slug}` |"
        )
    out.append("")
    for c in cities:
        skipped = [
            (call, probes[c.scale][call.key])
            for call in CALLS
            if not probes[c.scale][call.key].available
        ]
        for workers in args.workers:
            rows = results.get((c.scale, workers))
            if rows is None:
                continue
            out.append(f"## Scale {c.scale:g}, {workers} worker{'s' if workers > 1 else ''}")
            out.append("")
            base = {k: r.runs[k].rps for r in rows if r.call.kind == "baseline" for k in r.runs}
            out.append(
                f"| call | SQL | KB sent (body) | c={low} p50 | c={low} p95 | c={low} rps | "
                f"c={high} p50 | "
                f"c={high} p95 | c={high} rps | rps ÷ healthz c={low} | rps ÷ healthz c={high} | "
                f"failed | client CPU c={high} |"
            )
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for r in rows:
                a, b = r.runs[low], r.runs[high]
                probe = probes[c.scale].get(r.call.key, probes[c.scale]["healthz"])
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
            logged = SERVER_ERRORS.get((c.scale, workers))
            if logged:
                out.append(
                    "Errors in the server's log: "
                    + "; ".join(f"{n}× `{line}`" for line, n in logged.most_common())
                    + "."
                )
                out.append("")
            m = mixed.get((c.scale, workers))
            if m:
                out.append(
                    f"Mixed load (QUALITY.md row 15), {workers} workers, 16 clients, 75% reads / "
                    f"25% writes, {m['seconds']:.1f} s: {m['requests']:,} requests, "
                    f"{m['rps']:.1f} rps, p50 {m['p50']:.1f} ms, **p95 {m['p95']:.1f} ms**; "
                    f'**{m["server_errors"]} 5xx, {m["locked"]} "database is locked", '
                    f"{m['writes_lost']} of {m['writes_acknowledged']} acknowledged writes lost**. "
                    f"Statuses: {m['statuses']}. /healthz polled meanwhile: slowest "
                    f"{m['healthz_slowest']:.0f} ms, {m['healthz_failed']} unanswered."
                )
                out.append("")
                b = m.get("burst")
                if b:
                    out.append(
                        f"Burst (issue 16), {workers} workers, {b['clients']} clients at once, "
                        f"3 requests each, same mix, {b['seconds']:.1f} s: {b['requests']:,} "
                        f"requests, p50 {b['p50']:.1f} ms, **p95 {b['p95']:.1f} ms**; "
                        f'**{b["server_errors"]} 5xx, {b["locked"]} "database is locked", '
                        f"{b['writes_lost']} of {b['writes_acknowledged']} acknowledged writes "
                        f"lost, /healthz slowest {b['healthz_slowest']:.0f} ms "
                        f"({b['healthz_failed']} unanswered)**. Statuses: {b['statuses']}."
                    )
                    out.append("")
        if skipped:
            out.append(
                f"Not measured at scale {c.scale:g}: "
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
    out.append("## Against the aims (issue 5, deliverable 4)")
    out.append("")
    out.append(
        "Aim: every main page at scale 1 at least a fifth of `/healthz`'s requests per "
        "second on the same server, and no page's median above 150 ms."
    )
    out.append("")
    for (scale, workers), rows in sorted(results.items()):
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
        out.append(f"- scale {scale:g}, {workers} worker{'s' if workers > 1 else ''}: {verdict}.")
    out.append("")
    return "\n".join(out)


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
