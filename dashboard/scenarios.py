"""Saved what-if scenarios: a SQLite file by default, PostgreSQL when a database URL is given.

A scenario is a named draft of one grouping layer plus the settings it was judged by, kept for
one pack. Every write is one transaction, so a process killed mid-save leaves the store as it was;
updates carry the version they started from, so two people saving the same scenario cannot
silently overwrite each other. Unsaved edits never reach the store: they live in each browser.

Configuration: ``$DASHBOARD_SCENARIO_DB`` is a SQLAlchemy URL such as
``postgresql+psycopg://user:password@host/dbname``; without it the store is
``instance/scenarios.sqlite`` beside the pack store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError

from dashboard.errors import DashboardError

NAME_MAX = 80
PAYLOAD_MAX = 512 * 1024  # bytes of JSON: a draft of a few hundred wards is a few tens of KB
# Letters (any alphabet), digits, spaces and a little punctuation; no slashes or control codes.
NAME = re.compile(r"^[^\W_][\w \-.,'()&+?!]*$")
SCENARIO_ID = re.compile(r"^[0-9a-f]{24}$")
ENV = "DASHBOARD_SCENARIO_DB"

_metadata = sa.MetaData()
scenarios = sa.Table(
    "scenarios", _metadata,
    sa.Column("id", sa.String(24), primary_key=True),
    sa.Column("pack", sa.String(64), nullable=False),
    sa.Column("layer", sa.String(64), nullable=False),
    sa.Column("name", sa.String(NAME_MAX), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    # SHA-256 of the edit key handed to the browser that saved it; NULL for scenarios saved
    # before keys existed, which only a team-wide store lets anyone change.
    sa.Column("edit_hash", sa.String(64), nullable=True),
    sa.UniqueConstraint("pack", "name", name="one_name_per_pack"),
)
READ_ONLY = ("This scenario can be changed only from the browser that saved it, which holds its "
             "edit key; a shared link is read-only. Use 'Save as new' to keep your own copy.")


class ScenarioError(DashboardError):
    """A scenario name, payload or request the store cannot accept."""


class StoreUnavailable(ScenarioError):
    """The database cannot be reached; nothing already saved is lost."""


class Conflict(ScenarioError):
    """Someone else saved the scenario since this copy was opened."""


@dataclass(frozen=True)
class Scenario:
    id: str
    pack: str
    layer: str
    name: str
    version: int
    created: datetime
    updated: datetime
    payload: dict | None = None  # None in listings
    edit_hash: str | None = None
    edit_key: str | None = None  # only when just saved: the browser keeps it, the store never


def _hash(key: str | None) -> str:
    return hashlib.sha256((key or "").encode()).hexdigest()


def default_url(folder: str | Path) -> str:
    """``$DASHBOARD_SCENARIO_DB``, else a SQLite file in ``folder`` (the app's instance folder)."""
    url = os.environ.get(ENV)
    if url:
        return url
    path = Path(folder) / "scenarios.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def check_name(name) -> str:
    """The trimmed name, or an error that says what is allowed."""
    name = " ".join(str(name or "").split())
    if not name:
        raise ScenarioError("Give the scenario a name.")
    if len(name) > NAME_MAX:
        raise ScenarioError(f"Scenario names can be at most {NAME_MAX} characters; this one has "
                            f"{len(name)}.")
    if not NAME.match(name):
        raise ScenarioError(f"'{name}' has characters a scenario name cannot use: start with a "
                            "letter or digit and use letters, digits, spaces and - . , ' ( ) & + ? !")
    return name


def check_payload(payload) -> str:
    """The payload as JSON text: an object holding a ``draft`` object, within the size limit."""
    if not isinstance(payload, dict) or not isinstance(payload.get("draft"), dict):
        raise ScenarioError("A scenario must hold a draft of footprints.")
    try:
        text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"The scenario cannot be saved as JSON ({exc}).") from None
    if len(text.encode()) > PAYLOAD_MAX:
        raise ScenarioError(f"The scenario is {len(text.encode()) // 1024} KB; the limit is "
                            f"{PAYLOAD_MAX // 1024} KB.")
    return text


def check_id(scenario_id) -> str:
    if not isinstance(scenario_id, str) or not SCENARIO_ID.match(scenario_id):
        raise ScenarioError("That scenario link is not valid; ask for a fresh one.")
    return scenario_id


STORE_TIMEOUT_S = 2.0


class ScenarioStore:
    """Scenarios in one database; safe to share between threads and worker processes."""

    def __init__(self, url: str, team: bool = False):
        self.url = url
        self.team = team  # every browser on a pack sees and may change its scenarios
        sqlite = self.url.startswith("sqlite")
        # A save waits at most STORE_TIMEOUT_S for a locked or unreachable database, then says
        # so: a person clicking Save gets an answer in seconds, not a hung page.
        self.engine = sa.create_engine(
            self.url, pool_pre_ping=True,
            connect_args={"timeout": STORE_TIMEOUT_S} if sqlite else {
                "connect_timeout": max(1, round(STORE_TIMEOUT_S)),
                "options": f"-c lock_timeout={int(STORE_TIMEOUT_S * 1000)} "
                           f"-c statement_timeout={int(STORE_TIMEOUT_S * 5000)}"})
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._ready = False

    def __repr__(self) -> str:
        return f"ScenarioStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def _connect(self):
        """A transaction; the table is created on first use, so a store made while the
        database is down starts working when it comes back."""
        try:
            if not self._ready:
                self._create_table()
            return self.engine.begin()
        except OperationalError as exc:
            raise self._unavailable(exc) from None

    def _create_table(self) -> None:
        # IF NOT EXISTS, not check-then-create: two workers starting on a new database both
        # see no table, and the second CREATE failed. PostgreSQL can still report a race on its
        # type catalogue; by then the table exists, so one more try succeeds.
        create = sa.schema.CreateTable(scenarios, if_not_exists=True)
        for attempt in range(2):
            try:
                with self.engine.begin() as conn:
                    conn.execute(create)
                    # A store made before edit keys: add the column (existing rows keep NULL).
                    columns = {c["name"] for c in sa.inspect(conn).get_columns("scenarios")}
                    if "edit_hash" not in columns:
                        conn.execute(sa.text(
                            "ALTER TABLE scenarios ADD COLUMN edit_hash VARCHAR(64)"))
                break
            except (OperationalError, IntegrityError, ProgrammingError):
                if attempt:
                    raise
        self._ready = True

    def _allowed(self, edit_hash: str | None, edit_key: str | None) -> bool:
        if self.team:
            return True
        return bool(edit_hash) and hmac.compare_digest(edit_hash, _hash(edit_key))

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            "The scenario store cannot be reached just now, so scenarios cannot be listed or "
            "saved. Your current edits are still in this page: try again in a minute, or export "
            f"the scenario as a CSV to keep a copy. ({type(exc).__name__})")

    def _run(self, work):
        try:
            with self._connect() as conn:
                return work(conn)
        except ScenarioError:
            raise
        except OperationalError as exc:
            raise self._unavailable(exc) from None

    def list(self, pack: str, layer: str | None = None, only: set[str] | None = None
             ) -> list[Scenario]:
        """The pack's scenarios, most recently saved first (without payloads): those in
        ``only`` (a browser's own and those shared with it), or all of them in a team store."""
        cols = [c for c in scenarios.c if c.name != "payload"]
        query = sa.select(*cols).where(scenarios.c.pack == pack)
        if layer:
            query = query.where(scenarios.c.layer == layer)
        if not self.team:
            wanted = sorted(i for i in (only or ()) if SCENARIO_ID.match(str(i)))
            query = query.where(scenarios.c.id.in_(wanted))
        query = query.order_by(scenarios.c.updated.desc(), scenarios.c.name)
        return self._run(lambda conn: [Scenario(**row._mapping) for row in conn.execute(query)])

    def get(self, scenario_id: str, pack: str | None = None) -> Scenario:
        """A scenario by id; with ``pack``, refused when it belongs to another pack."""
        check_id(scenario_id)

        def work(conn):
            row = conn.execute(sa.select(scenarios).where(scenarios.c.id == scenario_id)).first()
            if row is None:
                raise ScenarioError("That scenario no longer exists; it may have been deleted.")
            data = dict(row._mapping)
            if pack is not None and data["pack"] != pack:
                raise ScenarioError("That scenario belongs to another data pack; open that "
                                    "pack first.")
            data["payload"] = json.loads(data["payload"])
            return Scenario(**data)

        return self._run(work)

    def may_edit(self, scenario: Scenario, edit_key: str | None) -> bool:
        """Whether ``edit_key`` (a browser's) lets it change ``scenario``."""
        return self._allowed(scenario.edit_hash, edit_key)

    def create(self, pack: str, layer: str, name: str, payload: dict) -> Scenario:
        """Save a new scenario; names are unique within a pack. The result carries the edit
        key, which only the saving browser keeps."""
        name, text = check_name(name), check_payload(payload)
        now = datetime.now(timezone.utc)
        key = secrets.token_urlsafe(24)
        row = {"id": secrets.token_hex(12), "pack": pack, "layer": layer, "name": name,
               "payload": text, "version": 1, "created": now, "updated": now,
               "edit_hash": _hash(key)}
        self._insert(row)
        return Scenario(**{**row, "payload": payload}, edit_key=key)

    def _insert(self, row: dict) -> None:
        try:
            self._run(lambda conn: conn.execute(scenarios.insert().values(**row)))
        except IntegrityError:
            raise _name_taken(row["name"]) from None

    def update(self, scenario_id: str, version: int, payload: dict | None = None,
               name: str | None = None, edit_key: str | None = None,
               pack: str | None = None) -> Scenario:
        """Replace the payload and/or name of the version this copy was opened at; only with
        the scenario's edit key (any browser, in a team store)."""
        check_id(scenario_id)
        self._authorise(scenario_id, edit_key, pack)
        values = {"updated": datetime.now(timezone.utc), "version": scenarios.c.version + 1}
        if payload is not None:
            values["payload"] = check_payload(payload)
        if name is not None:
            values["name"] = check_name(name)

        def work(conn):
            done = conn.execute(scenarios.update().where(
                scenarios.c.id == scenario_id, scenarios.c.version == int(version)).values(**values))
            if done.rowcount == 1:
                return
            if conn.execute(sa.select(scenarios.c.id).where(scenarios.c.id == scenario_id)).first():
                raise Conflict("Someone else saved this scenario after you opened it. Save yours "
                               "under a new name, or reopen it to see their version.")
            raise ScenarioError("That scenario no longer exists; save yours under a new name.")

        try:
            self._run(work)
        except IntegrityError:
            raise _name_taken(values["name"]) from None
        return self.get(scenario_id)

    def duplicate(self, scenario_id: str, name: str, pack: str | None = None) -> Scenario:
        """A copy under a new name, owned by whoever asked (anyone who can see the original)."""
        original = self.get(scenario_id, pack)
        return self.create(original.pack, original.layer, name, original.payload)

    def delete(self, scenario_id: str, edit_key: str | None = None,
               pack: str | None = None) -> None:
        check_id(scenario_id)
        self._authorise(scenario_id, edit_key, pack)
        self._run(lambda conn: conn.execute(scenarios.delete().where(scenarios.c.id == scenario_id)))

    def _authorise(self, scenario_id: str, edit_key: str | None, pack: str | None) -> None:
        found = self.get(scenario_id, pack)
        if not self._allowed(found.edit_hash, edit_key):
            raise ScenarioError(READ_ONLY)

    def healthy(self) -> bool:
        """Whether a save would succeed now: a write that changes nothing, rolled back, so a
        database that answers reads but is locked for writing reports unhealthy."""
        try:
            if not self._ready:
                self._create_table()
            with self.engine.connect() as conn:
                trans = conn.begin()
                try:
                    conn.execute(scenarios.update().where(scenarios.c.id == "").values(
                        version=scenarios.c.version))
                finally:
                    trans.rollback()
            return True
        except (ScenarioError, SQLAlchemyError):
            return False


def _name_taken(name: str) -> ScenarioError:
    return ScenarioError(f"A scenario called '{name}' already exists for this pack; choose "
                         "another name.")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL: readers never wait for a writer; FULL sync: a committed save survives power loss.
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(STORE_TIMEOUT_S * 1000)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()
