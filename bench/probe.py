"""Which calls exist and answer, and the SQL statements of one request of each (in-process)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bench.calls import CALLS, headers_for, url_for
from bench.city import City
from bench.writes import WritePool

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
