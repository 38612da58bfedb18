"""The outbox over the API, for administrators (issue 13): the messages of their organisation
(an installation administrator: all), one message whole, and "retry now" for a failed one."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Query
from pydantic import BaseModel

from app.auth import CurrentUser, actor_for
from app.db import get_engine
from app.deps import SessionDep
from app.models.mail import OutboxMessage
from app.routes.api.deps import error_responses
from app.routes.item_ids import ItemId
from app.services.mail import admin as outbox
from app.services.mail.delivery import deliver_message

router = APIRouter(prefix="/outbox", tags=["mail"])
StatusFilter = Literal["queued", "sending", "sent", "failed", "stored"]


class OutboxMessageRead(BaseModel):
    id: int
    created_at: dt.datetime
    organization_id: int | None
    purpose: str
    to: str
    subject: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None

    @classmethod
    def of(cls, m: OutboxMessage) -> OutboxMessageRead:
        return cls(
            id=m.id or 0,
            created_at=m.created_at,
            organization_id=m.organization_id,
            purpose=m.purpose,
            to=m.to_address,
            subject=m.subject,
            status=m.status,
            attempts=m.attempts,
            last_error=m.last_error,
            next_attempt_at=m.next_attempt_at,
            sent_at=m.sent_at,
        )


class OutboxMessageDetail(OutboxMessageRead):
    sender: str
    message_id: str
    headers: dict[str, str]
    text: str
    html: str

    @classmethod
    def whole(cls, m: OutboxMessage) -> OutboxMessageDetail:
        text, html = outbox.readable_bodies(m)
        return cls(
            **OutboxMessageRead.of(m).model_dump(),
            sender=m.from_address,
            message_id=m.message_id,
            headers=outbox.headers_of(m),
            text=text,
            html=html,
        )


class OutboxList(BaseModel):
    items: list[OutboxMessageRead]
    total: int
    counts: dict[str, int]


@router.get(
    "",
    summary="The newest messages of the outbox (administrators)",
    response_model=OutboxList,
    responses=error_responses(401, 403, 422),
)
def list_outbox(
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[StatusFilter | None, Query(description="Only messages of this status")] = (
        None
    ),
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OutboxList:
    page = outbox.list_messages(
        session=session, actor=actor_for(user), status=status or "", limit=limit
    )
    items = [OutboxMessageRead.of(m) for m in page.messages]
    return OutboxList(items=items, total=page.total, counts=page.counts)


@router.get(
    "/{message_id}",
    summary="One message of the outbox, with its text and HTML",
    response_model=OutboxMessageDetail,
    responses=error_responses(401, 403, 404, 422),
)
def read_message(session: SessionDep, user: CurrentUser, message_id: ItemId) -> OutboxMessageDetail:
    message = outbox.get_message(session=session, actor=actor_for(user), message_id=message_id)
    return OutboxMessageDetail.whole(message)


@router.post(
    "/{message_id}/retry",
    summary="Send a failed message again now",
    response_model=OutboxMessageRead,
    responses=error_responses(401, 403, 404, 422),
)
def retry_message(
    session: SessionDep, user: CurrentUser, message_id: ItemId, background: BackgroundTasks
) -> OutboxMessageRead:
    """The message becomes due at once (`queued`) and is sent right after this answer; read it
    again for the result."""
    message = outbox.retry_now(session=session, actor=actor_for(user), message_id=message_id)
    background.add_task(deliver_message, get_engine(), message_id)
    return OutboxMessageRead.of(message)
