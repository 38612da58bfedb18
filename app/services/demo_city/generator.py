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
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from app.models import Organization
from app.models.organization import DEFAULT_DUE_DAY
from app.services.demo_city.draft import CityDraft
from app.services.demo_city.metrics import add_metrics
from app.services.demo_city.organization import add_departments, add_users
from app.services.demo_city.plans import (
    add_focus_areas,
    add_plans,
    add_quick_wins,
    add_steps,
    add_strategies,
)
from app.services.demo_city.progress import add_history
from app.services.demo_city.sizes import BASE, FLAGSHIP_SHARE, apportion, scaled
from app.services.errors import DomainError
from app.services.rules.local_time import UTC_NAME, local_today


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


# The demo organisation's zone (a new organisation's default); its day is the data's "today".
DEMO_ZONE = UTC_NAME


def organization_slug(seed: int) -> str:
    return f"demo-city-{seed}"


def generate_demo_city(
    *, session: Session, scale: float = 1.0, seed: int = 1, today: dt.date | None = None
) -> DemoCity:
    """Write a synthetic city in `session`'s transaction (the caller commits).

    Refused (DemoCityExists) when organisation `demo-city-<seed>` is already there.
    """
    if not scale > 0:
        raise ValueError("scale must be positive")
    today = today or local_today(DEMO_ZONE)  # the demo organisation's day
    slug = organization_slug(seed)
    if session.execute(select(Organization.id).where(Organization.slug == slug)).first():
        raise DemoCityExists(
            f"organisation '{slug}' already exists: choose another --seed, or use a new database"
        )
    city = CityDraft(session=session, scale=scale, seed=seed, today=today, slug=slug)
    return _build(city)


def _build(city: CityDraft) -> DemoCity:
    rng, scale = city.rng, city.scale
    org_id = city.add(
        Organization,
        name=f"Demo City {city.seed}",
        slug=city.slug,
        # Rows here are written as given (no model defaults): the defaults of a new organisation.
        time_zone=DEMO_ZONE,
        reporting_cadence="monthly",
        reporting_due_day=DEFAULT_DUE_DAY,
    )
    assert org_id is not None
    city.org_id = org_id
    departments = add_departments(city, scaled(BASE["departments"], scale))
    users = add_users(city, departments)
    plans = add_plans(city, scaled(BASE["plans"], scale), departments)
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
    fa_per_plan = apportion(n_fa, weights, minimum=1)
    focus_areas = []
    for plan, count in zip(plans, fa_per_plan, strict=True):
        focus_areas.extend(add_focus_areas(city, plan, count))
    n_strategies = max(scaled(BASE["strategies"], scale), len(focus_areas))
    per_fa = apportion(n_strategies, [rng.uniform(0.6, 1.4) for _ in focus_areas], minimum=1)
    strategies = []
    for fa, count in zip(focus_areas, per_fa, strict=True):
        strategies.extend(add_strategies(city, fa, count, departments))
    add_steps(city, strategies, scaled(BASE["steps"], scale))
    add_history(city, strategies, scaled(BASE["progress_updates"], scale), users)
    add_metrics(
        city,
        plans,
        focus_areas,
        strategies,
        departments,
        users,
        max(scaled(BASE["metrics"], scale), n_plans),
    )
    add_quick_wins(city, plans, departments, max(scaled(BASE["quick_wins"], scale), n_plans))

    city.write()

    dept_load: dict[int, int] = {}
    for s in strategies:
        dept_load[s["department_id"]] = dept_load.get(s["department_id"], 0) + 1
    busiest = max(departments, key=lambda d: (dept_load.get(d["id"], 0), -d["id"]))
    return DemoCity(
        organization_id=org_id,
        organization_slug=city.slug,
        plan_slugs=[p["slug"] for p in plans],
        largest_plan_slug=plans[0]["slug"],
        largest_department_code=busiest["code"],
        counts={name: len(city.rows.get(name, [])) for name in city.tables},
        usernames=users["names"],
    )
