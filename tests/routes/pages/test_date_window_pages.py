"""A date outside the window typed into a page: an inline message beside the field, nothing
saved (the rule is the API's, in plan_dates)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlmodel import Session, select, text

from app.models import Strategy, WorkplanStep
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


def test_a_year_1_due_date_on_a_plan_without_a_period_is_refused_beside_the_field(
    session: Session,
) -> None:
    plan = make_tiny_plan(session)
    session.execute(
        text("UPDATE plan SET period_start = NULL, period_end = NULL WHERE id = :id"),
        {"id": plan.id},
    )
    session.commit()
    client, csrf = signed_in_client(
        session, make_person(session, "cc-lead", "lead", department="CC")
    )
    target = session.exec(
        select(Strategy).where(Strategy.plan_id == plan.id, Strategy.code == "1.1")
    ).one()
    before = len(session.exec(select(WorkplanStep)).all())
    response = client.post(
        f"/my-work/strategies/{target.id}/steps",
        headers={"X-CSRF-Token": csrf, **HX},
        data={"title": "Train staff", "due": "0001-01-01"},
    )
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    due = soup.find("input", id=f"strategy-{target.id}-step-due")
    assert due is not None and due["value"] == "0001-01-01"
    assert (due["min"], due["max"]) == ("1900-01-01", "2200-12-31")
    message = soup.find(id=due["aria-describedby"])
    assert message is not None
    assert "0001-01-01 is before the earliest date PlanTrack accepts (1900-01-01)" in (
        message.get_text(" ", strip=True)
    )
    session.expire_all()
    assert len(session.exec(select(WorkplanStep)).all()) == before
