"""Response headers, optional sign-in and proxy trust for a deployed dashboard.

The content security policy allows only this server's own scripts (plus hashes of Dash's inline
ones), so a script injected through a data file's text cannot run; map styles from a tile
provider are the one outside origin allowed, and only when the streets basemap is configured.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from dash.exceptions import DependencyException
from flask import Response, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import check_password_hash

from dashboard.config import Settings

# Paths a load balancer probes: they answer without sign-in and say nothing about the data.
OPEN_PATHS = ("/healthz",)
DEV_ROUTE = "/_reload-hash"  # Dash's hot-reload poll, which lists the app's files
REALM = "Place alignment dashboard"
# Where Plotly's named tile styles fetch styles, tiles, fonts and sprites from.
STYLE_ORIGINS = {
    "carto": ("https://*.cartocdn.com",),
    "open-street-map": ("https://*.tile.openstreetmap.org",),
}


def map_origins(street_style: str) -> tuple[str, ...]:
    """Outside origins the configured streets basemap needs (none for the offline style)."""
    for prefix, origins in STYLE_ORIGINS.items():
        if street_style.startswith(prefix):
            return origins
    parts = urlsplit(street_style)
    return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme in ("https", "http") else ()


def content_security_policy(script_hashes: list[str], street_style: str) -> str:
    outside = " ".join(map_origins(street_style))
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        # Plotly, MapLibre and Bootstrap set element styles inline.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob: {outside}".strip(),
        "font-src": "'self' data:",
        "connect-src": f"'self' {outside}".strip(),
        "worker-src": "'self' blob:",  # MapLibre draws in a worker made from a blob
        "child-src": "blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{key} {value}" for key, value in directives.items())


def add_headers(app, street_style: str) -> None:
    """Security headers on every response of ``app`` (a Dash app)."""
    @app.server.after_request
    def headers(response: Response) -> Response:
        # Hashed per response: Dash adds some inline scripts only when serving its first page.
        response.headers.setdefault("Content-Security-Policy", content_security_policy(
            list(app.csp_hashes()), street_style))
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return response


def hide_dev_routes(server, debug: bool) -> None:
    """Outside debug mode, Dash's hot-reload route answers 404, and a request for a script
    file Dash does not list (e.g. ``../`` paths) is a 404, not a logged server error."""
    @server.before_request
    def dev_only():
        if not debug and request.path == DEV_ROUTE:
            return Response("Not found", 404)
        return None

    @server.errorhandler(DependencyException)
    def unknown_script(_exc):
        return Response("Not found", 404)


def signed_in(settings: Settings, authorization) -> bool:
    """Whether a request's Basic credentials match the configured user and password hash."""
    if authorization is None or authorization.type != "basic":
        return False
    user, password = authorization.get("username") or "", authorization.get("password") or ""
    right_user = hmac.compare_digest(user.encode(), (settings.auth_user or "").encode())
    # Check the password even for a wrong user, so timing does not reveal user names.
    right_password = check_password_hash(settings.auth_password_hash or "", password)
    return right_user and right_password


def require_sign_in(server, settings: Settings) -> None:
    """HTTP Basic sign-in on every path but the health check, when a user is configured."""
    if not settings.auth_user:
        return

    @server.before_request
    def check():
        if request.path in OPEN_PATHS or signed_in(settings, request.authorization):
            return None
        return Response("Sign in to use the dashboard.", 401,
                        {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})


def trust_proxies(server, hops: int) -> None:
    """Believe ``X-Forwarded-*`` from ``hops`` reverse proxies, so links use https and the
    public host name."""
    if hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                   x_port=hops, x_prefix=hops)


def restrict_hosts(server, settings: Settings) -> None:
    """Answer only the configured host names: a forged Host header gets 400, never a page whose
    links point at it. With none configured (development) every host is answered."""
    hosts = settings.hosts
    if not hosts:
        return

    @server.before_request
    def known_host():
        if request.host.lower() in hosts or request.path in OPEN_PATHS:
            return None
        return Response("Unknown host name.", 400)
