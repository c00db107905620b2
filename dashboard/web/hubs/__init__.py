"""Hubs: who lives near a hub, what-if edits to the hub plan, scenarios and files."""

from __future__ import annotations

from dashboard.web.hubs import callbacks, keep, layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
    keep.register(app)
