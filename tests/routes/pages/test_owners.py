"""/plans/{slug}/owners: owners and dates of many rows set in one save, all or nothing."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.models import Department, HistoryEntry, Metric, Plan, Strategy
from app.models.strategy import StrategyCreate
from app.services.changes import strategies
from app.services.changes.history import Actor
from tests.factories import make_person, make_tiny_plan, signed_in_client
from tests.fuzz.page_inputs import ODD_VALUES

HX = {"HX-Request": "true"}
URL = "/plans/testville-service/owners"


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def admin(session: Session, tiny: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "boss", "admin"))


def form_of(page: str) -> dict[str, str]:
    """What the browser would send back: every input's and select's value."""
    soup = BeautifulSoup(page, "html.parser")
    form = soup.find("form", class_="owners-form")
    out: dict[str, str] = {}
    for field in form.find_all(["input", "select"]):
        if field.has_attr("disabled") or not field.get("name"):
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            out[field["name"]] = chosen.get("value", "")
        else:
            out[field["name"]] = field.get("value", "")
    return out


def strategy(session: Session, code: str) -> Strategy:
    session.expire_all()
    return session.exec(select(Strategy).where(Strategy.code == code)).one()


def entries(session: Session) -> int:
    return len(session.exec(select(HistoryEntry.id)).all())


def test_the_table_shows_every_row_grouped_by_focus_area(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, _ = admin
    page = client.get(URL)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    headings = [h.get_text(strip=True) for h in soup.select("#owners h2")]
    assert headings == ["1 Access", "No focus area"]  # FCR measures a standard
    s11 = strategy(session, "1.1")
    row = soup.find("tr", id=f"row-s{s11.id}")
    assert row.find("input", attrs={"name": f"s{s11.id}.planned_start"})["value"] == "2024-01-01"
    label = row.find("select", attrs={"name": f"s{s11.id}.department_id"})["aria-label"]
    assert label == "1.1 department"
    assert soup.find("tr", id=lambda v: v and v.startswith("row-m"))  # FCR's row


def test_a_plain_post_saves_the_changed_rows_and_redirects(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    fields = form_of(client.get(URL).text)
    s11, s12 = strategy(session, "1.1"), strategy(session, "1.2")
    versions = (s11.version, s12.version)
    fields[f"s{s11.id}.leads"] = "Ana Ruiz; Bo Chen"
    fields[f"s{s11.id}.update_cadence_days"] = "14"
    answer = client.post(URL, data=fields, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:500]
    assert "1%20row" in answer.headers["location"]
    after = strategy(session, "1.1")
    assert (after.leads, after.update_cadence_days, after.version) == (
        ["Ana Ruiz", "Bo Chen"], 14, versions[0] + 1
    )  # fmt: skip
    assert strategy(session, "1.2").version == versions[1]  # untouched: not written


def test_a_refused_row_is_marked_with_its_reason_and_the_typed_values_kept(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    fields = form_of(client.get(URL).text)
    s11, s12 = strategy(session, "1.1"), strategy(session, "1.2")
    before = entries(session)
    fields[f"s{s11.id}.leads"] = "Typed lead"
    fields[f"s{s12.id}.planned_start"] = "2025-06-01"
    fields[f"s{s12.id}.planned_end"] = "2025-01-01"
    answer = client.post(URL, data=fields, headers={"X-CSRF-Token": csrf, **HX})
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    bad = soup.find("tr", id=f"row-s{s12.id}")
    assert "row-refused" in bad["class"]
    end = bad.find("input", attrs={"name": f"s{s12.id}.planned_end"})
    assert end["aria-invalid"] == "true"
    reason = soup.find(id=end["aria-describedby"])
    assert "before the planned start" in reason.get_text()
    assert end["value"] == "2025-01-01"
    good = soup.find("tr", id=f"row-s{s11.id}")
    assert "row-refused" not in (good.get("class") or [])
    assert good.find("input", attrs={"name": f"s{s11.id}.leads"})["value"] == "Typed lead"
    assert "Nothing was saved" in answer.text
    assert strategy(session, "1.1").leads == s11.leads
    assert entries(session) == before


def test_a_row_saved_by_someone_else_meanwhile_is_not_overwritten(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    fields = form_of(client.get(URL).text)
    s11, s12 = strategy(session, "1.1"), strategy(session, "1.2")
    strategies.update_strategy(
        session=session,
        strategy=s12,
        data=strategies.StrategyUpdate(version=s12.version, leads=["Theirs"]),
        actor=Actor(name="other"),
    )
    session.commit()
    # 1.2 untouched on this page: the save goes through and leaves their change alone.
    fields[f"s{s11.id}.term"] = "long"
    answer = client.post(URL, data=fields, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert strategy(session, "1.2").leads == ["Theirs"]
    # 1.2 changed from the stale page: refused as a conflict, their values shown.
    fields[f"s{s12.id}.leads"] = "Mine"
    fields[f"s{s11.id}.term"] = "future"
    answer = client.post(URL, data=fields, headers={"X-CSRF-Token": csrf, **HX})
    assert answer.status_code == 409
    soup = BeautifulSoup(answer.text, "html.parser")
    row = soup.find("tr", id=f"row-s{s12.id}")
    assert "row-stale" in row["class"]
    assert row.find("input", attrs={"name": f"s{s12.id}.leads"})["value"] == "Theirs"
    assert strategy(session, "1.1").term == "long"


def test_a_lead_sees_other_departments_rows_read_only(session: Session, tiny: Plan) -> None:
    client, _ = signed_in_client(session, make_person(session, "cc", "lead", department="CC"))
    soup = BeautifulSoup(client.get(URL).text, "html.parser")
    s11, s12 = strategy(session, "1.1"), strategy(session, "1.2")
    assert not soup.find("input", attrs={"name": f"s{s11.id}.leads"}).has_attr("disabled")
    assert soup.find("input", attrs={"name": f"s{s12.id}.leads"}).has_attr("disabled")
    assert not soup.find("input", attrs={"name": f"s{s12.id}", "type": "hidden"})


def test_a_table_of_more_than_a_thousand_fields_saves(
    admin: tuple[TestClient, str], session: Session, tiny: Plan
) -> None:
    """150 strategies × 8 inputs: past Starlette's default of 1000 form fields."""
    pw = session.exec(select(Department).where(Department.code == "PW")).one()
    for n in range(150):
        strategies.create_strategy(
            session=session,
            plan=tiny,
            data=StrategyCreate(code=f"9.{n}", title=f"Bulk {n}", department_id=pw.id),
            actor=Actor(name="test"),
        )
    session.commit()
    client, csrf = admin
    fields = form_of(client.get(URL).text)
    assert len(fields) > 1000
    last = session.exec(select(Strategy).where(Strategy.code == "9.149")).one()
    fields[f"s{last.id}.leads"] = "Last lead"
    answer = client.post(URL, data=fields, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    assert strategy(session, "9.149").leads == ["Last lead"]
    session.expire_all()
    assert session.exec(select(Metric).where(col(Metric.code) == "FCR")).one().version == 1


@pytest.mark.parametrize("kind", sorted(ODD_VALUES))
def test_odd_values_in_every_cell_are_refused_in_place_and_save_nothing(
    admin: tuple[TestClient, str], session: Session, kind: str
) -> None:
    client, csrf = admin
    fields = form_of(client.get(URL).text)
    s11 = strategy(session, "1.1")
    version, before = s11.version, entries(session)
    odd = ODD_VALUES[kind]
    names = [n for n in fields if n.startswith(f"s{s11.id}.")]
    answer = client.post(
        URL, data={**fields, **{n: odd for n in names}}, headers={"X-CSRF-Token": csrf, **HX}
    )
    assert answer.status_code in (200, 422), answer.text[:300]
    if answer.status_code == 422:
        assert entries(session) == before
        assert strategy(session, "1.1").version == version


def test_a_refused_lead_name_is_shown_beside_the_leads_cell(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    fields = form_of(client.get(URL).text)
    s11 = strategy(session, "1.1")
    fields[f"s{s11.id}.leads"] = "Fine; " + "x" * 301
    answer = client.post(URL, data=fields, headers={"X-CSRF-Token": csrf, **HX})
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    leads = soup.find("input", attrs={"name": f"s{s11.id}.leads"})
    assert leads["aria-invalid"] == "true"
    assert "300" in soup.find(id=leads["aria-describedby"]).get_text()
