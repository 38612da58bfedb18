"""The grid's save issues a fixed number of SQL statements, however many values it stores.

Issue 10: a grid of 40 metrics × 12 periods must save in under a second; a few statements per
value (an UPDATE, a re-read, a history entry and its field: 1,931 for 480 values) kept it at the
line. Counting statements is independent of the machine's speed: a save of 10 metrics × 12 values
and one of 40 × 12 issue the same number, new values and corrections alike, with htmx (the answer
re-renders the grid) and without (303).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.db import get_engine
from app.models import Department, HistoryEntry, Measurement, Metric, Plan, User
from app.models.enums import SubjectType
from app.models.metric import MetricCreate
from app.services.changes import metrics
from app.services.changes.history import Actor
from app.services.views.measurement_grid import load_grid
from tests.factories import make_person, make_tiny_plan, signed_in_client

GRID = "/plans/testville-service/measurements/grid"
PERIODS = 12
FEW, MANY = 10, 40
# The whole save, whatever its size: the session and its user, the plan, its metrics and
# departments, the stored values, one UPDATE (executemany), one INSERT of the new values, one of
# the history entries and one of their fields, and with htmx the grid read again.
MOST = 25


@pytest.fixture
def plan(session: Session) -> Plan:
    plan = make_tiny_plan(session)
    dept = session.exec(select(Department).where(Department.code == "PW")).one()
    for n in range(FEW + MANY):
        metrics.create_metric(
            session=session,
            plan=plan,
            data=MetricCreate(
                code=f"M{n:02d}",
                name=f"Metric {n}",
                unit="count",
                direction="higher",
                department_id=dept.id,
            ),
            actor=Actor(name="test"),
        )
    session.commit()
    return plan


@pytest.fixture
def admin(session: Session, plan: Plan) -> tuple[TestClient, str, User]:
    user = make_person(session, "boss", "admin")
    client, csrf = signed_in_client(session, user)
    return client, csrf, user


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def grid_form(session: Session, plan: Plan, user: User, codes: list[str], run: int) -> dict:
    """The grid's inputs of `codes`' last 12 open periods (with the versions shown), each given
    a value it does not hold yet."""
    session.expire_all()
    grid = load_grid(session=session, plan=plan, user=user)
    form = {}
    for section in grid.sections:
        for row in section.rows:
            if row.metric.code in codes:
                cells = [c for c in row.cells if c.open][-PERIODS:]
                assert len(cells) == PERIODS
                for i, cell in enumerate(cells):
                    form[cell.name] = str(run * 100 + i)
    assert len(form) == len(codes) * PERIODS
    return form


def save(
    client: TestClient, csrf: str, form: dict, htmx: bool, statements: list[str]
) -> tuple[int, int]:
    headers = {"X-CSRF-Token": csrf, **({"HX-Request": "true"} if htmx else {})}
    statements.clear()
    answer = client.post(GRID, data=form, headers=headers, follow_redirects=False)
    return answer.status_code, len(statements)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_saving_40_metrics_by_12_periods_takes_as_many_statements_as_10(
    session: Session,
    plan: Plan,
    admin: tuple[TestClient, str, User],
    statements: list[str],
    htmx: bool,
) -> None:
    client, csrf, user = admin
    few = [f"M{n:02d}" for n in range(FEW)]
    many = [f"M{n:02d}" for n in range(FEW, FEW + MANY)]
    ok = 200 if htmx else 303
    counts = {}
    for run, kind in ((1, "new"), (2, "corrected")):
        for name, codes in (("few", few), ("many", many)):
            form = grid_form(session, plan, user, codes, run)
            status, count = save(client, csrf, form, htmx, statements)
            assert status == ok
            counts[(kind, name)] = count
    for kind in ("new", "corrected"):
        assert 0 < counts[(kind, "many")] == counts[(kind, "few")] <= MOST, counts
    # Every value stored, and each new value and each correction has its history entry.
    session.expire_all()
    saved = session.exec(
        select(Measurement)
        .join(Metric, col(Metric.id) == Measurement.metric_id)
        .where(col(Metric.code).in_(few + many))
    ).all()
    assert {m.version for m in saved} == {2}
    assert len(saved) == (FEW + MANY) * PERIODS
    entries = session.exec(
        select(HistoryEntry.subject_id, HistoryEntry.action, HistoryEntry.version_after).where(
            HistoryEntry.subject_type == SubjectType.measurement,
            col(HistoryEntry.subject_id).in_([m.id for m in saved]),
        )
    ).all()
    assert sorted(entries) == sorted(
        [(m.id, a, v) for m in saved for a, v in (("create", 1), ("update", 2))]
    )
