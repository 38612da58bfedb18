"""The store of kept pages (app.services.views.page_cache): its byte bound, its validity window,
and one rendering for requests that miss the same page together."""

from __future__ import annotations

import datetime as dt
import threading
import time

from app.services.views.page_cache import KeptPage, PageCache

NOW = dt.datetime(2026, 12, 7, 12, 5, tzinfo=dt.UTC)


def page(size: int, *, minutes: int = 10) -> KeptPage:
    return KeptPage(b"x" * size, "text/html", 'W/"e"', NOW, NOW + dt.timedelta(minutes=minutes))


def test_the_bytes_kept_stay_within_the_bound_least_recently_used_first() -> None:
    cache = PageCache(10_000)
    for n in range(30):
        cache.put(n, page(1_000))
        cache.get(0, NOW)  # the first page stays in use
        assert cache.size <= 10_000
    assert cache.get(0, NOW) is not None and cache.get(29, NOW) is not None
    assert cache.get(1, NOW) is None  # the least recently used went first
    cache.put("large", page(1_300))  # over an eighth of the bound: not kept
    assert cache.get("large", NOW) is None


def test_a_page_is_served_only_within_its_window() -> None:
    cache = PageCache(10_000)
    cache.put("k", page(10))
    assert cache.get("k", NOW + dt.timedelta(minutes=9)) is not None
    assert cache.get("k", NOW - dt.timedelta(seconds=1)) is None  # a clock moved back
    cache.put("k", page(10))
    assert cache.get("k", NOW + dt.timedelta(minutes=10)) is None
    assert cache.size == 0


def test_sixteen_misses_of_one_page_render_it_once() -> None:
    cache = PageCache(1_000_000)
    renders: list[int] = []

    def request() -> None:
        if cache.get("k", NOW) is None:
            with cache.making("k"):
                if cache.get("k", NOW) is None:
                    renders.append(1)
                    time.sleep(0.2)
                    cache.put("k", page(100))

    threads = [threading.Thread(target=request) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(renders) == 1
