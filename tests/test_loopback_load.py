"""Concurrent readers and writers against a real server with two workers on loopback
(QUALITY.md row 15): no server error, no "database is locked", and every write the server
acknowledged is in the database afterwards; a writer that lost a race was told so (409)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import threading
from collections import Counter

import httpx
from sqlalchemy import create_engine, select
from sqlmodel import Session

from app.models import (
    ApiToken,
    HistoryField,
    Measurement,
    Metric,
    Organization,
    Plan,
    Strategy,
    User,
)
from tests.live_server import start_server

CLIENTS = 8
REQUESTS_PER_CLIENT = 40  # 320 in all, a quarter of them writes
HOT_STRATEGIES = 3
TOKEN = "pt_load-test-token-0123456789"


def _set_up(database_url: str) -> tuple[str, list[int], list[int]]:
    """An admin's API token, the hot strategies and the metrics writers record into."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        org = session.exec(select(Organization).where(Organization.slug == "san-jose")).scalar_one()
        admin = User(username="load-admin", role="admin", organization_id=org.id)
        session.add(admin)
        session.flush()
        session.add(
            ApiToken(
                user_id=admin.id,
                name="load",
                prefix=TOKEN[:8],
                token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(),
            )
        )
        session.commit()
        plan = session.exec(select(Plan).where(Plan.organization_id == org.id)).scalars().first()
        assert plan is not None
        strategy_ids = session.exec(
            select(Strategy.id).where(Strategy.plan_id == plan.id).order_by(Strategy.id)
        ).scalars()
        metric_ids = session.exec(
            select(Metric.id).where(Metric.plan_id == plan.id).order_by(Metric.id)
        ).scalars()
        hot, metrics = list(strategy_ids)[:HOT_STRATEGIES], list(metric_ids)[:CLIENTS]
        slug = plan.slug
    engine.dispose()
    return slug, hot, metrics


def test_concurrent_reads_and_writes_on_two_workers_lose_nothing(
    empty_database_url: str,
) -> None:
    server = start_server(empty_database_url, workers=2)
    try:
        slug, hot, metric_ids = _set_up(empty_database_url)
        statuses: Counter[int] = Counter()
        narratives: list[str] = []
        measurements: list[tuple[int, dt.date, float]] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            rng = random.Random(number)
            # Months inside San José's period (2023-03-07 to 2026-09-06), one per request at most.
            months = range(2023 * 12 + 3, 2023 * 12 + 3 + REQUESTS_PER_CLIENT)
            periods = iter(dt.date(m // 12, m % 12 + 1, 1) for m in months)
            with httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
            ) as http:
                for n in range(REQUESTS_PER_CLIENT):
                    roll = rng.random()
                    if roll < 0.75:
                        answer = http.get(
                            rng.choice(
                                [f"/api/v1/plans/{slug}/tree", f"/plans/{slug}", "/api/v1/plans"]
                            )
                        )
                    elif roll < 0.875:
                        strategy_id = rng.choice(hot)
                        version = http.get(f"/api/v1/strategies/{strategy_id}").json()["version"]
                        narrative = f"client {number} write {n}"
                        answer = http.post(
                            f"/api/v1/strategies/{strategy_id}/progress",
                            json={"version": version, "narrative": narrative},
                        )
                        if answer.status_code == 200:
                            with lock:
                                narratives.append(narrative)
                        elif answer.status_code == 409:
                            # the loser is told which version won and what it holds
                            assert answer.json()["error"]["current"]["version"] > version
                    else:
                        # A value that names its writer, inside a percentage's 0-100.
                        period, value = next(periods), number + n / 100
                        metric_id = metric_ids[number % len(metric_ids)]
                        answer = http.post(
                            f"/api/v1/metrics/{metric_id}/measurements",
                            json={"period": period.isoformat(), "value": value},
                        )
                        if answer.status_code in (200, 201):
                            with lock:
                                measurements.append((metric_id, period, float(value)))
                    with lock:
                        statuses[answer.status_code] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    log = server.process.stderr.read().decode() if server.process.stderr else ""

    assert sum(statuses.values()) == CLIENTS * REQUESTS_PER_CLIENT, "a client thread failed"
    assert not [code for code in statuses if code >= 500], statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    assert "database is locked" not in log
    assert narratives and measurements, "the mix must have written something"

    engine = create_engine(empty_database_url)
    with Session(engine) as session:
        stored_narratives = set(
            session.exec(
                select(HistoryField.after).where(HistoryField.field == "narrative")
            ).scalars()
        )
        stored_values = {
            (m.metric_id, m.period, m.value) for m in session.exec(select(Measurement)).scalars()
        }
    engine.dispose()
    assert [n for n in narratives if n not in stored_narratives] == []
    assert [m for m in measurements if m not in stored_values] == []
