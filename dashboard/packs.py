"""The packs one running dashboard serves: the one it started with, and those users import.

Imported packs live in one folder, the pack store, each under a random 32-hex-digit id; nothing
is ever written outside it. A browser chooses its pack with a cookie holding that id, so one
user's import never changes what anyone else sees. Packs are read-only once written, so any
worker process can load one from disk; a few recently used ones are kept in memory.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.config import Settings
from dashboard.data.cache import cached_display
from dashboard.data.importer import PARTIAL, ImportSpec, Report, import_pack
from dashboard.data.loader import load_pack
from dashboard.engine.geography import Geography
from dashboard.errors import DataFileError, DataPackError

COOKIE = "dashboard_pack"
PACK_ID = re.compile(r"^[0-9a-f]{32}$")
TABLE_FILE_LIMIT = 5 * 1024 * 1024  # a small table uploaded on its own, e.g. current allocations
# Layer names an uploaded grouping may not take: the import writes these itself.
RESERVED = {"small_areas", "wards", "pcns", "hubs"}
# The single-file roles of an upload and the ImportSpec field each fills.
ROLES = ("wards", "small_areas", "population", "need", "lsoa_lookup", "lookup_fallback",
         "best_fit_lookup", "practices", "registrations", "hubs", "centroids")
REQUIRED = ("wards", "small_areas", "population")


def set_cookie(response, pack_id: str, secure: bool = False) -> None:
    """Point this browser at ``pack_id`` for 90 days (not readable by page scripts; sent only
    over HTTPS when ``secure``, i.e. when the request came over HTTPS)."""
    response.set_cookie(COOKIE, pack_id, max_age=90 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=secure)


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it: its name and a ``data:...;base64,`` URL."""

    filename: str
    contents: str


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**19 else f"{n / 1024:,.1f} kB"


def decode(upload: Upload, limit: int) -> bytes:
    """The file's bytes; refuses an oversized or garbled upload before decoding all of it."""
    _, _, payload = upload.contents.partition(",")
    if len(payload) * 3 // 4 > limit:
        raise DataFileError(
            f"{upload.filename}: {_size(len(payload) * 3 // 4)}, over the {_size(limit)} "
            "limit per file. Upload only your borough's rows, or zip the boundary file.")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DataFileError(f"{upload.filename}: the upload arrived damaged ({exc}); "
                            "try uploading it again.") from exc


def safe_name(filename: str, fallback: str) -> str:
    """A bare file name (no folders, no control characters, not hidden), keeping the user's
    spelling otherwise so that messages name the file as they know it."""
    base = re.split(r"[\\/]", filename)[-1]
    base = re.sub(r"[\x00-\x1f\x7f:]", "_", base).strip().lstrip(".")
    return base[:120] or fallback


def group_name(filename: str) -> str:
    """A grouping's layer name from its file name: ``Place partnerships.csv`` -> ``place_partnerships``."""
    stem = safe_name(filename, "group").rsplit(".", 1)[0].lower()
    name = re.sub(r"[^a-z0-9]+", "_", stem).strip("_") or "group"
    if name[0].isdigit():
        name = "g_" + name
    if name in RESERVED:
        raise DataFileError(f"{filename}: a grouping cannot be called '{name}', which the "
                            "import uses itself. Rename the file, e.g. to places.csv.")
    return name


@dataclass
class PackStore:
    """Imported packs on disk plus an in-memory cache; the default pack serves everyone else."""

    root: Path
    default: Geography
    file_limit: int = Settings().upload_bytes  # bytes per uploaded file
    cache_dir: Path | None = None  # where derived tables are kept (see dashboard.data.cache)
    capacity: int = 4
    _loaded: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.sweep()

    def sweep(self, older_than_s: float = 3600) -> list[Path]:
        """Remove what an import killed half-way left behind (its uploads and its unfinished
        pack folder); neither was ever visible as a pack. Recent ones may be another worker's
        import in progress, so they stay."""
        cutoff = time.time() - older_than_s
        stale = [p for p in [*self.root.glob(".incoming/*"), *self.root.glob(PARTIAL + "*")]
                 if p.is_dir() and p.stat().st_mtime < cutoff]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return stale

    def has(self, pack_id: str) -> bool:
        """Whether ``pack_id`` is a well-formed id of a pack in this store."""
        return bool(PACK_ID.match(pack_id)) and (self.root / pack_id / "pack.toml").is_file()

    def get(self, pack_id: str | None) -> Geography:
        """The pack ``pack_id`` names, or the default pack if it names none that exists."""
        if not pack_id or not PACK_ID.match(pack_id):
            return self.default
        with self._lock:
            if pack_id in self._loaded:
                self._loaded.move_to_end(pack_id)
                return self._loaded[pack_id]
        if not self.has(pack_id):
            return self.default
        folder = self.root / pack_id
        try:
            geo = load_pack(folder)
        except DataPackError as exc:  # damaged on disk since it was imported
            raise DataPackError(str(exc).replace(f"{folder}{os.sep}", "").replace(
                str(folder), "the pack")) from exc
        cached_display(geo, folder, self.cache_dir)
        with self._lock:
            self._loaded[pack_id] = geo
            while len(self._loaded) > self.capacity:
                self._loaded.popitem(last=False)
        return geo

    def loaded(self) -> list[Geography]:
        with self._lock:
            return [self.default, *self._loaded.values()]

    def import_uploads(self, files: dict[str, Upload], groups: list[Upload], name: str,
                       options: dict) -> tuple[str, Report]:
        """Build a new pack from uploaded files; returns its id and the validation report.

        Files are written under the store's own ``.incoming`` folder with sanitised names and
        removed afterwards; the pack appears under its id only if the import succeeds.
        """
        missing = [role.replace("_", " ") for role in REQUIRED if role not in files]
        if missing:
            raise DataFileError("Upload the " + ", ".join(missing) + " file"
                                + ("s" if len(missing) > 1 else "") + " to import a borough.")
        limit = self.file_limit
        pack_id = secrets.token_hex(16)
        incoming = self.root / ".incoming" / pack_id
        incoming.mkdir(parents=True)
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
