"""The council report (briefing book) of a plan, in the browser and as a PDF (issue 11).

    /plans/{slug}/report        the report as a page (prints with print.css and report.css)
    /plans/{slug}/report.pdf    the same content printed on the server (WeasyPrint)

Both take `?focus_area=<id>` or `?department=<code>` to narrow it, `?since=YYYY-MM-DD` for "what
moved" (default: the review's 30 days), and the PDF `?paper=letter` (default A4). A plan the
reader may not see is 404, as its other pages; narratives only for the organisation's staff.
At most `RENDER_SLOTS` PDFs are made at once in a process; past them, 503 with Retry-After. A PDF
made is kept (report_cache, by the plan's stamp, the reader's visibility, the query and paper):
the same download again is served at once, and any edit of the plan makes a new one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.pages.form_input import item_id
from app.services.errors import FieldProblem, NotFound, ValidationFailed
from app.services.exports import report_cache
from app.services.exports.render_slots import render_slot
from app.services.exports.report_pdf import PAPER, render_pdf
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import reading_today, reading_zone
from app.services.rules.asked_dates import within_window
from app.services.rules.local_time import local_today
from app.services.rules.value_text import format_value
from app.services.views import report as report_service
from app.services.views.roadmap import TERM_LABELS, span_text
from app.templating import render, templates

router = APIRouter(include_in_schema=False)


@dataclass
class ReportAsked:
    focus_area: str = ""
    department: str = ""
    since: str = ""

    @property
    def focus_area_id(self) -> int | None:
        if not self.focus_area:
            return None
        found = item_id(self.focus_area)
        if found is None:  # not an id: no such focus area
            raise NotFound("No such focus area in this plan.")
        return found

    def since_date(self, today: dt.date) -> dt.date | None:
        """The date asked for, or None (the default) when it is not a date in the window."""
        try:
            day = dt.date.fromisoformat(self.since)
        except ValueError:
            return None
        return day if day <= today and within_window(day) else None

    @property
    def query(self) -> str:
        asked = {"focus_area": self.focus_area, "department": self.department, "since": self.since}
        shown = {k: v for k, v in asked.items() if v}
        return ("?" + urlencode(shown)) if shown else ""


def report_asked(focus_area: str = "", department: str = "", since: str = "") -> ReportAsked:
    """What the report is narrowed to, as the query string asks (the page and the PDF alike)."""
    return ReportAsked(focus_area=focus_area, department=department, since=since)


Asked = Annotated[ReportAsked, Depends(report_asked)]


def _load(session: SessionDep, user: CurrentUser, slug: str, asked: ReportAsked) -> dict[str, Any]:
    plan = get_plan(session=session, slug=slug)
    zone = reading_zone(session, user, plan)
    today = local_today(zone)  # the plan's organisation's calendar date
    report = report_service.load_report(
        session=session,
        plan=plan,
        user=user,
        focus_area_id=asked.focus_area_id,
        department=asked.department,
        since=asked.since_date(today),
        today=today,
    )
    return {
        "plan": plan,
        "report": report,
        "pdf_url": f"/plans/{plan.slug}/report.pdf{asked.query}",
        "term_labels": TERM_LABELS,
        "span_text": span_text,
        "format_value": format_value,
        "pdf": False,
        "reading_zone": zone,
    }


@router.get("/plans/{slug}/report")
def report_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    asked: Asked,
) -> Response:
    return render(request, "reports/report.html", _load(session, user, slug, asked))


@router.get("/plans/{slug}/report.pdf")
def report_pdf(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    asked: Asked,
    paper: str = "a4",
) -> Response:
    if paper not in PAPER:  # before any work: the paper is A4 or Letter
        raise ValidationFailed([FieldProblem("paper", "Choose a4 or letter.")])
    plan = get_plan(session=session, slug=slug)
    key = report_cache.report_key(
        session=session, plan=plan, user=user, query=asked.query, paper=paper
    )
    pdf = report_cache.kept(key)  # the same report made already: no slot, no work
    if pdf is None:
        # The slot (render_pdf's own) is held from the reading on: a burst past the slots is
        # refused with 503 before it reads the plan, rather than after.
        with render_slot("pdf"):
            context = _load(session, user, slug, asked)
            html = templates.env.get_template("reports/report_pdf.html").render(
                {**context, "current_user": user, "csrf_token": "", "demo_mode": False, "pdf": True}
            )
            pdf = render_pdf(html, paper=paper)
        report_cache.keep(key, pdf)
    name = f"{plan.slug}-report-{reading_today(session, user, plan).isoformat()}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
