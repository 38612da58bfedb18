"""Search across one plan: titles, descriptions and narratives of everything it holds.

Narratives are internal (`permissions.can_read_internal`): they are searched only with
`internal=True`, so for anyone else a word found only in a narrative finds nothing, and no
excerpt ever shows one.

Case-insensitive substring search, the same on SQLite and PostgreSQL: `ilike`, which SQLAlchemy
writes as `ILIKE` on PostgreSQL and `lower(x) LIKE lower(y)` on SQLite, with the user's `%`, `_`
and `\\` escaped so they match themselves. One query per kind of item (statements, phases, focus
areas, goals, strategies, steps, metrics, quick wins), each limited, so the cost does not grow with
the plan. Archived items are left out. SQLite's lower() folds only ASCII letters, so "JOSÉ" finds
"josé" on PostgreSQL but only "JOSé" on SQLite; plain-ASCII words behave the same on both.

Each hit carries an excerpt of the first field that matched, cut around the match, as three parts
(before, match, after) so the template escapes them and marks the match without any markup here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.models import (
    FocusArea,
    Goal,
    Metric,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    WorkplanStep,
)
from app.services.reading.visibility import metrics_shown

MAX_QUERY = 200
# Per kind: enough to scan, few enough to read; "and more" says when there were more.
PER_KIND = 50
EXCERPT = 80  # characters of context each side of the match


@dataclass(frozen=True)
class Excerpt:
    before: str
    match: str
    after: str


@dataclass(frozen=True)
class Hit:
    kind: str
    code: str
    title: str
    url: str
    field: str  # which field matched, in words ("description")
    excerpt: Excerpt | None  # None when the title itself matched


@dataclass
class KindResults:
    kind: str
    label: str
    hits: list[Hit]
    more: bool = False


@dataclass
class SearchResults:
    query: str
    groups: list[KindResults] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(g.hits) for g in self.groups)

    @property
    def more(self) -> bool:
        return any(g.more for g in self.groups)


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards and the escape character escaped (escape char: `\\`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(columns: Sequence[Any], text: str) -> ColumnElement[bool]:
    pattern = like_pattern(text)
    conditions = [col(c).ilike(pattern, escape="\\") for c in columns]
    return or_(*conditions)


def _json_matches(column: Any, text: str) -> list[ColumnElement[bool]]:
    """A JSON list of strings, searched as its stored text. Non-ASCII letters are stored escaped
    (`\\u00e9`), so the escaped spelling of the query is searched too."""
    stored = cast(column, String)
    out = [stored.ilike(like_pattern(text), escape="\\")]
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        out.append(stored.ilike(like_pattern(escaped), escape="\\"))
    return out


def excerpt_of(value: str, text: str, width: int = EXCERPT) -> Excerpt | None:
    """The part of `value` around the first case-insensitive occurrence of `text`."""
    flat = " ".join(value.split())
    lowered = flat.lower()
    at = lowered.find(text.lower())
    if at < 0 or len(lowered) != len(flat):  # lower() changed lengths: indexes would not line up
        return None
    end = at + len(text)
    start = max(0, at - width)
    stop = min(len(flat), end + width)
    before = ("…" if start > 0 else "") + flat[start:at]
    after = flat[end:stop] + ("…" if stop < len(flat) else "")
    return Excerpt(before, flat[at:end], after)


def _first_match(text: str, fields: Sequence[tuple[str, str]]) -> tuple[str, Excerpt | None]:
    """Which field matched first and its excerpt; ("title", None) when the title matched."""
    wanted = text.lower()
    for name, value in fields:
        if value and wanted in " ".join(value.split()).lower():
            return name, (None if name == "title" else excerpt_of(value, text))
    # Matched in the database but not here (the database and Python fold case differently):
    # the hit still shows its title.
    return "title", None


def _group(
    kind: str, label: str, rows: Sequence[Any], make: Callable[[Any], Hit]
) -> KindResults | None:
    if not rows:
        return None
    return KindResults(kind, label, [make(r) for r in rows[:PER_KIND]], more=len(rows) > PER_KIND)


def search_plan(
    *, session: Session, plan: Plan, query: str, internal: bool = False
) -> SearchResults:
    """`internal`: the reader may see internal narratives (the page asks `can_read_internal`);
    without it narratives are neither matched nor shown."""
    text = " ".join(query.split())[:MAX_QUERY]
    results = SearchResults(query=text)
    if not text:
        return results
    base = f"/plans/{plan.slug}"
    limit = PER_KIND + 1

    def live(model: Any) -> ColumnElement[bool]:
        return col(model.archived_at).is_(None)

    def narrative(column: Any) -> list[Any]:
        return [column] if internal else []

    def narrative_field(value: str) -> list[tuple[str, str]]:
        return [("narrative", value)] if internal else []

    statements = session.exec(
        select(Statement)
        .where(
            Statement.plan_id == plan.id, _matches([Statement.title, Statement.definition], text)
        )
        .order_by(Statement.position, Statement.id)
        .limit(limit)
    ).all()
    phases = session.exec(
        select(Phase)
        .where(Phase.plan_id == plan.id, _matches([Phase.name, Phase.description], text))
        .order_by(Phase.position, Phase.id)
        .limit(limit)
    ).all()
    focus_areas = session.exec(
        select(FocusArea)
        .where(
            FocusArea.plan_id == plan.id,
            live(FocusArea),
            _matches(
                [FocusArea.title, FocusArea.description, *narrative(FocusArea.narrative)], text
            ),
        )
        .order_by(FocusArea.position, FocusArea.id)
        .limit(limit)
    ).all()
    goals = session.exec(
        select(Goal, FocusArea.code)
        .outerjoin(FocusArea, col(FocusArea.id) == col(Goal.focus_area_id))
        .where(
            Goal.plan_id == plan.id,
            live(Goal),
            or_(
                _matches([Goal.title, Goal.description], text), *_json_matches(Goal.outcomes, text)
            ),
        )
        .order_by(Goal.position, Goal.id)
        .limit(limit)
    ).all()
    strategies = session.exec(
        select(Strategy)
        .where(
            Strategy.plan_id == plan.id,
            live(Strategy),
            _matches(
                [
                    Strategy.code,
                    Strategy.title,
                    Strategy.description,
                    *narrative(Strategy.narrative),
                ],
                text,
            ),
        )
        .order_by(Strategy.position, Strategy.id)
        .limit(limit)
    ).all()
    steps = session.exec(
        select(WorkplanStep, Strategy.code)
        .join(Strategy, col(Strategy.id) == col(WorkplanStep.strategy_id))
        .where(
            Strategy.plan_id == plan.id,
            live(Strategy),
            live(WorkplanStep),
            _matches(
                [WorkplanStep.title, WorkplanStep.completion_measure, WorkplanStep.owner], text
            ),
        )
        .order_by(Strategy.position, Strategy.id, WorkplanStep.position, WorkplanStep.id)
        .limit(limit)
    ).all()
    metrics = session.exec(
        select(Metric)
        .where(
            Metric.plan_id == plan.id,
            live(Metric),
            metrics_shown(internal),  # an internal metric is not found by outsiders
            _matches(
                [
                    Metric.code,
                    Metric.name,
                    Metric.description,
                    Metric.baseline_note,
                    Metric.data_source,
                ],
                text,
            ),
        )
        .order_by(Metric.position, Metric.id)
        .limit(limit)
    ).all()
    quick_wins = session.exec(
        select(QuickWin)
        .where(
            QuickWin.plan_id == plan.id,
            live(QuickWin),
            or_(
                _matches(
                    [
                        QuickWin.issue_category,
                        QuickWin.customer_issue,
                        QuickWin.summary,
                        *narrative(QuickWin.narrative),
                    ],
                    text,
                ),
                *_json_matches(QuickWin.service_areas, text),
            ),
        )
        .order_by(QuickWin.number)
        .limit(limit)
    ).all()

    def statement_hit(s: Statement) -> Hit:
        where, ex = _first_match(text, [("title", s.title), ("definition", s.definition)])
        anchor = f"statement-{s.code or s.id}"
        return Hit("statement", s.code or "", s.title, f"{base}#{anchor}", where, ex)

    def phase_hit(p: Phase) -> Hit:
        where, ex = _first_match(text, [("title", p.name), ("description", p.description)])
        return Hit("phase", p.code, p.name, f"{base}/roadmap#phase-{p.code}", where, ex)

    def focus_area_hit(f: FocusArea) -> Hit:
        where, ex = _first_match(
            text,
            [("title", f.title), ("description", f.description), *narrative_field(f.narrative)],
        )
        return Hit("focus_area", f.code, f.title, f"{base}/focus-areas/{f.code}", where, ex)

    def goal_hit(row: Any) -> Hit:
        g, fa_code = row
        outcomes = " ".join(g.outcomes or [])
        where, ex = _first_match(
            text,
            [("title", g.title), ("description", g.description), ("intended outcome", outcomes)],
        )
        url = f"{base}/focus-areas/{fa_code}#goal-{g.code}" if fa_code else f"{base}#goal-{g.code}"
        return Hit("goal", g.code, g.title, url, where, ex)

    def strategy_hit(s: Strategy) -> Hit:
        where, ex = _first_match(
            text,
            [
                ("title", s.title),
                ("description", s.description),
                *narrative_field(s.narrative),
                ("code", s.code),
            ],
        )
        if where == "code":
            where, ex = "title", None
        return Hit("strategy", s.code, s.title, f"{base}/strategies/{s.code}", where, ex)

    def step_hit(row: Any) -> Hit:
        step, strategy_code = row
        where, ex = _first_match(
            text,
            [
                ("title", step.title),
                ("completion measure", step.completion_measure),
                ("owner", step.owner),
            ],
        )
        return Hit(
            "step",
            strategy_code,
            step.title,
            f"{base}/strategies/{strategy_code}#step-{step.id}",
            where,
            ex,
        )

    def metric_hit(m: Metric) -> Hit:
        where, ex = _first_match(
            text,
            [
                ("title", m.name),
                ("description", m.description),
                ("baseline", m.baseline_note),
                ("data source", m.data_source),
                ("code", m.code),
            ],
        )
        if where == "code":
            where, ex = "title", None
        return Hit("metric", m.code, m.name, f"{base}/scorecard/{m.code}", where, ex)

    def quick_win_hit(q: QuickWin) -> Hit:
        where, ex = _first_match(
            text,
            [
                ("issue category", q.issue_category),
                ("customer issue", q.customer_issue),
                ("summary", q.summary),
                *narrative_field(q.narrative),
                ("service area", ", ".join(q.service_areas or [])),
            ],
        )
        title = q.issue_category or q.customer_issue or f"Quick win {q.number}"
        if where == "issue category":
            where, ex = "title", None
        return Hit(
            "quick_win", str(q.number), title, f"{base}/quick-wins#quick-win-{q.id}", where, ex
        )

    groups = [
        _group("statement", plan.term("statements"), statements, statement_hit),
        _group("focus_area", plan.term("focus_areas"), focus_areas, focus_area_hit),
        _group("goal", plan.term("goals"), goals, goal_hit),
        _group("strategy", plan.term("strategies"), strategies, strategy_hit),
        _group("step", plan.term("steps"), steps, step_hit),
        _group("metric", "Metrics", metrics, metric_hit),
        _group("quick_win", "Quick wins", quick_wins, quick_win_hit),
        _group("phase", "Phases", phases, phase_hit),
    ]
    results.groups = [g for g in groups if g is not None]
    return results
