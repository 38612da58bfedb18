"""The executive view's read model (issue 12): every number matches the plan's own overview and
review, programmes roll up their members, and "moved" counts only what the history has since the
chosen date."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.models import HistoryEntry, HistoryField, Organization, Plan, Strategy, User
from app.models.enums import Role, SubjectType
from app.models.history import HistoryAction
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.errors import NotAuthenticated, NotFound
from app.services.plan_file.importing import import_plan_text
from app.services.reading.plan_tree import load_plan_outline
from app.services.views import executive
from app.services.views.review.focus_areas import ReviewFilters, load_review
from tests.factories import make_person, make_tiny_plan

# A department plan in the Testville programme with known statuses: on track, off track,
# complete, overdue (its end long past) and a metric whose one value misses its target.
MEMBER = """\
format: plantrack/1
organization: {name: City of Testville, slug: testville}
departments:
  - {code: PW, name: Public Works}
plan:
  slug: testville-public-works
  title: Public Works Customer Service Plan
  owning_department: PW
  programme: testville-service
focus_areas:
  - code: "1"
    title: Roads
    strategies:
      - {code: "1.1", title: Fill potholes, status: on_track, progress: 40}
      - {code: "1.2", title: Sweep streets, status: off_track, progress: 10}
      - {code: "1.3", title: Paint lines, status: complete, progress: 100}
      - code: "1.4"
        title: Fix lights
        status: on_track
        progress: 20
        planned_start: 2023-Q1
        planned_end: 2023-Q4
metrics:
  - code: PT
    name: Potholes filled in 48 hours
    unit: percent
    direction: higher
    targets: [{value: 90, comparator: at_least, label: 90% or higher}]
    measurements: [{period: 2024-01-01, value: 50}]
"""


@pytest.fixture
def org(session: Session) -> Organization:
    make_tiny_plan(session)
    import_plan_text(session=session, text=MEMBER, source="member.yaml")
    session.commit()
    return session.exec(select(Organization).where(Organization.slug == "testville")).one()


def _view(session: Session, org: Organization, **kw: object) -> executive.Executive:
    user = session.exec(select(User).where(User.username == "exec-coordinator")).first()
    user = user or make_person(session, "exec-coordinator", Role.coordinator)
    return executive.load_executive(session=session, user=user, organization=org, **kw)  # type: ignore[arg-type]


def _plan(session: Session, slug: str) -> Plan:
    return session.exec(select(Plan).where(Plan.slug == slug)).one()


def test_programme_nests_its_member_and_numbers_match_the_overviews(
    session: Session, org: Organization
) -> None:
    view = _view(session, org)
    (line,) = view.lines  # the member is nested, not listed beside its programme
    assert line.plan.slug == "testville-service"
    (member,) = line.members
    assert member.plan.slug == "testville-public-works"
    for shown in (line, member):
        overview = load_plan_outline(session=session, plan=shown.plan, internal=True).rollup
        assert shown.rollup.distribution == overview.distribution
        assert shown.rollup.mean_progress == overview.mean_progress
        assert shown.rollup.headline == overview.headline
    assert member.rollup.distribution["off_track"] == 1
    assert member.rollup.distribution["complete"] == 1
    assert member.overdue == 1 and member.stale == 0
    assert member.rollup.mean_progress == 43  # (40 + 10 + 100 + 20) / 4 = 42.5, half up
    # The combined distribution is the programme's strategies and its member's, counted once.
    assert line.combined is not None
    for code, count in line.combined.distribution.items():
        assert count == line.rollup.distribution[code] + member.rollup.distribution[code]
    assert line.combined.total == line.rollup.total + member.rollup.total


def test_off_target_metrics_match_the_review(session: Session, org: Organization) -> None:
    view = _view(session, org)
    coordinator = make_person(session, "rev", Role.coordinator)
    review = load_review(
        session=session, user=coordinator, filters=ReviewFilters(since=dt.date(2024, 1, 1))
    )
    lines = [view.lines[0], *view.lines[0].members]
    for line in lines:
        in_rows = sum(r.off_target_count for r in review.rows if r.plan.id == line.plan.id)
        in_groups = sum(len(g.metrics) for g in review.metric_groups if g.plan.id == line.plan.id)
        assert line.off_target_count == in_rows + in_groups
    member = view.lines[0].members[0]
    assert [m.metric.code for m in member.off_target] == ["PT"]
    assert member.off_target[0].status.code == "off_track"


def test_moved_counts_the_history_since_the_date(session: Session, org: Organization) -> None:
    member_plan = _plan(session, "testville-public-works")
    strategy = session.exec(
        select(Strategy).where(Strategy.plan_id == member_plan.id, Strategy.code == "1.1")
    ).one()
    record_strategy_progress(
        session=session,
        strategy=strategy,
        data=ProgressUpdateIn(version=strategy.version, status="complete", progress=100),  # type: ignore[arg-type]
        actor=Actor(name="lead"),
    )
    # A status change two months ago: outside the default 30 days, inside a 90-day window.
    old = HistoryEntry(
        organization_id=member_plan.organization_id,
        plan_id=member_plan.id,
        subject_type=SubjectType.strategy,
        subject_id=strategy.id,  # type: ignore[arg-type]
        action=HistoryAction.progress,
        actor_name="lead",
        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=60),
    )
    session.add(old)
    session.flush()
    session.add(
        HistoryField(entry_id=old.id, field="status", before="not_started", after="on_track")
    )  # type: ignore[arg-type]
    session.commit()
    today = dt.datetime.now(dt.UTC).date()
    recent = _view(session, org).lines[0].members[0].moved
    assert (recent.status_changes, recent.completed) == (1, 1)
    # The import's measurement (entered today) misses its target.
    assert recent.new_off_target == 1
    wider = _view(session, org, since=today - dt.timedelta(days=90)).lines[0].members[0].moved
    assert (wider.status_changes, wider.completed) == (2, 1)
    assert _view(session, org).lines[0].moved.status_changes == 0


def test_only_the_organisations_people_read_it(session: Session, org: Organization) -> None:
    with pytest.raises(NotAuthenticated):
        executive.load_executive(session=session, user=None, organization=org)
    import_plan_text(
        session=session,
        text=MEMBER.replace("slug: testville}", "slug: elsewhere}")
        .replace("City of Testville", "Elsewhere")
        .replace("testville-public-works", "elsewhere-works")
        .replace("  programme: testville-service\n", ""),
        source="elsewhere.yaml",
    )
    session.commit()
    outsider = make_person(session, "outsider", Role.admin, organization="elsewhere")
    with pytest.raises(NotFound):
        executive.load_executive(session=session, user=outsider, organization=org)
    viewer = make_person(session, "viewer", Role.viewer)
    assert executive.load_executive(session=session, user=viewer, organization=org).plan_count == 2


def test_segments_cover_the_bar_in_distribution_order() -> None:
    parts = executive.segments({"off_track": 1, "overdue": 0, "on_track": 3})
    assert [(p.code, p.start, p.width) for p in parts] == [
        ("off_track", 0, 25),
        ("on_track", 25, 75),
    ]
    assert executive.segments({"on_track": 0}) == []


def test_since_is_checked() -> None:
    today = dt.date(2026, 12, 7)
    assert executive.parse_since("", today) == (dt.date(2026, 11, 7), "")
    assert executive.parse_since("2026-01-31", today) == (dt.date(2026, 1, 31), "")
    assert executive.parse_since("31/01/2026", today)[1] == "Enter a date as YYYY-MM-DD."
    assert "future" in executive.parse_since("2027-01-01", today)[1]
