"""Data: what the pack holds, where it came from and what was checked."""

from __future__ import annotations

from dashboard.web.data import layout

__all__ = ["layout", "register"]


def register(app) -> None:
    """Attach this page's callbacks to ``app``."""
    del app  # a static page: nothing to attach
