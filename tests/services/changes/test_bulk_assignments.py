"""Owners and dates for many rows at once: all or nothing, every refused row named, versioned and
recorded like a single edit (app/services/changes/bulk_assignments.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, func, select

from app.models import Department, HistoryEntry, HistoryField, Metric, Phase, Plan, Strategy
from app.models.enums import SubjectType
from app.models.strategy import StrategyCreate
from app.services.changes import strategies
from app.services.changes.bulk_assignments import (
    Assignment,
    AssignmentsRefused,
    StaleAssignments,
    save_assignments,
)
from app.services.changes.history import Actor
from app.services.errors import PermissionDenied
from tests.factories import make_person, make_tiny_plan

CLI = Actor(name="test")


@pytest.fixture
def plan(session: Session) -> Plan:
    plan = make_tiny_plan(session)
    for n in range(3, 11):  # ten strategies in all
        strategies.create_strategy(
            session=session,
            plan=plan,
            data=StrategyCreate(code=f"1.{n}", title=f"Strategy {n}"),
            actor=CLI,
        )
    session.commit()
    return plan


def dept(session: Session, code: str) -> Department:
    return session.exec(select(Department).where(Department.code == code)).one()


def all_strategies(session: Session) -> list[Strategy]:
    session.expire_all()
    return list(session.exec(select(Strategy).order_by(col(Strategy.id))).all())


def history_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(HistoryEntry)).one()


def snapshot(session: Session) -> list[tuple]:
    session.expire_all()
    rows = session.exec(select(Strategy).order_by(col(Strategy.id))).all()
    metric_rows = session.exec(select(Metric).order_by(col(Metric.id))).all()
    return [
        (s.id, s.version, s.department_id, tuple(s.leads), s.planned_start, s.planned_end,
         s.phase_id, s.term, s.update_cadence_days) for s in rows
    ] + [(m.id, m.version, m.department_id, m.frequency) for m in metric_rows]  # fmt: skip


def row(item: Strategy | Metric, **values: object) -> Assignment:
    kind = "strategy" if isinstance(item, Strategy) else "metric"
    return Assignment(kind, item.id, item.version, dict(values))  # type: ignore[arg-type]


def test_every_row_is_saved_versioned_and_recorded(session: Session, plan: Plan) -> None:
    pw = dept(session, "PW")
    phase = session.exec(select(Phase)).first()
    items = all_strategies(session)
    versions = [s.version for s in items]
    metric = session.exec(select(Metric)).one()
    rows = [
        row(s, department_id=pw.id, leads=[f"Lead {i}"], planned_start="2025-01-01",
            planned_end="2025-06-30", phase_id=phase.id, term="long", update_cadence_days=14)
        for i, s in enumerate(items)
    ] + [row(metric, department_id=pw.id, frequency="quarterly")]  # fmt: skip
    before = history_count(session)
    result = save_assignments(session=session, plan=plan, rows=rows, actor=CLI)
    session.commit()
    assert len(result.changed) == 11 and not result.unchanged
    for i, s in enumerate(all_strategies(session)):
        assert (s.department_id, s.leads, s.planned_start, s.term, s.update_cadence_days) == (
            pw.id,
            [f"Lead {i}"],
            dt.date(2025, 1, 1),
            "long",
            14,
        )
        assert s.version == versions[i] + 1
    session.expire_all()
    metric = session.exec(select(Metric)).one()
    assert (metric.department_id, metric.frequency, metric.version) == (pw.id, "quarterly", 2)
    entries = session.exec(select(HistoryEntry).order_by(col(HistoryEntry.id)).offset(before)).all()
    assert len(entries) == 11
    assert {(e.subject_type, e.subject_id) for e in entries} == {
        (SubjectType.strategy, s.id) for s in items
    } | {(SubjectType.metric, metric.id)}
    first = next(e for e in entries if e.subject_id == items[2].id)
    fields = session.exec(select(HistoryField).where(HistoryField.entry_id == first.id)).all()
    assert {f.field: f.after for f in fields}["leads"] == ["Lead 2"]
    assert first.version_after == versions[2] + 1


def test_one_bad_row_among_ten_saves_nothing_and_every_bad_row_is_named(
    session: Session, plan: Plan
) -> None:
    items = all_strategies(session)
    rows = [row(s, leads=["Ana Ruiz"]) for s in items]
    rows[3] = row(items[3], planned_start="2025-06-01", planned_end="2025-01-01")
    rows[7] = row(items[7], update_cadence_days=0)
    rows[8] = row(items[8], term="eventually")
    before, history_before = snapshot(session), history_count(session)
    with pytest.raises(AssignmentsRefused) as refused:
        save_assignments(session=session, plan=plan, rows=rows, actor=CLI)
    session.rollback()
    assert snapshot(session) == before
    assert history_count(session) == history_before
    named = {(p.row, p.column, p.code) for p in refused.value.rows}
    assert named == {
        (3, "planned_end", items[3].code),
        (7, "update_cadence_days", items[7].code),
        (8, "term", items[8].code),
    }
    assert {p.field for p in refused.value.problems} == {
        "rows.3.planned_end",
        "rows.7.update_cadence_days",
        "rows.8.term",
    }
    assert "before the planned start" in refused.value.message
    assert items[3].code in refused.value.message


def test_nothing_is_left_in_the_session_when_a_later_row_is_refused(
    session: Session, plan: Plan
) -> None:
    """The rows applied before the refused one are rolled back by the service itself: a caller
    that commits anyway stores nothing."""
    items = all_strategies(session)
    before = snapshot(session)
    rows = [row(items[0], leads=["Saved?"]), row(items[1], update_cadence_days=999)]
    with pytest.raises(AssignmentsRefused):
        save_assignments(session=session, plan=plan, rows=rows, actor=CLI)
    session.commit()
    assert snapshot(session) == before


def test_a_stale_row_is_a_conflict_naming_it(session: Session, plan: Plan) -> None:
    items = all_strategies(session)
    strategies.update_strategy(
        session=session,
        strategy=items[1],
        data=strategies.StrategyUpdate(version=items[1].version, leads=["Someone else"]),
        actor=Actor(name="other"),
    )
    session.commit()
    before = snapshot(session)
    stale_version = items[1].version - 1
    rows = [
        row(items[0], leads=["Mine"]),
        Assignment("strategy", items[1].id, stale_version, {"leads": ["Mine too"]}),  # type: ignore[arg-type]
    ]
    with pytest.raises(StaleAssignments) as conflict:
        save_assignments(session=session, plan=plan, rows=rows, actor=CLI)
    session.rollback()
    assert snapshot(session) == before
    assert conflict.value.status_code == 409
    assert items[1].code in conflict.value.message
    (current,) = conflict.value.current["rows"]
    assert current["row"] == 1 and current["leads"] == ["Someone else"]
    assert current["version"] == items[1].version


def test_unchanged_rows_are_not_versioned_or_recorded(session: Session, plan: Plan) -> None:
    items = all_strategies(session)
    versions = [s.version for s in items]
    history_before = history_count(session)
    rows = [row(s, leads=list(s.leads), term=s.term) for s in items]
    rows[0] = row(items[0], leads=["New lead"])
    result = save_assignments(session=session, plan=plan, rows=rows, actor=CLI)
    session.commit()
    assert result.changed == [("strategy", items[0].id)]
    assert len(result.unchanged) == 9
    after = all_strategies(session)
    assert [s.version for s in after] == [versions[0] + 1, *versions[1:]]
    assert history_count(session) == history_before + 1


def test_rows_of_no_such_item_twice_or_with_a_wrong_field_are_named(
    session: Session, plan: Plan
) -> None:
    items = all_strategies(session)
    metric = session.exec(select(Metric)).one()
    rows = [
        Assignment("strategy", 999_999, 1, {"leads": ["X"]}),
        row(items[0], leads=["A"]),
        row(items[0], leads=["B"]),
        row(metric, leads=["Not for metrics"]),
        Assignment("goal", 1, 1, {}),
    ]
    with pytest.raises(AssignmentsRefused) as refused:
        save_assignments(session=session, plan=plan, rows=rows, actor=CLI)
    assert {p.field for p in refused.value.problems} == {
        "rows.0.id",
        "rows.2.id",
        "rows.3.leads",
        "rows.4.kind",
    }


def test_a_row_the_person_may_not_edit_refuses_the_whole_save(session: Session, plan: Plan) -> None:
    lead = make_person(session, "cc-lead", "lead", department="CC")
    items = all_strategies(session)
    mine = next(s for s in items if s.code == "1.1")
    theirs = next(s for s in items if s.code == "1.2")  # Public Works'
    before = snapshot(session)
    with pytest.raises(PermissionDenied) as denied:
        save_assignments(
            session=session,
            plan=plan,
            rows=[row(mine, leads=["Mine"]), row(theirs, leads=["Not mine"])],
            actor=Actor(user=lead),
        )
    session.rollback()
    assert "1.2" in denied.value.message
    assert snapshot(session) == before
    result = save_assignments(
        session=session, plan=plan, rows=[row(mine, leads=["Mine"])], actor=Actor(user=lead)
    )
    assert result.changed == [("strategy", mine.id)]


def _statements(session: Session, plan: Plan, rows: list[Assignment]) -> int:
    counted: list[str] = []

    def count(*args: object) -> None:
        counted.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        save_assignments(session=session, plan=plan, rows=rows, actor=CLI)
        session.flush()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def test_saving_a_hundred_rows_costs_a_few_statements_a_row(session: Session, plan: Plan) -> None:
    """Items are loaded in one query per kind; a changed row costs its UPDATE, the re-read, its
    history entry and fields (no per-row lookups of the plan, departments or phases); an
    unchanged row costs nothing."""
    for n in range(11, 101):
        strategies.create_strategy(
            session=session,
            plan=plan,
            data=StrategyCreate(code=f"2.{n}", title=f"Strategy {n}"),
            actor=CLI,
        )
    session.commit()
    items = all_strategies(session)[:100]
    pw = dept(session, "PW")
    ten = _statements(session, plan, [row(s, department_id=pw.id, leads=["A"]) for s in items[:10]])
    session.commit()
    items = all_strategies(session)[:100]
    hundred = _statements(session, plan, [row(s, department_id=pw.id, leads=["B"]) for s in items])
    session.commit()
    per_row = (hundred - ten) / 90
    assert per_row <= 7, (ten, hundred)
    items = all_strategies(session)[:100]
    unchanged = _statements(session, plan, [row(s, leads=["B"]) for s in items])
    assert unchanged <= 4, unchanged
