"""Requesting an update (issue 13): a coordinator (or an administrator) asks an item's department's
leads for an update on a strategy, quick win or metric, with a message.

The request is stored and recorded in the history; it is open (on the leads' My work and the
item's page) until someone records a progress update on the item (a strategy's or quick win's
progress update, a value for a metric: `answer_requests`, called by those writes) or the
coordinator withdraws it (`withdraw_request`, naming the version, so a request answered meanwhile
is not withdrawn over it).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models import HistoryAction, Metric, Plan, QuickWin, Strategy, UpdateRequest
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.models.update_request import UpdateRequestCreate, UpdateRequestWithdraw
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor, record_change
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.reading.update_requests import MODELS, item_label, subject_kind

Item = Strategy | QuickWin | Metric


def get_item(session: Session, kind: str, item_id: int) -> Item:
    """The live strategy, quick win or metric an update can be requested on (404 otherwise)."""
    model = MODELS.get(kind)
    item = session.get(model, item_id) if model is not None else None
    if item is None or item.archived_at is not None:
        raise NotFound(f"No {kind.replace('_', ' ')} with id {item_id}.")
    return item


def not_found(request_id: int) -> None:
    raise NotFound(f"No update request with id {request_id}.")


def get_request(session: Session, request_id: int) -> UpdateRequest:
    found = session.get(UpdateRequest, request_id)
    if found is None:
        not_found(request_id)
    assert found is not None
    return found


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    assert plan is not None
    return plan


def _kind_word(plan: Plan, item: Item) -> str:
    if isinstance(item, Strategy):
        return plan.term("strategy").lower()
    return "quick win" if isinstance(item, QuickWin) else "metric"


def request_update(
    *, session: Session, item: Item, data: UpdateRequestCreate, actor: Actor
) -> UpdateRequest:
    """Ask `item`'s department's leads for an update, with `data.message`."""
    plan = _plan(session, item.plan_id)
    word = _kind_word(plan, item)
    require(session, actor, Action.request_update, item, kind=word)
    if item.department_id is None:
        raise ValidationFailed.one(
            "department", f"this {word} has no owning department whose leads could answer"
        )
    row = UpdateRequest(
        plan_id=plan.id,  # type: ignore[arg-type]
        subject_type=subject_kind(item),
        subject_id=item.id,  # type: ignore[arg-type]
        department_id=item.department_id,
        message=data.message,
        requested_by_id=actor.user_id,
        requested_by_name=actor.label,
        requested_at=utcnow(),
    )
    session.add(row)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.update_request,
        subject_id=row.id,  # type: ignore[arg-type]
        action=HistoryAction.create,
        changes={"message": (None, row.message), "item": (None, item_label(plan, item))},
        note=f"Update requested on {item_label(plan, item)}: {row.message}",
        label=f"Update request: {item_label(plan, item)}",
        plan_id=plan.id,
        organization_id=plan.organization_id,
        version_after=row.version,
    )
    return row


def _closed_refusal(row: UpdateRequest) -> Conflict:
    how = (
        f"answered by {row.answered_by_name or 'someone'} ({row.answered_with})"
        if row.answered_at is not None
        else f"withdrawn by {row.withdrawn_by_name or 'someone'}"
    )
    return Conflict(
        f"This request is already closed: {how}.",
        current={"version": row.version, "answered_at": _iso(row.answered_at),
                 "withdrawn_at": _iso(row.withdrawn_at)},
    )  # fmt: skip


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def withdraw_request(
    *, session: Session, request: UpdateRequest, data: UpdateRequestWithdraw, actor: Actor
) -> UpdateRequest:
    """The coordinator takes the request back (it leaves the leads' My work)."""
    plan = _plan(session, request.plan_id)
    item = session.get(MODELS[request.subject_type], request.subject_id)
    assert item is not None
    require(session, actor, Action.request_update, item, kind=_kind_word(plan, item))
    if not request.is_open and request.version == data.version:
        raise _closed_refusal(request)
    save_changes(
        session=session,
        item=request,
        expected_version=data.version,
        changes={"withdrawn_at": utcnow(), "withdrawn_by_name": actor.label},
        actor=actor,
        subject_type=SubjectType.update_request,
        label=f"Update request: {item_label(plan, item)}",
        plan_id=plan.id,
        organization_id=plan.organization_id,
        note="Withdrawn",
    )
    return request


def answer_requests(
    *,
    session: Session,
    kind: str,
    item_ids: Sequence[int],
    actor: Actor,
    answered_with: str,
) -> int:
    """Close the open requests on these items: a progress update (or a value) answered them.
    Called by the writes that record one, in their transaction. Returns how many closed."""
    rows = list(
        session.exec(
            select(UpdateRequest).where(
                UpdateRequest.subject_type == kind,
                col(UpdateRequest.subject_id).in_(list(item_ids)),
                col(UpdateRequest.answered_at).is_(None),
                col(UpdateRequest.withdrawn_at).is_(None),
            )
        )
    )
    if not rows:
        return 0
    plans = {r.plan_id: _plan(session, r.plan_id) for r in rows}
    for row in rows:
        plan = plans[row.plan_id]
        item = session.get(MODELS[row.subject_type], row.subject_id)
        assert item is not None
        save_changes(
            session=session,
            item=row,
            expected_version=row.version,
            changes={
                "answered_at": utcnow(),
                "answered_by_id": actor.user_id,
                "answered_by_name": actor.label,
                "answered_with": answered_with[:200],
            },
            actor=actor,
            subject_type=SubjectType.update_request,
            label=f"Update request: {item_label(plan, item)}",
            plan_id=plan.id,
            organization_id=plan.organization_id,
            note=f"Answered with {answered_with}",
        )
    return len(rows)
