"""The HTML pages. Every module here that defines `router` is included, in name order."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

pages_router = APIRouter(include_in_schema=False)

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _loaded = importlib.import_module(f"{__name__}.{_module.name}")
    if hasattr(_loaded, "router"):
        pages_router.include_router(_loaded.router)
