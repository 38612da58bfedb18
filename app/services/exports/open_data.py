"""Open data of a published plan: its public metrics with their measurements, targets and
baselines in long format (one row per value) as CSV and JSON, the data dictionary that says what
each column means, a schema.org `Dataset` (JSON-LD) describing them, and a DCAT catalog of an
organisation's published plans so open-data portals can harvest it (issue 12).

Only what the public may read: internal metrics never (the public tree leaves them out, and the
query checks again), and no measurement note nor who entered a value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import HistoryEntry, Metric, Organization, Plan
from app.models.base import is_live
from app.services.exports.writers import csv_text
from app.services.reading.plan_nodes import PlanTree
from app.services.views.metric_card import metric_cards


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the JSON type (and, for CSV, how to read the text)
    meaning: str


COLUMNS = [
    Column("plan", "string", "The plan's identifier (its slug in the site's addresses)."),
    Column("metric_code", "string", "The metric's code, unique in the plan."),
    Column("metric_name", "string", "The metric's name."),
    Column(
        "measures",
        "string",
        "What the metric measures: a goal, strategy, focus area, standard, or the plan as a whole.",
    ),
    Column(
        "unit",
        "string",
        "The unit of `value`: percent, count, rate, currency, score, "
        "seconds, minutes, hours or days.",
    ),
    Column("direction", "string", "Which way is better: higher, lower, or hold (stay at target)."),
    Column(
        "frequency",
        "string",
        "How often the metric is reported (monthly, quarterly…); empty when not stated.",
    ),
    Column(
        "record",
        "string",
        "What the row is: measurement (a value for a period), target "
        "(a target in force from a date) or baseline (the starting value).",
    ),
    Column(
        "date",
        "date",
        "ISO 8601 date. A measurement: the first day of its period. A target: "
        "the day it is in force from (empty: from the plan's start). A baseline: its date.",
    ),
    Column("value", "number", "The number, in the metric's unit."),
    Column(
        "comparator",
        "string",
        "Targets only: at_least, at_most, exactly, above or below "
        "(on track when the value is … the target).",
    ),
    Column("label", "string", "Targets only: the target in the plan's own words."),
    Column(
        "status",
        "string",
        "Measurements only: on_track, at_risk or off_track against the "
        "target in force for its period; no_target when none.",
    ),
]
FIELDS = [c.name for c in COLUMNS]
LICENSE_NOTE = "No licence is stated in the plan; ask the organisation before reuse."


def records(session: Session, tree: PlanTree) -> list[dict[str, Any]]:
    """One dict per value (FIELDS), metric by metric in plan order: baseline, targets oldest
    first, measurements oldest first."""
    plan = tree.plan
    ids = [m.metric.id for m in tree.metrics]
    models = list(
        session.exec(
            select(Metric).where(
                col(Metric.id).in_(ids), is_live(Metric), col(Metric.internal).is_(False)
            )
        )
    )
    order = {metric_id: n for n, metric_id in enumerate(ids)}
    models.sort(key=lambda m: order.get(m.id, 0))  # type: ignore[arg-type]
    out: list[dict[str, Any]] = []
    for card in metric_cards(session, plan, models, reasons=False):
        m = card.metric
        common = {
            "plan": plan.slug,
            "metric_code": m.code,
            "metric_name": m.name,
            "measures": card.node.measures_label,
            "unit": m.unit,
            "direction": m.direction,
            "frequency": m.frequency or "",
        }
        blank = {"comparator": None, "label": None, "status": None}
        if m.baseline_value is not None:
            out.append(
                {
                    **common,
                    "record": "baseline",
                    "date": m.baseline_date,
                    "value": m.baseline_value,
                    **blank,
                }
            )
        for t in card.node.targets:
            out.append(
                {
                    **common,
                    "record": "target",
                    "date": t.effective_from,
                    "value": t.value,
                    "comparator": t.comparator,
                    "label": t.label,
                    "status": None,
                }
            )
        for p in card.points:
            out.append(
                {
                    **common,
                    "record": "measurement",
                    "date": p.measurement.period,
                    "value": p.measurement.value,
                    "comparator": None,
                    "label": None,
                    "status": p.status.code,
                }
            )
    return out


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([csv_text(row[name]) for name in FIELDS])
    return out.getvalue().encode("utf-8")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def to_json(org: Organization, plan: Plan, rows: list[dict[str, Any]]) -> bytes:
    doc = {
        "plan": {"slug": plan.slug, "title": plan.title},
        "publisher": org.name,
        "fields": [{"name": c.name, "type": c.type} for c in COLUMNS],
        "records": [{k: _plain(v) for k, v in row.items()} for row in rows],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def dictionary() -> list[Column]:
    return list(COLUMNS)


def dictionary_json() -> bytes:
    doc = {
        "description": "The columns of metrics.csv and the fields of each record of "
        "metrics.json: one row per value (long format).",
        "fields": [{"name": c.name, "type": c.type, "meaning": c.meaning} for c in COLUMNS],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def modified(session: Session, plans: list[Plan]) -> dict[int, dt.datetime | None]:
    """Each plan's newest change (its newest history entry), in one query."""
    got = dict(
        session.execute(
            select(HistoryEntry.plan_id, func.max(HistoryEntry.at))
            .where(col(HistoryEntry.plan_id).in_([p.id for p in plans]))
            .group_by(HistoryEntry.plan_id)
        ).all()
    )
    return {p.id: got.get(p.id) for p in plans}  # type: ignore[misc]


def _coverage(plan: Plan) -> str | None:
    if plan.period_start and plan.period_end:
        return f"{plan.period_start.isoformat()}/{plan.period_end.isoformat()}"
    start = plan.period_start or plan.adopted_on
    return f"{start.isoformat()}/.." if start else None


def dataset(
    org: Organization, plan: Plan, base: str, changed: dt.datetime | None
) -> dict[str, Any]:
    """A schema.org Dataset of the plan's open data; `base`: the site's origin
    (https://example.org), so every address in it is absolute."""
    page = f"{base}/public/{org.slug}/{plan.slug}"
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": f"{page}#dataset",
        "name": f"{plan.title}: metrics and measurements",
        "description": (plan.summary or plan.subtitle or "").strip()
        or f"The metrics of {org.name}'s {plan.title}, with their measurements and targets.",
        "url": page,
        "publisher": {
            "@type": "Organization",
            "name": org.name,
            "url": f"{base}/public/{org.slug}",
        },
        "isAccessibleForFree": True,
        "variableMeasured": [c.name for c in COLUMNS],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": "Metrics (CSV)",
                "encodingFormat": "text/csv",
                "contentUrl": f"{page}/metrics.csv",
            },
            {
                "@type": "DataDownload",
                "name": "Metrics (JSON)",
                "encodingFormat": "application/json",
                "contentUrl": f"{page}/metrics.json",
            },
        ],
    }
    coverage = _coverage(plan)
    if coverage:
        doc["temporalCoverage"] = coverage
    if changed is not None:
        doc["dateModified"] = changed.date().isoformat()
    return doc


def dataset_json(org: Organization, plan: Plan, base: str, changed: dt.datetime | None) -> str:
    """The Dataset as the text of a <script type="application/ld+json">: `<`, `>`, `&` and `'`
    are written as JSON escapes, so no text of the plan can close the element or read as markup
    (the route marks the text safe: autoescaping would break the JSON)."""
    text = json.dumps(dataset(org, plan, base, changed), ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return text


def catalog(
    org: Organization, plans: list[Plan], base: str, changed: dict[int, dt.datetime | None]
) -> bytes:
    """A DCAT-AP style catalog (JSON-LD) listing each published plan's dataset."""
    site = f"{base}/public/{org.slug}"
    datasets = []
    for plan in plans:
        page = f"{site}/{plan.slug}"
        entry: dict[str, Any] = {
            "@id": f"{page}#dataset",
            "@type": "dcat:Dataset",
            "dct:title": f"{plan.title}: metrics and measurements",
            "dct:description": (plan.summary or plan.subtitle or "").strip()
            or f"The metrics of {org.name}'s {plan.title}, with their measurements and targets.",
            "dct:publisher": {"@type": "foaf:Organization", "foaf:name": org.name},
            "dcat:landingPage": {"@id": page},
            "dcat:distribution": [
                {
                    "@type": "dcat:Distribution",
                    "dcat:accessURL": {"@id": page},
                    "dcat:downloadURL": {"@id": f"{page}/metrics.csv"},
                    "dcat:mediaType": "text/csv",
                    "dct:format": "CSV",
                },
                {
                    "@type": "dcat:Distribution",
                    "dcat:accessURL": {"@id": page},
                    "dcat:downloadURL": {"@id": f"{page}/metrics.json"},
                    "dcat:mediaType": "application/json",
                    "dct:format": "JSON",
                },
            ],
            "dct:conformsTo": {"@id": f"{page}/data-dictionary.json"},
        }
        if plan.id in changed and changed[plan.id] is not None:
            entry["dct:modified"] = changed[plan.id].date().isoformat()  # type: ignore[union-attr]
        coverage = _coverage(plan)
        if coverage:
            entry["dct:temporal"] = coverage
        datasets.append(entry)
    doc = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": f"{site}/dcat.json",
        "@type": "dcat:Catalog",
        "dct:title": f"{org.name}: open data of its plans",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": org.name},
        "foaf:homepage": {"@id": site},
        "dcat:dataset": datasets,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
