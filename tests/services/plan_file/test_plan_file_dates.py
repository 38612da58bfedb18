"""A plan file's dates lie where the API's would: each date outside its window is refused with
its line and field, before anything is written."""

from __future__ import annotations

from sqlmodel import Session

from tests.factories import TINY_PLAN
from tests.services.plan_file.test_plan_files import _refused


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_spans_and_phases_outside_the_period_name_line_and_field(session: Session) -> None:
    text = TINY_PLAN.replace("        planned_start: 2024-Q1", "        planned_start: 0001-Q1")
    text = text.replace("        planned_end: 2024-Q4", "        planned_end: 9999-Q4")
    text = text.replace("start: 2024-Q1, end: 2024-Q4}", "start: 2023-Q4, end: 2024-Q4}")
    assert _refused(session, text) == [
        f"broken.yaml:{line_of(text, 'start: 2023-Q4')}: phases[0].start: 2023-Q4 (2023-10-01 is "
        "before the plan's period, which starts in 2024 Q1 (2024-01-01))",
        f"broken.yaml:{line_of(text, 'planned_start: 0001-Q1')}: "
        "focus_areas[0].strategies[0].planned_start: 0001-Q1 (0001-01-01 is before the plan's "
        "period, which starts in 2024 Q1 (2024-01-01))",
        f"broken.yaml:{line_of(text, 'planned_end: 9999-Q4')}: "
        "focus_areas[0].strategies[0].planned_end: 9999-Q4 (9999-12-31 is after the plan's "
        "period, which ends in 2027 Q4 (2027-12-31))",
    ]


def test_the_plans_own_dates_lie_in_1900_to_2200(session: Session) -> None:
    text = TINY_PLAN.replace("  period_start: 2024-01-01", "  period_start: 0001-01-01")
    (message,) = _refused(session, text)
    assert message == (
        f"broken.yaml:{line_of(text, 'period_start: 0001')}: plan.period_start: 0001-01-01 is "
        "before the earliest date PlanTrack accepts (1900-01-01)"
    )


def test_year_0_and_steps_and_targets(session: Session) -> None:
    text = TINY_PLAN.replace("        planned_start: 2024-Q1", "        planned_start: 0000-Q1")
    text = text.replace(
        "completion_measure: Two staff hired",
        "completion_measure: Two staff hired\n            due: 2031-01-01",
    )
    text = text.replace("effective_from: 2025-01-01", "effective_from: 1024-01-01")
    messages = _refused(session, text)
    assert any("strategies[0].planned_start: '0000-Q1': there is no year 0" in m for m in messages)
    assert any(
        "strategies[0].steps[0].due: 2031-01-01 is after the plan's period ends (2027-12-31)" in m
        for m in messages
    )
    assert any(
        "metrics[0].targets[1].effective_from: 1024-01-01 is before the plan's period starts" in m
        for m in messages
    )
    assert len(messages) == 3
