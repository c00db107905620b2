"""The Dash web layer: one package per page (its layout, callbacks and figures) and the parts
they share in :mod:`dashboard.web.common`. Only this layer imports Dash; it calls the engine."""

from __future__ import annotations

import importlib

import dash

from dashboard.web import validation
from dashboard.web.site import PAGES, TITLE


def register(app) -> None:
    """Register every page of :data:`~dashboard.web.site.PAGES` and attach its callbacks."""
    from dashboard.web.common import shell

    shell.register(app)
    for order, page in enumerate(PAGES):
        feature = importlib.import_module(f"dashboard.web.{page.package}")
        dash.register_page(f"dashboard.web.{page.package}", path=page.path, name=page.name,
                           title=f"{page.name} · {TITLE}", order=order, layout=feature.layout.layout)
        feature.register(app)
    validation.lighten(app)
