"""Cut pieces kept on disk, keyed by exactly what was cut, so a repeat run skips the cut.

The cut (:func:`dashboard.engine.atoms.build_atoms`) is the heavy step of opening a large pack:
about 2.4 s of a 2.8 s national build. Its result depends only on the validated geometries it
is given, in order, and on the cutting code, so those (as WKB; the source of the engine's
``atoms`` module; the shapely and GEOS versions) make the key: a changed boundary, a reordered
file or a new release never reads another's pieces. Files are written under a temporary name
and renamed; one that is damaged, truncated or inconsistent with its inputs is rebuilt, never
trusted and never fatal.
NumPy arrays only (no pickle): nothing read back can run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import shapely

from dashboard.atomic import TEMPORARY, write_atomically
from dashboard.engine import atoms as cutting
from dashboard.engine.geography import BNG, Atoms, frozen_array

LOG = logging.getLogger(__name__)
FORMAT = b"atoms-1"
FOLDER = "atoms"
# Sets of pieces kept; beyond this the least recently used go (every upload adds one).
KEEP = 64


def atoms_key(small_areas: gpd.GeoSeries, layers: Mapping[str, gpd.GeoSeries]) -> str:
    """A digest of the cutting code and of every input geometry, in order, with layer names."""
    h = hashlib.sha256(FORMAT + f" {shapely.__version__} {shapely.geos_version_string}".encode())
    h.update(Path(cutting.__file__).read_bytes())
    for name, series in (("", small_areas), *layers.items()):
        wkb = shapely.to_wkb(np.asarray(series.values, dtype=object))
        h.update(name.encode() + b"\0" + np.array([len(b) for b in wkb], dtype="<i8").tobytes())
        h.update(b"".join(wkb))
    return h.hexdigest()[:32]


def cached_atoms(cache_dir: Path | None, small_areas: gpd.GeoSeries,
                 layers: Mapping[str, gpd.GeoSeries]) -> tuple[Atoms, np.ndarray]:
    """:func:`~dashboard.engine.atoms.build_atoms`, read from ``cache_dir`` when these inputs
    were cut before (``None``: always cut)."""
    if cache_dir is None:
        return cutting.build_atoms(small_areas, layers)
    path = Path(cache_dir) / FOLDER / f"{atoms_key(small_areas, layers)}.npz"
    kept = _read(path, len(small_areas), {k: len(v) for k, v in layers.items()})
    if kept is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest
        return kept
    atoms, uncovered = cutting.build_atoms(small_areas, layers)
    _write(path, atoms, uncovered)
    _prune(path.parent)
    return atoms, uncovered


def _prune(folder: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used sets of pieces (and stray temporaries)."""
    with contextlib.suppress(OSError):
        files = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
        cutoff = time.time() - 3600  # a temporary this old was left by a killed writer
        for stray in folder.glob(f"*{TEMPORARY}"):
            if stray.stat().st_mtime < cutoff:
                stray.unlink(missing_ok=True)


def _write(path: Path, atoms: Atoms, uncovered: np.ndarray) -> None:
    wkb = shapely.to_wkb(np.asarray(atoms.geometry.values, dtype=object))
    ends = np.cumsum([len(b) for b in wkb], dtype=np.int64)
    arrays = {"small_area": atoms.small_area, "area_m2": atoms.area_m2, "share": atoms.share,
              "uncovered": uncovered, "wkb": np.frombuffer(b"".join(wkb), dtype=np.uint8),
              "ends": ends, "layers": np.array(list(atoms.units), dtype=str),
              **{f"unit_{i}": v for i, v in enumerate(atoms.units.values())}}
    packed = io.BytesIO()
    np.savez(packed, **arrays)
    try:
        write_atomically(path, packed.getvalue())
    except OSError as exc:  # a read-only or full disk only costs the next run its speed
        LOG.warning("could not keep the cut pieces in %s: %s", path.parent, exc)


def _read(path: Path, n_small_areas: int, unit_counts: Mapping[str, int]
          ) -> tuple[Atoms, np.ndarray] | None:
    """The pieces kept in ``path``, or ``None`` if there are none or they cannot be trusted."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as kept:
            arrays = {k: kept[k] for k in kept.files}  # reading checks each member's CRC
        atoms, uncovered = _checked(arrays, n_small_areas, unit_counts)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        LOG.warning("ignored the kept cut pieces %s (%s); cutting again", path.name, exc)
        return None
    return atoms, uncovered


def _checked(arrays: dict, n_small_areas: int, unit_counts: Mapping[str, int]
             ) -> tuple[Atoms, np.ndarray]:
    """Rebuild the atoms from their arrays, refusing any that do not fit these inputs."""
    small_area, area, share = arrays["small_area"], arrays["area_m2"], arrays["share"]
    names = [str(n) for n in arrays["layers"]]
    units = {name: arrays[f"unit_{i}"] for i, name in enumerate(names)}
    n = len(small_area)
    if names != list(unit_counts) or any(len(a) != n for a in (area, share, *units.values())):
        raise ValueError("the arrays do not match the layers")
    if n and (small_area.min() < 0 or small_area.max() >= n_small_areas) or any(
            n and (u.min() < 0 or u.max() >= unit_counts[k]) for k, u in units.items()):
        raise ValueError("an index is out of range")
    if len(arrays["uncovered"]) != n_small_areas:
        raise ValueError("the uncovered shares do not match the small areas")
    ends, buffer = arrays["ends"], arrays["wkb"].tobytes()
    if len(ends) != n or (n and (ends[-1] != len(buffer) or np.any(np.diff(ends) <= 0))):
        raise ValueError("the pieces' shapes are cut short")
    starts = np.concatenate([[0], ends[:-1]])
    geoms = shapely.from_wkb(np.array([buffer[a:b] for a, b in zip(starts, ends)], dtype=object))
    if not np.allclose(shapely.area(geoms), area, rtol=1e-9, atol=1e-6):
        raise ValueError("the pieces' shapes do not match their areas")
    return Atoms(small_area=frozen_array(small_area),
                 units=MappingProxyType({k: frozen_array(v) for k, v in units.items()}),
                 area_m2=frozen_array(area), share=frozen_array(share),
                 geometry=gpd.GeoSeries(geoms, crs=BNG)), arrays["uncovered"]
