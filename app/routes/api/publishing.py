"""Publishing over the API (issue 12): an item's public update (read; a lead's draft and
submission; a coordinator's approval or return) and an administrator's switch of a plan's
public site. The rules are services.publishing's: 403 with the reason, 409 with the newer value
on a stale version, 422 naming the field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, User
from app.models.base import MAX_ID
from app.models.publishing import (
    PublicSubject,
    PublicUpdateDecision,
    PublicUpdateDraft,
    PublicUpdateState,
    SiteSwitch,
)
from app.routes.api.deps import READ_ERRORS, WRITE_ERRORS, LivePlan, ReadablePlan, error_responses
from app.routes.api.inputs import strict_json
from app.routes.api.schemas import PlanRead, UtcDatetime
from app.routes.api.versions import (
    IfMatch,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.services.accounts.permissions import can_read_internal
from app.services.errors import PreconditionFailed
from app.services.publishing import site, updates
from app.services.reading import catalog

router = APIRouter(tags=["publishing"])

SubjectPath = Annotated[
    PublicSubject, Path(description="The kind of item: strategy, focus_area or quick_win")
]
SubjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The item's id")]
BASE = "/plans/{slug}/public-updates/{subject_type}/{subject_id}"
INTERNAL = "null for a reader who may not see internal work (anonymous readers of a published plan)"


class PublicUpdateRead(BaseModel):
    subject_type: PublicSubject
    subject_id: int
    approved_text: str | None = Field(description="What the public reads; null before approval")
    approved_at: UtcDatetime | None = Field(description="When it was last approved")
    version: int | None = Field(description=f"Send it back with a change; {INTERNAL}")
    state: PublicUpdateState | None = Field(description=f"The draft's state; {INTERNAL}")
    draft_text: str | None = Field(description=f"The lead's draft; {INTERNAL}")
    return_comment: str | None = Field(description=f"Why it was sent back; {INTERNAL}")


# In every write below the signed-in user comes before the body: FastAPI solves dependencies in
# order, so an anonymous client is told 401 before anything is said about its body.
def _read(session: Session, user: User | None, t: updates.Target) -> PublicUpdateRead:
    u = t.update
    approved = u is not None and u.approved_at is not None and u.approved_text != ""
    internal = u is not None and can_read_internal(user, t.plan)
    return PublicUpdateRead(
        subject_type=t.subject_type,
        subject_id=t.item.id,  # type: ignore[arg-type]
        approved_text=u.approved_text if approved else None,  # type: ignore[union-attr]
        approved_at=u.approved_at if approved else None,  # type: ignore[union-attr]
        version=u.version if internal else None,  # type: ignore[union-attr]
        state=PublicUpdateState(u.state) if internal else None,  # type: ignore[union-attr]
        draft_text=u.draft_text if internal else None,  # type: ignore[union-attr]
        return_comment=u.return_comment if internal else None,  # type: ignore[union-attr]
    )


def _target(session: Session, plan: Plan, kind: PublicSubject, item_id: int) -> updates.Target:
    return updates.target(session=session, plan=plan, subject_type=kind, subject_id=item_id)


@router.get(
    BASE,
    name="read_public_update",
    summary="Read an item's public update",
    description="The approved public text of a strategy, focus area or quick win and when it "
    "was approved (for everyone who reads the plan); the draft, its state and a return comment "
    "only for the organisation's people. A draft is never public.",
    response_model=PublicUpdateRead,
    responses=error_responses(*READ_ERRORS),
)
def read_public_update(
    plan: ReadablePlan, subject_type: SubjectPath, subject_id: SubjectId, session: SessionDep,
    user: CurrentUser, response: Response,
) -> PublicUpdateRead:  # fmt: skip
    read = _read(session, user, _target(session, plan, subject_type, subject_id))
    # The organisation's people edit it: its version is its ETag, as for every editable item.
    return with_etag(response, read) if read.version is not None else read


@router.put(
    BASE,
    name="draft_public_update",
    summary="Draft (and submit) an item's public update",
    description="The item's lead (of its department), a coordinator or an administrator writes "
    "the draft (`text`, at most 1,000 characters); `submit: true` asks a coordinator to approve "
    "it. `version` is the one read (omit it only for the item's first draft). The approved text "
    "stays public until the new draft is approved. `If-Match` may name the version too (412 "
    "when it is stale, or when the item has no public update yet).",
    response_model=PublicUpdateRead,
    responses=error_responses(*WRITE_ERRORS),
)
def draft_public_update(
    plan: LivePlan, subject_type: SubjectPath, subject_id: SubjectId,
    user: RequiredUser, _json: Annotated[None, strict_json(PublicUpdateDraft)],
    body: PublicUpdateDraft, if_match: IfMatch, session: SessionDep,
) -> PublicUpdateRead:  # fmt: skip
    t = _target(session, plan, subject_type, subject_id)
    if if_match is not None and t.update is None:
        raise PreconditionFailed("this item has no public update yet: send no If-Match")
    current = t.update.version if t.update is not None else 0
    # A first draft names no version; with If-Match the header alone may name it.
    expected = expected_version(if_match, body.version or current, current=current)
    # Without If-Match the body's version (or its absence) goes to the service as sent.
    data = body if if_match is None or t.update is None else with_version(body, expected)
    with precondition(expected):
        updates.save_draft(session=session, t=t, data=data, actor=actor_for(user))
    return _read(session, user, _target(session, plan, subject_type, subject_id))


def _decide(
    approve: bool, plan: Plan, kind: PublicSubject, item_id: int, body: PublicUpdateDecision,
    if_match: str | None, session: Session, user: User,
) -> PublicUpdateRead:  # fmt: skip
    t = _target(session, plan, kind, item_id)
    current = t.update.version if t.update is not None else 0
    expected = expected_version(if_match, body.version, current=current)
    decide = updates.approve if approve else updates.send_back
    with precondition(expected):
        decide(session=session, t=t, data=with_version(body, expected), actor=actor_for(user))
    return _read(session, user, _target(session, plan, kind, item_id))


@router.post(
    BASE + "/approve",
    name="approve_public_update",
    summary="Approve a submitted public update",
    description="A coordinator or an administrator of the plan's organisation approves the "
    "submitted draft: it becomes the public text, dated now. Not submitted: 422 naming `state`. "
    "`If-Match` may name the version (412 when stale).",
    response_model=PublicUpdateRead,
    responses=error_responses(*WRITE_ERRORS),
)
def approve_public_update(
    plan: LivePlan, subject_type: SubjectPath, subject_id: SubjectId,
    user: RequiredUser, _json: Annotated[None, strict_json(PublicUpdateDecision)],
    body: PublicUpdateDecision, if_match: IfMatch, session: SessionDep,
) -> PublicUpdateRead:  # fmt: skip
    return _decide(True, plan, subject_type, subject_id, body, if_match, session, user)


@router.post(
    BASE + "/return",
    name="return_public_update",
    summary="Send a submitted public update back to its lead",
    description="A coordinator or an administrator sends the submitted draft back with a "
    "`comment` (required: 422 naming it when blank); the approved text stays public. "
    "`If-Match` may name the version (412 when stale).",
    response_model=PublicUpdateRead,
    responses=error_responses(*WRITE_ERRORS),
)
def return_public_update(
    plan: LivePlan, subject_type: SubjectPath, subject_id: SubjectId,
    user: RequiredUser, _json: Annotated[None, strict_json(PublicUpdateDecision)],
    body: PublicUpdateDecision, if_match: IfMatch, session: SessionDep,
) -> PublicUpdateRead:  # fmt: skip
    return _decide(False, plan, subject_type, subject_id, body, if_match, session, user)


@router.put(
    "/plans/{slug}/public-site",
    name="switch_public_site",
    summary="Switch a plan's public site on or off",
    description="Administrators of the plan's organisation only: `published: true` opens the "
    "(adopted) plan to everyone, with its approved public updates; recorded in the history. "
    "`If-Match` may name the plan's version (412 when stale).",
    response_model=PlanRead,
    responses=error_responses(*WRITE_ERRORS),
)
def switch_public_site(
    plan: LivePlan, user: RequiredUser, _json: Annotated[None, strict_json(SiteSwitch)],
    body: SiteSwitch, if_match: IfMatch, session: SessionDep, response: Response,
) -> PlanRead:  # fmt: skip
    expected = expected_version(if_match, body.version, current=plan.version)
    with precondition(expected):
        site.switch_public_site(
            session=session, plan=plan, data=with_version(body, expected), actor=actor_for(user)
        )
    read = PlanRead.of(plan, catalog.organization_of(session=session, plan=plan))
    return with_etag(response, read)
