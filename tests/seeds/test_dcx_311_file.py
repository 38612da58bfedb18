"""The Department of Customer Experience (311) seed plan file: it validates, and holds the source's
focus areas, metric targets and exact words.

The expected texts are copied from the source (shared/seeds/000_90c9bf5003c34587.txt), so a
transcription slip in seeds/dcx-311.yaml fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.services.plan_file.schema import PlanFile

SEED = Path(__file__).parents[2] / "seeds" / "dcx-311.yaml"


@pytest.fixture(scope="module")
def plan() -> PlanFile:
    with SEED.open(encoding="utf-8") as fh:
        return PlanFile.model_validate(yaml.safe_load(fh))


def test_organization_and_plan(plan: PlanFile) -> None:
    assert plan.organization.slug == "department-of-customer-experience"
    assert plan.plan.slug == "dcx-311-strategic-plan"
    assert plan.plan.adopted_on is None  # the source gives no date
    assert (plan.plan.period_start, plan.plan.period_end) == (None, None)  # nor a period
    assert {d.code: d.name for d in plan.departments}["311"] == "311 Contact Center"


def test_mission_and_vision(plan: PlanFile) -> None:
    assert plan.plan.mission == (
        "To deliver services, both internal and external, in a respectful and accurate way, "
        "using human-centered design, feedback, data, and employee empowerment to benefit all of "
        "our stakeholders."
    )
    assert plan.plan.vision == (
        "We exceed the needs and expectations of our diverse stakeholders by creating positive, "
        "productive, and proactive customer experiences."
    )


def test_focus_areas(plan: PlanFile) -> None:
    assert [(fa.code, fa.title) for fa in plan.focus_areas] == [
        ("1", "Technology, Information Accessibility & Service Excellence"),
        ("2", "Training, Knowledge & Staff Development"),
        ("3", "Departmental Collaboration"),
    ]
    # The source calls Service Performance & Quality Assurance a "function", not a focus area.
    assert "Service Performance & Quality Assurance" not in {fa.title for fa in plan.focus_areas}
    descriptions = [fa.description for fa in plan.focus_areas]
    assert descriptions == [
        "This focus area improves service delivery by strengthening knowledge tools, expanding "
        "access to information, and modernizing technology.",
        "This focus area strengthens employee skills, confidence, and service delivery through "
        "training, professional growth, and workplace engagement.",
        "This focus area strengthens coordination across departments to ensure residents receive "
        "consistent, accurate, and seamless service.",
    ]


def test_metrics_and_targets(plan: PlanFile) -> None:
    got = [
        (m.code, m.name, m.unit, m.direction, [(t.value, t.comparator, t.label) for t in m.targets])
        for m in plan.metrics
    ]
    assert got == [
        ("JEI", "Job Enablement Index", "percent", "higher", [(85, "at_least", "85%")]),
        ("PA", "Personal accomplishment", "percent", "higher", [(85, "at_least", "85%")]),
        ("QA", "Quality Assurance Score", "percent", "higher", [(90, "at_least", "90% or higher")]),
        ("AHT", "Average handle time", "minutes", "lower", [(10, "at_most", "10 minutes or less")]),
    ]
    metrics = {m.code: m for m in plan.metrics}
    assert metrics["QA"].description == (
        "This score reflects our commitment to maintaining high-quality service through accuracy, "
        "professionalism, and performance monitoring."
    )
    assert metrics["AHT"].description == (
        "This is the maximum average time ambassadors should spend handling a call while "
        "maintaining service quality."
    )
    assert all(m.baseline is None and m.measurements == [] for m in plan.metrics)


def test_summary_holds_the_glossary_and_the_services(plan: PlanFile) -> None:
    summary = plan.plan.summary
    for line in (
        "Goal: This is what we are trying to accomplish or improve.",
        "Strategies: Specific actions that will help you achieve your goals",
        "Intended outcome: Desired state or results from achieving your goal.",
        "Metrics: These are measurable indicators used to track progress toward achieving goals.",
        "311 Contact Center: This team serves as the City\u2019s single point of entry for "
        "information and service requests, providing empathetic support while helping "
        "departments focus on their core mission.",
        "Beth Chatbot: This virtual assistant helps residents find answers on the City website by "
        "responding to questions like trash schedules and jury duty updates.",
    ):
        assert line in summary.splitlines()
