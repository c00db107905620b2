"""The Dash application factory. No module-level app: call :func:`create_app`."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

from dash import Dash, set_props
from flask import Flask, Response, abort, jsonify, redirect, request
from flask_compress import Compress

from dashboard import packs, plotly_bundle, precompressed, security, web
from dashboard.config import Settings
from dashboard.data import snapshot
from dashboard.data.snapshot import Served
from dashboard.engine.geography import Geography
from dashboard.errors import DashboardError
from dashboard.glyphs import glyph_range
from dashboard.packs import PackStore
from dashboard.scenarios import ScenarioStore, default_url
from dashboard.web import cookies, ids, reference
from dashboard.web.common import mapbase, shell
from dashboard.web.common.shape_cache import cached_display
from dashboard.web.common.shapes import display_geometry, label_geojson, outline_geojson

ROOT = Path(__file__).resolve().parents[1]
LOG = logging.getLogger(__name__)
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


def _serve_health(server) -> None:
    """``/healthz`` for load balancers: 200 while this worker serves pages. The scenario store
    is reported but does not fail the check, since maps and figures work without it."""
    def health() -> Response:
        scenarios = "ok" if reference.scenarios(server).healthy() else "unavailable"
        served = server.config.get("SERVED_PACK")
        pack = {"version": served.version if served else "in memory",
                "newer_refused": served.refused if served else None}
        degraded = scenarios != "ok" or pack["newer_refused"]
        body = jsonify(status="degraded" if degraded else "ok", scenarios=scenarios, pack=pack)
        body.headers["Cache-Control"] = "no-store"
        return body

    server.add_url_rule("/healthz", "health", health)


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

    def outlines(digest: str) -> Response:
        # As for the shapes: any loaded pack's outlines or unit names, found by their digest.
        for geo in reference.store(server).loaded():
            disp = display_geometry(geo)
            for name in mapbase.outline_layers(geo):
                for make in (outline_geojson, label_geojson):
                    found, data = make(geo, disp, name)
                    if found == digest:
                        response = Response(data, mimetype="application/geo+json")
                        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
                        return response
        abort(404)

    server.add_url_rule(reference.OUTLINE_ROUTE, "outlines", outlines)


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
        return jsonify(mapbase.blank_style(reference.glyphs_url()))

    server.add_url_rule(reference.BLANK_STYLE_ROUTE, "blank_style", blank_style)


def _serve_pack_switch(server) -> None:
    """``/_pack/<choice>`` opens a pack (older shared links); ``/_pack/default`` switches this
    browser back to the default pack. A page opened with ``?pack=`` becomes the browser's
    choice for pages opened without one."""
    def switch(pack_id: str) -> Response:
        if pack_id == "default":
            response = redirect("/")
            response.delete_cookie(cookies.COOKIE)
            return response
        if not reference.store(server).knows(pack_id):
            abort(404)
        return redirect("/" + reference.choice_query(pack_id))

    server.add_url_rule("/_pack/<pack_id>", "pack_switch", switch)

    @server.after_request
    def remember_choice(response: Response) -> Response:
        chosen = request.args.get("pack")
        if request.method == "GET" and chosen and response.mimetype == "text/html" \
                and reference.store(server).knows(chosen):
            cookies.set_cookie(response, chosen, request.is_secure,
                             request.cookies.get(cookies.UPLOADS_COOKIE, ""))
        return response


def _compress(server) -> None:
    """Gzip responses, GeoJSON included (shapes shrink about fourfold)."""
    probe = Flask("defaults")
    Compress(probe)  # learn flask-compress's default media types, then add GeoJSON's
    server.config["COMPRESS_MIMETYPES"] = [*probe.config["COMPRESS_MIMETYPES"],
                                           "application/geo+json", "application/x-protobuf"]
    Compress(server)


def _open_pack(settings: Settings) -> tuple[Served, str]:
    """The configured pack (the last copy of it that validated) with its map shapes, and whether
    the disk cache was warm."""
    served = snapshot.serve(settings.pack, settings.pack_store.parent / "served",
                            settings.cache_dir)
    return served, cached_display(served.geography, served.folder, settings.cache_dir)


def _pack_store(settings: Settings, geo: Geography, named: bool = True) -> PackStore:
    folders = packs.named_packs(settings.packs if named else (), settings.pack)
    return PackStore(settings.pack_store, geo, named=folders,
                     default_key=packs.pack_key_of(settings.pack),
                     snapshot_root=settings.pack_store.parent / "served-packs",
                     file_limit=settings.upload_bytes,
                     cache_dir=settings.cache_dir, keep_days=settings.upload_days,
                     max_packs=settings.upload_max_packs, per_hour=settings.uploads_per_hour)


def _scenario_store(settings: Settings) -> ScenarioStore:
    return ScenarioStore(settings.scenario_db or default_url(settings.pack_store.parent),
                         team=settings.scenarios_team)


def _serve_files(server, settings: Settings) -> None:
    """The app's own routes (health, shapes, glyphs, pack switch), the lighter Plotly, and
    compression: flask-compress first, then the brotli copies of framework files."""
    _serve_health(server)
    _serve_geometry(server)
    _serve_glyphs(server)
    _serve_pack_switch(server)
    plotly_bundle.attach(server)
    _compress(server)
    precompressed.attach(server, settings.cache_dir)


def create_app(pack: str | Path | None = None, geography: Geography | None = None,
               pack_store: str | Path | None = None, scenario_db: str | None = None,
               settings: Settings | None = None) -> Dash:
    """Load the pack and build the Dash app, configured by ``settings`` (default: from the
    environment, see :class:`~dashboard.config.Settings`).

    The pack is loaded, its atoms cut and its map shapes simplified (or read from the disk
    cache) once here, before any request, so callbacks only aggregate. ``geography`` serves an
    already built model instead (benchmarks and tests). ``pack``, ``pack_store`` and
    ``scenario_db`` override the settings of the same names.
    """
    settings = settings or Settings.from_env()
    settings = replace(settings, **{k: v for k, v in (
        ("pack", pack and Path(pack)), ("pack_store", pack_store and Path(pack_store)),
        ("scenario_db", scenario_db)) if v})
    if geography is not None:
        geo, served = geography, None
        display_geometry(geo)
    else:
        served, _ = _open_pack(settings)
        geo = served.geography
    store = _pack_store(settings, geo, named=geography is None)
    saved = _scenario_store(settings)
    app = Dash(
        "dashboard",
        use_pages=True,
        pages_folder="",  # pages are registered from dashboard.web.site.PAGES
        # Bootstrap's CSS ships in assets/ so the app works offline; no CDN.
        assets_folder=str(ROOT / "assets"),
        title="Place alignment dashboard",
        suppress_callback_exceptions=False,
        on_error=show_error,
    )
    server = app.server
    server.config["SERVED_PACK"] = served
    security.trust_proxies(server, settings.proxy_hops)
    security.restrict_hosts(server, settings)
    server.config["PUBLIC_URL"] = settings.public_url
    security.require_sign_in(server, settings)
    security.hide_dev_routes(server, settings.debug)
    reference.attach(server, store, saved, settings)
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_FILES * settings.upload_bytes * 4 // 3
    security.limit_bodies(server, (ids.UPLOAD_REPORT,))
    _serve_files(server, settings)
    # Screen readers pick their voice and pronunciation from the page's language; Dash's own
    # script block is no page footer (the sources line is).
    app.index_string = app.index_string.replace("<html>", '<html lang="en-GB">', 1) \
        .replace("<footer>", "<div>", 1).replace("</footer>", "</div>", 1)
    app.layout = lambda: shell.shell(server)
    web.register(app)
    # Dash's error pop-ups and prop checks only when asked for: they show code to the browser.
    if settings.debug:
        app.enable_dev_tools(debug=True, dev_tools_hot_reload=False)
    security.add_headers(app, settings.street_style)
    _finish_setup(server)
    return app


def _finish_setup(server) -> None:
    """Run the first-request set-up now, before any request. Dash finishes itself then (the
    pages' router callback, the validation layout) and marks it done before doing it, so on a
    threaded worker a second request arriving meanwhile found no router callback: HTTP 500
    from a freshly started worker. ``/healthz`` passes every hook of ours unchanged."""
    with server.test_request_context("/healthz"):
        server.preprocess_request()


def check_start(settings: Settings | None = None) -> list[str]:
    """Check the settings and the pack, and fill the disk cache, before any worker starts.

    Returns lines for the start-up log; raises :class:`DashboardError` naming the variable or
    the pack file at fault.
    """
    settings = settings or Settings.from_env()
    start = time.perf_counter()
    try:
        served, cache = _open_pack(settings)
        geo = served.geography
    except DashboardError as exc:
        raise DashboardError(f"cannot serve the data pack in {settings.pack}: {exc} Fix or "
                             "re-import the pack, or set DASHBOARD_PACK to another one.") from exc
    # No worker runs yet, so whatever an upload or import left behind is nobody's: all goes.
    store = _pack_store(settings, geo)
    swept = store.sweep(older_than_s=0)
    others = [k for k in store.named if k != store.default_key]
    problems = store.warm()  # fills the disk cache, so workers open the named packs quickly
    scenarios = _scenario_store(settings)
    reachable = scenarios.healthy()
    scenarios.engine.dispose()  # workers open their own connections after the fork
    sign_in = (f"basic, user '{settings.auth_user}'" if settings.auth_user
               else "none here (set DASHBOARD_AUTH_USER, or sign in at a proxy)")
    refused = ([f"REFUSED the pack now in {settings.pack}: {served.refused} Serving the last "
                f"copy that validated ({served.version}) until it is fixed."]
               if served.refused else [])
    return [
        *refused,
        f"Pack '{geo.name}' from {settings.pack} (version {served.version}) is the default; "
        f"also offered: {', '.join(others) or 'none'}; ready in "
        f"{time.perf_counter() - start:.1f} s (map shapes cache: {cache}).",
        *[f"REFUSED the named pack {p}" for p in problems],
        f"Scenario store {scenarios!r}: " + ("reachable." if reachable else
                                             "NOT reachable; maps work, saving waits for it."),
        f"Sign-in: {sign_in}; debug: {'ON' if settings.debug else 'off'}; uploads up to "
        f"{settings.upload_mb:g} MB per file, {settings.uploads_per_hour} imports per client "
        f"an hour, {settings.upload_max_packs} packs kept, each until unused for "
        f"{settings.upload_days:g} days; {len(swept)} unfinished upload(s) removed.",
        "Plotly: " + (f"the dashboard's own bundle ({plotly_bundle.bundle_path().name})"
                      if plotly_bundle.bundle_path().is_file() else
                      "the full plotly.min.js (`python -m dashboard build-plotly` makes a "
                      "lighter one)") + ".",
        "Host names answered: " + (", ".join(sorted(settings.hosts)) if settings.hosts else
                                   "this machine's only (localhost, its own names and "
                                   "addresses); set DASHBOARD_PUBLIC_URL on a shared server")
        + ".",
    ]


def server():
    """WSGI entry point for gunicorn: ``gunicorn "dashboard.app:server()"``."""
    return create_app().server
