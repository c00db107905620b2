"""Where the web layer finds the process's read-only geography (stored on the Flask app)."""

from __future__ import annotations

from flask import current_app, has_request_context, request

from dashboard.engine.display import DisplayGeometry
from dashboard.engine.geography import Geography

CONFIG_KEY = "GEOGRAPHY"
GEOMETRY_ROUTE = "/_geometry/<digest>.geojson"
GLYPHS_ROUTE = "/_glyphs/<fontstack>/<int:start>-<int:end>.pbf"
BLANK_STYLE_ROUTE = "/_style/blank.json"


def attach(server, geo: Geography) -> None:
    """Keep ``geo`` on the Flask server; it is never modified after this."""
    server.config[CONFIG_KEY] = geo


def geography(server=None) -> Geography:
    """The geography of ``server``, or of the app handling the current request."""
    return (server or current_app).config[CONFIG_KEY]


def geojson_url(disp: DisplayGeometry) -> str:
    """Where the browser fetches the map shapes; the digest changes whenever they do."""
    return GEOMETRY_ROUTE.replace("<digest>", disp.digest)


def _base() -> str:
    # Absolute, because MapLibre resolves style and glyph URLs outside the page's context.
    return request.host_url.rstrip("/") if has_request_context() else ""


def glyphs_url() -> str:
    """MapLibre's glyph URL template for this app's own label glyphs."""
    return _base() + "/_glyphs/{fontstack}/{range}.pbf"


def blank_style_url() -> str:
    """The offline map background. A URL, not a style object: Plotly re-applies an object on
    every figure update (and reports a map error), while an unchanged URL is left alone."""
    return _base() + BLANK_STYLE_ROUTE
