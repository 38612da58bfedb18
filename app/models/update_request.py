"""A coordinator's request for an update on a strategy, quick win or metric (issue 13).

It goes to the item's department's leads (the department is stored as it was when asked, so the
request stays theirs if the item later moves), is shown on their My work and on the item's page
while open, and closes when someone records a progress update on the item (`answered_*`) or the
coordinator withdraws it (`withdrawn_*`). Its creation, answer and withdrawal are in the history.
"""

from __future__ import annotations

import datetime as dt

import pydantic as pd
from sqlalchemy import CheckConstraint, Index, String, Text
from sqlmodel import Field

from app.models.base import MAX_ID, ClientInput, Versioned, enum_check, enum_field, utcnow
from app.models.enums import UpdateRequestSubject

MESSAGE_MAX = 2_000


class UpdateRequest(Versioned, table=True):
    __tablename__ = "update_request"
    __table_args__ = (
        enum_check("subject_type", UpdateRequestSubject),
        CheckConstraint(
            "answered_at IS NULL OR withdrawn_at IS NULL", name="answered_or_withdrawn"
        ),
        Index("ix_update_request_subject", "subject_type", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    subject_type: str = enum_field(UpdateRequestSubject)
    subject_id: int
    department_id: int = Field(foreign_key="department.id", ondelete="CASCADE", index=True)
    message: str = Field(default="", sa_type=Text)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    requested_by_name: str = Field(default="", sa_type=String(200))
    requested_at: dt.datetime = Field(default_factory=utcnow)
    answered_at: dt.datetime | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    answered_by_name: str = Field(default="", sa_type=String(200))
    # What answered it: "a progress update", "a value for November 2026".
    answered_with: str = Field(default="", sa_type=String(200))
    withdrawn_at: dt.datetime | None = None
    withdrawn_by_name: str = Field(default="", sa_type=String(200))

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.withdrawn_at is None


class UpdateRequestCreate(ClientInput):
    model_config = pd.ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: str = pd.Field(
        min_length=1,
        max_length=MESSAGE_MAX,
        description="What the coordinator asks the department's leads to update, and why",
    )


class UpdateRequestNew(UpdateRequestCreate):
    """An API request for an update: which item, and the message."""

    subject_type: UpdateRequestSubject = pd.Field(description="strategy, quick_win or metric")
    subject_id: int = pd.Field(ge=1, le=MAX_ID, description="The item's id")


class UpdateRequestWithdraw(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID, description="The version you withdrew (the ETag)")
