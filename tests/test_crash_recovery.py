"""Kill the server with SIGKILL in the middle of writes: the database stays intact and every
write the server acknowledged is there after a restart (QUALITY.md row 16)."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import threading
import time

import httpx
from sqlalchemy import create_engine, select, text
from sqlmodel import Session

from app.models import ApiToken, HistoryField, Organization, Plan, Strategy, User
from tests.conftest import changes_without_history
from tests.live_server import start_server

ROUNDS = int(os.environ.get("PLANTRACK_CRASH_ROUNDS", "30"))
WRITERS = 4
TOKEN = "pt_crash-test-token-0123456789"


def _admin_with_token(database_url: str) -> list[int]:
    engine = create_engine(database_url)
    with Session(engine) as session:
        org = (
            session.exec(select(Organization).where(Organization.slug == "san-jose"))
            .scalars()
            .one()
        )
        admin = User(username="crash-admin", role="admin", organization_id=org.id)
        session.add(admin)
        session.flush()
        session.add(
            ApiToken(
                user_id=admin.id,
                name="crash",
                prefix=TOKEN[:8],
                token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(),
            )
        )
        session.commit()
        # The admin's own organisation's strategies: an organisation admin writes nowhere else.
        ids = (
            session.exec(
                select(Strategy.id)
                .join(Plan, Plan.id == Strategy.plan_id)
                .where(Plan.organization_id == org.id)
                .order_by(Strategy.id)
                .limit(WRITERS)
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return list(ids)


def _current_version(database_url: str, strategy_id: int) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        version = conn.execute(
            text("SELECT version FROM strategy WHERE id = :i"), {"i": strategy_id}
        ).scalar_one()
    engine.dispose()
    return int(version)


def _integrity_problems(url: str) -> list[str]:
    """What SQLite's own checks find wrong with the file (PostgreSQL's WAL replay is its own)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            engine.dispose()
            return []
        problems = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        problems = [p for p in problems if p != "ok"]
        problems += [str(row) for row in conn.exec_driver_sql("PRAGMA foreign_key_check")]
    engine.dispose()
    return problems


def test_sigkill_during_writes_loses_no_acknowledged_write(empty_database_url: str) -> None:
    server = start_server(empty_database_url)
    server.stop()
    strategy_ids = _admin_with_token(empty_database_url)
    acknowledged: list[str] = []
    lock = threading.Lock()
    rng = random.Random(16)

    for round_number in range(ROUNDS):
        # A restart serves the killed server's files as they were left: no migration or seeding
        # runs in between to repair or rewrite them.
        server = start_server(empty_database_url, prepare=False)
        stop = threading.Event()

        def write(
            strategy_id: int,
            url: str = server.url,
            round_number: int = round_number,
            stop: threading.Event = stop,
        ) -> None:
            version = _current_version(empty_database_url, strategy_id)
            with httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
            ) as client:
                n = 0
                while not stop.is_set():
                    narrative = f"round {round_number} strategy {strategy_id} write {n}"
                    try:
                        answer = client.post(
                            f"/api/v1/strategies/{strategy_id}/progress",
                            json={"version": version, "narrative": narrative},
                        )
                    except httpx.HTTPError:
                        return  # the server died under us: this write was never acknowledged
                    assert answer.status_code == 200, answer.text
                    version = answer.json()["version"]
                    with lock:
                        acknowledged.append(narrative)
                    n += 1

        threads = [threading.Thread(target=write, args=(sid,)) for sid in strategy_ids]
        written_before = len(acknowledged)
        for t in threads:
            t.start()
        # Kill while writes are flowing: after this round's first acknowledged write (on a busy
        # machine the first can take longer than a fixed pause), then at a random moment.
        deadline = time.monotonic() + 10
        while len(acknowledged) == written_before and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.random() * 0.3)
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        stop.set()
        for t in threads:
            t.join()
        assert _integrity_problems(empty_database_url) == [], f"after kill {round_number + 1}"

    assert len(acknowledged) > ROUNDS, "the writers must have written between the kills"
    engine = create_engine(empty_database_url)
    with engine.connect() as conn:
        stored = set(
            conn.execute(
                select(HistoryField.after).where(HistoryField.field == "narrative")
            ).scalars()
        )
    engine.dispose()
    missing = [n for n in acknowledged if n not in stored]
    assert missing == []
    # No partial change: every version bump that survived has its history entry, and vice versa.
    assert changes_without_history(empty_database_url) == []
