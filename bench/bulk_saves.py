"""The plan builder's bulk saves, timed (issue 10: each under 1 s at scale 1 on SQLite).

- the owners table: 100 rows (strategies, then metrics if the plan has fewer) each given new leads
  and a new update cadence (a metric: a new frequency), saved through the page (htmx, so the
  answer re-renders the table) and through PUT /api/v1/plans/{slug}/assignments;
- the measurement grid: 40 metrics × 12 periods typed into the grid and saved (htmx, whose answer
  re-renders the whole grid; and a plain post, answered with a 303, to time the save alone).

Each save runs through the ASGI app in this process (no network), three times with new values
each time (the forms are filled between runs, untimed); the median wall time and the SQL
statements of one save are reported. The saver is the city's coordinator, or its administrator
when coordinators may not yet edit items (said in the note).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

ROWS = 100
GRID_METRICS, GRID_PERIODS = 40, 12
RUNS = 3


@dataclass
class BulkResult:
    key: str
    label: str
    size: str
    seconds: float | None = None
    statements: int | None = None
    status: int | None = None
    note: str = ""

    @property
    def within(self) -> str:
        if self.seconds is None:
            return "—"
        return "yes" if self.seconds < 1.0 else "NO"


def _users(session: Any, org_id: int) -> tuple[Any, Any]:
    from sqlmodel import select

    from app.models import User

    people = session.exec(select(User).where(User.organization_id == org_id)).all()
    coordinator = next(u for u in people if u.role == "coordinator")
    admin = next(u for u in people if u.role == "admin")
    return coordinator, admin


def _owner_rows(session: Any, plan: Any, run: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """100 rows' new values, as API rows and as the owners form sends them."""
    from sqlmodel import col, select

    from app.models import Metric, Strategy
    from app.services.views.owners_table import row_key, shown_text, signature

    live = (Strategy.plan_id == plan.id, col(Strategy.archived_at).is_(None))
    items: list[Any] = list(session.exec(select(Strategy).where(*live).limit(ROWS)).all())
    if len(items) < ROWS:
        metric_live = (Metric.plan_id == plan.id, col(Metric.archived_at).is_(None))
        more = session.exec(select(Metric).where(*metric_live).limit(ROWS - len(items))).all()
        items.extend(more)
    rows, form = [], {}
    for item in items:
        kind = "strategy" if isinstance(item, Strategy) else "metric"
        if kind == "strategy":
            values: dict[str, Any] = {
                "leads": [f"Bench lead {run}"],
                "update_cadence_days": 20 + run,
            }
        else:
            values = {"frequency": ("monthly", "quarterly")[run % 2]}
        rows.append({"kind": kind, "id": item.id, "version": item.version, **values})
        key = row_key(kind, item.id)
        shown = {n: shown_text(n, getattr(item, n)) for n in values}
        form[key] = f"{item.version}:{signature(kind, shown)}"
        for name, value in values.items():
            form[f"{key}.{name}"] = shown_text(name, value)
    return rows, form


def _grid_form(session: Any, plan: Any, user: Any, run: int) -> tuple[dict[str, str], int]:
    """40 metrics × 12 open periods of the grid, each given a value within its bounds."""
    from app.services.rules.measurement_rules import bounds_of
    from app.services.views.measurement_grid import load_grid

    grid = load_grid(session=session, plan=plan, user=user)
    form: dict[str, str] = {}
    metrics = 0
    for section in grid.sections:
        for row in section.rows:
            cells = [c for c in row.cells if c.open][-GRID_PERIODS:]
            if metrics == GRID_METRICS or len(cells) < GRID_PERIODS:
                continue
            low, high = bounds_of(row.metric)
            low = 0.0 if low is None else low
            high = low + 100.0 if high is None else high
            for i, cell in enumerate(cells):
                share = ((i * 7 + run * 13) % 90 + 5) / 100
                form[cell.name] = f"{low + (high - low) * share:.1f}"
            metrics += 1
    return form, metrics


def measure(city: Any) -> list[BulkResult]:
    from sqlalchemy import event
    from sqlmodel import Session, select
    from starlette.testclient import TestClient

    from app.auth import SESSION_COOKIE, session_cookie_value
    from app.db import get_engine
    from app.main import create_app
    from app.models import Plan
    from app.services.accounts import api_tokens, browser_sessions

    client = TestClient(create_app(), raise_server_exceptions=False)
    engine = get_engine()
    counted = [0]

    def count(*_args: Any) -> None:
        counted[0] += 1

    def timed(send: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, int, int, str]:
        counted[0] = 0
        started = time.perf_counter()
        answer = send(*args, **kwargs)
        return time.perf_counter() - started, counted[0], answer.status_code, answer.text

    with Session(engine, expire_on_commit=False) as session:
        plan = session.exec(select(Plan).where(Plan.slug == city.slug)).one()
        coordinator, admin = _users(session, plan.organization_id)
        who = {}
        for user in (coordinator, admin):
            started = browser_sessions.start_session(session=session, user=user)
            _, token = api_tokens.create_api_token(session=session, user=user, name="bulk bench")
            cookie = f"{SESSION_COOKIE}={session_cookie_value(started.token)}"
            who[user.role] = (
                {"Cookie": cookie, "X-CSRF-Token": started.csrf_token, "HX-Request": "true"},
                {"Authorization": f"Bearer {token}"},
                user.id,
            )
        session.commit()

    results = [
        BulkResult("owners_page", "Owners table save (page, htmx)", f"{ROWS} rows"),
        BulkResult("owners_api", "Owners and dates (PUT …/assignments)", f"{ROWS} rows"),
        BulkResult(
            "grid", "Measurement grid save (htmx)", f"{GRID_METRICS} metrics × {GRID_PERIODS}"
        ),
        BulkResult(
            "grid_plain",
            "Measurement grid save (plain post: 303, no re-render)",
            f"{GRID_METRICS} metrics × {GRID_PERIODS}",
        ),
    ]
    event.listen(engine, "before_cursor_execute", count)
    try:
        for result in results:
            _measure_one(result, city, who, client, timed)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return results


def _measure_one(
    result: BulkResult, city: Any, who: dict[str, Any], client: Any, timed: Callable[..., Any]
) -> None:
    from sqlmodel import Session, select

    from app.db import get_engine
    from app.models import Plan, User

    seen: list[tuple[float, int]] = []
    for role in ("coordinator", "admin"):
        page_headers, api_headers, user_id = who[role]
        seen, refused = [], ""
        for run in range(1, RUNS + 1):
            with Session(get_engine(), expire_on_commit=False) as session:
                plan = session.exec(select(Plan).where(Plan.slug == city.slug)).one()
                if result.key.startswith("grid"):
                    user = session.get(User, user_id)
                    form, metrics = _grid_form(session, plan, user, run)
                    result.size = f"{metrics} metrics × {GRID_PERIODS} ({len(form)} values)"
                    url = f"/plans/{city.slug}/measurements/grid"
                    if metrics < GRID_METRICS:
                        refused = f"only {metrics} metrics with {GRID_PERIODS} open periods"
                        break
                else:
                    rows, form = _owner_rows(session, plan, run + (3 if role == "admin" else 0))
            if result.key == "owners_api":
                url = f"/api/v1/plans/{city.slug}/assignments"
                seconds, statements, status, text = timed(
                    client.put, url, json={"rows": rows}, headers=api_headers
                )
            else:
                url = url if result.key.startswith("grid") else f"/plans/{city.slug}/owners"
                body = urlencode(form)
                headers = {**page_headers, "Content-Type": "application/x-www-form-urlencoded"}
                if result.key == "grid_plain":
                    headers.pop("HX-Request")
                seconds, statements, status, text = timed(
                    client.post, url, content=body, headers=headers, follow_redirects=False
                )
            result.status = status
            if status >= 400:
                refused = f"answers {status}: {text[:160]}"
                break
            seen.append((seconds, statements))
        if not refused:
            result.note = "" if role == "coordinator" else "as the administrator (coordinators "
            result.note += "" if role == "coordinator" else "may not edit items yet)"
            break
        result.note = refused
    if seen and len(seen) == RUNS:
        result.seconds = statistics.median(s for s, _ in seen)
        result.statements = min(n for _, n in seen)


def report_lines(scale: float, results: list[BulkResult], database: str = "") -> list[str]:
    """The table; `database` (its name, as "PostgreSQL") is said after the scale when given."""
    where = f", {database}" if database else ""
    out = [
        f"**Bulk saves, scale {scale:g}{where}** (in-process through the ASGI app, median of "
        f"{RUNS} saves with new values each; target under 1 s):",
        "",
        "| save | size | time | SQL | under 1 s | note |",
        "|---|---|---:|---:|---|---|",
    ]
    for r in results:
        seconds = "—" if r.seconds is None else f"{r.seconds * 1000:.0f} ms"
        statements = "—" if r.statements is None else str(r.statements)
        out.append(f"| {r.label} | {r.size} | {seconds} | {statements} | {r.within} | {r.note} |")
    return out
