"""Reading update requests (issue 13): what is waiting for a person, for a department, on an
item. Each answer is built in a fixed number of queries (the requests, then their items and plans
by kind), whatever the number of requests.

`open_requests_for_person` is what the reminder digest reads: the open requests waiting for
someone, i.e. a department lead's department's (other roles answer no requests: they ask them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from sqlmodel import Session, col, select

from app.models import (
    Department,
    Metric,
    Organization,
    Plan,
    QuickWin,
    Strategy,
    UpdateRequest,
    User,
)
from app.models.enums import Role, UpdateRequestSubject
from app.services.accounts.permissions import can_read_internal, can_read_plan
from app.services.errors import ValidationFailed

# How a page names each kind in its URLs and anchors ("quick-win-7"), and the model of each.
URL_KINDS: dict[str, str] = {
    UpdateRequestSubject.strategy: "strategy",
    UpdateRequestSubject.quick_win: "quick-win",
    UpdateRequestSubject.metric: "metric",
}
KIND_OF_URL: dict[str, str] = {v: k for k, v in URL_KINDS.items()}
MODELS: dict[str, type[Strategy] | type[QuickWin] | type[Metric]] = {
    UpdateRequestSubject.strategy: Strategy,
    UpdateRequestSubject.quick_win: QuickWin,
    UpdateRequestSubject.metric: Metric,
}


def subject_kind(item: Strategy | QuickWin | Metric) -> str:
    return {Strategy: "strategy", QuickWin: "quick_win", Metric: "metric"}[type(item)]


def item_label(plan: Plan, item: Strategy | QuickWin | Metric) -> str:
    if isinstance(item, Strategy):
        return f"{plan.term('strategy')} {item.code}: {item.title}"
    if isinstance(item, QuickWin):
        topic = f": {item.issue_category}" if item.issue_category else ""
        return f"Quick win {item.number}{topic}"
    return f"Metric {item.code}: {item.name}"


def item_url(plan: Plan, item: Strategy | QuickWin | Metric) -> str:
    """The item's own page (a quick win's card on its plan's board)."""
    if isinstance(item, Strategy):
        return f"/plans/{plan.slug}/strategies/{quote(item.code)}"
    if isinstance(item, Metric):
        return f"/plans/{plan.slug}/scorecard/{quote(item.code)}"
    return f"/plans/{plan.slug}/quick-wins#quick-win-{item.id}"


@dataclass(frozen=True)
class RequestView:
    request: UpdateRequest
    plan: Plan
    item: Strategy | QuickWin | Metric
    label: str
    url: str

    @property
    def key(self) -> str:
        """The item's anchor on My work ("quick-win-7")."""
        return f"{URL_KINDS[self.request.subject_type]}-{self.request.subject_id}"


def views_of(session: Session, rows: list[UpdateRequest], user: User | None) -> list[RequestView]:
    """The requests with their items and plans (one query per kind and one for the plans, run
    even for no requests), leaving out those `user` may not read (requests are internal, as
    narratives are: the plan's organisation's people only)."""
    items: dict[tuple[str, int], Strategy | QuickWin | Metric] = {}
    for kind, model in MODELS.items():
        ids = [r.subject_id for r in rows if r.subject_type == kind]
        for item in session.exec(select(model).where(col(model.id).in_(ids))):
            items[(kind, item.id)] = item  # type: ignore[index]
    plans = {
        p.id: p
        for p in session.exec(select(Plan).where(col(Plan.id).in_({r.plan_id for r in rows})))
    }
    out = []
    for r in rows:
        item = items.get((r.subject_type, r.subject_id))
        plan = plans.get(r.plan_id)
        if item is None or plan is None or item.archived_at is not None:
            continue
        if not (can_read_plan(user, plan) and can_read_internal(user, plan)):
            continue  # requests are internal: the organisation's people only
        out.append(RequestView(r, plan, item, item_label(plan, item), item_url(plan, item)))
    return out


def plan_of(session: Session, item: Strategy | QuickWin | Metric) -> Plan:
    plan = session.get(Plan, item.plan_id)
    assert plan is not None
    return plan


def department_id_of(session: Session, organization: Organization, code: str) -> int | None:
    """The id of the organisation's department `code` ("" for none); 422 for an unknown one."""
    if not code.strip():
        return None
    found = session.exec(
        select(Department.id).where(
            Department.organization_id == organization.id, Department.code == code.strip()
        )
    ).first()
    if found is None:
        raise ValidationFailed.one("department", f"no department '{code}' in this organisation")
    return found


def _open() -> object:
    return col(UpdateRequest.answered_at).is_(None) & col(UpdateRequest.withdrawn_at).is_(None)


def open_requests_for_department(
    session: Session, department_id: int, user: User | None
) -> list[RequestView]:
    """The department's open requests, oldest first."""
    rows = list(
        session.exec(
            select(UpdateRequest)
            .where(UpdateRequest.department_id == department_id, _open())
            .order_by(UpdateRequest.requested_at, UpdateRequest.id)
        )
    )
    return views_of(session, rows, user)


def open_requests_for_person(session: Session, user: User) -> list[RequestView]:
    """The open requests waiting for `user`: their department's, if they lead one (the reminder
    digest reads this). Coordinators and administrators ask for updates rather than answer them;
    an inactive account is waited for by nobody."""
    if not user.active or user.role != Role.lead or user.department_id is None:
        return []
    return open_requests_for_department(session, user.department_id, user)


def requests_for_item(
    session: Session, kind: str, item_id: int, *, include_closed: bool = False
) -> list[UpdateRequest]:
    """An item's requests, newest first (open ones only unless `include_closed`)."""
    query = select(UpdateRequest).where(
        UpdateRequest.subject_type == kind, UpdateRequest.subject_id == item_id
    )
    if not include_closed:
        query = query.where(_open())
    return list(session.exec(query.order_by(col(UpdateRequest.requested_at).desc())))


def list_requests(
    session: Session,
    *,
    organization_id: int,
    user: User | None,
    open_only: bool = True,
    department_id: int | None = None,
    since: dt.datetime | None = None,
) -> list[RequestView]:
    """The organisation's requests for the API list (newest first)."""
    query = (
        select(UpdateRequest)
        .join(Plan, col(Plan.id) == col(UpdateRequest.plan_id))
        .where(Plan.organization_id == organization_id)
    )
    if open_only:
        query = query.where(_open())
    if department_id is not None:
        query = query.where(UpdateRequest.department_id == department_id)
    if since is not None:
        query = query.where(col(UpdateRequest.requested_at) >= since)
    rows = list(
        session.exec(query.order_by(col(UpdateRequest.requested_at).desc(), col(UpdateRequest.id)))
    )
    return views_of(session, rows, user)
