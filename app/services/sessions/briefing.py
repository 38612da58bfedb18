"""A performance session's briefing book (issue 11): its pack laid out as a report, for the page
/sessions/{id}/report and its PDF.

Everything the book says of the plans comes from the pack (services.sessions.reading.pack_of):
the frozen copy of a closed session, so its book is what was presented whatever changed since,
or the pack built now while the session is scheduled. Only the session's own outcomes (its
decisions and action items, recorded during or after it) are read live. The charts are drawn
from the points the pack kept (services.sessions.pack_charts) by the plan report's SVG chart
(services.views.svg_chart); a pack frozen before it kept points says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.models import Organization, PerformanceSession
from app.services.rules import rollup
from app.services.sessions.links import link_labels
from app.services.sessions.reading import SessionPage, session_page
from app.services.sessions.scope import Scope, scope_words
from app.services.views.svg_chart import SvgChart, build_chart


@dataclass
class PackMetric:
    metric: dict[str, Any]  # the pack's: code, name, status, label, reason
    chart: SvgChart | None  # None: the pack kept no points to draw
    kept: bool  # whether the pack kept the chart's points at all (older packs did not)


@dataclass
class BookSection:
    """One focus area of the pack."""

    area: dict[str, Any]
    anchor: str
    changes: list[dict[str, Any]]
    metrics: list[PackMetric]


@dataclass
class BookMetricGroup:
    group: dict[str, Any]
    metrics: list[PackMetric]


@dataclass
class Briefing:
    page: SessionPage
    organization: str
    title: str
    held_on: str
    scope: str
    sections: list[BookSection]
    metric_groups: list[BookMetricGroup]
    other_changes: list[dict[str, Any]]  # changes of no focus area listed (or of an older pack)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # the summary's columns
    links: dict[int, str] = field(default_factory=dict)  # this session's action items' links

    @property
    def pack(self) -> dict[str, Any]:
        return self.page.pack

    @property
    def held(self) -> PerformanceSession:
        return self.page.held

    @property
    def frozen(self) -> bool:
        return self.page.frozen

    @property
    def open_actions(self) -> list[dict[str, Any]]:
        return list(self.pack.get("open_actions", []))

    def counts(self, section: BookSection) -> list[int]:
        """The section's strategies by status, in the summary's columns."""
        have = {d["status"]: d["count"] for d in section.area.get("distribution", [])}
        return [have.get(code, 0) for code, _ in self.statuses]


def _summary_sentence(chart: dict[str, Any]) -> str:
    periods, texts = chart["periods"], chart["value_text"]
    n = len(periods)
    text = (
        f"{n} measurement{'s' if n != 1 else ''} from {periods[0]} ({texts[0]}) "
        f"to {periods[-1]} ({texts[-1]})"
    )
    label = chart.get("target_label", "")
    return text + (f"; {label[0].lower()}{label[1:]}" if label.startswith("Target (") else "") + "."


def _charted(metric: dict[str, Any]) -> PackMetric:
    data = metric.get("chart")
    if not data or not data.get("values"):
        return PackMetric(metric, None, kept=data is not None)
    chart = build_chart(
        title=metric["name"],
        periods=data["periods"],
        values=data["values"],
        targets=data["targets"],
        value_text=data["value_text"],
        target_label=data.get("target_label", ""),
        summary=_summary_sentence(data),
    )
    return PackMetric(metric, chart, kept=True)


def _scope_text(words: dict[str, list[str]]) -> str:
    parts = [
        f"{heading}: {', '.join(names)}"
        for heading, names in (
            ("Plans", words.get("plans", [])),
            ("Departments", words.get("departments", [])),
            ("Focus areas", words.get("focus_areas", [])),
        )
        if names
    ]
    return "; ".join(parts) or "The whole organisation"


def load_briefing(session: Session, held: PerformanceSession) -> Briefing:
    """The briefing book of `held` (whose reader services.sessions.reading has admitted)."""
    page = session_page(session, held)
    pack = page.pack
    organization = pack.get("organization")
    if organization is None:  # a pack frozen before it kept the organisation's name
        found = session.get(Organization, held.organization_id)
        organization = found.name if found else ""
    words = pack.get("scope")
    if words is None:
        words = scope_words(session, Scope.of(held))
    changes = list(pack.get("changes", []))
    sections = []
    for i, area in enumerate(pack.get("focus_areas", []), start=1):
        own = [c for c in changes if c.get("focus_area_id") == area["focus_area_id"]]
        metrics = [_charted(m) for m in area.get("off_target", [])]
        sections.append(BookSection(area, f"section-{i}", own, metrics))
    listed = {s.area["focus_area_id"] for s in sections}
    other = [c for c in changes if c.get("focus_area_id") not in listed]
    groups = [
        BookMetricGroup(g, [_charted(m) for m in g.get("metrics", [])])
        for g in pack.get("metric_groups", [])
    ]
    present = {d["status"]: d["label"] for s in sections for d in s.area.get("distribution", [])}
    order = sorted(present, key=lambda code: rollup.SEVERITY_RANK.get(code, len(rollup.SEVERITY)))
    return Briefing(
        page=page,
        organization=organization,
        title=pack.get("session", {}).get("title", held.title),
        held_on=pack.get("session", {}).get("held_on", held.held_on.isoformat()),
        scope=_scope_text(words),
        sections=sections,
        metric_groups=groups,
        other_changes=other,
        statuses=[(code, present[code]) for code in order],
        links=link_labels(session, [row.item for row in page.actions])
        | {int(k): v for k, v in pack.get("links", {}).items()},
    )
