"""Reports and exports, timed (issue 11): the aim is the city's report under 10 s and 5 MB.

- the San José plan's report as PDF (the seed plan, read by anyone: it is published);
- the city's largest plan's report as PDF, read by its coordinator (narratives included);
- the same plan's scorecard and measurements as XLSX, read by its coordinator.

Each download goes through the ASGI app in this process (no network), `RUNS` times; the wall time
of each, the size of the file and, for a PDF, its pages are reported. The San José seed is loaded
into the city's database first (`plantrack seed`), so `make bench` runs this after the servers'
measurements of the scale. Alone: `python bench/report_exports.py` builds a scale-1 city in a
temporary folder and prints the table.
"""

from __future__ import annotations

import re
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
    size: int | None = None
    pages: int | None = None
    status: int | None = None
    note: str = ""


def _pages(pdf: bytes) -> int | None:
    """The page count of a PDF WeasyPrint wrote (its page tree's /Count)."""
    counts = [int(n) for n in re.findall(rb"/Count (\d+)", pdf)]
    return max(counts) if counts else None


def _load_san_jose(city: Any) -> str:
    from bench.run import BIN, ROOT, _env

    done = subprocess.run(
        [str(BIN / "plantrack"), "seed"],
        env=_env(city.database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return "" if done.returncode == 0 else f"seed failed: {done.stderr.strip()[-160:]}"


def measure(city: Any) -> list[FileResult]:
    import time

    from starlette.testclient import TestClient

    from app.main import create_app

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
    for result in results:
        if result.key == "sj_pdf" and seeded:
            result.note = seeded
            continue
        headers = {"Cookie": city.cookies[result.who]} if result.who != "anonymous" else {}
        for _ in range(RUNS):
            started = time.perf_counter()
            answer = client.get(result.path, headers=headers)
            seconds = time.perf_counter() - started
            result.status = answer.status_code
            if answer.status_code != 200:
                result.note = f"answers {answer.status_code}: {answer.text[:160]}"
                break
            result.seconds.append(seconds)
            result.size = len(answer.content)
            if result.path.endswith(".pdf"):
                result.pages = _pages(answer.content)
    return results


def report_lines(scale: float, results: list[FileResult]) -> list[str]:
    out = [
        f"**Reports and exports, scale {scale:g}** (in-process through the ASGI app, each "
        f"downloaded {RUNS} times; aim for the city's report: under {AIM_SECONDS:g} s and "
        f"{AIM_MB:g} MB):",
        "",
        "| download | times | size | pages | note |",
        "|---|---:|---:|---:|---|",
    ]
    for r in results:
        times = " / ".join(f"{s:.1f} s" for s in r.seconds) or "—"
        size = "—" if r.size is None else f"{r.size / 1e6:.2f} MB"
        pages = "—" if r.pages is None else str(r.pages)
        note = r.note
        if r.key == "city_pdf" and r.seconds and r.size is not None:
            within = min(r.seconds) < AIM_SECONDS and r.size / 1e6 < AIM_MB
            note = note or ("within the aim" if within else "over the aim")
        out.append(f"| {r.label} | {times} | {size} | {pages} | {note} |")
    return out


def main() -> int:
    import argparse
    import os
    import shutil
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import build_city

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
