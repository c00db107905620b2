"""Callbacks, one module per page; each is a thin wrapper over a plain, testable function."""

from __future__ import annotations

from dashboard.callbacks import (
    allocate,
    allocate_typed,
    footprint,
    hubs,
    keep_hubs,
    map_page,
    new_layer,
    overlaps,
    redraw,
    upload,
)


def register(app) -> None:
    """Attach every page's callbacks to ``app``."""
    for module in (map_page, footprint, overlaps, allocate, allocate_typed, redraw, new_layer,
                   hubs, keep_hubs, upload):
        module.register(app)
