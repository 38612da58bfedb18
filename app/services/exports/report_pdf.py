"""The report's HTML as a PDF, by WeasyPrint (Debian's Pango underneath).

The page's own stylesheets (app.css for the status colours, print.css, report.css with the
paged-media rules) are read from app/static; the paper size is the one rule added. Nothing is
fetched: the charts are inline SVG, and any other URL the HTML names is refused, so a PDF never
reaches the network or the file system beyond the stylesheets.

Every PDF goes through `render_pdf`, which holds one of the process's few render slots while
WeasyPrint works (app.services.exports.render_slots): a burst of requests is answered, the ones
past the slots with 503 and Retry-After.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.services.exports.render_slots import render_slot

STATIC = Path(__file__).resolve().parents[2] / "static"
STYLESHEETS = ("app.css", "print.css", "report.css")
PAPER = {"a4": "A4", "letter": "letter"}


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"the report fetches nothing ({url[:80]})")


def render_document(html: str, *, paper: str = "a4") -> Any:
    """`html` (the report_pdf template) laid out on A4 or Letter pages: a weasyprint Document,
    whose pages the tests read."""
    import weasyprint  # imported when a PDF is asked for: it loads Pango

    sheets = [weasyprint.CSS(filename=str(STATIC / name)) for name in STYLESHEETS]
    size = PAPER.get(paper, "A4")
    sheets.append(weasyprint.CSS(string=f"@page {{ size: {size}; }}"))
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetch, base_url="about:blank")
    return document.render(stylesheets=sheets)


def render_pdf(html: str, *, paper: str = "a4") -> bytes:
    """The report as PDF bytes, in one of the process's render slots: `RendersBusy` (503 with
    Retry-After) when none comes free in time (render_slots)."""
    with render_slot("pdf"):
        return render_document(html, paper=paper).write_pdf() or b""
