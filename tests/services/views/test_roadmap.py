"""The roadmap's timeline: columns by quarter and year, cells per strategy, filters and grouping."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.services.reading.plan_tree import load_plan_outline
from app.services.rules.quarters import quarter_end, quarter_start
from app.services.views.roadmap import (
    RoadmapFilters,
    build_roadmap,
    plan_quarter,
    row_cells,
    span_text,
    timeline_base,
    timeline_columns,
    year_headings,
)
from tests.factories import make_tiny_plan

ORIGIN = dt.date(2018, 1, 1)


def relative(text: str, *, end: bool = False) -> dt.date:
    return quarter_end(text, ORIGIN) if end else quarter_start(text, ORIGIN)


def planned(cells: list) -> list[str]:  # type: ignore[type-arg]
    return [c.column.label for c in cells if c.planned]


class TestColumns:
    def test_a_relative_schedule_reads_year_1_to_year_4_with_q1_to_q4_under_each(self) -> None:
        columns = timeline_columns(
            base=ORIGIN,
            last_day=relative("Y4 Q4", end=True),
            relative=True,
            today=dt.date(2030, 1, 1),
        )
        assert len(columns) == 16
        assert [c.label for c in columns[:5]] == [
            "Year 1 Q1",
            "Year 1 Q2",
            "Year 1 Q3",
            "Year 1 Q4",
            "Year 2 Q1",
        ]
        assert [(y.label, y.span) for y in year_headings(columns)] == [
            ("Year 1", 4),
            ("Year 2", 4),
            ("Year 3", 4),
            ("Year 4", 4),
        ]
        assert columns[5].start == dt.date(2019, 4, 1) and columns[5].end == dt.date(2019, 6, 30)

    def test_columns_fill_whole_years_even_when_the_last_span_ends_mid_year(self) -> None:
        columns = timeline_columns(
            base=ORIGIN, last_day=relative("Y3 Q2", end=True), relative=True, today=ORIGIN
        )
        assert len(columns) == 12
        assert columns[-1].label == "Year 3 Q4"

    def test_a_relative_origin_mid_year_counts_quarters_from_the_origin(self) -> None:
        origin = dt.date(2017, 10, 17)
        base = timeline_base(relative_origin=origin, earliest=origin)
        assert base == dt.date(2017, 10, 1)
        columns = timeline_columns(
            base=base, last_day=dt.date(2018, 9, 30), relative=True, today=dt.date(2018, 1, 15)
        )
        assert [c.label for c in columns] == ["Year 1 Q1", "Year 1 Q2", "Year 1 Q3", "Year 1 Q4"]
        assert columns[1].start == dt.date(2018, 1, 1)
        assert [c.today for c in columns] == [False, True, False, False]

    def test_a_calendar_schedule_starts_in_january_of_the_earliest_year(self) -> None:
        base = timeline_base(relative_origin=None, earliest=dt.date(2024, 5, 3))
        assert base == dt.date(2024, 1, 1)
        columns = timeline_columns(
            base=base, last_day=dt.date(2025, 2, 1), relative=False, today=dt.date(2024, 8, 9)
        )
        assert [c.label for c in columns] == [
            f"{y} Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4)
        ]
        assert [c.label for c in columns if c.today] == ["2024 Q3"]
        assert [y.label for y in year_headings(columns)] == ["2024", "2025"]
        assert [y.today for y in year_headings(columns)] == [True, False]


class TestCells:
    columns = timeline_columns(
        base=ORIGIN, last_day=relative("Y4 Q4", end=True), relative=True, today=relative("Y3 Q1")
    )

    def test_a_span_fills_exactly_its_quarters(self) -> None:
        cells = row_cells(
            start=relative("Y2 Q2"), end=relative("Y3 Q4", end=True), columns=self.columns
        )
        assert planned(cells) == [
            "Year 2 Q2",
            "Year 2 Q3",
            "Year 2 Q4",
            "Year 3 Q1",
            "Year 3 Q2",
            "Year 3 Q3",
            "Year 3 Q4",
        ]
        first = next(c for c in cells if c.planned)
        last = [c for c in cells if c.planned][-1]
        assert first.first and not first.last and last.last and not last.first
        assert "rm-planned" in first.css and "rm-first" in first.css
        assert "rm-planned" not in cells[0].css

    def test_today_and_overdue_are_classes_on_the_cells(self) -> None:
        cells = row_cells(
            start=relative("Y1 Q1"),
            end=relative("Y1 Q2", end=True),
            columns=self.columns,
            overdue=True,
        )
        assert [c.overdue for c in cells if c.planned] == [True, True]
        assert "rm-overdue" in cells[0].css
        today = [c for c in cells if c.column.today]
        assert len(today) == 1 and "rm-today" in today[0].css and not today[0].planned
        assert "rm-overdue" not in today[0].css  # only planned cells carry the overdue mark

    def test_a_span_with_only_one_end_shows_that_quarter(self) -> None:
        assert planned(row_cells(start=relative("Y2 Q3"), end=None, columns=self.columns)) == [
            "Year 2 Q3"
        ]
        assert planned(
            row_cells(start=None, end=relative("Y4 Q1", end=True), columns=self.columns)
        ) == ["Year 4 Q1"]
        assert planned(row_cells(start=None, end=None, columns=self.columns)) == []

    def test_a_span_reaching_past_the_columns_is_clipped(self) -> None:
        cells = row_cells(
            start=dt.date(2017, 1, 1), end=relative("Y1 Q1", end=True), columns=self.columns
        )
        assert planned(cells) == ["Year 1 Q1"]


class TestLabels:
    def test_spans_are_written_in_the_plans_quarter_words(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        assert plan_quarter(dt.date(2024, 5, 1), plan) == "2024 Q2"
        assert span_text(dt.date(2024, 1, 1), dt.date(2024, 12, 31), plan) == "2024 Q1 – 2024 Q4"
        assert span_text(dt.date(2024, 1, 1), dt.date(2024, 3, 31), plan) == "2024 Q1"
        assert span_text(dt.date(2024, 1, 1), None, plan) == "from 2024 Q1"
        assert span_text(None, None, plan) == ""
        plan.schedule, plan.schedule_origin = "relative", ORIGIN
        assert span_text(relative("Y2 Q2"), relative("Y3 Q4", end=True), plan) == (
            "Year 2 Q2 – Year 3 Q4"
        )


class TestBuildRoadmap:
    def test_scheduled_strategies_are_rows_and_the_others_are_listed_by_term(
        self, session: Session
    ) -> None:
        plan = make_tiny_plan(session)
        tree = load_plan_outline(
            session=session, plan=plan, internal=True, today=dt.date(2024, 8, 1)
        )
        roadmap = build_roadmap(tree, RoadmapFilters())
        # 1.1 runs 2024-Q1..2024-Q4; the plan's period (2024..2027) sets the columns' end.
        assert [c.label for c in roadmap.columns][:4] == [
            "2024 Q1",
            "2024 Q2",
            "2024 Q3",
            "2024 Q4",
        ]
        assert roadmap.columns[-1].label == "2027 Q4"
        assert roadmap.today_column is not None and roadmap.today_column.label == "2024 Q3"
        assert [(g.title, [r.node.strategy.code for r in g.rows]) for g in roadmap.groups] == [
            ("Focus area 1: Access", ["1.1"])
        ]
        assert roadmap.groups[0].rows[0].span == "2024 Q1 – 2024 Q4"
        assert [(g.label, [n.strategy.code for n in g.nodes]) for g in roadmap.unscheduled] == [
            ("Long term", ["1.2"])
        ]

    def test_filters_narrow_rows_and_list_but_not_the_columns(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        tree = load_plan_outline(
            session=session, plan=plan, internal=True, today=dt.date(2024, 8, 1)
        )
        everything = build_roadmap(tree, RoadmapFilters())
        by_pw = build_roadmap(tree, RoadmapFilters.parse(department="PW"))
        assert by_pw.row_count == 0 and by_pw.listed_count == 1
        assert [c.label for c in by_pw.columns] == [c.label for c in everything.columns]
        short = build_roadmap(tree, RoadmapFilters.parse(term="short"))
        assert short.row_count == 1 and short.listed_count == 0
        status = everything.groups[0].rows[0].node.status.code
        assert build_roadmap(tree, RoadmapFilters.parse(status=status)).row_count == 1
        other = "complete" if status != "complete" else "on_track"
        assert build_roadmap(tree, RoadmapFilters.parse(status=other)).row_count == 0

    def test_a_strategy_past_its_end_and_not_complete_is_an_overdue_row(
        self, session: Session
    ) -> None:
        plan = make_tiny_plan(session)
        tree = load_plan_outline(
            session=session, plan=plan, internal=True, today=dt.date(2025, 3, 1)
        )
        row = build_roadmap(tree, RoadmapFilters()).groups[0].rows[0]
        assert row.overdue and all(c.overdue for c in row.cells if c.planned)
        assert roadmap_today(tree) == "2025 Q1"

    def test_grouping_by_phase(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        tree = load_plan_outline(
            session=session, plan=plan, internal=True, today=dt.date(2024, 8, 1)
        )
        roadmap = build_roadmap(tree, RoadmapFilters.parse(group="phase"))
        assert [g.title for g in roadmap.groups] == ["Phase 1: Phase 1"]

    def test_unknown_filter_values_are_ignored(self) -> None:
        assert RoadmapFilters.parse(group="x", term="soon", status="bad") == RoadmapFilters()


def roadmap_today(tree) -> str:  # type: ignore[no-untyped-def]
    column = build_roadmap(tree, RoadmapFilters()).today_column
    return column.label if column else ""
