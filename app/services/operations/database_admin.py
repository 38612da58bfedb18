"""Migrating the schema and loading the seed plans (used by the CLI, `make run` and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from app.models import Plan
from app.services.changes.history import Actor
from app.services.plan_file.importing import import_plan_path
from app.settings import ROOT


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade_database(database_url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def seed_files(seeds_dir: Path) -> list[Path]:
    return sorted(seeds_dir.glob("*.yaml"))


def load_seeds(*, session: Session, seeds_dir: Path) -> list[str]:
    """Import every seed plan not yet present (safe to run twice). Returns the slugs loaded.

    Each file is its own transaction, so one refused file does not undo the others.
    """
    loaded: list[str] = []
    existing = set(session.exec(select(Plan.slug)).all())
    actor = Actor(name="seed")
    heads = {path: _plan_of(path) for path in seed_files(seeds_dir)}
    # A plan naming a programme after the plans that name none, so the programme is there first
    # whatever the files are called.
    ordered = sorted(heads, key=lambda path: bool(heads[path].get("programme")))
    for path in ordered:
        slug = heads[path].get("slug")
        if slug in existing:
            continue
        plan = import_plan_path(session=session, path=path, actor=actor)
        session.commit()
        loaded.append(plan.slug)
    return loaded


def _plan_of(path: Path) -> dict[str, object]:
    """The `plan:` mapping of a file (its slug, its programme), read cheaply so an already-loaded
    seed is not re-validated."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = data.get("plan") if isinstance(data, dict) else None
    return plan if isinstance(plan, dict) else {}
