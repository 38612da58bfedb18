"""Public updates (issue 12): what the public reads about a strategy, a focus area or a quick win,
written for the public beside the internal narrative, and published only once a coordinator has
approved it.

One row per item (unique on plan, subject type and subject id). The draft and the approved text
live side by side: a new draft after an approval leaves `approved_text` (what the public reads)
as it was until the new draft is approved in turn.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import pydantic as pd
from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field

from app.models.base import MAX_ID, ClientInput, Versioned, enum_check, enum_field

PUBLIC_TEXT_MAX = 1_000
RETURN_COMMENT_MAX = 2_000


class PublicSubject(StrEnum):
    """The kinds of item that carry a public update (values as the history's SubjectType)."""

    strategy = "strategy"
    focus_area = "focus_area"
    quick_win = "quick_win"


class PublicUpdateState(StrEnum):
    draft = "draft"  # being written by the lead; not yet asked for approval
    submitted = "submitted"  # waiting for a coordinator
    returned = "returned"  # sent back with a comment
    approved = "approved"  # the draft is what the public reads


class PublicUpdate(Versioned, table=True):
    __tablename__ = "public_update"
    __table_args__ = (
        UniqueConstraint("plan_id", "subject_type", "subject_id"),
        enum_check("subject_type", PublicSubject),
        enum_check("state", PublicUpdateState),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    subject_type: str = enum_field(PublicSubject)
    subject_id: int
    draft_text: str = Field(default="", sa_type=Text)
    state: str = enum_field(PublicUpdateState, PublicUpdateState.draft)
    approved_text: str = Field(default="", sa_type=Text)
    approved_at: dt.datetime | None = None
    approved_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    return_comment: str = Field(default="", sa_type=String(RETURN_COMMENT_MAX))


class PublicUpdateDraft(ClientInput):
    """A lead's draft; `submit` asks a coordinator to approve it at once."""

    version: int | None = pd.Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="The version read (omit only when the item has no public update yet).",
    )
    text: str = pd.Field(min_length=1, max_length=PUBLIC_TEXT_MAX)
    submit: bool = False


class PublicUpdateDecision(ClientInput):
    """A coordinator's approval or return of the submitted draft."""

    version: int = pd.Field(ge=1, le=MAX_ID)
    comment: str = pd.Field(default="", max_length=RETURN_COMMENT_MAX)


class SiteSwitch(ClientInput):
    """An administrator's switch of a plan's public site."""

    version: int = pd.Field(ge=1, le=MAX_ID)
    published: bool
