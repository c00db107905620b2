"""Overlaps: how the units of two layers share residents, and where they disagree most."""

from __future__ import annotations

from dashboard.web.overlaps import callbacks, layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
