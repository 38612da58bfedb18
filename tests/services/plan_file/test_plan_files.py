"""Plan files: import all-or-nothing with errors naming file, line and field; stable round trip."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.models import (
    HistoryEntry,
    Measurement,
    MetricTarget,
    Plan,
    QuickWin,
    Strategy,
    StrategyGoal,
    WorkplanStep,
)
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from app.services.plan_file.schema import PlanFile
from app.settings import ROOT
from tests.factories import SEEDS_DIR, TINY_PLAN, make_tiny_plan


def _row_counts(session: Session) -> dict[str, int]:
    return {
        name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in SQLModel.metadata.tables.items()
    }


def test_import_stores_the_whole_plan(session: Session) -> None:
    plan = make_tiny_plan(session)
    assert plan.title == "Testville Customer Service Plan"
    assert plan.term("strategy") == "Recommendation"
    strategies = session.exec(select(Strategy).where(Strategy.plan_id == plan.id)).scalars().all()
    assert [s.code for s in strategies] == ["1.1", "1.2"]
    steps = session.exec(select(WorkplanStep)).scalars().all()
    assert len(steps) == 2 and sum(1 for s in steps if s.parent_id) == 1
    assert session.execute(select(func.count()).select_from(StrategyGoal)).scalar_one() == 1
    assert session.execute(select(func.count()).select_from(MetricTarget)).scalar_one() == 2
    assert session.execute(select(func.count()).select_from(Measurement)).scalar_one() == 2
    first = strategies[0]
    assert (first.planned_start.isoformat(), first.planned_end.isoformat()) == (
        "2024-01-01",
        "2024-12-31",
    )
    entry = session.exec(select(HistoryEntry)).scalars().one()
    assert entry.action == "imported" and entry.plan_id == plan.id


def test_round_trip_is_stable(session: Session, request: pytest.FixtureRequest) -> None:
    make_tiny_plan(session)
    first = export_plan_text(session=session, slug="testville-service")
    # A second database gets the exported file; its export must be identical.
    from tests.conftest import _point_app_at, new_database_url

    url = new_database_url(request, request.getfixturevalue("template_database"))
    _point_app_at(url)
    from app.db import get_engine

    with Session(get_engine()) as other:
        import_plan_text(session=other, text=first, source="first-export.yaml")
        other.commit()
        second = export_plan_text(session=other, slug="testville-service")
    assert second == first
    assert "planned_start: 2024-Q1" in first


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS_DIR.glob("*.yaml")))
def test_every_seed_round_trips(
    seed: str, session: Session, request: pytest.FixtureRequest
) -> None:
    text = (SEEDS_DIR / seed).read_text(encoding="utf-8")
    _programme_first(session, text)
    plan = import_plan_text(session=session, text=text, source=seed)
    session.commit()
    first = export_plan_text(session=session, slug=plan.slug)
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    _point_app_at(new_database_url(request, request.getfixturevalue("template_database")))
    with Session(get_engine()) as other:
        _programme_first(other, text)
        import_plan_text(session=other, text=first, source="export.yaml")
        other.commit()
        assert export_plan_text(session=other, slug=plan.slug) == first


def _programme_first(session: Session, text: str) -> None:
    """Load the seed of the programme a seed plan belongs to (Fleet's: the CSO program)."""
    import yaml

    programme = yaml.safe_load(text)["plan"].get("programme")
    if not programme:
        return
    for path in SEEDS_DIR.glob("*.yaml"):
        other = path.read_text(encoding="utf-8")
        if yaml.safe_load(other)["plan"]["slug"] == programme:
            import_plan_text(session=session, text=other, source=path.name)
            session.commit()


def _refused(session: Session, text: str) -> list[str]:
    before = _row_counts(session)
    with pytest.raises(PlanFileError) as caught:
        import_plan_text(session=session, text=text, source="broken.yaml")
    session.rollback()
    assert _row_counts(session) == before, "a refused file must leave the database unchanged"
    return str(caught.value).splitlines()


def test_bad_enum_names_line_and_field(session: Session) -> None:
    text = TINY_PLAN.replace("        term: long\n", "        term: someday\n")
    line = TINY_PLAN.splitlines().index("        term: long") + 1
    assert _refused(session, text) == [
        f"broken.yaml:{line}: focus_areas[0].strategies[1].term: must be one of short, long, future"
    ]


def test_unknown_reference_is_refused(session: Session) -> None:
    text = TINY_PLAN.replace("        department: PW\n", "        department: XX\n")
    (message,) = _refused(session, text)
    assert "focus_areas[0].strategies[1].department: unknown department 'XX'" in message
    assert message.startswith("broken.yaml:")


def test_error_late_in_file_leaves_nothing_half_saved(session: Session) -> None:
    # The last quick win clashes with the first: checked before anything is written.
    text = TINY_PLAN.replace("  - {number: 2,", "  - {number: 1,")
    messages = _refused(session, text)
    assert any(
        "quick_wins[1].number: quick win number '1' is used more than once" in m for m in messages
    )


def test_misspelt_key_and_invalid_yaml(session: Session) -> None:
    assert any(
        "plan.visoin: is not a field of this format" in m
        for m in _refused(session, TINY_PLAN.replace("  vision:", "  visoin:"))
    )
    (message,) = _refused(session, TINY_PLAN + "  - [unclosed\n")
    assert message.startswith("broken.yaml:") and "not valid YAML" in message


def test_percent_out_of_range_and_existing_slug(session: Session) -> None:
    text = TINY_PLAN.replace("        term: long\n", "        term: long\n        progress: 140\n")
    assert any(
        "strategies[1].progress: input should be less than or equal to 100" in m
        for m in _refused(session, text)
    )
    make_tiny_plan(session)
    assert any(
        "plan.slug: a plan 'testville-service' already exists" in m
        for m in _refused(session, TINY_PLAN)
    )


def test_database_refuses_what_python_would_miss(session: Session) -> None:
    """Constraints live in the database too: a raw write of a bad value fails."""
    plan = make_tiny_plan(session)
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    for values in ({"progress": 101}, {"status": "finished"}, {"term": "medium"}):
        with pytest.raises(IntegrityError):
            session.execute(update(Strategy).where(Strategy.plan_id == plan.id).values(**values))
            session.flush()
        session.rollback()
    with pytest.raises(IntegrityError):
        session.execute(update(QuickWin).values(status="done"))
        session.flush()
    session.rollback()


def test_history_is_append_only_in_the_database(session: Session) -> None:
    make_tiny_plan(session)
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    with pytest.raises(DatabaseError):
        session.execute(update(HistoryEntry).values(note="rewritten"))
    session.rollback()
    with pytest.raises(DatabaseError):
        session.execute(delete(HistoryEntry))
    session.rollback()
    assert session.exec(select(HistoryEntry)).scalars().one().note.startswith("imported")


def test_json_schema_file_is_current() -> None:
    on_disk = json.loads((ROOT / "docs" / "plan-file.schema.json").read_text())
    assert on_disk == PlanFile.model_json_schema()


def test_every_seed_file_validates_against_the_json_schema() -> None:
    import jsonschema
    import yaml

    schema = json.loads((ROOT / "docs" / "plan-file.schema.json").read_text())
    for path in SEEDS_DIR.glob("*.yaml"):
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        jsonschema.validate(data, schema)


def test_plan_row_count(session: Session) -> None:
    make_tiny_plan(session)
    assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == 1
