"""Where the web layer finds the process's read-only geography (stored on the Flask app)."""

from __future__ import annotations

from flask import current_app

from dashboard.engine.display import DisplayGeometry
from dashboard.engine.geography import Geography

CONFIG_KEY = "GEOGRAPHY"
GEOMETRY_ROUTE = "/_geometry/<digest>.geojson"


def attach(server, geo: Geography) -> None:
    """Keep ``geo`` on the Flask server; it is never modified after this."""
    server.config[CONFIG_KEY] = geo


def geography(server=None) -> Geography:
    """The geography of ``server``, or of the app handling the current request."""
    return (server or current_app).config[CONFIG_KEY]


def geojson_url(disp: DisplayGeometry) -> str:
    """Where the browser fetches the map shapes; the digest changes whenever they do."""
    return GEOMETRY_ROUTE.replace("<digest>", disp.digest)
