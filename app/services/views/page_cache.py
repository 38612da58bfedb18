"""Rendered read pages kept in memory, bounded in bytes (issue 14).

A page is kept under everything it was made from (the key is built by the caller:
app/routes/cached_pages.py): the database, the address with its query string and the htmx
headers that choose a fragment, the organisation's stamp (app.services.reading.page_stamp: read
from the database on every request, so a write made through any worker is seen on the very next
read in every worker), the reader's visibility class and the reader (id and version; anonymous
readers share one copy). It is served until `valid_until` (the next moment time alone changes
what it says), never after, nor before the quarter hour it was made in.

The least recently used pages go first once the bodies kept exceed the bound (`PAGE_CACHE_BYTES`,
per worker process); a body larger than an eighth of the bound is not kept. A bound of 0 keeps
nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# How long a request waits for another's rendering of the same page before rendering it itself.
MAKER_WAIT_S = 30


@dataclass(frozen=True)
class KeptPage:
    body: bytes
    media_type: str
    etag: str
    valid_from: dt.datetime
    valid_until: dt.datetime


class PageCache:
    """An LRU of rendered bodies, at most `max_bytes` of them in all (thread-safe)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[Hashable, KeptPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Event] = {}

    @property
    def size(self) -> int:
        """The bytes of the bodies kept."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: Hashable, now: dt.datetime) -> KeptPage | None:
        """The page kept under `key` if it is valid at `now` (a clock moved back, as tests move it,
        does not get a page made later)."""
        with self._lock:
            page = self._kept.get(key)
            if page is None:
                return None
            if not page.valid_from <= now < page.valid_until:
                self._drop(key)
                return None
            self._kept.move_to_end(key)
            return page

    def put(self, key: Hashable, page: KeptPage) -> None:
        if len(page.body) * 8 > self.max_bytes:
            return
        with self._lock:
            if key in self._kept:
                self._drop(key)
            self._kept[key] = page
            self._bytes += len(page.body)
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._kept)))

    @contextmanager
    def making(self, key: Hashable) -> Iterator[None]:
        """Requests that miss the same page together wait for the first one's page instead of
        each rendering it (sixteen reviews at once at the turn of a quarter hour took seconds);
        if it was not kept (too large), they then render it side by side, not one by one."""
        with self._lock:
            made = self._making.get(key)
            if made is None:
                made = self._making[key] = threading.Event()
                first = True
            else:
                first = False
        if not first:
            made.wait(MAKER_WAIT_S)
            yield
            return
        try:
            yield
        finally:
            with self._lock:
                del self._making[key]
            made.set()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0

    def _drop(self, key: Hashable) -> None:
        self._bytes -= len(self._kept.pop(key).body)
