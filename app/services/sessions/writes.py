"""Every write of a performance session: schedule, edit and close it; record its decisions and
action items; change an action item. Each is checked by `require` (coordinators and
administrators hold sessions; a lead changes only their own department's action item), saved
through changes.editing (a stale version is refused with the newer value) and recorded in the
history with its before and after."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import (
    ActionItem,
    Department,
    HistoryAction,
    PerformanceSession,
    SessionDecision,
)
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.models.sessions import (
    ActionItemCreate,
    ActionItemUpdate,
    DecisionCreate,
    LinkKind,
    SessionClose,
    SessionCreate,
    SessionStatus,
    SessionUpdate,
)
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor, record_change
from app.services.errors import FieldProblem, NotFound, ValidationFailed
from app.services.sessions.links import linked_plan_id, plans_in_scope
from app.services.sessions.pack import build_pack
from app.services.sessions.scope import Scope, check_scope, previous_session, scope_plans

SESSION = "performance session"
ACTION = "action item"


def session_label(held: PerformanceSession) -> str:
    return f"Session {held.held_on.isoformat()}: {held.title}"[:400]


def action_label(item: ActionItem) -> str:
    return f"Action item: {item.what}"[:400]


def get_session(session: Session, session_id: int) -> PerformanceSession:
    held = session.get(PerformanceSession, session_id)
    if held is None or held.archived_at is not None:
        raise NotFound(f"No performance session with id {session_id}.")
    return held


def get_action_item(session: Session, item_id: int) -> ActionItem:
    item = session.get(ActionItem, item_id)
    if item is None or item.archived_at is not None:
        raise NotFound(f"No action item with id {item_id}.")
    return item


def history_plan_id(
    session: Session, held: PerformanceSession, scope: Scope | None = None
) -> int | None:
    """The plan a session's history entries are filed under: the one plan its scope names
    (directly or through its focus areas), else none. A session over several plans, or the
    whole organisation, belongs to no one plan: its entries stay organisation-wide."""
    plans = scope_plans(session, scope or Scope.of(held))
    return next(iter(plans)) if len(plans) == 1 else None


def _merged_scope(held: PerformanceSession, changes: dict[str, Any]) -> Scope:
    """The scope `held` has once `changes` are saved."""
    return Scope(
        tuple(changes.get("plan_ids", held.plan_ids)),
        tuple(changes.get("department_ids", held.department_ids)),
        tuple(changes.get("focus_area_ids", held.focus_area_ids)),
    )


def _organization(actor: Actor, organization_id: int | None) -> int:
    if organization_id is None:
        raise ValidationFailed(
            [FieldProblem("organization", "sessions belong to an organisation; you have none")]
        )
    return organization_id


def _created(
    session: Session,
    actor: Actor,
    kind: SubjectType,
    item: Any,
    label: str,
    values: dict,
    plan_id: int | None,
) -> None:
    record_change(
        session=session,
        actor=actor,
        subject_type=kind,
        subject_id=item.id,
        action=HistoryAction.create,  # type: ignore[arg-type]
        changes={k: (None, v) for k, v in values.items() if v not in (None, "", [])},
        label=label,
        plan_id=plan_id,
        organization_id=item.organization_id,
        version_after=item.version,
    )


def schedule_session(
    *, session: Session, organization_id: int | None, data: SessionCreate, actor: Actor
) -> PerformanceSession:
    org = _organization(actor, organization_id)
    held = PerformanceSession(organization_id=org, **data.model_dump())
    require(session, actor, Action.hold_session, held, kind=SESSION)
    scope = Scope(tuple(data.plan_ids), tuple(data.department_ids), tuple(data.focus_area_ids))
    problems = check_scope(session, org, scope)
    problems += _check_follows(session, org, data.follows_id)
    if problems:
        raise ValidationFailed(problems)
    if data.follows_id is None:
        before = previous_session(session, organization_id=org, held_on=data.held_on, scope=scope)
        held.follows_id = before.id if before else None
    session.add(held)
    session.flush()
    values = {**data.model_dump(), "follows_id": held.follows_id}
    plan_id = history_plan_id(session, held)
    _created(session, actor, SubjectType.session, held, session_label(held), values, plan_id)
    return held


def _check_follows(
    session: Session, org: int, follows_id: int | None, *, own_id: int | None = None
) -> list[FieldProblem]:
    if follows_id is None:
        return []
    other = session.get(PerformanceSession, follows_id)
    if other is None or other.organization_id != org or other.archived_at is not None:
        return [FieldProblem("follows_id", "no such session in this organisation")]
    if follows_id == own_id:
        return [FieldProblem("follows_id", "a session cannot follow itself")]
    return []


def _require_open(held: PerformanceSession, field: str = "status") -> None:
    if held.status == SessionStatus.closed:
        raise ValidationFailed(
            [FieldProblem(field, "this session is closed: its pack and outcomes are frozen")]
        )


def update_session(
    *,
    session: Session,
    held: PerformanceSession,
    data: SessionUpdate,
    actor: Actor,
    follows_previous: bool = False,
) -> PerformanceSession:
    """`follows_previous`: a `follows_id` left out or null means the previous session in the
    changed scope (as when it was scheduled: the edit page's blank choice), not "none"."""
    require(session, actor, Action.hold_session, held, kind=SESSION)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    _require_open(held)
    if follows_previous and changes.get("follows_id") is None:
        changes["follows_id"] = _previous_id(session, held, changes)
    scope = Scope(
        tuple(changes.get("plan_ids") or ()),
        tuple(changes.get("department_ids") or ()),
        tuple(changes.get("focus_area_ids") or ()),
    )
    problems = check_scope(session, held.organization_id, scope)
    problems += _check_follows(
        session, held.organization_id, changes.get("follows_id"), own_id=held.id
    )
    if problems:
        raise ValidationFailed(problems)
    save_changes(
        session=session,
        item=held,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.session,
        label=session_label(held),
        plan_id=history_plan_id(session, held, _merged_scope(held, changes)),
        organization_id=held.organization_id,
    )
    return held


def _previous_id(session: Session, held: PerformanceSession, changes: dict[str, Any]) -> int | None:
    before = previous_session(
        session,
        organization_id=held.organization_id,
        held_on=changes.get("held_on") or held.held_on,
        scope=_merged_scope(held, changes),
        exclude_id=held.id,
    )
    return before.id if before else None


def close_session(
    *, session: Session, held: PerformanceSession, data: SessionClose, actor: Actor
) -> PerformanceSession:
    """Freeze the pack as it stands now (live data) and close the session."""
    require(session, actor, Action.hold_session, held, kind=SESSION)
    if held.version != data.version:
        save_changes(  # raises the stale-edit refusal with the newer value
            session=session,
            item=held,
            expected_version=data.version,
            changes={"status": SessionStatus.closed.value},
            actor=actor,
            subject_type=SubjectType.session,
            label=session_label(held),
            plan_id=history_plan_id(session, held),
            organization_id=held.organization_id,
        )
    _require_open(held)
    now = utcnow()
    pack = build_pack(session, held, now=now)
    save_changes(
        session=session,
        item=held,
        expected_version=data.version,
        changes={"status": SessionStatus.closed.value},
        extra_values={"pack": pack, "closed_at": now},
        actor=actor,
        subject_type=SubjectType.session,
        label=session_label(held),
        plan_id=history_plan_id(session, held),
        organization_id=held.organization_id,
        note="Closed: its pack is frozen as presented.",
    )
    return held


def add_decision(
    *, session: Session, held: PerformanceSession, data: DecisionCreate, actor: Actor
) -> SessionDecision:
    require(session, actor, Action.hold_session, held, kind=SESSION)
    decision = SessionDecision(session_id=held.id, text=data.text)  # type: ignore[arg-type]
    session.add(decision)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.decision,
        subject_id=decision.id,  # type: ignore[arg-type]
        action=HistoryAction.create,  # type: ignore[arg-type]
        changes={"text": (None, data.text), "session_id": (None, held.id)},
        label=f"Decision of {session_label(held)}"[:400],
        plan_id=history_plan_id(session, held),
        organization_id=held.organization_id,
        version_after=decision.version,
    )
    return decision


def _check_action(
    session: Session, held: PerformanceSession, data: ActionItemCreate
) -> list[FieldProblem]:
    problems = []
    dept = session.get(Department, data.department_id)
    org = held.organization_id
    if dept is None or dept.organization_id != org or dept.archived_at is not None:
        problems.append(FieldProblem("department_id", "no such department in this organisation"))
    if (data.link_kind is None) != (data.link_id is None):
        field = "link_id" if data.link_id is None else "link_kind"
        problems.append(FieldProblem(field, "give both what the item links to and its id"))
    elif data.link_kind is not None and data.link_id is not None:
        plan_id = linked_plan_id(session, data.link_kind, data.link_id)
        if plan_id not in {p.id for p in plans_in_scope(session, held)}:
            kind = data.link_kind.value.replace("_", " ")
            problems.append(
                FieldProblem("link_id", f"no such {kind} in the plans of this session's scope")
            )
    return problems


def _action_plan_id(
    session: Session, held: PerformanceSession | None, item: ActionItem
) -> int | None:
    """An action item's entries: under its linked item's plan, else its session's."""
    if item.link_kind is not None and item.link_id is not None:
        return linked_plan_id(session, LinkKind(item.link_kind), item.link_id)
    return history_plan_id(session, held) if held is not None else None


def add_action_item(
    *, session: Session, held: PerformanceSession, data: ActionItemCreate, actor: Actor
) -> ActionItem:
    require(session, actor, Action.hold_session, held, kind=SESSION)
    problems = _check_action(session, held, data)
    if problems:
        raise ValidationFailed(problems)
    item = ActionItem(
        organization_id=held.organization_id,
        session_id=held.id,  # type: ignore[arg-type]
        **data.model_dump(),
    )
    session.add(item)
    session.flush()
    values = {**data.model_dump(), "session_id": held.id, "status": item.status}
    plan_id = _action_plan_id(session, held, item)
    _created(session, actor, SubjectType.action_item, item, action_label(item), values, plan_id)
    return item


def update_action_item(
    *, session: Session, item: ActionItem, data: ActionItemUpdate, actor: Actor
) -> ActionItem:
    """Its status and note: the owner department's lead, coordinators and administrators.
    Its wording and due date: coordinators and administrators."""
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    require(session, actor, Action.progress, item, kind=ACTION)
    if set(changes) - {"status", "note"}:
        require(session, actor, Action.hold_session, item, kind=ACTION)
    if not changes and item.version == data.version:
        raise ValidationFailed([FieldProblem("status", "send at least one field to change")])
    save_changes(
        session=session,
        item=item,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.action_item,
        label=action_label(item),
        plan_id=_action_plan_id(session, session.get(PerformanceSession, item.session_id), item),
        organization_id=item.organization_id,
    )
    return item
