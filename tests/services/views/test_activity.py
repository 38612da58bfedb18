"""app.services.views.activity: a page of the history with fields and links, in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app.models import Metric, QuickWin, Strategy, User, WorkplanStep
from app.models.metric import MeasurementIn
from app.models.quick_win import QuickWinProgressIn
from app.models.strategy import ProgressUpdateIn
from app.services.changes import metrics, quick_wins, strategies
from app.services.changes.history import Actor
from app.services.errors import NotAuthenticated
from app.services.views import activity
from tests.factories import make_person, make_tiny_plan


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def one_of_each(session: Session, admin: User) -> None:
    """A change on a strategy, a step, a quick win and a measurement."""
    actor = Actor(user=admin)
    s11 = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    strategies.record_strategy_progress(
        session=session,
        strategy=s11,
        actor=actor,
        data=ProgressUpdateIn(version=s11.version, status="at_risk", note="n"),
    )
    step = session.exec(select(WorkplanStep).where(WorkplanStep.parent_id.is_(None))).first()  # type: ignore[union-attr]
    assert step is not None
    strategies.set_step_done(
        session=session, step=step, version=step.version, done=True, actor=actor
    )
    qw = session.exec(select(QuickWin).where(QuickWin.number == 2)).one()
    quick_wins.record_quick_win_progress(
        session=session,
        quick_win=qw,
        actor=actor,
        data=QuickWinProgressIn(version=qw.version, status="in_progress"),
    )
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    metrics.record_measurement(
        session=session,
        metric=fcr,
        actor=actor,
        data=MeasurementIn(period=dt.date(2025, 7, 1), value=90),
    )
    session.commit()


@pytest.fixture
def admin(session: Session) -> User:
    make_tiny_plan(session)
    return make_person(session, "root", "admin")


def test_links_to_each_items_page(session: Session, admin: User) -> None:
    one_of_each(session, admin)
    feed = activity.load_feed(session=session, user=admin, filters=activity.ActivityFilters())
    links = {e.entry.subject_type: e.link for e in feed.entries}
    qw = session.exec(select(QuickWin).where(QuickWin.number == 2)).one()
    base = "/plans/testville-service"
    assert links == {
        "measurement": f"{base}/scorecard/FCR",
        "quick_win": f"{base}/quick-wins#quick-win-{qw.id}",
        "step": f"{base}/strategies/1.1",
        "strategy": f"{base}/strategies/1.1",
        "plan": base,
    }
    strategy_entry = next(e for e in feed.entries if e.entry.subject_type == "strategy")
    assert [(f.field, f.before, f.after) for f in strategy_entry.fields] == [
        ("status", "not_started", "at_risk")
    ]
    assert strategy_entry.plan is not None and strategy_entry.plan.slug == "testville-service"


def test_archived_items_keep_their_entries_without_a_link(session: Session, admin: User) -> None:
    s12 = session.exec(select(Strategy).where(Strategy.code == "1.2")).one()
    strategies.set_archived(
        session=session, item=s12, version=s12.version, archived=True, actor=Actor(user=admin)
    )
    session.commit()
    feed = activity.load_feed(session=session, user=admin, filters=activity.ActivityFilters())
    entry = feed.entries[0]
    assert entry.entry.action == "archive" and entry.link is None and entry.archived


def test_database_work_does_not_grow_with_the_page(session: Session, admin: User) -> None:
    session.expire_all()
    with counted(session) as few:
        small = activity.load_feed(session=session, user=admin, filters=activity.ActivityFilters())
    assert len(small.entries) == 1
    one_of_each(session, admin)
    for _ in range(12):
        one_of_each_again(session, admin)
    session.expire_all()
    with counted(session) as many:
        big = activity.load_feed(session=session, user=admin, filters=activity.ActivityFilters())
    assert len(big.entries) == activity.PAGE_SIZE and big.has_next
    assert len(many) == len(few)


def one_of_each_again(session: Session, admin: User) -> None:
    actor = Actor(user=admin)
    for code in ("1.1", "1.2"):
        item = session.exec(select(Strategy).where(Strategy.code == code)).one()
        strategies.record_strategy_progress(
            session=session,
            strategy=item,
            actor=actor,
            data=ProgressUpdateIn(version=item.version, narrative=f"update {item.version}"),
        )
    for number in (1, 2):
        qw = session.exec(select(QuickWin).where(QuickWin.number == number)).one()
        quick_wins.record_quick_win_progress(
            session=session,
            quick_win=qw,
            actor=actor,
            data=QuickWinProgressIn(version=qw.version, narrative=f"n {qw.version}"),
        )
    session.commit()


def test_signed_in_people_only_and_their_organisation(session: Session, admin: User) -> None:
    with pytest.raises(NotAuthenticated):
        activity.load_feed(session=session, user=None, filters=activity.ActivityFilters())
    make_tiny_plan(session, text=_other_org())
    outsider = make_person(session, "far", "viewer", organization="elsewhere")
    feed = activity.load_feed(session=session, user=outsider, filters=activity.ActivityFilters())
    assert [e.entry.subject_label for e in feed.entries] == ["Elsewhere plan"]
    assert [p.slug for p in feed.plans] == ["elsewhere-plan"]


def test_unknown_filter_values_are_dropped(session: Session, admin: User) -> None:
    filters = activity.ActivityFilters(plan="nope", kind="nope", action="nope")
    feed = activity.load_feed(session=session, user=admin, filters=filters)
    assert len(feed.entries) == 1
    assert (filters.plan, filters.kind, filters.action) == ("", "", "")
    assert activity.ActivityFilters(kind="step", page=3).query(page=4) == {
        "kind": "step",
        "page": "4",
    }


def _other_org() -> str:
    return """\
format: plantrack/1
organization: {name: Elsewhere, slug: elsewhere}
plan: {slug: elsewhere-plan, title: Elsewhere plan}
"""
