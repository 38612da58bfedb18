"""/plans/{slug}/quick-wins: the quick wins board, read as a user reads it and moved inline."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from app.models import HistoryEntry, HistoryField, Plan, QuickWin, User
from app.models.enums import SubjectType
from app.models.quick_win import QuickWinProgressIn
from app.services.changes import quick_wins
from app.services.changes.history import Actor
from app.services.plan_file.importing import import_plan_path
from tests.factories import (
    SEEDS_DIR,
    app_under_test,
    import_unpublished_seed,
    make_person,
    make_tiny_plan,
    signed_in_client,
)

HX = {"HX-Request": "true"}
SJ = "san-jose-customer-service"
BOARD = f"/plans/{SJ}/quick-wins"


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def flat(node: Tag | None) -> str:
    """Text as it reads on screen: no spaces added between inline elements."""
    assert node is not None
    return " ".join(node.get_text().split())


def quick_win(session: Session, number: int, slug: str = SJ) -> QuickWin:
    return session.exec(
        select(QuickWin).join(Plan).where(QuickWin.number == number, Plan.slug == slug)
    ).one()


def history_of(session: Session, item: QuickWin) -> list[HistoryEntry]:
    return list(
        session.exec(
            select(HistoryEntry)
            .where(
                HistoryEntry.subject_type == SubjectType.quick_win,
                HistoryEntry.subject_id == item.id,
            )
            .order_by(col(HistoryEntry.id))
        )
    )


def column(soup: BeautifulSoup, key: str) -> Tag:
    heading = soup.find(id=f"column-{key}")
    assert heading is not None, key
    section = heading.find_parent("section")
    assert isinstance(section, Tag)
    return section


def card_numbers(section: Tag) -> list[int]:
    return [
        int(text_of(c.find(class_="item-code")).removeprefix("Quick win "))
        for c in section.find_all("article", class_="qw-card")
    ]


def move_forms(soup: BeautifulSoup | Tag) -> list[Tag]:
    return soup.find_all("form", class_="qw-move")


def is_fragment(html: str) -> bool:
    return "<html" not in html and "site-header" not in html and "<h1" not in html


@pytest.fixture
def san_jose(session: Session) -> Plan:
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    return session.exec(select(Plan).where(Plan.slug == SJ)).one()


def person(session: Session, username: str, role: str, department: str | None = None) -> User:
    return make_person(session, username, role, department=department, organization="san-jose")


@pytest.fixture
def sj311_lead(session: Session, san_jose: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, person(session, "sj311-lead", "lead", "SJ311"))


def move(
    client: TestClient,
    csrf: str,
    item: QuickWin,
    status: str,
    *,
    version: int | None = None,
    htmx: bool = True,
    by: str = "",
) -> object:
    headers = {"X-CSRF-Token": csrf, **(HX if htmx else {})}
    data = {"quick_win_id": str(item.id), "version": str(version or item.version), "status": status}
    if by:
        data["by"] = by
    return client.post(BOARD, data=data, headers=headers, follow_redirects=False)


class TestBoard:
    def test_san_jose_board_has_its_11_quick_wins_by_status(self, san_jose: Plan) -> None:
        response = TestClient(app_under_test()).get(BOARD)
        assert response.status_code == 200
        soup = page(response.text)
        assert text_of(soup.h1) == "Quick wins"
        assert "11 quick wins: Planned 0 · In progress 5 · Complete 6" in text_of(
            soup.find(class_="board-summary")
        )
        assert flat(soup.find(id="column-complete")) == "Complete (6)"
        assert flat(soup.find(id="column-in_progress")) == "In progress (5)"
        assert card_numbers(column(soup, "complete")) == [2, 3, 4, 5, 6, 9]
        assert card_numbers(column(soup, "in_progress")) == [1, 7, 8, 10, 11]
        assert card_numbers(column(soup, "planned")) == []

    def test_a_card_reads_like_the_slide(self, session: Session, san_jose: Plan) -> None:
        soup = page(TestClient(app_under_test()).get(BOARD).text)
        card = soup.find(id=f"quick-win-{quick_win(session, 6).id}")
        assert card is not None and card.find_parent("section") is column(soup, "complete")
        text = text_of(card)
        assert text.startswith("Quick win 6")
        assert "Complete" in text_of(card.find(class_="status"))  # status as text
        assert "Animal Care and Services" in text
        card1 = text_of(soup.find(id=f"quick-win-{quick_win(session, 1).id}"))
        assert "Quick win 1 Language Access" in card1
        assert "Service area SJ311" in card1
        assert "Customer issue Spanish speakers using the SJ311 live chat option" in card1
        assert "Summary Limiting Spanish live chat" in card1
        assert "People" in card1

    def test_people_process_technology_view(self, san_jose: Plan) -> None:
        soup = page(TestClient(app_under_test()).get(BOARD + "?by=category").text)
        assert card_numbers(column(soup, "people")) == [1, 2, 3]
        assert card_numbers(column(soup, "process")) == [4, 5, 6, 7]
        assert card_numbers(column(soup, "technology")) == [8, 9, 10, 11]
        current = soup.find("a", attrs={"aria-current": "page"})
        assert text_of(current) == "By People / Process / Technology"

    def test_htmx_view_switch_gets_the_board_fragment(self, san_jose: Plan) -> None:
        client = TestClient(app_under_test())
        response = client.get(BOARD + "?by=category", headers=HX)
        assert response.status_code == 200
        assert is_fragment(response.text)
        assert 'id="column-people"' in response.text
        assert "<html" in client.get(BOARD).text

    def test_anonymous_reads_a_published_board_without_controls(self, san_jose: Plan) -> None:
        soup = page(TestClient(app_under_test()).get(BOARD).text)
        assert move_forms(soup) == []

    def test_an_unpublished_plan_is_not_found_for_outsiders(self, session: Session) -> None:
        import_unpublished_seed(session, "dcx-311.yaml")
        response = TestClient(app_under_test()).get("/plans/dcx-311-strategic-plan/quick-wins")
        assert response.status_code == 404

    def test_a_plan_without_quick_wins_says_so(self, session: Session) -> None:
        import_plan_path(session=session, path=SEEDS_DIR / "dcx-311.yaml")
        session.commit()
        admin = make_person(
            session, "root", "admin", organization="department-of-customer-experience"
        )
        client, _ = signed_in_client(session, admin)
        soup = page(client.get("/plans/dcx-311-strategic-plan/quick-wins").text)
        assert "This plan has no quick wins." in text_of(soup.find("main"))


class TestControls:
    def test_the_sj311_lead_moves_only_sj311_quick_wins(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = sj311_lead
        soup = page(client.get(BOARD).text)
        owned = {
            int(text_of(f.find_parent("article").find(class_="item-code")).split()[-1])
            for f in move_forms(soup)
        }
        sj311 = {
            q.number
            for q in session.exec(select(QuickWin))
            if q.department_id and q.department_id == quick_win(session, 1).department_id
        }
        assert owned == sj311 and 1 in owned
        card6 = soup.find(id=f"quick-win-{quick_win(session, 6).id}")
        assert move_forms(card6) == []

    def test_the_move_form_works_with_and_without_javascript(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = sj311_lead
        item = quick_win(session, 1)
        form = move_forms(page(client.get(BOARD).text).find(id=f"quick-win-{item.id}"))[0]
        assert form["method"] == "post" and form["action"] == BOARD
        assert form["hx-post"] == BOARD and form["hx-target"] == f"#quick-win-{item.id}"
        select_ = form.find("select")
        label = form.find("label", attrs={"for": select_["id"]})
        assert text_of(label) == "Move quick win 1 to"
        assert [text_of(o) for o in select_.find_all("option")] == [
            "Planned",
            "In progress",
            "Complete",
        ]
        assert form.find("input", attrs={"name": "version"})["value"] == str(item.version)

    @pytest.mark.parametrize("role", ["coordinator", "admin"])
    def test_coordinators_and_admins_move_every_quick_win(
        self, session: Session, san_jose: Plan, role: str
    ) -> None:
        client, _ = signed_in_client(session, person(session, "someone", role))
        assert len(move_forms(page(client.get(BOARD).text))) == 11

    def test_a_viewer_has_no_control(self, session: Session, san_jose: Plan) -> None:
        client, _ = signed_in_client(session, person(session, "v", "viewer"))
        assert move_forms(page(client.get(BOARD).text)) == []


class TestMove:
    def test_lead_marks_quick_win_1_complete_inline(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        item = quick_win(session, 1)
        response = move(client, csrf, item, "complete")
        assert response.status_code == 200
        assert is_fragment(response.text)
        soup = page(response.text)
        card = soup.find("article", id=f"quick-win-{item.id}")
        assert text_of(card.find(class_="status")) == "Complete"
        assert "Moved to Complete." in text_of(card.find(class_="notice-ok"))
        # The counts elsewhere on the board follow, out of band.
        assert text_of(soup.find(id="qw-summary-complete")) == "7"
        assert soup.find(id="qw-summary-complete")["hx-swap-oob"] == "true"
        assert text_of(soup.find(id="qw-column-in_progress")) == "4"
        # The card's form is on the new version.
        assert card.find("input", attrs={"name": "version"})["value"] == str(item.version + 1)
        session.expire_all()
        assert quick_win(session, 1).status == "complete"
        entries = history_of(session, item)
        assert [e.action for e in entries] == ["progress"]
        assert entries[0].actor_name == "Sj311 Lead"
        fields = session.exec(
            select(HistoryField).where(HistoryField.entry_id == entries[0].id)
        ).all()
        assert [(f.field, f.before, f.after) for f in fields] == [
            ("status", "in_progress", "complete")
        ]
        # After a reload it sits under Complete.
        board = page(client.get(BOARD).text)
        assert 1 in card_numbers(column(board, "complete"))

    def test_a_plain_post_redirects_back_to_the_card(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        item = quick_win(session, 1)
        response = move(client, csrf, item, "complete", htmx=False, by="category")
        assert response.status_code == 303
        location = response.headers["location"]
        assert location == f"{BOARD}?by=category&saved=quick-win-{item.id}#quick-win-{item.id}"
        soup = page(client.get(location).text)
        card = soup.find(id=f"quick-win-{item.id}")
        assert text_of(card.find(class_="notice-ok")) == "Saved."
        assert text_of(card.find(class_="status")) == "Complete"

    def test_a_forged_post_for_another_departments_quick_win_is_refused(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        item = quick_win(session, 6)
        for htmx in (True, False):
            response = move(client, csrf, item, "planned", htmx=htmx)
            assert response.status_code == 403
            assert "owned by the Animal Care and Services department" in response.text
        session.expire_all()
        assert quick_win(session, 6).status == "complete"
        assert history_of(session, item) == []

    def test_a_viewer_post_is_refused(self, session: Session, san_jose: Plan) -> None:
        client, csrf = signed_in_client(session, person(session, "v", "viewer"))
        item = quick_win(session, 1)
        assert move(client, csrf, item, "complete").status_code == 403
        session.expire_all()
        assert quick_win(session, 1).status == "in_progress"

    def test_an_anonymous_post_changes_nothing(self, session: Session, san_jose: Plan) -> None:
        item = quick_win(session, 1)
        response = TestClient(app_under_test()).post(
            BOARD,
            data={"quick_win_id": str(item.id), "version": "1", "status": "complete"},
            follow_redirects=False,
        )
        assert response.status_code in (401, 403, 303)
        session.expire_all()
        assert quick_win(session, 1).status == "in_progress"

    def test_the_csrf_token_is_needed(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, _ = sj311_lead
        item = quick_win(session, 1)
        response = move(client, "wrong-token", item, "complete")
        assert response.status_code == 403
        session.expire_all()
        assert quick_win(session, 1).status == "in_progress"
        assert history_of(session, item) == []

    def test_a_stale_version_shows_the_newer_status_and_who_saved_it(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        item = quick_win(session, 1)
        stale = item.version
        coordinator = person(session, "carla-coordinator", "coordinator")
        quick_wins.record_quick_win_progress(
            session=session,
            quick_win=item,
            actor=Actor(user=coordinator),
            data=QuickWinProgressIn(version=stale, status="complete"),
        )
        session.commit()
        response = move(client, csrf, item, "planned", version=stale)
        assert response.status_code == 409
        card = page(response.text).find("article", id=f"quick-win-{item.id}")
        conflict = text_of(card.find(class_="notice-conflict"))
        assert "Not saved: Carla Coordinator changed this quick win" in conflict
        assert "Its status is now Complete" in conflict
        assert "Your choice (Planned) is still selected" in conflict
        form = move_forms(card)[0]
        assert form.find("input", attrs={"name": "version"})["value"] == str(stale + 1)
        assert form.find("option", selected=True)["value"] == "planned"
        session.expire_all()
        assert quick_win(session, 1).status == "complete"
        assert len(history_of(session, item)) == 1

    def test_an_unknown_status_is_shown_beside_the_select_and_nothing_saved(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        item = quick_win(session, 1)
        response = move(client, csrf, item, "finished")
        assert response.status_code == 422
        card = page(response.text).find("article", id=f"quick-win-{item.id}")
        select_ = card.find("select")
        assert select_["aria-invalid"] == "true"
        error = card.find(id=select_["aria-describedby"])
        assert text_of(error) == "Choose one of the listed statuses."
        session.expire_all()
        assert quick_win(session, 1).status == "in_progress"
        assert history_of(session, item) == []

    def test_a_plain_post_with_bad_input_gets_the_board_with_the_message(
        self, session: Session, sj311_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = sj311_lead
        item = quick_win(session, 1)
        response = move(client, csrf, item, "", htmx=False)
        assert response.status_code == 422
        soup = page(response.text)
        assert text_of(soup.h1) == "Quick wins"
        card = soup.find(id=f"quick-win-{item.id}")
        assert "Choose a status." in text_of(card.find(class_="field-error"))

    def test_a_quick_win_of_another_plan_is_not_on_this_board(
        self, session: Session, san_jose: Plan
    ) -> None:
        make_tiny_plan(session)
        other = quick_win(session, 1, slug="testville-service")
        client, csrf = signed_in_client(session, make_person(session, "root", "admin"))
        response = move(client, csrf, other, "complete")
        assert response.status_code == 404
        session.expire_all()
        assert quick_win(session, 1, slug="testville-service").status == "in_progress"
        assert (
            session.exec(
                select(func.count())
                .select_from(HistoryEntry)
                .where(HistoryEntry.subject_type == SubjectType.quick_win)
            ).one()
            == 0
        )


class TestInternalNarrative:
    """A card's latest narrative is internal: the public reads the board's statuses only; the
    organisation's people read the narrative too (`permissions.can_read_internal`)."""

    NARRATIVE = "Only two bilingual agents left on the chat rota"

    @pytest.fixture
    def narrated(self, session: Session, san_jose: Plan) -> QuickWin:
        item = quick_win(session, 1)
        item.narrative = self.NARRATIVE
        session.add(item)
        session.commit()
        assert san_jose.published
        return item

    def test_anonymous_readers_see_no_narrative(self, narrated: QuickWin) -> None:
        client = TestClient(app_under_test())
        for url in (BOARD, BOARD + "?by=category"):
            soup = page(client.get(url).text)
            card = soup.find(id=f"quick-win-{narrated.id}")
            assert card is not None
            assert self.NARRATIVE not in text_of(soup)
            assert soup.select(".narrative") == []

    def test_the_organisations_people_read_it(self, session: Session, narrated: QuickWin) -> None:
        client, _ = signed_in_client(session, person(session, "sj-viewer", "viewer"))
        soup = page(client.get(BOARD).text)
        card = soup.find(id=f"quick-win-{narrated.id}")
        assert card is not None
        assert text_of(card.select_one(".narrative")) == f"Latest: {self.NARRATIVE}"

    def test_people_of_another_organisation_see_no_narrative(
        self, session: Session, narrated: QuickWin
    ) -> None:
        make_tiny_plan(session)
        outsider = make_person(session, "tv-coordinator", "coordinator")  # of Testville
        client, _ = signed_in_client(session, outsider)
        assert self.NARRATIVE not in client.get(BOARD).text
