"""The Charlotte County seed plan file: it validates, and holds the source's counts and exact words.

The expected texts are copied from the source (shared/seeds/003_041fd39a41c8312a.txt), so a
transcription slip in seeds/charlotte-county.yaml fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.services.plan_file.schema import PlanFile, StrategyIn

SEED = Path(__file__).parents[2] / "seeds" / "charlotte-county.yaml"


@pytest.fixture(scope="module")
def plan() -> PlanFile:
    with SEED.open(encoding="utf-8") as fh:
        return PlanFile.model_validate(yaml.safe_load(fh))


def _strategies(plan: PlanFile) -> dict[str, StrategyIn]:
    return {s.code: s for fa in plan.focus_areas for s in fa.strategies}


def test_organization_plan_and_terminology(plan: PlanFile) -> None:
    assert plan.organization.name == "Charlotte County Government"
    assert plan.organization.slug == "charlotte-county"
    assert plan.departments == []  # every lead is a person or a role, never a department
    p = plan.plan
    assert p.slug == "charlotte-county-customer-informed-organization"
    assert p.title == (
        "Superior Performance in Customer Experience and Service: "
        "the Customer Informed Organization"
    )
    assert p.published is True
    # The source gives no date at all.
    assert (p.adopted_on, p.period_start, p.period_end) == (None, None, None)
    t = p.terminology
    assert (t.focus_area, t.focus_areas) == ("Pathway", "Pathways")
    assert (t.strategy, t.strategies) == ("Objective", "Objectives")
    assert (t.step, t.steps) == ("Sub-objective", "Sub-objectives")
    assert (t.goal, t.goals) == ("Goal", "Goals")
    assert (t.statement, t.statements) == ("Routine behaviour", "Routine behaviours")


def test_desired_result_is_the_mandate(plan: PlanFile) -> None:
    assert plan.plan.mandate == (
        "The desired result of this work plan is a shift in organizational culture that "
        "emphasizes, encourages and rewards delivering an excellent customer experience. "
        "Customer in this plan is defined as anyone who depends upon your work to complete their "
        "work or objectives. As such it both encompasses and redefines the traditional "
        "internal-external customer approach. As this culture becomes stronger in Charlotte "
        "County Government we expect a higher level of citizen and staff satisfaction, a higher "
        "level of performance and a growing reputation for excellent services. As this culture "
        "develops, certain behaviors and practices become routine. Among those that would "
        "initially be emphasized are:"
    )


def test_routine_behaviours(plan: PlanFile) -> None:
    assert [s.kind for s in plan.statements] == ["behaviour"] * 4
    assert [s.title for s in plan.statements] == [
        "Policies are followed consistently",
        "Expectations are regularly communicated clearly",
        "Regular staff meetings are held which review and reinforce customer service",
        "New positions, promotions, and transfers or other position changes including "
        "departures are announced in the newsletter",
    ]


def test_goals_and_outcomes(plan: PlanFile) -> None:
    assert [g.code for g in plan.goals] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert [len(g.outcomes) for g in plan.goals] == [1, 1, 1, 1, 5, 1, 1, 4]
    goals = {g.code: g for g in plan.goals}
    assert goals["1"].title == "Know who our customer is"
    assert goals["5"].title == "Connect the Dots"
    assert goals["6"].title == (
        "Provide support tools that would assist with providing a superior customer experience"
    )
    assert goals["2"].outcomes == [
        "All customers, whether internal or external, experience personalized customer service "
        "through which they experience being heard and understood, respected and "
        "solution-orientation."
    ]
    assert goals["4"].outcomes == [
        "The County is more aware of the experiences customers are having in a format that "
        "enables trend analysis, identification of emerging problems, comparison across units, "
        "and identification of highly effective practices. It was also recommend that surveys of "
        "various formats not be the only methodology used for feedback. One on ones and focus "
        "groups like the ones we are in are excellent formats for certain customers."
    ]
    assert goals["5"].outcomes[0] == (
        "An increased understanding by County staff of how the work of the County fits together "
        "and how each person's work contributes to larger goals."
    )
    assert goals["8"].outcomes == [
        "Technology enables customers to obtain information more quickly and directly with less "
        "staff involvement",
        "Technology supports the goals of consistency and reliability",
        "Technology enables staff to find answers more quickly",
        "Technology support to the goals of increased feedback and dot connecting",
    ]


def test_pathways(plan: PlanFile) -> None:
    assert [(fa.code, fa.title) for fa in plan.focus_areas] == [
        ("1", "Technology"),
        ("2", "Call Center/Website/Customer Maps"),
        ("3", "Policy for Customer Service (SOPs)"),
        ("4", "Training"),
        ("5", "Networking/Peer Review"),
    ]
    pathways = {fa.code: fa for fa in plan.focus_areas}
    assert pathways["3"].description == (
        "The purpose of this pathway is to ensure that is both clear and consistent guidance to "
        "staff with respect to customer service. This would involve a set of standard operating "
        "procedures, adapted to the distinct services of each department."
    )
    assert pathways["5"].description == (
        "This pathway seeks to support the desired culture by establishing systems to increase "
        "networking and peer feedback. In effect it seeks to build a \u201cteam\u201d attitude by "
        "fostering team supports and expectations. It recognizes that culture cannot be imposed "
        "solely via policy or external standards but is something that develops as a result of "
        "interactions among the organization\u2019s members."
    )
    assert pathways["1"].description.startswith(
        "This pathway recognizes that in today's world, the ability to provide an excellent user "
        "experience is highly dependent upon technology."
    )
    assert pathways["1"].description.endswith(
        "Finally, technology enables us to meet the ever growing expectations of the public for "
        "rapid responses."
    )


def test_priority_and_future_objectives_per_pathway(plan: PlanFile) -> None:
    counts = {
        fa.code: (
            sum(1 for s in fa.strategies if s.term == "short"),
            sum(1 for s in fa.strategies if s.term == "future"),
        )
        for fa in plan.focus_areas
    }
    assert counts == {"1": (4, 4), "2": (2, 4), "3": (1, 0), "4": (4, 8), "5": (3, 3)}
    assert len(_strategies(plan)) == 33
    for fa in plan.focus_areas:
        assert [s.code for s in fa.strategies] == [
            f"{fa.code}.{i}" for i in range(1, len(fa.strategies) + 1)
        ]


def test_no_goal_alignment_is_invented(plan: PlanFile) -> None:
    assert all(s.goals == [] for s in _strategies(plan).values())
    assert all(fa.goals == [] for fa in plan.focus_areas)


def test_leads(plan: PlanFile) -> None:
    s = _strategies(plan)
    assert {c: s[c].leads for c in ("1.1", "1.2", "1.3", "1.4")} == {
        c: ["Gordon"] for c in ("1.1", "1.2", "1.3", "1.4")
    }
    assert s["2.1"].leads == ["Vicki"]
    assert s["2.2"].leads == ["All directors"]
    assert s["3.1"].leads == ["Directors"]
    assert s["4.1"].leads == ["Heather"]
    assert s["4.2"].leads == ["Heather"]
    assert s["4.3"].leads == ["Claire", "Joan", "Cassie"]
    assert s["4.4"].leads == ["Vicki", "David"]
    assert [s[c].leads for c in ("5.1", "5.2", "5.3")] == [["Danny", "Terri"]] * 3
    assert all(not x.leads for x in s.values() if x.term == "future")
    assert all(x.department is None for x in s.values())


def test_sub_objectives(plan: PlanFile) -> None:
    counts = {c: len(x.steps) for c, x in _strategies(plan).items() if x.steps}
    assert counts == {
        "1.1": 2,
        "1.2": 1,
        "1.3": 2,
        "1.4": 2,
        "2.1": 4,
        "4.1": 10,
        "4.2": 1,
        "4.4": 1,
        "4.7": 1,
        "5.5": 2,
    }
    s = _strategies(plan)
    assert s["2.1"].steps[1].title == (
        "Develop a summary guide of who does what in the departments that all staff have access "
        "to for their use in their work and in responding to public request."
    )
    assert s["4.1"].steps[4].title == (
        "Establish a system by which each graduate have the opportunity to become a presenter"
    )
    assert s["1.4"].steps[0].title == (
        "Search word optimization so that a searcher can enter a familiar word to them and "
        "locate what that service may be called in Charlotte County"
    )
    assert [x.title for x in s["5.5"].steps] == [
        "For employees in similar positions",
        "Cross-department collaboration meetings on projects",
    ]


def test_objective_titles(plan: PlanFile) -> None:
    s = _strategies(plan)
    assert s["1.2"].title == 'Implement "Public Stuff" app'
    assert s["1.6"].title == "Institute a 311 program"
    assert s["2.2"].title == (
        "Determine the value and feasibility of ombudsman positions in additional departments."
    )
    assert s["4.4"].title == (
        "Develop commonly asked question \u201cscripts\u201d (all directors to identify most "
        "frequently asked questions as first step)"
    )
    assert s["4.7"].title == (
        "Provide uniformed and consistent training for customer service representatives including:"
    )
    assert s["5.6"].title == (
        "Have Administration and Directors attend quarterly staff meetings of other departments"
    )
