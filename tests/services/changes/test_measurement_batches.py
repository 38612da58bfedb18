"""A batch of measurements: read like single entry, stored all together or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from app.models import Department, HistoryEntry, HistoryField, Measurement, Metric, Plan
from app.models.enums import SubjectType
from app.models.metric import MetricCreate
from app.services.changes import measurement_batches as batches
from app.services.changes import metrics
from app.services.changes.history import Actor
from app.services.changes.measurement_batches import BatchRefused, Cell
from app.services.errors import PermissionDenied
from tests.factories import make_person, make_tiny_plan

TODAY = dt.date(2026, 12, 6)
SYSTEM = Actor(name="test")


@pytest.fixture
def tiny(session: Session) -> Plan:
    plan = make_tiny_plan(session)
    dept = session.exec(select(Department).where(Department.code == "PW")).one()
    metrics.create_metric(
        session=session,
        plan=plan,
        data=MetricCreate(
            code="POT",
            name="Potholes filled",
            unit="count",
            direction="higher",
            department_id=dept.id,
        ),
        actor=SYSTEM,
    )
    session.commit()
    return plan


def stored(session: Session) -> dict[tuple[str, str], float]:
    session.expire_all()
    rows = session.exec(
        select(Metric.code, Measurement.period, Measurement.value)
        .join(Metric, col(Metric.id) == Measurement.metric_id)
        .where(col(Measurement.archived_at).is_(None))
    ).all()
    return {(code, f"{period:%Y-%m}"): value for code, period, value in rows}


def record(session: Session, plan: Plan, cells: list[Cell], actor: Actor = SYSTEM):  # noqa: ANN201
    result = batches.record_measurements(
        session=session, plan=plan, cells=cells, actor=actor, today=TODAY
    )
    session.commit()
    return result


def test_values_are_read_like_single_entry_and_stored_together(
    session: Session, tiny: Plan
) -> None:
    result = record(
        session,
        tiny,
        [
            Cell("FCR", "2025-07", "70,5"),
            Cell("FCR", "2025-08", "71 %"),
            Cell("POT", "2025-07", "1,250"),
            Cell("POT", "2025-08", "   "),  # empty: skipped
        ],
    )
    assert len(result.created) == 3 and not result.corrected
    values = stored(session)
    assert values[("FCR", "2025-07")] == 70.5
    assert values[("FCR", "2025-08")] == 71
    assert values[("POT", "2025-07")] == 1250
    assert ("POT", "2025-08") not in values


def test_one_bad_cell_stores_nothing_and_every_bad_cell_is_named(
    session: Session, tiny: Plan
) -> None:
    before = stored(session)
    with pytest.raises(BatchRefused) as refused:
        record(
            session,
            tiny,
            [
                Cell("FCR", "2025-07", "70"),
                Cell("FCR", "2025-08", "150", line=3),
                Cell("FCR", "2030-01", "70", line=4),
                Cell("POT", "2025-07", "1,250.5.5", line=5),
                Cell("NOPE", "2025-07", "1", line=6),
                Cell("FCR", "2025-13", "1", line=7),
                Cell("POT", "2025-09", "=SUM(A1:A3)", line=8),
            ],
        )
    session.rollback()
    words = [p.words() for p in refused.value.cells]
    assert words[0].startswith("line 3, value: 150% is outside the range")
    assert words[1].startswith("line 4, period: January 2030 is in the future")
    assert words[2].startswith("line 5, value: enter a number")
    assert words[3] == "line 6, metric: no metric 'NOPE' in this plan"
    assert words[4].startswith("line 7, period: '2025-13' is not a month")
    assert words[5].startswith("line 8, value: enter a number")  # a formula is plain text
    assert len(words) == 6
    assert stored(session) == before


def test_a_different_value_for_a_stored_period_is_a_correction_in_the_history(
    session: Session, tiny: Plan
) -> None:
    result = record(
        session,
        tiny,
        [Cell("FCR", "2024-06", "79", note="Recounted."), Cell("FCR", "2025-06", "83")],
    )
    assert [c.period for c in result.corrected] == ["2024-06"]
    assert [c.period for c in result.unchanged] == ["2025-06"]  # same value: left alone
    assert stored(session)[("FCR", "2024-06")] == 79
    row = session.exec(select(Measurement).where(Measurement.period == dt.date(2024, 6, 1))).one()
    assert row.version == 2 and row.note == "Recounted."
    entry = session.exec(
        select(HistoryEntry)
        .where(
            HistoryEntry.subject_type == SubjectType.measurement, HistoryEntry.subject_id == row.id
        )
        .order_by(col(HistoryEntry.id).desc())
    ).first()
    assert entry is not None and entry.action == "update"
    changed = session.exec(
        select(HistoryField).where(HistoryField.entry_id == entry.id, HistoryField.field == "value")
    ).one()
    assert (changed.before, changed.after) == (78, 79)


def test_a_stale_version_refuses_the_cell_with_the_newer_value(
    session: Session, tiny: Plan
) -> None:
    record(session, tiny, [Cell("FCR", "2024-06", "79")])  # someone else corrects it (version 2)
    with pytest.raises(BatchRefused) as refused:
        record(session, tiny, [Cell("FCR", "2024-06", "80", version=1)])
    session.rollback()
    assert "someone changed this value since you loaded it (now 79%)" in refused.value.message
    assert stored(session)[("FCR", "2024-06")] == 79


def test_the_same_cell_twice_is_refused(session: Session, tiny: Plan) -> None:
    with pytest.raises(BatchRefused) as refused:
        record(
            session,
            tiny,
            [Cell("FCR", "2025-07", "1", line=2), Cell("FCR", "2025-07", "2", line=3)],
        )
    assert refused.value.cells[0].words() == (
        "line 3, period: this metric and period are given twice (also line 2)"
    )


def test_a_lead_cannot_record_another_departments_metric(session: Session, tiny: Plan) -> None:
    lead = make_person(session, "cc-lead", "lead", department="CC")
    before = stored(session)
    with pytest.raises(PermissionDenied) as denied:
        record(
            session,
            tiny,
            [Cell("FCR", "2025-07", "70"), Cell("POT", "2025-07", "3")],
            actor=Actor(user=lead),
        )
    session.rollback()
    assert "POT: This metric is owned by the Public Works department" in denied.value.message
    assert "FCR" not in denied.value.message.split("saved.")[1]
    assert stored(session) == before
    result = record(session, tiny, [Cell("FCR", "2025-07", "70")], actor=Actor(user=lead))
    assert len(result.created) == 1
