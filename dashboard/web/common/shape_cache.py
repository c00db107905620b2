"""Derived tables kept on disk, so a new worker process starts without recomputing them.

The costly derived table of a pack is its map geometry (atoms simplified together, every layer's
outline and label points; about 1 s for the demo and 2 s for a borough of 250 LSOAs). It is
written once per pack under a key made from the content of every file in the pack and of the
code that builds it, so an edited pack or a new release never reads a stale copy. Files are
written under a temporary name and renamed, so a process killed while writing leaves either the
old file or none; a damaged or unreadable file is rebuilt, never trusted and never fatal.
Plain JSON and GeoJSON only: nothing read back can run code.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from types import MappingProxyType

import numpy as np
import shapely

from dashboard.atomic import write_atomically
from dashboard.engine.geography import Geography
from dashboard.web.common.shapes import DEFAULT_TOLERANCE_M, DisplayGeometry, display_geometry, remember

LOG = logging.getLogger(__name__)
FORMAT = "1"
# The code whose output is cached: a change to any of it makes a new key.
_HERE = Path(__file__).resolve().parent
SOURCES = (_HERE.parents[1] / "engine", _HERE.parents[1] / "data")
# Of the web layer, only the modules that make the shapes: editing a page never empties the cache.
SHAPE_CODE = (_HERE / "shapes.py", _HERE / "mapbase.py")


def _digest_files(paths, root: Path, h) -> None:
    for path in sorted(paths):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def content_key(folder: Path) -> str:
    """Hash of every file in the pack folder and of the engine's source."""
    h = hashlib.sha256(FORMAT.encode())
    folder = Path(folder)
    _digest_files((p for p in folder.rglob("*") if p.is_file()), folder, h)
    for src in SOURCES:
        _digest_files(src.glob("*.py"), src, h)
    _digest_files(SHAPE_CODE, _HERE, h)
    return h.hexdigest()[:32]


def _encode(disp: DisplayGeometry) -> dict:
    return {
        "digest": disp.digest,
        "tolerance_m": disp.tolerance_m,
        "bounds": list(disp.bounds),
        "atom_units": {k: v.tolist() for k, v in disp.atom_units.items()},
        "units": {k: shapely.to_wkb(v, hex=True).tolist() for k, v in disp.units.items()},
        "outlines": {k: list(v) for k, v in disp.outlines.items()},
        "label_points": {k: list(v) for k, v in disp.label_points.items()},
    }


def _decode(meta: dict, geojson: bytes) -> DisplayGeometry:
    if hashlib.sha256(geojson).hexdigest()[:16] != meta["digest"]:
        raise ValueError("the map shapes do not match their recorded digest")
    return DisplayGeometry(
        atoms_geojson=geojson,
        digest=meta["digest"],
        atom_units=MappingProxyType({k: np.asarray(v, dtype=np.intp)
                                     for k, v in meta["atom_units"].items()}),
        units=MappingProxyType({k: shapely.from_wkb(np.asarray(v, dtype=object))
                                for k, v in meta["units"].items()}),
        outlines=MappingProxyType({k: tuple(v) for k, v in meta["outlines"].items()}),
        label_points=MappingProxyType({k: tuple(v) for k, v in meta["label_points"].items()}),
        bounds=tuple(meta["bounds"]),
        tolerance_m=float(meta["tolerance_m"]),
    )


def cached_display(geo: Geography, folder: Path, cache_dir: Path | None) -> str:
    """Give ``geo`` its map geometry from the cache under ``cache_dir``, or build and store it.

    Returns ``"warm"``, ``"cold"`` (built and stored) or ``"off"`` (no cache directory).
    """
    if cache_dir is None:
        display_geometry(geo)
        return "off"
    where = Path(cache_dir) / content_key(folder)
    shapes, meta = where / "atoms.geojson", where / f"display-{DEFAULT_TOLERANCE_M:g}.json"
    try:
        remember(geo, _decode(json.loads(meta.read_bytes()), shapes.read_bytes()))
        return "warm"
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, shapely.errors.ShapelyError) as exc:
        LOG.warning("Rebuilding the cached map shapes in %s: %s", where, exc)
    disp = display_geometry(geo)
    try:
        write_atomically(shapes, disp.atoms_geojson)  # shapes first: the metadata vouches for them
        write_atomically(meta, json.dumps(_encode(disp), separators=(",", ":")).encode())
    except OSError as exc:  # a read-only or full disk slows start-up but breaks nothing
        LOG.warning("Could not keep the map shapes in %s: %s", where, exc)
    return "cold"
