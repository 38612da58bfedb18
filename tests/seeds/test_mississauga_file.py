"""The Mississauga seed plan file: it validates, and holds the source's counts and exact words.

The expected texts are copied from the source (shared/seeds/004_a1342ae199267615.txt), and the
schedule from its appendix "Implementation" chart (one █ per quarter, Year 1 Q1 … Year 4 Q4), so a
transcription slip in seeds/mississauga.yaml fails here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from app.services.plan_file.checking import check_plan_file
from app.services.plan_file.reading import read_plan_file
from app.services.plan_file.schema import PlanFile, StrategyIn

SEED = Path(__file__).parents[2] / "seeds" / "mississauga.yaml"


@pytest.fixture(scope="module")
def plan() -> PlanFile:
    with SEED.open(encoding="utf-8") as fh:
        return PlanFile.model_validate(yaml.safe_load(fh))


def _strategies(plan: PlanFile) -> dict[str, StrategyIn]:
    return {s.code: s for fa in plan.focus_areas for s in fa.strategies}


def test_file_passes_the_import_checks() -> None:
    parsed, lines = read_plan_file(SEED)
    assert check_plan_file(parsed, lines) == []


def test_organization_plan_and_terminology(plan: PlanFile) -> None:
    assert plan.organization.name == "City of Mississauga"
    assert plan.organization.slug == "mississauga"
    assert plan.departments == []  # the report names no owner for any initiative or metric
    p = plan.plan
    assert p.slug == "mississauga-customer-service-strategy"
    assert (p.title, p.subtitle) == (
        "Putting Mississauga Customers First",
        "Building Better Experiences",
    )
    assert p.adopted_on == dt.date(2017, 10, 17)  # "FINAL REPORT – October 17, 2017"
    assert p.status == "adopted"
    assert p.published is True
    assert p.schedule == "relative"
    assert p.schedule_origin == dt.date(2018, 1, 1)  # assumption, see the file's comment
    # The "4-year strategy": its Year 1 … Year 4 from that origin (a reading, commented).
    assert (p.period_start, p.period_end) == (dt.date(2018, 1, 1), dt.date(2021, 12, 31))
    t = p.terminology
    assert (t.focus_area, t.focus_areas) == ("Key area", "Key areas")
    assert (t.strategy, t.strategies) == ("Initiative", "Initiatives")
    assert (t.step, t.steps) == ("Key activity", "Key activities")
    assert (t.statement, t.statements) == ("Guiding principle", "Guiding principles")


def test_mandate(plan: PlanFile) -> None:
    assert plan.plan.mandate == (
        "To deliver customer-focused service that supports the City's commitment to continuous "
        "improvement, creating satisfying service experiences with each interaction."
    )


def test_counts(plan: PlanFile) -> None:
    kinds = [s.kind for s in plan.statements]
    assert kinds.count("guiding_principle") == 6
    assert kinds.count("delivery_requirement") == 3
    assert kinds.count("commitment") == 0  # the service promise is only an example with "XX"
    assert len(plan.statements) == 9
    assert [fa.code for fa in plan.focus_areas] == ["1", "2", "3", "4"]
    assert [len(fa.strategies) for fa in plan.focus_areas] == [3, 2, 7, 3]
    assert len(_strategies(plan)) == 15
    steps = [step for s in _strategies(plan).values() for step in s.steps]
    assert len(steps) == 54
    assert sum(len(step.steps) for step in steps) == 29
    kpis = [m for m in plan.metrics if m.kind == "strategic KPI"]
    operational = [m for m in plan.metrics if m.kind == "process and operational metric"]
    assert (len(kpis), len(operational), len(plan.metrics)) == (9, 7, 16)


def test_statements(plan: PlanFile) -> None:
    assert [s.title for s in plan.statements if s.kind == "delivery_requirement"] == [
        "Simple and easy for customers",
        "Cost-efficient",
        "Simpler for staff to deliver",
    ]
    principles = [s for s in plan.statements if s.kind == "guiding_principle"]
    assert [(s.code, s.title) for s in principles] == [
        ("1", "Focus on the Customer"),
        ("2", "Provide Consistent Service"),
        ("3", "Implement Service Standards"),
        ("4", "Offer Services Through Preferred Channels"),
        ("5", "Embrace a Customer Service Culture"),
        ("6", "Collaborate for Success"),
    ]
    definitions = {s.code: s.definition for s in principles}
    assert definitions["1"] == (
        "Make the customer the center of all channel and customer experience solutions."
    )
    assert definitions["3"] == (
        "Be responsive and proactive and establish specific delivery standards for all City "
        "interactions and services, and communicate them to customers."
    )
    assert definitions["6"] == (
        "Make it easy for our employees to efficiently serve customers and build relationships "
        "by working together."
    )


def test_key_areas(plan: PlanFile) -> None:
    assert [fa.title for fa in plan.focus_areas] == [
        "Customer Centric",
        "Organization and Change",
        "Channel Management",
        "Technology",
    ]
    assert plan.focus_areas[0].description == (
        "Recommendations in this category focus on defining the service strategies that drive "
        "enhanced customer service and experience."
    )


# Title → (planned start, planned end), read off the appendix "Implementation" chart.
SCHEDULE = {
    "Define Main Customer Types and Their Service Experience Characteristics": ("Y3 Q1", "Y3 Q4"),
    "Develop Service Standards": ("Y2 Q1", "Y3 Q2"),
    "Transform Business Processes to Improve the Customer Experience": ("Y3 Q1", "Y4 Q4"),
    "Promote and Recruit for a Customer Service Attitude": ("Y1 Q3", "Y2 Q4"),
    "Introduce City Wide Customer Service Training": ("Y1 Q1", "Y2 Q4"),
    "Consolidate Service Counters": ("Y3 Q1", "Y4 Q4"),
    "Improve Directional Signage at City Hall": ("Y2 Q1", "Y2 Q4"),
    "Improve the Welcome Desk at City Hall": ("Y2 Q2", "Y3 Q4"),
    "Evaluate 311 Interactive Voice Response System (IVR)": ("Y1 Q1", "Y1 Q4"),
    "Evaluate 311 Services": ("Y3 Q1", "Y4 Q4"),
    "Evaluate Online Services": ("Y1 Q3", "Y4 Q4"),
    "Standardize Measurement, Reporting and Quality Assurance": ("Y4 Q1", "Y4 Q4"),
    "Implement a Service Delivery System (Customer Relationship Management and Workflow)": (
        "Y1 Q1",
        "Y4 Q4",
    ),
    "Implement a Single Sign On": ("Y1 Q1", "Y4 Q4"),
    "Implement a City Wide Knowledge Base": ("Y1 Q1", "Y4 Q4"),
}


def test_initiatives_in_section_6_order(plan: PlanFile) -> None:
    strategies = _strategies(plan)
    assert list(strategies) == [
        "1.1",
        "1.2",
        "1.3",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "3.5",
        "3.6",
        "3.7",
        "4.1",
        "4.2",
        "4.3",
    ]
    assert [s.title for s in strategies.values()] == list(SCHEDULE)
    assert all(s.status == "not_started" and s.progress == 0 for s in strategies.values())
    assert all(s.term is None and s.department is None for s in strategies.values())


def test_schedule_of_every_initiative(plan: PlanFile) -> None:
    found = {s.title: (s.planned_start, s.planned_end) for s in _strategies(plan).values()}
    assert found == SCHEDULE


def test_schedule_matches_the_chart_in_the_source() -> None:
    source = Path(__file__).parents[3] / "shared" / "seeds" / "004_a1342ae199267615.txt"
    if not source.exists():
        pytest.skip("the source document is not next to this checkout")
    rows = source.read_text(encoding="utf-8").split("\n")[983:998]
    chart = {}
    for row in rows:
        name, *cells = row.split("\t")
        marks = [i for i, cell in enumerate(cells) if cell == "█"]
        assert marks == list(range(marks[0], marks[-1] + 1)), name  # one unbroken run

        def quarter(i: int) -> str:
            return f"Y{i // 4 + 1} Q{i % 4 + 1}"

        chart[name] = (quarter(marks[0]), quarter(marks[-1]))
    short_names = [
        "Implement a Service Delivery System (Customer Relationship Management and Workflow)",
        "Implement a Single Sign On",
        "Implement a City Wide Knowledge Base",
        "Introduce City Wide Customer Service Training",
        "Evaluate 311 Interactive Voice Response System (IVR)",
        "Promote and Recruit for a Customer Service Attitude",
        "Evaluate Online Services",
        "Develop Service Standards",
        "Improve Directional Signage at City Hall",
        "Improve the Welcome Desk at City Hall",
        "Define Main Customer Types and Their Service Experience Characteristics",
        "Transform Business Processes to Improve the Customer Experience",
        "Consolidate Service Counters",
        "Evaluate 311 Services",
        "Standardize Measurement, Reporting and Quality Assurance",
    ]
    assert chart["Improve Welcome Desk"] == ("Y2 Q2", "Y3 Q4")
    assert dict(zip(short_names, chart.values(), strict=True)) == SCHEDULE


def test_descriptions_and_key_activities(plan: PlanFile) -> None:
    s = _strategies(plan)
    assert s["3.3"].description == (
        "The current Welcome Desk is limited to providing general information to customers at "
        "City Hall. The tools and training provided to Welcome Desk staff are not the same as that "
        "provided to 311 agents, creating differences in the level of service provided to "
        "customers. This differs from other municipalities who provide full-service counters."
    )
    assert s["4.2"].description == (
        "Implement single sign-on for 311 agents to streamline the login process and improve "
        "operational efficiency and convenience."
    )
    assert s["1.1"].description.split("\n") == [
        "The City offers a variety of services to its customers. Fundamental to the Customer "
        "Service Strategy is the requirement for all service areas to understand the "
        "characteristics of key customer types accessing their services. This will allow each "
        "service area to tailor their customer experience and will support efficient Lean "
        "processes for timely and coordinated outcomes to drive service satisfaction.",
        "It determines the best and “right” channels to engage each customer group and will help "
        "define a Channel Management Strategy for the City.",
        "Examples of customer types include homeowners, small businesses, real estate developers, "
        "recreational associations etc.",
    ]
    assert [step.title for step in s["3.3"].steps] == [
        "Train staff leveraging existing 311 training materials, focusing on information calls.",
        "Ensure that staff at this counter have access to the technology required to service "
        "customers.",
    ]
    assert [step.title for step in s["4.2"].steps] == [
        "Implement web or application-based single sign-on for 311.",
        "Identify opportunities to extend the technology to other departments.",
    ]
    ivr = s["3.4"].steps
    assert ivr[0].title == "Develop an update IVR design based on the following inputs:"
    assert [sub.title for sub in ivr[0].steps] == [
        "Identify the top services and any related queue routings within 311",
        "Identify the top call transfers to other centres or call areas. Identify routings by "
        "call queue to reduce the need to transfer callers at the destination contact centre.",
        "Identify the top information calls that may be replaced by self-service messaging "
        "mailboxes",
    ]
    assert ivr[2].title == (
        "Develop an “after hours” IVR that takes into account closed contact centres hours, and "
        "provides information messaging, while including the ability to route emergency calls "
        "to after-hours agents."
    )
    assert s["3.7"].steps[-1].title == (
        "Develop a public facing dashboard with specific KPI's that are of interest to customers "
        "for better transparency."
    )
    assert s["2.1"].steps[-1].steps[0].title == (
        "Creating and maximizing memorable “Moments of Truth” experiences"
    )
    assert [len(x.steps) for x in s.values()] == [4, 4, 3, 6, 1, 3, 3, 2, 5, 5, 4, 5, 3, 2, 4]


def test_titles_over_the_300_character_limit_are_shortened_only_as_noted(plan: PlanFile) -> None:
    s = _strategies(plan)
    assert s["1.3"].steps[2].steps[3].title == (
        "Prioritize service processes for digitization. Examples include submittable PDF and "
        "webforms, epayment, digital signatures, electronic document storage, status and issuance."
    )
    assert s["4.1"].steps[0].steps[0].title == (
        "Evaluate the existing enterprise systems (particularly INFOR) ability to support "
        "customer accounts, interaction history, customer experience profiles (…) workflows, "
        "status enablement, as well as utilize standard integration interfaces for data exchange."
    )


def test_metrics(plan: PlanFile) -> None:
    assert [(m.code, m.name) for m in plan.metrics if m.kind == "strategic KPI"] == [
        ("K1", "Client Satisfaction"),
        ("K2", "Client Ease of Effort to Outcome"),
        ("K3", "Employee Job Satisfaction"),
        ("K4", "First Contact Resolution Rate"),
        ("K5", "First Level Resolution Rate"),
        ("K6", "Average Speed of Response"),
        ("K7", "% within Service Standard or Promise"),
        ("K8", "Channel Shift"),
        ("K9", "Cost per Contact by Channel and Segment"),
    ]
    assert [m.name for m in plan.metrics if m.kind == "process and operational metric"] == [
        "Contact Volume by Channel",
        "Average Handle Time",
        "% within Optimum Handle Time by Channel",
        "Service Level or Standard",
        "Contact Quality (QM Score)",
        "% Overdue Case Processes",
        "% Case Completion within Standard",
    ]
    # The report gives no target, and ties no metric to a principle, key area or initiative.
    assert all(m.targets == [] for m in plan.metrics)
    assert all(
        m.measures.model_dump() == dict.fromkeys(("statement", "goal", "strategy", "focus_area"))
        for m in plan.metrics
    )


def test_survey_baseline_50_percent_very_satisfied(plan: PlanFile) -> None:
    baselines = {m.code: m.baseline for m in plan.metrics if m.baseline is not None}
    assert list(baselines) == ["K1"]
    k1 = baselines["K1"]
    assert k1.value == 50
    assert k1.date is None  # the source does not date the survey
    assert "50% very satisfied" in k1.note and "34% satisfied" in k1.note
