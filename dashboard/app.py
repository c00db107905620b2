"""The Dash application factory. No module-level app: call :func:`create_app`."""

from __future__ import annotations

import logging
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html, set_props
from flask import Flask, Response, abort, jsonify, redirect
from flask_compress import Compress

from dashboard import callbacks, figures, ids, packs, reference
from dashboard.cli import default_pack
from dashboard.data.loader import load_pack
from dashboard.engine.display import display_geometry
from dashboard.engine.geography import Geography
from dashboard.errors import DashboardError
from dashboard.glyphs import glyph_range
from dashboard.packs import PackStore, default_store, file_limit
from dashboard.scenarios import ScenarioStore, default_url

ROOT = Path(__file__).resolve().parents[1]
LOG = logging.getLogger(__name__)
NAV_LINKS = (("Map", "/"), ("Footprints", "/footprint"), ("Overlaps", "/overlaps"),
             ("Allocate", "/allocate"), ("Redraw", "/redraw"), ("Hubs", "/hubs"),
             ("Data", "/data"),
             ("Load your data", "/upload"))
# Whole-request cap, a little over all upload roles at the per-file limit once base64-encoded.
MAX_REQUEST_FILES = 12


def show_error(err: Exception) -> None:
    """App-wide handler: any callback failure becomes an alert, never a blank page."""
    if isinstance(err, DashboardError):
        message = str(err)
    else:
        LOG.exception("Callback failed", exc_info=err)
        message = ("Something went wrong while updating this view; the details are in the "
                   "server log. Try another choice, or reload the page.")
    set_props(ids.APP_ALERT, {"children": message, "is_open": True})


def _serve_geometry(server) -> None:
    """Serve the map shapes as a file the browser caches, so pages never re-send them."""
    def geometry(digest: str) -> Response:
        # Any loaded pack's shapes: the digest, not the cookie, says which were asked for.
        found = [d for d in map(display_geometry, reference.store(server).loaded())
                 if d.digest == digest]
        if not found:
            abort(404)
        disp = found[0]
        response = Response(disp.atoms_geojson, mimetype="application/geo+json")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    server.add_url_rule(reference.GEOMETRY_ROUTE, "geometry", geometry)


def _serve_glyphs(server) -> None:
    """Label glyphs for the map, made from a bundled font (see :mod:`dashboard.glyphs`)."""
    def glyphs(fontstack: str, start: int, end: int) -> Response:
        if end != start + 255:
            abort(404)
        try:
            data = glyph_range(start)
        except ValueError:
            abort(404)
        response = Response(data, mimetype="application/x-protobuf")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    server.add_url_rule(reference.GLYPHS_ROUTE, "glyphs", glyphs)

    def blank_style() -> Response:
        return jsonify(figures.blank_style(reference.glyphs_url()))

    server.add_url_rule(reference.BLANK_STYLE_ROUTE, "blank_style", blank_style)


def _serve_pack_switch(server) -> None:
    """``/_pack/<id>`` switches this browser to an imported pack (a link a user can share);
    ``/_pack/default`` switches it back."""
    def switch(pack_id: str) -> Response:
        response = redirect("/")
        if pack_id == "default":
            response.delete_cookie(packs.COOKIE)
            return response
        if not reference.store(server).has(pack_id):
            abort(404)
        packs.set_cookie(response, pack_id)
        return response

    server.add_url_rule("/_pack/<pack_id>", "pack_switch", switch)


def _compress(server) -> None:
    """Gzip responses, GeoJSON included (shapes shrink about fourfold)."""
    probe = Flask("defaults")
    Compress(probe)  # learn flask-compress's default media types, then add GeoJSON's
    server.config["COMPRESS_MIMETYPES"] = [*probe.config["COMPRESS_MIMETYPES"],
                                           "application/geo+json", "application/x-protobuf"]
    Compress(server)


def _shell(server) -> html.Div:
    """The page frame, built per page load so it names the pack this browser chose."""
    geo = reference.geography(server)
    badge = dbc.Badge("FICTIONAL DEMO DATA", color="warning", className="ms-2 text-dark") \
        if geo.fictional else None
    return html.Div([
        dbc.Navbar(dbc.Container([
            dbc.NavbarBrand(["Place alignment", badge], href="/"),
            dbc.Nav([dbc.NavItem(dbc.NavLink(label, href=href, active="exact"))
                     for label, href in NAV_LINKS], navbar=True, className="me-auto"),
            html.Span(geo.name, className="navbar-text text-light small", id=ids.NAV),
        ], fluid=True), color="#0b4f9c", dark=True, className="mb-3 app-navbar"),
        dbc.Container([
            dbc.Alert(id=ids.APP_ALERT, is_open=False, dismissable=True, color="danger"),
            html.Main(dash.page_container),
        ], fluid=True, className="px-4"),
    ])


def create_app(pack: str | Path | None = None, geography: Geography | None = None,
               pack_store: str | Path | None = None, scenario_db: str | None = None) -> Dash:
    """Load ``pack`` (default: ``$DASHBOARD_PACK`` or the demo pack) and build the Dash app.

    The pack is loaded, its atoms cut and its map shapes simplified once here, before any
    request, so callbacks only aggregate. ``geography`` serves an already built model instead
    (benchmarks and tests). Users' imports go to ``pack_store`` (default
    ``$DASHBOARD_PACK_STORE`` or ``instance/packs``). Scenarios are saved to ``scenario_db`` (a
    database URL; default ``$DASHBOARD_SCENARIO_DB`` or ``scenarios.sqlite`` beside the pack
    store).
    """
    geo = geography if geography is not None else load_pack(pack or default_pack())
    display_geometry(geo)
    store = PackStore(Path(pack_store) if pack_store else default_store(), geo)
    saved = ScenarioStore(scenario_db or default_url(store.root.parent))
    app = Dash(
        "dashboard",
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        # Bootstrap's CSS ships in assets/ so the app works offline; no CDN.
        assets_folder=str(ROOT / "assets"),
        title="Place alignment dashboard",
        suppress_callback_exceptions=False,
        on_error=show_error,
    )
    reference.attach(app.server, store, saved)
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_FILES * file_limit() * 4 // 3
    _serve_geometry(app.server)
    _serve_glyphs(app.server)
    _serve_pack_switch(app.server)
    _compress(app.server)
    app.layout = lambda: _shell(app.server)
    callbacks.register(app)
    return app


def server():
    """WSGI entry point for gunicorn: ``gunicorn "dashboard.app:server()"``."""
    return create_app().server
