"""Reading performance sessions and action items: they are the organisation's (their packs hold
internal narratives), read by its signed-in people; anyone else is told the session does not
exist. A closed session's pack is read from its frozen copy, an open one's built live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    ActionItem,
    Department,
    Organization,
    PerformanceSession,
    SessionDecision,
    User,
)
from app.models.base import is_live
from app.models.sessions import ACTION_OPEN, SessionStatus
from app.services.accounts.permissions import is_installation_admin, same_organization
from app.services.errors import FieldProblem, NotAuthenticated, NotFound, ValidationFailed
from app.services.sessions.pack import build_pack
from app.services.sessions.writes import get_action_item, get_session


def require_member(user: User | None) -> User:
    if user is None or not user.active:
        raise NotAuthenticated("Sign in to see performance sessions.")
    return user


def organization_for(session: Session, user: User | None, slug: str) -> int:
    """The organisation a form names by slug; blank: the reader's own."""
    member = require_member(user)
    slug = slug.strip()
    if not slug and member.organization_id is not None:
        return member.organization_id
    found = session.exec(select(Organization.id).where(Organization.slug == slug)).first()
    if found is None:
        raise ValidationFailed([FieldProblem("organization", "choose an organisation")])
    return found


def readable_session(session: Session, user: User | None, session_id: int) -> PerformanceSession:
    member = require_member(user)
    held = get_session(session, session_id)
    if not same_organization(member, held.organization_id):
        raise NotFound(f"No performance session with id {session_id}.")
    return held


def readable_action_item(session: Session, user: User | None, item_id: int) -> ActionItem:
    member = require_member(user)
    item = get_action_item(session, item_id)
    if not same_organization(member, item.organization_id):
        raise NotFound(f"No action item with id {item_id}.")
    return item


def _own(column: Any, user: User) -> Any:
    if is_installation_admin(user) and user.organization_id is None:
        return col(column).is_not(None)
    return col(column) == user.organization_id


def list_sessions(session: Session, user: User | None) -> list[PerformanceSession]:
    member = require_member(user)
    return list(
        session.exec(
            select(PerformanceSession)
            .where(_own(PerformanceSession.organization_id, member), is_live(PerformanceSession))
            .order_by(col(PerformanceSession.held_on).desc(), col(PerformanceSession.id).desc())
        ).all()
    )


@dataclass
class ActionRow:
    item: ActionItem
    department: Department
    raised_by: PerformanceSession

    @property
    def is_open(self) -> bool:
        return self.item.status in ACTION_OPEN


def _action_rows(session: Session, *conditions: Any) -> list[ActionRow]:
    return [
        ActionRow(item, dept, held)
        for item, dept, held in session.exec(
            select(ActionItem, Department, PerformanceSession)
            .join(Department, col(Department.id) == col(ActionItem.department_id))
            .join(PerformanceSession, col(PerformanceSession.id) == col(ActionItem.session_id))
            .where(is_live(ActionItem), *conditions)
            .order_by(col(ActionItem.due_on), col(ActionItem.id))
        ).all()
    ]


def list_action_items(
    session: Session,
    user: User | None,
    *,
    status: str = "",
    department_id: int | None = None,
) -> list[ActionRow]:
    """The organisation's action items; `status` "open" means still owed (open or in progress)."""
    member = require_member(user)
    conditions = [_own(ActionItem.organization_id, member)]
    if status == "owed":
        conditions.append(col(ActionItem.status).in_(ACTION_OPEN))
    elif status:
        conditions.append(col(ActionItem.status) == status)
    if department_id is not None:
        conditions.append(col(ActionItem.department_id) == department_id)
    return _action_rows(session, *conditions)


def department_action_items(session: Session, department_ids: list[int]) -> list[ActionRow]:
    """The action items My work shows: still owed, by the departments whose work it shows."""
    if not department_ids:
        return []
    return _action_rows(
        session,
        col(ActionItem.department_id).in_(department_ids),
        col(ActionItem.status).in_(ACTION_OPEN),
    )


@dataclass
class SessionPage:
    held: PerformanceSession
    pack: dict[str, Any]
    frozen: bool
    decisions: list[SessionDecision]
    actions: list[ActionRow]
    follows: PerformanceSession | None


def pack_of(session: Session, held: PerformanceSession) -> dict[str, Any]:
    """The frozen pack of a closed session, exactly as stored; an open one's built now."""
    if held.status == SessionStatus.closed and held.pack is not None:
        return held.pack
    return build_pack(session, held)


def session_page(session: Session, held: PerformanceSession) -> SessionPage:
    decisions = list(
        session.exec(
            select(SessionDecision)
            .where(SessionDecision.session_id == held.id, is_live(SessionDecision))
            .order_by(col(SessionDecision.id))
        ).all()
    )
    return SessionPage(
        held=held,
        pack=pack_of(session, held),
        frozen=held.status == SessionStatus.closed,
        decisions=decisions,
        actions=_action_rows(session, col(ActionItem.session_id) == held.id),
        follows=session.get(PerformanceSession, held.follows_id) if held.follows_id else None,
    )
