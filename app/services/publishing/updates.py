"""Public updates: the rules of their workflow, in one place.

A lead of the item's department (and coordinators and administrators: Action.progress on the
item) drafts a public update and submits it; a coordinator or administrator of the plan's
organisation (Action.approve_public) approves the submitted draft, which becomes the approved
text the public reads, or sends it back with a comment. A new draft after an approval leaves the
approved text public until it is approved in turn. Every change names the version it was made
from (409 with the newer value when stale) and goes to the history (subject `public_text`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import FocusArea, HistoryAction, Plan, QuickWin, Strategy
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.models.publishing import (
    PublicSubject,
    PublicUpdate,
    PublicUpdateDecision,
    PublicUpdateDraft,
    PublicUpdateState,
)
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes, stale_edit
from app.services.changes.history import Actor, record_change
from app.services.errors import NotFound, ValidationFailed

KINDS = {
    PublicSubject.strategy: "strategy",
    PublicSubject.focus_area: "focus area",
    PublicSubject.quick_win: "quick win",
}
MODELS: dict[PublicSubject, type[Strategy] | type[FocusArea] | type[QuickWin]] = {
    PublicSubject.strategy: Strategy,
    PublicSubject.focus_area: FocusArea,
    PublicSubject.quick_win: QuickWin,
}
SHOWN = ["draft_text", "state", "approved_text", "approved_at", "return_comment"]

Subject = Strategy | FocusArea | QuickWin


@dataclass(frozen=True)
class Target:
    """An item that may carry a public update, with its plan and its update (None: none yet)."""

    plan: Plan
    subject_type: PublicSubject
    item: Subject
    update: PublicUpdate | None

    @property
    def kind(self) -> str:
        return KINDS[self.subject_type]

    @property
    def label(self) -> str:
        return subject_label(self.subject_type, self.item)


def subject_label(subject_type: str, item: Subject) -> str:
    if isinstance(item, QuickWin):
        return f"Quick win {item.number}: {item.summary or item.customer_issue}"[:300]
    return f"{item.code} {item.title}"


def parse_subject(text: str) -> PublicSubject:
    """A subject type named in an address: 404 for anything else (it names no item)."""
    try:
        return PublicSubject(text)
    except ValueError:
        raise NotFound(f"No kind of item '{text}' carries a public update.") from None


def target(*, session: Session, plan: Plan, subject_type: PublicSubject, subject_id: int) -> Target:
    """The live item `subject_id` of `plan` and its public update: 404 when the plan has none."""
    item = session.get(MODELS[subject_type], subject_id)
    if item is None or item.plan_id != plan.id or item.archived_at is not None:
        raise NotFound(f"No {KINDS[subject_type]} {subject_id} in this plan.")
    update = session.exec(
        select(PublicUpdate).where(
            PublicUpdate.plan_id == plan.id,
            PublicUpdate.subject_type == subject_type.value,
            PublicUpdate.subject_id == subject_id,
        )
    ).first()
    return Target(plan, subject_type, item, update)


def target_of(*, session: Session, update: PublicUpdate) -> Target:
    plan = session.get(Plan, update.plan_id)
    assert plan is not None
    return target(
        session=session,
        plan=plan,
        subject_type=PublicSubject(update.subject_type),
        subject_id=update.subject_id,
    )


def _record(session: Session, actor: Actor, t: Target, update: PublicUpdate, *, note: str) -> None:
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.public_text,
        subject_id=update.id,  # type: ignore[arg-type]
        action=HistoryAction.create,
        changes={"draft_text": (None, update.draft_text), "state": (None, update.state)},
        note=note,
        label=f"Public update of {t.label}",
        plan_id=t.plan.id,
        organization_id=t.plan.organization_id,
        version_after=update.version,
    )


def _save(
    session: Session, actor: Actor, t: Target, version: int, changes: dict, note: str
) -> None:
    assert t.update is not None
    save_changes(
        session=session,
        item=t.update,
        expected_version=version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.public_text,
        label=f"Public update of {t.label}",
        plan_id=t.plan.id,
        organization_id=t.plan.organization_id,
        note=note,
        always_record=True,
    )


def save_draft(
    *, session: Session, t: Target, data: PublicUpdateDraft, actor: Actor
) -> PublicUpdate:
    """The lead's draft (submitted for approval when `data.submit`). The approved text stays
    public until the new draft is approved."""
    require(session, actor, Action.progress, t.item, kind=t.kind)
    text = data.text.strip()
    if not text:
        raise ValidationFailed.one("text", "Write the public update (it cannot be only spaces).")
    state = PublicUpdateState.submitted if data.submit else PublicUpdateState.draft
    note = "submitted for approval" if data.submit else "draft saved"
    if t.update is None:
        if data.version is not None:  # it was deleted? never: the version names no row
            raise ValidationFailed.one("version", "this item has no public update yet: omit it")
        update = PublicUpdate(
            plan_id=t.plan.id,  # type: ignore[arg-type]
            subject_type=t.subject_type.value,
            subject_id=t.item.id,  # type: ignore[arg-type]
            draft_text=text,
            state=state,
        )
        session.add(update)
        session.flush()
        _record(session, actor, t, update, note=note)
        return update
    if data.version is None:  # someone made it since this draft was begun
        raise stale_edit(
            session,
            t.update,
            expected_version=0,
            subject_type=SubjectType.public_text,
            fields=SHOWN,
        )
    changes: dict = {"draft_text": text, "state": state.value}
    if data.submit:
        changes["return_comment"] = ""
    _save(session, actor, t, data.version, changes, note)
    return t.update


def _submitted(session: Session, t: Target, version: int) -> PublicUpdate:
    update = t.update
    if update is None:
        raise NotFound(f"This {t.kind} has no public update to decide on.")
    if update.version != version:
        raise stale_edit(
            session, update, expected_version=version, subject_type=SubjectType.public_text,
            fields=SHOWN,
        )  # fmt: skip
    if update.state != PublicUpdateState.submitted:
        raise ValidationFailed.one(
            "state", f"the public update is {update.state}, not submitted for approval"
        )
    return update


def approve(
    *, session: Session, t: Target, data: PublicUpdateDecision, actor: Actor
) -> PublicUpdate:
    """The submitted draft becomes the approved text, public from now."""
    require(session, actor, Action.approve_public, t.item, kind=t.kind)
    update = _submitted(session, t, data.version)
    changes = {
        "state": PublicUpdateState.approved.value,
        "approved_text": update.draft_text,
        "approved_at": utcnow(),
        "approved_by_id": actor.user_id,
        "return_comment": "",
    }
    _save(session, actor, t, data.version, changes, data.comment.strip() or "approved")
    return update


def send_back(
    *, session: Session, t: Target, data: PublicUpdateDecision, actor: Actor
) -> PublicUpdate:
    """The submitted draft goes back to its lead with a comment; the approved text stays."""
    require(session, actor, Action.approve_public, t.item, kind=t.kind)
    comment = data.comment.strip()
    update = _submitted(session, t, data.version)
    if not comment:
        raise ValidationFailed.one("comment", "Say what to change before sending it back.")
    changes = {"state": PublicUpdateState.returned.value, "return_comment": comment}
    _save(session, actor, t, data.version, changes, "sent back")
    return update
