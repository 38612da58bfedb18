"""A synthetic city, for benchmarks and for trying PlanTrack at a real organisation's size.

`generate_demo_city(scale=1)` makes about 40 departments, 8 plans (a few owned by a department),
60 focus areas, 600 strategies, 5,000 workplan steps, 1,200 metrics with 36 monthly measurements
each, quick wins, personas, and 20,000 progress updates in the history over three years, by users
it creates (a lead per department, coordinators, an admin, viewers; none has a password). Every
count grows linearly with `scale` (0.05 is fine); the city-wide plan holds a quarter of the work,
so the largest plan grows with the city too.

Deterministic: the same seed and `today` give the same rows, ids included when the database holds
no other generated city (ids continue after the rows already there). Fast: rows are built in
memory and written with SQLAlchemy core `insert()` in chunks, in the caller's transaction, with
ids assigned here (on PostgreSQL the id sequences are moved past them afterwards).

The generated history is consistent with the suite's rule that a row's version moves only with a
history entry: every generated row is at version 1 and the progress entries carry no
`version_after`, and each strategy's status, progress, narrative and `last_update_at` are those
of its latest progress entry.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlmodel import Session

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    HistoryField,
    Journey,
    Measurement,
    Metric,
    MetricTarget,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    StrategyGoal,
    User,
    WorkplanStep,
)
from app.models.enums import Role
from app.services.errors import DomainError

CHUNK = 5_000

# What scale 1 holds (the issue's "city of about 40 departments").
BASE = {
    "departments": 40,
    "plans": 8,
    "focus_areas": 60,
    "strategies": 600,
    "steps": 5_000,
    "metrics": 1_200,
    "quick_wins": 120,
    "progress_updates": 20_000,
    "coordinators": 6,
    "viewers": 10,
}
MONTHS_OF_MEASUREMENTS = 36
HISTORY_DAYS = 3 * 365
FLAGSHIP_SHARE = 0.25  # the city-wide plan's share of focus areas (and so of everything below)


class DemoCityExists(DomainError):
    status_code = 409
    code = "exists"


@dataclass
class DemoCity:
    """What was generated: counts per table, and names a benchmark or a test needs."""

    organization_id: int
    organization_slug: str
    plan_slugs: list[str]
    largest_plan_slug: str
    largest_department_code: str
    counts: dict[str, int] = field(default_factory=dict)
    usernames: dict[str, list[str]] = field(default_factory=dict)


def organization_slug(seed: int) -> str:
    return f"demo-city-{seed}"


def scaled(base: int, scale: float) -> int:
    return max(1, round(base * scale))


# --- vocabulary ---------------------------------------------------------------------------------

DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("PW", "Public Works"),
    ("DOT", "Transportation"),
    ("WTR", "Water Services"),
    ("PRK", "Parks and Recreation"),
    ("LIB", "Library Services"),
    ("PD", "Police"),
    ("FIRE", "Fire"),
    ("OEM", "Emergency Management"),
    ("PLN", "Planning and Development"),
    ("BLD", "Building Services"),
    ("HSG", "Housing"),
    ("ECD", "Economic Development"),
    ("FIN", "Finance"),
    ("HR", "Human Resources"),
    ("IT", "Information Technology"),
    ("COMM", "Communications"),
    ("CLK", "City Clerk"),
    ("CAO", "City Attorney"),
    ("CMO", "City Manager's Office"),
    ("ESD", "Environmental Services"),
    ("SWM", "Solid Waste Management"),
    ("TRN", "Transit"),
    ("AIR", "Airport"),
    ("ANM", "Animal Services"),
    ("CODE", "Code Enforcement"),
    ("PH", "Public Health"),
    ("CS", "Community Services"),
    ("ART", "Arts and Culture"),
    ("RE", "Real Estate and Facilities"),
    ("FLT", "Fleet Services"),
    ("PRC", "Procurement"),
    ("BUD", "Budget Office"),
    ("C311", "311 Customer Contact"),
    ("DEI", "Equity and Inclusion"),
    ("SUS", "Sustainability"),
    ("STM", "Stormwater"),
    ("ENG", "Engineering"),
    ("TOPS", "Traffic Operations"),
    ("FOR", "Urban Forestry"),
    ("CEM", "Cemeteries"),
)

PLANS: tuple[tuple[str, str, str | None, str, str], ...] = (
    # slug part, title, owning department code (None: city-wide), what it calls a strategy and
    # strategies (plurals spelt out: "Strategy" is not made plural by adding an s)
    ("strategic-plan", "City Strategic Plan", None, "Strategy", "Strategies"),
    (
        "customer-service",
        "Customer Service Transformation",
        None,
        "Recommendation",
        "Recommendations",
    ),
    ("climate-action", "Climate Action Plan", None, "Action", "Actions"),
    ("housing", "Housing Action Plan", None, "Initiative", "Initiatives"),
    ("digital", "Digital Services Strategy", "IT", "Initiative", "Initiatives"),
    ("assets", "Public Works Asset Management Plan", "PW", "Objective", "Objectives"),
    ("library", "Library Strategic Plan", "LIB", "Strategy", "Strategies"),
    ("parks", "Parks and Open Space Master Plan", "PRK", "Action", "Actions"),
)

THEMES = (
    "Safe and Healthy Community",
    "Reliable Infrastructure",
    "Economic Vitality",
    "Environmental Stewardship",
    "Responsive Customer Service",
    "Housing for All",
    "Connected Neighbourhoods",
    "Good Governance",
    "Digital City",
    "Inclusive Engagement",
    "Sustainable Transportation",
    "Arts, Culture and Recreation",
    "Workforce Excellence",
    "Financial Resilience",
    "Climate Resilience",
    "Clean Water",
    "Public Spaces",
    "Youth and Families",
    "Small Business Support",
    "Data-Driven Decisions",
)
VERBS = (
    "Modernise",
    "Expand",
    "Streamline",
    "Pilot",
    "Launch",
    "Improve",
    "Standardise",
    "Consolidate",
    "Digitise",
    "Strengthen",
    "Review",
    "Upgrade",
    "Introduce",
    "Extend",
)
OBJECTS = (
    "the permit intake process",
    "bilingual service at the contact centre",
    "pothole repair scheduling",
    "the online payment portal",
    "street lighting maintenance",
    "the community grants programme",
    "tree planting in low-canopy areas",
    "the 311 request tracker",
    "affordable housing incentives",
    "the fleet replacement plan",
    "storm drain inspections",
    "library opening hours",
    "the recreation booking system",
    "customer feedback surveys",
    "the open data catalogue",
    "sidewalk accessibility repairs",
    "energy retrofits of city buildings",
    "the small business help desk",
    "emergency alert notifications",
    "staff customer-service training",
    "the development review timeline",
    "transit stop amenities",
    "park maintenance standards",
    "the cemetery records archive",
    "the procurement card programme",
)
QUALIFIERS = (
    "citywide",
    "in priority neighbourhoods",
    "for residents and businesses",
    "by 2027",
    "with partner agencies",
    "in two pilot districts",
    "across all service channels",
    "",
)
STEP_TITLES = (
    "Draft the project charter",
    "Confirm the budget",
    "Map the current process",
    "Engage residents and staff",
    "Procure a vendor",
    "Design the new service",
    "Pilot in one district",
    "Train front-line staff",
    "Launch citywide",
    "Publish the results",
    "Evaluate the pilot",
    "Update the policy",
    "Hire the project lead",
    "Migrate the data",
    "Report to council",
)
MEASURES = (
    "Charter signed by the sponsor",
    "Budget line approved",
    "Process map published",
    "Two workshops held",
    "Contract awarded",
    "Design approved",
    "Pilot report filed",
    "90% of staff trained",
    "Service live in every district",
    "Report on the website",
)
NARRATIVES = (
    "Work is proceeding as planned; the next milestone is on schedule.",
    "Vendor selection took longer than expected; recovery plan agreed with the sponsor.",
    "Pilot results are encouraging and the rollout starts next quarter.",
    "Staffing vacancies slowed progress this month.",
    "Waiting on budget approval before the next phase can begin.",
    "Community engagement sessions completed with strong turnout.",
    "Scope clarified with partner departments; timeline unchanged.",
    "Technical integration issues found in testing; fix in progress.",
    "Council update delivered; no change to the plan.",
    "Paused while the department reorganises; resumes next quarter.",
)
NOTES = ("", "", "", "Monthly update", "Quarterly review", "After the steering meeting")
FIRST_NAMES = (
    "Maria",
    "James",
    "Aisha",
    "Wei",
    "Carlos",
    "Priya",
    "Olivia",
    "Tomás",
    "Fatima",
    "Noah",
    "Grace",
    "Mateo",
    "Hannah",
    "Kenji",
    "Amara",
    "Lucas",
    "Sofia",
    "Omar",
    "Chloe",
    "Daniel",
)
LAST_NAMES = (
    "Lopez",
    "Nguyen",
    "Smith",
    "Patel",
    "Garcia",
    "Kim",
    "Okafor",
    "Chen",
    "Rossi",
    "Brown",
    "Haddad",
    "Silva",
    "Martin",
    "Singh",
    "Johnson",
    "Kowalski",
    "Tanaka",
    "Dubois",
    "Ali",
    "Reyes",
)
PERSONAS = (
    ("New resident", "Just moved to the city and sets up services."),
    ("Small business owner", "Needs permits and licences quickly."),
    ("Senior resident", "Prefers the phone and in-person help."),
    ("Commuter", "Travels across the city every day."),
    ("Parent of young children", "Uses parks, libraries and recreation programmes."),
)
JOURNEYS = (
    "Start water service",
    "Apply for a permit",
    "Report a pothole",
    "Book a recreation class",
    "Pay a parking ticket",
    "Renew a business licence",
    "Find a library programme",
)
STATEMENTS = (
    ("standard", "Timely", "We respond within the time we promise."),
    ("standard", "Accessible", "Services are easy to reach in every language and channel."),
    ("value", "Respectful", "Every person is treated with courtesy and empathy."),
    ("guiding_principle", "Transparent", "We explain decisions and publish results."),
    ("commitment", "Accountable", "We measure, report and improve."),
)
# name, unit, direction, (low, high) for a starting value, relative target improvement
METRICS: tuple[tuple[str, str, str, tuple[float, float], float], ...] = (
    ("Average call wait time", "minutes", "lower", (3, 12), -0.3),
    ("First contact resolution", "percent", "higher", (55, 75), 0.15),
    ("Potholes repaired within 48 hours", "percent", "higher", (50, 80), 0.2),
    ("Permit processing time", "days", "lower", (20, 60), -0.25),
    ("Customer satisfaction score", "score", "higher", (3, 4), 0.1),
    ("Library visits", "count", "higher", (8000, 30000), 0.1),
    ("Emergency response time", "minutes", "lower", (6, 10), -0.1),
    ("Tree canopy cover", "percent", "higher", (15, 30), 0.1),
    ("Complaints per 1,000 residents", "rate", "lower", (2, 9), -0.2),
    ("Cost per service request", "currency", "lower", (20, 90), -0.1),
    ("Budget variance", "percent", "hold", (-2, 2), 0.0),
    ("Training hours per employee", "hours", "higher", (4, 20), 0.3),
)
FREQUENCIES = ("monthly", "monthly", "monthly", "quarterly", "annual")
HORIZONS = ("near_term", "near_term", "long_term", "vision")
SERVICE_AREA_ISSUES = (
    "Language Access",
    "Staffing",
    "Wait Times",
    "Online Services",
    "Signage",
    "Follow-up",
)


# --- helpers ------------------------------------------------------------------------------------


def _apportion(total: int, weights: Sequence[float], *, minimum: int = 0) -> list[int]:
    """Split `total` into len(weights) whole parts proportional to `weights` (largest remainder),
    each at least `minimum` when the total allows it."""
    n = len(weights)
    if n == 0:
        return []
    floor = minimum if total >= minimum * n else 0
    rest = total - floor * n
    whole = sum(weights) or 1.0
    exact = [rest * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + floor for p in parts]


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment on `day`, in UTC."""
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(14, 23),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=dt.UTC,
    )


class _Ids:
    """Ids continue after what each table already holds (read inside the write transaction)."""

    def __init__(self, session: Session, tables: Iterable[Table]) -> None:
        self.next: dict[str, int] = {}
        for table in tables:
            current = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
            self.next[table.name] = int(current) + 1

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


def _write(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (their "_" keys are the generator's own notes, not columns) in chunks."""
    connection = session.connection()
    names = [c.name for c in table.c]
    for start in range(0, len(rows), CHUNK):
        chunk = [{n: row.get(n) for n in names} for row in rows[start : start + CHUNK]]
        connection.execute(insert(table), chunk)


# --- the generator ------------------------------------------------------------------------------


def generate_demo_city(
    *, session: Session, scale: float = 1.0, seed: int = 1, today: dt.date | None = None
) -> DemoCity:
    """Write a synthetic city in `session`'s transaction (the caller commits).

    Refused (DemoCityExists) when organisation `demo-city-<seed>` is already there.
    """
    if not scale > 0:
        raise ValueError("scale must be positive")
    today = today or dt.date.today()
    slug = organization_slug(seed)
    if session.execute(select(Organization.id).where(Organization.slug == slug)).first():
        raise DemoCityExists(
            f"organisation '{slug}' already exists: choose another --seed, or use a new database"
        )
    return _Generator(session=session, scale=scale, seed=seed, today=today).run()


class _Generator:
    def __init__(self, *, session: Session, scale: float, seed: int, today: dt.date) -> None:
        self.session = session
        self.scale = scale
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        self.slug = organization_slug(seed)
        self.created = _moment(today - dt.timedelta(days=HISTORY_DAYS + 30), random.Random(seed))
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.tables = {
            m.__tablename__: m.__table__  # type: ignore[attr-defined]
            for m in (
                Organization,
                Department,
                User,
                Plan,
                Statement,
                Phase,
                FocusArea,
                Goal,
                Strategy,
                StrategyGoal,
                WorkplanStep,
                Metric,
                MetricTarget,
                Measurement,
                QuickWin,
                Persona,
                Journey,
                HistoryEntry,
                HistoryField,
            )
        }
        self.ids = _Ids(session, [t for name, t in self.tables.items() if name != "strategy_goal"])

    # rows -----------------------------------------------------------------------------------

    def add(self, model: type, **values: Any) -> int | None:
        table = self.tables[model.__tablename__]  # type: ignore[attr-defined]
        if "id" in table.c and "id" not in values:
            values["id"] = self.ids.take(table)
        if "created_at" in table.c:
            values.setdefault("created_at", self.created)
            values.setdefault("updated_at", values["created_at"])
        if "version" in table.c:
            values.setdefault("version", 1)
            values.setdefault("archived_at", None)
        self.rows.setdefault(table.name, []).append(values)
        return values.get("id")

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    # the city -------------------------------------------------------------------------------

    def run(self) -> DemoCity:
        rng, scale = self.rng, self.scale
        org_id = self.add(Organization, name=f"Demo City {self.seed}", slug=self.slug)
        assert org_id is not None
        self.org_id = org_id
        departments = self.departments(scaled(BASE["departments"], scale))
        users = self.users(departments)
        plans = self.plans(scaled(BASE["plans"], scale), departments)
        n_plans = len(plans)
        # Focus areas: the city-wide plan holds a quarter, the others share the rest; each plan at
        # least one, so every plan has work in it.
        n_fa = max(scaled(BASE["focus_areas"], scale), n_plans)
        weights = (
            [
                FLAGSHIP_SHARE * (n_plans - 1) / (1 - FLAGSHIP_SHARE) if i == 0 else 1.0
                for i in range(n_plans)
            ]
            if n_plans > 1
            else [1.0]
        )
        fa_per_plan = _apportion(n_fa, weights, minimum=1)
        focus_areas = []
        for plan, count in zip(plans, fa_per_plan, strict=True):
            focus_areas.extend(self.focus_areas(plan, count))
        n_strategies = max(scaled(BASE["strategies"], scale), len(focus_areas))
        per_fa = _apportion(n_strategies, [rng.uniform(0.6, 1.4) for _ in focus_areas], minimum=1)
        strategies = []
        for fa, count in zip(focus_areas, per_fa, strict=True):
            strategies.extend(self.strategies(fa, count, departments))
        self.steps(strategies, scaled(BASE["steps"], scale))
        self.history(strategies, scaled(BASE["progress_updates"], scale), users)
        self.metrics(
            plans,
            focus_areas,
            strategies,
            departments,
            users,
            max(scaled(BASE["metrics"], scale), n_plans),
        )
        self.quick_wins(plans, departments, max(scaled(BASE["quick_wins"], scale), n_plans))

        for name, table in self.tables.items():
            _write(self.session, table, self.rows.get(name, []))
        self._move_sequences()

        dept_load: dict[int, int] = {}
        for s in strategies:
            dept_load[s["department_id"]] = dept_load.get(s["department_id"], 0) + 1
        busiest = max(departments, key=lambda d: (dept_load.get(d["id"], 0), -d["id"]))
        return DemoCity(
            organization_id=org_id,
            organization_slug=self.slug,
            plan_slugs=[p["slug"] for p in plans],
            largest_plan_slug=plans[0]["slug"],
            largest_department_code=busiest["code"],
            counts={name: len(self.rows.get(name, [])) for name in self.tables},
            usernames=users["names"],
        )

    def _move_sequences(self) -> None:
        """PostgreSQL: explicit ids do not advance the sequences; move them past the new rows."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name in self.tables:
            if name == "strategy_goal":
                continue
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT MAX(id) FROM "{name}"))'
                )
            )

    def departments(self, count: int) -> list[dict[str, Any]]:
        out = []
        for i in range(count):
            code, name = DEPARTMENTS[i % len(DEPARTMENTS)]
            round_ = i // len(DEPARTMENTS)
            if round_:
                code, name = f"{code}{round_ + 1}", f"{name} (District {round_ + 1})"
            self.add(Department, organization_id=self.org_id, code=code, name=name)
            out.append(self.rows["department"][-1])
        return out

    def users(self, departments: list[dict[str, Any]]) -> dict[str, Any]:
        prefix = self.slug
        names: dict[str, list[str]] = {"lead": [], "coordinator": [], "admin": [], "viewer": []}
        lead_of: dict[int, tuple[int, str]] = {}

        def user(username: str, role: Role, department_id: int | None) -> tuple[int, str]:
            display = self.person()
            uid = self.add(
                User,
                organization_id=self.org_id,
                department_id=department_id,
                username=username,
                display_name=display,
                role=role.value,
                password_hash=None,
                active=True,
                last_login_at=None,
            )
            names[role.value].append(username)
            return uid, display  # type: ignore[return-value]

        for d in departments:
            lead_of[d["id"]] = user(f"{prefix}-{d['code'].lower()}-lead", Role.lead, d["id"])
        coordinators = [
            user(f"{prefix}-coordinator-{i + 1}", Role.coordinator, None)
            for i in range(scaled(BASE["coordinators"], self.scale))
        ]
        admin = user(f"{prefix}-admin", Role.admin, None)
        for i in range(scaled(BASE["viewers"], self.scale)):
            user(f"{prefix}-viewer-{i + 1}", Role.viewer, None)
        return {"lead_of": lead_of, "coordinators": coordinators, "admin": admin, "names": names}

    def plans(self, count: int, departments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_code = {d["code"]: d for d in departments}
        # Four years: three behind today, one ahead.
        start = _quarter_start(self.today - dt.timedelta(days=HISTORY_DAYS))
        end = _add_months(start, 48) - dt.timedelta(days=1)
        out = []
        for i in range(count):
            part, title, owner, noun, nouns = PLANS[i % len(PLANS)]
            round_ = i // len(PLANS)
            if round_:
                part, title = f"{part}-{round_ + 1}", f"{title} (District {round_ + 1})"
            owner_id = by_code[owner]["id"] if owner in by_code else None
            relative = i % 4 == 3
            self.add(
                Plan,
                organization_id=self.org_id,
                owning_department_id=owner_id,
                slug=f"{self.slug}-{part}",
                title=title,
                subtitle="A generated plan for benchmarks and demonstrations",
                status="adopted",
                period_start=start,
                period_end=end,
                adopted_on=start - dt.timedelta(days=45),
                schedule="relative" if relative else "calendar",
                schedule_origin=start if relative else None,
                published=i % 5 != 4,
                source="Generated by `plantrack demo-data`.",
                summary=f"{title}: how Demo City {self.seed} delivers on its priorities.",
                mission="Deliver services residents can rely on.",
                vision="A safe, healthy and thriving city for everyone.",
                mandate="Adopted by the City Council.",
                terminology={"strategy": noun, "strategies": nouns},
            )
            plan = self.rows["plan"][-1]
            out.append(plan)
            for pos, (kind, st_title, definition) in enumerate(STATEMENTS):
                self.add(
                    Statement,
                    plan_id=plan["id"],
                    kind=kind,
                    code=str(pos + 1),
                    position=pos,
                    title=st_title,
                    definition=definition,
                )
            middle = start + (end - start) / 2
            plan["_phases"] = [
                self.add(
                    Phase,
                    plan_id=plan["id"],
                    code="1",
                    position=0,
                    name="Phase 1",
                    description="Foundations",
                    start=start,
                    end=middle,
                ),
                self.add(
                    Phase,
                    plan_id=plan["id"],
                    code="2",
                    position=1,
                    name="Phase 2",
                    description="Scale and sustain",
                    start=middle + dt.timedelta(days=1),
                    end=end,
                ),
            ]
            plan["_middle"] = middle
            plan["_statements"] = [r["id"] for r in self.rows["statement"][-len(STATEMENTS) :]]
            for pos in range(2):
                name, description = PERSONAS[(i + pos) % len(PERSONAS)]
                persona_id = self.add(
                    Persona, plan_id=plan["id"], position=pos, name=name, description=description
                )
                for j in range(2):
                    self.add(
                        Journey,
                        persona_id=persona_id,
                        position=j,
                        title=JOURNEYS[(i + pos + j) % len(JOURNEYS)],
                        description="A typical journey through city services.",
                    )
        return out

    def focus_areas(self, plan: dict[str, Any], count: int) -> list[dict[str, Any]]:
        out = []
        themes = self.rng.sample(THEMES, min(count, len(THEMES)))
        for pos in range(count):
            title = themes[pos % len(themes)]
            if pos >= len(themes):
                title += f" {pos // len(themes) + 1}"
            self.add(
                FocusArea,
                plan_id=plan["id"],
                code=str(pos + 1),
                position=pos,
                title=title,
                description=f"How the city makes progress on {title.lower()}.",
                category=self.rng.choice(("people", "process", "technology", None)),
                active_from=plan["period_start"],
                active_to=plan["period_end"],
                narrative="",
            )
            fa = self.rows["focus_area"][-1]
            fa["_plan"] = plan
            fa["_goals"] = []
            for g in range(2):
                code = f"G{pos + 1}.{g + 1}"
                fa["_goals"].append(
                    self.add(
                        Goal,
                        plan_id=plan["id"],
                        focus_area_id=fa["id"],
                        code=code,
                        position=pos * 2 + g,
                        title=f"{title}: outcome {g + 1}",
                        description="",
                        outcomes=[f"Residents see better {title.lower()}"],
                    )
                )
            out.append(fa)
        return out

    def strategies(
        self, fa: dict[str, Any], count: int, departments: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        rng, today = self.rng, self.today
        plan = fa["_plan"]
        p_start, p_end = plan["period_start"], plan["period_end"]
        quarters = []
        q = p_start
        while q <= p_end:
            quarters.append(q)
            q = _add_months(q, 3)
        out = []
        for k in range(count):
            # Most work is under way today; some ended (done, or overdue), some is yet to begin.
            months = rng.choice((3, 6, 6, 9, 12, 12, 18, 24))
            when = rng.random()
            if when < 0.25:
                ending = [q for q in quarters if _add_months(q, months) <= today] or quarters[:1]
                start = rng.choice(ending)
            elif when < 0.85:
                running = [q for q in quarters if q <= today < _add_months(q, months)]
                start = rng.choice(running or quarters[:1])
            else:
                start = rng.choice([q for q in quarters if q > today] or quarters[-1:])
            end = min(_add_months(start, months) - dt.timedelta(days=1), p_end)
            term = "short" if months <= 12 else "long"
            if start > today:
                term = "future"
            title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}".strip()
            dept = rng.choice(departments)
            if plan["owning_department_id"] and rng.random() < 0.6:
                dept = next(d for d in departments if d["id"] == plan["owning_department_id"])
            cadence = rng.choice((30, 30, 30, 60, 90))
            self.add(
                Strategy,
                plan_id=plan["id"],
                focus_area_id=fa["id"],
                department_id=dept["id"],
                phase_id=plan["_phases"][0 if start <= plan["_middle"] else 1],
                code=f"{fa['code']}.{k + 1}",
                position=k,
                title=title[:300],
                description=f"{title}. Led by {dept['name']}.",
                term=term,
                priority=rng.randint(1, 5) if rng.random() < 0.5 else None,
                leads=[dept["name"]],
                planned_start=start,
                planned_end=end,
                status="not_started",
                progress=0,
                narrative="",
                update_cadence_days=cadence,
                last_update_at=None,
                last_changed_at=None,
            )
            s = self.rows["strategy"][-1]
            s["_plan"] = plan
            s["_dept"] = dept
            for goal_id in rng.sample(fa["_goals"], rng.choice((1, 1, 2))):
                self.rows.setdefault("strategy_goal", []).append(
                    {"strategy_id": s["id"], "goal_id": goal_id}
                )
            out.append(s)
        return out

    def steps(self, strategies: list[dict[str, Any]], total: int) -> None:
        rng = self.rng
        # About one strategy in seven has no steps: its progress is what its owner enters.
        with_steps = [s for s in strategies if rng.random() > 0.15] or strategies[:1]
        counts = _apportion(total, [rng.uniform(0.5, 1.5) for _ in with_steps], minimum=1)
        for s, count in zip(with_steps, counts, strict=True):
            s["_steps"] = []
            n_top = max(1, round(count * 0.8))
            span = max(1, (s["planned_end"] - s["planned_start"]).days)
            tops = []
            for pos in range(count):
                parent = tops[rng.randrange(len(tops))] if pos >= n_top and tops else None
                due = s["planned_start"] + dt.timedelta(days=round(span * (pos + 1) / count))
                step_id = self.add(
                    WorkplanStep,
                    strategy_id=s["id"],
                    parent_id=parent,
                    position=pos,
                    title=rng.choice(STEP_TITLES),
                    completion_measure=rng.choice(MEASURES),
                    owner=self.person(),
                    due=due,
                    done_on=None,
                )
                if parent is None:
                    tops.append(step_id)
                s["_steps"].append(self.rows["workplan_step"][-1])

    def _final_state(self, s: dict[str, Any]) -> None:
        """Where a strategy stands today: status, entered progress, last update."""
        rng, today = self.rng, self.today
        s["_window_start"] = max(
            today - dt.timedelta(days=HISTORY_DAYS), s["planned_start"] - dt.timedelta(days=30)
        )
        if s["planned_start"] > today:
            s["_final"] = None  # not begun: never updated
            return
        if s["planned_end"] < today:
            status = (
                "complete"
                if rng.random() < 0.6
                else rng.choice(("on_track", "at_risk", "off_track"))
            )  # the rest are overdue
        else:
            status = rng.choices(
                ("on_track", "at_risk", "off_track", "on_hold", "complete", "not_started"),
                weights=(50, 20, 8, 7, 8, 7),
            )[0]
        steps = s.get("_steps", [])
        length = max(1, (s["planned_end"] - s["planned_start"]).days)
        elapsed = (today - s["planned_start"]).days / length
        share = min(0.95, max(0.0, elapsed * rng.uniform(0.6, 1.1)))
        if status == "complete":
            share = 1.0
        if status == "not_started":
            share = 0.0
        n_done = round(len(steps) * share) if status != "complete" else len(steps)
        for step in steps[:n_done]:
            step["done_on"] = min(today, step["due"] + dt.timedelta(days=rng.randint(-20, 20)))
            step["done_on"] = max(step["done_on"], s["planned_start"])
            step["updated_at"] = _moment(step["done_on"], rng)
        progress = 100 if status == "complete" else round(share * 100)
        # A quarter are stale: no update within their cadence.
        cadence = s["update_cadence_days"]
        window = (today - s["_window_start"]).days
        if rng.random() < 0.25 and window > cadence + 2:
            age = rng.randint(cadence + 1, min(window - 1, cadence + 240))
        else:
            age = rng.randint(0, max(0, min(cadence - 1, window)))
        last = _moment(today - dt.timedelta(days=age), rng)
        now = dt.datetime.combine(today, dt.time(23, 59), tzinfo=dt.UTC)
        s["_final"] = (status, progress, min(last, now))

    def history(self, strategies: list[dict[str, Any]], total: int, users: dict[str, Any]) -> None:
        rng = self.rng
        for s in strategies:
            self._final_state(s)
        updated = [s for s in strategies if s["_final"] is not None]
        if not updated:
            return
        counts = _apportion(
            total,
            [max(1, (s["_final"][2].date() - s["_window_start"]).days) for s in updated],
            minimum=1,
        )
        coordinators, admin = users["coordinators"], users["admin"]
        for s, count in zip(updated, counts, strict=True):
            status, progress, last = s["_final"]
            plan = s["_plan"]
            label = f"{plan['terminology']['strategy']} {s['code']}: {s['title']}"[:400]
            lead = users["lead_of"][s["department_id"]]
            has_steps = bool(s.get("_steps"))
            first = dt.datetime.combine(s["_window_start"], dt.time(15), tzinfo=dt.UTC)
            span = max(0.0, (last - first).total_seconds())
            moments = sorted(
                first + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(count - 1)
            ) + [last]
            cur_status, cur_progress, cur_narrative = "not_started", 0, ""
            for n, at in enumerate(moments):
                final = n == count - 1
                if final:
                    new_status, new_progress = status, progress
                else:
                    new_progress = min(progress, round(progress * (n + 1) / count))
                    new_status = rng.choices(
                        ("on_track", "at_risk", "off_track", status), weights=(55, 15, 5, 25)
                    )[0]
                    if new_status == "complete":
                        new_status = "on_track"
                new_narrative = rng.choice(NARRATIVES)
                changes: list[tuple[str, Any, Any]] = []
                if new_status != cur_status:
                    changes.append(("status", cur_status, new_status))
                if not has_steps and new_progress != cur_progress:
                    changes.append(("progress", cur_progress, new_progress))
                if new_narrative != cur_narrative or not changes:
                    changes.append(("narrative", cur_narrative, new_narrative))
                who = rng.random()
                actor = lead if who < 0.75 else (rng.choice(coordinators) if who < 0.97 else admin)
                entry_id = self.add(
                    HistoryEntry,
                    organization_id=self.org_id,
                    plan_id=plan["id"],
                    subject_type="strategy",
                    subject_id=s["id"],
                    subject_label=label,
                    action="progress",
                    actor_id=actor[0],
                    actor_name=actor[1],
                    at=at,
                    note=rng.choice(NOTES),
                    version_after=None,
                )
                for name, before, after in changes:
                    self.add(
                        HistoryField, entry_id=entry_id, field=name, before=before, after=after
                    )
                cur_status, cur_progress, cur_narrative = new_status, new_progress, new_narrative
            s["status"] = cur_status
            s["progress"] = 0 if has_steps else cur_progress
            s["narrative"] = cur_narrative
            s["last_update_at"] = last
            s["last_changed_at"] = last  # as history.record_change keeps it
            s["updated_at"] = last

    def metrics(
        self,
        plans: list[dict[str, Any]],
        focus_areas: list[dict[str, Any]],
        strategies: list[dict[str, Any]],
        departments: list[dict[str, Any]],
        users: dict[str, Any],
        total: int,
    ) -> None:
        rng, today = self.rng, self.today
        strategies_of: dict[int, list[dict[str, Any]]] = {}
        for s in strategies:
            strategies_of.setdefault(s["plan_id"], []).append(s)
        fas_of: dict[int, list[dict[str, Any]]] = {}
        for fa in focus_areas:
            fas_of.setdefault(fa["plan_id"], []).append(fa)
        per_plan = _apportion(
            total, [len(strategies_of.get(p["id"], [])) for p in plans], minimum=1
        )
        last_period = _add_months(_month_start(today), -1)
        periods = [_add_months(last_period, -k) for k in range(MONTHS_OF_MEASUREMENTS - 1, -1, -1)]
        for plan, count in zip(plans, per_plan, strict=True):
            own_strategies = strategies_of.get(plan["id"], [])
            own_fas = fas_of.get(plan["id"], [])
            for pos in range(count):
                name, unit, direction, (low, high), improve = rng.choice(METRICS)
                refs: dict[str, Any] = {
                    "statement_id": None,
                    "goal_id": None,
                    "strategy_id": None,
                    "focus_area_id": None,
                }
                pick = rng.random()
                dept = rng.choice(departments)
                if pick < 0.15:
                    refs["statement_id"] = rng.choice(plan["_statements"])
                elif pick < 0.3 and own_fas:
                    refs["goal_id"] = rng.choice(rng.choice(own_fas)["_goals"])
                elif pick < 0.5 and own_fas:
                    refs["focus_area_id"] = rng.choice(own_fas)["id"]
                elif pick < 0.95 and own_strategies:
                    s = rng.choice(own_strategies)
                    refs["strategy_id"], dept = s["id"], s["_dept"]
                baseline = round(rng.uniform(low, high), 1)
                metric_id = self.add(
                    Metric,
                    plan_id=plan["id"],
                    department_id=dept["id"],
                    code=f"M{pos + 1:04d}",
                    position=pos,
                    name=f"{name} ({dept['name']})"[:300],
                    description=f"{name}, reported by {dept['name']}.",
                    kind="Performance measure",
                    unit=unit,
                    direction=direction,
                    horizon=rng.choice(HORIZONS),
                    frequency=rng.choice(FREQUENCIES),
                    data_source=f"{dept['name']} records",
                    tolerance=round(abs(baseline) * 0.05, 2) if direction == "hold" else None,
                    baseline_value=baseline,
                    baseline_date=periods[0],
                    baseline_note="",
                    **refs,
                )
                self._targets(metric_id, unit, direction, baseline, improve, periods)  # type: ignore[arg-type]
                entered_by = users["lead_of"][dept["id"]][0]
                value = baseline
                drift = (baseline * improve) / MONTHS_OF_MEASUREMENTS * rng.uniform(0.5, 1.6)
                noise = max(abs(baseline) * 0.03, 0.05)
                for period in periods:
                    value = value + drift + rng.gauss(0, noise)
                    if unit == "percent":
                        value = min(100.0, max(0.0, value)) if direction != "hold" else value
                    elif unit != "percent" and direction != "hold":
                        value = max(0.0, value)
                    entered_on = _add_months(period, 1) + dt.timedelta(days=rng.randint(0, 9))
                    entered = _moment(entered_on, rng)
                    self.add(
                        Measurement,
                        metric_id=metric_id,
                        period=period,
                        value=round(value, 2),
                        note="",
                        entered_by_id=entered_by,
                        created_at=entered,
                    )

    def _targets(
        self,
        metric_id: int,
        unit: str,
        direction: str,
        baseline: float,
        improve: float,
        periods: list[dt.date],
    ) -> None:
        rng = self.rng
        if direction == "higher":
            comparator = rng.choice(("at_least", "at_least", "above"))
            value = baseline * (1 + abs(improve))
        elif direction == "lower":
            comparator = rng.choice(("at_most", "at_most", "below"))
            value = baseline * (1 - abs(improve))
        else:
            comparator, value = "exactly", 0.0
        if unit == "percent":
            value = min(value, 100.0)
        value = round(value, 1)
        self.add(
            MetricTarget,
            metric_id=metric_id,
            value=value,
            comparator=comparator,
            label=f"{comparator.replace('_', ' ')} {value:g}",
            effective_from=None,
        )
        if direction != "hold" and rng.random() < 0.2:  # a revised, more ambitious target
            revised = round(value * (1.05 if direction == "higher" else 0.95), 1)
            if unit == "percent":
                revised = min(revised, 100.0)
            self.add(
                MetricTarget,
                metric_id=metric_id,
                value=revised,
                comparator=comparator,
                label=f"revised: {comparator.replace('_', ' ')} {revised:g}",
                effective_from=rng.choice(periods[12:]),
            )

    def quick_wins(
        self, plans: list[dict[str, Any]], departments: list[dict[str, Any]], total: int
    ) -> None:
        rng = self.rng
        per_plan = _apportion(total, [1.0] * len(plans), minimum=1)
        for plan, count in zip(plans, per_plan, strict=True):
            for number in range(1, count + 1):
                dept = rng.choice(departments)
                issue = rng.choice(SERVICE_AREA_ISSUES)
                self.add(
                    QuickWin,
                    plan_id=plan["id"],
                    department_id=dept["id"],
                    number=number,
                    service_areas=[dept["name"]],
                    issue_category=issue,
                    customer_issue=f"Residents report problems with {issue.lower()}.",
                    summary=f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}.",
                    category=rng.choice(("people", "process", "technology")),
                    status=rng.choice(("planned", "in_progress", "in_progress", "complete")),
                    narrative=rng.choice(NARRATIVES),
                )
