"""A performance session's briefing book (issue 11), in the browser and as a PDF.

    /sessions/{id}/report        the book as a page (prints with print.css and report.css)
    /sessions/{id}/report.pdf    the same content printed on the server (WeasyPrint), A4 by
                                 default, `?paper=letter`

Read as the session's page is (services.sessions.reading.readable_session): signed-in people of
its organisation; anyone else is sent to sign in, or told it does not exist. The content is the
session's pack (services.sessions.briefing): frozen when the session closed, so the PDF of a
closed session is what was presented, whatever the plans became since.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import User
from app.routes.item_ids import ItemId
from app.services.errors import FieldProblem, ValidationFailed
from app.services.exports import report_pdf
from app.services.reading.zones import reading_zone
from app.services.sessions import briefing, reading
from app.templating import render, templates

router = APIRouter(prefix="/sessions", include_in_schema=False)


def _load(session: Session, user: User | None, session_id: int) -> dict[str, Any]:
    held = reading.readable_session(session, user, session_id)
    return {
        "book": briefing.load_briefing(session, held),
        "pdf_url": f"/sessions/{held.id}/report.pdf",
        "pdf": False,
        "reading_zone": reading_zone(session, user, held),
    }


def pdf_response(html: str, *, paper: str, name: str) -> Response:
    """The one place this module prints a PDF: through report_pdf.render_pdf, looked up when
    called (so whatever wraps it, e.g. a limit on concurrent renders, applies here too)."""
    return Response(
        report_pdf.render_pdf(html, paper=paper),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/{session_id}/report")
def session_report(
    request: Request, session: SessionDep, user: CurrentUser, session_id: ItemId
) -> Response:
    return render(request, "reports/session.html", _load(session, user, session_id))


@router.get("/{session_id}/report.pdf")
def session_report_pdf(
    session: SessionDep, user: CurrentUser, session_id: ItemId, paper: str = "a4"
) -> Response:
    if paper not in report_pdf.PAPER:  # before any work: the paper is A4 or Letter
        raise ValidationFailed([FieldProblem("paper", "Choose a4 or letter.")])
    context = _load(session, user, session_id)
    html = templates.env.get_template("reports/session_pdf.html").render(
        {**context, "current_user": user, "csrf_token": "", "demo_mode": False, "pdf": True}
    )
    book = context["book"]
    name = f"session-{book.held.id}-{book.held_on}-briefing-book.pdf"
    return pdf_response(html, paper=paper, name=name)
