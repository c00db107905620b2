"""The packs one running dashboard serves: named packs (the default one, the demo and real
boroughs shipped in geodata/, any a deployment adds) and those users import.

Named packs are chosen by a short key, their folder's name (``?pack=kirklees``). Imported packs
live in one folder, the pack store, each under a random 32-hex-digit id; nothing is ever written
outside it, and one user's import never changes what anyone else sees. Packs are read-only once
written, so any worker process can load one from disk; named packs are loaded on first use and
kept, a few recently used imported ones are kept in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pandas as pd
import tomli_w
from cachetools import LRUCache

from dashboard.config import Settings
from dashboard.data import snapshot
from dashboard.data.importer import ImportSpec, Report, import_pack
from dashboard.data.loader import load_pack
from dashboard.data.pack_writer import PARTIAL, grouping_table
from dashboard.engine.geography import Geography
from dashboard.errors import DataFileError, DataPackError
from dashboard.uploads import REQUIRED, RESERVED, ROLES, Upload, decode, group_name, safe_name
from dashboard.web.common.shape_cache import cached_display

PACK_ID = re.compile(r"^[0-9a-f]{32}$")
PACK_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # a named pack's key


def pack_key_of(folder: Path) -> str:
    """A named pack's key: its folder's name in lower case, e.g. ``geodata/Kirklees`` ->
    ``kirklees``."""
    key = re.sub(r"[^a-z0-9_-]+", "-", folder.name.lower()).strip("-")[:40]
    return key or "pack"


def named_packs(folders: tuple[Path, ...], default: Path) -> dict[str, Path]:
    """Key -> folder of every named pack: each folder given is a pack (it holds pack.toml) or
    a folder of packs; the default pack is always one of them."""
    found = {pack_key_of(default): default}
    for folder in folders:
        candidates = [folder] if (folder / "pack.toml").is_file() else \
            sorted(p for p in folder.iterdir() if (p / "pack.toml").is_file()) \
            if folder.is_dir() else []
        for pack in candidates:
            key = pack_key_of(pack)
            if key in found and found[key].resolve() != pack.resolve():
                raise DataPackError(f"Two packs would both be called '{key}' ({found[key]} and "
                                    f"{pack}); rename one of the folders.")
            found.setdefault(key, pack)
    return found


def pack_summary(folder: Path) -> tuple[str, str]:
    """A pack's name and kind (``fictional``, ``open data`` or ``local``) from its manifest,
    read without loading the pack."""
    try:
        with open(folder / "pack.toml", "rb") as fh:
            head = tomllib.load(fh).get("pack", {})
    except (OSError, tomllib.TOMLDecodeError):
        return folder.name, "local"
    kind = "fictional" if head.get("fictional") is True else \
        "open data" if head.get("open_data") is True else "local"
    return str(head.get("name") or folder.name), kind


@dataclass
class PackStore:
    """Named and imported packs; the default pack serves a browser that chose none."""

    root: Path
    default: Geography
    named: dict[str, Path] = field(default_factory=dict)  # key -> folder, the default's included
    default_key: str = "default"
    snapshot_root: Path | None = None  # last-good copies of named packs (None: load in place)
    file_limit: int = Settings().upload_bytes  # bytes per uploaded file
    cache_dir: Path | None = None  # where derived tables are kept (see web.common.shape_cache)
    capacity: int = 4
    keep_days: float = 30.0  # an imported pack nobody opened for this long is removed
    max_packs: int = 100  # imported packs kept in all
    per_hour: int = 10  # imports one client may make in an hour
    _loaded: LRUCache = field(init=False, repr=False)  # imported packs, most recent kept
    _named_loaded: dict = field(default_factory=dict, repr=False)
    _named_summary: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._loaded = LRUCache(self.capacity)
        # Read once: every page load lists the named packs, and they do not change.
        self._named_summary = {key: pack_summary(folder) for key, folder in self.named.items()}
        self.sweep()
        self.expire()

    def sweep(self, older_than_s: float = 3600) -> list[Path]:
        """Remove what an import killed half-way left behind (its uploads and its unfinished
        pack folder); neither was ever visible as a pack. One whose process is gone (on this
        machine) goes at once; others only when older than ``older_than_s``, since they may be
        another worker's import in progress."""
        cutoff = time.time() - older_than_s
        stale = [p for p in [*self.root.glob(".incoming/*"), *self.root.glob(PARTIAL + "*")]
                 if p.is_dir() and (p.stat().st_mtime < cutoff or _orphaned(p))]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return stale

    def expire(self) -> list[str]:
        """Remove imported packs not opened for ``keep_days``."""
        cutoff = time.time() - self.keep_days * 86400
        gone = [p for p in self._packs() if _last_used(p) < cutoff]
        for path in gone:
            shutil.rmtree(path, ignore_errors=True)
        return [p.name for p in gone]

    def _packs(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in self.root.iterdir() if PACK_ID.match(p.name) and p.is_dir()]

    def _admit(self, client: str) -> None:
        """Refuse an import beyond this client's hourly quota or the store's size."""
        self.expire()
        if len(self._packs()) >= self.max_packs:
            raise DataFileError(
                f"The dashboard already keeps {self.max_packs} imported packs, its limit; "
                "nothing was saved. Ask whoever runs it to remove old ones (packs unused for "
                f"{self.keep_days:g} days go by themselves).")
        quota = self.root / ".quota"
        quota.mkdir(parents=True, exist_ok=True)
        mark = quota / hashlib.sha256(client.encode()).hexdigest()[:20]
        now = time.time()
        with self._lock:
            try:
                recent = [float(t) for t in mark.read_text().split() if now - float(t) < 3600]
            except (OSError, ValueError):
                recent = []
            if len(recent) >= self.per_hour:
                wait = 3600 - (now - min(recent))
                raise DataFileError(
                    f"This browser has imported {len(recent)} packs in the last hour, the "
                    f"limit; try again in {wait / 60:.0f} minutes.")
            mark.write_text(" ".join(f"{t:.0f}" for t in [*recent, now]))

    def has(self, pack_id: str) -> bool:
        """Whether ``pack_id`` is a well-formed id of a pack in this store."""
        return bool(PACK_ID.match(pack_id)) and (self.root / pack_id / "pack.toml").is_file()

    def knows(self, choice: str | None) -> bool:
        """Whether ``choice`` is a named pack's key or an imported pack's id."""
        return bool(choice) and (choice in self.named or choice == "default"
                                 or self.has(choice))

    def summary(self, choice: str) -> tuple[str, str]:
        """The name and kind of a named or imported pack, without loading it."""
        return self._named_summary.get(choice) or pack_summary(self.root / choice)

    def get(self, pack_id: str | None) -> Geography:
        """The pack ``pack_id`` names (a named pack's key or an imported pack's id); the
        default pack when it names none.

        Raises
        ------
        DataPackError
            When it names a pack that does not exist here or cannot be opened.
        """
        if not pack_id or pack_id in (self.default_key, "default"):
            return self.default
        if pack_id in self.named:
            return self._get_named(pack_id)
        if not PACK_ID.match(pack_id):
            shown = re.sub(r"[^\w.-]", "?", pack_id)[:40]
            raise DataPackError(f"There is no pack called '{shown}' here; choose one from the "
                                "list of boroughs.")
        with self._lock:
            geo = self._loaded.get(pack_id)  # a hit counts as recent use
            if geo is not None:
                _touch(self.root / pack_id)
                return geo
        if not self.has(pack_id):
            raise DataPackError("The imported pack this link or browser names is not kept here "
                                "any more (packs unused for a while are removed); load the "
                                "files again on Load your data.")
        folder = self.root / pack_id
        _touch(folder)
        try:
            geo = load_pack(folder, self.cache_dir)
        except DataPackError as exc:  # damaged on disk since it was imported
            raise DataPackError(str(exc).replace(f"{folder}{os.sep}", "").replace(
                str(folder), "the pack")) from exc
        cached_display(geo, folder, self.cache_dir)
        with self._lock:
            return self._loaded.setdefault(pack_id, geo)

    def _get_named(self, key: str) -> Geography:
        with self._lock:
            if key in self._named_loaded:
                return self._named_loaded[key]
        folder = self.named[key]
        if self.snapshot_root is not None:  # a damaged edit serves the last copy that loaded
            geo = snapshot.serve(folder, self.snapshot_root / key, self.cache_dir).geography
            where = geo.metadata.get("root", folder)
        else:
            geo, where = load_pack(folder, self.cache_dir), folder
        cached_display(geo, Path(where), self.cache_dir)
        with self._lock:
            return self._named_loaded.setdefault(key, geo)

    def warm(self) -> list[str]:
        """Load every named pack now (at start-up, so first visits are quick); returns the
        problems of those that cannot be opened (they are then refused when chosen)."""
        problems = []
        for key in self.named:
            try:
                self.get(key)
            except DataPackError as exc:
                problems.append(f"{key}: {exc}")
        return problems


    def loaded(self) -> list[Geography]:
        with self._lock:
            return [self.default, *self._named_loaded.values(), *self._loaded.values()]

    def import_uploads(self, files: dict[str, Upload], groups: list[Upload], name: str,
                       options: dict, client: str = "?") -> tuple[str, Report]:
        """Build a new pack from uploaded files; returns its id and the validation report.

        Files are written under the store's own ``.incoming`` folder with sanitised names and
        removed afterwards; the pack appears under its id only if the import succeeds.
        """
        missing = [role.replace("_", " ") for role in REQUIRED if role not in files]
        if missing:
            raise DataFileError("Upload the " + ", ".join(missing) + " file"
                                + ("s" if len(missing) > 1 else "") + " to import a borough.")
        self._admit(client)
        limit = self.file_limit
        pack_id = secrets.token_hex(16)
        incoming = self.root / ".incoming" / pack_id
        incoming.mkdir(parents=True)
        _claim(incoming)
        try:
            paths = {}
            for role, upload in files.items():
                if role not in ROLES:
                    raise DataFileError(f"Unknown upload '{role}'.")
                folder = incoming / role
                folder.mkdir()
                paths[role] = folder / safe_name(upload.filename, role)
                paths[role].write_bytes(decode(upload, limit))
            group_paths = {}
            for upload in groups:
                key = group_name(upload.filename)
                if key in group_paths:
                    raise DataFileError(f"{upload.filename}: two grouping files are both "
                                        f"called '{key}'; rename one.")
                (incoming / "groups" / key).mkdir(parents=True)
                group_paths[key] = incoming / "groups" / key / safe_name(upload.filename,
                                                                         f"{key}.csv")
                group_paths[key].write_bytes(decode(upload, limit))
            spec = ImportSpec(**paths, groups=group_paths, name=name.strip() or "Imported borough",
                              **options)
            report = import_pack(spec, self.root / pack_id)
        except OSError as exc:  # e.g. a full disk: the import's own folder is already gone
            raise DataFileError(f"The server could not write the new pack ({exc.strerror or exc}"
                                "); nothing was saved. Try again later, or tell whoever runs the "
                                "dashboard.") from exc
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        return pack_id, report


    def derive(self, base: str | None, layer: str, label: str, rows: list[tuple[str, str, str]],
               client: str = "?") -> str:
        """A new imported pack: pack ``base`` (a key or id; ``None`` the default) plus a
        grouping ``layer`` of its wards drawn in the dashboard, labelled user-defined.
        ``rows`` are (ward code, footprint code, footprint name). Returns the new pack's id.
        """
        if not LAYER_NAME.match(layer) or layer in RESERVED:
            raise DataFileError(f"'{layer}' cannot name a layer; use lower-case letters, digits "
                                "and underscores, starting with a letter.")
        geo = self.get(base)
        if layer in geo.layers:
            raise DataFileError(f"{geo.name} already has a layer called '{layer}'; give the new "
                                "layer another name.")

        def add_layer(work: Path, doc: dict) -> None:
            file = f"{layer}.csv" if not (work / f"{layer}.csv").exists() else f"{layer}_drawn.csv"
            pd.DataFrame(rows, columns=["ward_code", f"{layer}_code", f"{layer}_name"]).to_csv(
                work / file, index=False)
            doc.setdefault("layers", []).append(
                grouping_table(layer, label, file, user_defined=True))

        return self._copy_with(geo, f"{geo.name} + {label}", add_layer, client)

    def derive_hubs(self, base: str | None, hubs: pd.DataFrame, client: str = "?") -> str:
        """A new imported pack: pack ``base`` with ``hubs`` (code, name, type, x, y, staff,
        serves; British National Grid metres) as its hubs. Returns the new pack's id."""
        geo = self.get(base)

        def put_hubs(work: Path, doc: dict) -> None:
            table = pd.DataFrame({"hub_code": hubs["code"], "name": hubs["name"],
                                  "type": hubs["type"], "easting": hubs["x"],
                                  "northing": hubs["y"], "staff": hubs["staff"],
                                  "serves": hubs["serves"]})
            table.to_csv(work / "hubs_drawn.csv", index=False)
            doc["hubs"] = {"file": "hubs_drawn.csv"}

        return self._copy_with(geo, f"{geo.name} + hubs placed in the dashboard", put_hubs,
                               client)

    def _copy_with(self, geo: Geography, name: str, change, client: str) -> str:
        """Copy ``geo``'s pack named ``name``, let ``change(folder, manifest)`` add to it (the
        manifest parsed, to change in place), and keep the copy under a new id once it loads.
        Packs are read-only once written (any worker may have one in memory), so nothing is
        ever changed in place."""
        source = Path(str(geo.metadata.get("root", "")))
        if not (source / "pack.toml").is_file():
            raise DataFileError("This pack was not read from files, so it cannot be copied.")
        self._admit(client)
        pack_id = secrets.token_hex(16)
        incoming = self.root / ".incoming" / pack_id
        incoming.parent.mkdir(parents=True, exist_ok=True)
        work = incoming / "pack"
        try:
            shutil.copytree(source, work, ignore=shutil.ignore_patterns(USED, OWNER))
            _claim(incoming)
            doc = tomllib.loads((work / "pack.toml").read_text(encoding="utf-8"))
            doc.setdefault("pack", {})["name"] = name
            change(work, doc)
            (work / "pack.toml").write_text(
                f"# A copy of {geo.name}, made in the dashboard; see README.md there.\n"
                + tomli_w.dumps(doc), encoding="utf-8")
            load_pack(work)  # only a copy that opens is kept
            os.replace(work, self.root / pack_id)
        except OSError as exc:
            raise DataFileError(f"The server could not write the new pack ({exc.strerror or exc}"
                                "); nothing was saved. Try again later.") from exc
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        return pack_id


LAYER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")



USED = ".used"  # touched when a pack is opened; its age is the pack's idle time
OWNER = ".owner"  # host and process of an upload or import in progress


def _touch(folder: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only store still serves
        (folder / USED).touch()


def _last_used(folder: Path) -> float:
    mark = folder / USED
    return (mark if mark.exists() else folder).stat().st_mtime


def _claim(folder: Path) -> None:
    (folder / OWNER).write_text(f"{socket.gethostname()} {os.getpid()}")


def _orphaned(folder: Path) -> bool:
    """Whether the process that started this upload or import, on this machine, is gone."""
    try:
        host, pid = (folder / OWNER).read_text().split()
    except (OSError, ValueError):
        return False
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False
