"""Small factories for test data: a tiny plan built through the real import path."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from app.models import FocusArea, HistoryAction, HistoryEntry, Plan, Strategy
from app.models.enums import SubjectType
from app.services.changes.history import Actor, record_change
from app.services.plan_file.importing import import_plan_text
from app.settings import ROOT

SEEDS_DIR = ROOT / "seeds"

TINY_PLAN = """\
format: plantrack/1
organization: {name: City of Testville, slug: testville}
departments:
  - {code: CC, name: Contact Centre}
  - {code: PW, name: Public Works}
plan:
  slug: testville-service
  title: Testville Customer Service Plan
  period_start: 2024-01-01
  period_end: 2027-12-31
  published: true
  vision: Every resident served well.
  terminology: {strategy: Recommendation, strategies: Recommendations}
statements:
  - {kind: standard, code: "1", title: Timely, definition: We answer quickly.}
phases:
  - {code: "1", name: Phase 1, start: 2024-Q1, end: 2024-Q4}
goals:
  - {code: G1, title: Faster answers, outcomes: [Residents wait less]}
focus_areas:
  - code: "1"
    title: Access
    category: people
    strategies:
      - code: "1.1"
        title: Answer in language
        term: short
        department: CC
        phase: "1"
        goals: [G1]
        planned_start: 2024-Q1
        planned_end: 2024-Q4
        steps:
          - title: Hire bilingual staff
            completion_measure: Two staff hired
            steps:
              - {title: Post the job, completion_measure: Posting live}
      - code: "1.2"
        title: Fix potholes faster
        term: long
        department: PW
  - code: "2"
    title: Tools
metrics:
  - code: FCR
    name: First call resolution
    measures: {statement: "1"}
    unit: percent
    direction: higher
    department: CC
    targets:
      - {value: 80, comparator: at_least, label: 80% or higher}
      - {value: 85, comparator: at_least, label: 85% or higher, effective_from: 2025-01-01}
    measurements:
      - {period: 2024-06-01, value: 78}
      - {period: 2025-06-01, value: 83}
quick_wins:
  - {number: 1, service_areas: [Contact Centre], issue_category: Language Access, customer_issue: Chat answered in English., summary: Spanish chat only when staffed., category: people, status: in_progress, department: CC}
  - {number: 2, service_areas: [Public Works, Contact Centre], issue_category: Staffing, customer_issue: Calls unanswered., summary: Shorter meetings., category: process, status: complete, department: PW}
personas:
  - name: New resident
    description: Just moved in.
    journeys: [{title: Start water service, description: Calls to start service.}]
"""


def make_tiny_plan(session: Session, text: str = TINY_PLAN) -> Plan:
    plan = import_plan_text(session=session, text=text, source="tiny.yaml")
    session.commit()
    return session.exec(select(Plan).where(Plan.id == plan.id)).one()


def set_plan_time_zone(session: Session, plan: Plan, zone: str) -> None:
    """Put the plan's organisation in `zone` (its pages' times and its days follow it)."""
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    org.time_zone = zone
    session.add(org)
    session.commit()


# --- people and signed-in clients ---------------------------------------------------------------

from fastapi import FastAPI  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from app.auth import SESSION_COOKIE, session_cookie_value  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Department, Organization, User  # noqa: E402
from app.services.accounts import browser_sessions  # noqa: E402
from app.settings import get_settings  # noqa: E402


def make_person(
    session: Session,
    username: str,
    role: str,
    *,
    department: str | None = None,
    organization: str = "testville",
) -> User:
    """A user of `organization` (no password: tests sign in through `signed_in_client`)."""
    org = session.exec(select(Organization).where(Organization.slug == organization)).one()
    dept_id = None
    if department:
        dept_id = session.exec(
            select(Department.id).where(
                Department.organization_id == org.id, Department.code == department
            )
        ).one()
    user = User(
        username=username,
        display_name=username.replace("-", " ").title(),
        role=role,
        organization_id=org.id,
        department_id=dept_id,
    )
    session.add(user)
    session.commit()
    return user


_APPS: dict[str, FastAPI] = {}


def app_under_test() -> FastAPI:
    """The app `create_app` makes for the current settings, made once per distinct settings.

    FastAPI builds each route's dependency analysis on a new app's first requests (about half of
    a typical test's time when every test made its own app). The database is not part of the
    app (the engine follows DATABASE_URL per test), so one app serves every test with the same
    settings; a test that changes a setting gets an app made for it. A test that alters the app
    itself (adds a route, replaces its state) must call `create_app()` for its own.
    """
    key = get_settings().model_dump_json(exclude={"database_url"})
    if key not in _APPS:
        _APPS[key] = create_app()
    return _APPS[key]


def signed_in_client(session: Session, user: User | None) -> tuple[TestClient, str]:
    """A client with a real server-side session for `user` (None: anonymous); returns it and
    the session's CSRF token, which unsafe requests send in the X-CSRF-Token header."""
    client = TestClient(app_under_test())
    if user is None:
        return client, ""
    started = browser_sessions.start_session(session=session, user=user)
    session.commit()
    client.cookies.set(SESSION_COOKIE, session_cookie_value(started.token))
    return client, started.record.csrf_token


def import_unpublished_seed(session: Session, filename: str) -> Plan:
    """A seed plan made unpublished (every seed is published), for what outsiders must not see."""
    text = (SEEDS_DIR / filename).read_text(encoding="utf-8")
    assert "\n  published: true" in text, f"{filename} is not published to begin with"
    plan = import_plan_text(
        session=session,
        text=text.replace("\n  published: true", "\n  published: false", 1),
        source=filename,
    )
    session.commit()
    return plan


def back_dated_progress(
    session: Session,
    strategy: Strategy,
    *,
    at: dt.datetime,
    actor_name: str,
    actor_id: int | None = None,
    label: str = "",
    note: str = "",
) -> None:
    """A progress update on `strategy` as if made at `at`: its history entry, and the newest
    change history.record_change keeps on the row (a written entry cannot be back-dated)."""
    plan = session.get(Plan, strategy.plan_id)
    assert plan is not None
    session.add(
        HistoryEntry(
            organization_id=plan.organization_id,
            plan_id=plan.id,
            subject_type=SubjectType.strategy,
            subject_id=strategy.id,
            subject_label=label or strategy.title,
            action=HistoryAction.progress,
            actor_id=actor_id,
            actor_name=actor_name,
            at=at,
            note=note,
        )
    )
    if strategy.last_changed_at is None or strategy.last_changed_at < at:
        strategy.last_changed_at = at
        session.add(strategy)
    session.commit()


def focus_area_narrative(
    session: Session, focus_area: FocusArea, actor: Actor, narrative: str
) -> HistoryEntry:
    """A narrative entry on a focus area through history.record_change (no service changes a
    focus area yet: plan files set its narrative), uncommitted."""
    return record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.focus_area,
        subject_id=focus_area.id,  # type: ignore[arg-type]
        action=HistoryAction.progress,
        changes={"narrative": (focus_area.narrative, narrative)},
        plan_id=focus_area.plan_id,
    )


def begin_strategy(session: Session, strategy_id: int) -> None:
    """Put a strategy On track through the service, as its lead would before ticking its steps
    (a Not started strategy with progress is refused: app.services.changes.strategy_progress)."""
    from app.models.strategy import ProgressUpdateIn
    from app.services.changes.strategy_progress import record_strategy_progress

    strategy = session.get(Strategy, strategy_id)
    assert strategy is not None
    record_strategy_progress(
        session=session,
        strategy=strategy,
        data=ProgressUpdateIn(version=strategy.version, status="on_track"),  # type: ignore[arg-type]
        actor=Actor(name="test setup"),
    )
    session.commit()
