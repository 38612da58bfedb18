"""The real server (`plantrack serve`) and the load generator that measures it."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import math
import random
import re
import resource
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bench.calls import Call, headers_for, url_for
from bench.city import BIN, ROOT, City, _env
from bench.databases import contention_count
from bench.writes import WritePool

HOST = "127.0.0.1"


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
        self.database = city.database
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
        """SQLite: "database is locked" in the log; PostgreSQL: lines naming an error, a deadlock
        or a serialization failure (bench.databases.contention_count)."""
        return contention_count(self.log.read_text(errors="replace"), self.database)

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
