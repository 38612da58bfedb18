"""The plan builder's metric pages: a new metric, its edit page (what it measures in, its
baseline, how it is judged, read back as one sentence), its targets as dated revisions, archive
and restore.

- GET/POST /plans/{slug}/metrics/new; GET/POST /metrics/{id}/edit;
- POST /metrics/{id}/targets (a new target from a date: the one it replaces stays for the
  periods before); POST /metrics/{id}/archive, /metrics/{id}/restore.

The schemas (MetricCreate, MetricUpdate, TargetIn) and the metrics service hold every rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Metric, Plan, User
from app.models.metric import MetricCreate, MetricUpdate, TargetIn
from app.routes.item_ids import ItemId
from app.routes.pages.build_item_forms import (
    changed_only,
    number,
    state_after,
)
from app.routes.pages.build_item_pages import ItemPages
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.routes.pages.form_posts import form_post
from app.routes.pages.my_work_presentation import plain
from app.services.changes import metrics
from app.services.changes.history import Actor
from app.services.views import build_items
from app.services.views.build_items import Choices

router = APIRouter(include_in_schema=False)
KIND = "metric"


@dataclass
class MetricForm:
    typed: dict[str, Any]

    def values(self) -> dict[str, Any]:
        t = self.typed
        low, high = number(t["bound_min"]), number(t["bound_max"])
        return {
            "name": t["name"].strip(),
            "description": t["description"].strip(),
            "kind": t["kind"].strip(),
            "data_source": t["data_source"].strip(),
            **{k: blank_to_none(t[k]) for k in ("unit", "direction", "horizon", "frequency")},
            "department_id": blank_to_none(t["department_id"]),
            "reporting_window_days": number(t["reporting_window_days"]),
            "tolerance": number(t["tolerance"]),
            # Left out when not sent: the metric keeps how its band is read.
            **({"tolerance_kind": t["tolerance_kind"]} if t["tolerance_kind"] else {}),
            "baseline_value": number(t["baseline_value"]),
            "baseline_date": blank_to_none(t["baseline_date"]),
            "bounds": None if low is None and high is None else {"min": low, "max": high},
            # A checkbox: sent ("1") when ticked, absent when not.
            "internal": bool(t["internal"]),
        }

    def create(self) -> MetricCreate:
        t = self.typed
        target = None
        if number(t["target_value"]) is not None or t["target_comparator"]:
            target = {
                "value": number(t["target_value"]),
                "comparator": t["target_comparator"],
                "label": t["target_label"].strip(),
                "effective_from": blank_to_none(t["target_effective_from"]),
            }
        given = {k: v for k, v in self.values().items() if v is not None}
        return MetricCreate(code=t["code"].strip(), target=target, **given, **self.measures())

    def measures(self) -> dict[str, str]:
        """What it measures, chosen as "strategy:12" (blank: the plan as a whole). Any other
        kind goes to the schema as `measures`, which refuses it by name."""
        kind, _, ident = self.typed["measures"].partition(":")
        if not kind:
            return {}
        if kind in ("statement", "goal", "focus_area", "strategy"):
            return {f"{kind}_id": ident}
        return {"measures": self.typed["measures"]}

    def update(self, metric: Metric) -> MetricUpdate:
        full = MetricUpdate(
            version=form_version(self.typed["version"]), **self.values(), **self.measured()
        )
        return changed_only(MetricUpdate, full, metric, _current)

    def measured(self) -> dict[str, str | None]:
        """What it measures, as a change: every kind named, the one chosen set (all None: the
        plan as a whole), so changed_only keeps what differs from the metric."""
        chosen = self.measures()
        return {**dict.fromkeys(metrics.MEASURED), **chosen} if "measures" not in chosen else chosen


def _current(metric: Metric, name: str) -> Any:
    if name == "bounds":
        if metric.bound_min is None and metric.bound_max is None:
            return None
        return {"min": metric.bound_min, "max": metric.bound_max}
    return getattr(metric, name)


def metric_form(
    code: Form_ = "",
    name: Form_ = "",
    description: Form_ = "",
    kind: Form_ = "",
    unit: Form_ = "",
    direction: Form_ = "",
    horizon: Form_ = "",
    frequency: Form_ = "",
    reporting_window_days: Form_ = "",
    data_source: Form_ = "",
    department_id: Form_ = "",
    tolerance: Form_ = "",
    tolerance_kind: Form_ = "",
    baseline_value: Form_ = "",
    baseline_date: Form_ = "",
    bound_min: Form_ = "",
    bound_max: Form_ = "",
    target_value: Form_ = "",
    target_comparator: Form_ = "",
    target_label: Form_ = "",
    target_effective_from: Form_ = "",
    measures: Form_ = "",
    internal: Form_ = "",
    version: Form_ = "",
) -> MetricForm:
    return MetricForm(dict(locals()))


MetricFormDep = Annotated[MetricForm, Depends(metric_form)]


def _context(
    session: Session, user: User, plan: Plan, metric: Metric | None, found: Choices
) -> dict[str, Any]:
    edit = metric and build_items.metric_edit(session=session, metric=metric, user=user)
    return {"edit": edit, "options": build_items.options_of(found, plan), "plain": plain}


def _archive(session: Session, item: Metric, version: int, archived: bool, actor: Actor) -> None:
    metrics.set_metric_archived(
        session=session, metric=item, version=version, archived=archived, actor=actor
    )


PAGES = ItemPages(
    model=Metric,
    path="/metrics",
    load=lambda session, item_id: metrics.get_metric(
        session=session, metric_id=item_id, include_archived=True
    ),
    kind=lambda _plan: KIND,
    template="build/items/metric.html",
    context=_context,
    creates=metrics.create_metric,
    archive=_archive,
    notice_forms=(("target", "targets"),),
)


@router.get("/plans/{slug}/metrics/new")
def new_metric_page(
    request: Request, session: SessionDep, user: RequiredUser, slug: str
) -> Response:
    typed = {"department_id": str(user.department_id or ""), "target_comparator": "at_least"}
    return PAGES.new_page(request, session, user, slug, lambda _plan: typed)


@router.post("/plans/{slug}/metrics/new")
def create_metric(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, form: MetricFormDep
) -> Response:
    return PAGES.create(request, session, user, slug, form)


@router.get("/metrics/{metric_id}/edit")
def edit_metric_page(
    request: Request, session: SessionDep, user: RequiredUser, metric_id: ItemId, saved: str = ""
) -> Response:
    return PAGES.edit_page_after(request, session, user, metric_id, saved)


@router.post("/metrics/{metric_id}/edit")
def update_metric(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    metric_id: ItemId,
    form: MetricFormDep,
) -> Response:
    def save(metric: Metric) -> str:
        data = form.update(metric)
        metrics.update_metric(session=session, metric=metric, data=data, actor=actor_for(user))
        return "Saved."

    return PAGES.change(request, session, user, metric_id, form.typed, save)


@router.post("/metrics/{metric_id}/targets")
def revise_target(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    metric_id: ItemId,
    version: Form_ = "",
    value: Form_ = "",
    comparator: Form_ = "",
    label: Form_ = "",
    effective_from: Form_ = "",
) -> Response:
    plan, metric = PAGES.editable(session, user, metric_id)
    typed = {"value": value, "comparator": comparator, "label": label}
    typed["effective_from"] = effective_from
    with form_post(session) as post:
        target = TargetIn(
            value=number(value),  # type: ignore[arg-type]
            comparator=comparator,  # type: ignore[arg-type]
            label=label.strip(),
            effective_from=blank_to_none(effective_from),  # type: ignore[arg-type]
        )
        metrics.revise_target(
            session=session,
            metric=metric,
            version=form_version(version),
            target=target,
            actor=actor_for(user),
        )
        post.notice = "Target revised: the earlier one stays for the periods before."
    state = state_after(post, "targets", typed)
    return PAGES.answer(request, session, user, plan, metric, state, post.status, "target")


@router.post("/metrics/{metric_id}/archive")
@router.post("/metrics/{metric_id}/restore")
def archive_metric(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    metric_id: ItemId,
    version: Form_ = "",
) -> Response:
    return PAGES.archive_or_restore(request, session, user, metric_id, version)
