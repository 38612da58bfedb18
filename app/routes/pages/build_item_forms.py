"""What the plan builder's item pages (strategies, metrics, quick wins) share: reading their
forms into the API's schemas, keeping only what changed, and answering a post.

The rules are the schemas' (StrategyCreate/Update, MetricCreate/Update, TargetIn…) and the
services'; this turns a form's text into what they take, and their answer into a page: a plain
post gets a 303 to the item's edit page with a notice, htmx the form's block (a new item: an
HX-Redirect to its edit page); a refusal the form again with the messages (422) or the newer
version (409), nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import pydantic as pd
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.routes.pages.form_input import blank_to_none
from app.routes.pages.form_posts import FormPost
from app.routes.pages.my_work_presentation import FormState, describe
from app.services.views import build_items
from app.templating import is_htmx

T = TypeVar("T", bound=pd.BaseModel)

NOTICES = {
    "created": "Created. You can go on editing it here.",
    "saved": "Saved.",
    "archived": "Archived: it has left the plan's pages; its history stays.",
    "restored": "Restored.",
    "target": "Target revised: the earlier one stays for the periods before.",
    "step": "Added.",
    "step-saved": "Saved.",
    "step-archived": "Archived.",
    "moved": "Moved.",
}


def lines(text: str) -> list[str]:
    """One entry a line (leads, service areas), blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def number(text: str) -> str | None:
    """A typed number for the schema to read (blank: none). A comma as the decimal mark or a
    thousands separator is the schema's to refuse, named on the field."""
    return blank_to_none(text.strip())


def changed_only(
    schema: type[T], full: T, item: Any, read: Callable[[Any, str], Any] = getattr
) -> T:
    """The update with only the fields whose value differs from `item`'s: a form sends every
    field, a change names what changes (so an unchanged department asks no new permission)."""
    values = full.model_dump(exclude={"version"}, exclude_unset=True)
    changes = {k: v for k, v in values.items() if read(item, k) != v}
    return schema.model_validate({"version": full.model_dump()["version"], **changes})


def state_after(post: FormPost, form: str, typed: dict[str, Any]) -> FormState:
    return FormState.after(post, form, typed)


def notice_state(saved: str, form: str = "item") -> FormState:
    """Back from a plain post's 303: the notice the redirect named."""
    notice = NOTICES.get(saved, "")
    return FormState(form, notice=notice) if notice else FormState()


def redirect(url: str, saved: str, anchor: str = "") -> Response:
    return RedirectResponse(f"{url}?{urlencode({'saved': saved})}{anchor}", status_code=303)


def created(request: Request, url: str) -> Response:
    """A new item: to its edit page (htmx follows HX-Redirect; a plain post the 303)."""
    target = f"{url}?{urlencode({'saved': 'created'})}"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


# How a metric's at-risk band is read (app.models.enums.ToleranceKind), in the form's words.
TOLERANCE_KIND_LABELS = {
    "absolute": "in the metric's unit",
    "share": "a share of the target (%)",
}


def helpers() -> dict[str, Any]:
    return {
        "describe": describe,
        "field_names": {},
        "term_labels": build_items.TERM_LABELS,
        "unit_labels": build_items.UNIT_LABELS,
        "direction_labels": build_items.DIRECTION_LABELS,
        "comparator_labels": build_items.COMPARATOR_LABELS,
        "frequency_labels": build_items.FREQUENCY_LABELS,
        "horizon_labels": build_items.HORIZON_LABELS,
        "tolerance_kind_labels": TOLERANCE_KIND_LABELS,
    }
