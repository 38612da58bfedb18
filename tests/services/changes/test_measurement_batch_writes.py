"""A batch's values are written together (editing.save_many, history.record_changes): each value
still gets its own history entry with its value before and after, an archived value comes back
as a single entry brings it back, and a value saved by someone between the batch's read and its
write refuses the batch as a stale edit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import HistoryEntry, HistoryField, Measurement, Metric, Plan
from app.models.enums import SubjectType
from app.models.metric import MeasurementIn, MeasurementVoid
from app.services.changes import measurement_batches as batches
from app.services.changes import metrics
from app.services.changes.editing import save_many
from app.services.changes.history import Actor
from app.services.changes.measurement_batches import Cell
from app.services.changes.measurement_voids import void_measurement
from app.services.errors import Conflict
from tests.factories import make_tiny_plan

TODAY = dt.date(2026, 12, 6)
SYSTEM = Actor(name="test")


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


def fcr(session: Session) -> Metric:
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def value_of(session: Session, period: dt.date) -> Measurement:
    return session.exec(select(Measurement).where(Measurement.period == period)).one()


def history_of(session: Session, row: Measurement) -> list[tuple[str, int | None, dict]]:
    entries = session.exec(
        select(HistoryEntry)
        .where(
            HistoryEntry.subject_type == SubjectType.measurement, HistoryEntry.subject_id == row.id
        )
        .order_by(col(HistoryEntry.id))
    ).all()
    out = []
    for entry in entries:
        fields = session.exec(select(HistoryField).where(HistoryField.entry_id == entry.id)).all()
        out.append(
            (entry.action, entry.version_after, {f.field: (f.before, f.after) for f in fields})
        )
    return out


def test_each_value_of_a_batch_has_its_own_history_entry_before_and_after(
    session: Session, plan: Plan
) -> None:
    corrected = [dt.date(2024, 6, 1), dt.date(2025, 6, 1)]
    before = {p: value_of(session, p).value for p in corrected}
    new = [dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)]
    cells = [Cell("FCR", f"{p:%Y-%m}", str(before[p] + 1), note="Recounted.") for p in corrected]
    cells += [Cell("FCR", f"{p:%Y-%m}", str(60 + i)) for i, p in enumerate(new)]
    batches.record_measurements(session=session, plan=plan, cells=cells, actor=SYSTEM, today=TODAY)
    session.commit()
    session.expire_all()
    for p in corrected:
        row = value_of(session, p)
        assert (row.value, row.version, row.note) == (before[p] + 1, 2, "Recounted.")
        assert history_of(session, row)[-1] == (
            "update",
            2,
            {"value": (before[p], before[p] + 1), "note": ("", "Recounted.")},
        )
    for i, p in enumerate(new):
        row = value_of(session, p)
        assert history_of(session, row) == [
            (
                "create",
                1,
                {"period": (None, p.isoformat()), "value": (None, 60 + i), "note": (None, "")},
            )
        ]


def test_an_archived_value_is_brought_back_by_a_batch_as_by_a_single_entry(
    session: Session, plan: Plan
) -> None:
    period = dt.date(2025, 6, 1)
    row = value_of(session, period)
    void_measurement(
        session=session,
        measurement=row,
        data=MeasurementVoid(version=row.version, reason="Typo."),
        actor=SYSTEM,
    )
    session.commit()
    old = row.value
    result = batches.record_measurements(
        session=session, plan=plan, cells=[Cell("FCR", "2025-06", "77")], actor=SYSTEM, today=TODAY
    )
    session.commit()
    session.expire_all()
    row = value_of(session, period)
    assert [c.period for c in result.created] == ["2025-06"]
    assert (row.value, row.archived_at, row.void_reason) == (77, None, "")
    action, version, fields = history_of(session, row)[-1]
    assert (action, version) == ("restore", row.version)
    assert fields["value"] == (old, 77) and fields["void_reason"] == ("Typo.", "")


def test_a_value_saved_between_the_batchs_read_and_its_write_is_a_stale_edit(
    session: Session, plan: Plan
) -> None:
    metric = fcr(session)
    rows = [value_of(session, dt.date(2024, 6, 1)), value_of(session, dt.date(2025, 6, 1))]
    saves = [
        metrics.measurement_save(
            plan=plan,
            metric=metric,
            data=MeasurementIn(period=r.period, value=r.value + 1, version=r.version),
            existing=r,
            actor=SYSTEM,
        )
        for r in rows
    ]
    # Someone else saves the second value after the batch read it (its object still says 1).
    session.execute(
        update(Measurement)
        .where(col(Measurement.id) == rows[1].id)
        .values(value=50, version=rows[1].version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict) as refused:
        save_many(session=session, actor=SYSTEM, saves=saves)
    assert refused.value.current["version"] == 2 and refused.value.current["value"] == 50
    session.rollback()
    session.expire_all()
    assert [value_of(session, r.period).version for r in rows] == [1, 1]
