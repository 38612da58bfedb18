"""Who may change what: the one place the rules live. The API and the pages both ask here.

- viewers read;
- leads change only the strategies, steps, quick wins and metrics their department owns, and record
  measurements only for those metrics;
- coordinators change status and narrative (progress updates) anywhere in their organisation,
  and build its plans' structure (statements, phases, focus areas, goals, personas, departments);
- organisation administrators (role admin) change everything of their own organisation, and alone
  restore its archived items and manage its users; another organisation's items are as closed to
  them as to anyone of that organisation's outsiders;
- installation administrators (role admin with `is_installation_admin`, set only from the command
  line) run every organisation and everything in it.
System actors (the CLI, imports, seeds) act as the operator of the installation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import Session, col, select

from app.models import (
    ActionItem,
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    Journey,
    Measurement,
    Metric,
    Organization,
    PerformanceSession,
    Persona,
    Phase,
    Plan,
    QuickWin,
    SessionDecision,
    Statement,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.enums import PlanStatus, Role
from app.services.changes.history import Actor
from app.services.errors import NotAuthenticated, PermissionDenied


class Action(StrEnum):
    edit = "edit"  # the item itself: titles, dates, owners, targets…
    progress = "progress"  # status, % progress and narrative
    create = "create"  # add an item under this one (a step under a strategy…)
    archive = "archive"
    restore = "restore"
    record_measurement = "record_measurement"
    # Voiding a wrong value: its department, as for recording, and coordinators too, who watch
    # every figure the council sees and must be able to take a wrong one out of it.
    void_measurement = "void_measurement"
    # The plan's structure (the plan builder): its statements, phases, focus areas, goals,
    # personas and journeys, and the organisation's departments. Coordinators and administrators.
    build = "build"
    # Performance sessions (issue 11): scheduling, editing and closing them, recording their
    # decisions and action items. Coordinators and administrators; a lead changes only the status
    # of an action item their department owns (Action.progress on the item).
    hold_session = "hold_session"
    # Publishing (issue 12): switching a plan's public site on or off is an administrator's
    # (of its organisation); approving or returning a public update is a coordinator's (or an
    # administrator's). Drafting a public update is Action.progress on its item.
    publish_site = "publish_site"
    approve_public = "approve_public"
    # Issue 13: the organisation's settings (time zone, reporting calendar) are its
    # administrators'; requesting (and withdrawing) an update from an item's department is a
    # coordinator's (or an administrator's).
    configure_organization = "configure_organization"
    request_update = "request_update"


@dataclass(frozen=True)
class Ownership:
    organization_id: int
    department_id: int | None
    kind: str  # how the refusal names the item: "recommendation", "quick win"…


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


ALLOWED = Decision(True)


def is_installation_admin(user: User | None) -> bool:
    """An active administrator of the whole installation (every organisation)."""
    return (
        user is not None and user.active and user.role == Role.admin and user.is_installation_admin
    )


def administers(user: User | None, organization_id: int | None) -> bool:
    """An active administrator who runs organisation `organization_id`: its own administrator or
    an installation administrator."""
    if user is None or not user.active or user.role != Role.admin:
        return False
    if user.is_installation_admin:
        return True
    return user.organization_id is not None and user.organization_id == organization_id


def same_organization(user: User | None, organization_id: int | None) -> bool:
    """An active person of organisation `organization_id`, or an installation administrator."""
    if user is None or not user.active:
        return False
    if is_installation_admin(user):
        return True
    return user.organization_id is not None and user.organization_id == organization_id


def decide(user: User | None, action: Action, owner: Ownership, *, dept_name: str = "") -> Decision:
    if user is None:
        return Decision(False, "Sign in to make changes.")
    if not user.active:
        return Decision(False, "This account is deactivated.")
    if is_installation_admin(user):
        return ALLOWED
    if action == Action.restore and user.role != Role.admin:
        return Decision(False, "Only an administrator can restore archived items.")
    if user.organization_id is None or user.organization_id != owner.organization_id:
        return Decision(False, f"This {owner.kind} belongs to another organisation.")
    if user.role == Role.admin:
        return ALLOWED  # an administrator of the item's own organisation
    if action == Action.publish_site:
        return Decision(False, "Only an administrator can switch a plan's public site on or off.")
    if action == Action.configure_organization:
        return Decision(False, "Only an administrator can change the organisation's settings.")
    if user.role == Role.viewer:
        return Decision(False, "Viewers can read the plan but not change it.")
    # Coordinators are the strategy office: they build the plan and keep it (owners, dates,
    # targets, the numbers of any department) across their organisation (issue 10). Only
    # restoring archived items, checked above, stays the administrators'.
    if user.role == Role.coordinator:
        return ALLOWED
    if action == Action.request_update:
        return Decision(
            False,
            "Only a coordinator or an administrator can request an update; leads answer "
            "requests by updating their work.",
        )
    if action == Action.approve_public:
        return Decision(
            False,
            "Only a coordinator or an administrator can approve or send back a public update; "
            "leads draft them.",
        )
    if action == Action.hold_session:
        return Decision(
            False,
            "Only a coordinator or an administrator can run performance sessions and record "
            "their outcomes; leads update the status of their own department's action items.",
        )
    if action == Action.build:
        return Decision(
            False,
            "Only a coordinator or an administrator can change the plan's structure; "
            "leads change their own department's work.",
        )
    # A department lead.
    if owner.department_id is None:
        return Decision(
            False,
            f"This {owner.kind} has no owning department, so only a coordinator or an "
            "administrator can change it.",
        )
    if owner.department_id != user.department_id:
        whose = f"the {dept_name} department" if dept_name else "another department"
        return Decision(
            False,
            f"This {owner.kind} is owned by {whose}; "
            "you can change only your own department's work.",
        )
    return ALLOWED


def manage_users(user: User | None) -> Decision:
    """Creating accounts, changing their roles and deactivating them: administrators only (each
    within what `manage_user` and `create_user_in` allow)."""
    if user is None:
        return Decision(False, "Sign in as an administrator to manage users.")
    if not user.active:
        return Decision(False, "This account is deactivated.")
    if user.role != Role.admin:
        return Decision(False, "Only an administrator can manage users.")
    return ALLOWED


OTHER_ORGANIZATION_USERS = "You manage only the accounts of your own organisation."


def administer_mail(user: User | None, organization_id: int | None) -> Decision:
    """Reading a message of the outbox and retrying it (issue 13): an administrator of the
    organisation it went to; one that went to no organisation, installation administrators."""
    decision = manage_users(user)
    if not decision.allowed or is_installation_admin(user):
        return decision
    assert user is not None
    if organization_id is None or user.organization_id != organization_id:
        return Decision(False, "This message was sent to another organisation's people.")
    return ALLOWED


def manage_user(user: User | None, target: User) -> Decision:
    """Changing `target`'s role or deactivating it: an administrator of its organisation; an
    installation administrator's account only by another installation administrator."""
    decision = manage_users(user)
    if not decision.allowed or is_installation_admin(user):
        return decision
    assert user is not None
    if target.organization_id is None or target.organization_id != user.organization_id:
        return Decision(False, OTHER_ORGANIZATION_USERS)
    if target.is_installation_admin:
        return Decision(
            False,
            "This is an installation administrator's account: only an installation "
            "administrator can change it.",
        )
    return ALLOWED


def edit_account(user: User | None, target: User) -> Decision:
    """Changing `target`'s display name, e-mail address and reminder preference: its owner
    (signed in, so active), or whoever may manage the account (`manage_user`)."""
    if user is not None and user.active and user.id is not None and user.id == target.id:
        return ALLOWED
    return manage_user(user, target)


def create_user_in(user: User | None, organization_id: int | None) -> Decision:
    """Creating an account in organisation `organization_id` (None: in none)."""
    decision = manage_users(user)
    if not decision.allowed or is_installation_admin(user):
        return decision
    assert user is not None
    if organization_id is None or organization_id != user.organization_id:
        return Decision(False, OTHER_ORGANIZATION_USERS)
    return ALLOWED


def manageable_users(user: User | None) -> ColumnElement[bool]:
    """`manage_user`'s reach as a condition on User rows: the accounts an administrator lists."""
    if is_installation_admin(user):
        return true()
    if user is None or user.organization_id is None or not manage_users(user).allowed:
        return false()
    return col(User.organization_id) == user.organization_id


def ownership_of(session: Session, item: object, *, kind: str) -> Ownership:
    """The organisation and owning department of any plan item (steps follow their strategy)."""
    if isinstance(item, WorkplanStep):
        strategy = session.get(Strategy, item.strategy_id)
        assert strategy is not None
        return ownership_of(session, strategy, kind=kind)
    if isinstance(item, Measurement):
        metric = session.get(Metric, item.metric_id)
        assert metric is not None
        return ownership_of(session, metric, kind=kind)
    if isinstance(item, Strategy | QuickWin | Metric | FocusArea):
        plan = session.get(Plan, item.plan_id)
        assert plan is not None
        department_id = getattr(item, "department_id", None)
        if isinstance(item, FocusArea):
            department_id = plan.owning_department_id
        return Ownership(plan.organization_id, department_id, kind)
    if isinstance(item, Plan):
        return Ownership(item.organization_id, item.owning_department_id, kind)
    if isinstance(item, Statement | Phase | Persona | Goal):
        plan = session.get(Plan, item.plan_id)
        assert plan is not None
        return Ownership(plan.organization_id, plan.owning_department_id, kind)
    if isinstance(item, Journey):
        persona = session.get(Persona, item.persona_id)
        assert persona is not None
        return ownership_of(session, persona, kind=kind)
    if isinstance(item, Organization):
        return Ownership(item.id, None, kind)  # type: ignore[arg-type]
    if isinstance(item, Department | PerformanceSession):
        return Ownership(item.organization_id, None, kind)
    if isinstance(item, SessionDecision):
        held = session.get(PerformanceSession, item.session_id)
        assert held is not None
        return Ownership(held.organization_id, None, kind)
    if isinstance(item, ActionItem):
        return Ownership(item.organization_id, item.department_id, kind)
    raise TypeError(f"no ownership rule for {type(item).__name__}")


def require(session: Session, actor: Actor, action: Action, item: object, *, kind: str) -> None:
    """Raise 401/403 with a sentence saying why, unless `actor` may do `action` to `item`."""
    if actor.user is None and actor.name:
        return  # the CLI and imports act for the operator
    owner = ownership_of(session, item, kind=kind)
    dept_name = ""
    if owner.department_id is not None:
        dept = session.get(Department, owner.department_id)
        dept_name = dept.name if dept else ""
    enforce(actor, decide(actor.user, action, owner, dept_name=dept_name))


def enforce(actor: Actor, decision: Decision) -> None:
    """Raise `decision`'s refusal for `actor`: 401 for nobody, 403 with the reason for a person.
    A named system actor (the CLI, imports) acts for the operator and is never refused."""
    if decision.allowed or (actor.user is None and actor.name):
        return
    if actor.user is None:
        raise NotAuthenticated(decision.reason)
    raise PermissionDenied(decision.reason)


def can(
    session: Session, user: User | None, action: Action, item: object, *, kind: str = "item"
) -> bool:
    """For pages: show an edit control only when the user can use it."""
    return decide(user, action, ownership_of(session, item, kind=kind)).allowed


def can_read_plan(user: User | None, plan: Plan) -> bool:
    """Published plans are open to everyone; others only to signed-in people of the organisation.
    A draft (issue 10: being built, not yet adopted) is its organisation's only, published or
    not."""
    if plan.published and plan.status != PlanStatus.draft:
        return True
    return same_organization(user, plan.organization_id)


def require_read_plan(user: User | None, plan: Plan) -> None:
    """404, not 403, for a plan the user may not read, so its existence does not leak."""
    from app.services.errors import NotFound

    if not can_read_plan(user, plan):
        raise NotFound(f"No plan '{plan.slug}'.")


# --- the same rules for lists: conditions a query applies, so a page holds only what may be read --


def readable_plans(user: User | None) -> ColumnElement[bool]:
    """`can_read_plan` as a condition on Plan rows."""
    published = and_(col(Plan.published).is_(True), col(Plan.status) != PlanStatus.draft.value)
    if is_installation_admin(user):
        return true()
    if user is None or not user.active or user.organization_id is None:
        return published
    return or_(published, col(Plan.organization_id) == user.organization_id)


def readable_organizations(user: User | None) -> ColumnElement[bool]:
    """An organisation is seen by anyone who can read one of its live plans, and by its people."""
    if is_installation_admin(user):
        return true()
    with_plans = select(Plan.organization_id).where(
        readable_plans(user), col(Plan.archived_at).is_(None)
    )
    condition = col(Organization.id).in_(with_plans)
    if user is not None and user.active and user.organization_id is not None:
        condition = or_(condition, col(Organization.id) == user.organization_id)
    return condition


def require_see_archived(user: User | None) -> None:
    """Archived items are listed only for administrators (who alone can restore them)."""
    if user is None:
        raise NotAuthenticated("Sign in as an administrator to see archived items.")
    if user.role != Role.admin or not user.active:
        raise PermissionDenied("Only an administrator can see archived items.")


def administered_plans(user: User | None) -> ColumnElement[bool]:
    """Plans whose archived items `user` may list: those of the organisations they administer."""
    if is_installation_admin(user):
        return true()
    if user is None or not user.active or user.role != Role.admin or user.organization_id is None:
        return false()
    return col(Plan.organization_id) == user.organization_id


def require_read_history(user: User | None) -> None:
    """The history says who changed what, with their notes: it is for the organisation's people."""
    if user is None or not user.active:
        raise NotAuthenticated("Sign in to read the history of changes.")


def readable_history(user: User | None) -> ColumnElement[bool]:
    """Entries of the reader's own organisation's plans; its administrators also read the changes
    to its accounts (which belong to no plan); installation administrators read every entry."""
    if is_installation_admin(user):
        return true()
    if user is None or not user.active or user.organization_id is None:
        return false()
    if user.role == Role.admin:
        return col(HistoryEntry.organization_id) == user.organization_id
    return and_(
        col(HistoryEntry.plan_id).is_not(None),
        col(HistoryEntry.organization_id) == user.organization_id,
    )


# --- internal narrative: what the public does not read --------------------------------------------


def can_read_internal(user: User | None, plan: Plan) -> bool:
    """Narratives of strategies, quick wins and focus areas, measurement notes, and the history of
    changes with its notes are internal: for the signed-in, active people of the plan's
    organisation (its administrators included) and for installation administrators, never for
    anonymous readers of a published plan (nor for people, administrators included, of another
    organisation)."""
    return same_organization(user, plan.organization_id)
