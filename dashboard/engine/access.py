"""Hub access: how far people live from a hub, who each hub serves, and which footprints lack one.

Each small area's residents are placed at one point: the population-weighted centroid when the
pack supplies one, otherwise a point inside the area (its representative point, never outside a
crescent-shaped area as a plain centroid can be). Distances are straight lines in British
National Grid metres, not travel times; every table says so in its column names.

Hubs are a plain table (see :func:`hub_table`) so that what-if hubs and the pack's own hubs go
through the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from dashboard.engine.geography import Geography
from dashboard.engine.overlaps import need_weights, unit_of_atoms
from dashboard.errors import LayerError

DEFAULT_BANDS_M = (1000, 2000, 5000)
HUB_COLUMNS = ["code", "name", "type", "x", "y", "staff", "serves"]
FARTHEST = 10


def hub_table(geo: Geography) -> pd.DataFrame:
    """The pack's hubs as code, name, type, x, y (BNG metres), staff and serves (a footprint
    code, or blank when the pack does not say)."""
    if geo.hubs is None or geo.hubs.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("x", "y", "staff") else object)
                             for c in HUB_COLUMNS})
    hubs = geo.hubs
    frame = pd.DataFrame({
        "code": hubs["code"].astype(str).to_numpy(),
        "name": hubs["name"].astype(str).to_numpy(),
        "type": hubs["type"].astype(str).to_numpy(),
        "x": hubs.geometry.x.to_numpy(dtype=float),
        "y": hubs.geometry.y.to_numpy(dtype=float),
        "staff": hubs["staff"].to_numpy(dtype=float) if "staff" in hubs else 0.0,
        "serves": hubs["serves"].fillna("").astype(str).to_numpy() if "serves" in hubs else "",
    })
    return frame


def small_area_points(geo: Geography) -> np.ndarray:
    """(n, 2) BNG coordinates where each small area's residents are taken to live."""
    def make() -> np.ndarray:
        given = geo.metadata.get("small_area_points")
        points = (np.array(given, dtype=float) if given is not None
                  else representative_points(geo))
        points.setflags(write=False)
        return points

    return geo.derived.get(("access-points",), make)


def representative_points(geo: Geography) -> np.ndarray:
    """(n, 2) BNG coordinates of a point inside each small area (a fresh array)."""
    return shapely.get_coordinates(
        shapely.point_on_surface(np.asarray(geo.small_area_geometry.values)))


def point_method(geo: Geography) -> str:
    """How residents are placed, in words for tables and exports."""
    if geo.metadata.get("small_area_points") is not None:
        return "population-weighted centroid of each small area"
    return "a point inside each small area (its representative point)"


def locate(geo: Geography, x: Sequence[float], y: Sequence[float]) -> np.ndarray:
    """Index of the atom holding each point, -1 for points outside the borough."""
    tree = geo.derived.get(("atom-tree",),
                           lambda: shapely.STRtree(np.asarray(geo.atoms.geometry.values)))
    points = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = np.full(len(points), -1)
    if len(points):
        hit, atom = tree.query(points, predicate="within")
        out[hit] = atom  # a point on a shared edge is in neither; first hit wins otherwise
    return out


def outside_borough(geo: Geography, x: Sequence[float], y: Sequence[float]) -> np.ndarray:
    """Distance in metres from each point to the borough (0 inside)."""
    return distance_to(geo.small_area_geometry.values, x, y)


def distance_to(shapes, x, y) -> np.ndarray:
    """Metres from each point to the nearest of ``shapes`` (BNG polygons; 0 inside one): the
    distance to their union, without the cost of making it."""
    points = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    tree = shapely.STRtree(np.asarray(shapes, dtype=object))
    (which, _), gaps = tree.query_nearest(points, return_distance=True, all_matches=False)
    out = np.full(len(points), np.inf)
    out[which] = gaps
    return out


def band_label(metres: float) -> str:
    return f"within {metres / 1000:g} km"


@dataclass(frozen=True)
class Access:
    """Access to a set of hubs, in straight-line BNG metres.

    Attributes
    ----------
    areas
        One row per small area: code, name, population, weighted_population, nearest_hub,
        nearest_hub_name, straight_line_m and ``straight_line_m_<type>`` for each hub type counted.
    bands
        One row per distance: within_m, population, share, weighted_population, weighted_share.
    catchments
        One row per counted hub: code, name, type, staff, serves, sits_in, outside_footprint,
        population, weighted_population, need_index, staff_per_10k (per 10,000 weighted people),
        median_straight_line_m.
    footprints
        One row per unit of ``layer`` (when given): code, name, population, hubs_inside,
        hubs_serving, has_hub, median_straight_line_m and a ``share_within_<m>`` column per band.
    """

    hubs: pd.DataFrame
    areas: pd.DataFrame
    bands: pd.DataFrame
    catchments: pd.DataFrame
    footprints: pd.DataFrame | None
    layer: str | None
    need: str | None
    method: str

    def farthest(self, n: int = FARTHEST) -> pd.DataFrame:
        """The ``n`` small areas (with residents) farthest from any counted hub."""
        lived = self.areas[self.areas["population"] > 0]
        return lived.sort_values(["straight_line_m", "code"], ascending=[False, True]).head(n)

    @property
    def footprints_without_hub(self) -> list[str]:
        if self.footprints is None:
            return []
        return self.footprints.loc[~self.footprints["has_hub"], "name"].tolist()

    @property
    def hubs_outside_footprint(self) -> list[str]:
        return self.catchments.loc[self.catchments["outside_footprint"], "name"].tolist()


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Smallest value with at least half the weight at or below it (nan when no weight)."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = weights > 0
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep], kind="stable")
    v, w = values[keep][order], weights[keep][order]
    return float(v[np.searchsorted(np.cumsum(w), w.sum() / 2)])


def _check_hubs(hubs: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("code", "name", "type", "x", "y") if c not in hubs]
    if missing:
        raise LayerError(f"The hubs table has no {', '.join(missing)} column; it needs "
                         f"{', '.join(HUB_COLUMNS)}.")
    out = hubs.copy()
    for column, default in (("staff", 0.0), ("serves", "")):
        if column not in out:
            out[column] = default
    out["staff"] = pd.to_numeric(out["staff"], errors="coerce").fillna(0.0)
    out["serves"] = out["serves"].fillna("").astype(str)
    return out.reset_index(drop=True)


def access(geo: Geography, hubs: pd.DataFrame, need: str | None = None,
           bands_m: Iterable[float] = DEFAULT_BANDS_M, layer: str | None = None,
           types: Iterable[str] | None = None) -> Access:
    """Access measures for ``hubs`` (a :func:`hub_table`-shaped frame).

    Only hubs whose type is in ``types`` count (all when ``None``). Each small area belongs to the
    catchment of its nearest counted hub. ``layer`` (any area layer, e.g. a redrawn grouping)
    adds which footprint each hub sits in and each footprint's access; residents of a footprint
    are counted by atom, so small areas a footprint boundary cuts are shared as everywhere else.
    """
    hubs = _check_hubs(hubs)
    if types is not None:
        hubs = hubs[hubs["type"].isin(list(types))].reset_index(drop=True)
    bands = sorted({float(b) for b in bands_m})
    if any(b <= 0 for b in bands):
        raise LayerError("Access distances must be positive numbers of metres.")
    pop = geo.population.astype(float)
    weighted = pop * need_weights(geo, need)
    points = small_area_points(geo)
    sa = geo.small_areas
    areas = pd.DataFrame({"code": list(sa.codes), "name": list(sa.names),
                          "population": pop, "weighted_population": weighted})
    if hubs.empty:
        distance = np.full(len(pop), np.inf)
        nearest = np.full(len(pop), -1)
    else:
        gaps = np.hypot(points[:, :1] - hubs["x"].to_numpy()[None, :],
                        points[:, 1:] - hubs["y"].to_numpy()[None, :])
        nearest = gaps.argmin(axis=1)
        distance = gaps[np.arange(len(pop)), nearest]
        for kind in sorted(hubs["type"].unique()):
            areas[f"straight_line_m_{kind}"] = gaps[:, (hubs["type"] == kind).to_numpy()].min(axis=1)
    codes = hubs["code"].to_numpy(dtype=object)
    names = hubs["name"].to_numpy(dtype=object)
    areas["nearest_hub"] = np.where(nearest >= 0, codes[nearest] if len(codes) else "", "")
    areas["nearest_hub_name"] = np.where(nearest >= 0, names[nearest] if len(names) else "", "")
    areas["straight_line_m"] = distance
    areas = areas[["code", "name", "population", "weighted_population", "nearest_hub",
                   "nearest_hub_name", "straight_line_m",
                   *[c for c in areas if c.startswith("straight_line_m_")]]]

    total, total_w = pop.sum(), weighted.sum()
    band_rows = []
    for b in bands:
        inside = distance <= b
        band_rows.append({"within_m": b, "population": pop[inside].sum(),
                          "share": pop[inside].sum() / total if total else 0.0,
                          "weighted_population": weighted[inside].sum(),
                          "weighted_share": weighted[inside].sum() / total_w if total_w else 0.0})
    band_table = pd.DataFrame(band_rows, columns=["within_m", "population", "share",
                                                  "weighted_population", "weighted_share"])

    catchments = _catchments(geo, hubs, nearest, distance, pop, weighted=weighted, layer=layer)
    footprints = (_footprints(geo, hubs, catchments, distance, pop, bands=bands, layer=layer)
                  if layer else None)
    return Access(hubs, areas, band_table, catchments, footprints, layer, need, point_method(geo))


def _catchments(geo: Geography, hubs: pd.DataFrame, nearest: np.ndarray, distance: np.ndarray,
                pop: np.ndarray, *, weighted: np.ndarray, layer: str | None) -> pd.DataFrame:
    n = len(hubs)
    served = np.bincount(nearest[nearest >= 0], weights=pop[nearest >= 0], minlength=n)
    served_w = np.bincount(nearest[nearest >= 0], weights=weighted[nearest >= 0], minlength=n)
    out = hubs[["code", "name", "type", "staff", "serves"]].copy()
    out["population"] = served
    out["weighted_population"] = served_w
    with np.errstate(divide="ignore", invalid="ignore"):
        out["need_index"] = np.where(served > 0, served_w / served, np.nan)
        out["staff_per_10k"] = np.where(served_w > 0, hubs["staff"] / served_w * 1e4, np.nan)
    out["median_straight_line_m"] = [weighted_median(distance[nearest == i], pop[nearest == i])
                                for i in range(n)]
    out["sits_in"] = ""
    out["sits_in_name"] = ""
    out["outside_footprint"] = False
    if layer and n:
        lay = geo.layer(layer)
        atom = locate(geo, hubs["x"], hubs["y"])
        unit = np.where(atom >= 0, unit_of_atoms(geo, layer)[np.maximum(atom, 0)], -1)
        out["sits_in"] = [lay.codes[u] if u >= 0 else "" for u in unit]
        out["sits_in_name"] = [lay.names[u] if u >= 0 else "outside the borough" for u in unit]
        known = out["serves"].isin(set(lay.codes))
        out["outside_footprint"] = known & (out["serves"] != out["sits_in"])
    return out


def _footprints(geo: Geography, hubs: pd.DataFrame, catchments: pd.DataFrame,
                distance: np.ndarray, pop: np.ndarray, *, bands: list[float],
                layer: str) -> pd.DataFrame:
    lay = geo.layer(layer)
    atoms = geo.atoms
    unit = unit_of_atoms(geo, layer)
    atom_pop = pop[atoms.small_area] * atoms.share
    atom_distance = distance[atoms.small_area]
    n = len(lay)
    resident = np.bincount(unit, weights=atom_pop, minlength=n)
    near = {b: np.bincount(unit, weights=atom_pop * (atom_distance <= b), minlength=n)
            for b in bands}
    inside: dict[str, list[str]] = {}
    serving: dict[str, list[str]] = {}
    for name, sits, serves in zip(catchments["name"], catchments["sits_in"],
                                  catchments["serves"]):
        inside.setdefault(sits, []).append(name)
        serving.setdefault(serves, []).append(name)
    order = np.argsort(unit, kind="stable")
    bounds = np.searchsorted(unit[order], np.arange(n + 1))
    rows = []
    for i, (code, name) in enumerate(zip(lay.codes, lay.names)):
        mine = order[bounds[i]:bounds[i + 1]]
        row = {"code": code, "name": name, "population": resident[i],
               "hubs_inside": ", ".join(inside.get(code, [])),
               "hubs_serving": ", ".join(serving.get(code, [])),
               "has_hub": bool(inside.get(code) or serving.get(code)),
               "median_straight_line_m": weighted_median(atom_distance[mine], atom_pop[mine])}
        for b in bands:
            row[f"share_within_{b:g}_m"] = near[b][i] / resident[i] if resident[i] else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def residents_of(geo: Geography, result: Access, code: str) -> pd.DataFrame:
    """The residents of one unit of ``result.layer`` by their nearest hub: hub name, residents,
    share and their population-weighted median straight-line distance; largest first."""
    if result.layer is None:
        raise LayerError("These access figures were worked out without footprints.")
    index = geo.layer(result.layer).index_of(code)
    atoms = geo.atoms
    mine = unit_of_atoms(geo, result.layer) == index
    sa = np.asarray(atoms.small_area)[mine]
    people = geo.population[sa] * np.asarray(atoms.share)[mine]
    frame = pd.DataFrame({"hub": result.areas["nearest_hub_name"].to_numpy()[sa],
                          "residents": people,
                          "straight_line_m": result.areas["straight_line_m"].to_numpy()[sa]})
    rows = [{"hub": hub or "no hub", "residents": part["residents"].sum(),
             "median_straight_line_m": weighted_median(part["straight_line_m"].to_numpy(),
                                                       part["residents"].to_numpy())}
            for hub, part in frame.groupby("hub", sort=False)]
    out = pd.DataFrame(rows, columns=["hub", "residents", "median_straight_line_m"])
    total = out["residents"].sum()
    out.insert(2, "share", out["residents"] / total if total else 0.0)
    return out.sort_values(["residents", "hub"], ascending=[False, True]).reset_index(drop=True)
