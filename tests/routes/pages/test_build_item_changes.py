"""The plan builder's item pages after creation: a strategy's goals, what a metric measures and a
quick win's planned dates change from their edit pages, posted as a browser would send the form
(every field it shows), with and without htmx; refusals show the message beside the field and
save nothing; a stale version is refused with the newer value."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, col, select

from app.models import (
    FocusArea,
    Goal,
    HistoryEntry,
    HistoryField,
    Metric,
    Plan,
    QuickWin,
    Strategy,
    StrategyGoal,
)
from app.models.building import GoalCreate
from app.models.quick_win import QuickWinUpdate
from app.models.strategy import StrategyUpdate
from app.services.changes import plan_parts, quick_wins, strategies
from app.services.changes.history import Actor
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
CLI = Actor(name="test")
# Another organisation's plan: its goals and focus areas are no choice for ours.
OTHER_ORG_PLAN = TINY_PLAN.replace(
    "organization: {name: City of Testville, slug: testville}",
    "organization: {name: Town of Otherton, slug: otherton}",
).replace("slug: testville-service", "slug: otherton-service")


@pytest.fixture
def tiny(session: Session) -> Plan:
    plan = make_tiny_plan(session)
    plan_parts.create_part(
        session=session,
        model=Goal,
        parent=plan,
        data=GoalCreate(code="G2", title="Fewer repeat calls"),
        actor=CLI,
    )
    session.commit()
    return plan


@pytest.fixture
def admin(session: Session, tiny: Plan) -> tuple[Any, dict[str, str]]:
    client, csrf = signed_in_client(session, make_person(session, "ada", "admin"))
    return client, {"X-CSRF-Token": csrf}


def browser_form(html: str, form_id: str = "item") -> dict[str, Any]:
    """What a browser sends for the form in section `form_id`: every named field as shown."""
    form = BeautifulSoup(html, "html.parser").select_one(f"#{form_id} form")
    assert isinstance(form, Tag)
    sent: dict[str, Any] = {}

    def add(name: str, value: str) -> None:
        if name in sent:
            sent[name] = [*(sent[name] if isinstance(sent[name], list) else [sent[name]]), value]
        else:
            sent[name] = value

    for field in form.select("input[name], select[name], textarea[name]"):
        name = str(field["name"])
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            add(name, str(chosen["value"]) if chosen else "")
        elif field.name == "textarea":
            add(name, field.text)
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                add(name, str(field["value"]))
        else:
            add(name, str(field.get("value", "")))
    return sent


def _one(session: Session, model: Any, *where: Any) -> Any:
    session.expire_all()
    return session.exec(select(model).where(*where)).one()


def _goal_ids(session: Session, strategy: Strategy) -> list[int]:
    session.expire_all()
    return sorted(
        session.exec(
            select(StrategyGoal.goal_id).where(StrategyGoal.strategy_id == strategy.id)
        ).all()
    )


def _last_changes(session: Session, subject_type: str, subject_id: int) -> dict[str, Any]:
    session.expire_all()
    entry = session.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == subject_type, HistoryEntry.subject_id == subject_id)
        .order_by(col(HistoryEntry.id).desc())
    ).first()
    assert entry is not None
    fields = session.exec(select(HistoryField).where(HistoryField.entry_id == entry.id)).all()
    return {f.field: (f.before, f.after) for f in fields}


def someone_else_saves(session: Session, strategy: Strategy, version: int) -> None:
    strategies.update_strategy(
        session=session,
        strategy=strategy,
        data=StrategyUpdate(version=version, title="Changed meanwhile"),
        actor=CLI,
    )
    session.commit()


def _entries(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(HistoryEntry.id)).all())


class TestStrategyGoals:
    def _setup(self, session: Session) -> tuple[Strategy, Goal, Goal]:
        s11 = _one(session, Strategy, Strategy.code == "1.1")
        return s11, _one(session, Goal, Goal.code == "G1"), _one(session, Goal, Goal.code == "G2")

    def test_the_edit_page_offers_the_plans_goals_ticked_as_they_are(
        self, session: Session, admin: Any
    ) -> None:
        client, _ = admin
        s11, g1, g2 = self._setup(session)
        soup = BeautifulSoup(client.get(f"/strategies/{s11.id}/edit").text, "html.parser")
        boxes = {b["value"]: b for b in soup.select("#item input[type=checkbox][name=goal_ids]")}
        assert set(boxes) == {str(g1.id), str(g2.id)}
        assert boxes[str(g1.id)].has_attr("checked") and not boxes[str(g2.id)].has_attr("checked")
        assert not any(b.has_attr("disabled") for b in boxes.values())

    @pytest.mark.parametrize("htmx", [False, True])
    def test_ticking_and_unticking_goals_is_saved_and_recorded(
        self, session: Session, admin: Any, htmx: bool
    ) -> None:
        client, headers = admin
        s11, g1, g2 = self._setup(session)
        version = s11.version
        sent = browser_form(client.get(f"/strategies/{s11.id}/edit").text)
        sent["goal_ids"] = ["", str(g2.id)]  # G1 unticked, G2 ticked
        answer = client.post(
            f"/strategies/{s11.id}/edit",
            data=sent,
            headers={**headers, **(HX if htmx else {})},
            follow_redirects=False,
        )
        assert answer.status_code == (200 if htmx else 303)
        assert _goal_ids(session, s11) == [g2.id]
        assert _one(session, Strategy, Strategy.id == s11.id).version == version + 1
        assert _last_changes(session, "strategy", s11.id)["goal_ids"] == ([g1.id], [g2.id])
        page = client.get(f"/strategies/{s11.id}/edit").text
        ticked = BeautifulSoup(page, "html.parser").select("#item input[name=goal_ids][checked]")
        assert [b["value"] for b in ticked] == [str(g2.id)]

    def test_unticking_the_last_goal_leaves_none(self, session: Session, admin: Any) -> None:
        client, headers = admin
        s11, _, _ = self._setup(session)
        sent = browser_form(client.get(f"/strategies/{s11.id}/edit").text)
        sent["goal_ids"] = ""  # only the hidden marker: every box unticked
        answer = client.post(
            f"/strategies/{s11.id}/edit", data=sent, headers=headers, follow_redirects=False
        )
        assert answer.status_code == 303
        assert _goal_ids(session, s11) == []

    def test_saving_other_fields_keeps_the_goals(self, session: Session, admin: Any) -> None:
        client, headers = admin
        s11, g1, _ = self._setup(session)
        sent = browser_form(client.get(f"/strategies/{s11.id}/edit").text)
        sent["title"] = "Answer in every language"
        client.post(f"/strategies/{s11.id}/edit", data=sent, headers=headers)
        assert _goal_ids(session, s11) == [g1.id]
        assert "goal_ids" not in _last_changes(session, "strategy", s11.id)

    def test_a_goal_of_another_plan_is_refused_beside_the_goals(
        self, session: Session, admin: Any
    ) -> None:
        client, headers = admin
        s11, g1, _ = self._setup(session)
        make_tiny_plan(session, OTHER_ORG_PLAN)
        foreign = _one(session, Goal, Goal.code == "G1", Goal.plan_id != s11.plan_id)
        before = _entries(session)
        sent = browser_form(client.get(f"/strategies/{s11.id}/edit").text)
        sent["goal_ids"] = ["", str(foreign.id)]
        answer = client.post(f"/strategies/{s11.id}/edit", data=sent, headers=headers)
        assert answer.status_code == 422
        soup = BeautifulSoup(answer.text, "html.parser")
        fieldset = soup.select_one("#item fieldset[aria-describedby=strategy-goals-error]")
        assert fieldset is not None
        message = soup.select_one("#strategy-goals-error")
        assert message is not None and "not a goal of this plan" in message.text
        assert _goal_ids(session, s11) == [g1.id]
        assert _entries(session) == before

    def test_a_stale_goal_change_is_refused_with_the_goals_now(
        self, session: Session, admin: Any
    ) -> None:
        client, headers = admin
        s11, g1, g2 = self._setup(session)
        version = s11.version
        sent = browser_form(client.get(f"/strategies/{s11.id}/edit").text)
        someone_else_saves(session, s11, version)
        sent["goal_ids"] = ["", str(g1.id), str(g2.id)]
        answer = client.post(f"/strategies/{s11.id}/edit", data=sent, headers=headers)
        assert answer.status_code == 409
        assert "saved a newer version" in answer.text
        assert _goal_ids(session, s11) == [g1.id]


class TestMetricMeasures:
    def test_the_edit_page_shows_what_it_measures_and_changes_it(
        self, session: Session, admin: Any
    ) -> None:
        client, headers = admin
        fcr = _one(session, Metric, Metric.code == "FCR")
        statement_id = fcr.statement_id
        page = client.get(f"/metrics/{fcr.id}/edit").text
        chosen = BeautifulSoup(page, "html.parser").select_one("#metric-measures option[selected]")
        assert chosen is not None and chosen["value"] == f"statement:{statement_id}"
        s12 = _one(session, Strategy, Strategy.code == "1.2")
        sent = browser_form(page)
        sent["measures"] = f"strategy:{s12.id}"
        answer = client.post(
            f"/metrics/{fcr.id}/edit", data=sent, headers=headers, follow_redirects=False
        )
        assert answer.status_code == 303
        after = _one(session, Metric, Metric.id == fcr.id)
        assert (after.statement_id, after.strategy_id) == (None, s12.id)
        changes = _last_changes(session, "metric", fcr.id)
        assert changes["strategy_id"] == (None, s12.id)
        assert changes["statement_id"] == (statement_id, None)

    def test_the_plan_as_a_whole_clears_it_with_htmx(self, session: Session, admin: Any) -> None:
        client, headers = admin
        fcr = _one(session, Metric, Metric.code == "FCR")
        sent = browser_form(client.get(f"/metrics/{fcr.id}/edit").text)
        sent["measures"] = ""
        answer = client.post(f"/metrics/{fcr.id}/edit", data=sent, headers={**headers, **HX})
        assert answer.status_code == 200 and "Saved." in answer.text
        after = _one(session, Metric, Metric.id == fcr.id)
        assert (after.statement_id, after.goal_id, after.strategy_id, after.focus_area_id) == (
            None,
            None,
            None,
            None,
        )

    @pytest.mark.parametrize("choice", ["focus_area:{foreign}", "milestone:1", "goal:x"])
    def test_a_choice_outside_the_plan_is_refused_beside_the_select(
        self, session: Session, admin: Any, choice: str
    ) -> None:
        client, headers = admin
        fcr = _one(session, Metric, Metric.code == "FCR")
        make_tiny_plan(session, OTHER_ORG_PLAN)
        foreign = _one(session, FocusArea, FocusArea.code == "1", FocusArea.plan_id != fcr.plan_id)
        before = _entries(session)
        sent = browser_form(client.get(f"/metrics/{fcr.id}/edit").text)
        sent["measures"] = choice.format(foreign=foreign.id)
        answer = client.post(f"/metrics/{fcr.id}/edit", data=sent, headers=headers)
        assert answer.status_code == 422
        soup = BeautifulSoup(answer.text, "html.parser")
        select_ = soup.select_one("#metric-measures")
        assert select_ is not None and select_["aria-describedby"] == "metric-measures-error"
        assert soup.select_one("#metric-measures-error") is not None
        assert _one(session, Metric, Metric.id == fcr.id).statement_id == fcr.statement_id
        assert _entries(session) == before


class TestQuickWinDates:
    @pytest.mark.parametrize("htmx", [False, True])
    def test_dates_are_saved_recorded_and_shown_on_the_board(
        self, session: Session, admin: Any, tiny: Plan, htmx: bool
    ) -> None:
        client, headers = admin
        qw1 = _one(session, QuickWin, QuickWin.number == 1)
        sent = browser_form(client.get(f"/quick-wins/{qw1.id}/edit").text)
        sent.update(planned_start="2025-03-03", planned_end="2025-04-30")
        answer = client.post(
            f"/quick-wins/{qw1.id}/edit",
            data=sent,
            headers={**headers, **(HX if htmx else {})},
            follow_redirects=False,
        )
        assert answer.status_code == (200 if htmx else 303)
        after = _one(session, QuickWin, QuickWin.id == qw1.id)
        assert (str(after.planned_start), str(after.planned_end)) == ("2025-03-03", "2025-04-30")
        assert _last_changes(session, "quick_win", qw1.id)["planned_end"] == (None, "2025-04-30")
        page = client.get(f"/quick-wins/{qw1.id}/edit").text
        assert browser_form(page)["planned_start"] == "2025-03-03"
        board = BeautifulSoup(client.get(f"/plans/{tiny.slug}/quick-wins").text, "html.parser")
        card = board.select_one(f"#quick-win-{qw1.id}")
        assert card is not None and "3 Mar 2025 – 30 Apr 2025" in card.text

    def test_a_new_quick_win_with_dates(self, session: Session, admin: Any, tiny: Plan) -> None:
        client, headers = admin
        sent = browser_form(client.get(f"/plans/{tiny.slug}/quick-wins/new").text)
        sent.update(issue_category="Signage", planned_start="2025-02-01")
        answer = client.post(
            f"/plans/{tiny.slug}/quick-wins/new", data=sent, headers=headers, follow_redirects=False
        )
        assert answer.status_code == 303
        made = _one(session, QuickWin, QuickWin.number == 3)
        assert (str(made.planned_start), made.planned_end) == ("2025-02-01", None)

    def test_an_end_before_the_start_is_refused_beside_the_end(
        self, session: Session, admin: Any
    ) -> None:
        client, headers = admin
        qw1 = _one(session, QuickWin, QuickWin.number == 1)
        before = _entries(session)
        sent = browser_form(client.get(f"/quick-wins/{qw1.id}/edit").text)
        sent.update(planned_start="2025-05-01", planned_end="2025-04-30")
        answer = client.post(f"/quick-wins/{qw1.id}/edit", data=sent, headers=headers)
        assert answer.status_code == 422
        soup = BeautifulSoup(answer.text, "html.parser")
        end = soup.select_one("#qw-end")
        assert end is not None and end["aria-describedby"] == "qw-end-error"
        error = soup.select_one("#qw-end-error")
        assert error is not None and "before the planned start" in error.text
        assert _one(session, QuickWin, QuickWin.id == qw1.id).planned_start is None
        assert _entries(session) == before

    def test_a_stale_date_change_is_refused(self, session: Session, admin: Any) -> None:
        client, headers = admin
        qw1 = _one(session, QuickWin, QuickWin.number == 1)
        sent = browser_form(client.get(f"/quick-wins/{qw1.id}/edit").text)
        quick_wins.update_quick_win(  # someone else saves meanwhile
            session=session,
            quick_win=qw1,
            data=QuickWinUpdate(version=qw1.version, summary="Changed meanwhile."),
            actor=CLI,
        )
        session.commit()
        sent["planned_start"] = "2025-03-03"
        answer = client.post(f"/quick-wins/{qw1.id}/edit", data=sent, headers=headers)
        assert answer.status_code == 409
        assert _one(session, QuickWin, QuickWin.id == qw1.id).planned_start is None
