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
    created,
    helpers,
    notice_state,
    number,
    redirect,
    state_after,
)
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.routes.pages.form_posts import form_post
from app.routes.pages.my_work_presentation import FormState, plain
from app.services.accounts.permissions import require_read_plan
from app.services.changes import metrics
from app.services.changes.strategy_progress import plan_of
from app.services.reading.plan_tree import get_plan
from app.services.views import build_items
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
TEMPLATE = "build/items/metric.html"
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
            "tolerance": number(t["tolerance"]),
            # Left out when not sent: the metric keeps how its band is read.
            **({"tolerance_kind": t["tolerance_kind"]} if t["tolerance_kind"] else {}),
            "baseline_value": number(t["baseline_value"]),
            "baseline_date": blank_to_none(t["baseline_date"]),
            "bounds": None if low is None and high is None else {"min": low, "max": high},
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
    version: Form_ = "",
) -> MetricForm:
    return MetricForm(dict(locals()))


MetricFormDep = Annotated[MetricForm, Depends(metric_form)]


def _editable(session: Session, user: User, metric_id: int) -> tuple[Plan, Metric]:
    metric = metrics.get_metric(session=session, metric_id=metric_id, include_archived=True)
    plan = plan_of(session, metric.plan_id)
    require_read_plan(user, plan)
    return plan, metric


def _edit_url(metric: Metric) -> str:
    return f"/metrics/{metric.id}/edit"


def _page(
    request: Request,
    session: Session,
    user: User,
    plan: Plan,
    metric: Metric | None,
    state: FormState,
    status: int = 200,
) -> Response:
    found = build_items.choices(session=session, plan=plan, user=user)
    context = {
        "plan": plan,
        "edit": build_items.metric_edit(session=session, metric=metric, user=user)
        if metric is not None
        else None,
        "options": build_items.options_of(found, plan),
        "st": state,
        "plain": plain,
        **helpers(),
    }
    return render(request, TEMPLATE, context, block="editor", status_code=status)


def _answer(
    request: Request,
    session: Session,
    user: User,
    plan: Plan,
    metric: Metric,
    state: FormState,
    status: int,
    saved: str,
) -> Response:
    if status < 400 and not is_htmx(request):
        return redirect(_edit_url(metric), saved, f"#{state.form}")
    return _page(request, session, user, plan, metric, state, status)


@router.get("/plans/{slug}/metrics/new")
def new_metric_page(
    request: Request, session: SessionDep, user: RequiredUser, slug: str
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    build_items.require_editor(session, user, build_items.new_probe(Metric, plan, user), kind=KIND)
    typed = {"department_id": str(user.department_id or ""), "target_comparator": "at_least"}
    return _page(request, session, user, plan, None, FormState("item", typed))


@router.post("/plans/{slug}/metrics/new")
def create_metric(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, form: MetricFormDep
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    with form_post(session) as post:
        metric = metrics.create_metric(
            session=session, plan=plan, data=form.create(), actor=actor_for(user)
        )
    if not post.refused:
        return created(request, _edit_url(metric))
    state = state_after(post, "item", form.typed)
    return _page(request, session, user, plan, None, state, post.status)


@router.get("/metrics/{metric_id}/edit")
def edit_metric_page(
    request: Request, session: SessionDep, user: RequiredUser, metric_id: ItemId, saved: str = ""
) -> Response:
    plan, metric = _editable(session, user, metric_id)
    build_items.require_editor(session, user, metric, kind=KIND)
    form = "targets" if saved == "target" else "item"
    return _page(request, session, user, plan, metric, notice_state(saved, form))


@router.post("/metrics/{metric_id}/edit")
def update_metric(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    metric_id: ItemId,
    form: MetricFormDep,
) -> Response:
    plan, metric = _editable(session, user, metric_id)
    with form_post(session) as post:
        metrics.update_metric(
            session=session, metric=metric, data=form.update(metric), actor=actor_for(user)
        )
        post.notice = "Saved."
    state = state_after(post, "item", form.typed)
    return _answer(request, session, user, plan, metric, state, post.status, "saved")


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
    plan, metric = _editable(session, user, metric_id)
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
    return _answer(request, session, user, plan, metric, state, post.status, "target")


@router.post("/metrics/{metric_id}/archive")
@router.post("/metrics/{metric_id}/restore")
def archive_metric(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    metric_id: ItemId,
    version: Form_ = "",
) -> Response:
    plan, metric = _editable(session, user, metric_id)
    archived = request.url.path.endswith("/archive")
    with form_post(session) as post:
        metrics.set_metric_archived(
            session=session,
            metric=metric,
            version=form_version(version),
            archived=archived,
            actor=actor_for(user),
        )
        post.notice = "Archived." if archived else "Restored."
    state = state_after(post, "archive", {})
    saved = "archived" if archived else "restored"
    return _answer(request, session, user, plan, metric, state, post.status, saved)
