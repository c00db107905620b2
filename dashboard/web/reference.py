"""Where the web layer finds the geography of the current request.

The Flask app holds a :class:`~dashboard.packs.PackStore`. A page's address names its pack
(``?pack=kirklees``); the page's script repeats that choice on every request it makes
(:data:`PACK_HEADER`, see ``assets/pack.js``), so every callback and page layout of a tab sees the
same pack even when another tab chose another. A request naming none gets the browser's last
choice (its cookie), else the default pack.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, g, has_request_context, request

from dashboard.config import Settings
from dashboard.engine.geography import Geography
from dashboard.errors import DataPackError
from dashboard.packs import PackStore
from dashboard.scenarios import Scenario, ScenarioError, ScenarioStore
from dashboard.web.common.mapbase import MapSource
from dashboard.web.common.shapes import (
    DisplayGeometry,
    display_geometry,
    label_geojson,
    outline_geojson,
)
from dashboard.web.cookies import COOKIE

PACK_HEADER = "X-Dashboard-Pack"
CONFIG_KEY = "PACK_STORE"
SCENARIOS_KEY = "SCENARIO_STORE"
SETTINGS_KEY = "DASHBOARD_SETTINGS"
GEOMETRY_ROUTE = "/_geometry/<digest>.geojson"
OUTLINE_ROUTE = "/_outlines/<digest>.geojson"
GLYPHS_ROUTE = "/_glyphs/<fontstack>/<int:start>-<int:end>.pbf"
BLANK_STYLE_ROUTE = "/_style/blank.json"


def attach(server, store: PackStore, scenario_store: ScenarioStore, settings: Settings) -> None:
    """Keep the pack and scenario stores and the deployment's settings on the Flask server."""
    server.config[CONFIG_KEY] = store
    server.config[SCENARIOS_KEY] = scenario_store
    server.config[SETTINGS_KEY] = settings


def settings(server=None) -> Settings:
    return (server or current_app).config[SETTINGS_KEY]


def scenarios(server=None) -> ScenarioStore:
    return (server or current_app).config[SCENARIOS_KEY]


def shared_scenario(scenario_id: str) -> Scenario:
    """The saved scenario a shared link names, refused when it belongs to another pack."""
    found = scenarios().get(scenario_id)
    if found.pack != pack_key():
        where = "the default pack" if found.pack == "default" else choice_query(found.pack)
        raise ScenarioError(f"'{found.name}' was made on another pack; open {where} first, then "
                            "follow the link again.")
    return found


def current_choice(server=None) -> str:
    """The key or id of the pack this request is shown (the default pack's key when it chose
    none, or chose one that cannot be opened)."""
    packs = store(server)
    chosen = pack_id()
    if not chosen or pack_problem() or chosen == "default" or not packs.knows(chosen):
        return packs.default_key
    return chosen


def pack_key() -> str:
    """Which pack a saved scenario belongs to: a named pack's key or an imported pack's id, or
    ``default`` for the default pack."""
    chosen = current_choice()
    return "default" if chosen == store().default_key else chosen


def href(path: str, **params) -> str:
    """A link to ``path`` on this tab's pack with ``params`` (those that are None left out)."""
    query = {"pack": current_choice(), **{k: v for k, v in params.items() if v is not None}}
    return f"{path}?{urlencode(query)}"


def choice_query(key: str | None = None, server=None) -> str:
    """``?pack=...`` for links that keep this tab's pack."""
    return "?" + urlencode({"pack": key or current_choice(server)})


def store(server=None) -> PackStore:
    return (server or current_app).config[CONFIG_KEY]


def pack_id() -> str | None:
    """The pack this request's page chose (its address), else this browser's last choice (its
    cookie), if any."""
    if not has_request_context():
        return None
    return (request.headers.get(PACK_HEADER) or request.args.get("pack")
            or request.cookies.get(COOKIE) or None)


def geography(server=None) -> Geography:
    """The pack the current request's browser chose, or the default pack (also when the chosen
    one cannot be opened any more: :func:`pack_problem` then says why)."""
    try:
        return store(server).get(pack_id())
    except DataPackError as exc:
        if has_request_context():
            g.pack_problem = str(exc)
        return store(server).default


def pack_problem() -> str | None:
    """Why this request's chosen pack could not be opened, if it could not."""
    return g.get("pack_problem") if has_request_context() else None


def map_source(geo: Geography, style: str | None = None) -> MapSource:
    """``geo``'s map shapes, their URL and the map background (the offline one by default)."""
    disp = display_geometry(geo)
    return MapSource(disp, geojson_url(disp), style or blank_style_url())


def outline_url(geo: Geography, disp: DisplayGeometry, layer: str) -> str:
    """Where the browser fetches one layer's outlines (see :func:`shapes.outline_geojson`);
    absolute, because MapLibre fetches layer data from a worker, outside the page's context."""
    return _base() + OUTLINE_ROUTE.replace("<digest>", outline_geojson(geo, disp, layer)[0])


def label_url(geo: Geography, disp: DisplayGeometry, layer: str) -> str:
    """Where the browser fetches one layer's unit names (see :func:`shapes.label_geojson`),
    at the outlines' address: one route serves both, found by digest."""
    return _base() + OUTLINE_ROUTE.replace("<digest>", label_geojson(geo, disp, layer)[0])


def geojson_url(disp: DisplayGeometry) -> str:
    """Where the browser fetches the map shapes; the digest changes whenever they do."""
    return GEOMETRY_ROUTE.replace("<digest>", disp.digest)


def base_url() -> str:
    """This site's address for links: the configured public URL, else the request's host
    (which :func:`dashboard.security.restrict_hosts` has checked when hosts are configured)."""
    if not has_request_context():
        return ""
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def _base() -> str:
    # Absolute, because MapLibre resolves style and glyph URLs outside the page's context.
    return base_url()


def glyphs_url() -> str:
    """MapLibre's glyph URL template for this app's own label glyphs."""
    return _base() + "/_glyphs/{fontstack}/{range}.pbf"


def blank_style_url() -> str:
    """The offline map background. A URL, not a style object: Plotly re-applies an object on
    every figure update (and reports a map error), while an unchanged URL is left alone."""
    return _base() + BLANK_STYLE_ROUTE
