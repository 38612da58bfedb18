"""Report PDFs already made, kept in memory so the same download again is instant (issue 11).

A city's report takes WeasyPrint 10 s or more; a council meeting's members download the same one.
A PDF is kept under what it was made from:

- the plan's stamp (app.services.reading.plan_stamp, the tree API's ETag): the newest history
  entry of the plan (every accepted change writes one), the plan row, the date and each
  strategy's effective status, so any edit or a new day makes a new PDF;
- the reader's visibility class (`can_read_internal`: narratives and history, or not), so no PDF
  crosses from the organisation's staff to the public;
- the query (focus area, department, since) and the paper; and the database it was read from.

Bounded: at most MAX_ENTRIES PDFs and MAX_BYTES in all per process, the least recently used
dropped first. Each worker process keeps its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from sqlmodel import Session

from app.models import Plan, User
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.reading.plan_stamp import plan_stamp

MAX_ENTRIES = 16
MAX_BYTES = 64 * 1024 * 1024

_kept: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()


def report_key(
    *, session: Session, plan: Plan, user: User | None, query: str, paper: str
) -> Hashable:
    """What a report PDF of `plan` for `user` is made from (after checking they may read it)."""
    require_read_plan(user, plan)
    database = str(session.get_bind().engine.url)
    stamp = plan_stamp(session=session, plan=plan)
    return (database, plan.id, stamp, can_read_internal(user, plan), query, paper)


def kept(key: Hashable) -> bytes | None:
    with _lock:
        pdf = _kept.get(key)
        if pdf is not None:
            _kept.move_to_end(key)
        return pdf


def keep(key: Hashable, pdf: bytes) -> None:
    if len(pdf) > MAX_BYTES:
        return
    with _lock:
        _kept[key] = pdf
        _kept.move_to_end(key)
        while len(_kept) > MAX_ENTRIES or sum(map(len, _kept.values())) > MAX_BYTES:
            _kept.popitem(last=False)


def forget_all() -> None:
    with _lock:
        _kept.clear()
