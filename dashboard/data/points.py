"""Point files (GP practices, hubs): coordinates to British National Grid, and the hubs table.

People type hub lists by hand, so each usual slip gets its own message naming the rows: a missing
coordinate, latitude in the longitude column, degrees in easting columns (or metres in longitude
columns), a point outside Great Britain, a hub outside the borough, two hubs with one name.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.data import recognise as rec
from dashboard.data import tables
from dashboard.data.codes import clean_codes
from dashboard.engine.access import distance_to
from dashboard.engine.geography import BNG
from dashboard.errors import CodeError, DataFileError, GeometryError

# British National Grid's extent over Great Britain, in metres.
GB_EASTING = (0, 700_000)
GB_NORTHING = (0, 1_300_000)
# Great Britain in degrees.
GB_LON = (-9.0, 2.0)
GB_LAT = (49.0, 61.0)
# Boundary files are generalised: a town hall on the very edge may fall just outside.
EDGE_M = 50.0


def _named(labels: pd.Series, mask, limit: int = 5) -> str:
    names = [str(v) for v in labels[np.asarray(mask)]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def bng_coordinates(frame: pd.DataFrame, source: str, labels: pd.Series,
                    notes: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing of each row, from easting/northing columns or converted from
    longitude/latitude; NaN where a value is missing, for the caller to name.

    ``labels`` names each row in messages (codes or names); ``notes`` collects what was done.
    """
    labels = pd.Series(np.asarray(labels, dtype=object))
    east = rec.find_column(frame.columns, "easting", source, required=False)
    north = rec.find_column(frame.columns, "northing", source, required=False)
    if east and north:
        x = tables.coordinates(frame[east], frame).to_numpy(dtype=float)
        y = tables.coordinates(frame[north], frame).to_numpy(dtype=float)
        degrees = (np.abs(x) <= 180) & (np.abs(y) <= 90)
        if degrees.any():
            raise GeometryError(
                f"{source}: {_named(labels, degrees)} have {east}/{north} values that look like "
                "longitude and latitude in degrees, not British National Grid metres. Put "
                "degrees in columns called longitude and latitude, or give eastings and "
                "northings in metres.")
        outside = ~(np.isnan(x) | np.isnan(y)) & ~(
            (x >= GB_EASTING[0]) & (x <= GB_EASTING[1]) & (y >= GB_NORTHING[0])
            & (y <= GB_NORTHING[1]))
        if outside.any():
            raise GeometryError(
                f"{source}: {_named(labels, outside)} have {east}/{north} outside Great Britain "
                "in British National Grid (eastings 0-700,000, northings 0-1,300,000 m). The "
                "coordinates are probably in another system; convert them to EPSG:27700 or give "
                "longitude and latitude instead.")
        return x, y
    lon = tables.coordinates(frame[rec.find_column(frame.columns, "longitude", source)],
                             frame).to_numpy(dtype=float)
    lat = tables.coordinates(frame[rec.find_column(frame.columns, "latitude", source)],
                             frame).to_numpy(dtype=float)
    swapped = (lon >= GB_LAT[0]) & (lon <= GB_LAT[1]) & (lat >= GB_LON[0]) & (lat <= GB_LON[1])
    if swapped.any():
        raise GeometryError(
            f"{source}: the longitude and latitude of {_named(labels, swapped)} look swapped "
            "(latitude in the longitude column: latitudes in Britain are 49 to 61, longitudes -9 "
            "to 2). Swap the two values or the two column names.")
    metres = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if metres.any():
        raise GeometryError(
            f"{source}: {_named(labels, metres)} have longitude/latitude values that look like "
            "metres (British National Grid eastings and northings?). Name those columns easting "
            "and northing, or give degrees.")
    away = ~(np.isnan(lon) | np.isnan(lat)) & ~(
        (lon >= GB_LON[0]) & (lon <= GB_LON[1]) & (lat >= GB_LAT[0]) & (lat <= GB_LAT[1]))
    if away.any():
        raise GeometryError(
            f"{source}: {_named(labels, away)} have longitude/latitude outside Great Britain. "
            "Check the coordinates and their coordinate system (WGS84 degrees are expected).")
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(BNG)
    if notes is not None:
        notes.append(f"{source}: longitude/latitude converted to British National Grid.")
    return points.x.round().to_numpy(), points.y.round().to_numpy()


def read_hubs(frame: pd.DataFrame, source: str, notes: list[str] | None = None) -> pd.DataFrame:
    """A hubs table (names, optional codes, types, staff and the footprint each serves, and
    coordinates as easting/northing or longitude/latitude) as the pack's hubs columns."""
    if frame.empty:
        raise DataFileError(f"{source}: the file has no hubs. Give one row per hub.")
    name = rec.find_column(frame.columns, "hub_name", source)
    code = rec.find_column(frame.columns, "hub_code", source, required=False)
    kind = rec.find_column(frame.columns, "hub_type", source, required=False)
    staff = rec.find_column(frame.columns, "staff", source, required=False)
    serves = rec.find_column(frame.columns, "serves", source, required=False)
    names = frame[name].fillna("").astype(str).str.strip()
    rows = pd.Series([f"row {i + 2}" for i in range(len(frame))])
    if (names == "").any():
        raise DataFileError(f"{source}: {_named(rows, names == '')} have no hub name in column "
                            f"'{name}'. Name every hub.")
    folded = names.str.casefold()
    dup = folded.duplicated(keep=False).to_numpy()
    if dup.any():
        raise CodeError(f"{source}: the hub name(s) {', '.join(sorted(set(names[dup])))} appear "
                        "more than once. Give each hub its own name (e.g. add the street).")
    codes = (clean_codes(frame[code], source, code) if code
             else pd.Series([f"H{i + 1:02d}" for i in range(len(frame))]))
    dup = codes.duplicated(keep=False).to_numpy()
    if dup.any():
        raise CodeError(f"{source}: the hub code(s) {', '.join(sorted(set(codes[dup])))} appear "
                        "more than once. Give each hub its own code.")
    out = pd.DataFrame({
        "hub_code": codes.to_numpy(),
        "name": names.to_numpy(),
        "type": _hub_types(frame[kind]) if kind else "hub",
    })
    x, y = bng_coordinates(frame, source, names, notes)
    missing = np.isnan(x) | np.isnan(y)
    if missing.any():
        raise DataFileError(f"{source}: {_named(names, missing)} have no usable coordinates. "
                            "Fill them in or remove those rows.")
    out["easting"], out["northing"] = x, y
    if staff:
        values = pd.to_numeric(frame[staff].str.replace(",", ""), errors="coerce")
        bad = (frame[staff].str.strip() != "") & (values.isna() | (values < 0)
                                                   | ~np.isfinite(values.fillna(0)))
        if bad.any():
            raise DataFileError(f"{source}: {_named(names, bad)} have a staff figure in "
                                f"'{staff}' that is not a number of 0 or more.")
        out["staff"] = values.fillna(0.0).to_numpy()
    else:
        out["staff"] = 0.0
    out["serves"] = frame[serves].fillna("").str.strip().to_numpy() if serves else ""
    return out


def check_inside(x, y, names, shapes, source: str) -> None:
    """Refuse hubs farther than ``EDGE_M`` outside the borough made of ``shapes`` (its small
    areas or wards, BNG), naming them and how far out they are."""
    gap = distance_to(shapes, x, y)  # to the nearest shape: the distance to the borough
    out = gap > EDGE_M
    if out.any():
        names = np.asarray(names, dtype=object)
        listed = ", ".join(f"{n} ({g / 1000:.1f} km)" for n, g in zip(names[out], gap[out]))
        raise GeometryError(
            f"{source}: hub(s) {listed} lie outside the borough. Check their coordinates (are "
            "they in the right columns and coordinate system?), or leave out hubs that serve "
            "another area.")


def _hub_types(kinds: pd.Series) -> np.ndarray:
    """Each hub's type as first written in the file, so 'Community' and 'community' are one
    type while 'EIP hub' keeps its capitals; a blank type is 'hub'."""
    kinds = kinds.fillna("").astype(str).str.strip().replace("", "hub")
    first = dict(zip(kinds.str.casefold()[::-1], kinds[::-1]))
    return kinds.str.casefold().map(first).to_numpy()
