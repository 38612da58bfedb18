"""A performance session's pack: built from live data by the review's read models (so statuses
are the review's, never derived again here), as plain JSON values, so the very same structure is
rendered live and, once the session is closed, from the frozen copy in the database.

For each focus area in scope: its headline status with why, the distribution of its strategies'
statuses, mean progress, narratives, the stale and overdue strategies with their owners, the
off-target metrics with their reasons; then the plan-level off-target metrics, what changed since
the previous session (services.sessions.pack_changes), and the action items still open from
earlier sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from app.models import ActionItem, Department, Organization, PerformanceSession, Strategy, User
from app.models.enums import Role
from app.models.sessions import ACTION_OPEN
from app.services.reading.zones import organization_zone
from app.services.rules import clock, rollup
from app.services.rules.local_time import local_date
from app.services.sessions.links import link_labels
from app.services.sessions.pack_changes import changes_in_window, window
from app.services.sessions.pack_charts import chart_points
from app.services.sessions.scope import Scope, scope_words
from app.services.views.review.focus_areas import ReviewFilters, ReviewRow, load_review
from app.services.views.review.metrics import ReviewMetric

# 2: off-target metrics carry their chart's points ("chart"), changes their focus area; the
# organisation's name, the scope's names and the session's action items' links are kept (a
# closed session's book as presented).
PACK_FORMAT = 2


def _reviewer(organization_id: int) -> User:
    """The pack is the organisation's, whoever opens it: it is built as its coordinator sees it."""
    return User(organization_id=organization_id, role=Role.coordinator, active=True, username="")


def _metric(m: ReviewMetric) -> dict[str, Any]:
    return {
        "metric_id": m.metric.id,
        "code": m.metric.code,
        "name": m.metric.name,
        "status": m.status.code,
        "label": m.status.label,
        "reason": m.status.reason,
    }


def _row(row: ReviewRow, department: Department | None, names: dict[int, str]) -> dict[str, Any]:
    plan = row.plan
    owner_of_plan = names.get(plan.owning_department_id or 0, "")
    late = []
    for rs in row.strategies:
        if rs.status.code in ("stale", "overdue"):
            owner = names.get(rs.strategy.department_id or 0, owner_of_plan)
            late.append(
                {
                    "strategy_id": rs.strategy.id,
                    "code": rs.strategy.code,
                    "title": rs.strategy.title,
                    "status": rs.status.code,
                    "label": rs.status.label,
                    "reason": rs.status.reason,
                    "owner": owner or "no owning department",
                }
            )
    return {
        "plan": plan.title,
        "plan_slug": plan.slug,
        "focus_area_id": row.focus_area.id,
        "code": row.focus_area.code or "",
        "title": row.focus_area.title,
        "term": plan.term("focus_area"),
        "department": department.name if department else "",
        "headline": row.rollup.headline,
        "headline_label": row.rollup.headline_label,
        "why": row.rollup.why,
        "total": row.rollup.total,
        "mean_progress": row.rollup.mean_progress,
        "distribution": [
            {"status": code, "label": rollup.label(code), "count": count}
            for code, count in row.rollup.distribution.items()
            if count
        ],
        "narrative": row.focus_area.narrative,
        "strategy_narratives": [],
        "late": late,
        "off_target": [_metric(m) for m in row.off_target],
        "off_target_count": row.off_target_count,
        "changes_since": row.changes_since,
    }


def _in_scope(row: ReviewRow, scope: Scope) -> bool:
    if scope.focus_area_ids and row.focus_area.id in scope.focus_area_ids:
        return True
    if scope.plan_ids:
        return row.plan.id in scope.plan_ids
    return not scope.focus_area_ids


def _open_actions(session: Session, held: PerformanceSession) -> list[dict[str, Any]]:
    """The organisation's action items not done nor dropped, raised by earlier sessions."""
    rows = session.exec(
        select(ActionItem, PerformanceSession, Department)
        .join(PerformanceSession, col(PerformanceSession.id) == col(ActionItem.session_id))
        .join(Department, col(Department.id) == col(ActionItem.department_id))
        .where(
            ActionItem.organization_id == held.organization_id,
            col(ActionItem.status).in_(ACTION_OPEN),
            col(ActionItem.archived_at).is_(None),
            col(ActionItem.session_id) != held.id,
            col(PerformanceSession.held_on) <= held.held_on,
        )
        .order_by(col(ActionItem.due_on), col(ActionItem.id))
    ).all()
    return [
        {
            "id": item.id,
            "what": item.what,
            "department": dept.name,
            "due_on": item.due_on.isoformat() if item.due_on else None,
            "status": item.status,
            "session_title": raised.title,
            "session_held_on": raised.held_on.isoformat(),
        }
        for item, raised, dept in rows
        if raised.held_on < held.held_on or (raised.id or 0) < (held.id or 0)
    ]


def build_pack(
    session: Session, held: PerformanceSession, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The pack of `held` from live data, as JSON-ready values."""
    now = now or clock.clock()
    scope = Scope.of(held)
    previous = session.get(PerformanceSession, held.follows_id) if held.follows_id else None
    zone = organization_zone(session, held.organization_id)
    since, until = window(previous.held_on if previous else None, held.held_on, zone=zone)
    reviewer = _reviewer(held.organization_id)
    departments = (
        list(
            session.exec(
                select(Department).where(col(Department.id).in_(scope.department_ids))
            ).all()
        )
        if scope.department_ids
        else []
    )
    reviews = []
    for department in departments or [None]:
        filters = ReviewFilters(
            since=local_date(since, zone), department=department.code if department else ""
        )
        reviews.append(
            (department, load_review(session=session, user=reviewer, filters=filters, now=now))
        )
    names = {d.id: d.name for d in reviews[0][1].departments if d.id is not None}
    rows = [
        _row(row, department, names)
        for department, review in reviews
        for row in review.rows
        if _in_scope(row, scope)
    ]
    _add_strategy_narratives(session, rows, reviews)
    plans_shown = {r["plan_slug"] for r in rows}
    review = reviews[0][1]
    plan_ids = {p.id for p in review.plans if p.slug in plans_shown and p.id is not None}
    plan_ids |= set(scope.plan_ids)
    metric_groups = [
        {
            "plan": group.plan.title,
            "measures": group.measures,
            "metrics": [_metric(m) for m in group.metrics],
        }
        for _, r in reviews[:1]
        for group in r.metric_groups
        if group.plan.id in plan_ids and not scope.department_ids
    ]
    _add_charts(session, reviews, rows, metric_groups)
    changes = changes_in_window(
        session,
        plan_ids=plan_ids,
        since=since,
        until=until,
        focus_area_ids=set(scope.focus_area_ids) if scope.focus_area_ids else None,
        department_ids=set(scope.department_ids) if scope.department_ids else None,
        plan_wide=set(scope.plan_ids),
    )
    organization = session.get(Organization, held.organization_id)
    return {
        "format": PACK_FORMAT,
        "built_at": now.isoformat(),
        "session": {"title": held.title, "held_on": held.held_on.isoformat()},
        "organization": organization.name if organization else "",
        "scope": scope_words(session, scope),
        "follows": {
            "id": previous.id,
            "title": previous.title,
            "held_on": previous.held_on.isoformat(),
        }
        if previous
        else None,
        "since": since.isoformat(),
        "since_day": local_date(since, zone).isoformat(),  # the window's first day, locally
        "until": until.isoformat(),
        "focus_areas": rows,
        "metric_groups": metric_groups,
        "changes": changes["entries"],
        "more_changes": changes["more"],
        "open_actions": _open_actions(session, held),
        "links": _own_links(session, held),
    }


def _own_links(session: Session, held: PerformanceSession) -> dict[str, str]:
    """What the session's own action items are linked to, in words as they stand (by item id,
    as JSON keys): a closed session's book names them as they were presented."""
    own = session.exec(select(ActionItem).where(ActionItem.session_id == held.id)).all()
    return {str(k): v for k, v in link_labels(session, own).items()}


def _add_strategy_narratives(session: Session, rows: list[dict[str, Any]], reviews: list) -> None:
    """Each row's strategies' narratives (the review reads none: one query for all)."""
    wanted: dict[int, list[int]] = {}
    for _department, review in reviews:
        for row in review.rows:
            wanted.setdefault(row.focus_area.id or 0, []).extend(
                rs.strategy.id for rs in row.strategies
            )
    ids = {sid for sids in wanted.values() for sid in sids}
    texts = {
        sid: (code, title, text)
        for sid, code, title, text in session.exec(
            select(Strategy.id, Strategy.code, Strategy.title, Strategy.narrative).where(
                col(Strategy.id).in_(ids), col(Strategy.narrative) != ""
            )
        ).all()
    }
    for row in rows:
        row["strategy_narratives"] = [
            {"code": texts[sid][0], "title": texts[sid][1], "text": texts[sid][2]}
            for sid in dict.fromkeys(wanted.get(row["focus_area_id"], []))
            if sid in texts
        ]


def _add_charts(
    session: Session,
    reviews: list,
    rows: list[dict[str, Any]],
    metric_groups: list[dict[str, Any]],
) -> None:
    """Each off-target metric's chart points (kept in the pack, so a frozen pack draws them)."""
    facts = {
        m.metric.id: m.metric
        for _department, review in reviews
        for metrics in (
            *(row.off_target for row in review.rows),
            *(group.metrics for group in review.metric_groups),
        )
        for m in metrics
    }
    shown = [m for row in rows for m in row["off_target"]]
    shown += [m for group in metric_groups for m in group["metrics"]]
    wanted = [facts[i] for i in dict.fromkeys(m["metric_id"] for m in shown) if i in facts]
    charts = chart_points(session, wanted)
    for m in shown:
        m["chart"] = charts.get(m["metric_id"])
