"""Geometry checks of an import: units that overlap, wards the small areas leave bare.

Either slip changes totals without any error from the overlay itself (people counted twice, or
not at all), so each is refused with the units' names and shares.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from dashboard.errors import GeometryError

# A ward with less of its area under the small areas than this is missing small areas; below
# WARD_COVER_WARN the gap is reported (generalised national files leave a few per cent).
WARD_COVER_MIN = 0.90
WARD_COVER_WARN = 0.97
# Units of one layer may touch, not overlap: beyond this share of the smaller one they are refused.
OVERLAP_MAX = 0.005


def wards_mostly_covered(wards: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Wards mostly covered by the kept small areas (when wards name no district)."""
    union = shapely.union_all(np.asarray(areas.geometry.values))
    geoms = np.asarray(wards.geometry.values)
    share = shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms)
    return wards[share > 0.5].reset_index(drop=True)


def refuse_overlaps(layer: gpd.GeoDataFrame, source: str) -> None:
    """Refuse units of one layer that overlap each other beyond generalisation noise."""
    geoms = np.asarray(layer.geometry.values)
    left, right = shapely.STRtree(geoms).query(geoms, "intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    share = shared / np.maximum(smaller, 1.0)
    bad = np.flatnonzero(share > OVERLAP_MAX)
    if len(bad):
        worst = bad[np.argsort(-share[bad])][:3]
        shown = "; ".join(f"{_unit(layer, left[i])} and {_unit(layer, right[i])} share "
                          f"{shared[i] / 10_000:,.1f} ha ({share[i]:.1%} of the smaller)"
                          for i in worst)
        raise GeometryError(
            f"{source}: {len(bad)} pair(s) of units overlap: {shown}. Each place must be in one "
            "unit only, or its people are counted twice; fix the boundaries in a GIS (e.g. "
            "QGIS 'Check validity' and 'Overlap analysis').")


def _unit(layer: gpd.GeoDataFrame, i: int) -> str:
    code, name = layer["code"].iloc[i], layer["name"].iloc[i]
    return f"{name} ({code})" if name and name != code else str(code)


def check_ward_cover(wards: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, source: str,
                     areas_source: str, warnings: list[str]) -> None:
    """Refuse wards that the small areas leave (mostly) bare: their residents would be lost."""
    union = shapely.union_all(np.asarray(areas.geometry.values))
    geoms = np.asarray(wards.geometry.values)
    cover = shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms)
    bare = np.flatnonzero(cover < WARD_COVER_MIN)
    if len(bare):
        shown = ", ".join(f"{_unit(wards, i)} {cover[i]:.0%}" for i in bare[:5])
        empty = int((cover[bare] < 0.01).sum())
        hint = (f" {empty} of them lie wholly outside the small areas: the ward file covers "
                "more than the borough, so use --council (or the borough's own wards)."
                if empty > 3 else "")
        raise GeometryError(
            f"{areas_source}: small areas cover too little of {len(bare)} ward(s) of {source}: "
            f"{shown} covered. Their residents would be missing; give the small areas of the "
            f"whole borough (or the wards of the same borough).{hint}")
    thin = np.flatnonzero(cover < WARD_COVER_WARN)
    if len(thin):
        shown = ", ".join(f"{_unit(wards, i)} {cover[i]:.1%}" for i in thin[:5])
        warnings.append(f"Small areas cover under {WARD_COVER_WARN:.0%} of {len(thin)} "
                        f"ward(s) (generalised boundaries?): {shown}.")


def refuse_areas_outside(areas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, source: str,
                         wards_source: str) -> None:
    """Refuse small areas lying mostly outside every ward: the boundary file covers more than
    the borough, and their residents would be spread over a sliver of a ward."""
    union = shapely.union_all(np.asarray(wards.geometry.values))
    geoms = np.asarray(areas.geometry.values)
    inside = shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms)
    out = np.flatnonzero(inside < 0.5)
    if len(out):
        shown = ", ".join(areas["code"].iloc[out[:6]])
        raise GeometryError(
            f"{source}: {len(out)} small area(s) lie mostly outside the wards of {wards_source}: "
            f"{shown}{' …' if len(out) > 6 else ''}. The small-area file covers more than the "
            "borough: use --council to keep one council's, or remove them (or give the wards "
            "of the whole area).")
