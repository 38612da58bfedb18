"""The "Update requests" panel an item's page shows (a strategy's, a metric's, a quick win's own
request page): its open requests, its recent closed ones, and whether the reader may ask (or
withdraw). Two queries, whatever the item."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from app.models import Metric, Plan, QuickWin, Strategy, UpdateRequest, User
from app.services.accounts.permissions import Action, can
from app.services.reading.update_requests import (
    URL_KINDS,
    item_label,
    item_url,
    requests_for_item,
    subject_kind,
)

CLOSED_SHOWN = 5


@dataclass
class RequestPanel:
    plan: Plan
    item: Strategy | QuickWin | Metric
    label: str
    url: str  # the item's page
    url_kind: str  # "strategy", "quick-win", "metric"
    open: list[UpdateRequest]
    closed: list[UpdateRequest]
    can_request: bool
    has_department: bool
    errors: dict[str, str] = field(default_factory=dict)
    typed: str = ""
    notice: str = ""

    @property
    def action(self) -> str:
        return f"/update-requests/for/{self.url_kind}/{self.item.id}"


def request_panel(
    session: Session, user: User | None, plan: Plan, item: Strategy | QuickWin | Metric
) -> RequestPanel:
    kind = subject_kind(item)
    every = requests_for_item(session, kind, item.id, include_closed=True)  # type: ignore[arg-type]
    return RequestPanel(
        plan=plan,
        item=item,
        label=item_label(plan, item),
        url=item_url(plan, item),
        url_kind=URL_KINDS[kind],
        open=[r for r in every if r.is_open],
        closed=[r for r in every if not r.is_open][:CLOSED_SHOWN],
        can_request=can(session, user, Action.request_update, item, kind="item"),
        has_department=item.department_id is not None,
    )
