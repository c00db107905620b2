"""Redraw: move wards between footprints, make new layers, save and compare scenarios."""

from __future__ import annotations

from dashboard.web.redraw import callbacks, layout, new_layer

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
    new_layer.register(app)
