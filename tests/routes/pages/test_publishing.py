"""Publishing (issue 12) over HTTP: a lead drafts a public update, a coordinator approves it and
the anonymous public reads it (never a draft); a returned draft shows its comment to the lead
while the public keeps the approved text; stale decisions are refused (409); another
organisation's coordinator cannot approve; only an administrator switches the public site."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import (
    FocusArea,
    HistoryEntry,
    HistoryField,
    Plan,
    PublicUpdate,
    QuickWin,
    Strategy,
)
from app.models.enums import Role, SubjectType
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def post(client_csrf: tuple[TestClient, str], url: str, **kwargs: Any) -> Any:
    client, csrf = client_csrf
    headers = {"X-CSRF-Token": csrf, **kwargs.pop("headers", {})}
    return client.post(url, headers=headers, follow_redirects=False, **kwargs)


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def strategy(session: Session, plan: Plan) -> Strategy:
    return session.exec(select(Strategy).where(Strategy.code == "1.1")).one()


@pytest.fixture
def lead(session: Session, plan: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "cc-lead", Role.lead, department="CC"))


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "coco", Role.coordinator))


def anonymous_text(url: str) -> str:
    client, _ = signed_in_client(None, None)  # type: ignore[arg-type]
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(soup(response.text).get_text(" ").split())


def stored(session: Session, strategy_id: int) -> PublicUpdate | None:
    session.expire_all()
    return session.exec(
        select(PublicUpdate).where(
            PublicUpdate.subject_type == "strategy", PublicUpdate.subject_id == strategy_id
        )
    ).first()


def item_url(strategy: Strategy) -> str:
    return f"/plans/testville-service/public-updates/strategy/{strategy.id}"


STRATEGY_PAGE = "/plans/testville-service/strategies/1.1"


def draft(lead: tuple[TestClient, str], strategy: Strategy, text: str, **extra: str) -> Any:
    return post(lead, item_url(strategy), data={"text": text, **extra})


def test_lead_drafts_coordinator_approves_anonymous_reads(
    session: Session, strategy: Strategy, lead: Any, coordinator: Any
) -> None:
    assert draft(lead, strategy, "Bilingual staff now answer chats.", submit="1").status_code == 303
    assert "Bilingual staff" not in anonymous_text(STRATEGY_PAGE)  # submitted is not approved
    queue = coordinator[0].get("/plans/testville-service/public-updates")
    assert "Bilingual staff now answer chats." in queue.text
    update = stored(session, strategy.id)  # type: ignore[arg-type]
    assert update is not None and update.state == "submitted"
    answer = post(
        coordinator, item_url(strategy) + "/approve", data={"version": str(update.version)}
    )
    assert answer.status_code == 303
    public = anonymous_text(STRATEGY_PAGE)
    assert "Bilingual staff now answer chats." in public
    approved_at = stored(session, strategy.id).approved_at  # type: ignore[union-attr, arg-type]
    assert f"Updated {approved_at.day} {approved_at.strftime('%B %Y')}" in public
    assert "Narrative" not in public
    assert (
        "Nothing is waiting" in coordinator[0].get("/plans/testville-service/public-updates").text
    )


def test_a_draft_is_never_public_and_a_new_draft_keeps_the_approved_text(
    session: Session, strategy: Strategy, lead: Any, coordinator: Any
) -> None:
    draft(lead, strategy, "First public words.", submit="1")
    version = stored(session, strategy.id).version  # type: ignore[union-attr, arg-type]
    post(coordinator, item_url(strategy) + "/approve", data={"version": str(version)})
    version = stored(session, strategy.id).version  # type: ignore[union-attr, arg-type]
    assert (
        draft(lead, strategy, "Unapproved second words.", version=str(version)).status_code == 303
    )
    public = anonymous_text(STRATEGY_PAGE)
    assert "First public words." in public and "Unapproved second words" not in public
    api = signed_in_client(None, None)[0].get(  # type: ignore[arg-type]
        f"/api/v1/plans/testville-service/public-updates/strategy/{strategy.id}"
    )
    assert api.status_code == 200
    assert "Unapproved" not in api.text and api.json()["approved_text"] == "First public words."


def test_returned_draft_shows_the_comment_to_the_lead_and_keeps_the_public_text(
    session: Session, strategy: Strategy, lead: Any, coordinator: Any
) -> None:
    draft(lead, strategy, "Words the coordinator dislikes.", submit="1")
    version = stored(session, strategy.id).version  # type: ignore[union-attr, arg-type]
    refused = post(coordinator, item_url(strategy) + "/return", data={"version": str(version)})
    assert refused.status_code == 422 and "Say what to change" in refused.text
    answer = post(
        coordinator,
        item_url(strategy) + "/return",
        data={"version": str(version), "comment": "Say when residents see it."},
        headers=HX,
    )
    assert answer.status_code == 200 and "Sent back" in answer.text
    page = lead[0].get(item_url(strategy))
    assert "Say when residents see it." in page.text and "Sent back" in page.text
    public = anonymous_text(STRATEGY_PAGE)
    assert "coordinator dislikes" not in public and "Latest update" not in public


def test_stale_approval_is_refused_with_409(
    session: Session, strategy: Strategy, lead: Any, coordinator: Any
) -> None:
    draft(lead, strategy, "Version one.", submit="1")
    old = stored(session, strategy.id).version  # type: ignore[union-attr, arg-type]
    draft(lead, strategy, "Version two.", submit="1", version=str(old))
    answer = post(coordinator, item_url(strategy) + "/approve", data={"version": str(old)})
    assert answer.status_code == 409
    assert stored(session, strategy.id).approved_text == ""  # type: ignore[union-attr, arg-type]


def test_another_organisations_coordinator_cannot_approve(
    session: Session, strategy: Strategy, lead: Any
) -> None:
    other = TINY_PLAN.replace(
        "organization: {name: City of Testville, slug: testville}",
        "organization: {name: Otherville, slug: otherville}",
    ).replace("slug: testville-service", "slug: otherville-service")
    make_tiny_plan(session, other)
    outsider = signed_in_client(
        session, make_person(session, "far", Role.coordinator, organization="otherville")
    )
    draft(lead, strategy, "Ours to approve.", submit="1")
    version = stored(session, strategy.id).version  # type: ignore[union-attr, arg-type]
    answer = post(outsider, item_url(strategy) + "/approve", data={"version": str(version)})
    assert answer.status_code in (403, 404)
    assert stored(session, strategy.id).state == "submitted"  # type: ignore[union-attr, arg-type]


def test_a_lead_of_another_department_cannot_draft_nor_approve(
    session: Session, plan: Plan, strategy: Strategy, lead: Any
) -> None:
    other = session.exec(select(Strategy).where(Strategy.code == "1.2")).one()
    assert draft(lead, other, "Not my department.").status_code == 403
    draft(lead, strategy, "Mine.", submit="1")
    version = stored(session, strategy.id).version  # type: ignore[union-attr, arg-type]
    assert (
        post(lead, item_url(strategy) + "/approve", data={"version": str(version)}).status_code
        == 403
    )
    assert lead[0].get("/plans/testville-service/public-updates").status_code == 403


def test_an_empty_or_too_long_draft_is_refused_beside_the_field(
    session: Session, strategy: Strategy, lead: Any
) -> None:
    answer = draft(lead, strategy, "x" * 1001)
    assert answer.status_code == 422
    error = soup(answer.text).find(id="pu-text-error")
    assert error is not None
    assert soup(answer.text).find(id="pu-text")["aria-describedby"] == "pu-text-error"
    assert draft(lead, strategy, "   ").status_code == 422
    assert stored(session, strategy.id) is None  # type: ignore[arg-type]


def test_quick_win_and_focus_area_public_updates_reach_their_pages(
    session: Session, plan: Plan, lead: Any, coordinator: Any
) -> None:
    win = session.exec(select(QuickWin).where(QuickWin.number == 1)).one()
    base = "/plans/testville-service/public-updates"
    post(lead, f"{base}/quick_win/{win.id}", data={"text": "Spanish chat all day.", "submit": "1"})
    fa = plan_focus_area(session)
    post(coordinator, f"{base}/focus_area/{fa}", data={"text": "Access improves.", "submit": "1"})
    session.expire_all()
    for u in session.exec(select(PublicUpdate)).all():
        url = f"{base}/{u.subject_type}/{u.subject_id}/approve"
        assert post(coordinator, url, data={"version": str(u.version)}).status_code == 303
    assert "Spanish chat all day." in anonymous_text("/plans/testville-service/quick-wins")
    assert "Access improves." in anonymous_text("/plans/testville-service/focus-areas/1")


def plan_focus_area(session: Session) -> int:
    from app.models import FocusArea

    return session.exec(select(FocusArea.id).where(FocusArea.code == "1")).one()


def test_only_an_administrator_switches_the_public_site(
    session: Session, plan: Plan, coordinator: Any
) -> None:
    url = "/plans/testville-service/public-site"
    old = plan.version
    data = {"version": str(old), "published": "off"}
    assert post(coordinator, url, data=data).status_code == 403
    settings = coordinator[0].get("/plans/testville-service/settings")
    assert "Only an administrator can switch it" in settings.text
    admin = signed_in_client(session, make_person(session, "ad-min", Role.admin))
    assert post(admin, url, data=data).status_code == 303
    session.expire_all()
    assert session.get(Plan, plan.id).published is False  # type: ignore[union-attr]
    entry = session.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == SubjectType.plan, HistoryEntry.plan_id == plan.id)
        .order_by(HistoryEntry.id.desc())  # type: ignore[union-attr]
    ).first()
    assert entry is not None and entry.actor_name == "Ad Min"
    field = session.exec(select(HistoryField).where(HistoryField.entry_id == entry.id)).one()
    assert (field.field, field.before, field.after) == ("published", True, False)
    stale = post(admin, url, data={"version": str(old), "published": "on"})
    assert stale.status_code == 409
    assert signed_in_client(None, None)[0].get(STRATEGY_PAGE).status_code == 404  # type: ignore[arg-type]


PUBLIC_SITE = "/public/testville/testville-service"


def test_the_public_site_shows_approved_updates_of_each_kind_never_a_draft(
    session: Session, strategy: Strategy, lead: Any, coordinator: Any
) -> None:
    """The public site (/public/…) reads the same approved text: the strategy, its focus area and
    a quick win each show theirs with the day it was approved; a later draft stays off it, and the
    approval changes the page's ETag so a cached copy is not served stale."""
    anonymous = signed_in_client(None, None)[0]  # type: ignore[arg-type]
    strategy_url = f"{PUBLIC_SITE}/strategies/1.1"
    before = anonymous.get(strategy_url)
    assert before.status_code == 200 and "Latest update" not in before.text

    fa = session.exec(select(FocusArea).where(FocusArea.id == strategy.focus_area_id)).one()
    win = session.exec(select(QuickWin)).first()
    assert win is not None
    texts = {
        ("strategy", strategy.id): "Chats answered in Spanish since May.",
        ("focus_area", fa.id): "Every channel now reaches a person.",
        ("quick_win", win.id): "The parking form is one page now.",
    }
    for (kind, item_id), text in texts.items():
        url = f"/plans/testville-service/public-updates/{kind}/{item_id}"
        assert post(coordinator, url, data={"text": text, "submit": "1"}).status_code == 303
        session.expire_all()
        update = session.exec(
            select(PublicUpdate).where(
                PublicUpdate.subject_type == kind, PublicUpdate.subject_id == item_id
            )
        ).one()
        approved = post(coordinator, url + "/approve", data={"version": str(update.version)})
        assert approved.status_code == 303

    after = anonymous.get(strategy_url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    session.expire_all()
    session.refresh(update)
    assert update.approved_at is not None
    day = f"{update.approved_at.day} {update.approved_at.strftime('%B %Y')}"
    pages = {
        "strategy": after.text,
        "focus_area": anonymous.get(f"{PUBLIC_SITE}/focus-areas/{fa.code}").text,
        "quick_win": anonymous.get(f"{PUBLIC_SITE}/quick-wins").text,
    }
    for (kind, _), text in texts.items():
        shown = " ".join(soup(pages[kind]).get_text(" ").split())
        assert text in shown and f"Updated {day}" in shown

    # A new draft of the strategy's update: the public site keeps the approved words.
    session.expire_all()
    current = stored(session, strategy.id)  # type: ignore[arg-type]
    assert current is not None
    draft(lead, strategy, "Not yet approved words.", version=str(current.version))
    shown = anonymous.get(strategy_url).text
    assert "Not yet approved words." not in shown and "Chats answered in Spanish" in shown
