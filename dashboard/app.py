"""The Dash application factory. No module-level app: call :func:`create_app`."""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

from dashboard import callbacks, ids, reference
from dashboard.cli import default_pack
from dashboard.data.loader import load_pack

ROOT = Path(__file__).resolve().parents[1]


def create_app(pack: str | Path | None = None) -> Dash:
    """Load ``pack`` (default: ``$DASHBOARD_PACK`` or the demo pack) and build the Dash app.

    The pack is loaded and its atoms cut once here, before any request, so callbacks only
    aggregate.
    """
    geo = load_pack(pack or default_pack())
    app = Dash(
        "dashboard",
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        assets_folder=str(ROOT / "assets"),
        # Bootstrap's CSS ships in assets/ so the app works offline; no CDN.
        title="Place alignment dashboard",
        suppress_callback_exceptions=False,
    )
    reference.attach(app.server, geo)
    badge = dbc.Badge("FICTIONAL DEMO DATA", color="warning", className="ms-2 text-dark") \
        if geo.fictional else None
    app.layout = html.Div([
        dbc.Navbar(dbc.Container([
            dbc.NavbarBrand(["Place alignment", badge], href="/"),
            html.Span(geo.name, className="navbar-text text-light small", id=ids.NAV),
        ]), color="primary", dark=True, className="mb-3"),
        dbc.Container([dash.page_container], fluid="lg"),
    ])
    callbacks.register(app)
    return app


def server():
    """WSGI entry point for gunicorn: ``gunicorn "dashboard.app:server()"``."""
    return create_app().server
