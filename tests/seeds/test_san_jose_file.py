"""The San José seed plan file: it validates, and holds the source's counts and exact words.

The expected texts are copied from the source (shared/seeds/001_f0327e5739954add.txt), so a
transcription slip in seeds/san-jose.yaml fails here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.services.plan_file.schema import PlanFile

SEED = Path(__file__).parents[2] / "seeds" / "san-jose.yaml"


@pytest.fixture(scope="module")
def plan() -> PlanFile:
    with SEED.open(encoding="utf-8") as fh:
        return PlanFile.model_validate(yaml.safe_load(fh))


def _strategies(plan: PlanFile) -> dict:
    return {s.code: s for fa in plan.focus_areas for s in fa.strategies}


def test_organization_plan_and_terminology(plan: PlanFile) -> None:
    assert plan.organization.name == "City of San José"
    assert plan.organization.slug == "san-jose"
    assert plan.plan.slug == "san-jose-customer-service"
    assert str(plan.plan.adopted_on) == "2023-03-07"
    # "spans approximately three- and one-half years", read from the adoption date (a reading,
    # commented in the file).
    assert (str(plan.plan.period_start), str(plan.plan.period_end)) == ("2023-03-07", "2026-09-06")
    assert plan.plan.published is True
    t = plan.plan.terminology
    assert (t.focus_area, t.focus_areas) == ("Recommendation theme", "Recommendation themes")
    assert (t.strategy, t.strategies) == ("Recommendation", "Recommendations")
    assert (t.step, t.steps) == ("Workplan step", "Workplan steps")
    assert (t.statement, t.statements) == ("Standard", "Standards")
    codes = {d.code for d in plan.departments}
    assert {"SJ311", "DOT", "ACS", "COMMS", "IT"} <= codes


def test_vision(plan: PlanFile) -> None:
    assert plan.plan.vision == (
        "Working together to serve our community through reliable, empathetic, and "
        "solutions-oriented customer service"
    )


def test_counts(plan: PlanFile) -> None:
    standards = [s for s in plan.statements if s.kind == "standard"]
    assert [s.code for s in standards] == ["1", "2", "3", "4", "5", "6", "7"]
    assert len(plan.statements) == 7
    assert [fa.code for fa in plan.focus_areas] == ["1", "2", "3", "4", "5"]
    assert list(_strategies(plan)) == [
        "1.1",
        "1.2",
        "2.1",
        "3.1",
        "3.2",
        "3.3",
        "4.1",
        "4.2",
        "5.1",
        "5.2",
        "5.3",
    ]
    assert len(plan.metrics) == 15
    assert len(plan.quick_wins) == 11
    assert [q.number for q in plan.quick_wins] == list(range(1, 12))
    assert Counter(q.status for q in plan.quick_wins) == {"complete": 6, "in_progress": 5}
    assert len(plan.phases) == 2
    assert len(plan.personas) == 6


def test_standard_definitions(plan: PlanFile) -> None:
    s = {x.code: x for x in plan.statements}
    assert s["1"].title == "Deliver customer service with a focus on solutions"
    assert s["1"].definition.startswith(
        'It may not always be possible to say "yes," but we will aim to complete customer '
        "inquiries from beginning to end where possible."
    )
    assert s["5"].title == (
        "Set expectations for next steps at point of contact and communicate along the journey"
    )
    assert s["6"].definition == (
        "A customer's first impression of the City can be based on the attitude, etiquette, "
        "and/or knowledge of the representative that picks up the phone or answers the email. "
        "We will interact with every customer in an empathetic, kind, positive, and productive "
        "way. We want to reassure our customers and put them at ease."
    )
    assert "San José's policies, programs, and decision-making" in s["7"].definition


def test_themes_and_categories(plan: PlanFile) -> None:
    fa = {f.code: f for f in plan.focus_areas}
    assert [fa[c].category for c in "12345"] == [
        "people",
        "people",
        "process",
        "process",
        "technology",
    ]
    assert fa["3"].title == "Equitable Access"
    assert fa["3"].description == (
        "Implement measures to ensure equitable access throughout the customer service journey."
    )
    assert fa["1"].description == (
        "Define a unified and consistent culture of customer service across the City so staff "
        "feel empowered to make decisions that lead to quality customer service."
    )


def test_recommendations(plan: PlanFile) -> None:
    st = _strategies(plan)
    assert st["1.1"].title == "Define and celebrate customer service excellence"
    assert st["1.1"].term == "short"
    assert st["3.1"].title == "Ensure customers can access a full journey in-language"
    assert st["3.1"].term == "short"
    assert st["2.1"].title == (
        "Centralize governance and distribute operations for customer service"
    )
    assert st["2.1"].term == "long"
    assert st["5.2"].term == "long"
    terms = {code: s.term for code, s in st.items()}
    assert sorted(c for c, t in terms.items() if t == "long") == ["1.2", "2.1", "4.2", "5.2", "5.3"]
    for s in st.values():
        assert s.steps == []  # the source names workplan steps but does not list them
        assert s.status == "not_started" and s.progress == 0
        assert s.department is None


def test_metrics(plan: PlanFile) -> None:
    m = {x.code: x for x in plan.metrics}
    assert m["V"].horizon == "vision"
    assert m["V"].measures.statement is None
    assert m["V"].name == (
        'Percent of customers surveyed who answered "very satisfied" with overall customer '
        "experience"
    )
    assert m["S1-NT"].name == (
        "Percent of phone calls resolved on first call (SJ311 Contact Center)"
    )
    assert m["S3-LT"].name == (
        "Rate of points of contact experienced to reach a resolution per customer"
    )
    for n in "1234567":
        assert m[f"S{n}-NT"].measures.statement == n
        assert m[f"S{n}-NT"].horizon == "near_term"
        assert m[f"S{n}-LT"].measures.statement == n
        assert m[f"S{n}-LT"].horizon == "long_term"
    assert all(x.targets == [] for x in plan.metrics)  # the source gives no targets


def test_quick_wins(plan: PlanFile) -> None:
    q = {x.number: x for x in plan.quick_wins}
    assert [q[n].category for n in range(1, 12)] == (
        ["people"] * 3 + ["process"] * 4 + ["technology"] * 4
    )
    assert q[1].issue_category == "Language Access"
    assert q[1].customer_issue == (
        "Spanish speakers using the SJ311 live chat option were receiving responses in English."
    )
    assert q[6].service_areas == ["Animal Care and Services", "SJ311"]
    assert q[6].department == "ACS"
    assert q[6].summary == (
        "Reduced SJ311 team meeting length to decrease windows of workday times when reps are "
        "unavailable. SJ311 updated training for overflow partners so there is always a rep "
        "available."
    )
    assert q[9].summary == (
        "SJ311 department has implemented an automated message to alert callers when they are "
        "being transferred from the SJ311 line to an external department (e.g., Department of "
        "Transportation)."
    )
    assert q[11].summary.startswith("The Information Technology Department is exploring")
    assert q[4].summary == "Spanish SJ311 hold message was added to the phone tree."
    assert {n for n, x in q.items() if x.status == "complete"} == {2, 3, 4, 5, 6, 9}


def test_phases_and_personas(plan: PlanFile) -> None:
    assert [p.code for p in plan.phases] == ["1", "2"]
    assert plan.phases[1].description.startswith(
        "Major transformational work of business process design, organizational alignment, and "
        "implementation of a citywide Customer Relationship Management System delivered over "
        "three years."
    )
    names = [p.name for p in plan.personas]
    assert names[2] == "Young person, City employee, calling on behalf of a relative"
    assert names[5] == "Couple seeking to open a small business"
    journeys = [j.title for j in plan.personas[0].journeys]
    assert journeys == ["How to report non-emergency property damage", "How to adopt a pet"]
    assert sum(len(p.journeys) for p in plan.personas) == 13
