"""The plan builder's strategy pages: add a strategy with owners and dates, move it to another
focus area and within its own, its steps and sub-steps, archive; refusals save nothing."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from app.models import Department, FocusArea, HistoryEntry, Plan, Strategy, WorkplanStep
from app.models.strategy import StrategyUpdate
from app.services.changes import strategies
from app.services.changes.history import Actor
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


def _dept(session: Session, code: str) -> Department:
    return session.exec(select(Department).where(Department.code == code)).one()


def _area(session: Session, code: str) -> FocusArea:
    return session.exec(select(FocusArea).where(FocusArea.code == code)).one()


def _strategy(session: Session, code: str) -> Strategy:
    session.expire_all()  # see what the app saved since
    return session.exec(select(Strategy).where(Strategy.code == code)).one()


def _step(session: Session, title: str) -> WorkplanStep:
    session.expire_all()
    return session.exec(select(WorkplanStep).where(WorkplanStep.title == title)).one()


def _count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _admin(session: Session) -> tuple[Any, dict[str, str]]:
    client, csrf = signed_in_client(session, make_person(session, "ada", "admin"))
    return client, {"X-CSRF-Token": csrf}


def _form(session: Session, **over: str) -> dict[str, str]:
    return {
        "code": "3.1",
        "title": "Call back within a day",
        "description": "",
        "focus_area_id": str(_area(session, "2").id),
        "department_id": str(_dept(session, "CC").id),
        "leads": "Maria Lopez\n\nSam Otieno\n",
        "planned_start": "2025-01-01",
        "planned_end": "2025-06-30",
        "term": "short",
        "update_cadence_days": "30",
        **over,
    }


def test_a_new_strategy_with_owners_and_dates_appears_on_the_plan(
    session: Session, tiny: Plan
) -> None:
    client, headers = _admin(session)
    area = _area(session, "2")
    form_page = client.get(f"/plans/{tiny.slug}/strategies/new?focus_area_id={area.id}")
    assert form_page.status_code == 200
    chosen = BeautifulSoup(form_page.text, "html.parser").select_one(
        "#strategy-focus-area option[selected]"
    )
    assert chosen is not None and chosen["value"] == str(area.id)

    answer = client.post(
        f"/plans/{tiny.slug}/strategies/new",
        data=_form(session),
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    made = _strategy(session, "3.1")
    assert answer.headers["location"].startswith(f"/strategies/{made.id}/edit")
    assert made.leads == ["Maria Lopez", "Sam Otieno"]
    assert (made.focus_area_id, str(made.planned_end)) == (area.id, "2025-06-30")
    shown = client.get(f"/plans/{tiny.slug}/strategies/3.1").text
    assert "Call back within a day" in shown and "Maria Lopez, Sam Otieno" in shown
    assert "Call back within a day" in client.get(f"/plans/{tiny.slug}/focus-areas/2").text


def test_a_strategy_moves_to_another_focus_area(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    s = _strategy(session, "1.1")
    page = client.get(f"/strategies/{s.id}/edit")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    form = soup.select_one("#item form")
    assert form is not None
    data = {
        field["name"]: field.get("value", "")
        for field in form.select("input[name]")
        if field.get("type") != "checkbox"
    }
    data |= {t["name"]: t.text for t in form.select("textarea")}
    data |= {
        sel["name"]: (sel.select_one("option[selected]") or {"value": ""}).get("value", "")  # type: ignore[union-attr]
        for sel in form.select("select")
    }
    data["focus_area_id"] = str(_area(session, "2").id)
    answer = client.post(f"/strategies/{s.id}/edit", data=data, headers=headers | HX)
    assert answer.status_code == 200, answer.text
    assert "Moved to its new focus area" in answer.text
    moved = _strategy(session, "1.1")
    assert moved.focus_area_id == _area(session, "2").id
    # Nothing else changed: the form sent every field as it was.
    assert (moved.department_id, moved.leads, moved.version) == (s.department_id, s.leads, 2)
    assert "Answer in language" in client.get(f"/plans/{tiny.slug}/focus-areas/2").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("planned_end", "2024-12-31", "before the planned start"),
        ("department_id", "999999", "no such department"),
        ("update_cadence_days", "monthly", "whole number"),
        ("code", "1.1", "already used"),
    ],
)
def test_bad_input_is_named_beside_its_field_and_nothing_is_saved(
    session: Session, tiny: Plan, field: str, value: str, message: str
) -> None:
    client, headers = _admin(session)
    before = _count(session, Strategy), _count(session, HistoryEntry)
    answer = client.post(
        f"/plans/{tiny.slug}/strategies/new",
        data=_form(session, **{field: value}),
        headers=headers | HX,
    )
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    error = soup.select_one(".field-error")
    assert error is not None and message in error.text.lower()
    described = soup.select_one(f'[name="{field}"]')
    assert described is not None and described["aria-describedby"] == error["id"]
    assert (_count(session, Strategy), _count(session, HistoryEntry)) == before


def test_a_stale_edit_is_refused_with_the_newer_value(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    s = _strategy(session, "1.1")
    strategies.update_strategy(
        session=session,
        strategy=s,
        data=StrategyUpdate(version=1, title="Answer in every language"),
        actor=Actor(name="someone"),
    )
    session.commit()
    data = _form(session, code="", title="My title", version="1")
    answer = client.post(f"/strategies/{s.id}/edit", data=data, headers=headers | HX)
    assert answer.status_code == 409
    assert "Answer in every language" in answer.text
    assert 'name="version" value="2"' in answer.text  # offered again on the newer version
    assert _strategy(session, "1.1").title == "Answer in every language"


def test_a_viewer_is_refused_and_nothing_is_saved(session: Session, tiny: Plan) -> None:
    client, csrf = signed_in_client(session, make_person(session, "vic", "viewer"))
    assert client.get(f"/plans/{tiny.slug}/strategies/new").status_code == 403
    s = _strategy(session, "1.1")
    assert client.get(f"/strategies/{s.id}/edit").status_code == 403
    answer = client.post(
        f"/plans/{tiny.slug}/strategies/new",
        data=_form(session),
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    session.expire_all()
    assert session.exec(select(Strategy).where(Strategy.code == "3.1")).first() is None


def test_steps_and_sub_steps_are_added_edited_and_archived(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    s = _strategy(session, "1.2")
    added = client.post(
        f"/strategies/{s.id}/steps",
        data={"title": "Survey the roads", "due": "2025-03-31"},
        headers=headers,
        follow_redirects=False,
    )
    assert added.status_code == 303
    step = _step(session, "Survey the roads")
    sub = client.post(
        f"/strategies/{s.id}/steps",
        data={"title": "Hire a surveyor", "parent_id": str(step.id)},
        headers=headers | HX,
    )
    assert sub.status_code == 200 and "Hire a surveyor" in sub.text
    child = _step(session, "Hire a surveyor")
    assert child.parent_id == step.id
    edited = client.post(
        f"/steps/{step.id}/edit",
        data={"version": "1", "title": "Survey every road", "due": "2025-04-30"},
        headers=headers | HX,
    )
    assert edited.status_code == 200, edited.text[edited.text.find("alert") - 100 :][:400]
    session.expire_all()
    assert (step.title, str(step.due)) == ("Survey every road", "2025-04-30")
    archived = client.post(
        f"/steps/{child.id}/archive", data={"version": "1"}, headers=headers | HX
    )
    assert archived.status_code == 200
    session.expire_all()
    assert child.archived_at is not None
    assert "Hire a surveyor" not in archived.text


def test_a_strategy_moves_down_and_up_among_its_focus_areas(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    first, second = _strategy(session, "1.1"), _strategy(session, "1.2")
    page = client.get(f"/strategies/{first.id}/edit").text
    assert "Move down" in page and "Move up" not in page
    answer = client.post(f"/strategies/{first.id}/move", data={"to": "down"}, headers=headers | HX)
    assert answer.status_code == 200 and "Move up" in answer.text
    text = client.get(f"/plans/{tiny.slug}/focus-areas/1").text
    assert text.index("Fix potholes faster") < text.index("Answer in language")
    refused = client.post(f"/strategies/{first.id}/move", data={"to": "down"}, headers=headers | HX)
    assert refused.status_code == 422 and "Already the last" in refused.text
    assert second.id is not None


def test_archive_and_restore(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    s = _strategy(session, "1.2")
    answer = client.post(
        f"/strategies/{s.id}/archive",
        data={"version": "1"},
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert _strategy(session, "1.2").archived_at is not None
    assert client.get(f"/plans/{tiny.slug}/strategies/1.2").status_code == 404
    page = client.get(f"/strategies/{s.id}/edit")
    assert "Restore this" in page.text
    restored = client.post(
        f"/strategies/{s.id}/restore", data={"version": "2"}, headers=headers | HX
    )
    assert restored.status_code == 200
    assert _strategy(session, "1.2").archived_at is None


def test_the_strategy_and_metric_pages_link_to_their_edit_pages_for_editors_only(
    session: Session, tiny: Plan
) -> None:
    s = _strategy(session, "1.1")
    lead, _ = signed_in_client(session, make_person(session, "lee", "lead", department="CC"))
    viewer, _ = signed_in_client(session, make_person(session, "vic", "viewer"))
    strategy_url, metric_url = (
        f"/plans/{tiny.slug}/strategies/1.1",
        f"/plans/{tiny.slug}/scorecard/FCR",
    )
    assert f'href="/strategies/{s.id}/edit"' in lead.get(strategy_url).text
    assert "/edit" not in viewer.get(strategy_url).text
    assert 'class="outline edit-link"' in lead.get(metric_url).text
    assert "edit-link" not in viewer.get(metric_url).text


def test_without_javascript_a_refusal_is_the_whole_page_and_htmx_gets_the_editor_inside(
    session: Session, tiny: Plan
) -> None:
    client, headers = _admin(session)
    url = f"/plans/{tiny.slug}/strategies/new"
    bad = _form(session, planned_end="2024-12-31")
    plain = client.post(url, data=bad, headers=headers, follow_redirects=False)
    assert plain.status_code == 422 and "<html" in plain.text
    assert BeautifulSoup(plain.text, "html.parser").select_one("#editor #strategy-end-error")
    fragment = client.post(url, data=bad, headers=headers | HX)
    assert fragment.status_code == 422 and "<html" not in fragment.text
    forms = BeautifulSoup(fragment.text, "html.parser").select("form[hx-post]")
    assert forms and all((f["hx-target"], f["hx-swap"]) == ("#editor", "innerHTML") for f in forms)


def test_a_coordinator_builds_strategies_of_any_department_but_does_not_restore(
    session: Session, tiny: Plan
) -> None:
    client, csrf = signed_in_client(session, make_person(session, "coco", "coordinator"))
    headers = {"X-CSRF-Token": csrf}
    form = _form(session, department_id=str(_dept(session, "PW").id))
    made = client.post(
        f"/plans/{tiny.slug}/strategies/new", data=form, headers=headers, follow_redirects=False
    )
    assert made.status_code == 303
    s = _strategy(session, "3.1")
    archived = client.post(
        f"/strategies/{s.id}/archive", data={"version": "1"}, headers=headers | HX
    )
    assert archived.status_code == 200 and "Restore this" not in archived.text
    refused = client.post(
        f"/strategies/{s.id}/restore", data={"version": "2"}, headers=headers | HX
    )
    assert refused.status_code == 403
    assert _strategy(session, "3.1").archived_at is not None
