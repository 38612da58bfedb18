"""Object-level permissions as a generated matrix (QUALITY.md row 2).

Every unsafe route of the app (POST/PUT/PATCH/DELETE, API and pages alike, listed from the app
itself as in test_csrf, so a new route is covered without doing anything) is tried by each of
{anonymous, viewer, lead A, lead B, coordinator, admin, admin X, installation admin} on an item
owned by department A (Contact Centre), one owned by department B (Public Works) and, where a route
can name it, one of another organisation (X, Otherton). "admin" administers Testville (A and B),
"admin X" Otherton; the installation administrator belongs to no organisation. Each (role, route,
item) is its own test on its own copy of one prepared database.

The expected answer comes from RULES below, written from PRODUCT.md's roles and not from
app/services/accounts/permissions.py, so a mistake there fails here:

- anonymous: nothing but signing in;
- viewer: reads; manages only their own account (API tokens, signing out);
- lead: changes, archives and adds to the strategies, steps, quick wins and metrics their
  department owns, posts their progress, and records (and voids) measurements for their metrics;
- coordinator (the strategy office, PRODUCT.md's "coordinator as plan builder", issue 10): across
  their organisation, everything a lead does on their own department's work (edits, steps,
  archiving, progress, recording and voiding measurements: "owners, dates, targets… enter or
  upload many numbers at once") and building the plan's structure (statements, phases, focus
  areas, goals, personas, journeys and departments); restoring an archived item stays the
  administrators';
- admin also builds; leads and viewers do not build;
- admin (an organisation administrator): everything of their own organisation, restoring its
  archived items and managing its users alone; nothing of another organisation (issue 15);
- installation admin: everything, in every organisation;
- nobody else writes to another organisation's items.

An expected refusal must answer 401/403/404 (or the sign-in redirect) and change nothing: the
whole database, history included, is compared before and after (only "last seen" bookkeeping of
sessions and tokens may move). An expected success must answer 2xx (or a page's redirect) and
change something, which also proves the request was filled well enough that a refusal elsewhere
is the permission check's and not a validation error's. A route this file does not know how to
fill fails its tests, naming the route.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select
from starlette.testclient import TestClient

from app.auth import (
    CSRF_REFUSED,
    LOGIN_CSRF_COOKIE,
    LOGIN_CSRF_REFUSED,
    SESSION_COOKIE,
    session_cookie_value,
)
from app.db import get_engine, reset_engine
from app.main import create_app
from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Organization,
    Persona,
    Phase,
    Plan,
    Statement,
    Strategy,
)
from app.models.building import (
    DepartmentCreate,
    FocusAreaCreate,
    GoalCreate,
    JourneyCreate,
    PersonaCreate,
    PhaseCreate,
    StatementCreate,
)
from app.models.metric import MeasurementIn, MetricCreate, TargetIn
from app.models.plan_settings import PlanCreate
from app.models.publishing import PublicSubject, PublicUpdateDraft
from app.models.quick_win import QuickWinCreate
from app.models.sessions import ActionItemCreate, SessionCreate
from app.models.strategy import ProgressUpdateIn, StepCreate, StrategyCreate
from app.models.update_request import UpdateRequestCreate
from app.services.accounts import api_tokens, browser_sessions, password_resets
from app.services.accounts import users as accounts
from app.services.changes import metrics, plan_parts, quick_wins, strategies, update_requests
from app.services.changes import plans as lifecycle
from app.services.changes.history import Actor
from app.services.mail import unsubscribe as unsubscribe_links
from app.services.mail.outbox import queue_message
from app.services.publishing import updates as publishing
from app.services.sessions import writes as session_writes
from tests.conftest import (
    BACKEND,
    _checking_engine,
    _point_app_at,
    changes_without_history,
    load_copy,
    new_database_url,
    worker_database_url,
)
from tests.factories import TINY_PLAN, make_tiny_plan
from tests.routes.test_csrf import UNSAFE_ROUTES

APP = create_app()
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
API = "/api/v1"


# --- the rules, written independently of services/accounts/permissions.py -------------------------


class Do(StrEnum):
    edit = "edit"  # change the item itself, add to it, archive it, revise its target
    progress = "progress"  # status, % progress and narrative of a strategy or quick win
    measure = "measure"  # record a metric's measurement
    void = "void"  # void a wrong measurement
    restore = "restore"  # bring an archived item back
    build = "build"  # the plan's structure: add, change, reorder and archive its parts
    # Performance sessions (issue 11): schedule, change and close them, record their decisions
    # and action items. An action item's status is its owner department's progress (Do.progress).
    hold_session = "hold_session"
    # Publishing (issue 12): drafting a public update is the item's progress (Do.progress);
    # approving or returning one is a coordinator's; the public site switch an administrator's.
    approve_public = "approve_public"
    publish_site = "publish_site"
    # Mail (issue 13): reading the outbox and retrying a failed message is an administrator's
    # of the organisation it went to; a one-click unsubscribe link's holder, anyone (the signed
    # token is the authority: a mail provider posts it without a session).
    administer_mail = "administer_mail"
    unsubscribe = "unsubscribe"
    manage_users = "manage_users"
    own_account = "own_account"  # create one's own API token; change one's details, password
    revoke_token = "revoke_token"  # revoke an API token
    sign_in = "sign_in"
    # Set a password through a one-time reset link (issue 13): holding the link is the right.
    use_reset_link = "use_reset_link"
    sign_out = "sign_out"
    demo_sign_in = "demo_sign_in"  # one-click sign-in: only in demo mode, which tests run without
    # Issue 13: the organisation's settings are its administrators'; requesting (and
    # withdrawing) an update from a department is a coordinator's or an administrator's.
    configure = "configure"
    request_update = "request_update"


class Scope(StrEnum):
    any = "anywhere"
    organisation = "in their organisation"
    department = "what their department owns"
    mine = "only their own"
    nothing_to_do = "nothing to do"  # signing out without a session


_EVERYONE_SIGNED_IN = {
    Do.sign_in: Scope.any,
    Do.sign_out: Scope.any,
    Do.unsubscribe: Scope.any,
    Do.own_account: Scope.any,
    Do.revoke_token: Scope.mine,
    Do.use_reset_link: Scope.any,
}
RULES: dict[str, dict[Do, Scope]] = {
    "anonymous": {
        Do.sign_in: Scope.any,
        Do.sign_out: Scope.nothing_to_do,
        Do.use_reset_link: Scope.any,
        Do.unsubscribe: Scope.any,
    },
    "viewer": dict(_EVERYONE_SIGNED_IN),
    "lead": {
        **_EVERYONE_SIGNED_IN,
        Do.edit: Scope.department,
        Do.progress: Scope.department,
        Do.measure: Scope.department,
        Do.void: Scope.department,
    },
    "coordinator": {
        **_EVERYONE_SIGNED_IN,
        Do.hold_session: Scope.organisation,
        Do.build: Scope.organisation,
        Do.edit: Scope.organisation,
        Do.progress: Scope.organisation,
        Do.measure: Scope.organisation,
        Do.void: Scope.organisation,
        Do.approve_public: Scope.organisation,
        Do.request_update: Scope.organisation,
    },
    "admin": {
        **_EVERYONE_SIGNED_IN,
        Do.hold_session: Scope.organisation,
        Do.build: Scope.organisation,
        Do.edit: Scope.organisation,
        Do.progress: Scope.organisation,
        Do.measure: Scope.organisation,
        Do.void: Scope.organisation,
        Do.restore: Scope.organisation,
        Do.manage_users: Scope.organisation,
        Do.approve_public: Scope.organisation,
        Do.publish_site: Scope.organisation,
        Do.administer_mail: Scope.organisation,
        Do.configure: Scope.organisation,
        Do.request_update: Scope.organisation,
    },
    "installation admin": {
        **_EVERYONE_SIGNED_IN,
        Do.hold_session: Scope.any,
        Do.build: Scope.any,
        Do.edit: Scope.any,
        Do.progress: Scope.any,
        Do.measure: Scope.any,
        Do.void: Scope.any,
        Do.restore: Scope.any,
        Do.manage_users: Scope.any,
        Do.approve_public: Scope.any,
        Do.publish_site: Scope.any,
        Do.administer_mail: Scope.any,
        Do.configure: Scope.any,
        Do.request_update: Scope.any,
    },
}


@dataclass(frozen=True)
class Person:
    role: str
    organisation: str | None = None
    department: str | None = None


PEOPLE: dict[str, Person] = {
    "anonymous": Person("anonymous"),
    "viewer": Person("viewer", "testville"),
    "lead_A": Person("lead", "testville", "CC"),
    "lead_B": Person("lead", "testville", "PW"),
    "coordinator": Person("coordinator", "testville"),
    "admin": Person("admin", "testville"),
    "admin_X": Person("admin", "otherton"),
    "installation_admin": Person("installation admin"),
}


@dataclass(frozen=True)
class Owner:
    """Who owns the item a request is about (for an API token: the person it belongs to)."""

    organisation: str
    department: str
    person: str | None = None


# A: Contact Centre, B: Public Works (both of Testville), X: another organisation's item.
SIDES: dict[str, Owner] = {
    "A": Owner("testville", "CC", person="lead_A"),
    "B": Owner("testville", "PW", person="lead_B"),
    "X": Owner("otherton", "CC", person="olga"),
}


class Expect(StrEnum):
    allow = "allowed"
    refuse = "refused"
    nothing = "nothing to do"


def expected(who: str, do: Do, side: str) -> Expect:
    person, owner = PEOPLE[who], SIDES[side]
    scope = RULES[person.role].get(do)
    if scope is None:
        return Expect.refuse
    allowed = {
        Scope.any: True,
        Scope.organisation: person.organisation == owner.organisation,
        Scope.department: (person.organisation, person.department)
        == (owner.organisation, owner.department),
        Scope.mine: who == owner.person,
    }.get(scope)
    if allowed is None:
        return Expect.nothing
    return Expect.allow if allowed else Expect.refuse


# --- the world every test starts from ------------------------------------------------------------

# Published, so anyone may read it and the API finds its items: only the permission rules stand
# between another organisation's people and its rows.
OTHER_PLAN = TINY_PLAN.replace(
    "organization: {name: City of Testville, slug: testville}",
    "organization: {name: Town of Otherton, slug: otherton}",
).replace("slug: testville-service", "slug: otherton-service")


@dataclass(frozen=True)
class Row:
    id: int
    version: int


@dataclass
class Items:
    """One side's items, each created for the matrix (none shared with another side)."""

    plan: str  # slug
    organization: str  # slug
    department_id: int
    strategy: Row
    step: Row  # live, not done
    done_step: Row  # ticked done (to undo)
    archived_step: Row
    archived_strategy: Row
    quick_win: Row
    archived_quick_win: Row
    metric: Row
    metric_code: str
    measurement: Row  # a value of `metric` (to void)
    archived_metric: Row
    user: Row  # a viewer of this side's department, with a password (for sign-in and admin)
    username: str
    token_id: int  # an API token of the side's owner (lead A, lead B, an Otherton viewer)
    # The plan builder's parts, each created for this side, live and archived (by the paths'
    # names: "statements", "journeys"…); `orders`: every live sibling's id in order, by path.
    parts: dict[str, Row] = field(default_factory=dict)
    old_parts: dict[str, Row] = field(default_factory=dict)
    persona_id: int = 0
    orders: dict[str, list[int]] = field(default_factory=dict)
    # A draft plan of the side's organisation, at version 1 (made for sides A and X), to change
    # the settings of and adopt (issue 10, the plan's lifecycle).
    draft_plan: str = ""
    # A scheduled performance session of the side's organisation, and an action item it raised
    # for the side's department (issue 11).
    held: Row = Row(0, 0)
    action_item: Row = Row(0, 0)
    # A public update of `strategy`, submitted for approval (issue 12).
    public_update: Row = Row(0, 0)
    # Issue 13: a deactivated viewer of the side's department (to reactivate), and an open
    # password reset link's token for `user`.
    inactive_user: Row = Row(0, 0)
    reset_token: str = ""
    # A message of the outbox to the side's organisation that a server left failed (issue 13).
    failed_mail: int = 0
    # An open request for an update on `strategy` (issue 13), to withdraw.
    update_request: Row = Row(0, 0)


@dataclass
class Credentials:
    cookie: str = ""
    csrf: str = ""
    bearer: str = ""


@dataclass
class World:
    database: str  # a file (SQLite) or a database name (PostgreSQL) to copy for each test
    items: dict[str, Items]
    people: dict[str, Credentials]
    login_cookie: str = ""  # the pre-session CSRF cookie and its token, for anonymous page posts
    login_csrf: str = ""
    pristine: bool = False  # the worker's copy is as built: a refused request proved it


def _build_side(session: Session, side: str, plan: Plan, number: int) -> Items:
    cli = Actor(name="permission matrix")
    dept = session.exec(
        select(Department).where(
            Department.organization_id == plan.organization_id,
            Department.code == SIDES[side].department,
        )
    ).one()

    def strategy(code: str) -> Any:
        return strategies.create_strategy(
            session=session,
            plan=plan,
            data=StrategyCreate(code=code, title=f"Matrix {code}", department_id=dept.id),
            actor=cli,
        )

    def step(parent: Any, title: str) -> Any:
        return strategies.add_step(
            session=session, strategy=parent, data=StepCreate(title=title), actor=cli
        )

    def quick_win(n: int) -> Any:
        data = QuickWinCreate(number=n, summary=f"Matrix {n}", department_id=dept.id)
        return quick_wins.create_quick_win(session=session, plan=plan, data=data, actor=cli)

    def metric(code: str) -> Any:
        data = MetricCreate(
            code=code,
            name=f"Matrix {code}",
            unit="percent",  # type: ignore[arg-type]
            direction="higher",  # type: ignore[arg-type]
            department_id=dept.id,
            target=TargetIn(value=80, comparator="at_least"),  # type: ignore[arg-type]
        )
        return metrics.create_metric(session=session, plan=plan, data=data, actor=cli)

    live = strategy(f"M{side}")
    live_step = step(live, "Live step")
    step(live, "Open step")  # archiving the live step leaves one open: not 100% (refused)
    done = step(live, "Done step")
    # Begun, so a step can be ticked (Not started with progress is refused).
    strategies.record_strategy_progress(
        session=session,
        strategy=live,
        data=ProgressUpdateIn(version=live.version, status="on_track"),
        actor=cli,
    )
    strategies.set_step_done(session=session, step=done, version=1, done=True, actor=cli)
    old_step = step(live, "Archived step")
    strategies.set_archived(session=session, item=old_step, version=1, archived=True, actor=cli)
    old = strategy(f"M{side}-old")
    strategies.set_archived(session=session, item=old, version=1, archived=True, actor=cli)
    qw, old_qw = quick_win(number), quick_win(number + 1)
    quick_wins.set_quick_win_archived(
        session=session, quick_win=old_qw, version=1, archived=True, actor=cli
    )
    m, old_m = metric(f"M{side}"), metric(f"M{side}-old")
    metrics.set_metric_archived(session=session, metric=old_m, version=1, archived=True, actor=cli)
    value = metrics.record_measurement(
        session=session,
        metric=m,
        data=MeasurementIn(period=dt.date(2024, 2, 1), value=70),
        actor=cli,
    )
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    parts, old_parts, persona_id = _build_parts(session, side, plan, org)
    username = f"target-{side.lower()}"
    user = accounts.create_user(
        session=session,
        actor=cli,
        username=username,
        role="viewer",
        department=dept.code,
        organization=org.slug,
        password=PASSWORD,
    )
    session.flush()
    inactive = accounts.create_user(
        session=session,
        actor=cli,
        username=f"gone-{side.lower()}",
        role="viewer",
        organization=org.slug,
        password=None,
    )
    accounts.deactivate(session=session, actor=cli, user=inactive)
    issued = password_resets.issue_reset_link(
        session=session, actor=cli, user=user, base_url="http://testserver"
    )
    held = session_writes.schedule_session(
        session=session,
        organization_id=org.id,
        data=SessionCreate(held_on=dt.date(2024, 6, 1), title=f"Matrix session {side}"),
        actor=cli,
    )
    action = session_writes.add_action_item(
        session=session,
        held=held,
        data=ActionItemCreate(what=f"Matrix action {side}", department_id=dept.id),
        actor=cli,
    )

    def row(item: Any) -> Row:
        return Row(item.id, item.version)

    submitted = publishing.save_draft(
        session=session,
        t=publishing.target(
            session=session, plan=plan, subject_type=PublicSubject.strategy, subject_id=live.id
        ),
        data=PublicUpdateDraft(text=f"Public words {side}", submit=True),
        actor=cli,
    )

    asked = update_requests.request_update(
        session=session, item=live, data=UpdateRequestCreate(message=f"Matrix {side}"), actor=cli
    )

    return Items(
        plan=plan.slug,
        organization=org.slug,
        department_id=dept.id,  # type: ignore[arg-type]
        strategy=row(live),
        step=row(live_step),
        done_step=row(done),
        archived_step=row(old_step),
        archived_strategy=row(old),
        quick_win=row(qw),
        archived_quick_win=row(old_qw),
        metric=row(m),
        metric_code=m.code,
        measurement=row(value),
        archived_metric=row(old_m),
        user=row(user),
        username=username,
        token_id=0,
        parts=parts,
        old_parts=old_parts,
        persona_id=persona_id,
        held=row(held),
        action_item=row(action),
        public_update=row(submitted),
        inactive_user=row(inactive),
        reset_token=issued.link.rsplit("/", 1)[1],
        failed_mail=_failed_mail(session, org.id),  # type: ignore[arg-type]
        update_request=row(asked),
    )


def _failed_mail(session: Session, organization_id: int) -> int:
    message = queue_message(
        session=session,
        to="someone@example.org",
        subject="Matrix reminder",
        text="Due",
        organization_id=organization_id,
    )
    message.status, message.attempts, message.last_error = "failed", 1, "ConnectionRefusedError"
    session.add(message)
    session.flush()
    return message.id  # type: ignore[return-value]


# The plan builder's kinds, by path: the model, its parent and a valid create body for `code`.
PARTS: dict[str, tuple[type[Any], str, Callable[[str], Any]]] = {
    "statements": (Statement, "plan", lambda c: StatementCreate(kind="value", code=c, title=c)),
    "phases": (Phase, "plan", lambda c: PhaseCreate(code=c, name=c)),
    "focus-areas": (FocusArea, "plan", lambda c: FocusAreaCreate(code=c, title=c)),
    "goals": (Goal, "plan", lambda c: GoalCreate(code=c, title=c)),
    "personas": (Persona, "plan", lambda c: PersonaCreate(name=c)),
    "journeys": (Journey, "persona", lambda c: JourneyCreate(title=c)),
    "departments": (Department, "organization", lambda c: DepartmentCreate(code=c, name=c)),
}


def _build_parts(
    session: Session, side: str, plan: Plan, org: Organization
) -> tuple[dict[str, Row], dict[str, Row], int]:
    cli = Actor(name="permission matrix")
    persona = None
    live: dict[str, Row] = {}
    old: dict[str, Row] = {}
    for path, (model, parent_kind, body) in PARTS.items():
        parent = {"plan": plan, "persona": persona, "organization": org}[parent_kind]
        made = [
            plan_parts.create_part(
                session=session, model=model, parent=parent, data=body(code), actor=cli
            )
            for code in (f"M{side}", f"M{side}-2", f"M{side}-old")
        ]
        plan_parts.set_part_archived(
            session=session, item=made[2], version=1, archived=True, actor=cli
        )
        live[path], old[path] = Row(made[0].id, 1), Row(made[2].id, 2)
        if model is Persona:
            persona = made[0]
    assert persona is not None
    return live, old, persona.id  # type: ignore[return-value]


def _orders(session: Session, items: Items) -> dict[str, list[int]]:
    """Every live sibling of each orderable kind, in order: the plan's (its goals outside focus
    areas) and, for journeys, the side's persona's."""
    plan = session.exec(select(Plan).where(Plan.slug == items.plan)).one()
    out = {}
    for path, (model, parent_kind, _) in PARTS.items():
        probe = (
            model(persona_id=items.persona_id)
            if parent_kind == "persona"
            else model(organization_id=plan.organization_id)
            if model is Department
            else model(plan_id=plan.id)
        )
        siblings = session.exec(
            plan_parts.siblings_query(probe).order_by(col(model.position), col(model.id))
        )
        out[path] = [row.id for row in siblings]
    out["strategies"] = list(
        session.exec(
            select(Strategy.id)
            .where(
                Strategy.plan_id == plan.id,
                col(Strategy.focus_area_id).is_(None),
                col(Strategy.archived_at).is_(None),
            )
            .order_by(col(Strategy.position), col(Strategy.id))
        )
    )
    return out


def _build(session: Session) -> tuple[dict[str, Items], dict[str, Credentials]]:
    cli = Actor(name="permission matrix")
    plans = {"testville": make_tiny_plan(session), "otherton": make_tiny_plan(session, OTHER_PLAN)}
    items = {
        side: _build_side(session, side, plans[owner.organisation], 100 + 10 * n)
        for n, (side, owner) in enumerate(SIDES.items())
    }
    people: dict[str, Credentials] = {"anonymous": Credentials()}
    users = {}
    for who, person in PEOPLE.items():
        if who == "anonymous":
            continue
        installation = person.role == "installation admin"
        user = accounts.create_user(
            session=session,
            actor=cli,
            username=who.replace("_", "-").lower(),
            role="admin" if installation else person.role,
            department=person.department,
            organization=person.organisation,
            password=PASSWORD,  # to change it themselves (POST /account/password)
            installation_admin=installation,
        )
        session.flush()
        users[who] = user
        started = browser_sessions.start_session(session=session, user=user)
        _, bearer = api_tokens.create_api_token(session=session, user=user, name="matrix")
        people[who] = Credentials(
            cookie=session_cookie_value(started.token), csrf=started.csrf_token, bearer=bearer
        )
    olga = accounts.create_user(
        session=session,
        actor=cli,
        username="olga",
        role="viewer",
        organization="otherton",
        password=None,
    )
    session.flush()
    users["olga"] = olga
    for side, owner in SIDES.items():
        assert owner.person is not None
        token, _ = api_tokens.create_api_token(
            session=session, user=users[owner.person], name="revoke me"
        )
        session.flush()
        items[side].token_id = token.id  # type: ignore[assignment]
    for side_items in items.values():
        side_items.orders = _orders(session, side_items)
    for side in PART_SIDES:
        org = session.exec(
            select(Organization).where(Organization.slug == items[side].organization)
        ).one()
        draft = PlanCreate(title=f"Matrix draft {side}", slug=f"matrix-draft-{side.lower()}")
        made = lifecycle.create_plan(session=session, organization=org, data=draft, actor=cli)
        items[side].draft_plan = made.slug
    session.commit()
    return items, people


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, template_database: str) -> Iterator[World]:
    """Built once per run through the real services; each test gets a copy."""
    url = new_database_url(request, template_database)
    _point_app_at(url)
    with Session(get_engine(), expire_on_commit=False) as session:
        items, people = _build(session)
    login = TestClient(APP).get("/login")
    found = re.search(r'name="csrf_token" value="([^"]*)"', login.text)
    assert found, "the sign-in page has no csrf_token field"
    reset_engine()
    if BACKEND == "postgresql":
        database = url.rsplit("/", 1)[1]
    else:
        database = url.removeprefix("sqlite:///")
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        engine.dispose()
    yield World(
        database=database,
        items=items,
        people=people,
        login_cookie=login.cookies[LOGIN_CSRF_COOKIE],
        login_csrf=found.group(1),
    )


@dataclass
class Copy:
    url: str
    dirty: bool = True  # until the test has shown that it changed nothing


@pytest.fixture
def world_copy(request: pytest.FixtureRequest, world: World) -> Iterator[Copy]:
    """The worker's copy of the world for one test, with the app pointed at it.

    A cell expected to succeed changes its copy, so it always gets a fresh one. A cell expected
    to be refused must leave its copy exactly as it found it, and proves it; the next such cell
    then starts from that same, still pristine, copy (a new database costs about half a second
    on PostgreSQL). A copy that changed, or whose test failed, is never used again. The copy
    keeps one URL, so the app keeps its engine and compiled statements from cell to cell.
    """
    params = request.node.callspec.params
    spec = SPECS.get((params["method"], params["path"]))
    succeeds = spec is not None and expected(params["who"], spec.do, params["side"]) == Expect.allow
    url = worker_database_url(request, "matrix")
    if succeeds or not world.pristine:
        load_copy(request, url, world.database)
    world.pristine = False
    _point_app_at(url)
    copy = Copy(url)
    yield copy
    problems = changes_without_history(url)
    assert not problems, f"changes without a history entry: {problems}"
    world.pristine = not copy.dirty


# --- how each unsafe route is filled -------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    url: str
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes]] | None = None
    content: bytes | None = None  # a raw body (a plan file)


Fill = Callable[[Items], Req]


@dataclass(frozen=True)
class Spec:
    do: Do
    fill: Fill
    sides: tuple[str, ...] = ("A", "B", "X")


def _version(row: Row) -> dict[str, Any]:
    return {"version": row.version}


# The plan builder: parts belong to the plan (or organisation), not to a department, so side B
# (the same plan as A) would repeat A; A and another organisation's X are tried.
PART_SIDES = ("A", "X")
_PARENT_PATH = {"plan": "/plans/{slug}", "persona": "/personas/{persona_id}",
                "organization": "/organizations/{slug}"}  # fmt: skip
_NEW_BODY = {
    "statements": {"kind": "value", "title": "New"},
    "phases": {"code": "NEW", "name": "New"},
    "focus-areas": {"code": "NEW", "title": "New"},
    "goals": {"code": "NEW", "title": "New"},
    "personas": {"name": "New"},
    "journeys": {"title": "New"},
    "departments": {"code": "NEW", "name": "New"},
}
_TITLE = {"statements": "title", "focus-areas": "title", "goals": "title", "journeys": "title"}


def _parent_url(path: str, i: Items) -> str:
    parent = PARTS[path][1]
    if parent == "persona":
        return f"{API}/personas/{i.persona_id}"
    if parent == "organization":
        return f"{API}/organizations/{i.organization}"
    return f"{API}/plans/{i.plan}"


def _part_specs() -> dict[tuple[str, str], Spec]:
    out: dict[tuple[str, str], Spec] = {}
    for path, (model, parent, _) in PARTS.items():
        param = "{" + model.__tablename__ + "_id}"
        base = f"{API}/{path}/{param}"
        title = _TITLE.get(path, "name")

        def fill_create(i: Items, path: str = path) -> Req:
            return Req(f"{_parent_url(path, i)}/{path}", json=_NEW_BODY[path])

        def fill_change(i: Items, path: str = path, title: str = title) -> Req:
            row = i.parts[path]
            return Req(f"{API}/{path}/{row.id}", json={**_version(row), title: "Changed"})

        def fill_archive(i: Items, path: str = path) -> Req:
            row = i.parts[path]
            return Req(f"{API}/{path}/{row.id}/archive", json=_version(row))

        def fill_restore(i: Items, path: str = path) -> Req:
            row = i.old_parts[path]
            return Req(f"{API}/{path}/{row.id}/restore", json=_version(row))

        out[("POST", f"{API}{_PARENT_PATH[parent]}/{path}")] = Spec(
            Do.build, fill_create, PART_SIDES
        )
        out[("PATCH", base)] = Spec(Do.build, fill_change, PART_SIDES)
        out[("POST", f"{base}/archive")] = Spec(Do.build, fill_archive, PART_SIDES)
        out[("POST", f"{base}/restore")] = Spec(Do.restore, fill_restore, PART_SIDES)

        def fill_order(i: Items, path: str = path) -> Req:
            ids = i.orders[path][::-1]
            return Req(f"{_parent_url(path, i)}/{path}/order", json={"ids": ids})

        out[("PUT", f"{API}{_PARENT_PATH[parent]}/{path}/order")] = Spec(
            Do.build, fill_order, PART_SIDES
        )
    return out


PART_SPECS = _part_specs()


def _plan_file(i: Items) -> bytes:
    """The smallest plan file of side `i`'s organisation (a new plan, nothing in it)."""
    return (
        "format: plantrack/1\n"
        f"organization: {{name: Matrix, slug: {i.organization}}}\n"
        "plan: {slug: matrix-uploaded, title: Uploaded, status: draft}\n"
    ).encode()


# A plan's lifecycle (issue 10): make a plan in the side's organisation (from scratch or from a
# plan file), change the settings of its draft plan, adopt it. Builders, as for the parts.
LIFECYCLE_SPECS: dict[tuple[str, str], Spec] = {
    ("POST", f"{API}/organizations/{{slug}}/plans"): Spec(
        Do.build,
        lambda i: Req(
            f"{API}/organizations/{i.organization}/plans",
            json={"title": "New", "slug": "matrix-new"},
        ),
        PART_SIDES,
    ),
    ("POST", f"{API}/organizations/{{slug}}/plans/import"): Spec(
        Do.build,
        lambda i: Req(f"{API}/organizations/{i.organization}/plans/import", content=_plan_file(i)),
        PART_SIDES,
    ),
    ("PATCH", f"{API}/plans/{{slug}}"): Spec(
        Do.build,
        lambda i: Req(f"{API}/plans/{i.draft_plan}", json={"version": 1, "title": "Changed"}),
        PART_SIDES,
    ),
    ("POST", f"{API}/plans/{{slug}}/adopt"): Spec(
        Do.build,
        lambda i: Req(f"{API}/plans/{i.draft_plan}/adopt", json={"version": 1}),
        PART_SIDES,
    ),
    ("POST", "/plans/new"): Spec(
        Do.build,
        lambda i: Req(
            "/plans/new",
            form={"organization": i.organization, "title": "New", "slug": "matrix-new"},
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/new/upload"): Spec(
        Do.build,
        lambda i: Req(
            "/plans/new/upload",
            form={"organization": i.organization},
            files={"file": ("plan.yaml", _plan_file(i))},
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/settings"): Spec(
        Do.build,
        lambda i: Req(
            f"/plans/{i.draft_plan}/settings",
            form={"version": "1", "title": "Changed", "schedule": "calendar"},
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/adopt"): Spec(
        Do.build, lambda i: Req(f"/plans/{i.draft_plan}/adopt", form={"version": "1"}), PART_SIDES
    ),
}

# Publishing (issue 12): a public update of each side's strategy (drafting it is its progress),
# submitted so it can be approved or sent back; the public site of each side's draft plan.
_PUBLIC = "/plans/{slug}/public-updates/{subject_type}/{subject_id}"


def _public(i: Items, tail: str = "") -> str:
    return f"/plans/{i.plan}/public-updates/strategy/{i.strategy.id}{tail}"


PUBLISHING_SPECS: dict[tuple[str, str], Spec] = {
    ("PUT", f"{API}{_PUBLIC}"): Spec(
        Do.progress,
        lambda i: Req(f"{API}{_public(i)}", json={**_version(i.public_update), "text": "New"}),
    ),
    ("POST", f"{API}{_PUBLIC}/approve"): Spec(
        Do.approve_public,
        lambda i: Req(f"{API}{_public(i, '/approve')}", json=_version(i.public_update)),
    ),
    ("POST", f"{API}{_PUBLIC}/return"): Spec(
        Do.approve_public,
        lambda i: Req(
            f"{API}{_public(i, '/return')}", json={**_version(i.public_update), "comment": "No"}
        ),
    ),
    ("POST", "/plans/{slug}/public-updates/{subject}/{subject_id}"): Spec(
        Do.progress,
        lambda i: Req(_public(i), form={"version": str(i.public_update.version), "text": "New"}),
    ),
    ("POST", "/plans/{slug}/public-updates/{subject}/{subject_id}/{decision}"): Spec(
        Do.approve_public,
        lambda i: Req(_public(i, "/approve"), form={"version": str(i.public_update.version)}),
    ),
    ("PUT", f"{API}/plans/{{slug}}/public-site"): Spec(
        Do.publish_site,
        lambda i: Req(
            f"{API}/plans/{i.draft_plan}/public-site", json={"version": 1, "published": True}
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/public-site"): Spec(
        Do.publish_site,
        lambda i: Req(
            f"/plans/{i.draft_plan}/public-site", form={"version": "1", "published": "on"}
        ),
        PART_SIDES,
    ),
}

# Update cycles (issue 13): the organisation's settings (A's and X's organisations: B shares
# A's), and update requests on each side's strategy (its department's leads are asked).
UPDATE_CYCLE_SPECS: dict[tuple[str, str], Spec] = {
    ("PATCH", f"{API}/organizations/{{slug}}/settings"): Spec(
        Do.configure,
        lambda i: Req(
            f"{API}/organizations/{i.organization}/settings",
            json={"version": 1, "reporting_due_day": 5},
        ),
        PART_SIDES,
    ),
    ("POST", "/organizations/{org_slug}/settings"): Spec(
        Do.configure,
        lambda i: Req(
            f"/organizations/{i.organization}/settings",
            form={"version": "1", "time_zone": "America/Chicago", "reporting_due_day": "5"},
        ),
        PART_SIDES,
    ),
    ("POST", f"{API}/update-requests"): Spec(
        Do.request_update,
        lambda i: Req(
            f"{API}/update-requests",
            json={"subject_type": "strategy", "subject_id": i.strategy.id, "message": "Please"},
        ),
    ),
    ("POST", f"{API}/update-requests/{{request_id}}/withdraw"): Spec(
        Do.request_update,
        lambda i: Req(
            f"{API}/update-requests/{i.update_request.id}/withdraw",
            json=_version(i.update_request),
        ),
    ),
    ("POST", "/update-requests/for/{url_kind}/{item_id}"): Spec(
        Do.request_update,
        lambda i: Req(f"/update-requests/for/strategy/{i.strategy.id}", form={"message": "Please"}),
    ),
    ("POST", "/update-requests/{request_id}/withdraw"): Spec(
        Do.request_update,
        lambda i: Req(
            f"/update-requests/{i.update_request.id}/withdraw",
            form={"version": str(i.update_request.version)},
        ),
    ),
}

# Performance sessions (issue 11): sessions are their organisation's (side B's would be another
# session of A's organisation, so A and X are tried); an action item is its department's.
_SESSION = "/sessions/{session_id}"
SESSION_SPECS: dict[tuple[str, str], Spec] = {
    ("POST", f"{API}/organizations/{{slug}}/sessions"): Spec(
        Do.hold_session,
        lambda i: Req(
            f"{API}/organizations/{i.organization}/sessions",
            json={"held_on": "2024-07-01", "title": "New"},
        ),
        PART_SIDES,
    ),
    ("PATCH", f"{API}{_SESSION}"): Spec(
        Do.hold_session,
        lambda i: Req(f"{API}/sessions/{i.held.id}", json={**_version(i.held), "title": "New"}),
        PART_SIDES,
    ),
    ("POST", f"{API}{_SESSION}/close"): Spec(
        Do.hold_session,
        lambda i: Req(f"{API}/sessions/{i.held.id}/close", json=_version(i.held)),
        PART_SIDES,
    ),
    ("POST", f"{API}{_SESSION}/decisions"): Spec(
        Do.hold_session,
        lambda i: Req(f"{API}/sessions/{i.held.id}/decisions", json={"text": "Agreed"}),
        PART_SIDES,
    ),
    ("POST", f"{API}{_SESSION}/action-items"): Spec(
        Do.hold_session,
        lambda i: Req(
            f"{API}/sessions/{i.held.id}/action-items",
            json={"what": "Do it", "department_id": i.department_id},
        ),
        PART_SIDES,
    ),
    ("PATCH", f"{API}/action-items/{{action_item_id}}"): Spec(
        Do.progress,
        lambda i: Req(
            f"{API}/action-items/{i.action_item.id}",
            json={**_version(i.action_item), "status": "done"},
        ),
    ),
    ("POST", "/sessions"): Spec(
        Do.hold_session,
        lambda i: Req(
            "/sessions",
            form={"organization": i.organization, "title": "New", "held_on": "2024-07-01"},
        ),
        PART_SIDES,
    ),
    ("POST", f"{_SESSION}/decisions"): Spec(
        Do.hold_session,
        lambda i: Req(f"/sessions/{i.held.id}/decisions", form={"text": "Agreed"}),
        PART_SIDES,
    ),
    ("POST", f"{_SESSION}/action-items"): Spec(
        Do.hold_session,
        lambda i: Req(
            f"/sessions/{i.held.id}/action-items",
            form={"what": "Do it", "department_id": str(i.department_id)},
        ),
        PART_SIDES,
    ),
    ("POST", f"{_SESSION}/close"): Spec(
        Do.hold_session,
        lambda i: Req(f"/sessions/{i.held.id}/close", form={"version": str(i.held.version)}),
        PART_SIDES,
    ),
    ("POST", f"{_SESSION}/edit"): Spec(
        Do.hold_session,
        lambda i: Req(
            f"/sessions/{i.held.id}/edit",
            form={"version": str(i.held.version), "title": "New", "held_on": "2024-07-01"},
        ),
        PART_SIDES,
    ),
    ("POST", "/action-items/{action_item_id}/status"): Spec(
        Do.progress,
        lambda i: Req(
            f"/action-items/{i.action_item.id}/status",
            form={"version": str(i.action_item.version), "status": "done"},
        ),
    ),
}

SPECS: dict[tuple[str, str], Spec] = {
    # --- API: strategies and steps
    ("POST", f"{API}/plans/{{slug}}/strategies"): Spec(
        Do.edit,
        lambda i: Req(
            f"{API}/plans/{i.plan}/strategies",
            json={"code": "NEW-1", "title": "New", "department_id": i.department_id},
        ),
    ),
    # Side A's plan has two strategies outside focus areas (A's and B's): A reverses them.
    ("PUT", f"{API}/plans/{{slug}}/strategies/order"): Spec(
        Do.build,
        lambda i: Req(
            f"{API}/plans/{i.plan}/strategies/order", json={"ids": i.orders["strategies"][::-1]}
        ),
        ("A",),
    ),
    ("PATCH", f"{API}/strategies/{{strategy_id}}"): Spec(
        Do.edit,
        lambda i: Req(
            f"{API}/strategies/{i.strategy.id}", json={**_version(i.strategy), "title": "Changed"}
        ),
    ),
    ("POST", f"{API}/strategies/{{strategy_id}}/progress"): Spec(
        Do.progress,
        lambda i: Req(
            f"{API}/strategies/{i.strategy.id}/progress",
            json={**_version(i.strategy), "status": "at_risk", "narrative": "Slipping."},
        ),
    ),
    ("POST", f"{API}/strategies/{{strategy_id}}/archive"): Spec(
        Do.edit,
        lambda i: Req(f"{API}/strategies/{i.strategy.id}/archive", json=_version(i.strategy)),
    ),
    ("POST", f"{API}/strategies/{{strategy_id}}/restore"): Spec(
        Do.restore,
        lambda i: Req(
            f"{API}/strategies/{i.archived_strategy.id}/restore",
            json=_version(i.archived_strategy),
        ),
    ),
    ("POST", f"{API}/strategies/{{strategy_id}}/steps"): Spec(
        Do.edit,
        lambda i: Req(f"{API}/strategies/{i.strategy.id}/steps", json={"title": "New step"}),
    ),
    ("PATCH", f"{API}/steps/{{step_id}}"): Spec(
        Do.edit,
        lambda i: Req(f"{API}/steps/{i.step.id}", json={**_version(i.step), "title": "Changed"}),
    ),
    ("POST", f"{API}/steps/{{step_id}}/done"): Spec(
        Do.edit, lambda i: Req(f"{API}/steps/{i.step.id}/done", json=_version(i.step))
    ),
    ("POST", f"{API}/steps/{{step_id}}/undone"): Spec(
        Do.edit,
        lambda i: Req(f"{API}/steps/{i.done_step.id}/undone", json=_version(i.done_step)),
    ),
    ("POST", f"{API}/steps/{{step_id}}/archive"): Spec(
        Do.edit, lambda i: Req(f"{API}/steps/{i.step.id}/archive", json=_version(i.step))
    ),
    ("POST", f"{API}/steps/{{step_id}}/restore"): Spec(
        Do.restore,
        lambda i: Req(f"{API}/steps/{i.archived_step.id}/restore", json=_version(i.archived_step)),
    ),
    # --- API: quick wins
    ("POST", f"{API}/plans/{{slug}}/quick-wins"): Spec(
        Do.edit,
        lambda i: Req(
            f"{API}/plans/{i.plan}/quick-wins",
            json={"number": 999, "summary": "New", "department_id": i.department_id},
        ),
    ),
    ("PATCH", f"{API}/quick-wins/{{quick_win_id}}"): Spec(
        Do.edit,
        lambda i: Req(
            f"{API}/quick-wins/{i.quick_win.id}",
            json={**_version(i.quick_win), "summary": "Changed"},
        ),
    ),
    ("POST", f"{API}/quick-wins/{{quick_win_id}}/progress"): Spec(
        Do.progress,
        lambda i: Req(
            f"{API}/quick-wins/{i.quick_win.id}/progress",
            json={**_version(i.quick_win), "status": "complete"},
        ),
    ),
    ("POST", f"{API}/quick-wins/{{quick_win_id}}/archive"): Spec(
        Do.edit,
        lambda i: Req(f"{API}/quick-wins/{i.quick_win.id}/archive", json=_version(i.quick_win)),
    ),
    ("POST", f"{API}/quick-wins/{{quick_win_id}}/restore"): Spec(
        Do.restore,
        lambda i: Req(
            f"{API}/quick-wins/{i.archived_quick_win.id}/restore",
            json=_version(i.archived_quick_win),
        ),
    ),
    # --- API: metrics and measurements
    ("POST", f"{API}/plans/{{slug}}/metrics"): Spec(
        Do.edit,
        lambda i: Req(
            f"{API}/plans/{i.plan}/metrics",
            json={
                "code": "NEW-M",
                "name": "New",
                "unit": "count",
                "direction": "lower",
                "department_id": i.department_id,
            },
        ),
    ),
    ("PATCH", f"{API}/metrics/{{metric_id}}"): Spec(
        Do.edit,
        lambda i: Req(f"{API}/metrics/{i.metric.id}", json={**_version(i.metric), "name": "New"}),
    ),
    ("POST", f"{API}/metrics/{{metric_id}}/targets"): Spec(
        Do.edit,
        lambda i: Req(
            f"{API}/metrics/{i.metric.id}/targets",
            json={
                **_version(i.metric),
                "value": 90,
                "comparator": "at_least",
                "effective_from": "2026-01-01",
            },
        ),
    ),
    ("POST", f"{API}/metrics/{{metric_id}}/measurements"): Spec(
        Do.measure,
        lambda i: Req(
            f"{API}/metrics/{i.metric.id}/measurements",
            json={"period": "2024-03-01", "value": 71},
        ),
    ),
    ("POST", f"{API}/measurements/{{measurement_id}}/void"): Spec(
        Do.void,
        lambda i: Req(
            f"{API}/measurements/{i.measurement.id}/void",
            json={**_version(i.measurement), "reason": "Typed into the wrong metric."},
        ),
    ),
    ("POST", f"{API}/metrics/{{metric_id}}/archive"): Spec(
        Do.edit,
        lambda i: Req(f"{API}/metrics/{i.metric.id}/archive", json=_version(i.metric)),
    ),
    ("POST", f"{API}/metrics/{{metric_id}}/restore"): Spec(
        Do.restore,
        lambda i: Req(
            f"{API}/metrics/{i.archived_metric.id}/restore", json=_version(i.archived_metric)
        ),
    ),
    # --- pages: my work and the quick wins board
    ("POST", "/my-work/strategies/{strategy_id}/progress"): Spec(
        Do.progress,
        lambda i: Req(
            f"/my-work/strategies/{i.strategy.id}/progress",
            form={"version": str(i.strategy.version), "status": "at_risk", "narrative": "Late."},
        ),
    ),
    ("POST", "/my-work/strategies/{strategy_id}/steps"): Spec(
        Do.edit,
        lambda i: Req(f"/my-work/strategies/{i.strategy.id}/steps", form={"title": "New step"}),
    ),
    ("POST", "/my-work/steps/{step_id}/done"): Spec(
        Do.edit,
        lambda i: Req(
            f"/my-work/steps/{i.step.id}/done", form={"version": str(i.step.version), "done": "1"}
        ),
    ),
    ("POST", "/my-work/metrics/{metric_id}/measurements"): Spec(
        Do.measure,
        lambda i: Req(
            f"/my-work/metrics/{i.metric.id}/measurements",
            form={"period": "2024-03", "value": "71"},
        ),
    ),
    ("POST", "/plans/{slug}/scorecard/{metric_code}/measurements/{measurement_id}/void"): Spec(
        Do.void,
        lambda i: Req(
            f"/plans/{i.plan}/scorecard/{i.metric_code}/measurements/{i.measurement.id}/void",
            form={"version": str(i.measurement.version), "reason": "Typed ×10."},
        ),
    ),
    ("POST", "/plans/{slug}/measurements/grid"): Spec(
        Do.measure,
        lambda i: Req(
            f"/plans/{i.plan}/measurements/grid", form={f"v:{i.metric_code}|2024-03": "71"}
        ),
    ),
    # Owners and dates in bulk: the side's strategy and metric in one save (each row is an edit).
    ("PUT", f"{API}/plans/{{slug}}/assignments"): Spec(
        Do.edit,
        lambda i: Req(
            f"{API}/plans/{i.plan}/assignments",
            json={
                "rows": [
                    {
                        "kind": "strategy",
                        **_version(i.strategy),
                        "id": i.strategy.id,
                        "leads": ["Changed"],
                    },
                    {
                        "kind": "metric",
                        **_version(i.metric),
                        "id": i.metric.id,
                        "frequency": "quarterly",
                    },
                ]
            },
        ),
    ),
    ("POST", "/plans/{slug}/owners"): Spec(
        Do.edit,
        lambda i: Req(
            f"/plans/{i.plan}/owners",
            form={
                f"s{i.strategy.id}": f"{i.strategy.version}:",
                f"s{i.strategy.id}.leads": "Changed",
                f"m{i.metric.id}": f"{i.metric.version}:",
                f"m{i.metric.id}.frequency": "quarterly",
            },
        ),
    ),
    ("POST", "/plans/{slug}/measurements/upload"): Spec(
        Do.measure,
        lambda i: Req(
            f"/plans/{i.plan}/measurements/upload",
            files={
                "file": (
                    "values.csv",
                    f"metric code,period,value\n{i.metric_code},2024-03,71\n".encode(),
                )
            },
        ),
    ),
    ("POST", "/my-work/quick-wins/{quick_win_id}/progress"): Spec(
        Do.progress,
        lambda i: Req(
            f"/my-work/quick-wins/{i.quick_win.id}/progress",
            form={"version": str(i.quick_win.version), "status": "complete"},
        ),
    ),
    ("POST", "/plans/{slug}/quick-wins"): Spec(
        Do.progress,
        lambda i: Req(
            f"/plans/{i.plan}/quick-wins",
            form={
                "quick_win_id": str(i.quick_win.id),
                "version": str(i.quick_win.version),
                "status": "complete",
            },
        ),
    ),
    # --- pages: the plan builder's items (strategies, steps, metrics, quick wins)
    ("POST", "/plans/{slug}/strategies/new"): Spec(
        Do.edit,
        lambda i: Req(
            f"/plans/{i.plan}/strategies/new",
            form={
                "code": f"NEW-{i.strategy.id}",
                "title": "New",
                "department_id": str(i.department_id),
            },
        ),
    ),
    ("POST", "/strategies/{strategy_id}/edit"): Spec(
        Do.edit,
        lambda i: Req(
            f"/strategies/{i.strategy.id}/edit",
            form={
                "version": str(i.strategy.version),
                "title": "Changed",
                "department_id": str(i.department_id),
            },
        ),
    ),
    ("POST", "/strategies/{strategy_id}/archive"): Spec(
        Do.edit,
        lambda i: Req(
            f"/strategies/{i.strategy.id}/archive", form={"version": str(i.strategy.version)}
        ),
    ),
    ("POST", "/strategies/{strategy_id}/restore"): Spec(
        Do.restore,
        lambda i: Req(
            f"/strategies/{i.archived_strategy.id}/restore",
            form={"version": str(i.archived_strategy.version)},
        ),
    ),
    # Side A's strategy is first of the plan's strategies outside focus areas, B's second (X's
    # plan has one only, so it cannot move).
    ("POST", "/strategies/{strategy_id}/move"): Spec(
        Do.build,
        lambda i: Req(
            f"/strategies/{i.strategy.id}/move",
            form={"to": "down" if i.metric_code.endswith("A") else "up"},
        ),
        ("A", "B"),
    ),
    ("POST", "/strategies/{strategy_id}/steps"): Spec(
        Do.edit,
        lambda i: Req(f"/strategies/{i.strategy.id}/steps", form={"title": "New step"}),
    ),
    ("POST", "/steps/{step_id}/edit"): Spec(
        Do.edit,
        lambda i: Req(
            f"/steps/{i.step.id}/edit", form={"version": str(i.step.version), "title": "Changed"}
        ),
    ),
    ("POST", "/steps/{step_id}/archive"): Spec(
        Do.edit,
        lambda i: Req(f"/steps/{i.step.id}/archive", form={"version": str(i.step.version)}),
    ),
    ("POST", "/plans/{slug}/metrics/new"): Spec(
        Do.edit,
        lambda i: Req(
            f"/plans/{i.plan}/metrics/new",
            form={
                "code": f"{i.metric_code}-N",
                "name": "New",
                "unit": "percent",
                "direction": "higher",
                "department_id": str(i.department_id),
            },
        ),
    ),
    ("POST", "/metrics/{metric_id}/edit"): Spec(
        Do.edit,
        lambda i: Req(
            f"/metrics/{i.metric.id}/edit",
            form={
                "version": str(i.metric.version),
                "name": "Changed",
                "unit": "percent",
                "direction": "higher",
                "department_id": str(i.department_id),
            },
        ),
    ),
    ("POST", "/metrics/{metric_id}/targets"): Spec(
        Do.edit,
        lambda i: Req(
            f"/metrics/{i.metric.id}/targets",
            form={
                "version": str(i.metric.version),
                "value": "85",
                "comparator": "at_least",
                "effective_from": "2025-01-01",
            },
        ),
    ),
    ("POST", "/metrics/{metric_id}/archive"): Spec(
        Do.edit,
        lambda i: Req(f"/metrics/{i.metric.id}/archive", form={"version": str(i.metric.version)}),
    ),
    ("POST", "/metrics/{metric_id}/restore"): Spec(
        Do.restore,
        lambda i: Req(
            f"/metrics/{i.archived_metric.id}/restore",
            form={"version": str(i.archived_metric.version)},
        ),
    ),
    ("POST", "/plans/{slug}/quick-wins/new"): Spec(
        Do.edit,
        lambda i: Req(
            f"/plans/{i.plan}/quick-wins/new",
            form={
                "number": str(5000 + i.quick_win.id),
                "summary": "New",
                "department_id": str(i.department_id),
            },
        ),
    ),
    ("POST", "/quick-wins/{quick_win_id}/edit"): Spec(
        Do.edit,
        lambda i: Req(
            f"/quick-wins/{i.quick_win.id}/edit",
            form={
                "version": str(i.quick_win.version),
                "summary": "Changed",
                "department_id": str(i.department_id),
            },
        ),
    ),
    ("POST", "/quick-wins/{quick_win_id}/archive"): Spec(
        Do.edit,
        lambda i: Req(
            f"/quick-wins/{i.quick_win.id}/archive", form={"version": str(i.quick_win.version)}
        ),
    ),
    ("POST", "/quick-wins/{quick_win_id}/restore"): Spec(
        Do.restore,
        lambda i: Req(
            f"/quick-wins/{i.archived_quick_win.id}/restore",
            form={"version": str(i.archived_quick_win.version)},
        ),
    ),
    # --- pages: users and the account (the "item" is a person of department A or B, or of
    # another organisation; an API token belongs to lead A, lead B or an Otherton viewer)
    ("POST", "/admin/users"): Spec(
        Do.manage_users,
        lambda i: Req(
            "/admin/users",
            form={
                "username": f"new-{i.username}",
                "role": "lead",
                "organization": i.organization,
                "department": str(i.department_id),
                "password": PASSWORD,
            },
        ),
    ),
    ("POST", "/admin/users/{user_id}/role"): Spec(
        Do.manage_users,
        lambda i: Req(f"/admin/users/{i.user.id}/role", form={"role": "coordinator"}),
    ),
    ("POST", "/admin/users/{user_id}/deactivate"): Spec(
        Do.manage_users, lambda i: Req(f"/admin/users/{i.user.id}/deactivate")
    ),
    ("POST", "/admin/users/{user_id}/details"): Spec(
        Do.manage_users,
        lambda i: Req(
            f"/admin/users/{i.user.id}/details",
            form={
                "version": str(i.user.version),
                "display_name": "Changed",
                "email": f"{i.username}@example.org",
            },
        ),
    ),
    ("POST", "/admin/users/{user_id}/reset-link"): Spec(
        Do.manage_users, lambda i: Req(f"/admin/users/{i.user.id}/reset-link")
    ),
    ("POST", "/admin/users/{user_id}/reactivate"): Spec(
        Do.manage_users, lambda i: Req(f"/admin/users/{i.inactive_user.id}/reactivate")
    ),
    # One's own account: every person's row is at version 1, with the password PASSWORD.
    ("POST", "/account/profile"): Spec(
        Do.own_account,
        lambda i: Req(
            "/account/profile",
            form={"version": "1", "display_name": "Me", "email": "", "reminder_frequency": "none"},
        ),
        sides=("A",),
    ),
    ("POST", "/account/password"): Spec(
        Do.own_account,
        lambda i: Req(
            "/account/password",
            form={
                "current_password": PASSWORD,
                "password": NEW_PASSWORD,
                "password_again": NEW_PASSWORD,
            },
        ),
        sides=("A",),
    ),
    ("POST", "/reset/{token}"): Spec(
        Do.use_reset_link,
        lambda i: Req(
            f"/reset/{i.reset_token}",
            form={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        ),
        sides=("A",),
    ),
    ("POST", f"{API}/users"): Spec(
        Do.manage_users,
        lambda i: Req(
            f"{API}/users",
            json={
                "username": f"api-{i.username}",
                "role": "viewer",
                "organization": i.organization,
                "email": f"api-{i.username}@example.org",
            },
        ),
    ),
    ("PATCH", f"{API}/users/{{user_id}}"): Spec(
        Do.manage_users,
        lambda i: Req(
            f"{API}/users/{i.user.id}", json={**_version(i.user), "display_name": "Changed"}
        ),
    ),
    ("POST", f"{API}/users/{{user_id}}/reset-link"): Spec(
        Do.manage_users, lambda i: Req(f"{API}/users/{i.user.id}/reset-link")
    ),
    ("POST", f"{API}/users/{{user_id}}/reactivate"): Spec(
        Do.manage_users, lambda i: Req(f"{API}/users/{i.inactive_user.id}/reactivate")
    ),
    ("PATCH", f"{API}/account"): Spec(
        Do.own_account,
        lambda i: Req(f"{API}/account", json={"version": 1, "reminder_frequency": "none"}),
        sides=("A",),
    ),
    ("POST", f"{API}/account/password"): Spec(
        Do.own_account,
        lambda i: Req(
            f"{API}/account/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        ),
        sides=("A",),
    ),
    ("POST", "/account/tokens"): Spec(
        Do.own_account, lambda i: Req("/account/tokens", form={"name": "mine"}), sides=("A",)
    ),
    ("POST", "/account/tokens/{token_id}/revoke"): Spec(
        Do.revoke_token, lambda i: Req(f"/account/tokens/{i.token_id}/revoke")
    ),
    ("POST", "/login"): Spec(
        Do.sign_in,
        lambda i: Req("/login", form={"username": i.username, "password": PASSWORD}),
        sides=("A", "B"),
    ),
    ("POST", "/login/demo"): Spec(
        Do.demo_sign_in,
        lambda i: Req("/login/demo", form={"username": i.username}),
        sides=("A",),
    ),
    ("POST", "/logout"): Spec(Do.sign_out, lambda i: Req("/logout"), sides=("A",)),
    # --- mail (issue 13): the outbox's retry, page and API; the one-click unsubscribe link
    ("POST", "/admin/outbox/{message_id}/retry"): Spec(
        Do.administer_mail, lambda i: Req(f"/admin/outbox/{i.failed_mail}/retry"), PART_SIDES
    ),
    (
        "POST",
        f"{API}/outbox/{{message_id}}/retry",
    ): Spec(Do.administer_mail, lambda i: Req(f"{API}/outbox/{i.failed_mail}/retry"), PART_SIDES),
    ("POST", "/unsubscribe/{token}"): Spec(
        Do.unsubscribe,
        lambda i: Req(
            f"/unsubscribe/{unsubscribe_links.make_token(i.user.id, 'reminders')}",
            form={"List-Unsubscribe": "One-Click"},
        ),
        sides=("A",),
    ),
    **PART_SPECS,
    # --- pages: the plan builder (one set of routes for every kind: each tried on one kind)
    ("POST", "/plans/{slug}/build/{kind}/new"): Spec(
        Do.build,
        lambda i: Req(f"/plans/{i.plan}/build/goals/new", form={"code": "NEW", "title": "New"}),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/build/{kind}/{part_id}"): Spec(
        Do.build,
        lambda i: Req(
            f"/plans/{i.plan}/build/journeys/{i.parts['journeys'].id}",
            form={"version": str(i.parts["journeys"].version), "title": "Changed"},
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/build/{kind}/{part_id}/archive"): Spec(
        Do.build,
        lambda i: Req(
            f"/plans/{i.plan}/build/departments/{i.parts['departments'].id}/archive",
            form={"version": str(i.parts["departments"].version)},
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/build/{kind}/{part_id}/restore"): Spec(
        Do.restore,
        lambda i: Req(
            f"/plans/{i.plan}/build/statements/{i.old_parts['statements'].id}/restore",
            form={"version": str(i.old_parts["statements"].version)},
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/build/{kind}/{part_id}/move"): Spec(
        Do.build,
        lambda i: Req(
            f"/plans/{i.plan}/build/phases/{i.parts['phases'].id}/move",
            form={"direction": "down"},
        ),
        PART_SIDES,
    ),
    ("POST", "/plans/{slug}/build/{kind}/{part_id}/order"): Spec(
        Do.build,
        lambda i: Req(
            f"/plans/{i.plan}/build/phases/{i.parts['phases'].id}/order",
            form={"ids": ",".join(map(str, i.orders["phases"][::-1]))},
        ),
        PART_SIDES,
    ),
    **LIFECYCLE_SPECS,
    **SESSION_SPECS,
    **PUBLISHING_SPECS,
    **UPDATE_CYCLE_SPECS,
}


def _cases() -> list[Any]:
    cases = []
    for method, path in UNSAFE_ROUTES:
        spec = SPECS.get((method, path))
        for side in spec.sides if spec else ("A", "B"):
            for who in PEOPLE:
                cases.append(
                    pytest.param(who, method, path, side, id=f"{who}|{method} {path}|{side}")
                )
    return cases


CASES = _cases()


# --- the database before and after ---------------------------------------------------------------

# Bookkeeping every authenticated write may move, refused or not.
VOLATILE = {"user_session": {"last_seen_at"}, "api_token": {"last_used_at"}}


def checking_engine(url: str) -> Engine:
    """The engine the matrix reads its copy through: one per URL (the copy keeps its URL) and
    without a pool, so nothing stays open while the next cell replaces the copy. A new engine
    per cell compiled the snapshot's sixty-odd SELECTs again every time."""
    return _checking_engine(url)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in VOLATILE.get(table.name, set())]
            order = list(table.primary_key.columns) or columns
            out[table.name] = [tuple(r) for r in conn.execute(sa_select(*columns).order_by(*order))]
    return out


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def history_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM history_entry")).scalar_one())


# --- the matrix ----------------------------------------------------------------------------------


def _send(world: World, who: str, method: str, req: Req) -> Any:
    client = TestClient(APP, base_url="http://testserver")
    creds = world.people[who]
    headers = {"HX-Request": "true"}  # pages answer htmx with 200 (a plain post: 303)
    if req.url.startswith(API + "/"):
        if creds.bearer:
            headers["Authorization"] = f"Bearer {creds.bearer}"
    elif creds.cookie:
        client.cookies.set(SESSION_COOKIE, creds.cookie)
        headers["X-CSRF-Token"] = creds.csrf
    else:  # anonymous page post: the sign-in forms' pre-session token, so CSRF does not refuse
        client.cookies.set(LOGIN_CSRF_COOKIE, world.login_cookie)
        headers["X-CSRF-Token"] = world.login_csrf
    return client.request(
        method,
        req.url,
        json=req.json,
        data=req.form,
        files=req.files,
        content=req.content,
        headers=headers,
        follow_redirects=False,
    )


def _accepted(answer: Any) -> bool:
    if 200 <= answer.status_code < 300:
        return True
    location = answer.headers.get("location", "")
    return answer.status_code in (302, 303) and not location.startswith("/login")


def _refused(answer: Any, *, signed_in: bool) -> bool:
    """Refused by the rules: a signed-in person with 403 (or 404 where the item is hidden), an
    anonymous one with 401 or the sign-in redirect; never by CSRF, which would make the cell
    prove nothing about permissions (and a 401 for a signed-in person means broken
    credentials, not a rule)."""
    text = html.unescape(answer.text)
    if CSRF_REFUSED in text or LOGIN_CSRF_REFUSED in text:
        return False
    if signed_in:
        return answer.status_code in (403, 404)
    if answer.status_code in (401, 404):
        return True
    return answer.status_code == 303 and answer.headers["location"].startswith("/login")


@pytest.mark.parametrize(("who", "method", "path", "side"), CASES)
def test_permission_matrix(
    world: World, world_copy: Copy, who: str, method: str, path: str, side: str
) -> None:
    spec = SPECS.get((method, path))
    if spec is None:
        pytest.fail(
            f"{method} {path} is an unsafe route the permission matrix does not know how to "
            "fill: add it to SPECS in tests/routes/test_permission_matrix.py with the rule it "
            "follows"
        )
    req = spec.fill(world.items[side])
    expect = expected(who, spec.do, side)
    engine = checking_engine(world_copy.url)
    before, history_before = snapshot(engine), history_count(engine)
    answer = _send(world, who, method, req)
    after, history_after = snapshot(engine), history_count(engine)
    said = f"{who} {method} {req.url} ({spec.do} on {side}'s item): {answer.status_code}"
    body = answer.text[:300]
    changed = changed_tables(before, after)
    assert answer.status_code < 500, f"{said}\n{body}"
    if expect == Expect.allow:
        assert _accepted(answer), f"{said}, expected to be allowed\n{body}"
        assert changed, f"{said} was accepted but changed nothing"
        if spec.do in (Do.edit, Do.progress, Do.measure, Do.void, Do.restore):
            assert history_after > history_before, f"{said}: a change without history"
    elif expect == Expect.refuse:
        assert not _accepted(answer), f"{said}: UNEXPECTED SUCCESS\n{body}"
        signed_in = who != "anonymous"
        assert _refused(answer, signed_in=signed_in), f"{said}: not a refusal by the rules\n{body}"
        assert not changed, f"{said} was refused but changed {changed}"
        assert history_after == history_before
    else:
        assert not changed, f"{said}: {changed} changed"
    world_copy.dirty = bool(changed)


# --- moving an item to another department ---------------------------------------------------------

# A change of owner is a change to both departments' work: it needs the right to change items of
# the department it leaves and of the one it joins.
MOVES = {
    f"{API}/strategies/{{strategy_id}}": lambda i: f"{API}/strategies/{i.strategy.id}",
    f"{API}/quick-wins/{{quick_win_id}}": lambda i: f"{API}/quick-wins/{i.quick_win.id}",
    f"{API}/metrics/{{metric_id}}": lambda i: f"{API}/metrics/{i.metric.id}",
}
MOVE_CASES = [
    pytest.param(who, "PATCH", path, side, to, id=f"{who}|PATCH {path}|{side}->{to}")
    for path in MOVES
    for side, to in (("A", "B"), ("B", "A"))
    for who in PEOPLE
]


@pytest.mark.parametrize(("who", "method", "path", "side", "to"), MOVE_CASES)
def test_moving_an_item_to_another_department(
    world: World, world_copy: Copy, who: str, method: str, path: str, side: str, to: str
) -> None:
    item, other = world.items[side], world.items[to]
    row = {"strategies": item.strategy, "quick-wins": item.quick_win, "metrics": item.metric}[
        path.split("/")[3]
    ]
    req = Req(MOVES[path](item), json={**_version(row), "department_id": other.department_id})
    allowed = all(expected(who, Do.edit, s) == Expect.allow for s in (side, to))
    engine = checking_engine(world_copy.url)
    before = snapshot(engine)
    answer = _send(world, who, method, req)
    changed = changed_tables(before, snapshot(engine))
    said = f"{who} moving {req.url} from {side} to {to}: {answer.status_code}"
    if allowed:
        assert answer.status_code == 200 and changed, f"{said}\n{answer.text[:300]}"
    else:
        assert _refused(answer, signed_in=who != "anonymous"), f"{said}\n{answer.text[:300]}"
        assert not changed, f"{said} was refused but changed {changed}"
    world_copy.dirty = bool(changed)


# --- the matrix itself cannot pass by being empty or badly filled --------------------------------


def test_every_unsafe_route_is_in_the_matrix() -> None:
    missing = [f"{m} {p}" for m, p in UNSAFE_ROUTES if (m, p) not in SPECS]
    assert not missing, f"unsafe routes the permission matrix cannot fill: {missing}"
    stale = [f"{m} {p}" for m, p in SPECS if (m, p) not in UNSAFE_ROUTES]
    assert not stale, f"SPECS names routes the app no longer has: {stale}"
    assert {c.values[0] for c in CASES} == set(PEOPLE)
    assert len(UNSAFE_ROUTES) >= 36


def test_every_route_has_someone_allowed_so_its_filling_is_proven() -> None:
    """A refusal is only evidence when the same request is accepted for someone: each route
    (demo sign-in aside, off outside demo mode) has an allowed cell on every side it tries (but
    another organisation's API token, which only its owner, outside the matrix, may revoke)."""
    for (method, path), spec in SPECS.items():
        if spec.do == Do.demo_sign_in:
            continue
        for side in spec.sides:
            if (spec.do, side) == (Do.revoke_token, "X"):
                continue
            allowed = [who for who in PEOPLE if expected(who, spec.do, side) == Expect.allow]
            assert allowed, f"{method} {path} on {side}: nobody is expected to succeed"


def test_the_rules_say_what_the_product_says() -> None:
    cases = {
        ("lead_A", Do.edit, "A"): Expect.allow,
        ("lead_A", Do.edit, "B"): Expect.refuse,
        ("lead_B", Do.measure, "A"): Expect.refuse,
        ("coordinator", Do.progress, "B"): Expect.allow,
        ("coordinator", Do.progress, "X"): Expect.refuse,
        ("coordinator", Do.edit, "A"): Expect.allow,
        ("coordinator", Do.measure, "X"): Expect.refuse,
        ("coordinator", Do.restore, "A"): Expect.refuse,
        ("viewer", Do.progress, "A"): Expect.refuse,
        ("anonymous", Do.progress, "A"): Expect.refuse,
        ("lead_A", Do.restore, "A"): Expect.refuse,
        ("admin", Do.restore, "A"): Expect.allow,
        ("admin", Do.restore, "X"): Expect.refuse,
        ("admin", Do.edit, "X"): Expect.refuse,
        ("admin", Do.manage_users, "X"): Expect.refuse,
        ("admin_X", Do.edit, "X"): Expect.allow,
        ("admin_X", Do.progress, "A"): Expect.refuse,
        ("admin_X", Do.manage_users, "B"): Expect.refuse,
        ("installation_admin", Do.edit, "X"): Expect.allow,
        ("installation_admin", Do.manage_users, "A"): Expect.allow,
        ("installation_admin", Do.restore, "X"): Expect.allow,
        ("admin", Do.revoke_token, "A"): Expect.refuse,
        ("lead_A", Do.revoke_token, "A"): Expect.allow,
        ("anonymous", Do.sign_out, "A"): Expect.nothing,
        ("lead_A", Do.hold_session, "A"): Expect.refuse,
        ("viewer", Do.hold_session, "A"): Expect.refuse,
        ("coordinator", Do.hold_session, "A"): Expect.allow,
        ("coordinator", Do.hold_session, "X"): Expect.refuse,
    }
    for (who, do, side), answer in cases.items():
        assert expected(who, do, side) == answer, (who, do, side)
