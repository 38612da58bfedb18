"""Internal narratives and notes in the API's answers: as stored for readers who may see them
(`permissions.can_read_internal`), null for anyone else, above all anonymous readers of a published
plan. Every answer carrying a strategy, quick win, focus area or measurement passes through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from app.models import Measurement, Metric, Plan, User
from app.routes.api.schemas import _Read
from app.services.accounts.permissions import can_read_internal

R = TypeVar("R", bound=_Read)


def sees_internal(session: Session, user: User | None, plan_id: int) -> bool:
    plan = session.get(Plan, plan_id)  # from the identity map once loaded: no query per row
    return plan is not None and can_read_internal(user, plan)


def _plan_id(read: Any) -> int:
    return int(read.plan_id)


def for_reader(
    session: Session,
    user: User | None,
    reads: list[R],
    plan_id_of: Callable[[R], int] = _plan_id,
) -> list[R]:
    """`reads` with their internal fields nulled where the reader may not see them."""
    allowed: dict[int, bool] = {}
    out = []
    for read in reads:
        plan_id = plan_id_of(read)
        if plan_id not in allowed:
            allowed[plan_id] = sees_internal(session, user, plan_id)
        out.append(read if allowed[plan_id] else read.without_internal())
    return out


def one_for_reader(session: Session, user: User | None, read: R) -> R:
    return for_reader(session, user, [read])[0]


def measurements_for_reader(
    session: Session, user: User | None, metric: Metric, reads: list[R]
) -> list[R]:
    return for_reader(session, user, reads, lambda _read: metric.plan_id)


def measurement_for_reader(
    session: Session, user: User | None, measurement: Measurement, read: R
) -> R:
    metric = session.get(Metric, measurement.metric_id)
    assert metric is not None
    return measurements_for_reader(session, user, metric, [read])[0]
