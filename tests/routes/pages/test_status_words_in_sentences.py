"""A plan's own status words where a status is written inside text, not only on badges: the
metric rule sentence (metric page and builder), the activity feed's and the review history's
"status: before → after", and the review's reasons (a focus area's headline "why", a strategy's
"owner's status"). Another plan of the same city keeps our words; a quick win keeps its own."""

from __future__ import annotations

from html import unescape

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import FocusArea, Metric, Plan, Strategy
from app.models.enums import Role
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.rules.rollup import EffectiveStatus, StrategyRollupInput, rollup_group
from tests.factories import make_person, make_tiny_plan, signed_in_client
from tests.routes.pages.test_status_words import OURS, THEIRS, WORDED, WORDS


@pytest.fixture
def plans(session: Session) -> tuple[Plan, Plan]:
    return make_tiny_plan(session), make_tiny_plan(session, WORDED)


def _text(html: str, selector: str) -> str:
    node = BeautifulSoup(html, "html.parser").select_one(selector)
    assert node is not None, selector
    return " ".join(node.get_text(" ").split())


def _of(session: Session, plan: Plan, model: type, code: str) -> int:
    return session.exec(
        select(model.id).where(model.plan_id == plan.id, model.code == code)  # type: ignore[attr-defined]
    ).one()


def test_the_metric_rule_sentence_in_the_plans_words(
    session: Session, plans: tuple[Plan, Plan]
) -> None:
    client, _ = signed_in_client(session, make_person(session, "ada", Role.admin))
    assert _text(client.get(f"{THEIRS}/scorecard/FCR").text, "#metric-rule") == (
        "On Target at 85% or more; Close to Target from 80.75%; Needs Improvement below."
    )
    assert _text(client.get(f"{OURS}/scorecard/FCR").text, "#metric-rule") == (
        "On track at 85% or more; at risk from 80.75%; off track below."
    )
    fcr = _of(session, plans[1], Metric, "FCR")
    assert _text(client.get(f"/metrics/{fcr}/edit").text, "#rule-sentence").startswith(
        "On Target at 85% or more; Close to Target from 80.75%;"
    )


def _set_status(session: Session, plan: Plan, status: str) -> None:
    strategy = session.get(Strategy, _of(session, plan, Strategy, "1.1"))
    assert strategy is not None
    record_strategy_progress(
        session=session,
        strategy=strategy,
        data=ProgressUpdateIn(version=strategy.version, status=status),  # type: ignore[arg-type]
        actor=Actor(name="test"),
    )
    session.commit()


def test_the_activity_feed_writes_a_status_change_in_the_plans_words(
    session: Session, plans: tuple[Plan, Plan]
) -> None:
    ours, theirs = plans
    for plan in plans:
        _set_status(session, plan, "on_track")
        _set_status(session, plan, "off_track")
    client, _ = signed_in_client(session, make_person(session, "ada", Role.admin))
    html = client.get("/activity").text
    soup = BeautifulSoup(html, "html.parser")
    changes = [
        " ".join(dd.get_text(" ").split())
        for li in soup.select("li[id^=entry-]")
        for dt_, dd in zip(li.select("dt"), li.select("dd"), strict=True)
        if dt_.get_text().strip() == "Status"
    ]
    assert "On Target → Needs Improvement" in changes
    assert "On track → Off track" in changes
    assert not any("Off track" in c and "On Target" in c for c in changes)
    assert theirs.status_words == WORDS and ours.status_words == {}


def test_the_review_history_and_reasons_in_the_plans_words(
    session: Session, plans: tuple[Plan, Plan]
) -> None:
    _, theirs = plans
    _set_status(session, theirs, "on_track")
    _set_status(session, theirs, "off_track")
    client, _ = signed_in_client(session, make_person(session, "coco", Role.coordinator))
    fa = _of(session, theirs, FocusArea, "1")
    history = client.get(f"/review/focus-areas/{fa}").text
    assert "On Target → Needs Improvement" in " ".join(
        BeautifulSoup(history, "html.parser").get_text(" ").split()
    )
    review = client.get("/review").text
    row = _text(review, f"#focus-area-{fa}")
    # 1.1 is past its planned end (overdue), its owner calling it off track: both in its words.
    assert "Past Due: 1 of 2 recommendations (1.1)" in row
    assert "is overdue" not in row
    # The focus area's page gives each strategy's reason.
    assert "(owner's status: Needs Improvement)" in unescape(history)
    assert "owner's status: Off track" not in unescape(history)


def test_the_headline_reason_reads_the_plans_word() -> None:
    def item(code: str, status: str) -> StrategyRollupInput:
        return StrategyRollupInput(code, code, EffectiveStatus(status), 50)

    items = [item("1.1", "overdue"), item("1.2", "on_track"), item("1.3", "overdue")]
    assert rollup_group(items=items, noun="recommendations").why == (
        "2 of 3 recommendations are overdue: 1.1, 1.3"
    )
    assert rollup_group(items=items, noun="recommendations", words=WORDS).why == (
        "Past Due: 2 of 3 recommendations (1.1, 1.3)"
    )
    done = [item("1.1", "complete")]
    assert rollup_group(items=done, noun="goals", words=WORDS).why == "Done: all 1 goals"
