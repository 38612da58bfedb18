"""/plans/{slug}/search: the search box on every plan page, and results grouped by kind."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select

from app.models import FocusArea, Plan, QuickWin, Strategy
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
TINY = "/plans/testville-service"


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.mark.parametrize(
    "url",
    [
        TINY,
        f"{TINY}/focus-areas/1",
        f"{TINY}/strategies/1.1",
        f"{TINY}/roadmap",
        f"{TINY}/search?q=x",
    ],
)
def test_every_plan_page_has_a_labelled_search_box(session: Session, tiny: Plan, url: str) -> None:
    client, _ = signed_in_client(session, None)
    soup = page(client.get(url).text)
    forms = soup.select("form[role=search]")
    assert len(forms) == 1  # the search page has its own, bigger box instead of the nav's
    form = forms[0]
    assert form is not None
    assert form["method"] == "get" and form["action"] == f"{TINY}/search"
    box = form.select_one("input[name=q]")
    assert box is not None
    label = soup.select_one(f"label[for={box['id']}]")
    assert label is not None and text_of(label) in (
        "Search this plan",
        "Words to find in titles and descriptions",  # anonymous: narratives are not searched
    )


def test_results_are_grouped_by_kind_with_links_and_the_match_marked(
    session: Session, tiny: Plan
) -> None:
    client, _ = signed_in_client(session, None)
    answer = client.get(f"{TINY}/search", params={"q": "ANSWER"})
    assert answer.status_code == 200
    soup = page(answer.text)
    assert "5 results for “ANSWER”" in text_of(soup.select_one(".board-summary"))
    groups = {text_of(s.h2): s for s in soup.select("section.search-group")}
    assert list(groups) == ["Standards (1)", "Goals (1)", "Recommendations (1)", "Quick wins (2)"]
    strategy = groups["Recommendations (1)"].select_one("li a")
    assert strategy is not None
    assert strategy["href"] == f"{TINY}/strategies/1.1"
    assert text_of(strategy) == "1.1 Answer in language"
    standard = groups["Standards (1)"].select_one("li")
    assert standard is not None
    assert text_of(standard) == "1 Timely Definition: We answer quickly."
    mark = standard.select_one("mark")
    assert mark is not None and text_of(mark) == "answer"
    assert soup.select_one("#search-q")["value"] == "ANSWER"  # type: ignore[index]


def test_nothing_found_and_no_query(session: Session, tiny: Plan) -> None:
    client, _ = signed_in_client(session, None)
    none = page(client.get(f"{TINY}/search?q=zebra").text)
    assert "Nothing in this plan matches “zebra”." in text_of(none.select_one("#results"))
    empty = page(client.get(f"{TINY}/search").text)
    assert "Type a word or phrase" in text_of(empty.select_one("#results"))
    assert "recommendations" in text_of(empty.select_one("#results"))


def test_the_query_is_shown_escaped(session: Session, tiny: Plan) -> None:
    client, _ = signed_in_client(session, None)
    answer = client.get(f"{TINY}/search", params={"q": '"><script>alert(1)</script>'})
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;" in answer.text


def test_htmx_gets_only_the_results(session: Session, tiny: Plan) -> None:
    client, _ = signed_in_client(session, None)
    answer = client.get(f"{TINY}/search?q=language", headers=HX)
    assert answer.status_code == 200
    assert "<html" not in answer.text and "<form" not in answer.text
    assert "Answer in language" in answer.text


def test_an_unpublished_plan_cannot_be_searched_anonymously(session: Session) -> None:
    make_tiny_plan(session, TINY_PLAN.replace("published: true", "published: false"))
    client, _ = signed_in_client(session, None)
    assert client.get(f"{TINY}/search?q=language").status_code == 404


class TestNarratives:
    """Narratives are internal: an anonymous reader's search neither matches them nor shows them
    in an excerpt; the organisation's people find them (`permissions.can_read_internal`)."""

    NARRATIVE = "Stalled: the zanzibar vendor walked away, answer pending"

    @pytest.fixture
    def narrated(self, session: Session, tiny: Plan) -> Plan:
        rows: list[Strategy | FocusArea | QuickWin] = [
            session.exec(select(Strategy).where(Strategy.code == "1.1")).one(),
            session.exec(select(FocusArea).where(FocusArea.code == "1")).one(),
            session.exec(select(QuickWin).where(QuickWin.number == 1)).one(),
        ]
        for row in rows:
            row.narrative = self.NARRATIVE
        session.add_all(rows)
        session.commit()
        assert tiny.published
        return tiny

    def test_a_word_only_in_narratives_finds_nothing_for_anonymous(
        self, session: Session, narrated: Plan
    ) -> None:
        client, _ = signed_in_client(session, None)
        for headers in ({}, HX):
            soup = page(client.get(f"{TINY}/search?q=zanzibar", headers=headers).text)
            results = text_of(soup.select_one("#results") or soup)
            assert "Nothing in this plan matches “zanzibar”." in results
            assert soup.select(".search-hits li") == []

    def test_no_excerpt_of_a_narrative_for_anonymous(
        self, session: Session, narrated: Plan
    ) -> None:
        """ "answer" is in 1.1's title and in its narrative: the hit shows, the narrative not."""
        client, _ = signed_in_client(session, None)
        soup = page(client.get(f"{TINY}/search?q=answer").text)
        assert "Answer in language" in text_of(soup.select_one("#results"))
        assert "zanzibar" not in text_of(soup)
        assert "Narrative:" not in text_of(soup)

    def test_the_organisations_people_find_them(self, session: Session, narrated: Plan) -> None:
        viewer = make_person(session, "tv-viewer", "viewer")
        client, _ = signed_in_client(session, viewer)
        soup = page(client.get(f"{TINY}/search?q=zanzibar").text)
        groups = {
            s["aria-labelledby"]: [text_of(li.a) for li in s.select(".search-hits li")]
            for s in soup.select("section.search-group")
        }
        assert groups == {
            "found-focus_area": ["1 Access"],
            "found-strategy": ["1.1 Answer in language"],
            "found-quick_win": ["1 Language Access"],
        }
        excerpts = [text_of(p) for p in soup.select(".search-excerpt")]
        assert excerpts and all(e.startswith("Narrative:") for e in excerpts)
        label = soup.select_one("label[for=search-q]")
        assert text_of(label) == "Words to find in titles, descriptions and narratives"
