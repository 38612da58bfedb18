"""The demo city's progress history: where each strategy stands today, and the updates over
three years that brought it there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.models import HistoryEntry, HistoryField
from app.services.demo_city.calendar import moment
from app.services.demo_city.draft import CityDraft
from app.services.demo_city.sizes import HISTORY_DAYS, apportion
from app.services.demo_city.vocabulary import NARRATIVES, NOTES


def _final_state(city: CityDraft, s: dict[str, Any]) -> None:
    """Where a strategy stands today: status, entered progress, last update."""
    rng, today = city.rng, city.today
    s["_window_start"] = max(
        today - dt.timedelta(days=HISTORY_DAYS), s["planned_start"] - dt.timedelta(days=30)
    )
    if s["planned_start"] > today:
        s["_final"] = None  # not begun: never updated
        return
    if s["planned_end"] < today:
        status = (
            "complete" if rng.random() < 0.6 else rng.choice(("on_track", "at_risk", "off_track"))
        )  # the rest are overdue
    else:
        status = rng.choices(
            ("on_track", "at_risk", "off_track", "on_hold", "complete", "not_started"),
            weights=(50, 20, 8, 7, 8, 7),
        )[0]
    steps = s.get("_steps", [])
    length = max(1, (s["planned_end"] - s["planned_start"]).days)
    elapsed = (today - s["planned_start"]).days / length
    share = min(0.95, max(0.0, elapsed * rng.uniform(0.6, 1.1)))
    if status == "complete":
        share = 1.0
    if status == "not_started":
        share = 0.0
    # Only a complete strategy has every step done (the status and progress rules): an unfinished
    # one keeps at least one step open.
    n_done = len(steps) if status == "complete" else min(round(len(steps) * share), len(steps) - 1)
    n_done = max(0, n_done)
    for step in steps[:n_done]:
        step["done_on"] = min(today, step["due"] + dt.timedelta(days=rng.randint(-20, 20)))
        step["done_on"] = max(step["done_on"], s["planned_start"])
        step["updated_at"] = moment(step["done_on"], rng)
    progress = 100 if status == "complete" else round(share * 100)
    # A quarter are stale: no update within their cadence.
    cadence = s["update_cadence_days"]
    window = (today - s["_window_start"]).days
    if rng.random() < 0.25 and window > cadence + 2:
        age = rng.randint(cadence + 1, min(window - 1, cadence + 240))
    else:
        age = rng.randint(0, max(0, min(cadence - 1, window)))
    last = moment(today - dt.timedelta(days=age), rng)
    now = dt.datetime.combine(today, dt.time(23, 59), tzinfo=dt.UTC)
    s["_final"] = (status, progress, min(last, now))


def add_history(
    city: CityDraft, strategies: list[dict[str, Any]], total: int, users: dict[str, Any]
) -> None:
    rng = city.rng
    for s in strategies:
        _final_state(city, s)
    updated = [s for s in strategies if s["_final"] is not None]
    if not updated:
        return
    counts = apportion(
        total,
        [max(1, (s["_final"][2].date() - s["_window_start"]).days) for s in updated],
        minimum=1,
    )
    coordinators, admin = users["coordinators"], users["admin"]
    for s, count in zip(updated, counts, strict=True):
        status, progress, last = s["_final"]
        plan = s["_plan"]
        label = f"{plan['terminology']['strategy']} {s['code']}: {s['title']}"[:400]
        lead = users["lead_of"][s["department_id"]]
        has_steps = bool(s.get("_steps"))
        first = dt.datetime.combine(s["_window_start"], dt.time(15), tzinfo=dt.UTC)
        span = max(0.0, (last - first).total_seconds())
        moments = sorted(
            first + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(count - 1)
        ) + [last]
        cur_status, cur_progress, cur_narrative = "not_started", 0, ""
        for n, at in enumerate(moments):
            final = n == count - 1
            if final:
                new_status, new_progress = status, progress
            else:
                new_progress = min(progress, round(progress * (n + 1) / count))
                new_status = rng.choices(
                    ("on_track", "at_risk", "off_track", status), weights=(55, 15, 5, 25)
                )[0]
                if new_status == "complete":
                    new_status = "on_track"
            new_narrative = rng.choice(NARRATIVES)
            changes: list[tuple[str, Any, Any]] = []
            if new_status != cur_status:
                changes.append(("status", cur_status, new_status))
            if not has_steps and new_progress != cur_progress:
                changes.append(("progress", cur_progress, new_progress))
            if new_narrative != cur_narrative or not changes:
                changes.append(("narrative", cur_narrative, new_narrative))
            who = rng.random()
            actor = lead if who < 0.75 else (rng.choice(coordinators) if who < 0.97 else admin)
            entry_id = city.add(
                HistoryEntry,
                organization_id=city.org_id,
                plan_id=plan["id"],
                subject_type="strategy",
                subject_id=s["id"],
                subject_label=label,
                action="progress",
                actor_id=actor[0],
                actor_name=actor[1],
                at=at,
                note=rng.choice(NOTES),
                version_after=None,
            )
            for name, before, after in changes:
                city.add(HistoryField, entry_id=entry_id, field=name, before=before, after=after)
            cur_status, cur_progress, cur_narrative = new_status, new_progress, new_narrative
        s["status"] = cur_status
        s["progress"] = 0 if has_steps else cur_progress
        s["narrative"] = cur_narrative
        s["last_update_at"] = last
        s["last_changed_at"] = last  # as history.record_change keeps it
        s["updated_at"] = last
