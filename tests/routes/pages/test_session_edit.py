"""/sessions/{id}/edit and the action item's linked-item picker: a coordinator changes a scheduled
session on the new-session form's fields (a stale save shows the newer values, a closed session
is not edited, a bad value is named beside its field and nothing is saved), and links an action
item to an item of the session's plans only."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, col, select

from app.models import (
    ActionItem,
    Department,
    FocusArea,
    HistoryEntry,
    PerformanceSession,
    Plan,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.enums import Role, SubjectType
from app.models.sessions import SessionClose, SessionCreate, SessionUpdate
from app.services.changes.history import Actor
from app.services.sessions import writes
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
SECOND_PLAN = TINY_PLAN.replace("slug: testville-service", "slug: testville-second").replace(
    "title: Testville Customer Service Plan", "title: Testville Second Plan"
)


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> User:
    return make_person(session, "coco", Role.coordinator)


def _schedule(session: Session, coordinator: User, **values: object) -> PerformanceSession:
    data = SessionCreate.model_validate(
        {"held_on": "2025-03-01", "title": "Spring review", **values}
    )
    held = writes.schedule_session(
        session=session,
        organization_id=coordinator.organization_id,
        data=data,
        actor=Actor(user=coordinator),
    )
    session.commit()
    return held


def _form(held: PerformanceSession, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "version": str(held.version),
        "title": held.title,
        "held_on": held.held_on.isoformat(),
        "attendees": held.attendees,
        "follows_id": str(held.follows_id or ""),
        "plan_ids": [str(i) for i in held.plan_ids],
        "department_ids": [str(i) for i in held.department_ids],
        "focus_area_ids": [str(i) for i in held.focus_area_ids],
    }
    return {**form, **changes}


def _post(client, csrf: str, url: str, form: dict, headers: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        url, data=form, headers={"X-CSRF-Token": csrf, **(headers or {})}, follow_redirects=False
    )


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _reloaded(session: Session, held_id: int) -> PerformanceSession:
    session.expire_all()
    found = session.get(PerformanceSession, held_id)
    assert found is not None
    return found


def _fa(session: Session, code: str, plan: Plan) -> int:
    return session.exec(
        select(FocusArea.id).where(FocusArea.code == code, FocusArea.plan_id == plan.id)
    ).one()  # type: ignore[return-value]


class TestEditSession:
    def test_the_form_shows_the_session_and_saves_a_scope_change(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        held = _schedule(session, coordinator, focus_area_ids=[_fa(session, "1", plan)])
        client, csrf = signed_in_client(session, coordinator)
        page = client.get(f"/sessions/{held.id}")
        assert f'href="/sessions/{held.id}/edit"' in page.text
        form = client.get(f"/sessions/{held.id}/edit")
        assert form.status_code == 200
        soup = _soup(form.text)
        assert soup.find(id="session-title")["value"] == "Spring review"  # type: ignore[index]
        checked = {i["value"] for i in soup.select("input[name=focus_area_ids][checked]")}
        assert checked == {str(_fa(session, "1", plan))}
        tools = str(_fa(session, "2", plan))
        cc = session.exec(select(Department.id).where(Department.code == "CC")).one()
        answer = _post(
            client,
            csrf,
            f"/sessions/{held.id}/edit",
            _form(
                held,
                title="Spring review, moved",
                held_on="2025-03-08",
                attendees="Mayor; CC lead",
                focus_area_ids=[tools],
                department_ids=[str(cc)],
            ),
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/sessions/{held.id}?saved=edit"
        after = _reloaded(session, held.id)  # type: ignore[arg-type]
        assert (after.title, after.held_on) == ("Spring review, moved", dt.date(2025, 3, 8))
        assert after.focus_area_ids == [int(tools)] and after.department_ids == [cc]
        assert after.attendees == "Mayor; CC lead" and after.version == 2
        # The change is in the history, filed under the one plan its scope covers.
        entry = session.exec(
            select(HistoryEntry)
            .where(HistoryEntry.subject_type == SubjectType.session)
            .order_by(col(HistoryEntry.id).desc())
        ).first()
        assert entry is not None and entry.plan_id == plan.id and entry.action == "update"
        shown = client.get(answer.headers["location"]).text
        assert "Spring review, moved" in shown and "Tools" in shown

    def test_htmx_save_redirects_to_the_session(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        held = _schedule(session, coordinator)
        client, csrf = signed_in_client(session, coordinator)
        answer = _post(client, csrf, f"/sessions/{held.id}/edit", _form(held, title="Renamed"), HX)
        assert answer.status_code == 200
        assert answer.headers["HX-Redirect"] == f"/sessions/{held.id}?saved=edit"
        assert _reloaded(session, held.id).title == "Renamed"  # type: ignore[arg-type]

    def test_a_stale_save_shows_the_newer_values_and_saves_nothing(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        held = _schedule(session, coordinator)
        form = _form(held, title="My title")
        writes.update_session(
            session=session,
            held=held,
            data=SessionUpdate(version=1, title="Their title", attendees="Council"),
            actor=Actor(user=make_person(session, "other", Role.coordinator)),
        )
        session.commit()
        client, csrf = signed_in_client(session, coordinator)
        for headers in ({}, HX):
            answer = _post(client, csrf, f"/sessions/{held.id}/edit", form, headers)
            assert answer.status_code == 409
            soup = _soup(answer.text)
            conflict = soup.select_one(".notice-conflict")
            assert conflict is not None and "Their title" in conflict.get_text()
            assert "Council" in conflict.get_text() and "Other" in conflict.get_text()
            # The form keeps what was typed, now on the newer version.
            assert soup.find(id="session-title")["value"] == "My title"  # type: ignore[index]
            assert soup.select_one("input[name=version]")["value"] == "2"  # type: ignore[index]
        assert "<html" not in answer.text  # htmx: the editor block only
        assert _reloaded(session, held.id).title == "Their title"  # type: ignore[arg-type]

    def test_a_bad_date_is_named_beside_its_field_and_nothing_is_saved(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        held = _schedule(session, coordinator)
        client, csrf = signed_in_client(session, coordinator)
        for bad in ("next Tuesday", "1066-10-14"):
            answer = _post(
                client, csrf, f"/sessions/{held.id}/edit", _form(held, held_on=bad, title="New")
            )
            assert answer.status_code == 422
            soup = _soup(answer.text)
            field = soup.find(id="session-held_on")
            assert field["aria-describedby"] == "session-held_on-error"  # type: ignore[index]
            assert field["value"] == bad  # type: ignore[index]
            assert soup.find(id="session-held_on-error") is not None
            assert soup.find(id="session-title")["value"] == "New"  # type: ignore[index]
        after = _reloaded(session, held.id)  # type: ignore[arg-type]
        assert (after.title, after.held_on, after.version) == ("Spring review", held.held_on, 1)

    def test_a_focus_area_of_another_organisation_is_refused(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        held = _schedule(session, coordinator)
        client, csrf = signed_in_client(session, coordinator)
        answer = _post(
            client, csrf, f"/sessions/{held.id}/edit", _form(held, focus_area_ids=["999999"])
        )
        assert answer.status_code == 422
        assert _soup(answer.text).find(id="session-focus_area_ids-error") is not None
        assert _reloaded(session, held.id).focus_area_ids == []  # type: ignore[arg-type]

    def test_a_closed_session_is_not_edited(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        held = _schedule(session, coordinator)
        form = _form(held, title="Too late")
        writes.close_session(
            session=session, held=held, data=SessionClose(version=1), actor=Actor(user=coordinator)
        )
        session.commit()
        client, csrf = signed_in_client(session, coordinator)
        assert f'href="/sessions/{held.id}/edit"' not in client.get(f"/sessions/{held.id}").text
        page = client.get(f"/sessions/{held.id}/edit")
        assert page.status_code == 200 and "This session is closed" in page.text
        assert _soup(page.text).find("form", class_="session-form") is None
        answer = _post(client, csrf, f"/sessions/{held.id}/edit", form)
        assert answer.status_code == 422 and "This session is closed" in answer.text
        assert _reloaded(session, held.id).title == "Spring review"  # type: ignore[arg-type]

    def test_leads_and_viewers_may_not_edit(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        held = _schedule(session, coordinator)
        for who in (
            make_person(session, "vic", Role.viewer),
            make_person(session, "cara", Role.lead, department="CC"),
        ):
            client, csrf = signed_in_client(session, who)
            assert (
                'href="/sessions/' + str(held.id) + '/edit"'
                not in client.get(f"/sessions/{held.id}").text
            )
            assert client.get(f"/sessions/{held.id}/edit").status_code == 403
            answer = _post(client, csrf, f"/sessions/{held.id}/edit", _form(held, title="Mine"))
            assert answer.status_code == 403
        assert _reloaded(session, held.id).title == "Spring review"  # type: ignore[arg-type]

    def test_blank_follows_means_the_previous_session_in_the_new_scope(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        earlier = _schedule(session, coordinator, held_on="2025-01-10", title="January")
        held = _schedule(session, coordinator, held_on="2025-01-05", title="Early")
        assert held.follows_id is None  # nothing before 5 January
        client, csrf = signed_in_client(session, coordinator)
        answer = _post(client, csrf, f"/sessions/{held.id}/edit", _form(held, held_on="2025-02-01"))
        assert answer.status_code == 303
        assert _reloaded(session, held.id).follows_id == earlier.id  # type: ignore[arg-type]


class TestLinkedItemPicker:
    def test_the_picker_offers_the_scopes_items_in_the_plans_words(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        make_tiny_plan(session, SECOND_PLAN)
        held = _schedule(session, coordinator, focus_area_ids=[_fa(session, "1", plan)])
        client, csrf = signed_in_client(session, coordinator)
        soup = _soup(client.get(f"/sessions/{held.id}").text)
        picker = soup.find("select", id="action-linked")
        assert picker is not None and soup.find("label", attrs={"for": "action-linked"})
        groups = {
            g["label"]: [o.get_text() for o in g.find_all("option")]
            for g in picker.find_all("optgroup")
        }  # type: ignore[union-attr]
        assert list(groups) == [
            "Focus areas",
            "Recommendations",
            "Workplan steps",
            "Metrics",
            "Quick wins",
        ]  # one plan in scope: the groups are that plan's, named in its words
        assert "1.1 Answer in language" in groups["Recommendations"]
        assert "1.1: Hire bilingual staff" in groups["Workplan steps"]
        assert "FCR First call resolution" in groups["Metrics"]
        step = session.exec(
            select(WorkplanStep)
            .join(Strategy)
            .join(Plan)
            .where(Plan.slug == "testville-service", WorkplanStep.title == "Post the job")
        ).one()
        cc = session.exec(select(Department.id).where(Department.code == "CC")).one()
        answer = _post(
            client,
            csrf,
            f"/sessions/{held.id}/action-items",
            {"what": "Publish the posting", "department_id": str(cc), "linked": f"step:{step.id}"},
        )
        assert answer.status_code == 303
        session.expire_all()
        item = session.exec(select(ActionItem)).one()
        assert (item.link_kind, item.link_id) == ("step", step.id)
        entry = session.exec(
            select(HistoryEntry).where(HistoryEntry.subject_type == SubjectType.action_item)
        ).one()
        assert entry.plan_id == plan.id
        shown = " ".join(_soup(client.get(f"/sessions/{held.id}").text).get_text(" ").split())
        assert "Linked: Workplan steps: 1.1: Post the job" in shown

    def test_an_item_outside_the_scope_is_refused_beside_the_picker(
        self, session: Session, plan: Plan, coordinator: User
    ) -> None:
        second = make_tiny_plan(session, SECOND_PLAN)
        held = _schedule(session, coordinator, plan_ids=[plan.id])
        other = session.exec(
            select(Strategy).where(Strategy.plan_id == second.id, Strategy.code == "1.1")
        ).one()
        client, csrf = signed_in_client(session, coordinator)
        page = client.get(f"/sessions/{held.id}").text
        assert f'value="strategy:{other.id}"' not in page  # not offered
        cc = session.exec(select(Department.id).where(Department.code == "CC")).one()
        for linked, headers in ((f"strategy:{other.id}", {}), ("strategy:x", HX)):
            answer = _post(
                client,
                csrf,
                f"/sessions/{held.id}/action-items",
                {"what": "Elsewhere", "department_id": str(cc), "linked": linked},
                headers,
            )
            assert answer.status_code == 422, linked
            soup = _soup(answer.text)
            assert soup.find(id="action-linked")["aria-describedby"] == "action-linked-error"  # type: ignore[index]
            assert soup.find(id="action-linked-error") is not None
            assert soup.find(id="action-what")["value"] == "Elsewhere"  # type: ignore[index]
        session.expire_all()
        assert session.exec(select(ActionItem)).first() is None
