"""The Philadelphia seed plan files (the Customer Service Officers Program and the Office of Fleet
Management's plan): they validate, and hold the source's words without inventing what it omits.

The expected texts are copied from the source (shared/seeds/002_cde6eb05534186b2.txt).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.services.plan_file.schema import PlanFile

SEEDS = Path(__file__).parents[2] / "seeds"


def _load(name: str) -> PlanFile:
    with (SEEDS / name).open(encoding="utf-8") as fh:
        return PlanFile.model_validate(yaml.safe_load(fh))


@pytest.fixture(scope="module")
def program() -> PlanFile:
    return _load("philadelphia-cso-program.yaml")


@pytest.fixture(scope="module")
def fleet() -> PlanFile:
    return _load("philadelphia-fleet.yaml")


def test_same_organisation(program: PlanFile, fleet: PlanFile) -> None:
    for pf in (program, fleet):
        assert pf.organization.name == "City of Philadelphia"
        assert pf.organization.slug == "philadelphia"
        assert [(d.code, d.name) for d in pf.departments] == [("OFM", "Office of Fleet Management")]


def test_program(program: PlanFile) -> None:
    p = program.plan
    assert p.slug == "philadelphia-customer-service-officers-program"
    assert p.title == "Customer Service Officers Program"
    assert p.owning_department is None
    assert p.adopted_on is None  # the session's year is not given
    assert (p.period_start, p.period_end) == (None, None)  # "the first year", undated
    assert "October 9" in p.summary and "Customer Service Week" in p.summary
    assert "one realistic but impactful area of focus for the first year of their plans" in (
        p.summary
    )
    assert p.terminology.focus_area == "Area of focus"
    assert p.terminology.focus_areas == "Areas of focus"
    assert program.focus_areas == [] and program.metrics == []


def test_fleet_plan(fleet: PlanFile) -> None:
    p = fleet.plan
    assert p.slug == "philadelphia-fleet-management-customer-service"
    assert p.owning_department == "OFM"
    # A department plan of the Customer Service Officers Program; the City's fiscal year starts
    # in July.
    assert p.programme == "philadelphia-customer-service-officers-program"
    assert p.fiscal_year_start_month == 7
    assert p.vision == (
        "At the Office of Fleet Management, our vision is to deliver top quality service to our "
        "customers on time, every time."
    )
    assert p.mission == ""  # not given in the source
    assert p.adopted_on is None
    assert (p.period_start, p.period_end) == (None, None)
    # The source names neither the area of focus nor the metrics: nothing is invented.
    assert fleet.focus_areas == [] and fleet.metrics == [] and fleet.goals == []
