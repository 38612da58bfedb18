"""San José's council report as a PDF, the way a coordinator gets it: the report page's PDF link
in Chromium. The file's text (read back with pypdf) has the plan's standards and
recommendations; the page with a chart is rasterised with poppler's pdftoppm (the image is kept
with the browser test's artifacts) and looked at in the browser, which finds the chart's measured
line and its dashed target drawn in their colours, not a blank box."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess
from pathlib import Path

from playwright.sync_api import Page
from pypdf import PdfReader
from sqlmodel import select

from app.models import Metric, Plan, User
from app.models.enums import Comparator
from app.models.metric import MeasurementIn, TargetIn
from app.services.changes import metrics as metric_changes
from app.services.changes.history import Actor
from tests.e2e.conftest import SAN_JOSE, db_session
from tests.live_server import LiveServer

# The chart's ink in templates/reports/_chart.html: the measured line and the target line.
LINE_RGB = (0x1D, 0x4E, 0xD8)
TARGET_RGB = (0xB9, 0x1C, 0x1C)

COUNT_INK = """([png, rgbs]) => new Promise((resolve, reject) => {
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const counts = rgbs.map(() => 0);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r < 240 || g < 240 || b < 240) inked++;
      rgbs.forEach(([R, G, B], k) => {
        if (Math.abs(r - R) + Math.abs(g - G) + Math.abs(b - B) < 60) counts[k]++;
      });
    }
    resolve({width: canvas.width, height: canvas.height, inked, counts});
  };
  img.onerror = () => reject(new Error("the PNG did not load"));
  img.src = "data:image/png;base64," + png;
})"""


METRIC = "S5-NT"  # "very satisfied" with the timeliness of the response, in percent


def _measure_a_year(server: LiveServer) -> None:
    """What the SJ311 team would have recorded: a target of 60% and a year of monthly values, as
    the coordinator, through the same service the pages use."""
    with db_session(server) as session:
        coordinator = session.exec(select(User).where(User.username == "coordinator")).one()
        actor = Actor(user=coordinator)
        metric = session.exec(
            select(Metric).join(Plan).where(Plan.slug == SAN_JOSE, Metric.code == METRIC)
        ).one()
        metric_changes.revise_target(
            session=session,
            metric=metric,
            version=metric.version,
            target=TargetIn(value=60, comparator=Comparator.at_least),
            actor=actor,
        )
        for month in range(1, 13):
            metric_changes.record_measurement(
                session=session,
                metric=metric,
                data=MeasurementIn(period=dt.date(2025, month, 1), value=40 + month * 2),
                actor=actor,
            )
        session.commit()


def _download_report(page: Page, server: LiveServer, target_dir: Path) -> Path:
    page.goto(f"{server.url}/plans/{SAN_JOSE}/report")
    with page.expect_download() as download:
        page.locator("a[href$='/report.pdf']").first.click()
    path = target_dir / download.value.suggested_filename
    download.value.save_as(path)
    return path


def test_the_san_jose_report_pdf_has_its_standards_recommendations_and_a_drawn_chart(
    page: Page, live_server: LiveServer, screenshot_dir: Path, tmp_path: Path
) -> None:
    assert shutil.which("pdftoppm"), "install poppler-utils (the README's requirements)"
    _measure_a_year(live_server)
    pdf = _download_report(page, live_server, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = PdfReader(pdf)
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    text = " ".join(pages)
    # The seven standards and the recommendations, in the plan's words.
    assert "Standard 1 Deliver customer service with a focus on solutions" in text
    assert "Standard 7" in text
    assert "Recommendation theme 3" in text and "Ensure customers can access a full journey" in text
    # The page of the measured metric's chart: its code and its latest value beside it.
    charted = [i for i, words in enumerate(pages) if METRIC in words and "64" in words]
    assert charted, "no page carries a metric chart"
    number = charted[0] + 1

    png_stem = screenshot_dir / "san-jose-report-chart-page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", str(number), "-l", str(number), "-singlefile"]
        + [str(pdf), str(png_stem)],
        check=True,
        timeout=120,
    )
    png = png_stem.with_suffix(".png")
    encoded = base64.b64encode(png.read_bytes()).decode()
    page.set_content("<!doctype html><title>Report page</title><main></main>")
    seen = page.evaluate(COUNT_INK, [encoded, [list(LINE_RGB), list(TARGET_RGB)]])
    line_pixels, target_pixels = seen["counts"]
    # An A4 page at 72 dpi, with text and the chart on it.
    assert abs(seen["width"] - 595) <= 1 and abs(seen["height"] - 842) <= 1
    assert seen["inked"] > 2_000
    assert line_pixels > 50, "the measured line is not drawn"
    assert target_pixels > 20, "the dashed target line is not drawn"
