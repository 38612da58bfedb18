"""Writes under load: the items each client changes, and acknowledged writes found afterwards."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import queue
import random
import threading
import uuid
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Date, bindparam, text

from bench.calls import Call
from bench.city import City
from bench.databases import read_engine

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
        with read_engine(self.city.database_url).connect() as db:
            if self.call.write == "progress":
                rows = db.execute(
                    text("SELECT id, version FROM strategy WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": ids},
                )
                return {i: v for i, v in rows}
            rows = db.execute(
                text(
                    "SELECT metric_id, version FROM measurement WHERE period = :period AND "
                    "metric_id IN :ids AND archived_at IS NULL"
                ).bindparams(bindparam("ids", expanding=True), bindparam("period", type_=Date)),
                {"ids": ids, "period": this_period()},
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


def missing_writes(city: City, acknowledged: list[tuple[str, int, str]]) -> int:
    """Acknowledged writes the database does not hold: each carried a unique note, which the
    history keeps (a progress entry's note, or a measurement's note field)."""
    if not acknowledged:
        return 0
    with read_engine(city.database_url).connect() as db:
        notes = {
            n
            for (n,) in db.execute(
                text("SELECT note FROM history_entry WHERE note LIKE :p"), {"p": "bench-%"}
            )
        }
        # `after` is JSON (a JSON column on PostgreSQL): compared as its text, '"bench-…"'.
        notes |= {
            json.loads(a)
            for (a,) in db.execute(
                text(
                    "SELECT CAST(after AS VARCHAR) FROM history_field WHERE field = 'note' "
                    "AND CAST(after AS VARCHAR) LIKE :p"
                ),
                {"p": '"bench-%'},
            )
        }
    return sum(1 for _, _, note in acknowledged if note not in notes)
