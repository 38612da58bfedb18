"""No lost updates: conflicting writers from stale versions, and every accepted write survives."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

from sqlalchemy import select
from sqlmodel import Session

from app.db import build_engine
from app.models import HistoryEntry, HistoryField, Strategy
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategies import record_strategy_progress
from app.services.errors import Conflict
from tests.factories import make_tiny_plan

CLIENTS = 20
ATTEMPTS = 50  # 20 × 50 = 1,000 conflicting writes
HOT_ROWS = 5


def test_thousand_conflicting_writes_lose_nothing(database_url: str, session: Session) -> None:
    plan = make_tiny_plan(session)
    focus_area_id = session.exec(select(Strategy.focus_area_id)).scalars().first()
    for n in range(HOT_ROWS - 2):
        session.add(
            Strategy(plan_id=plan.id, focus_area_id=focus_area_id, code=f"8.{n}", title=f"Hot {n}")
        )
    session.commit()
    hot_ids = session.exec(select(Strategy.id).order_by(Strategy.id)).scalars().all()[:HOT_ROWS]
    start_versions = {s.id: s.version for s in session.exec(select(Strategy)).scalars()}
    engine = build_engine(database_url)
    accepted: list[tuple[int, str]] = []
    refused: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(client: int) -> None:
        rng = random.Random(client)
        actor = Actor(name=f"client-{client}")
        for attempt in range(ATTEMPTS):
            strategy_id = rng.choice(hot_ids)
            text = f"client {client} attempt {attempt}"
            try:
                with Session(engine) as reader:  # read the version, as a form would show it
                    version = reader.get(Strategy, strategy_id).version
                time.sleep(rng.random() / 500)  # the user types; others save meanwhile
                with Session(engine) as writing:
                    strategy = writing.get(Strategy, strategy_id)
                    record_strategy_progress(
                        session=writing,
                        strategy=strategy,
                        actor=actor,
                        data=ProgressUpdateIn(version=version, narrative=text),
                    )
                    writing.commit()
                with lock:
                    accepted.append((strategy_id, text))
            except Conflict as conflict:
                assert conflict.current["version"] > version
                with lock:
                    refused.append((strategy_id, text))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()

    assert errors == []
    assert len(accepted) + len(refused) == CLIENTS * ATTEMPTS
    assert refused, "the test must actually produce conflicts"
    session.expire_all()
    per_row = Counter(strategy_id for strategy_id, _ in accepted)
    for strategy_id in hot_ids:
        strategy = session.get(Strategy, strategy_id)
        # The version advanced exactly once per accepted change.
        assert strategy.version == start_versions[strategy_id] + per_row[strategy_id]
        entries = (
            session.exec(
                select(HistoryEntry)
                .where(
                    HistoryEntry.subject_type == "strategy",
                    HistoryEntry.subject_id == strategy_id,
                    HistoryEntry.action == "progress",
                )
                .order_by(HistoryEntry.id)
            )
            .scalars()
            .all()
        )
        assert len(entries) == per_row[strategy_id]
        assert [e.version_after for e in entries] == list(
            range(start_versions[strategy_id] + 1, strategy.version + 1)
        )
        fields = {
            f.entry_id: f
            for f in session.exec(
                select(HistoryField).where(
                    HistoryField.entry_id.in_([e.id for e in entries]),
                    HistoryField.field == "narrative",
                )
            ).scalars()
        }
        # Each accepted change was made on top of the previous one: nothing overwritten unseen.
        previous = ""
        for entry in entries:
            change = fields[entry.id]
            assert change.before == previous
            previous = change.after
        assert strategy.narrative == previous
        accepted_here = {text for sid, text in accepted if sid == strategy_id}
        assert {fields[e.id].after for e in entries} == accepted_here
