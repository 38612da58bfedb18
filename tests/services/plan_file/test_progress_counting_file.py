"""Plan files carry how each strategy's progress is counted, and are held to the same rules of
status and progress as the app."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import Strategy
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from tests.factories import TINY_PLAN, make_tiny_plan

# 1.1 has steps (one, with a sub-step); 1.2 has none.
HEADER_11 = '      - code: "1.1"\n'


def with_11(extra: str) -> str:
    """TINY_PLAN with `extra` keys on strategy 1.1."""
    assert HEADER_11 in TINY_PLAN
    return TINY_PLAN.replace(HEADER_11, HEADER_11 + extra)


def refused(session: Session, text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        import_plan_text(session=session, text=text, source="broken.yaml")
    session.rollback()
    assert session.exec(select(Strategy)).first() is None
    return str(caught.value).splitlines()


def counting(session: Session, code: str) -> str:
    return session.exec(select(Strategy).where(Strategy.code == code)).one().progress_counting


def test_left_out_it_is_by_steps_with_steps_and_by_hand_without(session: Session) -> None:
    make_tiny_plan(session)
    assert (counting(session, "1.1"), counting(session, "1.2")) == ("by_steps", "by_hand")


def test_the_export_writes_it_and_a_by_hand_choice_survives_the_round_trip(
    session: Session, request: pytest.FixtureRequest
) -> None:
    text = with_11(
        "        progress_counting: by_hand\n        status: on_track\n        progress: 30\n"
    )
    make_tiny_plan(session, text)
    assert counting(session, "1.1") == "by_hand"
    exported = export_plan_text(session=session, slug="testville-service")
    assert exported.count("progress_counting: by_hand") == 2  # 1.1 chose it; 1.2 has no steps
    assert "progress_counting: by_steps" not in exported
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    _point_app_at(new_database_url(request, request.getfixturevalue("template_database")))
    with Session(get_engine()) as other:
        import_plan_text(session=other, text=exported, source="export.yaml")
        other.commit()
        assert counting(other, "1.1") == "by_hand"
        assert export_plan_text(session=other, slug="testville-service") == exported


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ("        status: complete\n", "status", "Complete cannot have steps still open"),
        (
            "        progress_counting: by_hand\n        progress: 20\n",
            "status",
            "Not started cannot",
        ),
        (
            "        progress_counting: by_hand\n        status: on_track\n        progress: 100\n",
            "progress",
            "100% means the work is done",
        ),
    ],
)
def test_a_contradiction_is_refused_naming_the_line(
    session: Session, extra: str, field: str, message: str
) -> None:
    text = with_11(extra)
    [problem] = refused(session, text)
    lines = text.splitlines()
    start = lines.index(HEADER_11.rstrip("\n"))
    # The line of the key when the file writes it, else the strategy's own line.
    written = [n for n in range(start, start + 4) if lines[n].strip().startswith(f"{field}:")]
    line = (written[0] if written else start) + 1
    assert problem.startswith(f"broken.yaml:{line}: focus_areas[0].strategies[0].{field}: ")
    assert message in problem


def test_by_steps_without_steps_is_refused(session: Session) -> None:
    text = TINY_PLAN.replace(
        "        title: Fix potholes faster\n",
        "        title: Fix potholes faster\n        progress_counting: by_steps\n",
    )
    [problem] = refused(session, text)
    assert "strategies[1].progress_counting: by_steps, but it has no steps to count" in problem
