"""Searching one plan: case-insensitive, wildcards taken literally, grouped by kind, bounded."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import Session, select

from app.models import FocusArea, QuickWin, Strategy
from app.services.changes import strategies
from app.services.changes.history import SYSTEM
from app.services.views.search import excerpt_of, like_pattern, search_plan
from tests.factories import TINY_PLAN, make_tiny_plan


def found(session: Session, plan, query: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    results = search_plan(session=session, plan=plan, query=query)
    return {g.kind: [h.title for h in g.hits] for g in results.groups}


def test_case_insensitive_across_kinds_grouped_in_the_plans_words(session: Session) -> None:
    plan = make_tiny_plan(session)
    results = search_plan(session=session, plan=plan, query="LANGUAGE")
    groups = {g.kind: g for g in results.groups}
    assert [h.title for h in groups["strategy"].hits] == ["Answer in language"]
    assert groups["strategy"].label == "Recommendations"  # the plan's own word
    assert [h.title for h in groups["quick_win"].hits] == ["Language Access"]
    assert results.total == 2


def test_every_field_named_is_searched_and_the_match_is_excerpted(session: Session) -> None:
    plan = make_tiny_plan(session)
    hits = found(session, plan, "answer")
    assert hits == {
        "statement": ["Timely"],  # definition: "We answer quickly."
        "goal": ["Faster answers"],
        "strategy": ["Answer in language"],
        # customer issues: "Chat answered in English.", "Calls unanswered."
        "quick_win": ["Language Access", "Staffing"],
    }
    statement = search_plan(session=session, plan=plan, query="answer").groups[0].hits[0]
    assert statement.field == "definition"
    assert statement.excerpt is not None
    assert (statement.excerpt.before, statement.excerpt.match, statement.excerpt.after) == (
        "We ",
        "answer",
        " quickly.",
    )
    assert found(session, plan, "wait less") == {"goal": ["Faster answers"]}  # an outcome
    assert found(session, plan, "bilingual") == {"step": ["Hire bilingual staff"]}
    assert found(session, plan, "posting live") == {"step": ["Post the job"]}  # a sub-step
    assert found(session, plan, "first call") == {"metric": ["First call resolution"]}
    assert found(session, plan, "phase 1") == {"phase": ["Phase 1"]}
    assert found(session, plan, "public works") == {"quick_win": ["Staffing"]}  # service area


def test_links_lead_to_the_pages_that_show_each_hit(session: Session) -> None:
    plan = make_tiny_plan(session)
    base = "/plans/testville-service"
    urls = {
        g.kind: g.hits[0].url for g in search_plan(session=session, plan=plan, query="a").groups
    }
    assert urls["strategy"] == f"{base}/strategies/1.1"
    assert urls["focus_area"] == f"{base}/focus-areas/1"
    assert urls["statement"] == f"{base}#statement-1"
    assert urls["metric"] == f"{base}/scorecard/FCR"
    assert urls["goal"] == f"{base}#goal-G1"
    assert urls["step"].startswith(f"{base}/strategies/1.1#step-")
    assert urls["quick_win"].startswith(f"{base}/quick-wins#quick-win-")
    assert urls["phase"] == f"{base}/roadmap#phase-1"


def test_wildcards_are_literal(session: Session) -> None:
    text = TINY_PLAN.replace(
        "title: Fix potholes faster",
        "title: Fix potholes faster\n        description: 50% faster_repairs",
    )
    plan = make_tiny_plan(session, text)
    assert found(session, plan, "%") == {"strategy": ["Fix potholes faster"]}
    assert found(session, plan, "_") == {"strategy": ["Fix potholes faster"]}
    assert found(session, plan, "0%") == {"strategy": ["Fix potholes faster"]}
    assert found(session, plan, "50%faster") == {}
    assert like_pattern("a%b_c\\") == "%a\\%b\\_c\\\\%"


def test_accented_words_in_json_lists_are_found(session: Session) -> None:
    text = TINY_PLAN.replace("outcomes: [Residents wait less]", "outcomes: [Résidents servis]")
    plan = make_tiny_plan(session, text)
    assert found(session, plan, "résidents") == {"goal": ["Faster answers"]}


def test_archived_items_are_not_found(session: Session) -> None:
    plan = make_tiny_plan(session)
    assert found(session, plan, "potholes") == {"strategy": ["Fix potholes faster"]}
    item = session.exec(select(Strategy).where(Strategy.code == "1.2")).one()
    strategies.set_archived(
        session=session, item=item, version=item.version, archived=True, actor=SYSTEM
    )
    session.commit()
    assert found(session, plan, "potholes") == {}


def test_one_query_per_kind_and_none_for_an_empty_query(session: Session) -> None:
    plan = make_tiny_plan(session)
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        search_plan(session=session, plan=plan, query="e")
        selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 8
        seen.clear()
        assert search_plan(session=session, plan=plan, query="   ").groups == []
        assert seen == []
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_excerpts_are_cut_around_the_match() -> None:
    long = "word " * 40 + "needle" + " tail" * 40
    ex = excerpt_of(long, "NEEDLE", width=10)
    assert ex is not None
    assert ex.match == "needle" and ex.before.startswith("…") and ex.after.endswith("…")
    assert len(ex.before) == 11 and len(ex.after) == 11
    assert excerpt_of("nothing here", "needle") is None


def test_narratives_are_searched_only_for_readers_of_internal_narratives(
    session: Session,
) -> None:
    """Narratives are internal: `internal=False` (the public) neither matches nor excerpts them."""
    plan = make_tiny_plan(session)
    rows: list[Strategy | FocusArea | QuickWin] = [
        session.exec(select(Strategy).where(Strategy.code == "1.1")).one(),
        session.exec(select(FocusArea).where(FocusArea.code == "1")).one(),
        session.exec(select(QuickWin).where(QuickWin.number == 1)).one(),
    ]
    for row in rows:
        row.narrative = "Stalled: the zanzibar vendor walked away"
    session.add_all(rows)
    session.commit()
    public = search_plan(session=session, plan=plan, query="zanzibar", internal=False)
    assert public.groups == []
    assert search_plan(session=session, plan=plan, query="zanzibar").groups == []  # the default
    inside = search_plan(session=session, plan=plan, query="zanzibar", internal=True)
    hits = {g.kind: g.hits for g in inside.groups}
    assert {kind: [h.field for h in found] for kind, found in hits.items()} == {
        "focus_area": ["narrative"],
        "strategy": ["narrative"],
        "quick_win": ["narrative"],
    }
    excerpt = hits["strategy"][0].excerpt
    assert excerpt is not None and excerpt.match == "zanzibar"
