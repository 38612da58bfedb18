"""A reminder's link to an item on My work (`/my-work?item=strategy-12`): signed in, the page that
holds the item; signed out, the sign-in page, which leads back to it. Anything else in `item` is
ignored."""

from __future__ import annotations

from urllib.parse import unquote

from sqlmodel import Session, select

from app.models import Strategy
from app.models.enums import Role
from tests.factories import make_person, make_tiny_plan, signed_in_client


def test_the_link_opens_the_item_or_signs_in_first(session: Session) -> None:
    make_tiny_plan(session)
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    key = f"strategy-{strategy.id}"
    anonymous, _ = signed_in_client(session, None)
    away = anonymous.get(f"/my-work?item={key}", follow_redirects=False)
    assert away.status_code == 303
    assert unquote(away.headers["location"]) == f"/login?next=/my-work?item={key}#{key}"
    odd = anonymous.get("/my-work?item=<script>", follow_redirects=False)
    assert unquote(odd.headers["location"]) == "/login?next=/my-work"
    lead, _ = signed_in_client(session, make_person(session, "cc-lead", Role.lead, department="CC"))
    page = lead.get(f"/my-work?item={key}")
    assert page.status_code == 200 and f'id="{key}"' in page.text
