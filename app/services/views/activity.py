"""The organisation-wide activity feed: every change in the history, newest first, filtered and
paginated, each entry with its fields (before → after) and a link to its item while it exists.

A page is read in a fixed number of queries whatever its entries: the entries (one query), their
fields (one), the links of every item they name (one UNION over the item tables), and the lists
the filter form offers (plans, people, departments). Archived items keep their entries; only
their link goes, since their page no longer shows them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, String, and_, case, cast, literal, or_, true, union_all
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    HistoryField,
    Measurement,
    Metric,
    Plan,
    QuickWin,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.enums import SubjectType
from app.models.history import HistoryAction
from app.services.accounts.permissions import is_installation_admin, readable_history
from app.services.errors import NotAuthenticated
from app.services.reading.zones import reading_zone
from app.services.rules.local_time import day_start
from app.services.views.history_display import status_words_of

PAGE_SIZE = 50


@dataclass
class ActivityFilters:
    plan: str = ""  # slug
    kind: str = ""  # SubjectType
    person: int | None = None  # actor's user id
    action: str = ""  # HistoryAction
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1

    def query(self, **override: object) -> dict[str, str]:
        """The filters as query parameters (for pagination links), with `override` applied."""
        values: dict[str, object] = {
            "plan": self.plan,
            "kind": self.kind,
            "person": self.person or "",
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(override)
        return {k: str(v) for k, v in values.items() if v not in ("", None, 1)}


@dataclass
class ActivityEntry:
    entry: HistoryEntry
    fields: list[HistoryField] = field(default_factory=list)
    link: str | None = None  # None: the item is archived, gone, or has no page
    archived: bool = False
    plan: Plan | None = None

    @property
    def words(self) -> Mapping[str, str]:
        """The status words its changes are read in (history_display.status_words_of)."""
        return status_words_of(self.plan, self.entry.subject_type)


@dataclass
class Feed:
    entries: list[ActivityEntry]
    filters: ActivityFilters
    has_next: bool
    plans: list[Plan]
    people: list[User]
    departments: dict[int, str]

    @property
    def has_previous(self) -> bool:
        return self.filters.page > 1

    @property
    def first_number(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + 1


def _org(column: object, user: User) -> ColumnElement[bool]:
    if is_installation_admin(user) and user.organization_id is None:
        return true()  # an installation administrator who belongs to no organisation sees all
    return col(column) == user.organization_id  # type: ignore[arg-type]


def _archived(*columns: object) -> ColumnElement[int]:
    return case((or_(*(col(c).is_not(None) for c in columns)), 1), else_=0)  # type: ignore[arg-type]


def _links(
    session: Session, entries: list[HistoryEntry]
) -> dict[tuple[str, int], tuple[str, bool]]:
    """(subject type, id) → (the item's page, archived?) for every item the entries name that
    still exists, in one UNION query (each part runs with its list, empty or not)."""
    ids: dict[str, list[int]] = defaultdict(list)
    for e in entries:
        ids[e.subject_type].append(e.subject_id)

    def part(
        kind: SubjectType,
        model: type,
        key: object,
        *joins: tuple[type, object],
        archived: tuple[object, ...],
    ) -> object:
        query = select(  # type: ignore[call-overload]
            literal(kind.value, String).label("kind"),
            col(model.id).label("id"),  # type: ignore[attr-defined]
            col(Plan.slug).label("slug"),
            cast(key, String).label("key"),
            _archived(*archived, Plan.archived_at).label("archived"),
        ).select_from(model)
        for target, on in joins:
            query = query.join(target, on)
        return query.where(col(model.id).in_(ids.get(kind.value, [])))  # type: ignore[attr-defined]

    plan_of = lambda model: (Plan, col(Plan.id) == col(model.plan_id))  # noqa: E731
    parts = [
        part(
            SubjectType.strategy,
            Strategy,
            Strategy.code,
            plan_of(Strategy),
            archived=(Strategy.archived_at,),
        ),
        part(
            SubjectType.step,
            WorkplanStep,
            Strategy.code,
            (Strategy, col(Strategy.id) == col(WorkplanStep.strategy_id)),
            plan_of(Strategy),
            archived=(WorkplanStep.archived_at, Strategy.archived_at),
        ),
        part(
            SubjectType.quick_win,
            QuickWin,
            QuickWin.id,
            plan_of(QuickWin),
            archived=(QuickWin.archived_at,),
        ),
        part(
            SubjectType.metric, Metric, Metric.code, plan_of(Metric), archived=(Metric.archived_at,)
        ),
        part(
            SubjectType.measurement,
            Measurement,
            Metric.code,
            (Metric, col(Metric.id) == col(Measurement.metric_id)),
            plan_of(Metric),
            archived=(Measurement.archived_at, Metric.archived_at),
        ),
        part(
            SubjectType.focus_area,
            FocusArea,
            FocusArea.code,
            plan_of(FocusArea),
            archived=(FocusArea.archived_at,),
        ),
        part(SubjectType.goal, Goal, Goal.code, plan_of(Goal), archived=(Goal.archived_at,)),
        part(SubjectType.plan, Plan, Plan.slug, archived=()),
    ]
    out: dict[tuple[str, int], tuple[str, bool]] = {}
    for kind, item_id, slug, key, archived in session.execute(union_all(*parts)).all():  # type: ignore[arg-type]
        base = f"/plans/{slug}"
        url = {
            SubjectType.strategy: f"{base}/strategies/{key}",
            SubjectType.step: f"{base}/strategies/{key}",
            SubjectType.quick_win: f"{base}/quick-wins#quick-win-{key}",
            SubjectType.metric: f"{base}/scorecard/{key}",
            SubjectType.measurement: f"{base}/scorecard/{key}",
        }.get(kind, base)
        out[(kind, int(item_id))] = (url, bool(archived))
    return out


def load_feed(
    *, session: Session, user: User | None, filters: ActivityFilters, page_size: int = PAGE_SIZE
) -> Feed:
    """One page of the history the user may read, newest first (`page_size` entries a page:
    the page's, or an export's larger ones)."""
    if user is None or not user.active:
        raise NotAuthenticated("Sign in to read the activity of your organisation.")
    plans = list(
        session.exec(select(Plan).where(_org(Plan.organization_id, user)).order_by(Plan.title))
    )
    people = list(
        session.exec(
            select(User)
            .where(_org(User.organization_id, user))
            .order_by(User.display_name, User.username)
        )
    )
    departments = {
        d_id: name
        for d_id, name in session.exec(
            select(Department.id, Department.name).where(_org(Department.organization_id, user))
        )
    }
    plan_by_id = {p.id: p for p in plans}
    conditions: list[object] = [readable_history(user)]
    chosen = next((p for p in plans if p.slug == filters.plan), None)
    if chosen is not None:
        conditions.append(col(HistoryEntry.plan_id) == chosen.id)
    else:
        filters.plan = ""
    if filters.kind in {k.value for k in SubjectType}:
        conditions.append(col(HistoryEntry.subject_type) == filters.kind)
    else:
        filters.kind = ""
    if filters.action in {a.value for a in HistoryAction}:
        conditions.append(col(HistoryEntry.action) == filters.action)
    else:
        filters.action = ""
    if filters.person is not None:
        conditions.append(col(HistoryEntry.actor_id) == filters.person)
    # Days of the reader's calendar (the zone the page shows the entries' times in).
    zone = reading_zone(session, user)
    if filters.date_from is not None:
        conditions.append(col(HistoryEntry.at) >= day_start(filters.date_from, zone))
    if filters.date_to is not None:
        end = day_start(filters.date_to + dt.timedelta(days=1), zone)
        conditions.append(col(HistoryEntry.at) < end)
    page = max(1, filters.page)
    rows = list(
        session.exec(
            select(HistoryEntry)
            .where(and_(*conditions))  # type: ignore[arg-type]
            .order_by(col(HistoryEntry.at).desc(), col(HistoryEntry.id).desc())
            .offset((page - 1) * page_size)
            .limit(page_size + 1)
        )
    )
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    fields_of: dict[int, list[HistoryField]] = defaultdict(list)
    for f in session.exec(
        select(HistoryField)
        .where(col(HistoryField.entry_id).in_([e.id for e in rows]))
        .order_by(HistoryField.id)
    ):
        fields_of[f.entry_id].append(f)
    links = _links(session, rows)
    entries = []
    for e in rows:
        found = links.get((e.subject_type, e.subject_id))
        archived = found is not None and found[1]
        entries.append(
            ActivityEntry(
                entry=e,
                fields=fields_of.get(e.id, []),  # type: ignore[arg-type]
                link=found[0] if found is not None and not archived else None,
                archived=archived or (found is None and e.subject_type in _ITEMS_WITH_PAGES),
                plan=plan_by_id.get(e.plan_id) if e.plan_id else None,
            )
        )
    return Feed(
        entries=entries,
        filters=filters,
        has_next=has_next,
        plans=plans,
        people=people,
        departments=departments,
    )  # type: ignore[arg-type]


# Items whose entry links to a page; when such an item is gone, the entry says so.
_ITEMS_WITH_PAGES = frozenset(
    {
        SubjectType.strategy,
        SubjectType.step,
        SubjectType.quick_win,
        SubjectType.metric,
        SubjectType.measurement,
        SubjectType.focus_area,
        SubjectType.goal,
        SubjectType.plan,
    }
)
