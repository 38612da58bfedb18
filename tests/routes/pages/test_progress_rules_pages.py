"""/my-work's side of progress counting and the status/progress rules, and /review listing what
is off outside the focus areas: real requests through the app, on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Metric, Plan, QuickWin, Strategy, WorkplanStep
from app.models.metric import MeasurementIn, TargetIn
from app.models.quick_win import QuickWinProgressIn
from app.models.strategy import ProgressUpdateIn
from app.services.changes import metrics, quick_wins, strategies
from app.services.changes.history import Actor
from app.services.plan_file.importing import import_plan_path
from tests.factories import SEEDS_DIR, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def strategy(session: Session, code: str) -> Strategy:
    session.expire_all()
    return session.exec(
        select(Strategy).join(Plan).where(Strategy.code == code, Plan.slug == "testville-service")
    ).one()


@pytest.fixture
def pw_lead(session: Session) -> tuple[TestClient, str]:
    make_tiny_plan(session)
    return signed_in_client(session, make_person(session, "pw-lead", "lead", department="PW"))


def post_progress(
    client: tuple[TestClient, str], s: Strategy, **form: str
) -> tuple[int, BeautifulSoup]:
    http, csrf = client
    answer = http.post(
        f"/my-work/strategies/{s.id}/progress",
        data={"version": str(s.version), "status": s.status, **form},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    return answer.status_code, page(answer.text)


class TestMyWorkProgressForm:
    def test_100_while_on_track_is_refused_beside_the_field_and_offers_save_as_complete(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        s = strategy(session, "1.2")
        status, soup = post_progress(pw_lead, s, status="on_track", progress="100")
        assert status == 422
        error = soup.find(id=f"strategy-{s.id}-progress-error")
        assert "100% means the work is done: mark it Complete as well" in text_of(error)
        offer = soup.find("button", id=f"strategy-{s.id}-mark-complete")
        assert offer is not None and offer["name"] == "mark_complete"
        assert strategy(session, "1.2").version == 1  # nothing saved
        # The offer: the same form, saved as Complete.
        status, soup = post_progress(
            pw_lead, s, status="on_track", progress="100", mark_complete="1"
        )
        assert status == 200
        after = strategy(session, "1.2")
        assert (after.status, after.progress) == ("complete", 100)

    def test_not_started_with_progress_is_refused_on_the_status(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        s = strategy(session, "1.2")
        status, soup = post_progress(pw_lead, s, status="not_started", progress="30")
        assert status == 422
        assert "Not started cannot have 30% progress" in text_of(
            soup.find(id=f"strategy-{s.id}-status-error")
        )
        assert soup.find("button", id=f"strategy-{s.id}-mark-complete") is None

    @pytest.mark.parametrize("blank", ["", "   "])
    def test_a_blank_progress_box_is_unchanged(
        self, session: Session, pw_lead: tuple[TestClient, str], blank: str
    ) -> None:
        s = strategy(session, "1.2")
        assert post_progress(pw_lead, s, status="on_track", progress="40")[0] == 200
        s = strategy(session, "1.2")
        status, _ = post_progress(pw_lead, s, status="on_track", progress=blank, narrative="Ok.")
        assert status == 200
        assert (strategy(session, "1.2").progress, strategy(session, "1.2").narrative) == (
            40,
            "Ok.",
        )

    def test_a_first_step_states_that_progress_now_follows_it(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        s = strategy(session, "1.2")
        assert post_progress(pw_lead, s, status="on_track", progress="40")[0] == 200
        http, csrf = pw_lead
        answer = http.post(
            f"/my-work/strategies/{s.id}/steps",
            data={"title": "Fill the potholes"},
            headers={**HX, "X-CSRF-Token": csrf},
        )
        assert answer.status_code == 200
        block = page(answer.text)
        assert (
            "Progress now follows its 1 workplan step: 0 done (0%); it was 40% by hand."
            in text_of(block)
        )
        # The form shows how progress is counted, and the figure it was by hand.
        counting = block.find("select", attrs={"name": "progress_counting"})
        assert (
            counting is not None and counting.find("option", selected=True)["value"] == "by_steps"
        )
        assert "0% from workplan steps: 0 of 1 done (it was 40% by hand)" in text_of(
            block.find(class_="from-steps")
        )

    def test_ticking_the_last_step_offers_to_mark_the_strategy_complete(
        self, session: Session, pw_lead: tuple[TestClient, str]
    ) -> None:
        s = strategy(session, "1.2")
        actor = Actor(name="test")
        strategies.record_strategy_progress(
            session=session,
            strategy=s,
            data=ProgressUpdateIn(version=s.version, status="on_track"),
            actor=actor,
        )
        strategies.add_step(
            session=session,
            strategy=s,
            data=strategies.StepCreate(title="Only step"),
            actor=actor,
        )
        session.commit()
        step = session.exec(select(WorkplanStep).where(WorkplanStep.strategy_id == s.id)).one()
        http, csrf = pw_lead
        answer = http.post(
            f"/my-work/steps/{step.id}/done",
            data={"version": str(step.version), "done": "1"},
            headers={**HX, "X-CSRF-Token": csrf},
        )
        assert answer.status_code == 422
        soup = page(answer.text)
        assert "would be 100% while On track" in text_of(soup)
        offer = soup.find("button", id=f"step-{step.id}-complete")
        assert offer is not None
        form = offer.find_parent("form")
        assert form.find("input", attrs={"name": "complete_strategy"})["value"] == "1"
        answer = http.post(
            f"/my-work/steps/{step.id}/done",
            data={"version": str(step.version), "done": "1", "complete_strategy": "1"},
            headers={**HX, "X-CSRF-Token": csrf},
        )
        assert answer.status_code == 200
        assert "and recommendation 1.2 marked complete" in text_of(page(answer.text))
        assert strategy(session, "1.2").status == "complete"


class TestReviewPage:
    def test_s1_nt_off_track_appears_and_the_off_track_filter_finds_it(
        self, session: Session
    ) -> None:
        import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
        session.commit()
        s1nt = session.exec(
            select(Metric)
            .join(Plan)
            .where(Metric.code == "S1-NT", Plan.slug == "san-jose-customer-service")
        ).one()
        actor = Actor(name="SJ311 lead")
        metrics.revise_target(
            session=session,
            metric=s1nt,
            version=s1nt.version,
            target=TargetIn(value=80, comparator="at_least"),  # type: ignore[arg-type]
            actor=actor,
        )
        metrics.record_measurement(
            session=session,
            metric=s1nt,
            data=MeasurementIn(period=dt.date(2025, 6, 1), value=62),
            actor=actor,
        )
        session.commit()
        coordinator, _ = signed_in_client(
            session, make_person(session, "carla", "coordinator", organization="san-jose")
        )
        for url in ("/review", "/review?status=off_track"):
            soup = page(coordinator.get(url).text)
            section = soup.find(id="metrics-outside-focus-areas")
            assert section is not None, url
            body = text_of(section)
            assert "Standard 1:" in body and "S1-NT" in body and "Off track" in body
            link = section.find("a", href="/plans/san-jose-customer-service/scorecard/S1-NT")
            assert link is not None
            assert "1 off-target or late metric measuring no focus area" in text_of(
                soup.find(class_="board-summary")
            )
        soup = page(coordinator.get("/review?status=on_track").text)
        assert soup.find(id="metrics-outside-focus-areas") is None

    def test_a_quick_win_changed_since_the_date_is_listed(self, session: Session) -> None:
        make_tiny_plan(session)
        qw = session.exec(select(QuickWin).where(QuickWin.number == 2)).one()
        quick_wins.record_quick_win_progress(
            session=session,
            quick_win=qw,
            data=QuickWinProgressIn(version=qw.version, status="in_progress"),  # type: ignore[arg-type]
            actor=Actor(name="test"),
        )
        session.commit()
        coordinator, _ = signed_in_client(session, make_person(session, "coco", "coordinator"))
        soup = page(coordinator.get("/review").text)
        row = soup.find(id=f"quick-win-change-{qw.id}")
        assert row is not None
        assert text_of(row).startswith("Quick win 2 : Staffing Testville Customer Service Plan")
        assert "In progress" in text_of(row) and "1 change" in text_of(row)
        # A status filter is about focus areas and metrics: quick wins have no such status.
        soup = page(coordinator.get("/review?status=off_track").text)
        assert soup.find(id="quick-win-changes") is None
