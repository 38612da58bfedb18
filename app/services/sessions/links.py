"""The item an action item points at, in words: "Strategy 3.1 Answer calls faster", for the
briefing book and the action items' export. One query per kind of item, whatever the number of
action items (each runs even with nothing to look for: a page's statements never depend on its
data)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.models import ActionItem, FocusArea, Metric, QuickWin, Strategy
from app.models.sessions import LinkKind


def _named(code: str | int | None, name: str) -> str:
    return f"{code} {name}".strip() if code not in (None, "") else name


def link_labels(session: Session, items: Iterable[ActionItem]) -> dict[int, str]:
    """Action item id → what it is linked to, in words (items linked to nothing are left out)."""
    items = list(items)
    wanted: dict[str, set[int]] = {kind.value: set() for kind in LinkKind}
    for item in items:
        if item.link_kind in wanted and item.link_id is not None:
            wanted[item.link_kind].add(item.link_id)
    names: dict[tuple[str, int], str] = {}
    for sid, code, title in session.exec(
        select(Strategy.id, Strategy.code, Strategy.title).where(
            col(Strategy.id).in_(wanted[LinkKind.strategy])
        )
    ).all():
        names[(LinkKind.strategy, sid)] = "Strategy " + _named(code, title)
    for mid, code, name in session.exec(
        select(Metric.id, Metric.code, Metric.name).where(
            col(Metric.id).in_(wanted[LinkKind.metric])
        )
    ).all():
        names[(LinkKind.metric, mid)] = "Metric " + _named(code, name)
    for qid, number, summary in session.exec(
        select(QuickWin.id, QuickWin.number, QuickWin.summary).where(
            col(QuickWin.id).in_(wanted[LinkKind.quick_win])
        )
    ).all():
        names[(LinkKind.quick_win, qid)] = "Quick win " + _named(number, summary[:80])
    for fid, code, title in session.exec(
        select(FocusArea.id, FocusArea.code, FocusArea.title).where(
            col(FocusArea.id).in_(wanted[LinkKind.focus_area])
        )
    ).all():
        names[(LinkKind.focus_area, fid)] = "Focus area " + _named(code, title)
    labels = {}
    for item in items:
        if item.link_kind and item.link_id is not None and item.id is not None:
            kind = item.link_kind.replace("_", " ").capitalize()
            labels[item.id] = names.get((item.link_kind, item.link_id), f"{kind} {item.link_id}")
    return labels
