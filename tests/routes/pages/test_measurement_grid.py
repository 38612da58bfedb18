"""/plans/{slug}/measurements/grid: many values typed, pasted or uploaded, saved all or nothing."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.models import Department, Measurement, Metric, Plan
from app.models.metric import MetricCreate
from app.services.changes import metrics
from app.services.changes.history import Actor
from tests.factories import make_person, make_tiny_plan, signed_in_client
from tests.fuzz.page_inputs import ODD_VALUES

HX = {"HX-Request": "true"}
GRID = "/plans/testville-service/measurements/grid"
BASE = "/plans/testville-service/measurements"


@pytest.fixture
def tiny(session: Session) -> Plan:
    plan = make_tiny_plan(session)
    dept = session.exec(select(Department).where(Department.code == "PW")).one()
    metrics.create_metric(
        session=session,
        plan=plan,
        data=MetricCreate(
            code="POT",
            name='=HYPERLINK("x")',
            unit="count",
            direction="higher",
            department_id=dept.id,
        ),
        actor=Actor(name="test"),
    )
    session.commit()
    return plan


@pytest.fixture
def cc_lead(session: Session, tiny: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "cc-lead", "lead", department="CC"))


@pytest.fixture
def admin(session: Session, tiny: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "boss", "admin"))


def stored(session: Session) -> dict[tuple[str, str], float]:
    session.expire_all()
    rows = session.exec(
        select(Metric.code, Measurement.period, Measurement.value)
        .join(Metric, col(Metric.id) == Measurement.metric_id)
        .where(col(Measurement.archived_at).is_(None))
    ).all()
    return {(code, f"{period:%Y-%m}"): value for code, period, value in rows}


def this_month(back: int = 0) -> str:
    today = dt.date.today().replace(day=1)
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12}-{index % 12 + 1:02d}"


def test_the_grid_shows_metrics_as_rows_and_twelve_months(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, _ = admin
    page = client.get(GRID)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    table = soup.find("table", class_="grid-table")
    assert len(table.find("thead").find_all("th")) == 13
    assert soup.find("input", attrs={"name": f"v:FCR|{this_month()}"}) is not None
    only_pw = BeautifulSoup(client.get(GRID + "?department=PW").text, "html.parser")
    assert only_pw.find("input", attrs={"name": f"v:POT|{this_month()}"}) is not None
    assert only_pw.find("input", attrs={"name": f"v:FCR|{this_month()}"}) is None
    assert client.get(GRID + "?department=NOPE").status_code == 404


def test_a_block_with_one_bad_cell_stores_nothing_and_marks_the_cell(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    before = stored(session)
    bad = f"v:FCR|{this_month(1)}"
    answer = client.post(
        GRID,
        data={f"v:FCR|{this_month(2)}": "70,5", bad: "150", f"v:POT|{this_month(2)}": "12"},
        headers={"X-CSRF-Token": csrf, **HX},
    )
    assert answer.status_code == 422
    assert stored(session) == before
    soup = BeautifulSoup(answer.text, "html.parser")
    cell = soup.find("input", attrs={"name": bad})
    assert cell["aria-invalid"] == "true" and cell["value"] == "150"
    assert "outside the range" in soup.find(id=cell["aria-describedby"]).get_text()
    kept = soup.find("input", attrs={"name": f"v:FCR|{this_month(2)}"})
    assert kept["value"] == "70,5" and kept.get("aria-invalid") is None


def test_a_good_block_is_saved_and_without_js_answers_303(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    answer = client.post(
        GRID,
        data={"csrf_token": csrf, f"v:FCR|{this_month(2)}": "70,5", f"v:POT|{this_month(1)}": "12"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert stored(session)[("FCR", this_month(2))] == 70.5
    assert "2 value(s) recorded" in client.get(answer.headers["location"]).text


def test_a_lead_cannot_record_another_departments_metric_through_the_grid(
    cc_lead: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = cc_lead
    before = stored(session)
    answer = client.post(
        GRID,
        data={f"v:FCR|{this_month(1)}": "70", f"v:POT|{this_month(1)}": "3"},
        headers={"X-CSRF-Token": csrf, **HX},
    )
    assert answer.status_code == 403
    assert "Public Works" in answer.text
    assert stored(session) == before
    soup = BeautifulSoup(client.get(GRID).text, "html.parser")
    assert soup.find("input", attrs={"name": f"v:POT|{this_month(1)}"}) is None  # read only


def test_a_changed_value_is_a_correction_and_a_stale_one_is_refused(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    answer = client.post(GRID, data={"v:FCR|2025-06|1": "84"}, headers={"X-CSRF-Token": csrf, **HX})
    assert answer.status_code == 200 and "1 corrected" in answer.text
    stale = client.post(GRID, data={"v:FCR|2025-06|1": "85"}, headers={"X-CSRF-Token": csrf, **HX})
    assert stale.status_code == 422
    assert "since you loaded it (now 84%)" in stale.text
    assert stored(session)[("FCR", "2025-06")] == 84


def upload(client: TestClient, csrf: str, name: str, data: bytes):  # noqa: ANN201
    return client.post(
        BASE + "/upload", files={"file": (name, data)}, headers={"X-CSRF-Token": csrf, **HX}
    )


def test_upload_errors_name_row_and_column_and_store_nothing(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    before = stored(session)
    csv_text = (
        "metric code,period,value,note\n"
        f"FCR,{this_month(1)},71,ok\n"
        f"FCR,{this_month(2)},=1+1,formula\n"
        f"POT,2025-13,4,\n"
    )
    answer = upload(client, csrf, "values.csv", csv_text.encode())
    assert answer.status_code == 422
    text = BeautifulSoup(answer.text, "html.parser").find(id="upload-errors").get_text(" ")
    assert "line 3, value: Enter a number" in text
    assert "line 4, period: '2025-13' is not a month" in text
    assert stored(session) == before


def test_an_xlsx_upload_is_saved_and_a_formula_is_a_plain_value(
    admin: tuple[TestClient, str], session: Session
) -> None:
    client, csrf = admin
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["metric code", "period", "value", "note"])
    sheet.append(["FCR", this_month(1), 72.5, '=HYPERLINK("http://x")'])
    sheet.append(["POT", this_month(1), 7, None])
    out = io.BytesIO()
    book.save(out)
    answer = upload(client, csrf, "values.xlsx", out.getvalue())
    assert answer.status_code == 200, answer.text
    assert stored(session)[("FCR", this_month(1))] == 72.5
    note = session.exec(select(Measurement.note).where(Measurement.value == 72.5)).one()
    assert note == '=HYPERLINK("http://x")'  # kept as text, never evaluated
    sheet.append(["POT", this_month(2), "=A1*2", None])
    out = io.BytesIO()
    book.save(out)
    refused = upload(client, csrf, "values.xlsx", out.getvalue())
    assert refused.status_code == 422 and "line 4, value" in refused.text


def test_the_templates_list_the_plans_metrics_and_never_a_formula(
    admin: tuple[TestClient, str],
) -> None:
    client, _ = admin
    csv_answer = client.get(BASE + "/template.csv")
    assert csv_answer.status_code == 200
    lines = csv_answer.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "metric code,period,value,note,metric name,unit"
    assert lines[1].startswith("FCR,")
    assert "'=HYPERLINK" in lines[2]
    xlsx = client.get(BASE + "/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][0] == "POT"
    assert book.active.cell(row=3, column=5).data_type == "s"


def test_the_scorecard_and_my_work_link_the_grid_for_people_who_record(
    cc_lead: tuple[TestClient, str], session: Session
) -> None:
    client, _ = cc_lead
    scorecard = BeautifulSoup(client.get("/plans/testville-service/scorecard").text, "html.parser")
    assert scorecard.find("a", class_="grid-link")["href"] == GRID
    work = BeautifulSoup(client.get("/my-work?department=CC").text, "html.parser")
    assert work.find("a", class_="grid-link")["href"] == GRID + "?department=CC"
    viewer, _ = signed_in_client(session, make_person(session, "reader", "viewer"))
    page = BeautifulSoup(viewer.get("/plans/testville-service/scorecard").text, "html.parser")
    assert page.find("a", class_="grid-link") is None


@pytest.mark.parametrize("kind", sorted(ODD_VALUES))
def test_odd_cells_are_refused_in_place_and_store_nothing(
    admin: tuple[TestClient, str], session: Session, kind: str
) -> None:
    client, csrf = admin
    before = stored(session)
    odd = ODD_VALUES[kind]
    answer = client.post(
        GRID,
        data={
            f"v:FCR|{this_month(1)}": odd,
            f"v:FCR|{odd}": "70",
            f"v:POT|{this_month(1)}|{odd}": "3",
            "note": odd,
        },
        headers={"X-CSRF-Token": csrf, **HX},
    )
    assert answer.status_code in (200, 400, 422), answer.text[:300]
    if answer.status_code != 200:
        assert stored(session) == before
    csv_text = f"metric code,period,value,note\nFCR,{this_month(1)},70,{odd}\n{odd},{odd},{odd},\n"
    uploaded = upload(client, csrf, "odd.csv", csv_text.encode())
    assert uploaded.status_code in (200, 422), uploaded.text[:300]
