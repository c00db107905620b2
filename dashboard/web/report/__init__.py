"""The printable board report (/report): a footprint's page or the borough summary, the same
document as the PDF, with a print stylesheet that gives the same A4 page."""

from __future__ import annotations

from dashboard.web.report import callbacks, layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    callbacks.register(app)
