"""The public site and its open data (issue 12), through the real app over HTTP: every page of
San José's plan renders; nothing internal (a narrative, a note, a person's name, an internal
metric, an unpublished plan) is in any public answer; the answers are cacheable and the same for
staff; the open data's contents, types and JSON-LD."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.auth import actor_for
from app.models import FocusArea, Measurement, Metric, MetricTarget, Plan, QuickWin, Strategy
from app.models.strategy import ProgressUpdateIn
from app.services.changes import strategies
from app.services.plan_file.importing import import_plan_path
from tests.factories import SEEDS_DIR, import_unpublished_seed, make_person, signed_in_client

ORG = "/public/san-jose"
BASE = "/public/san-jose/san-jose-customer-service"
SECRETS = {
    "narrative": "NARRATIVE-SECRET-7731",
    "note": "NOTE-SECRET-7731",
    "measurement note": "MEASURE-NOTE-SECRET-7731",
    "focus area narrative": "FA-NARRATIVE-SECRET-7731",
    "quick win narrative": "QW-NARRATIVE-SECRET-7731",
    "internal metric": "INTERNAL-METRIC-SECRET-7731",
    "person": "Zelda Secretname",
    "lead": "Lead-Secret-Person-7731",
}


@pytest.fixture
def san_jose(session: Session) -> Plan:
    """San José's plan with a secret of every kind, and values and targets to publish."""
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    plan = session.exec(select(Plan).where(Plan.slug == "san-jose-customer-service")).one()
    lead = make_person(session, "zelda-secretname", "coordinator", organization="san-jose")
    first = session.exec(
        select(Strategy).where(Strategy.plan_id == plan.id).order_by(Strategy.id)
    ).first()
    assert first is not None
    first.leads = [SECRETS["lead"]]
    session.add(first)
    session.commit()
    strategies.record_strategy_progress(
        session=session,
        strategy=first,
        data=ProgressUpdateIn(
            version=first.version,
            status="at_risk",
            progress=40,
            narrative=SECRETS["narrative"],
            note=SECRETS["note"],
        ),
        actor=actor_for(lead),
    )
    for fa in session.exec(select(FocusArea).where(FocusArea.plan_id == plan.id)):
        fa.narrative = SECRETS["focus area narrative"]
        session.add(fa)
    for qw in session.exec(select(QuickWin).where(QuickWin.plan_id == plan.id)):
        qw.narrative = SECRETS["quick win narrative"]
        session.add(qw)
    vision = session.exec(select(Metric).where(Metric.plan_id == plan.id, Metric.code == "V")).one()
    hidden = session.exec(
        select(Metric).where(Metric.plan_id == plan.id, Metric.code == "S4-LT")
    ).one()
    hidden.internal = True
    hidden.name = SECRETS["internal metric"]
    session.add(hidden)
    for metric in (vision, hidden):
        session.add(MetricTarget(metric_id=metric.id, value=80, comparator="at_least", label="80%"))
        for n, value in enumerate((70.5, 75.0, 82.0)):
            session.add(
                Measurement(
                    metric_id=metric.id,
                    period=dt.date(2025, 1 + 3 * n, 1),
                    value=value,
                    note=SECRETS["measurement note"],
                    entered_by_id=lead.id,
                )
            )
    session.commit()
    return plan


def public_urls(session: Session, plan: Plan) -> list[str]:
    areas = session.exec(select(FocusArea.code).where(FocusArea.plan_id == plan.id)).all()
    codes = session.exec(select(Strategy.code).where(Strategy.plan_id == plan.id)).all()
    return [
        ORG,
        f"{ORG}/dcat.json",
        BASE,
        f"{BASE}/measures",
        f"{BASE}/roadmap",
        f"{BASE}/quick-wins",
        f"{BASE}/changes",
        f"{BASE}/data-dictionary",
        f"{BASE}/data-dictionary.json",
        f"{BASE}/metrics.csv",
        f"{BASE}/metrics.json",
        *[f"{BASE}/focus-areas/{code}" for code in areas],
        *[f"{BASE}/strategies/{code}" for code in codes],
    ]


def test_every_public_page_renders_and_nothing_internal_is_in_any(
    session: Session, san_jose: Plan
) -> None:
    import_unpublished_seed(session, "mississauga.yaml")
    unpublished = session.exec(select(Plan).where(Plan.published == False)).one()  # noqa: E712
    anonymous, _ = signed_in_client(session, None)
    urls = public_urls(session, san_jose)
    assert len(urls) > 20  # every focus area and every strategy of the plan
    for url in urls:
        answer = anonymous.get(url)
        assert answer.status_code == 200, url
        for what, secret in SECRETS.items():
            assert secret not in answer.text, f"{what} on {url}"
        assert unpublished.title not in answer.text, url
    # The secrets are there to be found: staff pages show them.
    staff, _ = signed_in_client(
        session, make_person(session, "sj-coord", "coordinator", organization="san-jose")
    )
    first = session.exec(
        select(Strategy.code).where(Strategy.plan_id == san_jose.id).order_by(Strategy.id)
    ).first()
    assert SECRETS["narrative"] in staff.get(f"/plans/{san_jose.slug}/strategies/{first}").text
    assert SECRETS["internal metric"] in staff.get(f"/plans/{san_jose.slug}/scorecard").text


def test_a_strategy_page_lists_every_step_and_the_public_update_slot(
    session: Session, san_jose: Plan
) -> None:
    node = session.exec(
        select(Strategy).where(Strategy.plan_id == san_jose.id).order_by(Strategy.id)
    ).first()
    assert node is not None
    anonymous, _ = signed_in_client(session, None)
    soup = BeautifulSoup(anonymous.get(f"{BASE}/strategies/{node.code}").text, "html.parser")
    assert node.title in soup.get_text(" ")
    status = soup.select_one("main .status")
    assert status is not None and status.get_text(strip=True) == "At risk"
    assert soup.select_one("progress")["value"] == "40"  # type: ignore[index]


def test_the_dashboard_shows_counts_areas_and_charts_with_target_lines(
    session: Session, san_jose: Plan
) -> None:
    anonymous, _ = signed_in_client(session, None)
    soup = BeautifulSoup(anonymous.get(BASE).text, "html.parser")
    assert soup.select(".distribution li")
    areas = session.exec(select(FocusArea).where(FocusArea.plan_id == san_jose.id)).all()
    links = {a["href"] for a in soup.select("main table a")}
    assert {f"{BASE}/focus-areas/{fa.code}" for fa in areas} <= links
    charts = soup.select("svg.report-chart")
    assert len(charts) == 1  # the vision measure, the one with values
    assert charts[0].select_one("path.chart-target") is not None
    assert len(charts[0].select("circle")) == 3


def test_unpublished_draft_and_unknown_plans_are_not_found(
    session: Session, san_jose: Plan
) -> None:
    plan = import_unpublished_seed(session, "mississauga.yaml")
    org_slug = session.exec(select(Plan).where(Plan.id == plan.id)).one().organization_id
    from app.models import Organization

    org = session.get(Organization, org_slug)
    assert org is not None
    anonymous, _ = signed_in_client(session, None)
    for url in (
        f"/public/{org.slug}",
        f"/public/{org.slug}/dcat.json",
        f"/public/{org.slug}/{plan.slug}",
        f"/public/{org.slug}/{plan.slug}/metrics.csv",
        f"/public/san-jose/{plan.slug}",  # another organisation's plan
        f"{BASE}/strategies/NOPE",
        f"{BASE}/focus-areas/NOPE",
    ):
        assert anonymous.get(url).status_code == 404, url
    san_jose.status = "draft"
    session.add(san_jose)
    session.commit()
    assert anonymous.get(BASE).status_code == 404
    assert anonymous.get(f"{BASE}/metrics.json").status_code == 404


def test_answers_are_cacheable_and_the_same_for_staff(session: Session, san_jose: Plan) -> None:
    anonymous, _ = signed_in_client(session, None)
    staff, _ = signed_in_client(
        session, make_person(session, "sj-coord", "coordinator", organization="san-jose")
    )
    for url in (ORG, BASE, f"{BASE}/roadmap", f"{BASE}/metrics.csv", f"{ORG}/dcat.json"):
        public, signed = anonymous.get(url), staff.get(url)
        assert public.headers["cache-control"] == "public, max-age=300", url
        assert signed.headers["cache-control"] == "public, max-age=300", url
        assert public.text == signed.text, url
        assert public.headers["etag"] == signed.headers["etag"], url
        assert "set-cookie" not in public.headers
        # The same for everyone, so a shared cache keeps one copy, not one per cookie.
        assert "cookie" not in public.headers.get("vary", "").lower(), url
        assert "cookie" not in signed.headers.get("vary", "").lower(), url


def test_if_none_match_gives_304_until_a_write(session: Session, san_jose: Plan) -> None:
    anonymous, _ = signed_in_client(session, None)
    first = anonymous.get(BASE)
    etag = first.headers["etag"]
    again = anonymous.get(BASE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "public, max-age=300"
    csv_tag = anonymous.get(f"{BASE}/metrics.csv").headers["etag"]
    assert csv_tag != etag  # each answer its own tag
    item = session.exec(
        select(Strategy).where(Strategy.plan_id == san_jose.id).order_by(Strategy.id.desc())  # type: ignore[union-attr]
    ).first()
    assert item is not None
    strategies.record_strategy_progress(
        session=session,
        strategy=item,
        data=ProgressUpdateIn(version=item.version, status="on_track", progress=55),
        actor=actor_for(make_person(session, "sj-c2", "coordinator", organization="san-jose")),
    )
    session.commit()
    after = anonymous.get(BASE, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert (
        anonymous.get(f"{BASE}/metrics.csv", headers={"If-None-Match": csv_tag}).status_code == 200
    )


def test_what_changed_this_quarter_lists_status_and_progress_only(
    session: Session, san_jose: Plan
) -> None:
    anonymous, _ = signed_in_client(session, None)
    soup = BeautifulSoup(anonymous.get(f"{BASE}/changes").text, "html.parser")
    text = " ".join(soup.get_text(" ").split())
    assert "Status: Not started → At risk" in text
    assert "Progress: 0% → 40%" in text


def test_csv_and_json_hold_public_metrics_in_long_format(session: Session, san_jose: Plan) -> None:
    anonymous, _ = signed_in_client(session, None)
    answer = anonymous.get(f"{BASE}/metrics.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["metric_code"] for r in rows} == {"V"}
    assert [(r["record"], r["date"], r["value"]) for r in rows] == [
        ("target", "", "80"),
        ("measurement", "2025-01-01", "70.5"),
        ("measurement", "2025-04-01", "75"),
        ("measurement", "2025-07-01", "82"),
    ]
    assert rows[0]["comparator"] == "at_least" and rows[-1]["status"] == "on_track"
    doc = anonymous.get(f"{BASE}/metrics.json").json()
    records = doc["records"]
    assert len(records) == 4
    assert records[1]["value"] == 70.5 and isinstance(records[1]["value"], float)
    assert records[1]["date"] == "2025-01-01" and records[0]["date"] is None
    dictionary = anonymous.get(f"{BASE}/data-dictionary.json").json()
    names = [f["name"] for f in dictionary["fields"]]
    assert names == list(rows[0].keys()) == [f["name"] for f in doc["fields"]]
    assert all(f["type"] and f["meaning"] for f in dictionary["fields"])
    page = BeautifulSoup(anonymous.get(f"{BASE}/data-dictionary").text, "html.parser")
    assert [c.get_text() for c in page.select("tbody code")] == names


def test_the_dashboard_describes_its_dataset_in_json_ld(session: Session, san_jose: Plan) -> None:
    anonymous, _ = signed_in_client(session, None)
    answer = anonymous.get(BASE)
    soup = BeautifulSoup(answer.text, "html.parser")
    script = soup.head.find("script", type="application/ld+json")  # type: ignore[union-attr]
    assert script is not None
    data = json.loads(script.string)
    assert data["@type"] == "Dataset"
    assert data["publisher"]["name"] == "City of San José"
    formats = {d["encodingFormat"]: d["contentUrl"] for d in data["distribution"]}
    assert formats == {
        "text/csv": f"http://testserver{BASE}/metrics.csv",
        "application/json": f"http://testserver{BASE}/metrics.json",
    }
    assert "license" not in data  # the plan file states none
    assert data["dateModified"] == dt.datetime.now(dt.UTC).date().isoformat()
    # The CSP still holds and allows no inline script; a JSON-LD block is data, not run.
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    catalog = anonymous.get(f"{ORG}/dcat.json")
    assert catalog.headers["content-type"].startswith("application/ld+json")
    cat = catalog.json()
    assert cat["@type"] == "dcat:Catalog"
    (entry,) = cat["dcat:dataset"]
    assert entry["@id"] == data["@id"]
    assert {d["dcat:mediaType"] for d in entry["dcat:distribution"]} == {
        "text/csv",
        "application/json",
    }


def test_staff_plan_page_links_the_public_site(session: Session, san_jose: Plan) -> None:
    staff, _ = signed_in_client(
        session, make_person(session, "sj-coord", "coordinator", organization="san-jose")
    )
    soup = BeautifulSoup(staff.get(f"/plans/{san_jose.slug}").text, "html.parser")
    link = soup.find("a", string="View public site")
    assert link is not None and link["href"] == BASE


def _client(session: Session) -> TestClient:
    return signed_in_client(session, None)[0]


def test_the_measures_page_charts_every_public_metric_once_under_what_it_measures(
    session: Session, san_jose: Plan
) -> None:
    measured = session.exec(
        select(Metric).where(Metric.plan_id == san_jose.id, Metric.code == "S5-NT")
    ).one()
    session.add(MetricTarget(metric_id=measured.id, value=75, comparator="at_least", label="75%"))
    for n, value in enumerate((60.0, 68.0)):
        session.add(Measurement(metric_id=measured.id, period=dt.date(2025, 1 + n, 1), value=value))
    session.commit()
    anonymous, _ = signed_in_client(session, None)
    soup = BeautifulSoup(anonymous.get(f"{BASE}/measures").text, "html.parser")
    articles = soup.select("article.public-metric")
    listed = [a.h3.get_text(" ", strip=True).split()[0] for a in articles]
    public = session.exec(
        select(Metric.code).where(Metric.plan_id == san_jose.id, Metric.internal == False)  # noqa: E712
    ).all()
    assert sorted(listed) == sorted(public)  # each public metric once, the internal S4-LT never
    # S5-NT sits under San José's standard 5 (no focus area holds it), charted with its target.
    article = next(a for a in articles if "S5-NT" in a.h3.text)
    section = article.find_parent("section")
    assert section is not None and section.h2.get_text(strip=True).startswith("Standard 5:")
    assert article.select_one("svg.report-chart path.chart-target") is not None
    assert len(article.select("svg circle")) == 2
    # The dashboard's navigation leads to it.
    dashboard = BeautifulSoup(anonymous.get(BASE).text, "html.parser")
    assert dashboard.select_one(f'nav a[href="{BASE}/measures"]') is not None
