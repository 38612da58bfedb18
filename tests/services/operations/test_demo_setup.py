"""Demo mode gives the SJ311 lead recommendation 3.1, visibly, and only once."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.main import app
from app.models import Department, HistoryEntry, Strategy
from app.services.plan_file.importing import import_plan_path
from tests.factories import SEEDS_DIR


def test_demo_users_assign_recommendation_3_1_to_sj311(session: Session) -> None:
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    first = CliRunner().invoke(app, ["demo-users"])
    assert first.exit_code == 0, first.output
    assert "demo ownership: Recommendation 3.1 → SJ311" in first.output
    session.expire_all()
    strategy = session.exec(select(Strategy).where(Strategy.code == "3.1")).scalars().one()
    dept = session.get(Department, strategy.department_id)
    assert dept.code == "SJ311"
    entry = (
        session.exec(
            select(HistoryEntry).where(
                HistoryEntry.subject_type == "strategy", HistoryEntry.subject_id == strategy.id
            )
        )
        .scalars()
        .one()
    )
    assert entry.note.startswith("Demo mode:") and entry.actor_name == "demo setup"
    again = CliRunner().invoke(app, ["demo-users"])
    assert again.exit_code == 0 and "demo ownership" not in again.output
