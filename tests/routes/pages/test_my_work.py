"""/my-work: a department lead's own work, read as a user reads it and edited inline (htmx)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from app.models import (
    HistoryEntry,
    Measurement,
    Metric,
    Plan,
    QuickWin,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.enums import SubjectType
from app.models.quick_win import QuickWinProgressIn
from app.models.strategy import ProgressUpdateIn, StrategyUpdate
from app.services.changes import quick_wins, strategies
from app.services.changes.history import Actor
from app.services.plan_file.importing import import_plan_path
from app.services.views.my_work import items as work_items
from app.services.views.my_work import whose_work
from tests.factories import (
    SEEDS_DIR,
    app_under_test,
    begin_strategy,
    make_person,
    make_tiny_plan,
    signed_in_client,
)

HX = {"HX-Request": "true"}


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def history_count(session: Session, subject: SubjectType, subject_id: int | None = None) -> int:
    query = (
        select(func.count()).select_from(HistoryEntry).where(HistoryEntry.subject_type == subject)
    )
    if subject_id is not None:
        query = query.where(HistoryEntry.subject_id == subject_id)
    return session.exec(query).one()


def strategy(session: Session, code: str, plan_slug: str = "testville-service") -> Strategy:
    return session.exec(
        select(Strategy).join(Plan).where(Strategy.code == code, Plan.slug == plan_slug)
    ).one()


def quick_win(session: Session, number: int, plan_slug: str = "testville-service") -> QuickWin:
    return session.exec(
        select(QuickWin).join(Plan).where(QuickWin.number == number, Plan.slug == plan_slug)
    ).one()


def fcr(session: Session) -> Metric:
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def edit_forms(soup: BeautifulSoup) -> list[Tag]:
    return [f for f in soup.find_all("form") if str(f.get("action", "")).startswith("/my-work/")]


def is_fragment(html: str) -> bool:
    return "<html" not in html and "<nav" not in html and "site-header" not in html


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def cc_lead(session: Session, tiny: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "cc-lead", "lead", department="CC"))


@pytest.fixture
def pw_lead(session: Session, tiny: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "pw-lead", "lead", department="PW"))


@pytest.fixture
def coordinator_user(session: Session, tiny: Plan) -> User:
    return make_person(session, "coord", "coordinator")


# --- reading -------------------------------------------------------------------------------------


class TestMyWorkPage:
    def test_lead_sees_only_their_departments_items_in_the_plans_words(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        response = client.get("/my-work")
        assert response.status_code == 200
        soup = page(response.text)
        assert text_of(soup.h1) == "My work: Contact Centre"
        assert text_of(soup.select_one("h2[id^=plan-]")) == "Testville Customer Service Plan"
        body = text_of(soup.find("main"))
        # The plan calls strategies "Recommendations".
        assert "Recommendation 1.1 Answer in language" in body
        assert "1 recommendation · 1 quick win · 1 metric" in body
        assert "Focus area 1: Access" in body
        assert "0 of 2 workplan steps done" in body
        assert "Hire bilingual staff" in body and "Done when: Two staff hired" in body
        assert "Quick win 1 Language Access" in body
        assert "First call resolution" in body
        # Another department's work is not here.
        assert "Fix potholes faster" not in body
        assert "Quick win 2" not in body
        assert soup.find(id=f"strategy-{strategy(session, '1.2').id}") is None

    def test_status_progress_and_metric_figures_read_as_text(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        soup = page(client.get("/my-work").text)
        block = soup.find(id=f"strategy-{strategy(session, '1.1').id}")
        # Planned to end in 2024 and not complete: overdue, with its reason, as text.
        assert text_of(block.find(class_="status")) == "Overdue"
        assert "planned end 2024-12-31 passed" in text_of(block.find(class_="why"))
        assert text_of(block.find(class_="progress-number")) == "0%"
        metric = soup.find(id=f"metric-{fcr(session).id}")
        assert text_of(metric.find(class_="latest-value")) == "83% June 2025"
        assert text_of(metric.find(class_="target-value")) == "85% or higher"
        assert text_of(metric.find(class_="metric-status")).startswith("At risk")

    def test_anchors_let_other_pages_link_to_an_item(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        soup = page(client.get("/my-work").text)
        for item_id in (
            f"strategy-{strategy(session, '1.1').id}",
            f"quick-win-{quick_win(session, 1).id}",
            f"metric-{fcr(session).id}",
        ):
            assert soup.find(id=item_id) is not None, item_id

    def test_every_control_has_a_label(self, cc_lead: tuple[TestClient, str]) -> None:
        client, _ = cc_lead
        soup = page(client.get("/my-work").text)
        controls = [
            c
            for c in soup.find_all(["input", "select", "textarea"])
            if c.get("type") not in ("hidden",)
        ]
        assert controls
        for control in controls:
            assert control.get("id"), control
            assert soup.find("label", attrs={"for": control["id"]}) is not None, control

    def test_htmx_request_gets_the_fragment_without_the_layout(
        self, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        response = client.get("/my-work", headers=HX)
        assert response.status_code == 200
        assert is_fragment(response.text)
        assert "Answer in language" in response.text
        assert "<html" in client.get("/my-work").text

    def test_anonymous_is_sent_to_sign_in(self, tiny: Plan) -> None:
        client = TestClient(app_under_test())
        response = client.get("/my-work", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/my-work"

    def test_viewer_is_refused_with_a_reason_and_no_edit_control(
        self, session: Session, tiny: Plan
    ) -> None:
        client, _ = signed_in_client(session, make_person(session, "v", "viewer"))
        response = client.get("/my-work")
        assert response.status_code == 403
        soup = page(response.text)
        assert "Viewers can read the plans but not change them" in text_of(soup.find("main"))
        assert edit_forms(soup) == []

    def test_a_lead_cannot_open_another_departments_work(
        self, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        response = client.get("/my-work?department=PW")
        assert response.status_code == 403
        assert "Fix potholes faster" not in response.text

    def test_another_departments_lead_has_no_control_for_these_items(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = pw_lead
        soup = page(client.get("/my-work").text)
        actions = {f["action"] for f in edit_forms(soup)}
        cc = strategy(session, "1.1")
        assert f"/my-work/strategies/{cc.id}/progress" not in actions
        assert f"/my-work/metrics/{fcr(session).id}/measurements" not in actions
        assert f"/my-work/quick-wins/{quick_win(session, 1).id}/progress" not in actions
        # Their own work has its controls.
        pw = strategy(session, "1.2")
        assert f"/my-work/strategies/{pw.id}/progress" in actions
        assert f"/my-work/strategies/{pw.id}/steps" in actions

    def test_coordinator_chooses_a_department_and_gets_every_control(
        self, session: Session, coordinator_user: User
    ) -> None:
        client, _ = signed_in_client(session, coordinator_user)
        chooser = page(client.get("/my-work").text)
        assert chooser.find("a", href="/my-work?department=CC") is not None
        assert chooser.find("select", id="department-picker") is not None
        soup = page(client.get("/my-work?department=CC").text)
        assert text_of(soup.h1) == "My work: Contact Centre"
        actions = {f["action"] for f in edit_forms(soup)}
        cc = strategy(session, "1.1")
        # The strategy office keeps any department's work: progress, steps and numbers.
        assert f"/my-work/strategies/{cc.id}/progress" in actions
        assert f"/my-work/quick-wins/{quick_win(session, 1).id}/progress" in actions
        assert f"/my-work/strategies/{cc.id}/steps" in actions
        assert f"/my-work/metrics/{fcr(session).id}/measurements" in actions

    def test_admin_may_open_any_department(self, session: Session, tiny: Plan) -> None:
        admin = make_person(session, "boss", "admin")
        client, _ = signed_in_client(session, admin)
        soup = page(client.get("/my-work?department=PW").text)
        assert "Fix potholes faster" in text_of(soup.find("main"))
        assert f"/my-work/strategies/{strategy(session, '1.2').id}/steps" in {
            f["action"] for f in edit_forms(soup)
        }


# --- strategy progress ---------------------------------------------------------------------------


class TestStrategyProgress:
    def post(
        self,
        client: TestClient,
        csrf: str,
        strategy_id: int,
        data: dict[str, str],
        *,
        htmx: bool = True,
    ):  # noqa: ANN201
        headers = {"X-CSRF-Token": csrf, **(HX if htmx else {})}
        return client.post(
            f"/my-work/strategies/{strategy_id}/progress",
            data=data,
            headers=headers,
            follow_redirects=False,
        )

    def test_saves_in_place_and_answers_the_block_with_the_new_values(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = pw_lead
        target = strategy(session, "1.2")
        response = self.post(
            client,
            csrf,
            target.id,
            {
                "version": "1",
                "status": "on_track",
                "progress": "40",
                "narrative": "Crews trained.",
                "note": "monthly update",
            },
        )
        assert response.status_code == 200
        assert is_fragment(response.text)
        soup = page(response.text)
        block = soup.find(id=f"strategy-{target.id}")
        assert block is not None and block.name == "article"
        assert text_of(block.find(class_="status")) == "On track"
        assert text_of(block.find(class_="progress-number")) == "40%"
        assert (
            block.find("select", attrs={"name": "status"}).find("option", selected=True)["value"]
            == "on_track"
        )
        assert block.find("textarea", attrs={"name": "narrative"}).get_text() == "Crews trained."
        assert block.find("input", attrs={"name": "version"})["value"] == "2"
        assert "Progress update saved." in text_of(block.find(class_="notice-ok"))
        session.expire_all()
        saved = session.get(Strategy, target.id)
        assert (saved.status, saved.progress, saved.narrative, saved.version) == (
            "on_track",
            40,
            "Crews trained.",
            2,
        )
        assert history_count(session, SubjectType.strategy, target.id) == 1

    def test_a_plain_post_redirects_back_to_the_item(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = pw_lead
        target = strategy(session, "1.2")
        response = self.post(
            client,
            csrf,
            target.id,
            {"version": "1", "status": "at_risk", "progress": "10"},
            htmx=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == (
            f"/my-work?saved=strategy-{target.id}#strategy-{target.id}"
        )
        after = page(client.get(response.headers["location"]).text)
        block = after.find(id=f"strategy-{target.id}")
        assert "Saved." in text_of(block.find(class_="notice-ok"))
        assert text_of(block.find(class_="status")) == "At risk"

    def test_a_coordinator_comes_back_to_the_department_they_were_reviewing(
        self, session: Session, coordinator_user: User
    ) -> None:
        client, csrf = signed_in_client(session, coordinator_user)
        target = strategy(session, "1.2")
        response = self.post(
            client,
            csrf,
            target.id,
            {"version": "1", "status": "on_hold", "narrative": "Paused."},
            htmx=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == (
            f"/my-work?saved=strategy-{target.id}&department=PW#strategy-{target.id}"
        )
        session.expire_all()
        assert session.get(Strategy, target.id).status == "on_hold"

    def test_a_tick_works_as_a_plain_form_post(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        target = strategy(session, "1.1")
        begin_strategy(session, target.id)  # Not started with progress is refused
        step = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Post the job")).one()
        response = client.post(
            f"/my-work/steps/{step.id}/done",
            data={"version": "1", "done": "1", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"].endswith(f"#strategy-{target.id}")
        block = page(client.get(response.headers["location"]).text).find(id=f"strategy-{target.id}")
        assert "1 of 2 workplan steps done" in text_of(block)

    def test_progress_over_100_is_refused_beside_the_field_keeping_what_was_typed(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = pw_lead
        target = strategy(session, "1.2")
        response = self.post(
            client,
            csrf,
            target.id,
            {
                "version": "1",
                "status": "on_track",
                "progress": "140",
                "narrative": "Typed words",
                "note": "my note",
            },
        )
        assert response.status_code == 422
        assert is_fragment(response.text)
        soup = page(response.text)
        field = soup.find("input", attrs={"name": "progress"})
        assert field["value"] == "140"
        assert field["aria-invalid"] == "true"
        error = soup.find(id=field["aria-describedby"])
        assert text_of(error) == "Must be 100 or less."
        assert error.find_previous("input") is field  # beside the field
        assert soup.find("textarea", attrs={"name": "narrative"}).get_text() == "Typed words"
        assert soup.find("input", attrs={"name": "note"})["value"] == "my note"
        assert (
            soup.find("select", attrs={"name": "status"}).find("option", selected=True)["value"]
            == "on_track"
        )
        session.expire_all()
        unchanged = session.get(Strategy, target.id)
        assert (unchanged.progress, unchanged.status, unchanged.version) == (0, "not_started", 1)
        assert history_count(session, SubjectType.strategy, target.id) == 0

    def test_a_plain_post_with_an_error_gets_the_page_with_the_message_in_place(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = pw_lead
        target = strategy(session, "1.2")
        response = self.post(
            client,
            csrf,
            target.id,
            {"version": "1", "status": "on_track", "progress": "-5"},
            htmx=False,
        )
        assert response.status_code == 422
        assert "<html" in response.text
        block = page(response.text).find(id=f"strategy-{target.id}")
        assert "Must be 0 or more." in text_of(block)
        assert block.find("input", attrs={"name": "progress"})["value"] == "-5"

    def test_a_stale_edit_shows_the_newer_value_and_its_author_and_saves_nothing(
        self, session: Session, pw_lead: tuple[TestClient, str], coordinator_user: User
    ) -> None:
        client, csrf = pw_lead
        target = strategy(session, "1.2")
        # The coordinator saves first, from version 1.
        strategies.record_strategy_progress(
            session=session,
            strategy=target,
            actor=Actor(user=coordinator_user),
            data=ProgressUpdateIn(version=1, status="at_risk", narrative="Budget cut."),
        )
        session.commit()
        response = self.post(
            client,
            csrf,
            target.id,
            {
                "version": "1",
                "status": "on_track",
                "progress": "50",
                "narrative": "All good.",
            },
        )
        assert response.status_code == 409
        assert is_fragment(response.text)
        soup = page(response.text)
        notice = text_of(soup.find(class_="notice-conflict"))
        assert "Coord saved a newer version" in notice
        assert "UTC" in notice
        assert "Budget cut." in notice and "At risk" in notice
        # The form is offered again on the newer version, with what the user typed.
        assert soup.find("input", attrs={"name": "version"})["value"] == "2"
        assert soup.find("textarea", attrs={"name": "narrative"}).get_text() == "All good."
        assert soup.find("input", attrs={"name": "progress"})["value"] == "50"
        session.expire_all()
        row = session.get(Strategy, target.id)
        assert (row.status, row.narrative, row.progress, row.version) == (
            "at_risk",
            "Budget cut.",
            0,
            2,
        )
        # Re-applying on the newer version saves.
        again = self.post(
            client,
            csrf,
            target.id,
            {
                "version": "2",
                "status": "on_track",
                "progress": "50",
                "narrative": "All good.",
            },
        )
        assert again.status_code == 200
        session.expire_all()
        assert session.get(Strategy, target.id).narrative == "All good."

    def test_a_strategy_with_steps_takes_progress_from_them(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        target = strategy(session, "1.1")
        block = page(client.get("/my-work").text).find(id=f"strategy-{target.id}")
        assert block.find("input", attrs={"name": "progress"}) is None
        assert "0% from workplan steps: 0 of 2 done" in text_of(block)
        # A forged progress value is refused: it comes from the steps.
        response = self.post(
            client, csrf, target.id, {"version": "1", "status": "on_track", "progress": "70"}
        )
        assert response.status_code == 422
        assert "progress follows its workplan steps (0 of 2 done)" in response.text.lower()
        session.expire_all()
        assert session.get(Strategy, target.id).version == 1

    def test_a_forged_post_for_another_departments_strategy_is_refused(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        target = strategy(session, "1.2")
        response = self.post(
            client, csrf, target.id, {"version": "1", "status": "complete", "progress": "100"}
        )
        assert response.status_code == 403
        assert "Public Works" in response.text
        session.expire_all()
        row = session.get(Strategy, target.id)
        assert (row.status, row.progress, row.version) == ("not_started", 0, 1)
        assert history_count(session, SubjectType.strategy, target.id) == 0

    def test_without_the_csrf_header_the_post_is_refused(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = pw_lead
        target = strategy(session, "1.2")
        response = client.post(
            f"/my-work/strategies/{target.id}/progress",
            headers=HX,
            data={"version": "1", "status": "on_track", "progress": "40"},
        )
        assert response.status_code == 403
        session.expire_all()
        assert session.get(Strategy, target.id).version == 1

    def test_an_anonymous_post_changes_nothing(self, session: Session, tiny: Plan) -> None:
        client = TestClient(app_under_test())
        target = strategy(session, "1.2")
        response = client.post(
            f"/my-work/strategies/{target.id}/progress",
            data={"version": "1", "status": "on_track"},
            follow_redirects=False,
        )
        assert response.status_code in (303, 401, 403)
        session.expire_all()
        assert session.get(Strategy, target.id).version == 1


# --- workplan steps: the San José scenario -------------------------------------------------------


@pytest.fixture
def san_jose(session: Session) -> Iterator[Strategy]:
    """San José with recommendation 3.1 assigned to SJ311 (the seed names no owner), as an
    administrator would through update_strategy."""
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    rec = strategy(session, "3.1", "san-jose-customer-service")
    sj311 = whose_work.resolve_department(
        session=session,
        user=make_person(session, "sj-admin", "admin", organization="san-jose"),
        code="SJ311",
    )
    admin = session.exec(select(User).where(User.username == "sj-admin")).one()
    strategies.update_strategy(
        session=session,
        strategy=rec,
        actor=Actor(user=admin),
        data=StrategyUpdate(version=rec.version, department_id=sj311.id),
    )
    session.commit()
    yield rec


@pytest.fixture
def sj311_lead(session: Session, san_jose: Strategy) -> tuple[TestClient, str]:
    lead = make_person(session, "sj311-lead", "lead", department="SJ311", organization="san-jose")
    return signed_in_client(session, lead)


class TestWorkplanSteps:
    def test_sj311_lead_adds_a_step_to_3_1_and_ticks_it_done_inline(
        self, session: Session, san_jose: Strategy, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        rec = san_jose
        soup = page(client.get("/my-work").text)
        body = text_of(soup.find("main"))
        assert "Recommendation theme 3: Equitable Access" in body
        block = soup.find(id=f"strategy-{rec.id}")
        assert (
            "Recommendation 3.1 Ensure customers can access a full journey in-language"
            in text_of(block)
        )
        assert "No workplan steps yet" in text_of(block)
        # San José's SJ311 quick wins are here; Animal Care's are not.
        for number in (1, 4, 9, 10, 11):
            assert f"Quick win {number}" in body
        assert "Quick win 6" not in body and "Quick win 7" not in body

        headers = {"X-CSRF-Token": csrf, **HX}
        added = client.post(
            f"/my-work/strategies/{rec.id}/steps",
            headers=headers,
            data={
                "title": "Translate the phone tree",
                "completion_measure": "Spanish and Vietnamese menus live",
                "owner": "SJ311 operations",
                "due": "",
            },
        )
        assert added.status_code == 200
        assert is_fragment(added.text)
        block = page(added.text).find(id=f"strategy-{rec.id}")
        assert "Translate the phone tree" in text_of(block)
        assert "Done when: Spanish and Vietnamese menus live" in text_of(block)
        assert "0 of 1 workplan steps done" in text_of(block)
        assert "Workplan step “Translate the phone tree” added." in text_of(
            block.find(class_="notice-ok")
        )
        session.expire_all()
        step = session.exec(select(WorkplanStep).where(WorkplanStep.strategy_id == rec.id)).one()
        assert history_count(session, SubjectType.step, step.id) == 1

        tick = block.find("form", action=f"/my-work/steps/{step.id}/done")
        assert tick["hx-post"] == f"/my-work/steps/{step.id}/done"
        assert tick["hx-target"] == f"#strategy-{rec.id}"
        fields = {i["name"]: i.get("value", "") for i in tick.find_all("input")}
        # Its only step: ticked, 3.1 would be 100% while Not started. Refused, with the offer to
        # mark it complete with the tick.
        refused = client.post(f"/my-work/steps/{step.id}/done", headers=headers, data=fields)
        assert refused.status_code == 422
        offer = page(refused.text).find(id=f"step-{step.id}-complete").find_parent("form")
        fields = {i["name"]: i.get("value", "") for i in offer.find_all("input")}
        done = client.post(f"/my-work/steps/{step.id}/done", headers=headers, data=fields)
        assert done.status_code == 200
        block = page(done.text).find(id=f"strategy-{rec.id}")
        assert "1 of 1 workplan steps done" in text_of(block)
        assert text_of(block.find(class_="progress-number")) == "100%"
        assert f"Done {dt.date.today()}" in text_of(block)
        assert (
            "“Translate the phone tree” marked done, and recommendation 3.1 marked complete."
            in text_of(block.find(class_="notice-ok"))
        )
        session.expire_all()
        assert session.get(WorkplanStep, step.id).done_on == dt.date.today()
        assert history_count(session, SubjectType.step, step.id) == 2
        work = work_items.load_strategy_work(
            session=session, strategy=session.get(Strategy, rec.id), user=None
        )
        assert (work.node.progress, work.node.progress_source) == (100, "steps")

        # And undone again.
        undo = page(done.text).find("form", action=f"/my-work/steps/{step.id}/done")
        fields = {i["name"]: i.get("value", "") for i in undo.find_all("input")}
        assert fields["done"] == "0"
        # 3.1 is now Complete: reopening its step is refused until its status says otherwise.
        undone = client.post(f"/my-work/steps/{step.id}/done", headers=headers, data=fields)
        assert undone.status_code == 422
        assert "Recommendation 3.1 is marked Complete: post a progress update" in text_of(
            page(undone.text)
        )
        session.expire_all()
        assert session.get(WorkplanStep, step.id).done_on == dt.date.today()

    def test_an_empty_title_is_refused_beside_the_field_and_nothing_is_saved(
        self, session: Session, san_jose: Strategy, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        response = client.post(
            f"/my-work/strategies/{san_jose.id}/steps",
            headers={"X-CSRF-Token": csrf, **HX},
            data={"title": "  ", "completion_measure": "Menus live", "owner": "Ops"},
        )
        assert response.status_code == 422
        soup = page(response.text)
        form = soup.find("details", class_="add-step", open=True)
        assert form is not None  # the form is open, so the message is seen
        title = form.find("input", attrs={"name": "title"})
        assert text_of(soup.find(id=title["aria-describedby"])) == "This is required."
        assert form.find("input", attrs={"name": "completion_measure"})["value"] == "Menus live"
        assert form.find("input", attrs={"name": "owner"})["value"] == "Ops"
        session.expire_all()
        assert (
            session.exec(select(WorkplanStep).where(WorkplanStep.strategy_id == san_jose.id)).all()
            == []
        )
        assert history_count(session, SubjectType.step) == 0

    def test_a_due_date_outside_the_plan_period_is_refused(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        target = strategy(session, "1.1")
        response = client.post(
            f"/my-work/strategies/{target.id}/steps",
            headers={"X-CSRF-Token": csrf, **HX},
            data={"title": "Train staff", "due": "2031-03-01"},
        )
        assert response.status_code == 422
        soup = page(response.text)
        due = soup.find("input", id=f"strategy-{target.id}-step-due")
        assert due["value"] == "2031-03-01"
        assert "after the plan's period ends (2027-12-31)" in text_of(
            soup.find(id=due["aria-describedby"])
        )
        assert soup.find("input", id=f"strategy-{target.id}-step-title")["value"] == "Train staff"
        session.expire_all()
        assert (
            len(
                session.exec(
                    select(WorkplanStep).where(WorkplanStep.strategy_id == target.id)
                ).all()
            )
            == 2
        )

    def test_a_sub_step_goes_under_its_step_one_level_only(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        target = strategy(session, "1.1")
        top = session.exec(
            select(WorkplanStep).where(
                WorkplanStep.strategy_id == target.id, WorkplanStep.parent_id.is_(None)
            )
        ).one()  # type: ignore[union-attr]
        headers = {"X-CSRF-Token": csrf, **HX}
        response = client.post(
            f"/my-work/strategies/{target.id}/steps",
            headers=headers,
            data={"title": "Interview", "parent_id": str(top.id)},
        )
        assert response.status_code == 200
        subs = page(response.text).find(id=f"step-{top.id}").find_next("ol", class_="sub-steps")
        assert "Interview" in text_of(subs)
        assert "0 of 3 workplan steps done" in text_of(page(response.text))
        session.expire_all()
        sub = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Interview")).one()
        deeper = client.post(
            f"/my-work/strategies/{target.id}/steps",
            headers=headers,
            data={"title": "Too deep", "parent_id": str(sub.id)},
        )
        assert deeper.status_code == 422
        assert "one level only" in deeper.text

    def test_a_stale_tick_shows_who_changed_the_step_and_leaves_it_unchanged(
        self, session: Session, cc_lead: tuple[TestClient, str], coordinator_user: User
    ) -> None:
        client, csrf = cc_lead
        target = strategy(session, "1.1")
        begin_strategy(session, target.id)
        step = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Post the job")).one()
        admin = make_person(session, "other-admin", "admin")
        strategies.set_step_done(
            session=session, step=step, version=1, done=True, actor=Actor(user=admin)
        )
        session.commit()
        # This page still shows version 1, so undoing from it is a stale edit.
        response = client.post(
            f"/my-work/steps/{step.id}/done",
            headers={"X-CSRF-Token": csrf, **HX},
            data={"version": "1", "done": "0"},
        )
        assert response.status_code == 409
        soup = page(response.text)
        notice = text_of(soup.find(class_="notice-conflict"))
        assert "Other Admin saved a newer version" in notice
        assert f"Step now done on {dt.date.today()}" in notice
        # The step's own button now carries the newer version.
        tick = soup.find("form", action=f"/my-work/steps/{step.id}/done")
        assert tick.find("input", attrs={"name": "version"})["value"] == "2"
        session.expire_all()
        row = session.get(WorkplanStep, step.id)
        assert (row.done_on, row.version) == (dt.date.today(), 2)
        assert target.id == row.strategy_id

    def test_a_forged_step_post_for_another_department_is_refused(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = pw_lead
        target = strategy(session, "1.1")
        step = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Post the job")).one()
        headers = {"X-CSRF-Token": csrf, **HX}
        assert (
            client.post(
                f"/my-work/steps/{step.id}/done",
                headers=headers,
                data={"version": "1", "done": "1"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"/my-work/strategies/{target.id}/steps", headers=headers, data={"title": "Sneaky"}
            ).status_code
            == 403
        )
        session.expire_all()
        assert session.get(WorkplanStep, step.id).done_on is None
        assert (
            session.exec(select(WorkplanStep).where(WorkplanStep.title == "Sneaky")).first() is None
        )
        assert history_count(session, SubjectType.step) == 0

    def test_without_the_csrf_header_a_tick_is_refused(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        step = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Post the job")).one()
        response = client.post(
            f"/my-work/steps/{step.id}/done", headers=HX, data={"version": "1", "done": "1"}
        )
        assert response.status_code == 403
        session.expire_all()
        assert session.get(WorkplanStep, step.id).done_on is None


# --- measurements --------------------------------------------------------------------------------


class TestMeasurements:
    def post(self, client: TestClient, csrf: str, metric_id: int, data: dict[str, str]):  # noqa: ANN201
        return client.post(
            f"/my-work/metrics/{metric_id}/measurements",
            data=data,
            headers={"X-CSRF-Token": csrf, **HX},
        )

    def test_records_a_value_and_the_latest_target_and_status_update(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        response = self.post(
            client, csrf, metric.id, {"period": "2025-07", "value": "86.5", "note": "July survey"}
        )
        assert response.status_code == 200
        assert is_fragment(response.text)
        block = page(response.text).find(id=f"metric-{metric.id}")
        assert text_of(block.find(class_="latest-value")) == "86.5% July 2025"
        assert text_of(block.find(class_="target-value")) == "85% or higher"
        assert text_of(block.find(class_="metric-status")).startswith("On track")
        assert "86.5% recorded for July 2025." in text_of(block.find(class_="notice-ok"))
        session.expire_all()
        row = session.exec(
            select(Measurement).where(
                Measurement.metric_id == metric.id, Measurement.period == dt.date(2025, 7, 1)
            )
        ).one()
        assert (row.value, row.note) == (86.5, "July survey")
        assert history_count(session, SubjectType.measurement, row.id) == 1

    def test_a_period_in_the_future_is_refused_keeping_the_typed_values(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        future = (dt.date.today().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
        response = self.post(
            client, csrf, metric.id, {"period": future, "value": "90", "note": "early"}
        )
        assert response.status_code == 422
        soup = page(response.text)
        period = soup.find("input", id=f"metric-{metric.id}-measurement-period")
        assert period["value"] == future
        assert "is in the future" in text_of(soup.find(id=period["aria-describedby"]))
        assert soup.find("input", id=f"metric-{metric.id}-measurement-value")["value"] == "90"
        assert soup.find("input", id=f"metric-{metric.id}-measurement-note")["value"] == "early"
        session.expire_all()
        assert (
            len(session.exec(select(Measurement).where(Measurement.metric_id == metric.id)).all())
            == 2
        )

    def test_a_value_that_is_not_a_number_is_refused(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        response = self.post(client, csrf, metric.id, {"period": "2025-07", "value": "lots"})
        assert response.status_code == 422
        soup = page(response.text)
        value = soup.find("input", id=f"metric-{metric.id}-measurement-value")
        assert value["value"] == "lots"
        assert text_of(soup.find(id=value["aria-describedby"])) == (
            "Enter a number, e.g. 70.5 (a point or a comma for decimals)."
        )

    def test_an_existing_period_is_offered_as_a_correction_of_the_stored_value(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        response = self.post(client, csrf, metric.id, {"period": "2025-06", "value": "84"})
        assert response.status_code == 409
        soup = page(response.text)
        notice = text_of(soup.find(class_="notice-conflict"))
        assert notice.startswith("A value for June 2025 is already recorded")
        assert "Value now 83%" in notice and "Period now June 2025" in notice
        correction = soup.find("form", class_="measurement-form")
        fields = {i["name"]: i.get("value", "") for i in correction.find_all("input")}
        assert fields["period"] == "2025-06-01" and fields["version"] == "1"
        assert fields["value"] == "84"  # what the user typed, kept
        assert "Correct the value for June 2025" in text_of(correction.find("button"))
        session.expire_all()
        stored = session.exec(
            select(Measurement).where(Measurement.period == dt.date(2025, 6, 1))
        ).one()
        assert (stored.value, stored.version) == (83, 1)
        # Correcting on that version saves it.
        fixed = self.post(client, csrf, metric.id, fields)
        assert fixed.status_code == 200
        assert text_of(page(fixed.text).find(class_="latest-value")) == "84% June 2025"
        session.expire_all()
        stored = session.get(Measurement, stored.id)
        assert (stored.value, stored.version) == (84, 2)
        assert history_count(session, SubjectType.measurement, stored.id) == 1

    def test_a_stale_correction_shows_the_newer_value_and_its_author(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        first = self.post(
            client, csrf, metric.id, {"period": "2025-06-01", "value": "82", "version": "1"}
        )
        assert first.status_code == 200
        stale = self.post(
            client, csrf, metric.id, {"period": "2025-06-01", "value": "81", "version": "1"}
        )
        assert stale.status_code == 409
        notice = text_of(page(stale.text).find(class_="notice-conflict"))
        assert "Cc Lead saved a newer version" in notice and "Value now 82%" in notice
        session.expire_all()
        stored = session.exec(
            select(Measurement).where(Measurement.period == dt.date(2025, 6, 1))
        ).one()
        assert (stored.value, stored.version) == (82, 2)

    def test_another_departments_lead_cannot_record_a_value(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = pw_lead
        metric = fcr(session)
        assert (
            self.post(client, csrf, metric.id, {"period": "2025-07", "value": "99"}).status_code
            == 403
        )
        session.expire_all()
        assert (
            len(session.exec(select(Measurement).where(Measurement.metric_id == metric.id)).all())
            == 2
        )
        assert history_count(session, SubjectType.measurement) == 0


# --- quick wins ----------------------------------------------------------------------------------


class TestQuickWinProgress:
    def post(self, client: TestClient, csrf: str, qw_id: int, data: dict[str, str]):  # noqa: ANN201
        return client.post(
            f"/my-work/quick-wins/{qw_id}/progress", data=data, headers={"X-CSRF-Token": csrf, **HX}
        )

    def test_a_lead_completes_their_quick_win_in_place(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        qw = quick_win(session, 1)
        response = self.post(
            client,
            csrf,
            qw.id,
            {"version": "1", "status": "complete", "narrative": "Spanish chat staffed daily."},
        )
        assert response.status_code == 200
        assert is_fragment(response.text)
        block = page(response.text).find(id=f"quick-win-{qw.id}")
        assert text_of(block.find(class_="status")) == "Complete"
        assert "Quick win update saved." in text_of(block.find(class_="notice-ok"))
        session.expire_all()
        row = session.get(QuickWin, qw.id)
        assert (row.status, row.narrative, row.version) == (
            "complete",
            "Spanish chat staffed daily.",
            2,
        )
        assert history_count(session, SubjectType.quick_win, qw.id) == 1

    def test_an_unknown_status_is_refused_beside_the_field(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        qw = quick_win(session, 1)
        response = self.post(
            client, csrf, qw.id, {"version": "1", "status": "done-ish", "narrative": "typed"}
        )
        assert response.status_code == 422
        soup = page(response.text)
        assert (
            text_of(soup.find(id=f"quick-win-{qw.id}-status-error"))
            == "Choose one of the listed statuses."
        )
        assert soup.find("textarea", attrs={"name": "narrative"}).get_text() == "typed"
        session.expire_all()
        assert session.get(QuickWin, qw.id).version == 1

    def test_a_stale_edit_shows_the_newer_status_and_who_saved_it(
        self, session: Session, cc_lead: tuple[TestClient, str], coordinator_user: User
    ) -> None:
        client, csrf = cc_lead
        qw = quick_win(session, 1)
        quick_wins.record_quick_win_progress(
            session=session,
            quick_win=qw,
            actor=Actor(user=coordinator_user),
            data=QuickWinProgressIn(version=1, status="planned", narrative="Paused for hiring."),
        )
        session.commit()
        response = self.post(
            client, csrf, qw.id, {"version": "1", "status": "complete", "narrative": "Done"}
        )
        assert response.status_code == 409
        soup = page(response.text)
        notice = text_of(soup.find(class_="notice-conflict"))
        assert "Coord saved a newer version" in notice
        assert "Status now Planned" in notice and "Paused for hiring." in notice
        assert soup.find("input", attrs={"name": "version"})["value"] == "2"
        session.expire_all()
        assert session.get(QuickWin, qw.id).status == "planned"

    def test_a_forged_post_for_another_departments_quick_win_is_refused(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        qw = quick_win(session, 2)
        assert (
            self.post(client, csrf, qw.id, {"version": "1", "status": "planned"}).status_code == 403
        )
        session.expire_all()
        assert session.get(QuickWin, qw.id).status == "complete"
        assert history_count(session, SubjectType.quick_win) == 0


# --- pages ---------------------------------------------------------------------------------------

ROADS = """\
format: plantrack/1
organization: {name: City of Testville, slug: testville}
departments:
  - {code: CC, name: Contact Centre}
plan:
  slug: roads
  title: Roads Plan
  published: true
  terminology: {strategy: Initiative, strategies: Initiatives}
focus_areas:
  - code: B
    title: Busy area
    strategies:
%s
metrics:
%s
quick_wins:
%s
"""


class TestPages:
    """CC owns 12 initiatives, 3 quick wins and 3 metrics in the Roads Plan, read first, then
    the tiny plan's 1.1, quick win 1 and FCR: 21 items, 10 a page."""

    @pytest.fixture
    def roads(self, session: Session, tiny: Plan) -> Plan:
        from app.services.plan_file.importing import import_plan_text

        strategies = "\n".join(
            f"      - {{code: 'R{n}', title: Road work {n}, department: CC,"
            f" steps: [{{title: Survey {n}}}]}}"
            for n in range(1, 13)
        )
        metrics = "\n".join(
            f"  - {{code: RM{n}, name: Road measure {n}, unit: count, direction: higher,"
            " department: CC}"
            for n in range(1, 4)
        )
        quick = "\n".join(
            f"  - {{number: {n}, issue_category: Road topic {n}, department: CC}}"
            for n in range(1, 4)
        )
        plan = import_plan_text(
            session=session, text=ROADS % (strategies, metrics, quick), source="roads.yaml"
        )
        session.commit()
        return plan

    @staticmethod
    def items(soup: BeautifulSoup) -> list[str]:
        """The items of a page, by their title."""
        return [text_of(h) for h in soup.select("#work-items article.work-item h4")]

    ALL = [
        *(f"Initiative R{n} Road work {n}" for n in range(1, 13)),
        *(f"Quick win {n} Road topic {n}" for n in range(1, 4)),
        *(f"RM{n} Road measure {n}" for n in range(1, 4)),
        "Recommendation 1.1 Answer in language",
        "Quick win 1 Language Access",
        "FCR First call resolution",
    ]

    def test_the_first_page_and_a_link_to_the_next(
        self, session: Session, roads: Plan, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        soup = page(client.get("/my-work").text)
        assert self.items(soup) == self.ALL[:10]
        # The plan's counts are of all its items, not of this page's.
        assert "12 initiatives · 3 quick wins · 3 metrics" in text_of(soup.find("main"))
        pager = soup.find("nav", id="my-work-more")
        assert "Items 1–10 of 21 · page 1 of 3" in text_of(pager)
        assert pager.find("a", rel="prev") is None
        nxt = pager.find("a", rel="next")
        assert nxt["href"] == nxt["hx-get"] == "/my-work?page=2"
        assert text_of(nxt) == "Next 10 items"
        assert nxt["hx-select-oob"] == "#work-items:beforeend"
        assert nxt["hx-target"] == nxt["hx-select"] == "#my-work-more"
        assert "revealed" in nxt["hx-trigger"]
        # The plans' links go to the page where each begins.
        jump = {text_of(a): a["href"] for a in soup.find("nav", class_="plan-jump").find_all("a")}
        assert jump == {
            "Roads Plan": f"#plan-{roads.id}",
            "Testville Customer Service Plan": f"/my-work?page=2#plan-{make_tiny_id(session)}",
        }

    def test_every_item_is_reached_once_by_following_next_without_javascript(
        self, session: Session, roads: Plan, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        seen: list[str] = []
        url: str | None = "/my-work"
        pages = []
        while url:
            soup = page(client.get(url).text)
            pages.append(soup)
            seen += self.items(soup)
            nxt = soup.find("a", rel="next")
            url = nxt["href"] if nxt else None
        assert seen == self.ALL and len(pages) == 3
        second = pages[1]
        # The Roads Plan and its focus area go on from page 1; the tiny plan begins here.
        headings = [text_of(h) for h in second.select("#work-items h2, #work-items h3")]
        assert headings == [
            "Roads Plan (continued)",
            "Focus area B: Busy area (continued)",
            "Quick wins",
            "Metrics",
            "Testville Customer Service Plan",
            "Focus area 1: Access",
            "Quick wins",
        ]
        assert second.find("h2", id=f"plan-{roads.id}-p2") is not None
        assert second.find("h2", id=f"plan-{make_tiny_id(session)}") is not None
        assert second.find("a", rel="prev")["href"] == "/my-work"
        assert "Items 11–20 of 21 · page 2 of 3" in text_of(second.find("nav", id="my-work-more"))
        # Ids stay unique when htmx appends a page to the one before.
        ids = [t["id"] for soup in pages for t in soup.select("#work-items [id]")]
        assert len(ids) == len(set(ids))
        assert "Metrics (continued)" not in text_of(pages[2].find(id="work-items"))
        assert "Testville Customer Service Plan (continued)" in text_of(pages[2].find("h2"))

    def test_htmx_gets_the_next_page_as_a_fragment_counted_from_the_first(
        self, roads: Plan, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = cc_lead
        response = client.get("/my-work?page=2", headers={**HX, "HX-Target": "my-work-more"})
        assert response.status_code == 200
        assert "<html" not in response.text and "site-header" not in response.text
        soup = page(response.text)
        assert self.items(soup) == self.ALL[10:20]
        pager = soup.find("nav", id="my-work-more")
        assert "Items 1–20 of 21" in text_of(pager) and pager.find("a", rel="prev") is None
        assert pager.find("a", rel="next")["hx-get"] == "/my-work?page=3"

    def test_a_coordinator_keeps_the_department_across_pages(
        self, session: Session, roads: Plan, coordinator_user: User
    ) -> None:
        client, _ = signed_in_client(session, coordinator_user)
        soup = page(client.get("/my-work?department=CC").text)
        assert soup.find("a", rel="next")["href"] == "/my-work?department=CC&page=2"
        second = page(client.get("/my-work?department=CC&page=2").text)
        assert self.items(second) == self.ALL[10:20]
        assert second.find("a", rel="prev")["href"] == "/my-work?department=CC"

    def test_a_plain_post_comes_back_to_the_page_that_holds_the_item(
        self, session: Session, roads: Plan, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        target = strategy(session, "1.1")
        answer = client.post(
            f"/my-work/strategies/{target.id}/progress",
            data={"version": str(target.version), "status": "at_risk", "narrative": "Hiring."},
            headers={"X-CSRF-Token": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert (
            answer.headers["location"]
            == f"/my-work?saved=strategy-{target.id}#strategy-{target.id}"
        )
        back = page(client.get(answer.headers["location"]).text)
        assert self.items(back) == self.ALL[10:20]  # page 2, where 1.1 is
        block = back.find(id=f"strategy-{target.id}")
        assert "Saved." in text_of(block.find(class_="notice-ok"))
        assert (
            block.find("select", attrs={"name": "status"}).find("option", selected=True)["value"]
            == "at_risk"
        )
        # An error in a plain post: the page that holds the item, with the message in place.
        refused = client.post(
            f"/my-work/strategies/{target.id}/progress",
            data={"version": str(target.version + 1), "status": "bogus"},
            headers={"X-CSRF-Token": csrf},
            follow_redirects=False,
        )
        assert refused.status_code == 422
        refused_page = page(refused.text)
        assert self.items(refused_page) == self.ALL[10:20]
        block = refused_page.find(id=f"strategy-{target.id}")
        assert "Choose one of the listed statuses." in text_of(block)

    def test_an_item_of_a_later_page_is_edited_inline_as_on_the_first(
        self, session: Session, roads: Plan, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        form = page(client.get("/my-work?page=3").text).find(id=f"metric-{metric.id}").find("form")
        assert form["hx-post"] == form["action"] == f"/my-work/metrics/{metric.id}/measurements"
        answer = client.post(
            form["action"],
            data={"period": "2025-07", "value": "86"},
            headers={"X-CSRF-Token": csrf, **HX},
        )
        assert answer.status_code == 200 and is_fragment(answer.text)
        block = page(answer.text).find(id=f"metric-{metric.id}")
        assert text_of(block.find(class_="latest-value")) == "86% July 2025"


def make_tiny_id(session: Session) -> int:
    return session.exec(select(Plan.id).where(Plan.slug == "testville-service")).one()


def test_an_item_of_another_organisations_unpublished_plan_is_not_found(
    session: Session,
) -> None:
    """A refusal must not tell an outsider that an unpublished plan's item exists (404 as in the
    API, not 403 'another organisation'), and nothing is saved."""
    from app.models import Measurement, Metric
    from tests.factories import import_unpublished_seed

    make_tiny_plan(session)
    mississauga = import_unpublished_seed(session, "mississauga.yaml")
    outsider = make_person(session, "cc-lead", "lead", department="CC")
    client, csrf = signed_in_client(session, outsider)
    strategy = session.exec(select(Strategy).where(Strategy.plan_id == mississauga.id)).first()
    metric = session.exec(select(Metric).where(Metric.plan_id == mississauga.id)).first()
    quick_win = session.exec(select(QuickWin).where(QuickWin.plan_id == mississauga.id)).first()
    assert strategy is not None and metric is not None
    measured = (
        select(func.count()).select_from(Measurement).where(Measurement.metric_id == metric.id)
    )
    measurements_before = session.exec(measured).one()
    tries = [
        (
            f"/my-work/strategies/{strategy.id}/progress",
            {"version": strategy.version, "progress": "50"},
        ),
        (f"/my-work/metrics/{metric.id}/measurements", {"period": "2024-01", "value": "5"}),
    ]
    if quick_win is not None:
        tries.append(
            (f"/my-work/quick-wins/{quick_win.id}/progress", {"version": quick_win.version})
        )
    for url, data in tries:
        answer = client.post(url, data={**data, "csrf_token": csrf})
        assert answer.status_code == 404, (url, answer.status_code)
        assert "another organisation" not in answer.text
    session.expire_all()
    assert session.get(Strategy, strategy.id).version == strategy.version  # type: ignore[union-attr]
    assert session.exec(measured).one() == measurements_before
