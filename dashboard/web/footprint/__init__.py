"""Footprint profiles: one footprint's people, need, overlaps and hubs against the borough."""

from __future__ import annotations

from dashboard.web.footprint import callbacks, layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
