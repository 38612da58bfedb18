"""Voiding a wrong measurement, and the words for a corrected one.

A value that should never have been recorded (the wrong metric, a period that did not happen, a
figure typed ×10) is voided rather than deleted: it leaves the charts and statuses (it is
archived, which every reading of live measurements leaves out) but stays in the metric's
history and on its page, with who voided it and why. The metric's department and coordinators
may void, as they may record. A value recorded again for that period replaces the voided one.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlmodel import Session, col, select

from app.models import HistoryAction, Measurement, Metric, Plan, User
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.models.metric import MeasurementVoid
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor
from app.services.changes.metrics import KIND, metric_label
from app.services.errors import NotFound, ValidationFailed
from app.services.rules.value_text import format_value


def void_measurement(
    *, session: Session, measurement: Measurement, data: MeasurementVoid, actor: Actor
) -> Measurement:
    metric = session.get(Metric, measurement.metric_id)
    plan = session.get(Plan, metric.plan_id) if metric is not None else None
    if metric is None or plan is None or metric.archived_at or plan.archived_at:
        # An archived metric's values are kept as they were when it was archived.
        raise NotFound(f"No measurement with id {measurement.id}.")
    require(session, actor, Action.void_measurement, metric, kind=KIND)
    if measurement.archived_at is not None:
        raise ValidationFailed.one("version", "this measurement is already voided")
    reason = data.reason.strip()
    if not reason:
        raise ValidationFailed.one("reason", "say why this value is voided")
    save_changes(
        session=session,
        item=measurement,
        expected_version=data.version,
        changes={"archived_at": utcnow(), "void_reason": reason},
        actor=actor,
        subject_type=SubjectType.measurement,
        label=f"{metric_label(metric)} ({measurement.period:%Y-%m}): "
        f"{format_value(measurement.value, metric.unit)} voided",
        plan_id=plan.id,
        organization_id=plan.organization_id,
        action=HistoryAction.archive,
        note=reason,
        extra_values={"voided_by_id": actor.user_id},
    )
    return measurement


def correction_words(unit: str, before: float, after: float) -> str:
    """What a correction changed, as the page says it: "was 705%, now 70.5%"."""
    return f"was {format_value(before, unit)}, now {format_value(after, unit)}"


class VoidedMeasurement(NamedTuple):
    """A voided value as a metric's page lists it: what it was, who voided it, when and why."""

    period: dt.date
    value: float
    reason: str
    voided_by: str
    voided_at: dt.datetime | None


def voided_measurements(*, session: Session, metric: Metric) -> list[VoidedMeasurement]:
    """The metric's voided values, newest period first."""
    rows = session.exec(
        select(Measurement, User)
        .join(User, col(User.id) == col(Measurement.voided_by_id), isouter=True)
        .where(Measurement.metric_id == metric.id, col(Measurement.archived_at).is_not(None))
        .order_by(col(Measurement.period).desc(), col(Measurement.id).desc())
    ).all()
    return [
        VoidedMeasurement(
            m.period,
            m.value,
            m.void_reason,
            (u.display_name or u.username) if u is not None else "",
            m.archived_at,
        )
        for m, u in rows
    ]
