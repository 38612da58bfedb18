"""Internal narratives and notes over the JSON API: the public reads a published plan's KPIs and
progress, never its internal narrative (PRODUCT.md, "Who uses it"). Narratives of strategies,
quick wins and focus areas, and measurement notes, come back null for anonymous readers and for
people of another organisation; the organisation's people (a viewer is enough) and administrators
read them as stored (`permissions.can_read_internal`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.models import FocusArea, Measurement, Plan, QuickWin, Strategy, User
from app.models.enums import Role
from tests.factories import app_under_test, make_person
from tests.routes.api.conftest import API, Ids, People

Client = Callable[[User], TestClient]

STRATEGY_NARRATIVE = "Vendor contract stalled in legal"
QUICK_WIN_NARRATIVE = "Only two bilingual agents left"
FOCUS_AREA_NARRATIVE = "Budget for interpreters not approved"
MEASUREMENT_NOTE = "Figure estimated: the phone system was down"
TREE = f"{API}/plans/testville-service/tree"


@pytest.fixture
def internal(session: Session, plan: Plan, ids: Ids) -> Ids:
    """The tiny (published) plan with a narrative on strategy 1.1, quick win 1 and focus area 1,
    and a note on every measurement of FCR."""
    session.execute(
        update(Strategy).where(col(Strategy.id) == ids.s11).values(narrative=STRATEGY_NARRATIVE)
    )
    session.execute(
        update(QuickWin).where(col(QuickWin.id) == ids.qw1).values(narrative=QUICK_WIN_NARRATIVE)
    )
    session.execute(
        update(FocusArea)
        .where(col(FocusArea.id) == ids.fa_access)
        .values(narrative=FOCUS_AREA_NARRATIVE)
    )
    session.execute(
        update(Measurement)
        .where(col(Measurement.metric_id) == ids.fcr)
        .values(note=MEASUREMENT_NOTE)
    )
    session.commit()
    assert plan.published
    return ids


def _measurement_id(session: Session, ids: Ids) -> int:
    first = session.exec(
        select(Measurement.id).where(Measurement.metric_id == ids.fcr).order_by(Measurement.period)
    ).first()
    assert first is not None
    return first


def _item(client: TestClient, url: str) -> dict[str, Any]:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _listed(client: TestClient, url: str, item_id: int) -> dict[str, Any]:
    page = _item(client, url)
    items: list[dict[str, Any]] = page["items"]
    (item,) = [i for i in items if i["id"] == item_id]
    return item


def _readings(session: Session, client: TestClient, ids: Ids) -> dict[str, Any]:
    """What `client` reads of every internal field, through every GET that carries one."""
    measurement = _measurement_id(session, ids)
    tree = _item(client, TREE)
    (access,) = [f for f in tree["focus_areas"] if f["id"] == ids.fa_access]
    (tree_strategy,) = [s for s in access["strategies"] if s["id"] == ids.s11]
    (tree_quick_win,) = [q for q in tree["quick_wins"] if q["id"] == ids.qw1]
    return {
        "strategy": _item(client, f"{API}/strategies/{ids.s11}")["narrative"],
        "strategies": _listed(client, f"{API}/strategies?plan=testville-service", ids.s11)[
            "narrative"
        ],
        "quick win": _item(client, f"{API}/quick-wins/{ids.qw1}")["narrative"],
        "quick wins": _listed(client, f"{API}/quick-wins?plan=testville-service", ids.qw1)[
            "narrative"
        ],
        "focus area": _item(client, f"{API}/focus-areas/{ids.fa_access}")["narrative"],
        "focus areas": _listed(client, f"{API}/focus-areas", ids.fa_access)["narrative"],
        "measurement": _item(client, f"{API}/measurements/{measurement}")["note"],
        "measurements": _listed(client, f"{API}/metrics/{ids.fcr}/measurements", measurement)[
            "note"
        ],
        "tree: strategy": tree_strategy["narrative"],
        "tree: quick win": tree_quick_win["narrative"],
        "tree: focus area": access["narrative"],
    }


AS_STORED = {
    "strategy": STRATEGY_NARRATIVE,
    "strategies": STRATEGY_NARRATIVE,
    "quick win": QUICK_WIN_NARRATIVE,
    "quick wins": QUICK_WIN_NARRATIVE,
    "focus area": FOCUS_AREA_NARRATIVE,
    "focus areas": FOCUS_AREA_NARRATIVE,
    "measurement": MEASUREMENT_NOTE,
    "measurements": MEASUREMENT_NOTE,
    "tree: strategy": STRATEGY_NARRATIVE,
    "tree: quick win": QUICK_WIN_NARRATIVE,
    "tree: focus area": FOCUS_AREA_NARRATIVE,
}
HIDDEN = dict.fromkeys(AS_STORED)


def test_anonymous_readers_of_a_published_plan_get_null(
    session: Session, internal: Ids, anonymous: TestClient
) -> None:
    assert _readings(session, anonymous, internal) == HIDDEN


def test_people_of_another_organisation_get_null(
    session: Session, internal: Ids, other_plan: Plan, client_for: Client
) -> None:
    outsider = make_person(session, "otto-outsider", Role.coordinator, organization="otherton")
    assert _readings(session, client_for(outsider), internal) == HIDDEN


@pytest.mark.parametrize("who", ["viewer", "coordinator", "admin"])
def test_the_organisations_people_and_admins_read_them(
    session: Session, internal: Ids, people: People, client_for: Client, who: str
) -> None:
    assert _readings(session, client_for(getattr(people, who)), internal) == AS_STORED


def test_a_deactivated_person_of_the_organisation_gets_null(
    session: Session, internal: Ids, people: People, client_for: Client
) -> None:
    client = client_for(people.viewer)  # the token is made while the account is active
    people.viewer.active = False
    session.add(people.viewer)
    session.commit()
    answer = client.get(f"{API}/strategies/{internal.s11}")
    # However the API treats a deactivated account's token, it never answers the narrative.
    assert answer.status_code != 200 or answer.json()["narrative"] is None


def test_the_tree_etag_differs_for_readers_without_the_narratives(
    session: Session, internal: Ids, people: People, anonymous: TestClient, client_for: Client
) -> None:
    """A client holding the public tree's ETag who then signs in gets the narratives, not 304."""
    public = anonymous.get(TREE)
    viewer = client_for(people.viewer)
    again = viewer.get(TREE, headers={"If-None-Match": public.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != public.headers["ETag"]
    assert STRATEGY_NARRATIVE in again.text and STRATEGY_NARRATIVE not in public.text
    # Each still gets 304 for its own ETag.
    assert anonymous.get(TREE, headers={"If-None-Match": public.headers["ETag"]}).status_code == 304
    assert viewer.get(TREE, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_no_narrative_text_anywhere_in_the_public_answers(
    session: Session, internal: Ids, anonymous: TestClient
) -> None:
    """Not only the `narrative` field: the text appears nowhere in what the public is answered."""
    measurement = _measurement_id(session, internal)
    urls = [
        TREE,
        f"{API}/strategies",
        f"{API}/strategies/{internal.s11}",
        f"{API}/quick-wins",
        f"{API}/quick-wins/{internal.qw1}",
        f"{API}/focus-areas",
        f"{API}/focus-areas/{internal.fa_access}",
        f"{API}/metrics/{internal.fcr}/measurements",
        f"{API}/measurements/{measurement}",
    ]
    for url in urls:
        body = anonymous.get(url).text
        for text in (STRATEGY_NARRATIVE, QUICK_WIN_NARRATIVE, FOCUS_AREA_NARRATIVE):
            assert text not in body, url
        assert MEASUREMENT_NOTE not in body, url


def test_the_schema_says_when_the_fields_are_null() -> None:
    schemas = app_under_test().openapi()["components"]["schemas"]
    wanted = (
        "null when the reader may not see internal narratives: "
        "anonymous readers of a published plan"
    )
    for name, fld in [
        ("StrategyRead", "narrative"),
        ("QuickWinRead", "narrative"),
        ("FocusAreaRead", "narrative"),
        ("MeasurementRead", "note"),
        ("StrategyOut", "narrative"),
        ("QuickWinOut", "narrative"),
        ("FocusAreaOut", "narrative"),
    ]:
        assert wanted in schemas[name]["properties"][fld]["description"], name
