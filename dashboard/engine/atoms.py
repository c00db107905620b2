"""Cut small areas by every polygon layer once, so later figures are aggregations only.

The cut is the one heavy geometry step. It uses an STR-tree to find candidate pairs, skips the
intersection wherever a piece lies wholly inside a unit (the usual case: small areas nest in
wards), and runs queries and the remaining intersections in threads, because shapely 2 releases
the GIL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import shapely

from dashboard.engine.geography import BNG, Atoms, frozen_array
from dashboard.errors import GeometryError

# Pieces smaller than this are boundary noise from two generalisations meeting, not real overlap.
MIN_PIECE_M2 = 1.0
# Holes and crumbs smaller than these, left by joining boundaries of different vintages, are
# gaps between the published files, not enclaves or islands: left in, they draw as lines inside
# a unit (Kirklees's wards drew 10,444 boundary lines instead of about 60).
SLIVER_HOLE_M2 = 10_000.0
SLIVER_PART_M2 = 1_000.0


def _threaded(func, *arrays: np.ndarray, workers: int | None = None) -> np.ndarray:
    """Apply a vectorised shapely function to chunks of ``arrays`` in parallel threads."""
    n = len(arrays[0])
    workers = workers or min(os.cpu_count() or 1, 8)
    if n < 2000 or workers == 1:
        return func(*arrays)
    bounds = np.linspace(0, n, workers * 4 + 1).astype(int)
    chunks = [tuple(a[lo:hi] for a in arrays) for lo, hi in zip(bounds[:-1], bounds[1:])]
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda args: func(*args), chunks))
    return np.concatenate(parts)


def _query(tree: shapely.STRtree, geoms: np.ndarray, predicate: str) -> np.ndarray:
    """``tree.query`` over chunks of ``geoms`` in threads; returns (input, tree) index pairs."""
    def run(lo_hi):
        lo, hi = lo_hi
        pairs = tree.query(geoms[lo:hi], predicate=predicate)
        pairs[0] += lo
        return pairs

    n = len(geoms)
    workers = min(os.cpu_count() or 1, 8)
    if n < 2000 or workers == 1:
        return tree.query(geoms, predicate=predicate)
    bounds = np.linspace(0, n, workers * 4 + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(run, zip(bounds[:-1], bounds[1:])))
    return np.concatenate(parts, axis=1)


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Drop the line and point debris an intersection or a repair can leave beside polygons.

    Done for all mixed results at once: their polygon parts (disjoint, as an overlay or
    ``make_valid`` gives them) are regrouped into one polygon or multipolygon each; a result
    with none, or a bare line or point, becomes empty."""
    geoms = np.asarray(geoms, dtype=object)
    kinds = shapely.get_type_id(geoms)
    out = geoms.copy()
    out[~np.isin(kinds, (3, 6, 7))] = shapely.Polygon()  # not Polygon, MultiPolygon, collection
    mixed = np.flatnonzero(kinds == 7)  # GeometryCollection
    if not len(mixed):
        return out
    parts, owner = shapely.get_parts(geoms[mixed], return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)  # members that are multipolygons
    owner = owner[sub]
    keep = shapely.get_type_id(parts) == 3
    parts, owner = parts[keep], owner[keep]
    out[mixed] = shapely.Polygon()
    if len(parts):
        found, dense, counts = np.unique(owner, return_inverse=True, return_counts=True)
        grouped = shapely.multipolygons(parts, indices=dense)
        single = counts == 1
        first = np.searchsorted(dense, np.arange(len(found)))  # dense is sorted (owner is)
        grouped[single] = parts[first[single]]
        out[mixed[found]] = grouped
    return out


def _cut(pieces: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intersect every piece with every unit it overlaps.

    Returns piece index, unit index and the intersection geometry of each overlapping pair.
    """
    tree = shapely.STRtree(units)
    # Most pieces lie wholly inside one unit (small areas nest in wards): they need no
    # intersection, and skipping it also skips the costly neighbours that merely touch them.
    inside = _query(tree, pieces, "covered_by")
    first = np.unique(inside[0], return_index=True)[1]
    whole_left, whole_right = inside[0][first], inside[1][first]
    rest = np.setdiff1d(np.arange(len(pieces)), whole_left)
    pairs = _query(tree, pieces[rest], "intersects")
    left, right = rest[pairs[0]], pairs[1]
    cut = _threaded(shapely.intersection, pieces[left], units[right]) if len(left) else \
        np.empty(0, dtype=object)
    all_left = np.concatenate([whole_left, left])
    order = np.argsort(all_left, kind="stable")
    geoms = np.concatenate([pieces[whole_left], cut])
    return all_left[order], np.concatenate([whole_right, right])[order], polygonal(geoms[order])


def build_atoms(
    small_areas: gpd.GeoSeries, layers: Mapping[str, gpd.GeoSeries]
) -> tuple[Atoms, np.ndarray]:
    """Cut ``small_areas`` by every polygon layer in ``layers``.

    Parameters
    ----------
    small_areas
        Small-area polygons in British National Grid, in the pack's small-area order.
    layers
        Polygon layers by name, each in British National Grid, in that layer's unit order.

    Returns
    -------
    atoms
        The pieces; each knows its small area and its unit in every layer.
    uncovered_share
        Per small area, the share of its area that lies outside at least one polygon layer
        (0 for a small area wholly covered). Its population is spread over the covered part.

    Raises
    ------
    GeometryError
        If an input is not in British National Grid.
    """
    for name, series in {"small_areas": small_areas, **layers}.items():
        if series.crs is None or not series.crs.equals(BNG):
            raise GeometryError(
                f"Layer '{name}' is in {series.crs}, not British National Grid (EPSG:27700); "
                "reproject it with to_crs('EPSG:27700') before building atoms."
            )
    sa_geoms = np.asarray(small_areas.values, dtype=object)
    sa_area = shapely.area(sa_geoms)
    pieces = sa_geoms
    sa_index = np.arange(len(sa_geoms))
    units: dict[str, np.ndarray] = {}
    for name, series in layers.items():
        left, right, geoms = _cut(pieces, np.asarray(series.values, dtype=object))
        area = shapely.area(geoms)
        keep = area >= MIN_PIECE_M2
        pieces = geoms[keep]
        sa_index = sa_index[left[keep]]
        units = {k: v[left[keep]] for k, v in units.items()}
        units[name] = right[keep]
    area = shapely.area(pieces)
    covered = np.bincount(sa_index, weights=area, minlength=len(sa_geoms))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(covered[sa_index] > 0, area / covered[sa_index], 0.0)
        uncovered = np.clip(1.0 - covered / sa_area, 0.0, 1.0)
    atoms = Atoms(
        small_area=frozen_array(sa_index),
        units=MappingProxyType({k: frozen_array(v) for k, v in units.items()}),
        area_m2=frozen_array(area),
        share=frozen_array(share),
        geometry=gpd.GeoSeries(pieces, crs=BNG),
    )
    return atoms, uncovered


def dissolve(parts: np.ndarray):
    """Pieces of one unit (atoms, or small areas) as one shape, for drawing. Pieces of a clean
    coverage join exactly and fast; where LSOAs and wards of different vintages leave hairline
    gaps, a robust union on a 1 cm grid, without the gaps' holes and crumbs. No figure uses
    these shapes."""
    fast = shapely.coverage_union_all(parts)
    pieces = shapely.get_parts(fast)
    if len(pieces) <= 1 and not shapely.get_num_interior_rings(pieces).any():
        return fast
    kept = []
    for poly in shapely.get_parts(shapely.union_all(parts, grid_size=0.01)):
        if isinstance(poly, shapely.Polygon) and poly.area >= SLIVER_PART_M2:
            holes = [r for r in poly.interiors if shapely.Polygon(r).area >= SLIVER_HOLE_M2]
            kept.append(shapely.Polygon(poly.exterior, holes))
    return shapely.union_all(kept) if kept else fast
