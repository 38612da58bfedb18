"""The report's charts reach WeasyPrint as images of themselves (report_pdf.charts_as_images):
the same SVG, drawn at its size, and still nothing else is fetched."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader

from app.services.exports import report_pdf

CHART = (
    '<svg class="report-chart" viewBox="0 0 560 220" width="560" height="220" role="img" '
    'xmlns="http://www.w3.org/2000/svg"><title>Trend of Calls &amp; visits</title>'
    '<polyline class="chart-line" points="10,10 100,100" fill="none" stroke="#1d4ed8"/></svg>'
)
HTML = (
    '<body class="report-pdf"><div class="report">'
    f'<figure class="report-metric">{CHART}</figure></div></body>'
)


def boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from boxes(child)


def test_a_chart_becomes_an_image_of_the_same_svg() -> None:
    html = report_pdf.charts_as_images(HTML)
    assert "<svg" not in html
    src = html.split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith(report_pdf.SVG_DATA)
    assert base64.b64decode(src[len(report_pdf.SVG_DATA) :]).decode() == CHART
    assert 'width="560" height="220"' in html


def test_the_pdf_draws_the_chart_at_its_size() -> None:
    document = report_pdf.render_document(HTML)
    drawn = [
        (type(b.replacement).__name__, round(b.width), round(b.height))
        for b in boxes(document.pages[0]._page_box)
        if getattr(b, "replacement", None) is not None
    ]
    assert drawn == [("SVGImage", 560, 220)]


def test_the_pdf_strokes_the_charts_line_in_its_colour() -> None:
    page = PdfReader(io.BytesIO(report_pdf.render_pdf(HTML))).pages[0]
    drawn = page.get_contents().get_data()  # type: ignore[union-attr]
    # #1d4ed8 as the stroke colour, then the polyline's two points: a move, a line, a stroke.
    assert b"0.113725 0.305882 0.847059 RG" in drawn
    assert b"10 10 m\n100 100 l\nS" in drawn


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://example.com/x.png", "data:text/html;base64,PGI+"]
)
def test_any_other_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        report_pdf._no_fetch(url)
