"""Every moment a page shows is in one zone, written one way (issue 13): the plan's organisation's
on a page about a plan, else the reader's organisation's, else UTC: "2025-12-06 19:30 PST".

One moment, 03:30 UTC on 7 December 2025, is the evening of the 6th in Los Angeles: each page
shows the Los Angeles text (and date) and never the UTC one; an organisation in UTC shows UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import (
    ApiToken,
    FocusArea,
    HistoryAction,
    HistoryEntry,
    HistoryField,
    Plan,
    PublicUpdate,
    Strategy,
)
from app.models.enums import Role, SubjectType
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategies import record_strategy_progress
from app.services.rules import clock
from tests.factories import make_person, make_tiny_plan, set_plan_time_zone, signed_in_client

LA = "America/Los_Angeles"
AT = dt.datetime(2025, 12, 7, 3, 30, tzinfo=dt.UTC)  # SQLite hands it back naive
LA_TEXT, UTC_TEXT = "2025-12-06 19:30 PST", "2025-12-07 03:30 UTC"
STRATEGY_PAGE = "/plans/testville-service/strategies/1.1"


def text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def page_text(client: TestClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return text(answer.text)


@pytest.fixture
def plan(session: Session) -> Plan:
    """The tiny plan, its focus area 1 and strategies last changed at AT, and a progress entry
    of strategy 1.1 in the history at AT, with a changed field whose value is AT."""
    plan = make_tiny_plan(session)
    area = session.exec(
        select(FocusArea).where(FocusArea.plan_id == plan.id, FocusArea.code == "1")
    ).one()
    area.last_changed_at = AT
    session.add(area)
    for s in session.exec(select(Strategy).where(Strategy.focus_area_id == area.id)):
        s.last_changed_at = s.last_update_at = AT
        session.add(s)
    first = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    entry = HistoryEntry(
        organization_id=plan.organization_id,
        plan_id=plan.id,
        subject_type=SubjectType.strategy,
        subject_id=first.id,  # type: ignore[arg-type]
        subject_label="Recommendation 1.1: Answer in language",
        action=HistoryAction.progress,
        actor_name="Pat",
        at=AT,
    )
    session.add(entry)
    session.flush()
    # A moment among the changed fields (stored as ISO text) reads the same way.
    session.add(HistoryField(entry_id=entry.id, field="asked_at", after=AT.isoformat()))  # type: ignore[arg-type]
    session.commit()
    return plan


@pytest.fixture
def la_plan(session: Session, plan: Plan) -> Plan:
    set_plan_time_zone(session, plan, LA)
    return plan


def client_of(session: Session, username: str, role: str, department: str | None = None):
    person = make_person(session, username, role, department=department)
    return signed_in_client(session, person)[0]


def test_activity_shows_the_reader_s_organisation_s_time(session: Session, la_plan: Plan) -> None:
    coordinator = client_of(session, "coco", Role.coordinator)
    answer = coordinator.get("/activity")
    body = text(answer.text)
    assert body.count(LA_TEXT) == 2 and UTC_TEXT not in body  # the entry's time, the value
    # The machine-readable instant stays UTC, with its offset.
    assert 'datetime="2025-12-07T03:30:00+00:00"' in answer.text


def test_the_strategy_page_history_and_last_update_are_local(
    session: Session, la_plan: Plan
) -> None:
    coordinator = client_of(session, "coco", Role.coordinator)
    body = page_text(coordinator, STRATEGY_PAGE)
    assert body.count(LA_TEXT) == 3  # "Last update", the history entry and its value
    assert UTC_TEXT not in body and "03:30" not in body


def test_the_review_s_last_update_is_the_local_date(session: Session, la_plan: Plan) -> None:
    coordinator = client_of(session, "coco", Role.coordinator)
    soup = BeautifulSoup(coordinator.get("/review").text, "html.parser")
    area = session.exec(select(FocusArea).where(FocusArea.code == "1")).one()
    link = soup.find("a", href=lambda h: bool(h) and h.startswith(f"/review/focus-areas/{area.id}"))
    assert isinstance(link, Tag)
    row = link.find_parent("tr")
    assert row is not None
    row_text = " ".join(row.get_text(" ").split())
    assert "2025-12-06" in row_text and "2025-12-07" not in row_text
    history = page_text(coordinator, f"/review/focus-areas/{area.id}?since=all")
    assert LA_TEXT in history and UTC_TEXT not in history


def test_my_work_shows_the_last_update_in_the_reader_s_zone(
    session: Session, la_plan: Plan
) -> None:
    lead = client_of(session, "cc-lead", Role.lead, department="CC")
    body = page_text(lead, "/my-work")
    assert f"Last update {LA_TEXT}" in body
    assert UTC_TEXT not in body


def test_the_account_page_shows_token_times_in_the_reader_s_zone(
    session: Session, la_plan: Plan
) -> None:
    person = make_person(session, "tok", Role.coordinator)
    session.add(
        ApiToken(
            user_id=person.id,  # type: ignore[arg-type]
            name="Reports",
            token_hash="x" * 64,
            prefix="pt_abcd",
            created_at=AT,
            last_used_at=AT,
            expires_at=AT + dt.timedelta(days=90),  # 2026-03-07 03:30 UTC
        )
    )
    session.commit()
    client = signed_in_client(session, person)[0]
    body = page_text(client, "/account")
    assert body.count(LA_TEXT) == 2  # created, last used
    assert "2026-03-06 19:30 PST" in body
    assert UTC_TEXT not in body and " UTC" not in body


def test_an_organisation_in_utc_shows_utc(session: Session, plan: Plan) -> None:
    coordinator = client_of(session, "coco", Role.coordinator)
    assert UTC_TEXT in page_text(coordinator, "/activity")
    body = page_text(coordinator, STRATEGY_PAGE)
    assert UTC_TEXT in body and LA_TEXT not in body


def test_an_anonymous_reader_sees_the_plan_s_zone(session: Session, la_plan: Plan) -> None:
    anonymous = signed_in_client(session, None)[0]
    body = page_text(anonymous, STRATEGY_PAGE)
    assert f"Last update {LA_TEXT}" in body and UTC_TEXT not in body


def test_the_public_site_dates_an_approved_update_in_the_plan_s_zone(
    session: Session, la_plan: Plan
) -> None:
    first = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    session.add(
        PublicUpdate(
            plan_id=la_plan.id,  # type: ignore[arg-type]
            subject_type="strategy",
            subject_id=first.id,  # type: ignore[arg-type]
            state="approved",
            approved_text="Bilingual staff now answer chats.",
            approved_at=AT,
        )
    )
    session.commit()
    anonymous = signed_in_client(session, None)[0]
    answer = anonymous.get("/public/testville/testville-service/strategies/1.1")
    assert answer.status_code == 200
    body = text(answer.text)
    assert "Updated 6 December 2025" in body and "7 December 2025" not in body
    assert 'datetime="2025-12-06"' in answer.text


def test_activity_date_filters_are_days_of_the_reader_s_calendar(
    session: Session, la_plan: Plan
) -> None:
    """The entry is on 6 December in Los Angeles: a filter for that day finds it, one from the
    7th (its UTC date) does not."""
    coordinator = client_of(session, "coco", Role.coordinator)
    assert LA_TEXT in page_text(coordinator, "/activity?from=2025-12-06&to=2025-12-06")
    assert LA_TEXT not in page_text(coordinator, "/activity?from=2025-12-07&to=2025-12-07")


def test_a_stale_edit_says_when_the_newer_version_was_saved_in_local_time(
    session: Session, la_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conflict notice on My work: "… saved a newer version at 2026-12-06 19:30 PST"."""
    saved = dt.datetime(2026, 12, 7, 3, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "clock", lambda: saved)
    coordinator = make_person(session, "coco", Role.coordinator)
    target = session.exec(select(Strategy).where(Strategy.code == "1.2")).one()
    record_strategy_progress(
        session=session,
        strategy=target,
        actor=Actor(user=coordinator),
        data=ProgressUpdateIn(version=target.version, status="at_risk", narrative="Budget cut."),
    )
    session.commit()
    at = session.exec(
        select(HistoryEntry.at)
        .where(HistoryEntry.subject_id == target.id)
        .order_by(
            HistoryEntry.id.desc()  # type: ignore[union-attr]
        )
    ).first()
    assert at is not None
    lead, csrf = signed_in_client(session, make_person(session, "pw", Role.lead, department="PW"))
    answer = lead.post(
        f"/my-work/strategies/{target.id}/progress",
        data={"version": "1", "status": "on_track", "progress": "50", "narrative": "All good."},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert answer.status_code == 409
    notice = text(answer.text)
    local = (at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at).astimezone(ZoneInfo(LA))
    assert f"at {local:%Y-%m-%d %H:%M} P" in notice
    assert re.search(r"at \d{4}-\d{2}-\d{2} \d{2}:\d{2} P[SD]T", notice)
    assert " UTC" not in notice
