"""/plans/{slug}/owners: the plan's live strategies and metrics as one table, grouped by focus area,
with their owners and dates in form inputs (services/changes/bulk_assignments saves them).

Each row's inputs are named `{key}.{field}` (key `s12` for strategy 12, `m7` for metric 7) and a
hidden `{key}` input carries `VERSION:SIGNATURE`: the signature of the values the row showed, so a
save sends on only the rows whose values were changed (an untouched row, edited by someone else
meanwhile, is neither refused as stale nor written back over their change).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.models import Department, FocusArea, Metric, Phase, Plan, Strategy, User
from app.models.enums import Frequency, Term
from app.services.accounts.permissions import Action, can
from app.services.changes.bulk_assignments import FIELDS
from app.services.reading.catalog import DEPARTMENT_ORDER

LEADS_SEPARATOR = ";"
KINDS = {"s": "strategy", "m": "metric"}


def row_key(kind: str, item_id: int) -> str:
    return f"{kind[0]}{item_id}"


def shown_text(name: str, value: Any) -> str:
    """A column's value as its input shows it (and a form sends it back)."""
    if value is None:
        return ""
    if name == "leads":
        return f"{LEADS_SEPARATOR} ".join(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def signature(kind: str, texts: Mapping[str, str]) -> str:
    """A short fingerprint of a row's values as text (the same for what was shown and typed)."""
    joined = "\x1f".join(_normal(name, texts.get(name, "")) for name in FIELDS[kind])
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def _normal(name: str, text: str) -> str:
    text = text.strip()
    if name == "leads":
        return LEADS_SEPARATOR.join(p.strip() for p in text.split(LEADS_SEPARATOR) if p.strip())
    return text


def form_values(kind: str, texts: Mapping[str, str]) -> dict[str, Any]:
    """Typed texts as an update's values: empty is None (cleared), leads a list, a field not sent
    is left out; the rest is left to the update schema (StrategyUpdate, MetricUpdate) to read
    and refuse."""
    out: dict[str, Any] = {}
    for name in FIELDS[kind]:
        if name not in texts:
            continue  # not sent: left as it is
        text = texts[name].strip()
        if name == "leads":
            out[name] = [p.strip() for p in text.split(LEADS_SEPARATOR) if p.strip()]
        else:
            out[name] = text or None
    return out


@dataclass(frozen=True)
class OwnerRow:
    kind: str  # strategy | metric
    item: Strategy | Metric
    key: str
    shown: dict[str, str]
    editable: bool

    @property
    def stamp(self) -> str:
        return f"{self.item.version}:{signature(self.kind, self.shown)}"

    @property
    def name(self) -> str:
        return self.item.title if isinstance(self.item, Strategy) else self.item.name


@dataclass
class OwnerGroup:
    title: str
    strategies: list[OwnerRow] = field(default_factory=list)
    metrics: list[OwnerRow] = field(default_factory=list)


@dataclass(frozen=True)
class OwnersTable:
    plan: Plan
    groups: list[OwnerGroup]
    departments: list[Department]
    phases: list[Phase]
    terms: list[str]
    frequencies: list[str]
    editable: bool

    @property
    def rows(self) -> list[OwnerRow]:
        return [r for g in self.groups for r in (*g.strategies, *g.metrics)]


def _row(session: Session, user: User | None, kind: str, item: Any) -> OwnerRow:
    shown = {name: shown_text(name, getattr(item, name)) for name in FIELDS[kind]}
    editable = can(session, user, Action.edit, item, kind=kind)
    return OwnerRow(kind, item, row_key(kind, item.id), shown, editable)


def load_owners_table(*, session: Session, plan: Plan, user: User | None) -> OwnersTable:
    areas = session.exec(
        select(FocusArea)
        .where(FocusArea.plan_id == plan.id, col(FocusArea.archived_at).is_(None))
        .order_by(col(FocusArea.position), col(FocusArea.id))
    ).all()
    strategies = session.exec(
        select(Strategy)
        .where(Strategy.plan_id == plan.id, col(Strategy.archived_at).is_(None))
        .order_by(col(Strategy.position), col(Strategy.id))
    ).all()
    metrics = session.exec(
        select(Metric)
        .where(Metric.plan_id == plan.id, col(Metric.archived_at).is_(None))
        .order_by(col(Metric.position), col(Metric.id))
    ).all()
    groups = {a.id: OwnerGroup(f"{a.code} {a.title}".strip()) for a in areas}
    other = OwnerGroup(f"No {plan.term('focus_area').lower()}")
    area_of = {s.id: s.focus_area_id for s in strategies}
    for s in strategies:
        groups.get(s.focus_area_id, other).strategies.append(_row(session, user, "strategy", s))
    for m in metrics:
        area = m.focus_area_id or area_of.get(m.strategy_id)
        groups.get(area, other).metrics.append(_row(session, user, "metric", m))
    shown = [g for g in (*groups.values(), other) if g.strategies or g.metrics]
    departments = session.exec(
        select(Department)
        .where(Department.organization_id == plan.organization_id)
        .where(col(Department.archived_at).is_(None))
        .order_by(*DEPARTMENT_ORDER)
    ).all()
    phases = session.exec(
        select(Phase)
        .where(Phase.plan_id == plan.id, col(Phase.archived_at).is_(None))
        .order_by(col(Phase.position), col(Phase.id))
    ).all()
    return OwnersTable(
        plan=plan,
        groups=shown,
        departments=list(departments),
        phases=list(phases),
        terms=[t.value for t in Term],
        frequencies=[f.value for f in Frequency],
        editable=any(r.editable for g in shown for r in (*g.strategies, *g.metrics)),
    )
