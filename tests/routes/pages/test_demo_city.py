"""Demo mode shows a living plan: the made-up city, its one-click accounts, and where to start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.db import build_engine
from app.models import Organization, User
from app.services.accounts import demo_accounts
from app.services.changes.history import Actor
from app.services.demo_city.generator import generate_demo_city
from tests.factories import make_tiny_plan
from tests.routes.test_auth_pages import demo_client, hidden_csrf, signed_in_as

CITY = demo_accounts.DEMO_CITY_ORGANIZATION


def _city(session: Session) -> None:
    generate_demo_city(session=session, scale=0.05, seed=1, today=dt.date(2026, 12, 1))
    session.commit()


def test_sign_in_page_offers_the_made_up_citys_accounts_and_they_sign_in(
    session: Session,
) -> None:
    _city(session)
    c = demo_client()
    page = c.get("/login")
    assert "Demo City 1: made up" in page.text
    offered = [
        f"{CITY}-coordinator-1",
        f"{CITY}-admin",
        f"{CITY}-viewer-1",
    ]
    for name in offered:
        assert f'name="username" value="{name}"' in page.text
    leads = [line for line in page.text.splitlines() if '-lead"' in line and CITY in line]
    assert len(leads) == 1, "the lead of the busiest department is offered"
    answer = c.post(
        "/login/demo",
        data={"csrf_token": hidden_csrf(page.text), "username": f"{CITY}-coordinator-1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert signed_in_as(c) == f"{CITY}-coordinator-1"


def test_only_the_offered_city_accounts_sign_in_by_one_click(session: Session) -> None:
    _city(session)
    c = demo_client()
    page = c.get("/login")
    city_users = session.exec(
        select(User.username).where(User.username.like(f"{CITY}-%"))  # type: ignore[attr-defined]
    ).all()
    not_offered = [u for u in city_users if f'value="{u}"' not in page.text]
    assert not_offered, "the city has more accounts than the four offered"
    answer = c.post(
        "/login/demo",
        data={"csrf_token": hidden_csrf(page.text), "username": not_offered[0]},
        follow_redirects=False,
    )
    assert answer.status_code == 403 and signed_in_as(c) is None


def test_the_plans_page_points_a_newcomer_at_the_made_up_city(session: Session) -> None:
    make_tiny_plan(session)
    _city(session)
    page = demo_client().get("/")
    assert page.status_code == 200
    notice = page.text[page.text.index("New here?") :][:1000]
    # At this small scale the city has one plan; at scale 1 its customer-service plan is chosen.
    assert f'href="/plans/{CITY}-strategic-plan"' in notice
    assert "is made up" in notice
    # Without the city (or outside demo mode) there is nothing to point at.
    from tests.routes.test_auth_pages import client

    assert "is made up" not in client().get("/").text


def test_demo_data_if_missing_generates_the_city_once(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["demo-data", "--scale", "0.05", "--today", "2026-12-01", "--if-missing"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0 and f"generated {CITY}" in first.output
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "left as it is" in again.output
    refused = runner.invoke(cli, args[:-1])
    assert refused.exit_code == 1
    with Session(build_engine(database_url)) as s:
        count = s.execute(
            select(func.count()).select_from(Organization).where(Organization.slug == CITY)
        ).scalar_one()
        assert count == 1


def test_san_jose_demo_accounts_are_still_offered_beside_the_city(session: Session) -> None:
    from tests.routes.test_auth_pages import make_org

    make_org(session)
    demo_accounts.ensure_demo_users(session=session, actor=Actor(name="test"))
    session.commit()
    _city(session)
    page = demo_client().get("/login")
    assert page.text.index("City of San José: a real plan") < page.text.index("Demo City 1")
    assert 'name="username" value="sj311-lead"' in page.text
