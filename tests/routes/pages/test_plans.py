"""The plan pages as a reader reads them: the plan list, a plan's overview, a focus area and a
strategy (with its history), through the real app over HTTP with an HTML parser."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.auth import actor_for
from app.models import FocusArea, Plan, Strategy, User, WorkplanStep
from app.models.strategy import ProgressUpdateIn, StrategyCreate
from app.services.changes import strategies
from app.services.changes.history import SYSTEM
from app.services.plan_file.importing import import_plan_path
from app.services.views import drill_down
from tests.factories import (
    SEEDS_DIR,
    TINY_PLAN,
    begin_strategy,
    make_person,
    make_tiny_plan,
    signed_in_client,
)

HX = {"HX-Request": "true"}
TINY = "/plans/testville-service"
SAN_JOSE = "/plans/san-jose-customer-service"


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    """What a reader reads: a <progress> bar's fallback text is not shown beside its number."""
    assert node is not None
    node = BeautifulSoup(str(node), "html.parser")
    for bar in node.find_all("progress"):
        bar.clear()
    return " ".join(node.get_text(" ").split())


def is_fragment(html: str) -> bool:
    return "<html" not in html and "site-header" not in html


def strategy(session: Session, code: str) -> Strategy:
    return session.exec(
        select(Strategy).join(Plan).where(Strategy.code == code, Plan.slug == "testville-service")
    ).one()


def no_inline_style_or_script(soup: BeautifulSoup) -> None:
    assert not soup.select("[style]"), "style= attributes break the CSP"
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/json"


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def san_jose(session: Session) -> Plan:
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    return session.exec(select(Plan).where(Plan.slug == "san-jose-customer-service")).one()


class TestPlanList:
    def test_anonymous_reads_published_plans_by_organisation_with_their_headline(
        self, session: Session, tiny: Plan, san_jose: Plan
    ) -> None:
        client, _ = signed_in_client(session, None)
        for url in ("/", "/plans"):
            answer = client.get(url)
            assert answer.status_code == 200
            soup = page(answer.text)
            assert [text_of(h) for h in soup.select("section.org-plans h2")] == [
                "City of San José",
                "City of Testville",
            ]
            testville = soup.select("section.org-plans")[1]
            card = testville.select_one("article.plan-card")
            assert card is not None
            link = card.select_one("h3 a")
            assert link is not None and link["href"] == TINY
            assert text_of(link) == "Testville Customer Service Plan"
            words = text_of(card)
            assert "Status Adopted" in words
            assert "Period 2024 – 2027" in words
            assert "Recommendations: 2" in words  # the plan's own word
            # 1.1 was planned to end in 2024 and is not complete: overdue, the plan's headline.
            headline = card.select_one(".headline")
            assert headline is not None
            assert text_of(headline) == "Overdue 1 of 2 recommendations is overdue: 1.1"
            san = text_of(soup.select("section.org-plans")[0])
            assert "Customer Service Vision and Standards" in san
            # The period the seed reads from "three- and one-half years" after adoption.
            assert "Period 2023 – 2026" in san and "Adopted 2023-03-07" in san
            assert "11 of 11 recommendations are not started" in san

    def test_the_headline_follows_the_worst_strategy(self, session: Session, tiny: Plan) -> None:
        item = strategy(session, "1.2")
        strategies.record_strategy_progress(
            session=session,
            strategy=item,
            data=ProgressUpdateIn(version=item.version, status="off_track", progress=10),
            actor=SYSTEM,
        )
        session.commit()
        client, _ = signed_in_client(session, None)
        card = page(client.get("/plans").text).select_one("article.plan-card")
        assert card is not None
        assert text_of(card.select_one(".headline .status")) == "Off track"
        assert "1 of 2 recommendations is off track: 1.2" in text_of(card)
        assert "5%" in text_of(card.select_one(".progress-number"))  # mean of 0% and 10%

    def test_an_unpublished_plan_is_listed_only_for_its_organisation(
        self, session: Session
    ) -> None:
        make_tiny_plan(session, TINY_PLAN.replace("published: true", "published: false"))
        anonymous, _ = signed_in_client(session, None)
        soup = page(anonymous.get("/plans").text)
        assert "Testville" not in text_of(soup.select_one("main"))
        assert "no plans you can read" in text_of(soup.select_one("main"))
        viewer, _ = signed_in_client(session, make_person(session, "tv-viewer", "viewer"))
        card = page(viewer.get("/plans").text).select_one("article.plan-card")
        assert card is not None
        assert "Testville Customer Service Plan" in text_of(card)
        assert "(not published)" in text_of(card)

    def test_htmx_gets_the_list_only(self, session: Session, tiny: Plan) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get("/plans", headers=HX)
        assert answer.status_code == 200 and is_fragment(answer.text)
        assert "Testville Customer Service Plan" in answer.text


class TestOverview:
    def test_san_jose_reads_like_its_report(self, session: Session, san_jose: Plan) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get(SAN_JOSE)
        assert answer.status_code == 200
        soup = page(answer.text)
        no_inline_style_or_script(soup)
        assert text_of(soup.select_one("h1")) == "Customer Service Vision and Standards"
        assert text_of(soup.select_one(".vision")) == (
            "Working together to serve our community through reliable, empathetic, and "
            "solutions-oriented customer service"
        )
        # The 7 standards, with their definitions.
        assert text_of(soup.select_one("h2#statements")) == "Standards (7)"
        standards = soup.select("ol.statements > li")
        assert len(standards) == 7
        assert text_of(standards[0].h3) == (
            "Standard 1 Deliver customer service with a focus on solutions"
        )
        assert text_of(standards[0].p).startswith('It may not always be possible to say "yes,"')
        assert text_of(standards[6].h3).endswith(
            "Continually improve our customer service through our people, processes, and "
            "technologies"
        )
        # The 5 recommendation themes under People / Process / Technology.
        assert text_of(soup.select_one("h2#focus-areas")) == "Recommendation themes (5)"
        assert [text_of(h) for h in soup.select("h3.category-heading")] == [
            "People",
            "Process",
            "Technology",
        ]
        cards = soup.select("article.fa-card")
        assert [text_of(c.select_one(".fa-title")) for c in cards] == [
            "1 Culture and Training",
            "2 Customer Service Governance Centralization",
            "3 Equitable Access",
            "4 Policies and Processes",
            "5 Channels, Software, and Data",
        ]
        assert [text_of(c.select_one(".qw-category")) for c in cards] == [
            "People",
            "People",
            "Process",
            "Process",
            "Technology",
        ]
        equitable = cards[2]
        assert "Implement measures to ensure equitable access" in text_of(equitable)
        assert text_of(equitable.select_one(".headline")) == (
            "Not started 3 of 3 recommendations are not started: 3.1, 3.2, 3.3"
        )
        assert text_of(equitable.select_one(".distribution")) == "Not started 3"
        assert text_of(equitable.select_one(".progress-number")) == "0%"
        # The 11 recommendations, short or long term.
        items = soup.select(".fa-strategy-list li")
        assert len(items) == 11
        terms = [text_of(li.select_one(".term-tag")) for li in items]
        assert terms.count("Short term") == 6 and terms.count("Long term") == 5
        assert text_of(items[3].a) == "3.1 Ensure customers can access a full journey in-language"
        assert items[3].a["href"] == f"{SAN_JOSE}/strategies/3.1"
        # The two phases, and where to go next.
        phases = [text_of(li.h3) for li in soup.select("ol.phases > li")]
        assert phases == ["Phase 1 Interim quick wins", "Phase 2 Major transformational work"]
        links = {a["href"] for a in soup.select(".explore-links a")}
        assert links == {f"{SAN_JOSE}/roadmap", f"{SAN_JOSE}/quick-wins", f"{SAN_JOSE}/scorecard"}
        assert "11 quick wins" in text_of(soup.select_one(".explore-links"))
        # Table 1: the customer personas and their journeys.
        assert text_of(soup.select_one("h2#personas")) == "Customer personas (6)"
        assert len(soup.select("article.persona-card")) == 6

    def test_mississauga_keeps_its_delivery_requirements_apart_from_its_principles(
        self, session: Session
    ) -> None:
        import_plan_path(session=session, path=SEEDS_DIR / "mississauga.yaml")
        session.commit()
        client, _ = signed_in_client(session, None)
        soup = page(client.get("/plans/mississauga-customer-service-strategy").text)
        assert [text_of(h) for h in soup.select("h2[id^=statements]")] == [
            "Delivery requirements (3)",
            "Guiding principles (6)",
        ]
        principles = soup.select("#statements-guiding_principle ~ ol.statements > li")
        assert text_of(principles[0].h3) == "Guiding principle 1 Focus on the Customer"
        assert text_of(soup.select_one("h2#focus-areas")) == "Key areas (4)"
        assert "Mandate" in [text_of(h) for h in soup.select(".purpose h2")]

    def test_a_card_shows_distribution_mean_progress_and_why(
        self, session: Session, tiny: Plan
    ) -> None:
        item = strategy(session, "1.2")
        strategies.record_strategy_progress(
            session=session,
            strategy=item,
            data=ProgressUpdateIn(version=item.version, status="at_risk", progress=50),
            actor=SYSTEM,
        )
        session.commit()
        client, _ = signed_in_client(session, None)
        soup = page(client.get(TINY).text)
        card = soup.select_one("#focus-area-1")
        assert card is not None
        assert text_of(card.select_one(".headline")) == (
            "Overdue 1 of 2 recommendations is overdue: 1.1"
        )
        assert text_of(card.select_one(".distribution")) == "Overdue 1 At risk 1"
        assert text_of(card.select_one(".progress-number")) == "25%"
        empty = soup.select_one("#focus-area-2")
        assert empty is not None and "No strategies yet" in text_of(empty)
        # Goals with their intended outcomes.
        goal = soup.select_one("#goal-G1")
        assert goal is not None
        assert "Goal G1 Faster answers" in text_of(goal)
        assert "Intended outcome Residents wait less" in text_of(goal)

    def test_mission_and_mandate_when_the_plan_has_them(self, session: Session) -> None:
        make_tiny_plan(
            session,
            TINY_PLAN.replace(
                "vision: Every resident served well.",
                "vision: Every resident served well.\n  mission: We serve.\n"
                "  mandate: Council asked.",
            ),
        )
        client, _ = signed_in_client(session, None)
        purpose = text_of(page(client.get(TINY).text).select_one(".purpose"))
        assert purpose == (
            "Mission We serve. Vision Every resident served well. Mandate Council asked."
        )

    def test_an_unpublished_plan_is_not_found_for_anonymous(self, session: Session) -> None:
        make_tiny_plan(session, TINY_PLAN.replace("published: true", "published: false"))
        client, _ = signed_in_client(session, None)
        for url in (TINY, f"{TINY}/focus-areas/1", f"{TINY}/strategies/1.1"):
            assert client.get(url).status_code == 404
        viewer, _ = signed_in_client(session, make_person(session, "tv-viewer", "viewer"))
        assert viewer.get(TINY).status_code == 200

    def test_htmx_gets_the_overview_without_the_layout(self, session: Session, tiny: Plan) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get(TINY, headers=HX)
        assert answer.status_code == 200 and is_fragment(answer.text)
        assert "Testville Customer Service Plan" in answer.text
        full = client.get(TINY)
        assert "<html" in full.text and "site-header" in full.text


METRIC_ON_1_1 = TINY_PLAN.replace(
    """quick_wins:""",
    """  - code: BIL
    name: Calls answered in Spanish
    measures: {strategy: "1.1"}
    unit: percent
    direction: higher
    department: CC
    targets: [{value: 90, comparator: at_least, label: 90% or higher}]
    measurements: [{period: 2024-06-01, value: 70}]
quick_wins:""",
)


class TestFocusAreaPage:
    def test_goals_strategies_and_the_metrics_that_measure_it(self, session: Session) -> None:
        make_tiny_plan(session, METRIC_ON_1_1)
        client, _ = signed_in_client(session, None)
        answer = client.get(f"{TINY}/focus-areas/1")
        assert answer.status_code == 200
        soup = page(answer.text)
        no_inline_style_or_script(soup)
        assert text_of(soup.select_one("h1")) == "Focus area 1 Access"
        rows = soup.select("table.strategy-table tbody tr")
        assert [text_of(r.th) for r in rows] == [
            "1.1 Answer in language",
            "1.2 Fix potholes faster",
        ]
        first = [text_of(td) for td in rows[0].select("td")]
        assert first[0] == (
            "Overdue planned end 2024-12-31 passed and not complete (owner's status: Not started)"
        )
        assert first[1] == "0% 0 of 2 workplan steps done"
        assert first[2:] == ["CC", "Short term", "2024 Q1 – 2024 Q4", "G1"]
        second = [text_of(td) for td in rows[1].select("td")]
        assert second[1] == "0% entered by hand"
        assert second[2:] == ["PW", "Long term", "—", "—"]
        assert rows[0].th.a["href"] == f"{TINY}/strategies/1.1"
        metric = soup.select_one("section[aria-labelledby=fa-metrics] tbody tr")
        assert metric is not None
        cells = [text_of(td) for td in metric.select("td")]
        assert text_of(metric.th) == "BIL Calls answered in Spanish"
        assert cells[0] == "Recommendation 1.1: Answer in language"
        assert cells[1] == "70% (2024-06-01)"
        assert cells[2] == "90% or higher"
        assert cells[3].startswith("Off track")

    def test_an_unknown_code_is_not_found(self, session: Session, tiny: Plan) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get(f"{TINY}/focus-areas/9")
        assert answer.status_code == 404
        assert "No focus area '9' in this plan." in text_of(page(answer.text).select_one("main"))
        assert client.get(f"{TINY}/strategies/9.9").status_code == 404

    def test_htmx_gets_the_focus_area_only(self, session: Session, tiny: Plan) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get(f"{TINY}/focus-areas/1", headers=HX)
        assert answer.status_code == 200 and is_fragment(answer.text)
        assert "Answer in language" in answer.text


class TestStrategyPage:
    def test_everything_the_plan_says_about_it(self, session: Session) -> None:
        make_tiny_plan(
            session,
            METRIC_ON_1_1.replace(
                "        title: Answer in language\n",
                "        title: Answer in language\n        description: Spanish and Vietnamese.\n"
                "        leads: [Ana Ruiz]\n",
            ),
        )
        client, _ = signed_in_client(session, None)
        answer = client.get(f"{TINY}/strategies/1.1")
        assert answer.status_code == 200
        soup = page(answer.text)
        no_inline_style_or_script(soup)
        assert text_of(soup.select_one("h1")) == "Recommendation 1.1 Answer in language"
        crumbs = [text_of(a) for a in soup.select(".breadcrumb a")]
        assert crumbs == ["Plans", "Testville Customer Service Plan", "Focus area 1: Access"]
        status = soup.select_one(".work-status")
        assert status is not None and text_of(status) == (
            "Overdue planned end 2024-12-31 passed and not complete (owner's status: Not started)"
        )
        facts = {text_of(d.dt): text_of(d.dd) for d in soup.select(".figures > div")}
        assert facts["Progress"] == "0% by its 2 workplan steps: 0 done"
        assert facts["Department"] == "Contact Centre (CC)"
        assert facts["Leads"] == "Ana Ruiz"
        assert facts["Term"] == "Short term"
        assert facts["Phase"] == "Phase 1: Phase 1"
        assert facts["Planned"] == "2024 Q1 – 2024 Q4"
        assert facts["Last update"] == "Never updated"
        description = soup.select_one("section[aria-labelledby=description]")
        assert "Spanish and Vietnamese." in text_of(description)
        goals = soup.select("section[aria-labelledby=supports] li a")
        assert [text_of(a) for a in goals] == ["Goal G1 Faster answers"]
        steps = soup.select("ol.read-steps > li")
        assert len(steps) == 1
        assert "Hire bilingual staff" in text_of(steps[0])
        assert "Completion measure: Two staff hired" in text_of(steps[0])
        sub = steps[0].select("ol.sub-steps > li")
        assert len(sub) == 1
        assert text_of(sub[0]) == "Post the job Not done Completion measure: Posting live"
        metric = soup.select_one("section[aria-labelledby=metrics] tbody tr")
        assert metric is not None and text_of(metric.th) == "BIL Calls answered in Spanish"

    def test_history_shows_each_change_before_and_after_newest_first(
        self, session: Session, tiny: Plan
    ) -> None:
        lead = make_person(session, "cc-lead", "lead", department="CC")
        item = strategy(session, "1.1")
        strategies.record_strategy_progress(
            session=session,
            strategy=item,
            data=ProgressUpdateIn(
                version=item.version,
                status="on_track",
                narrative="Two hires made",
                note="Weekly check",
            ),
            actor=actor_for(lead),
        )
        session.commit()
        step = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Post the job")).one()
        strategies.set_step_done(
            session=session,
            step=step,
            version=step.version,
            done=True,
            actor=actor_for(lead),
            note="Posted on the city site",
        )
        session.commit()
        viewer, _ = signed_in_client(session, make_person(session, "tv-viewer", "viewer"))
        soup = page(viewer.get(f"{TINY}/strategies/1.1").text)
        entries = soup.select("#history ol.history-list > li")
        assert len(entries) == 2
        newest, older = entries
        assert text_of(newest.select_one(".entry-head")).startswith(
            "Progress update · Workplan step: Post the job — Cc Lead,"
        )
        assert [text_of(x) for x in newest.select(".entry-changes dt")] == ["Done on"]
        assert text_of(newest.select_one(".entry-changes dd")) == (
            f"before: — → after: {dt.date.today().isoformat()}"
        )
        assert text_of(newest.select_one(".entry-note")) == "Note: Posted on the city site"
        assert text_of(older.select_one(".entry-head")).startswith("Progress update — Cc Lead,")
        changes = {
            text_of(x.find_previous_sibling("dt")): text_of(x)
            for x in older.select(".entry-changes dd")
        }
        assert changes == {
            "Status": "before: Not started → after: On track",
            "Narrative": "before: — → after: Two hires made",
        }
        assert text_of(older.select_one(".entry-note")) == "Note: Weekly check"
        # The strategy itself now reads the change.
        assert "Two hires made" in text_of(soup.select_one("section[aria-labelledby=narrative]"))
        assert "(owner's status: On track)" in text_of(soup.select_one(".work-status"))

    def test_the_history_is_for_the_organisations_people(
        self, session: Session, tiny: Plan
    ) -> None:
        item = strategy(session, "1.1")
        strategies.record_strategy_progress(
            session=session,
            strategy=item,
            data=ProgressUpdateIn(version=item.version, status="on_track", note="internal note"),
            actor=SYSTEM,
        )
        session.commit()
        anonymous, _ = signed_in_client(session, None)
        html = anonymous.get(f"{TINY}/strategies/1.1").text
        assert "internal note" not in html
        assert "sign in" in text_of(page(html).select_one("#history")).lower()
        page_of_coordinator = make_person(session, "tv-coord", "coordinator")
        coordinator, _ = signed_in_client(session, page_of_coordinator)
        assert "internal note" in coordinator.get(f"{TINY}/strategies/1.1").text

    def test_a_long_history_shows_the_latest_and_loads_the_rest(
        self, session: Session, tiny: Plan, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        item = strategy(session, "1.2")
        begin_strategy(session, item.id)  # Not started with progress is refused
        for n in range(3):
            strategies.record_strategy_progress(
                session=session,
                strategy=item,
                data=ProgressUpdateIn(version=item.version, progress=10 * (n + 1)),
                actor=SYSTEM,
            )
            session.commit()
        monkeypatch.setattr(drill_down, "HISTORY_LIMIT", 2)
        client, _ = signed_in_client(session, make_person(session, "tv-viewer", "viewer"))
        soup = page(client.get(f"{TINY}/strategies/1.2").text)
        assert len(soup.select("#history ol.history-list > li")) == 2
        more = soup.select_one("#history .load-more a")
        assert more is not None and more["hx-get"] == f"{TINY}/strategies/1.2?history=all"
        answer = client.get(f"{TINY}/strategies/1.2?history=all", headers=HX)
        assert is_fragment(answer.text) and "<h1" not in answer.text
        fragment = page(answer.text)
        progress = [text_of(li.select_one(".entry-changes dd")) for li in fragment.select("li")]
        assert progress == [
            "before: 20% → after: 30%",
            "before: 10% → after: 20%",
            "before: 0% → after: 10%",
            "before: Not started → after: On track",
        ]
        assert fragment.select_one(".load-more") is None

    @pytest.mark.parametrize(
        ("who", "role", "department", "shown"),
        [
            ("cc-lead", "lead", "CC", "/my-work#strategy-{id}"),
            ("pw-lead", "lead", "PW", None),
            ("tv-viewer", "viewer", None, None),
            (
                "tv-coord",
                "coordinator",
                None,
                "/my-work?department=CC&organization=testville#strategy-{id}",
            ),
            (None, None, None, None),
        ],
    )
    def test_update_link_only_for_who_may_update_it(
        self,
        session: Session,
        tiny: Plan,
        who: str | None,
        role: str | None,
        department: str | None,
        shown: str | None,
    ) -> None:
        user: User | None = None
        if who and role:
            user = make_person(session, who, role, department=department)
        client, _ = signed_in_client(session, user)
        soup = page(client.get(f"{TINY}/strategies/1.1").text)
        link = soup.select_one("a.update-link")
        if shown is None:
            assert link is None
            assert "Update" not in [text_of(a) for a in soup.select("main a")]
        else:
            assert link is not None
            assert link["href"] == shown.format(id=strategy(session, "1.1").id)
            assert text_of(link) == "Update recommendation 1.1"


class TestStrategiesInNoFocusArea:
    """Some plans hang strategies on their goals or on the plan itself, in no focus area."""

    @pytest.fixture
    def loose(self, session: Session, tiny: Plan) -> Strategy:
        made = strategies.create_strategy(
            session=session,
            plan=tiny,
            data=StrategyCreate(code="9.1", title="Publish the plan's data", term="short"),
            actor=SYSTEM,
        )
        session.commit()
        return made

    def test_the_overview_lists_them_and_counts_them_in_the_plan(
        self, session: Session, loose: Strategy
    ) -> None:
        client, _ = signed_in_client(session, None)
        soup = page(client.get(TINY).text)
        section = soup.select_one("section[aria-labelledby=unplaced]")
        assert section is not None
        assert text_of(section.h2) == "Recommendations not in a focus area (1)"
        (item,) = section.select("li")
        assert item.a is not None and item.a["href"] == f"{TINY}/strategies/9.1"
        assert text_of(item) == "9.1 Publish the plan's data Short term Not started"
        figures = text_of(soup.select_one(".plan-status .figures"))
        assert "Recommendations 3" in figures  # 1.1, 1.2 and 9.1
        # The explore links count what the outline does not load.
        assert "2 quick wins" in text_of(soup.select_one(".explore-links"))
        assert "1 metric against" in text_of(soup.select_one(".explore-links"))

    def test_no_such_section_when_every_strategy_has_a_focus_area(
        self, session: Session, tiny: Plan
    ) -> None:
        client, _ = signed_in_client(session, None)
        assert page(client.get(TINY).text).select_one("#unplaced") is None

    def test_their_page_is_found(self, session: Session, loose: Strategy) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get(f"{TINY}/strategies/9.1")
        assert answer.status_code == 200
        soup = page(answer.text)
        assert text_of(soup.select_one("h1")) == "Recommendation 9.1 Publish the plan's data"
        crumbs = [a["href"] for a in soup.select("nav.breadcrumb a")]
        assert crumbs == ["/plans", TINY]  # no focus area in the trail


class TestInternalNarratives:
    """PRODUCT.md, "Who uses it": the public reads a published plan's progress but never its
    internal narrative. The organisation's people (a viewer is enough) and administrators do
    (`permissions.can_read_internal`)."""

    STRATEGY = "Vendor contract stalled in legal"
    FOCUS_AREA = "Budget for interpreters not approved"

    @pytest.fixture
    def narrated(self, session: Session, tiny: Plan) -> Plan:
        item = strategy(session, "1.1")
        item.narrative = self.STRATEGY
        area = session.exec(
            select(FocusArea).where(FocusArea.plan_id == tiny.id, FocusArea.code == "1")
        ).one()
        area.narrative = self.FOCUS_AREA
        session.add_all([item, area])
        session.commit()
        assert tiny.published
        return tiny

    def _pages(self, client: TestClient) -> dict[str, BeautifulSoup]:
        out = {}
        for name, url in {
            "strategy": f"{TINY}/strategies/1.1",
            "focus area": f"{TINY}/focus-areas/1",
            "overview": TINY,
        }.items():
            answer = client.get(url)
            assert answer.status_code == 200, url
            out[name] = page(answer.text)
        return out

    def test_anonymous_readers_see_no_narrative(self, session: Session, narrated: Plan) -> None:
        anonymous, _ = signed_in_client(session, None)
        pages = self._pages(anonymous)
        for name, soup in pages.items():
            assert self.STRATEGY not in text_of(soup), name
            assert self.FOCUS_AREA not in text_of(soup), name
            assert soup.select(".narrative") == [], name
        # Not even the heading: "No narrative from the owner yet" would say there is none.
        assert pages["strategy"].select_one("section[aria-labelledby=narrative]") is None
        # The htmx fragment of the strategy page neither.
        fragment = anonymous.get(f"{TINY}/strategies/1.1", headers=HX).text
        assert self.STRATEGY not in fragment

    def test_people_of_another_organisation_see_no_narrative(
        self, session: Session, narrated: Plan
    ) -> None:
        make_tiny_plan(
            session,
            TINY_PLAN.replace(
                "organization: {name: City of Testville, slug: testville}",
                "organization: {name: Town of Otherton, slug: otherton}",
            ).replace("slug: testville-service", "slug: otherton-service"),
        )
        outsider = make_person(session, "otto", "coordinator", organization="otherton")
        client, _ = signed_in_client(session, outsider)
        for name, soup in self._pages(client).items():
            assert self.STRATEGY not in text_of(soup), name
            assert self.FOCUS_AREA not in text_of(soup), name

    @pytest.mark.parametrize("role", ["viewer", "admin"])
    def test_the_organisations_people_read_it(
        self, session: Session, narrated: Plan, role: str
    ) -> None:
        client, _ = signed_in_client(session, make_person(session, f"tv-{role}", role))
        pages = self._pages(client)
        section = pages["strategy"].select_one("section[aria-labelledby=narrative]")
        assert text_of(section) == f"Narrative {self.STRATEGY}"
        assert text_of(pages["focus area"].select_one("p.narrative")) == self.FOCUS_AREA
