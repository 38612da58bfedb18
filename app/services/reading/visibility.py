"""Who may see one item of the plan store, decided once for every list and lookup.

Every query of services.reading.catalog and work_catalog goes through these, so a plan's items are
listed and found by the same rule, and a single item missing, archived or in a plan the reader may
not see raises NotFound with the same sentence (a 404 never tells an outsider that something
exists). Who may read which plan is services.accounts.permissions' to say.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_, true
from sqlmodel import Session, col, select

from app.models import Metric, Plan, User
from app.models.base import is_live
from app.services.accounts.permissions import (
    administered_plans,
    can_read_internal,
    can_read_plan,
    is_installation_admin,
    readable_plans,
    same_organization,
)
from app.services.errors import NotFound

T = TypeVar("T")


def plan_visible(session: Session, user: User | None, plan_id: int, include_archived: bool) -> bool:
    plan = session.get(Plan, plan_id)
    if plan is None or (plan.archived_at is not None and not include_archived):
        return False
    return can_read_plan(user, plan)


def metrics_shown(internal: bool) -> ColumnElement[bool]:
    """The metrics a reader sees: all when `internal` (the reader `can_read_internal` of the
    plan), else only those not marked internal (anonymous readers, the public site)."""
    return true() if internal else col(Metric.internal).is_(False)


def metric_shown(metric: Metric, internal: bool) -> bool:
    return internal or not metric.internal


def metrics_readable(user: User | None) -> ColumnElement[bool]:
    """`can_read_internal` for metrics of a query joined to Plan: an internal metric is listed
    only for the people of its plan's organisation (and installation administrators)."""
    if user is not None and user.active and is_installation_admin(user):
        return true()
    if user is None or not user.active or user.organization_id is None:
        return col(Metric.internal).is_(False)
    return or_(col(Metric.internal).is_(False), col(Plan.organization_id) == user.organization_id)


def get_readable_metric(
    session: Session, user: User | None, metric_id: int, include_archived: bool = False
) -> Metric:
    """A metric by id; an internal one is not found by anyone outside its organisation."""
    metric = get_plan_item(session, user, Metric, metric_id, "metric", include_archived)
    plan = session.get(Plan, metric.plan_id)
    if metric.internal and (plan is None or not can_read_internal(user, plan)):
        raise NotFound(f"No metric with id {metric_id}.")
    return metric


def shown(row: Any, include_archived: bool) -> bool:
    return row is not None and (include_archived or getattr(row, "archived_at", None) is None)


def archived_listed(
    session: Session, user: User | None, plan_id: int | None, include_archived: bool
) -> bool:
    """Whether `include_archived` holds in plan `plan_id`: another organisation's archived items
    are not found. Reads ask for them only for administrators (`require_see_archived`), so there
    it means the plan's organisation's administrators; a restore finds them for the plan's own
    people and for anonymous requests, which the permission check then refuses with 403 or 401
    (another organisation's people get 404, as for its unpublished plans)."""
    if not include_archived or plan_id is None:
        return False
    plan = session.get(Plan, plan_id)
    return plan is not None and (user is None or same_organization(user, plan.organization_id))


def plan_items(
    model: Any,
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    versioned: bool = True,
) -> Select[Any]:
    query = select(model).join(Plan, col(Plan.id) == model.plan_id).where(readable_plans(user))
    if plan is not None:
        query = query.where(model.plan_id == plan.id)
    live = and_(is_live(Plan), is_live(model)) if versioned else is_live(Plan)
    if include_archived:
        live = or_(live, administered_plans(user))
    return query.where(live)


def get_plan_item(
    session: Session,
    user: User | None,
    model: type[T],
    item_id: int,
    noun: str,
    include_archived: bool = False,
) -> T:
    row: Any = session.get(model, item_id)
    if row is not None:
        include_archived = archived_listed(session, user, row.plan_id, include_archived)
    if not shown(row, include_archived) or not plan_visible(
        session, user, row.plan_id, include_archived
    ):
        raise NotFound(f"No {noun} with id {item_id}.")
    return row  # type: ignore[no-any-return]
