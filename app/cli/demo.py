"""Demo data: the San José plan's demo accounts, and a synthetic city for benchmarks."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import CLI_ACTOR_NAME, domain_failure, fail, open_session
from app.db import optimize_sqlite
from app.settings import get_settings


def demo_users() -> None:
    """Create the demo accounts for the San José plan (safe to run again).

    admin, coordinator, sj311-lead (SJ311), acs-lead (ACS) and viewer. They have no password: they
    sign in only by the one-click buttons on the sign-in page, and only when DEMO_MODE=true.
    Refused in production. Load the seed plans first (`plantrack seed`).
    """
    from app.services.accounts import demo_accounts
    from app.services.changes.history import Actor
    from app.services.errors import DomainError
    from app.services.operations.demo_setup import assign_demo_ownership

    if get_settings().environment == "production":
        raise fail("demo users are not created in production (ENVIRONMENT=production)")
    with open_session() as session:
        try:
            created = demo_accounts.ensure_demo_users(
                session=session, actor=Actor(name=CLI_ACTOR_NAME)
            )
            assigned = assign_demo_ownership(session=session, actor=Actor(name="demo setup"))
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise domain_failure(exc) from exc
    if created:
        typer.echo("created demo users: " + ", ".join(created))
    else:
        typer.echo("demo users already exist")
    for change in assigned:
        typer.echo(f"demo ownership: {change}")


def demo_data(
    scale: Annotated[
        float,
        typer.Option(
            help="1 is a city of about 40 departments, 600 strategies and 20,000 updates; "
            "any positive number (0.05 too)."
        ),
    ] = 1.0,
    seed: Annotated[
        int,
        typer.Option(help="Same seed and --today, same data. The organisation is demo-city-SEED."),
    ] = 1,
    today: Annotated[
        str | None,
        typer.Option(help="The day the data is generated around (YYYY-MM-DD; default: today)."),
    ] = None,
    if_missing: Annotated[
        bool,
        typer.Option(
            "--if-missing", help="Do nothing (and succeed) when demo-city-SEED already exists."
        ),
    ] = False,
) -> None:
    """Generate a synthetic city (organisation demo-city-SEED) for benchmarks and demonstrations.

    Its users (a lead per department, coordinators, an admin, viewers) have no password.
    Refused if demo-city-SEED already exists.
    """
    import datetime as dt
    import time

    from app.services.demo_city.generator import DemoCityExists, generate_demo_city

    if not scale > 0:
        raise fail("--scale must be positive")
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise fail(f"--today: '{today}' is not a date (YYYY-MM-DD)") from exc
    started = time.perf_counter()
    with open_session() as session:
        try:
            city = generate_demo_city(session=session, scale=scale, seed=seed, today=day)
            session.commit()
        except DemoCityExists as exc:
            session.rollback()
            if if_missing:
                typer.echo(f"{exc} (left as it is)")
                return
            raise fail(str(exc)) from exc
    optimize_sqlite()  # the planner learns the new data (issue 14)
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{n} {t}" for t, n in city.counts.items())
    typer.echo(f"generated {city.organization_slug} in {elapsed:.1f} s: {counts}")
    typer.echo(
        f"largest plan: {city.largest_plan_slug}; busiest department: "
        f"{city.largest_department_code}"
    )
