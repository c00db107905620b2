"""The borough's front door: how well every pair of layers lines up, the worst-split units of
the pair chosen, and links straight to the map, the profiles and the overlap explorer."""

from __future__ import annotations

from dashboard.web.overview import callbacks, layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
