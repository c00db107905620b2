"""The layered map (home page): small areas shaded by a measure, every footprint overlaid."""

from __future__ import annotations

from dashboard.web.map import callbacks, layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
