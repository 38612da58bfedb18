"""/api/v1/strategies: read, create, change, progress updates, archive and restore."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Strategy, User
from app.services.plan_file.exporting import export_plan_text
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]
CC_SENTENCE = (
    "This recommendation is owned by the Contact Centre department; you can change only your "
    "own department's work."
)


def codes(answer: dict) -> list[str]:
    return [item["code"] for item in answer["items"]]


class TestListStrategies:
    def test_pages_carry_total_limit_and_offset(self, anonymous: TestClient, ids: Ids) -> None:
        first = anonymous.get(f"{API}/strategies", params={"limit": 1}).json()
        second = anonymous.get(f"{API}/strategies", params={"limit": 1, "offset": 1}).json()
        assert (first["total"], first["limit"], first["offset"], codes(first)) == (2, 1, 0, ["1.1"])
        assert (second["total"], second["offset"], codes(second)) == (2, 1, ["1.2"])

    def test_filters(self, anonymous: TestClient, ids: Ids) -> None:
        def listed(**params: object) -> list[str]:
            answer = anonymous.get(f"{API}/strategies", params=params)
            assert answer.status_code == 200, answer.json()
            return codes(answer.json())

        assert listed(plan="testville-service") == ["1.1", "1.2"]
        assert listed(department_id=ids.pw) == ["1.2"]
        assert listed(term="short") == ["1.1"]
        assert listed(focus_area_id=ids.fa_tools) == []
        assert listed(focus_area_id=ids.fa_access, status="not_started") == ["1.1", "1.2"]
        assert listed(status="complete") == []

    def test_a_bad_filter_names_the_parameter(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/strategies", params={"term": "someday"})
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["term"]

    def test_unknown_plan_filter_is_not_found(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/strategies", params={"plan": "nowhere"})
        assert answer.status_code == 404
        assert answer.json()["error"] == {"code": "not_found", "message": "No plan 'nowhere'."}


class TestGetStrategy:
    def test_shape_and_etag(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/strategies/{ids.s11}")
        assert answer.status_code == 200
        assert answer.headers["ETag"] == '"1"'
        body = answer.json()
        assert body == {
            **body,
            "id": ids.s11,
            "version": 1,
            "code": "1.1",
            "title": "Answer in language",
            "department_id": ids.cc,
            "focus_area_id": ids.fa_access,
            "term": "short",
            "status": "not_started",
            "progress": 0,
            "planned_start": "2024-01-01",
            "planned_end": "2024-12-31",
            "archived_at": None,
        }
        assert len(body["goal_ids"]) == 1 and body["phase_id"] is not None

    def test_missing_id_is_404_in_the_error_shape(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/strategies/999")
        assert answer.status_code == 404
        assert answer.json() == {
            "error": {"code": "not_found", "message": "No strategy with id 999."}
        }

    def test_an_id_beyond_any_database_integer_is_bad_input(
        self, anonymous: TestClient, ids: Ids
    ) -> None:
        answer = anonymous.get(f"{API}/strategies/{2**70}")
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "strategy_id"


class TestCreateStrategy:
    URL = f"{API}/plans/testville-service/strategies"

    def test_created_with_location_etag_and_one_history_entry(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.cc_lead)
        answer = client.post(
            self.URL,
            json={
                "code": "1.3",
                "title": "Call-backs",
                "department_id": ids.cc,
                "focus_area_id": ids.fa_access,
                "term": "long",
            },
        )
        assert answer.status_code == 201, answer.json()
        body = answer.json()
        assert answer.headers["Location"] == f"/api/v1/strategies/{body['id']}"
        assert answer.headers["ETag"] == '"1"'
        assert (body["code"], body["version"], body["department_id"]) == ("1.3", 1, ids.cc)
        assert client.get(answer.headers["Location"]).json() == body
        (entry,) = history(session, "strategy", body["id"])
        assert entry["action"] == "create" and entry["actor"] == "Cara Lead"
        assert entry["changes"]["title"] == (None, "Call-backs")
        assert entry["changes"]["code"] == (None, "1.3")

    def test_invalid_input_names_the_field_and_saves_nothing(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        answer = client_for(people.cc_lead).post(
            self.URL, json={"code": "1.3", "title": "", "department_id": ids.cc}
        )
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["code"] == "validation_error"
        assert [f["field"] for f in error["fields"]] == ["title"]
        assert session.exec(select(Strategy).where(Strategy.code == "1.3")).first() is None
        assert history_count(session) == before

    def test_a_lead_longer_than_a_plan_file_holds_is_refused_and_the_longest_exports(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.cc_lead)
        before = history_count(session)
        too_long = client.post(
            self.URL,
            json={
                "code": "1.3",
                "title": "Call-backs",
                "department_id": ids.cc,
                "leads": ["Contact Centre", "x" * 301],
            },
        )
        assert too_long.status_code == 422
        assert [f["field"] for f in too_long.json()["error"]["fields"]] == ["leads.1"]
        empty = client.post(
            self.URL,
            json={"code": "1.3", "title": "Call-backs", "department_id": ids.cc, "leads": [""]},
        )
        assert [f["field"] for f in empty.json()["error"]["fields"]] == ["leads.0"]
        assert history_count(session) == before

        longest = "L" * 300
        made = client.post(
            self.URL,
            json={
                "code": "1.3",
                "title": "Call-backs",
                "department_id": ids.cc,
                "leads": [longest],
            },
        )
        assert made.status_code == 201, made.json()
        changed = client.patch(
            f"{API}/strategies/{made.json()['id']}", json={"version": 1, "leads": ["y" * 301]}
        )
        assert changed.status_code == 422
        assert [f["field"] for f in changed.json()["error"]["fields"]] == ["leads.0"]
        session.expire_all()
        assert longest in export_plan_text(session=session, slug="testville-service")

    def test_a_code_already_used_is_refused_by_the_service(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        answer = client_for(people.cc_lead).post(
            self.URL, json={"code": "1.1", "title": "Twice", "department_id": ids.cc}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"] == [
            {"field": "code", "message": "1.1 is already used in this plan"}
        ]
        assert history_count(session) == before

    def test_an_oversized_id_in_the_body_is_bad_input(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.admin).post(
            self.URL, json={"code": "1.3", "title": "X", "department_id": 2**70}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "department_id"

    def test_anonymous_is_401(self, session: Session, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.post(self.URL, json={"code": "1.3", "title": "X"})
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "not_authenticated"
        assert session.exec(select(Strategy).where(Strategy.code == "1.3")).first() is None

    def test_a_lead_cannot_create_for_another_department(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        answer = client_for(people.pw_lead).post(
            self.URL, json={"code": "1.3", "title": "X", "department_id": ids.cc}
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["message"] == CC_SENTENCE
        assert session.exec(select(Strategy).where(Strategy.code == "1.3")).first() is None
        assert history_count(session) == before


class TestUpdateStrategy:
    def test_change_answers_the_new_version_and_writes_one_history_entry(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "title": "Answer in every language"}
        )
        assert answer.status_code == 200, answer.json()
        assert answer.json()["title"] == "Answer in every language"
        assert (answer.json()["version"], answer.headers["ETag"]) == (2, '"2"')
        (entry,) = history(session, "strategy", ids.s11)
        assert entry["action"] == "update" and entry["version_after"] == 2
        assert entry["changes"] == {"title": ("Answer in language", "Answer in every language")}

    def test_stale_body_version_is_409_with_the_newer_value_and_who_saved_it(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        url = f"{API}/strategies/{ids.s11}"
        assert (
            client_for(people.cc_lead).patch(url, json={"version": 1, "title": "Mine"}).status_code
            == 200
        )
        answer = client_for(people.admin).patch(url, json={"version": 1, "title": "Theirs"})
        assert answer.status_code == 409
        error = answer.json()["error"]
        assert error["code"] == "conflict"
        assert error["current"] == {"version": 2, "title": "Mine"}
        assert error["saved_by"] == "Cara Lead"
        assert row_of(session, Strategy, ids.s11)["title"] == "Mine"
        assert len(history(session, "strategy", ids.s11)) == 1

    def test_stale_if_match_is_412_and_a_current_one_is_accepted(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.cc_lead)
        url = f"{API}/strategies/{ids.s11}"
        first = client.patch(
            url, json={"version": 1, "title": "First"}, headers={"If-Match": '"1"'}
        )
        assert (first.status_code, first.headers["ETag"]) == (200, '"2"')
        stale = client.patch(
            url, json={"version": 1, "title": "Second"}, headers={"If-Match": '"1"'}
        )
        assert stale.status_code == 412
        assert stale.json()["error"]["code"] == "precondition_failed"
        assert stale.json()["error"]["current"] == {"version": 2, "title": "First"}
        fresh = client.patch(
            url, json={"version": 2, "title": "Second"}, headers={"If-Match": first.headers["ETag"]}
        )
        assert (fresh.status_code, fresh.json()["version"]) == (200, 3)
        assert len(history(session, "strategy", ids.s11)) == 2

    def test_version_is_required_and_if_match_must_name_one(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.cc_lead)
        url = f"{API}/strategies/{ids.s11}"
        missing = client.patch(url, json={"title": "X"})
        assert missing.status_code == 422
        assert missing.json()["error"]["fields"][0]["field"] == "version"
        garbled = client.patch(url, json={"version": 1, "title": "X"}, headers={"If-Match": "*"})
        assert garbled.status_code == 422
        assert garbled.json()["error"]["fields"][0]["field"] == "if-match"

    def test_when_body_and_if_match_disagree_the_stale_one_answers(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.cc_lead)
        url = f"{API}/strategies/{ids.s11}"
        assert client.patch(url, json={"version": 1, "title": "Now 2"}).status_code == 200
        stale_body = client.patch(
            url, json={"version": 1, "title": "X"}, headers={"If-Match": '"2"'}
        )
        assert stale_body.status_code == 409
        stale_header = client.patch(
            url, json={"version": 2, "title": "X"}, headers={"If-Match": '"1"'}
        )
        assert stale_header.status_code == 412
        assert row_of(session, Strategy, ids.s11)["title"] == "Now 2"

    def test_null_for_a_required_field_names_it_and_saves_nothing(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = row_of(session, Strategy, ids.s11)
        answer = client_for(people.cc_lead).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "title": None, "term": "long"}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"] == [
            {"field": "title", "message": "must not be null"}
        ]
        assert row_of(session, Strategy, ids.s11) == before
        assert history(session, "strategy", ids.s11) == []

    def test_bad_enum_names_the_field(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "term": "medium"}
        )
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["term"]
        assert history(session, "strategy", ids.s11) == []

    def test_anonymous_is_401_and_nothing_changes(
        self, session: Session, anonymous: TestClient, ids: Ids
    ) -> None:
        before = row_of(session, Strategy, ids.s11)
        answer = anonymous.patch(f"{API}/strategies/{ids.s11}", json={"version": 1, "title": "X"})
        assert answer.status_code == 401
        assert row_of(session, Strategy, ids.s11) == before

    def test_lead_of_another_department_is_403_with_the_reason(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = row_of(session, Strategy, ids.s11)
        answer = client_for(people.pw_lead).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "title": "Hijacked"}
        )
        assert answer.status_code == 403
        assert answer.json()["error"] == {"code": "forbidden", "message": CC_SENTENCE}
        assert row_of(session, Strategy, ids.s11) == before
        assert history(session, "strategy", ids.s11) == []

    def test_missing_strategy_is_404(self, client_for: Client, people: People, ids: Ids) -> None:
        answer = client_for(people.admin).patch(f"{API}/strategies/999", json={"version": 1})
        assert answer.status_code == 404


class TestStrategyProgress:
    def test_progress_update_is_recorded_with_its_note(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.pw_lead).post(
            f"{API}/strategies/{ids.s12}/progress",
            json={
                "version": 1,
                "status": "on_track",
                "progress": 40,
                "narrative": "Crews hired.",
                "note": "Monthly update",
            },
        )
        assert answer.status_code == 200, answer.json()
        body = answer.json()
        assert (body["status"], body["progress"], body["narrative"]) == (
            "on_track",
            40,
            "Crews hired.",
        )
        assert body["version"] == 2 and body["last_update_at"] is not None
        (entry,) = history(session, "strategy", ids.s12)
        assert (entry["action"], entry["note"], entry["actor"]) == (
            "progress",
            "Monthly update",
            "Pete Lead",
        )
        assert entry["changes"] == {
            "status": ("not_started", "on_track"),
            "progress": (0, 40),
            "narrative": ("", "Crews hired."),
        }

    def test_coordinator_may_post_progress_anywhere_in_the_organisation(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.coordinator).post(
            f"{API}/strategies/{ids.s11}/progress", json={"version": 1, "status": "at_risk"}
        )
        assert (answer.status_code, answer.json()["status"]) == (200, "at_risk")

    def test_entered_progress_is_refused_when_steps_drive_it(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = row_of(session, Strategy, ids.s11)
        answer = client_for(people.cc_lead).post(
            f"{API}/strategies/{ids.s11}/progress", json={"version": 1, "progress": 50}
        )
        assert answer.status_code == 422
        (problem,) = answer.json()["error"]["fields"]
        assert problem["field"] == "progress" and "0 of 2 done" in problem["message"]
        assert row_of(session, Strategy, ids.s11) == before
        assert history(session, "strategy", ids.s11) == []

    def test_out_of_range_progress_names_the_field(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.pw_lead).post(
            f"{API}/strategies/{ids.s12}/progress", json={"version": 1, "progress": 101}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "progress"

    def test_stale_if_match_is_412(self, client_for: Client, people: People, ids: Ids) -> None:
        client = client_for(people.pw_lead)
        url = f"{API}/strategies/{ids.s12}/progress"
        assert (
            client.post(
                url, json={"version": 1, "status": "on_track"}, headers={"If-Match": '"1"'}
            ).status_code
            == 200
        )
        stale = client.post(
            url, json={"version": 1, "status": "at_risk"}, headers={"If-Match": '"1"'}
        )
        assert stale.status_code == 412
        assert stale.json()["error"]["current"]["status"] == "on_track"


class TestArchiveAndRestoreStrategy:
    def test_archived_strategy_leaves_lists_and_comes_back_on_restore(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead, admin = client_for(people.cc_lead), client_for(people.admin)
        archived = lead.post(
            f"{API}/strategies/{ids.s11}/archive", json={"version": 1, "note": "Merged"}
        )
        assert archived.status_code == 200, archived.json()
        assert archived.json()["archived_at"] is not None and archived.json()["version"] == 2

        assert codes(lead.get(f"{API}/strategies").json()) == ["1.2"]
        assert lead.get(f"{API}/strategies/{ids.s11}").status_code == 404
        with_archived = admin.get(f"{API}/strategies", params={"include_archived": "true"}).json()
        assert codes(with_archived) == ["1.1", "1.2"]

        refused = lead.post(f"{API}/strategies/{ids.s11}/restore", json={"version": 2})
        assert refused.status_code == 403
        assert (
            refused.json()["error"]["message"]
            == "Only an administrator can restore archived items."
        )

        restored = admin.post(
            f"{API}/strategies/{ids.s11}/restore", json={"version": 2}, headers={"If-Match": '"2"'}
        )
        assert restored.status_code == 200, restored.json()
        assert restored.json()["archived_at"] is None
        assert codes(lead.get(f"{API}/strategies").json()) == ["1.1", "1.2"]
        actions = [(e["action"], e["note"]) for e in history(session, "strategy", ids.s11)]
        assert actions == [("archive", "Merged"), ("restore", "")]

    def test_only_administrators_may_list_archived_items(
        self, anonymous: TestClient, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead = client_for(people.cc_lead).get(
            f"{API}/strategies", params={"include_archived": "true"}
        )
        assert lead.status_code == 403
        assert lead.json()["error"]["message"] == "Only an administrator can see archived items."
        assert (
            anonymous.get(f"{API}/strategies", params={"include_archived": "true"}).status_code
            == 401
        )

    def test_archiving_twice_is_404(self, client_for: Client, people: People, ids: Ids) -> None:
        lead = client_for(people.cc_lead)
        assert (
            lead.post(f"{API}/strategies/{ids.s11}/archive", json={"version": 1}).status_code == 200
        )
        assert (
            lead.post(f"{API}/strategies/{ids.s11}/archive", json={"version": 2}).status_code == 404
        )

    def test_stale_archive_is_409(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead = client_for(people.cc_lead)
        assert (
            lead.patch(f"{API}/strategies/{ids.s11}", json={"version": 1, "title": "T"}).status_code
            == 200
        )
        answer = lead.post(f"{API}/strategies/{ids.s11}/archive", json={"version": 1})
        assert answer.status_code == 409
        assert row_of(session, Strategy, ids.s11)["archived_at"] is None
