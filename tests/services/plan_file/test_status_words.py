"""A plan's own words for the status scale: set in the plan file, stored, written back, and
refused with line and field when a code is unknown or a word empty or too long."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from app.services.plan_file.schema import StatusWordsIn
from app.services.rules.rollup import LABELS, label
from tests.factories import TINY_PLAN

DURHAM_WORDS = (
    "  status_words:\n"
    "    on_track: On Target\n"
    "    at_risk: Close to Target\n"
    "    off_track: Needs Improvement\n"
    "    no_target: Target Pending\n"
)
ANCHOR = "  vision: Every resident served well.\n"
WORDED = TINY_PLAN.replace(ANCHOR, ANCHOR + DURHAM_WORDS)


def test_every_status_code_can_be_worded() -> None:
    assert set(StatusWordsIn.model_fields) == set(LABELS)


def test_the_word_is_the_plans_where_it_has_one() -> None:
    words = {"at_risk": "Close to Target"}
    assert label("at_risk", words) == "Close to Target"
    assert label("off_track", words) == "Off track"
    assert label("at_risk") == "At risk"


def test_words_are_stored_and_round_trip(session: Session, request: pytest.FixtureRequest) -> None:
    plan = import_plan_text(session=session, text=WORDED, source="worded.yaml")
    session.commit()
    assert plan.status_words == {
        "on_track": "On Target",
        "at_risk": "Close to Target",
        "off_track": "Needs Improvement",
        "no_target": "Target Pending",
    }
    first = export_plan_text(session=session, slug="testville-service")
    # Written in the scale's order, worst first.
    assert (
        "  status_words:\n    off_track: Needs Improvement\n    at_risk: Close to Target\n"
        "    on_track: On Target\n    no_target: Target Pending\n"
    ) in first
    assert "no_data" not in first  # codes left out stay out
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    _point_app_at(new_database_url(request, request.getfixturevalue("template_database")))
    with Session(get_engine()) as other:
        again = import_plan_text(session=other, text=first, source="export.yaml")
        other.commit()
        assert again.status_words == plan.status_words
        assert export_plan_text(session=other, slug="testville-service") == first


def test_a_plan_without_words_writes_none(session: Session) -> None:
    plan = import_plan_text(session=session, text=TINY_PLAN, source="tiny.yaml")
    session.commit()
    assert plan.status_words == {}
    assert "status_words" not in export_plan_text(session=session, slug="testville-service")


def _refused(session: Session, words: str) -> list[str]:
    text = TINY_PLAN.replace(ANCHOR, ANCHOR + "  status_words:\n" + words)
    with pytest.raises(PlanFileError) as caught:
        import_plan_text(session=session, text=text, source="words.yaml")
    session.rollback()
    return str(caught.value).splitlines()


LINE = TINY_PLAN.splitlines().index(ANCHOR.rstrip("\n")) + 3  # the line after `status_words:`


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "    on_target: On Target\n",
            f"words.yaml:{LINE}: plan.status_words.on_target: is not a field of this format",
        ),
        ('    at_risk: ""\n', f"words.yaml:{LINE}: plan.status_words.at_risk:"),
        ('    at_risk: "   "\n', f"words.yaml:{LINE}: plan.status_words.at_risk:"),
        (f"    at_risk: {'x' * 41}\n", f"words.yaml:{LINE}: plan.status_words.at_risk:"),
    ],
    ids=["unknown-code", "empty", "blank", "too-long"],
)
def test_bad_words_are_refused_with_line_and_field(
    session: Session, words: str, expected: str
) -> None:
    (message,) = _refused(session, words)
    assert message.startswith(expected), message


def test_the_longest_word_allowed(session: Session) -> None:
    text = TINY_PLAN.replace(ANCHOR, ANCHOR + f"  status_words:\n    at_risk: {'x' * 40}\n")
    assert import_plan_text(session=session, text=text, source="ok.yaml").status_words == {
        "at_risk": "x" * 40
    }
