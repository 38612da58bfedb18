"""The organisation's exports: the coordinator's review and the activity feed.

The review is for coordinators and administrators (services.views.review.focus_areas decides);
the feed is for the signed-in people of the organisation, each reading the history they may read
(services.views.activity). Both exports take the page's read model, so they hold what the page
shows under its filters; the feed's export is its newest MAX_ENTRIES entries read as one page
(the page's statements, so their number does not grow with the history; narrow the dates for
older ones).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlmodel import Session

from app.models import User
from app.services.exports.tables import Column, Export, Table, columns, file_name, joined
from app.services.rules import rollup
from app.services.views import activity as activity_view
from app.services.views.history_display import (
    ACTION_LABELS,
    SUBJECT_LABELS,
    describe_change,
    field_label,
)
from app.services.views.quick_win_board import STATUS_LABELS as QUICK_WIN_LABELS
from app.services.views.review.focus_areas import Review

# The feed's entries an export holds at most (the newest): one page, whose ids the feed's
# statements list (within SQLite's and PostgreSQL's limits on a statement's parameters).
MAX_ENTRIES = 10_000


def review_export(review: Review, *, today: dt.date) -> Export:
    """The review's table (one row per focus area, with its distribution by status), then the
    off-target metrics that measure no focus area and the quick wins changed, as on the page."""
    f = review.filters
    since = f.since.isoformat()
    areas = Table(
        "Focus areas",
        columns(
            Column("Plan", 36),
            Column("Department plan", 24),
            Column("Code", 8),
            Column("Focus area", 40),
            "Status",
            Column("Why", 60),
            "Strategies",
            *(rollup.LABELS[code] for code in rollup.SEVERITY),
            "Mean progress (%)",
            "Last update (UTC)",
            "Off-target metrics",
            Column("Off-target metrics listed", 60),
            f"Changes since {since}",
        ),
    )
    for row in review.rows:
        listed = [f"{m.metric.code}: {m.metric.name} ({m.status.label})" for m in row.off_target]
        if row.off_target_count > len(row.off_target):
            listed.append(f"and {row.off_target_count - len(row.off_target)} more")
        areas.add(
            row.plan.title,
            row.plan_department.name if row.plan_department is not None else None,
            row.focus_area.code,
            row.focus_area.title,
            rollup.label(row.rollup.headline, row.plan.status_words),
            row.rollup.why or None,
            row.rollup.total,
            *(row.rollup.distribution.get(code, 0) for code in rollup.SEVERITY),
            row.rollup.mean_progress,
            row.last_update,
            row.off_target_count,
            joined(listed) or None,
            row.changes_since,
        )
    elsewhere = Table(
        "Metrics in no focus area",
        columns(
            Column("Plan", 36),
            Column("Measures", 40),
            Column("Code", 12),
            Column("Metric", 40),
            "Status",
            Column("Reason", 60),
        ),
    )
    for group in review.metric_groups:
        for m in group.metrics:
            elsewhere.add(
                group.plan.title,
                group.measures,
                m.metric.code,
                m.metric.name,
                rollup.label(m.status.code, group.plan.status_words),
                m.status.reason or None,
            )
    quick_wins = Table(
        "Quick wins changed",
        columns(
            Column("Plan", 36),
            "Quick win",
            Column("Title", 40),
            "Status",
            "Archived",
            "Changes",
            "Last change (UTC)",
        ),
    )
    for q in review.quick_wins:
        quick_wins.add(
            q.plan.title,
            q.number,
            q.title or None,
            QUICK_WIN_LABELS.get(q.status, q.status),
            "yes" if q.archived else "no",
            q.changes,
            q.last_change,
        )
    parts = ["review", f.plan, f.department, f.status, f.term]
    return Export(file_name(*parts, day=today), [areas, elsewhere, quick_wins])


def load_whole_feed(
    *, session: Session, user: User | None, filters: activity_view.ActivityFilters
) -> activity_view.Feed:
    """The entries the feed shows under `filters`, newest first, from the first (at most
    MAX_ENTRIES): read as the page reads its own, as one page."""
    return activity_view.load_feed(
        session=session, user=user, filters=replace(filters, page=1), page_size=MAX_ENTRIES
    )


def activity_export(feed: activity_view.Feed, *, today: dt.date) -> Export:
    """One row per field changed (long format; an entry naming no field has one row), newest
    entry first, with who, when, what, the values before and after as the page words them, and
    the note."""
    table = Table(
        "Activity",
        columns(
            "When (UTC)",
            Column("Person", 24),
            "Action",
            "Kind",
            Column("Item", 50),
            Column("Plan", 36),
            "Field",
            Column("Before", 40),
            Column("After", 40),
            Column("Note", 60),
        ),
    )

    def describe(name: str, value: object) -> str:
        return describe_change(name, value, departments=feed.departments)

    for item in feed.entries:
        e = item.entry
        kind = SUBJECT_LABELS.get(e.subject_type, e.subject_type)
        archived = " (archived)" if item.archived else ""
        head = (
            e.at,
            e.actor_name or "system",
            ACTION_LABELS.get(e.action, e.action),
            kind,
            (e.subject_label or f"{kind} {e.subject_id}") + archived,
            item.plan.title if item.plan is not None else None,
        )
        if not item.fields:
            table.add(*head, None, None, None, e.note or None)
        for fd in item.fields:
            before = None if e.action == "create" else describe(fd.field, fd.before)
            table.add(
                *head, field_label(fd.field), before, describe(fd.field, fd.after), e.note or None
            )
    f = feed.filters
    person = f"person-{f.person}" if f.person else ""
    days = [d.isoformat() for d in (f.date_from, f.date_to) if d]
    parts = ["activity", f.plan, f.kind, f.action, person, *days]
    return Export(file_name(*parts, day=today), [table])
