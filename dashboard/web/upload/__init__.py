"""Load your data: import a borough's own files as a pack for this browser."""

from __future__ import annotations

from dashboard.web.upload import callbacks, layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
