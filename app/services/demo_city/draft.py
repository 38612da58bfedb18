"""The city while it is being generated: its settings, its random source and its rows.

Every part of the generator draws from the one `rng`, in a fixed order: that order is what makes
a seed give the same city every time, so a change to what is drawn, or when, changes the output.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlmodel import Session

from app.services.demo_city.calendar import moment
from app.services.demo_city.rows import MODELS, Ids, move_sequences, write
from app.services.demo_city.sizes import HISTORY_DAYS
from app.services.demo_city.vocabulary import FIRST_NAMES, LAST_NAMES


class CityDraft:
    org_id: int  # set once the organisation row is added

    def __init__(
        self, *, session: Session, scale: float, seed: int, today: dt.date, slug: str
    ) -> None:
        self.session = session
        self.scale = scale
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        self.slug = slug
        self.created = moment(today - dt.timedelta(days=HISTORY_DAYS + 30), random.Random(seed))
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.tables = {m.__tablename__: m.__table__ for m in MODELS}  # type: ignore[attr-defined]
        self.ids = Ids(session, [t for name, t in self.tables.items() if name != "strategy_goal"])

    def add(self, model: type, **values: Any) -> int | None:
        """A row of `model`, held until `write`: its id is taken here, and its timestamps, version
        and archived_at default to a generated row's (created before the history begins)."""
        table = self.tables[model.__tablename__]  # type: ignore[attr-defined]
        if "id" in table.c and "id" not in values:
            values["id"] = self.ids.take(table)
        if "created_at" in table.c:
            values.setdefault("created_at", self.created)
            values.setdefault("updated_at", values["created_at"])
        if "version" in table.c:
            values.setdefault("version", 1)
            values.setdefault("archived_at", None)
        self.rows.setdefault(table.name, []).append(values)
        return values.get("id")

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def write(self) -> None:
        """Put every row in the database (in the caller's transaction)."""
        for name, table in self.tables.items():
            write(self.session, table, self.rows.get(name, []))
        move_sequences(self.session, self.tables)
