"""Building a city: a fresh database filled by `plantrack demo-data`, and its benchmark people."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.databases import Databases, size_mb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED = 1


# --- the machine --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import sqlalchemy
    import uvicorn

    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "SQLAlchemy": sqlalchemy.__version__,
        "uvicorn": uvicorn.__version__,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at the start (1, 5, 15 min)": _load(),
    }


def _load() -> str:
    """Other work on the machine skews every figure: the load average says how much there was."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# --- setting up a city --------------------------------------------------------------------------


@dataclass
class City:
    scale: float
    folder: Path
    database_url: str
    generation_seconds: float
    generation_output: str
    slug: str = ""
    department: str = ""
    cookies: dict[str, str] = field(default_factory=dict)  # who -> cookie header
    csrf: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token | lead_token -> API token
    strategies: dict[str, list[int]] = field(default_factory=dict)  # who -> editable strategies
    metrics: dict[str, list[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    size_mb: float = 0.0
    database: str = "sqlite"  # sqlite | postgresql (bench.databases)


def _env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "ENVIRONMENT": "development"}
    # This checkout's `app` first: an installed `plantrack` script imports the package it was
    # installed from, which in a second worktree sharing a virtualenv is another checkout's code.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    env.pop("DEMO_MODE", None)
    return env


def _point_app_at(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ENVIRONMENT"] = "development"
    from app.db import reset_engine
    from app.settings import get_settings

    get_settings.cache_clear()
    reset_engine()


def build_city(
    scale: float, workdir: Path, database: str = "sqlite", databases: Databases | None = None
) -> City:
    """A fresh database for `scale` (a SQLite file in `workdir`, or a new database on the run's
    PostgreSQL server), migrated and filled by the same commands a deployment runs."""
    folder = workdir / (
        f"scale-{scale:g}" if database == "sqlite" else f"{database}-scale-{scale:g}"
    )
    folder.mkdir(parents=True)
    if databases is None and database != "sqlite":
        raise ValueError("a PostgreSQL city needs the run's Databases (its server)")
    url = (databases or Databases()).url(database, scale, folder)
    env = _env(url)
    subprocess.run(
        [str(BIN / "plantrack"), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "plantrack"), "demo-data", "--scale", f"{scale:g}", "--seed", str(SEED)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    city = City(
        scale, folder, url, time.perf_counter() - started, done.stdout.strip(), database=database
    )
    match = re.search(r"largest plan: (\S+); busiest department: (\S+)", done.stdout)
    assert match, done.stdout
    city.slug, city.department = match.group(1), match.group(2)
    _point_app_at(url)
    _people(city)
    city.size_mb = size_mb(url)
    return city


def _people(city: City) -> None:
    """Sessions and a token for the generated coordinator and the busiest department's lead."""
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from app.auth import SESSION_COOKIE, session_cookie_value
    from app.db import get_engine
    from app.models import Department, Metric, Organization, Plan, Strategy, User
    from app.models import __all__ as tables
    from app.services.accounts import api_tokens, browser_sessions
    from app.services.demo_city.generator import organization_slug

    org_slug = organization_slug(SEED)
    with Session(get_engine(), expire_on_commit=False) as session:
        org = session.exec(select(Organization).where(Organization.slug == org_slug)).one()
        dept = session.exec(
            select(Department).where(
                Department.organization_id == org.id, Department.code == city.department
            )
        ).one()
        people = {
            "coordinator": session.exec(
                select(User).where(User.username == f"{org_slug}-coordinator-1")
            ).one(),
            "lead": session.exec(
                select(User).where(User.role == "lead", User.department_id == dept.id)
            ).one(),
        }
        for who, user in people.items():
            started = browser_sessions.start_session(session=session, user=user)
            city.cookies[who] = f"{SESSION_COOKIE}={session_cookie_value(started.token)}"
            city.csrf[who] = started.csrf_token
        _, city.tokens["token"] = api_tokens.create_api_token(
            session=session, user=people["coordinator"], name="benchmark"
        )
        _, city.tokens["lead_token"] = api_tokens.create_api_token(
            session=session, user=people["lead"], name="benchmark"
        )
        session.commit()
        plan_ids = [p for p in session.exec(select(Plan.id).where(Plan.organization_id == org.id))]
        live = col(Strategy.archived_at).is_(None)
        city.strategies["token"] = list(
            session.exec(
                select(Strategy.id)
                .where(col(Strategy.plan_id).in_(plan_ids), live, Strategy.status != "complete")
                .order_by(Strategy.id)
            )
        )
        city.strategies["lead"] = city.strategies["lead_token"] = list(
            session.exec(
                select(Strategy.id)
                .where(Strategy.department_id == dept.id, live, Strategy.status != "complete")
                .order_by(Strategy.id)
            )
        )
        metric_live = col(Metric.archived_at).is_(None)
        city.metrics["token"] = list(
            session.exec(
                select(Metric.id)
                .where(col(Metric.plan_id).in_(plan_ids), metric_live)
                .order_by(Metric.id)
            )
        )
        city.metrics["lead"] = city.metrics["lead_token"] = list(
            session.exec(
                select(Metric.id)
                .where(Metric.department_id == dept.id, metric_live)
                .order_by(Metric.id)
            )
        )
        import app.models as models

        for name in tables:
            model = getattr(models, name)
            if hasattr(model, "__table__"):
                city.counts[model.__tablename__] = session.exec(
                    select(func.count()).select_from(model)
                ).one()
