"""Reports and exports, timed (issue 11): the aim is the city's report under 10 s and 5 MB.

- the San José plan's report as PDF (the seed plan, read by anyone: it is published);
- the city's largest plan's report as PDF, read by its coordinator (narratives included);
- the same plan's scorecard and measurements as XLSX, read by its coordinator.

Each download goes through the ASGI app in this process (no network), after a warm-up (one small
PDF, so WeasyPrint and Pango are loaded): the first time (made) and again (a PDF is then served
from the kept reports, app.services.exports.report_cache); the wall and CPU time of the first,
the size of the file and, for a PDF, its pages (read from WeasyPrint's document as the app lays it
out) are reported. The San José seed is loaded
into the city's database first (`plantrack seed`), so `make bench` runs this after the servers'
measurements of the scale. Alone: `python bench/report_exports.py` builds a scale-1 city in a
temporary folder and prints the table.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNS = 2
SAN_JOSE = "san-jose-customer-service"
AIM_SECONDS, AIM_MB = 10.0, 5.0


@dataclass
class FileResult:
    key: str
    label: str
    path: str
    who: str  # anonymous | coordinator
    seconds: list[float] = field(default_factory=list)
    cpu: float | None = None  # the first download's CPU time (this process, all its threads)
    size: int | None = None
    pages: int | None = None
    status: int | None = None
    note: str = ""


def _load_san_jose(city: Any) -> str:
    from bench.city import BIN, ROOT, _env

    done = subprocess.run(
        [str(BIN / "plantrack"), "seed"],
        env=_env(city.database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return "" if done.returncode == 0 else f"seed failed: {done.stderr.strip()[-160:]}"


def measure(city: Any) -> list[FileResult]:
    from starlette.testclient import TestClient

    from app.main import create_app
    from app.services.exports import report_pdf

    results = [
        FileResult("sj_pdf", "San José report (PDF)", f"/plans/{SAN_JOSE}/report.pdf", "anonymous"),
        FileResult(
            "city_pdf",
            "City plan report (PDF, coordinator)",
            f"/plans/{city.slug}/report.pdf",
            "coordinator",
        ),
        FileResult(
            "scorecard_xlsx",
            "City scorecard (XLSX)",
            f"/plans/{city.slug}/scorecard.xlsx",
            "coordinator",
        ),
        FileResult(
            "measurements_xlsx",
            "City measurements (XLSX)",
            f"/plans/{city.slug}/measurements.xlsx",
            "coordinator",
        ),
    ]
    seeded = _load_san_jose(city)
    client = TestClient(create_app(), raise_server_exceptions=False)
    client.get("/healthz")
    report_pdf.render_pdf("<p>warm-up</p>")
    pages: list[int] = []
    real = report_pdf.render_document

    def counted(html: str, *, paper: str = "a4") -> Any:
        document = real(html, paper=paper)
        pages.append(len(document.pages))
        return document

    report_pdf.render_document = counted  # type: ignore[assignment]
    try:
        for result in results:
            _download(client, city, result, seeded, pages)
    finally:
        report_pdf.render_document = real  # type: ignore[assignment]
    return results


def _download(client: Any, city: Any, result: FileResult, seeded: str, pages: list[int]) -> None:
    import time

    if result.key == "sj_pdf" and seeded:
        result.note = seeded
        return
    headers = {"Cookie": city.cookies[result.who]} if result.who != "anonymous" else {}
    for run in range(RUNS):
        pages.clear()
        started, cpu = time.perf_counter(), time.process_time()
        answer = client.get(result.path, headers=headers)
        seconds = time.perf_counter() - started
        result.status = answer.status_code
        if answer.status_code != 200:
            result.note = f"answers {answer.status_code}: {answer.text[:160]}"
            return
        result.seconds.append(seconds)
        if run == 0:
            result.cpu = time.process_time() - cpu
            result.size = len(answer.content)
            result.pages = pages[0] if pages else None


def report_lines(scale: float, results: list[FileResult], database: str = "") -> list[str]:
    """The table; `database` (its name, as "PostgreSQL") is said after the scale when given."""
    where = f", {database}" if database else ""
    out = [
        f"**Reports and exports, scale {scale:g}{where}** (in-process through the ASGI app after a "
        f"warm-up; made: the first download, its wall and CPU time; again: the same download "
        f"once more, a PDF then comes from the kept reports; aim for the city's report: under "
        f"{AIM_SECONDS:g} s and {AIM_MB:g} MB):",
        "",
        "| download | made | CPU | again | size | pages | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        made = f"{r.seconds[0]:.1f} s" if r.seconds else "—"
        again = f"{r.seconds[1]:.2f} s" if len(r.seconds) > 1 else "—"
        cpu = "—" if r.cpu is None else f"{r.cpu:.1f} s"
        size = "—" if r.size is None else f"{r.size / 1e6:.2f} MB"
        pages = "—" if r.pages is None else str(r.pages)
        note = r.note
        if r.key == "city_pdf" and r.seconds and r.size is not None:
            within = r.seconds[0] < AIM_SECONDS and r.size / 1e6 < AIM_MB
            note = note or ("within the aim" if within else "over the time aim")
        out.append(f"| {r.label} | {made} | {cpu} | {again} | {size} | {pages} | {note} |")
    return out


def main() -> int:
    import argparse
    import os
    import shutil
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.city import build_city

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="plantrack-reports-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'unused.db'}"
    try:
        city = build_city(args.scale, workdir)
        print("\n".join(report_lines(args.scale, measure(city))))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
