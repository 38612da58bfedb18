"""At most a few heavy renders at once in a process: a PDF report, an XLSX workbook (issue 11).

A plan's report takes WeasyPrint 10 s or more at city scale, on a thread of the server's pool.
Forty people pressing "PDF" at once would hold every thread for minutes and the whole server
would stop answering. So each process lets `RENDER_SLOTS` renders run at once (default 2, on a
two-core machine more would only share the cores); a request that gets no slot within
`RENDER_WAIT_S` (default 2 s) is refused with `RendersBusy`, a 503 with Retry-After (the errors'
handlers in app/routes say so as a page or as JSON), never a hang and never a 500.

    with render_slot("pdf"):
        ...  # the render

A thread that holds a slot may take one again (a route that holds one for its whole work, then
calls `report_pdf.render_pdf`, which takes one itself): it counts once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.services.errors import ServiceBusy
from app.settings import get_settings

WHAT = {"pdf": "report", "xlsx": "spreadsheet"}
# Retry-After: about one render's time (the mean of the recent ones), within these bounds.
MIN_RETRY_S, MAX_RETRY_S = 2, 60


class RendersBusy(ServiceBusy):
    """No render slot came free in time: try again in `retry_after` seconds."""

    code = "renders_busy"

    def __init__(self, retry_after: int, *, what: str = "report") -> None:
        super().__init__(
            f"The {what} is being prepared for others; try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


class _Slots:
    def __init__(self, count: int) -> None:
        self.count = count
        self.free = threading.BoundedSemaphore(count)
        self.held = threading.local()
        self.recent: list[float] = []  # the last renders' seconds
        self.lock = threading.Lock()

    def depth(self) -> int:
        return getattr(self.held, "depth", 0)

    def retry_after(self) -> int:
        with self.lock:
            mean = sum(self.recent) / len(self.recent) if self.recent else 0.0
        return min(MAX_RETRY_S, max(MIN_RETRY_S, math.ceil(mean)))

    def took(self, seconds: float) -> None:
        with self.lock:
            self.recent = [*self.recent[-9:], seconds]


_slots: dict[int, _Slots] = {}
_made = threading.Lock()


def _for(count: int) -> _Slots:
    with _made:
        if count not in _slots:
            _slots[count] = _Slots(count)
        return _slots[count]


@contextmanager
def render_slot(kind: str = "pdf") -> Iterator[None]:
    """Hold one of the process's render slots for the block, or raise `RendersBusy` when none
    comes free within the setting's wait. `kind` names the render in the refusal's message."""
    settings = get_settings()
    slots = _for(settings.render_slots)
    if slots.depth():  # this thread holds one already
        yield
        return
    if not slots.free.acquire(timeout=settings.render_wait_s):
        raise RendersBusy(slots.retry_after(), what=WHAT.get(kind, kind)) from None
    slots.held.depth = 1
    started = time.perf_counter()
    try:
        yield
    finally:
        slots.took(time.perf_counter() - started)
        slots.held.depth = 0
        slots.free.release()
