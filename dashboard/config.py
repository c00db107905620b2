"""Deployment settings, read only from environment variables (see the README's table).

Every variable is read and checked once, when the app is built; a bad value stops start-up with
a message naming the variable and what it accepts, rather than failing on some later request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dashboard.errors import DashboardError

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
DEMO_PACK = GEODATA / "demo"
INSTANCE = ROOT / "instance"
DEFAULT_UPLOAD_MB = 50.0
DEFAULT_STREET_STYLE = "carto-positron"
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class ConfigError(DashboardError):
    """An environment variable the app cannot use."""


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in TRUE | FALSE:
        return value in TRUE
    raise ConfigError(f"{name}={env[name]!r}: use 1 or 0 (or true/false).")


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also refuses NaN
        raise ConfigError(f"{name}={raw!r}: give a number from {low:g} to {high:g}.")
    return value


def _public_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("DASHBOARD_PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or \
            parts.fragment or "@" in parts.netloc:
        raise ConfigError(f"DASHBOARD_PUBLIC_URL={raw!r}: give the address people use, such as "
                          "https://places.example.gov.uk (a path prefix is allowed).")
    return raw


def _hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("DASHBOARD_ALLOWED_HOSTS", "").strip()
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    bad = [h for h in hosts if not re.fullmatch(r"[a-z0-9.\-]+(:\d{1,5})?|\[[0-9a-f:]+\](:\d+)?", h)]
    if bad:
        raise ConfigError(f"DASHBOARD_ALLOWED_HOSTS: '{bad[0]}' is not a host name; give names "
                          "such as places.example.gov.uk,localhost:8050, separated by commas.")
    return hosts


def _packs(env: Mapping[str, str]) -> tuple[Path, ...]:
    raw = env.get("DASHBOARD_PACKS", "").strip()
    if not raw:
        return (GEODATA,)
    if raw.lower() == "none":
        return ()
    found = tuple(Path(p.strip()).expanduser() for p in raw.split(",") if p.strip())
    missing = [str(p) for p in found if not p.is_dir()]
    if missing:
        raise ConfigError(f"DASHBOARD_PACKS: '{missing[0]}' is not a folder; give pack folders "
                          "or folders of packs, separated by commas (or 'none').")
    return found


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser() if raw else default


@dataclass(frozen=True)
class Settings:
    """What one deployment serves and how. Build with :meth:`from_env`."""

    pack: Path = DEMO_PACK  # the default pack, for a browser that chose none
    packs: tuple[Path, ...] = (GEODATA,)  # more packs offered, or folders of packs
    pack_store: Path = INSTANCE / "packs"
    scenario_db: str | None = None  # None: a SQLite file beside the pack store
    cache_dir: Path | None = INSTANCE / "cache"  # None: derived tables are not kept on disk
    street_style: str = DEFAULT_STREET_STYLE
    upload_mb: float = DEFAULT_UPLOAD_MB
    debug: bool = False
    auth_user: str | None = None
    auth_password_hash: str | None = None
    proxy_hops: int = 0
    scenarios_team: bool = False  # every browser on a pack sees and may change its scenarios
    upload_days: float = 30.0  # an imported pack nobody opened for this long is removed
    upload_max_packs: int = 100  # imported packs kept in all
    uploads_per_hour: int = 10  # imports one client may make in an hour
    public_url: str | None = None  # e.g. https://places.council.gov.uk: links use it
    allowed_hosts: tuple[str, ...] = ()  # Host headers answered; empty: this machine's own only

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        cache = env.get("DASHBOARD_CACHE_DIR", "").strip()
        user = env.get("DASHBOARD_AUTH_USER", "").strip() or None
        password_hash = env.get("DASHBOARD_AUTH_PASSWORD_HASH", "").strip() or None
        if bool(user) != bool(password_hash):
            raise ConfigError("Sign-in needs both DASHBOARD_AUTH_USER and "
                              "DASHBOARD_AUTH_PASSWORD_HASH (make the hash with "
                              "`python -m dashboard password`), or neither.")
        if password_hash and not password_hash.startswith(("scrypt:", "pbkdf2:")):
            raise ConfigError("DASHBOARD_AUTH_PASSWORD_HASH must be a hash from "
                              "`python -m dashboard password`, not the password itself.")
        return cls(
            pack=_path(env, "DASHBOARD_PACK", DEMO_PACK),
            packs=_packs(env),
            pack_store=_path(env, "DASHBOARD_PACK_STORE", INSTANCE / "packs"),
            scenario_db=env.get("DASHBOARD_SCENARIO_DB", "").strip() or None,
            cache_dir=None if cache.lower() == "off" else _path(env, "DASHBOARD_CACHE_DIR",
                                                                 INSTANCE / "cache"),
            street_style=env.get("DASHBOARD_STREET_STYLE", "").strip() or DEFAULT_STREET_STYLE,
            upload_mb=_number(env, "DASHBOARD_UPLOAD_MB", DEFAULT_UPLOAD_MB, 0.0001, 2048),
            debug=_flag(env, "DASHBOARD_DEBUG"),
            auth_user=user,
            auth_password_hash=password_hash,
            proxy_hops=int(_number(env, "DASHBOARD_PROXY_HOPS", 0, 0, 5)),
            scenarios_team=_flag(env, "DASHBOARD_SCENARIOS_TEAM"),
            upload_days=_number(env, "DASHBOARD_UPLOAD_DAYS", 30.0, 0.01, 3650),
            upload_max_packs=_whole(env, "DASHBOARD_UPLOAD_MAX_PACKS", 100, 1, 100_000),
            uploads_per_hour=_whole(env, "DASHBOARD_UPLOADS_PER_HOUR", 10, 1, 10_000),
            public_url=_public_url(env),
            allowed_hosts=_hosts(env),
        )

    @property
    def hosts(self) -> frozenset[str]:
        """Host headers (lower case, with any port) this deployment answers; empty: none configured
        (then only names meaning this machine are answered, see security.ThisMachine)."""
        named = set(self.allowed_hosts)
        if self.public_url:
            named.add(urlsplit(self.public_url).netloc.lower())
        return frozenset(named)

    @property
    def upload_bytes(self) -> int:
        """Largest accepted upload per file, in bytes."""
        return int(self.upload_mb * 1024 * 1024)


@dataclass(frozen=True)
class ServerSettings:
    """gunicorn's settings (the Procfile's server), from the same environment and checked the
    same way, so a bad value is a one-line message rather than a traceback."""

    host: str = "0.0.0.0"  # nosec B104 - see gunicorn.conf.py
    port: int = 8050
    workers: int = 2
    threads: int = 4
    timeout: int = 120
    max_requests: int = 2000
    access_log: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServerSettings:
        env = os.environ if env is None else env
        cores = os.cpu_count() or 2
        host = env.get("DASHBOARD_HOST", "").strip() or cls.host
        if any(ch.isspace() for ch in host) or "/" in host:
            raise ConfigError(f"DASHBOARD_HOST={host!r}: give an address such as 127.0.0.1 or "
                              "0.0.0.0.")
        return cls(
            host=host,
            port=int(_whole(env, "PORT", 8050, 1, 65535)),
            workers=int(_whole(env, "WEB_CONCURRENCY", max(2, min(8, cores)), 1, 64)),
            threads=int(_whole(env, "DASHBOARD_THREADS", 4, 1, 64)),
            timeout=int(_whole(env, "DASHBOARD_TIMEOUT", 120, 5, 3600)),
            max_requests=int(_whole(env, "DASHBOARD_MAX_REQUESTS", 2000, 0, 10_000_000)),
            access_log=env.get("DASHBOARD_ACCESS_LOG", "1").strip() not in FALSE - {""},
        )


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _number(env, name, default, low, high)
    if value != int(value):
        raise ConfigError(f"{name}={env[name]!r}: give a whole number from {low} to {high}.")
    return int(value)
