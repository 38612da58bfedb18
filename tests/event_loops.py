"""Running a coroutine to completion from a test, whatever the test process has run before."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own.

    Playwright's sync API leaves an event loop running on the main thread of any xdist worker
    that has already run a browser test, and asyncio.run refuses to start inside it: which tests
    a worker got first decided whether a test passed (CI failed this way twice).
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
