"""Serve the last pack that validated, whatever happens to the pack folder afterwards.

The served pack is read into memory in one pass, hashed, written as an immutable copy under
``snapshots/<digest>`` and validated there; only a copy that loads becomes the *last good* one.
Every worker (a new one after recycling, a crash or an out-of-memory kill included) loads that
copy, so a pack half-edited or damaged on disk never stops a worker from booting. A changed pack
is taken up when it validates; until then the last good copy is served and the refusal, with its
reason, is reported (``/healthz``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dashboard.data.loader import load_pack
from dashboard.engine.geography import Geography
from dashboard.errors import DataPackError

LAST_GOOD = "LAST_GOOD"
KEEP = 3  # snapshots kept: the last good one and a couple before it


@dataclass(frozen=True)
class Served:
    """The pack a process serves, its version, and why a newer pack was refused (if it was)."""

    geography: Geography
    version: str  # digest of the served copy's files
    folder: Path  # the immutable copy it was loaded from
    refused: str | None = None  # the newer pack's problem, when one was refused


def _read(folder: Path) -> dict[str, bytes]:
    """Every file of the pack, read once (so the copy is of one moment, not half an edit)."""
    if not folder.is_dir():
        raise DataPackError(f"Data pack folder '{folder}' does not exist.")
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name, data in files.items():
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:24]


def _write(files: dict[str, bytes], target: Path) -> None:
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _point_to(store: Path, version: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=store, delete=False, prefix=".last-") as tmp:
        tmp.write(version)
    os.replace(tmp.name, store / LAST_GOOD)


def _last_good(store: Path) -> str | None:
    try:
        version = (store / LAST_GOOD).read_text().strip()
    except OSError:
        return None
    return version if version and (store / version).is_dir() else None


def serve(folder: str | Path, store: str | Path, cache_dir: Path | None = None) -> Served:
    """The pack in ``folder`` if it validates (snapshotting it), else the last good snapshot;
    cut pieces are kept in ``cache_dir`` (see :func:`~dashboard.data.loader.load_pack`).

    Raises
    ------
    DataPackError
        When the pack does not validate and no earlier copy ever did (first start).
    """
    folder, store = Path(folder), Path(store)
    store.mkdir(parents=True, exist_ok=True)
    try:
        files = _read(folder)
        version = _digest(files)
        copy = store / version
        refusal = store / f".refused-{version}"
        if refusal.is_file():  # this very content failed before: no need to load it again
            raise DataPackError(refusal.read_text(encoding="utf-8"))
        geo = None
        if not copy.is_dir():
            work = Path(tempfile.mkdtemp(dir=store, prefix=".new-"))
            try:
                _write(files, work)
                geo = load_pack(work, cache_dir)  # only a copy that loads is kept
                os.replace(work, copy)
                # Everything was read while loading; only the folder it names has moved.
                geo = dataclasses.replace(geo, metadata={**geo.metadata, "root": str(copy)})
            except DataPackError as exc:
                shutil.rmtree(work, ignore_errors=True)
                # Said without sign-in (/healthz): the pack's own file names, not server paths.
                reason = str(exc).replace(f"{work}{os.sep}", "").replace(str(work), "the pack")
                refusal.write_text(reason, encoding="utf-8")
                raise DataPackError(reason) from exc
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                if not copy.is_dir():  # else another worker made the same copy meanwhile
                    raise
                geo = None  # read it from that copy
        if geo is None:
            geo = load_pack(copy, cache_dir)
    except (DataPackError, OSError) as exc:
        good = _last_good(store)
        if good is None:
            raise
        reason = str(exc) if isinstance(exc, DataPackError) else f"{exc.strerror}: {exc.filename}"
        reason = reason.replace(f"{folder}{os.sep}", "").replace(str(folder), "the pack folder")
        return Served(load_pack(store / good, cache_dir), good, store / good, refused=reason)
    if _last_good(store) != version:
        _point_to(store, version)
        _prune(store, version)
    return Served(geo, version, copy)


def _prune(store: Path, keep: str) -> None:
    copies = sorted((p for p in store.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [c for c in copies if c.name != keep][KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    cutoff = time.time() - 3600  # copies a killed process left half-written
    for half in [*store.glob(".new-*"), *store.glob(".refused-*")]:
        if half.stat().st_mtime < cutoff:
            if half.is_dir():
                shutil.rmtree(half, ignore_errors=True)
            else:
                half.unlink(missing_ok=True)
