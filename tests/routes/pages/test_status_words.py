"""A plan's own status words on every page that shows a status: the plan's word with our colour
(the badge's class is our code's), while another plan of the same city keeps our words."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import FocusArea, Plan
from tests.factories import TINY_PLAN, app_under_test, make_person, make_tiny_plan, signed_in_client

WORDS = {
    "on_track": "On Target",
    "at_risk": "Close to Target",
    "off_track": "Needs Improvement",
    "no_target": "Target Pending",
    "overdue": "Past Due",
    "not_started": "Not Begun",
    "complete": "Done",
}
WORDED = TINY_PLAN.replace("slug: testville-service", "slug: testville-words").replace(
    "  vision: Every resident served well.\n",
    "  vision: Every resident served well.\n  status_words:\n"
    + "".join(f"    {code}: {word}\n" for code, word in WORDS.items()),
)
OURS = "/plans/testville-service"
THEIRS = "/plans/testville-words"


@pytest.fixture
def plans(session: Session) -> tuple[Plan, Plan]:
    ours = make_tiny_plan(session)
    theirs = make_tiny_plan(session, WORDED)
    assert theirs.status_words == WORDS and ours.status_words == {}
    return ours, theirs


def badges(html: str, within: str | None = None) -> list[tuple[str, str]]:
    """(status code from the class, word shown) of every status badge on the page."""
    soup = BeautifulSoup(html, "html.parser")
    root = soup.find(id=within) if within else soup
    assert root is not None
    out = []
    for span in root.select("span.status"):
        code = next(c.removeprefix("status-") for c in span["class"] if c.startswith("status-"))
        out.append((code, " ".join(span.get_text(" ").split())))
    return out


def test_scorecard_and_metric_page(plans: tuple[Plan, Plan]) -> None:
    client = TestClient(app_under_test())
    theirs = badges(client.get(f"{THEIRS}/scorecard").text)
    assert ("at_risk", "Close to Target") in theirs
    assert ("at_risk", "At risk") not in theirs
    assert ("at_risk", "At risk") in badges(client.get(f"{OURS}/scorecard").text)
    # The filter offers the plan's words for our codes.
    html = client.get(f"{THEIRS}/scorecard?status=at_risk").text
    assert '<option value="at_risk" selected>Close to Target</option>' in html
    metric = badges(client.get(f"{THEIRS}/scorecard/FCR").text)
    # The headline, each measurement, and each point of the chart's values table.
    assert metric.count(("at_risk", "Close to Target")) >= 2
    assert not [word for _, word in metric if word == "At risk"]
    assert ("at_risk", "At risk") in badges(client.get(f"{OURS}/scorecard/FCR").text)


def test_overview_and_roadmap(plans: tuple[Plan, Plan]) -> None:
    client = TestClient(app_under_test())
    theirs = badges(client.get(THEIRS).text)
    assert ("overdue", "Past Due") in theirs and ("not_started", "Not Begun") in theirs
    ours = badges(client.get(OURS).text)
    assert ("overdue", "Overdue") in ours and ("not_started", "Not started") in ours
    roadmap = client.get(f"{THEIRS}/roadmap").text
    assert ("overdue", "Past Due") in badges(roadmap)
    assert '<option value="overdue">Past Due</option>' in roadmap
    assert ("overdue", "Overdue") in badges(client.get(f"{OURS}/roadmap").text)


def test_review_across_plans(session: Session, plans: tuple[Plan, Plan]) -> None:
    ours, theirs = plans
    client, _ = signed_in_client(session, make_person(session, "coord", "coordinator"))
    html = client.get("/review").text
    first = {
        plan.id: session.exec(
            select(FocusArea.id).where(FocusArea.plan_id == plan.id, FocusArea.code == "1")
        ).one()
        for plan in plans
    }
    assert ("overdue", "Past Due") in badges(html, f"focus-area-{first[theirs.id]}")
    assert ("overdue", "Overdue") in badges(html, f"focus-area-{first[ours.id]}")
    history = client.get(f"/review/focus-areas/{first[theirs.id]}").text
    assert ("overdue", "Past Due") in badges(history)
    assert ("overdue", "Overdue") not in badges(history)


def test_my_work_across_plans(session: Session, plans: tuple[Plan, Plan]) -> None:
    ours, theirs = plans
    client, _ = signed_in_client(session, make_person(session, "cc", "lead", department="CC"))
    html = client.get("/my-work").text
    mine = BeautifulSoup(html, "html.parser")
    theirs_section = mine.find(id=f"plan-{theirs.id}").find_parent("section")
    ours_section = mine.find(id=f"plan-{ours.id}").find_parent("section")
    assert ("at_risk", "Close to Target") in badges(str(theirs_section))
    assert ("overdue", "Past Due") in badges(str(theirs_section))
    assert ("at_risk", "At risk") in badges(str(ours_section))
    assert ("overdue", "Overdue") in badges(str(ours_section))


def test_quick_wins_keep_their_own_scale(plans: tuple[Plan, Plan]) -> None:
    board = badges(TestClient(app_under_test()).get(f"{THEIRS}/quick-wins").text)
    assert ("complete", "Complete") in board and ("complete", "Done") not in board
