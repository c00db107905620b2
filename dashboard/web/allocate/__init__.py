"""Allocate: share a team or budget across footprints by population and need."""

from __future__ import annotations

from dashboard.web.allocate import callbacks, layout, typed

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
    typed.register(app)
