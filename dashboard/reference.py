"""Where the web layer finds the process's read-only geography (stored on the Flask app)."""

from __future__ import annotations

from flask import current_app

from dashboard.engine.geography import Geography

CONFIG_KEY = "GEOGRAPHY"


def attach(server, geo: Geography) -> None:
    """Keep ``geo`` on the Flask server; it is never modified after this."""
    server.config[CONFIG_KEY] = geo


def geography(server=None) -> Geography:
    """The geography of ``server``, or of the app handling the current request."""
    return (server or current_app).config[CONFIG_KEY]
