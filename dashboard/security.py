"""Response headers, optional sign-in and proxy trust for a deployed dashboard.

The content security policy allows only this server's own scripts (plus hashes of Dash's inline
ones), so a script injected through a data file's text cannot run; map styles from a tile
provider are the one outside origin allowed, and only when the streets basemap is configured.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

from dash.exceptions import DependencyException
from flask import Response, request, session
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


NOT_A_DOCUMENT = "default-src 'none'; frame-ancestors 'none'"


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
        # The whole policy governs documents only; a browser ignores it on a script, a style
        # sheet or data, where its script hashes (1.3 KB) cost a first visit about 50 KB over
        # its forty responses. Anything else gets the policy that lets nothing run or frame it.
        if response.mimetype == "text/html":
            # Hashed per response: Dash adds some inline scripts only when serving its first page.
            policy = content_security_policy(list(app.csp_hashes()), street_style)
        else:
            policy = NOT_A_DOCUMENT
        response.headers.setdefault("Content-Security-Policy", policy)
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


# A signed-in browser is remembered for this long, so the password hash (deliberately slow) is
# checked once per session, not on every script, style and callback request.
SESSION_HOURS = 8
# Wrong passwords from one client: after FREE_TRIES, it waits 2, 4, 8 ... up to MAX_WAIT_S
# seconds before another try is even checked, so guessing costs it time and others nothing.
FREE_TRIES = 5
MAX_WAIT_S = 300


class Backoff:
    """Failed sign-ins per client, bounded in size; one per server, shared by its threads."""

    def __init__(self, limit: int = 10_000):
        self._tries: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def wait(self, client: str) -> float:
        """Seconds ``client`` must still wait before its next try is checked."""
        with self._lock:
            count, last = self._tries.get(client, (0, 0.0))
        if count < FREE_TRIES:
            return 0.0
        return max(0.0, last + min(2.0 ** (count - FREE_TRIES + 1), MAX_WAIT_S) - time.monotonic())

    def failed(self, client: str) -> None:
        with self._lock:
            count, _ = self._tries.pop(client, (0, 0.0))
            if len(self._tries) >= self._limit:  # forget the oldest client
                self._tries.pop(next(iter(self._tries)))
            self._tries[client] = (count + 1, time.monotonic())

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._tries.pop(client, None)


class _BackoffGate:
    """WSGI middleware: a client that is backing off and holds no session is answered 429 before
    the app does any work, so a guessing flood costs signed-in users as little as possible."""

    def __init__(self, app, backoff: Backoff, cookie: str):
        self.app, self.backoff, self.cookie = app, backoff, cookie

    def __call__(self, environ, start_response):
        wait = self.backoff.wait(environ.get("REMOTE_ADDR") or "?")
        if wait > 0 and f"{self.cookie}=" not in environ.get("HTTP_COOKIE", "") and \
                environ.get("PATH_INFO") not in OPEN_PATHS:
            body = f"Too many wrong passwords: try again in {wait:.0f} s.".encode()
            start_response("429 Too Many Requests", [
                ("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                ("Retry-After", str(int(wait) + 1))])
            return [body]
        return self.app(environ, start_response)


def require_sign_in(server, settings: Settings) -> None:
    """HTTP Basic sign-in on every path but the health check, when a user is configured; the
    password is verified once per browser session (a signed, expiring cookie) and repeated
    wrong passwords from one client back off."""
    if not settings.auth_user:
        return
    # Derived from the password hash: the same in every worker, and changing the password
    # signs everybody out.
    server.secret_key = hmac.new(settings.auth_password_hash.encode(), b"dashboard-session",
                                 hashlib.sha256).hexdigest()
    server.config.update(
        SESSION_COOKIE_NAME="dashboard_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.public_url and settings.public_url.startswith(
            "https:")),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False)  # sign once at sign-in, not on every response
    backoff = server.extensions.setdefault("dashboard_sign_in_backoff", Backoff())
    server.wsgi_app = _BackoffGate(server.wsgi_app, backoff, server.config["SESSION_COOKIE_NAME"])

    @server.before_request
    def check():
        if request.path in OPEN_PATHS or session.get("user") == settings.auth_user:
            return None
        client = request.remote_addr or "?"
        wait = backoff.wait(client)
        if wait > 0:
            return Response(f"Too many wrong passwords: try again in {wait:.0f} s.", 429,
                            {"Retry-After": str(int(wait) + 1)})
        if signed_in(settings, request.authorization):
            backoff.succeeded(client)
            session.permanent = True
            session["user"] = settings.auth_user
            return None
        if request.authorization is not None:
            backoff.failed(client)
        return Response("Sign in to use the dashboard.", 401,
                        {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})


def trust_proxies(server, hops: int) -> None:
    """Believe ``X-Forwarded-*`` from ``hops`` reverse proxies, so links use https and the
    public host name."""
    if hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                   x_port=hops, x_prefix=hops)


class ThisMachine:
    """Host names that can only mean this machine, answered when no public address is
    configured: ``localhost``, the machine's own names, and IP addresses it holds."""

    def __init__(self):
        self.names = frozenset({"localhost", socket.gethostname().lower(),
                                socket.getfqdn().lower()})
        self._addresses: dict[str, bool] = {}  # address -> held here; bounded below

    def __contains__(self, host: str) -> bool:
        try:
            name = urlsplit("//" + host).hostname or ""
        except ValueError:  # a port that is not a number
            return False
        if name in self.names or name.endswith(".localhost"):
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        if address.is_loopback:
            return True
        held = self._addresses.get(name)
        if held is None:
            held = _held_here(address)
            if len(self._addresses) < 256:
                self._addresses[name] = held
        return held


def _held_here(address) -> bool:
    """Whether this machine holds ``address``: only then can a socket be bound to it."""
    if address.is_unspecified or address.is_multicast:
        return False
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((str(address), 0))
        except OSError:
            return False
    return True


UNKNOWN_HOST = ("This server does not answer to that host name. Whoever runs it can set "
                "DASHBOARD_PUBLIC_URL to the address people use, or add the name to "
                "DASHBOARD_ALLOWED_HOSTS.")


def restrict_hosts(server, settings: Settings) -> None:
    """Answer only known host names, so a forged Host header gets 400, never a page whose
    links point at it: the configured ones, or with none configured, names that can only mean
    this machine (``localhost``, its own names and addresses)."""
    configured = settings.hosts
    known = configured or ThisMachine()

    @server.before_request
    def known_host():
        if request.path in OPEN_PATHS or request.host.lower() in known:
            return None
        return Response(UNKNOWN_HOST, 400, {"Content-Type": "text/plain; charset=utf-8"})


CALLBACK_ROUTE = "/_dash-update-component"
# A callback carries ids, settings and at most a small table: a few megabytes is plenty. Only the
# import's own callback carries whole boundary files, up to the upload limit.
CALLBACK_MAX_BYTES = 4 * 1024 * 1024
_PEEK = 4096
_OUTPUT = re.compile(rb'"output"\s*:\s*"([^"]{1,2000})"')


class _Replayed:
    """A WSGI input stream that gives back the bytes already peeked, then the rest."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        if self.head:
            data, self.head = self.head[:size], self.head[size:]
            return data + (self.rest.read(size - len(data)) if len(data) < size else b"")
        return self.rest.read(size)

    def readline(self, size: int = -1) -> bytes:
        if self.head:
            line, sep, after = self.head.partition(b"\n")
            if sep:
                self.head = after
                return line + sep
            data, self.head = self.head, b""
            return data + self.rest.readline()
        return self.rest.readline(size)


class BodyLimit:
    """WSGI middleware: a POST over ``small`` bytes is refused with 413 before its body is read,
    unless it is a callback whose output is one of ``large_outputs`` (the import), which may be
    as large as the server's own limit."""

    def __init__(self, app, large_outputs: tuple[str, ...], small: int = CALLBACK_MAX_BYTES):
        self.app, self.large, self.small = app, tuple(large_outputs), small

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if environ.get("REQUEST_METHOD") == "POST" and not environ.get("CONTENT_LENGTH") \
                and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Browsers send a length with every callback; a body of unknown length could be
            # anything, so it is refused before a byte of it is read.
            body = b"Length required."
            start_response("411 Length Required", [("Content-Type", "text/plain"),
                                                   ("Content-Length", str(len(body))),
                                                   ("Connection", "close")])
            return [body]
        if environ.get("REQUEST_METHOD") == "POST" and length > self.small:
            allowed = False
            if environ.get("PATH_INFO", "").endswith(CALLBACK_ROUTE):
                head = environ["wsgi.input"].read(min(_PEEK, length))
                environ["wsgi.input"] = _Replayed(head, environ["wsgi.input"])
                found = _OUTPUT.search(head)
                allowed = bool(found) and found.group(1).decode(errors="replace").startswith(
                    self.large)
            if not allowed:
                body = b"Request too large."
                start_response("413 Request Entity Too Large", [
                    ("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                    ("Connection", "close")])
                return [body]
        return self.app(environ, start_response)


def limit_bodies(server, large_outputs: tuple[str, ...]) -> None:
    """Small callback bodies everywhere but the import; JSON nested too deeply for the parser
    is a 400, not a server error."""
    server.wsgi_app = BodyLimit(server.wsgi_app, large_outputs)

    @server.before_request
    def shallow_json():
        if request.method == "POST" and request.path.endswith(CALLBACK_ROUTE):
            try:
                request.get_json(silent=True)
            except RecursionError:
                return Response("Request nested too deeply.", 400)
        return None

