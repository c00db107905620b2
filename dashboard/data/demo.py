"""Generate the fictional demo borough, Brackmoor, deterministically.

Shape follows the real boroughs in the brief: about 250 small areas of 1,000-3,000 residents,
23 wards, 7 place partnerships, 5 districts, 9 PCNs from about 60 practices whose patients spill
across ward lines and a little beyond the border, 4 main hubs and several community hubs, with need
concentrated in town centres and two estates. Every place, code and figure is invented.

Determinism: randomness comes only from ``random.Random.random`` (its sequence for a given seed is
guaranteed across Python versions), coordinates are snapped to whole metres and geometries
normalised, and files are written by our own writers with fixed formatting, so regenerating
reproduces the committed pack byte for byte.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import NamedTuple

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from dashboard.data.demo_files import NOTICE, RESOURCES, render
from dashboard.data.demo_places import (
    CENTRE,
    DISTRICTS,
    HUBS,
    PLACES,
    SURGERY_KINDS,
    SURGERY_WORDS,
    _density,
    _km,
    _need,
    _pcn_names,
    _ward_names,
)
from dashboard.data.demo_regions import (
    _adjacency,
    _balanced_regions,
    _grow_groups,
    _largest,
    _make_contiguous,
    _nearest,
)
from dashboard.engine.allocation import round_to

__all__ = ["NOTICE", "SEED", "generate", "render", "write_demo"]

SEED = 20261123
N_BLOCKS = 1400
N_WARDS = 23
TARGET_TOTAL = 428_000
SA_TARGET = 1_700


class _Rng:
    """Stable random numbers built only on ``random.Random.random``."""

    def __init__(self, seed: int) -> None:
        # Reproducible fictional data, not secrets: a seeded generator is what is wanted.
        self._r = random.Random(seed)  # nosec B311

    def uniform(self, lo: float = 0.0, hi: float = 1.0) -> float:
        return lo + (hi - lo) * self._r.random()

    def normal(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        u1 = max(self._r.random(), 1e-12)
        return mu + sigma * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * self._r.random())

    def index(self, n: int) -> int:
        return min(int(self._r.random() * n), n - 1)


def _outline(rng: _Rng) -> Polygon:
    pts = []
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(4)]
    for i in range(72):
        t = 2 * math.pi * i / 72
        wobble = 1 + 0.07 * math.sin(3 * t + phases[0]) + 0.05 * math.sin(5 * t + phases[1]) \
            + 0.03 * math.sin(9 * t + phases[2])
        pts.append((CENTRE[0] + 13_500 * wobble * math.cos(t),
                    CENTRE[1] + 9_200 * wobble * math.sin(t)))
    return shapely.set_precision(Polygon(pts), 1.0)


def _blocks(rng: _Rng, outline: Polygon) -> list[Polygon]:
    """Voronoi blocks from seeds drawn with the population density, clipped to the outline."""
    minx, miny, maxx, maxy = outline.bounds
    peak = float(_density(np.array([CENTRE[0]]), np.array([CENTRE[1]]))[0])
    seeds: list[tuple[float, float]] = []
    shapely.prepare(outline)
    while len(seeds) < N_BLOCKS:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        # Square root flattens the density so rural blocks are not vast.
        accept = math.sqrt(float(_density(np.array([x]), np.array([y]))[0]) / peak)
        if rng.uniform() < accept and shapely.contains_xy(outline, x, y):
            seeds.append((round(x), round(y)))
    pts = shapely.multipoints(seeds)
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=outline.buffer(2000)))
    tree = shapely.STRtree(cells)
    # Order cells by the seed they contain so that GEOS's output order does not matter.
    order = [int(tree.query(Point(s), predicate="intersects")[0]) for s in seeds]
    clipped = shapely.intersection(cells[order], outline)
    snapped = shapely.set_precision(clipped, 1.0)
    return [_largest(g) for g in snapped]


def _round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """``values`` scaled to sum to ``total`` in whole numbers (the engine's largest remainder)."""
    return round_to(values / values.sum() * total, 1).astype(int)


class Land(NamedTuple):
    """The borough's building blocks, their wards and small areas."""

    outline: Polygon
    blocks: list
    cent: np.ndarray  # block centroids
    block_pop: np.ndarray  # relative people per block
    ward_of: np.ndarray  # block -> ward
    sa_of: np.ndarray  # block -> small area


class Areas(NamedTuple):
    sa_geom: list
    ward_geom: list
    sa_xy: np.ndarray
    ward_xy: np.ndarray
    sa_ward: np.ndarray  # small area -> the ward holding most of it


class Practices(NamedTuple):
    xy: np.ndarray
    pcn_of: np.ndarray
    attract: np.ndarray  # how strongly each practice draws patients


def generate(seed: int = SEED) -> dict[str, object]:
    """Build the demo borough in memory: a dict of tables and geometries (see :func:`write_demo`).

    The stages draw from one random stream in a fixed order (land, people, practices, the
    border's neighbours, practice names), so the same seed always gives the same borough.
    """
    rng = _Rng(seed)
    land = _land(rng)
    areas = _areas(land)
    blocks_in = np.array([land.block_pop[land.sa_of == s].sum() for s in range(len(areas.sa_geom))])
    people = _people(rng, areas.sa_xy, blocks_in)
    n_wards = len(areas.ward_geom)
    ward_codes = [f"E05950{i + 1:03d}" for i in range(n_wards)]
    sa_codes = [f"E01950{i + 1:03d}" for i in range(len(areas.sa_geom))]
    # Groupings of wards.
    ward_adj = _adjacency(areas.ward_geom)
    ward_pop = np.bincount(areas.sa_ward, weights=people["population"], minlength=n_wards)
    place_of = _grow_groups(_nearest(areas.ward_xy, [_km(a) for a, _ in PLACES]), ward_adj,
                            ward_pop)
    district_of = _grow_groups(_nearest(areas.ward_xy, [_km(a) for a, _ in DISTRICTS]),
                               ward_adj, ward_pop)
    practices = _practices(rng, people["population"], areas.sa_geom)
    reg_rows = _registrations(rng, land.outline, sa_codes, areas.sa_xy, people["population"],
                              practices)
    list_size = np.zeros(len(practices.xy), dtype=int)
    for p, _, n in reg_rows:
        list_size[p] += n
    prac_order, prac_codes, prac_names = _practice_names(rng, practices)
    pcn_names = _pcn_names(practices.xy, practices.pcn_of, list_size)
    pcn_of = practices.pcn_of
    data = {
        "outline": land.outline,
        "small_areas": {"code": sa_codes, "name": _sa_names(areas.sa_ward), **people,
                        "geometry": areas.sa_geom},
        "wards": {"code": ward_codes, "name": _ward_names(areas.ward_xy),
                  "geometry": areas.ward_geom},
        "places": [(ward_codes[w], f"PP{place_of[w] + 1:02d}", PLACES[place_of[w]][1])
                   for w in range(n_wards)],
        "districts": [(ward_codes[w], f"D{district_of[w] + 1:02d}", DISTRICTS[district_of[w]][1])
                      for w in range(n_wards)],
        "practices": [(prac_codes[p], prac_names[p], f"U9{pcn_of[p] + 1:04d}", pcn_names[pcn_of[p]],
                       int(list_size[p]), int(practices.xy[p, 0]), int(practices.xy[p, 1]))
                      for p in prac_order],
        "registrations": sorted((prac_codes[p], code, n) for p, code, n in reg_rows),
        "hubs": [(code, name, kind, *(int(v) for v in _km(off)), staff, serves)
                 for code, name, kind, off, staff, serves in HUBS],
    }
    data["allocations"] = _current_allocations(data["places"], data["practices"], seed)
    data["seed"] = seed
    return data


def _land(rng: _Rng) -> Land:
    """Blocks of land inside the outline, grouped into balanced, contiguous wards, and each ward
    into small areas; a few small areas reach over a ward line, as real LSOAs do."""
    outline = _outline(rng)
    blocks = _blocks(rng, outline)
    cent = np.array([[p.centroid.x, p.centroid.y] for p in blocks])
    adj = _adjacency(blocks)
    block_pop = np.array([rng.uniform(0.75, 1.25) for _ in blocks])
    seed_idx = sorted({rng.index(len(blocks)) for _ in range(N_WARDS * 3)})[:N_WARDS]
    ward_of = _balanced_regions(cent, block_pop, cent[seed_idx].copy(), adj)
    ward_ids = sorted(set(ward_of.tolist()), key=lambda w: (
        -np.average(cent[ward_of == w, 1]), np.average(cent[ward_of == w, 0])))
    ward_of = np.array([ward_ids.index(w) for w in ward_of])
    sa_of = _small_areas(cent, block_pop, adj, ward_of)
    crossings = 0
    for i in range(len(blocks)):
        if crossings >= 22 or rng.uniform() > 0.08:
            continue
        over = sorted(j for j in adj[i] if ward_of[j] != ward_of[i])
        if over and (sa_of == sa_of[i]).sum() > 3:
            sa_of[i] = sa_of[over[0]]
            crossings += 1
    sa_of = _make_contiguous(sa_of, adj, block_pop)
    sa_ids = sorted(set(sa_of.tolist()), key=lambda s: (
        ward_of[sa_of == s].min(), -np.average(cent[sa_of == s, 1]),
        np.average(cent[sa_of == s, 0])))
    sa_of = np.array([sa_ids.index(s) for s in sa_of])
    return Land(outline, blocks, cent, block_pop, ward_of, sa_of)


def _small_areas(cent, block_pop, adj, ward_of) -> np.ndarray:
    """Balanced regions of blocks inside each ward, numbered ward by ward."""
    sa_of = np.full(len(cent), -1)
    next_sa = 0
    for w in range(int(ward_of.max()) + 1):
        members = np.flatnonzero(ward_of == w)
        k = max(1, round(block_pop[members].sum() / block_pop.sum() * TARGET_TOTAL / SA_TARGET))
        sub_adj = [{members.tolist().index(j) for j in adj[i] if ward_of[j] == w} for i in members]
        pick = [members.tolist().index(i) for i in members[:: max(1, len(members) // k)][:k]]
        lab = _balanced_regions(cent[members], block_pop[members], cent[members][pick].copy(),
                                sub_adj, iterations=30)
        for old in sorted(set(lab.tolist())):
            sa_of[members[lab == old]] = next_sa
            next_sa += 1
    return sa_of


def _areas(land: Land) -> Areas:
    """Small-area and ward shapes from their blocks, snapped to whole metres."""
    def shape(of: np.ndarray, k: int):
        return shapely.normalize(shapely.set_precision(
            shapely.union_all([land.blocks[i] for i in np.flatnonzero(of == k)]), 1.0))

    n_sa, n_wards = int(land.sa_of.max()) + 1, int(land.ward_of.max()) + 1
    sa_geom = [shape(land.sa_of, s) for s in range(n_sa)]
    ward_geom = [shape(land.ward_of, w) for w in range(n_wards)]
    return Areas(sa_geom, ward_geom,
                 np.array([[g.centroid.x, g.centroid.y] for g in sa_geom]),
                 np.array([[g.centroid.x, g.centroid.y] for g in ward_geom]),
                 np.array([_ward_of_sa(land.sa_of, land.ward_of, s) for s in range(n_sa)]))


def _people(rng: _Rng, sa_xy: np.ndarray, blocks_in: np.ndarray) -> dict[str, np.ndarray]:
    """Residents, age bands and need per small area (``blocks_in``: the people its blocks
    hold), need highest in town centres and estates."""
    n_sa = len(sa_xy)
    raw_pop = blocks_in * np.array([rng.uniform(0.85, 1.15) for _ in range(n_sa)])
    # Real LSOAs were drawn to hold similar numbers (1,000-3,000): compress the spread.
    raw_pop = (raw_pop / raw_pop.mean()) ** 0.4
    population = _round_to_total(raw_pop, TARGET_TOTAL)
    imd = _need(sa_xy[:, 0], sa_xy[:, 1]) * np.array([rng.uniform(0.8, 1.2) for _ in range(n_sa)])
    imd = np.round(np.clip(imd, 2.5, 78.0), 3)
    idaci = np.round(np.clip(0.02 + 0.0072 * imd + [rng.normal(0, 0.025) for _ in imd], 0.01, 0.62), 3)
    idaopi = np.round(np.clip(0.03 + 0.0060 * imd + [rng.normal(0, 0.025) for _ in imd], 0.01, 0.60), 3)
    rel = imd / imd.max()
    child_share = np.clip(0.15 + 0.10 * rel + [rng.normal(0, 0.012) for _ in imd], 0.1, 0.32)
    old_share = np.clip(0.25 - 0.12 * rel + [rng.normal(0, 0.015) for _ in imd], 0.07, 0.35)
    age_0_15 = np.round(population * child_share).astype(int)
    age_65 = np.round(population * old_share).astype(int)
    return {"population": population, "age_0_15": age_0_15,
            "age_16_64": population - age_0_15 - age_65, "age_65_plus": age_65,
            "imd_score": imd, "idaci_score": idaci, "idaopi_score": idaopi}


def _current_allocations(places: list, practices: list, seed: int) -> list[tuple]:
    """Today's split, as history left it: place teams shared mostly equally and by ward count,
    link workers by list size, each with some drift, and none of it by need."""
    rng = _Rng(seed + 1)  # its own stream, so the geography above never changes
    wards_in = {}
    for _, code, _ in places:
        wards_in[code] = wards_in.get(code, 0) + 1
    lists = {}
    for row in practices:
        lists[row[2]] = lists.get(row[2], 0) + row[4]
    rows = []
    for name, _, unit, layer, total, _ in RESOURCES:
        sizes = wards_in if layer == "places" else lists
        codes = sorted(sizes)
        base = np.array([sizes[c] for c in codes], dtype=float)
        weight = 0.6 / len(codes) + 0.4 * base / base.sum()
        weight *= np.array([rng.uniform(0.8, 1.2) for _ in codes])
        step = 1000.0 if unit == "£" else (1.0 if name == "social_prescribing" else 0.1)
        amounts = round_to(total * weight / weight.sum(), step)
        rows += [(name, layer, c, f"{a:.0f}" if step >= 1 else f"{a:.1f}")
                 for c, a in zip(codes, amounts)]
    return rows


def _ward_of_sa(sa_of: np.ndarray, ward_of: np.ndarray, s: int) -> int:
    return int(np.bincount(ward_of[sa_of == s]).argmax())


# ---------------------------------------------------------------- deterministic writers


def write_demo(out: str | Path, seed: int = SEED) -> list[Path]:
    """Generate the demo pack into folder ``out`` (created if needed); return the files written."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(generate(seed)).items():
        path = folder / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def _practices(rng: _Rng, population: np.ndarray, sa_geom: list) -> Practices:
    """About 60 GP practices placed where people live, grouped into 9 PCNs."""
    n_prac = 61
    cum = np.cumsum(population / population.sum())
    xy = []
    for _ in range(n_prac):
        s = min(int(np.searchsorted(cum, rng.uniform())), len(sa_geom) - 1)
        pt = shapely.point_on_surface(sa_geom[s])
        xy.append((round(pt.x + rng.normal(0, 150)), round(pt.y + rng.normal(0, 150))))
    xy = np.array(xy, dtype=float)
    seeds = xy[[int(i) for i in np.linspace(0, n_prac - 1, 9)]].copy()
    pcn_of = _balanced_regions(xy, np.ones(n_prac), seeds, [set() for _ in range(n_prac)],
                               iterations=30)
    pcn_ids = sorted(set(pcn_of.tolist()), key=lambda p: (-xy[pcn_of == p, 1].mean()))
    pcn_of = np.array([pcn_ids.index(p) for p in pcn_of])
    return Practices(xy, pcn_of, np.array([rng.uniform(0.6, 1.6) for _ in range(n_prac)]))


def _registrations(rng: _Rng, outline, sa_codes: list, sa_xy: np.ndarray,
                   population: np.ndarray, practices: Practices) -> list[tuple]:
    """(practice, small area, patients): residents register with practices near them, and some
    just over the border (24 neighbouring areas) register with Brackmoor practices too."""
    ring = outline.exterior
    outside_xy = []
    for i in range(24):
        p = ring.interpolate(i / 24, normalized=True)
        dx, dy = p.x - CENTRE[0], p.y - CENTRE[1]
        norm = math.hypot(dx, dy)
        outside_xy.append((p.x + dx / norm * 900, p.y + dy / norm * 900))
    outside_pop = [round(rng.uniform(1200, 2200)) for _ in outside_xy]
    rows = []
    for codes, xy, pops, reach in (
        (sa_codes, sa_xy, population, 1.0),
        ([f"E01960{i + 1:03d}" for i in range(len(outside_xy))], np.array(outside_xy),
         outside_pop, 0.25),
    ):
        for code, (x, y), pop in zip(codes, xy, pops):
            d = np.hypot(practices.xy[:, 0] - x, practices.xy[:, 1] - y)
            w = practices.attract * np.exp(-d / 1300.0)
            share = w / w.sum()
            keep = share >= 0.03
            share = np.where(keep, share, 0.0)
            share /= share.sum()
            # Registered lists run a little above residents (list inflation).
            patients = _round_to_total(share + 1e-12 * keep, int(round(pop * 1.03 * reach)))
            rows += [(int(p), code, int(patients[p])) for p in np.flatnonzero(patients > 0)]
    return rows


def _practice_names(rng: _Rng, practices: Practices) -> tuple[list, dict, dict]:
    """Practices in PCN order (north first), their codes, and invented surgery names."""
    xy, pcn_of = practices.xy, practices.pcn_of
    order = sorted(range(len(xy)), key=lambda p: (pcn_of[p], -xy[p, 1], xy[p, 0]))
    codes = {p: f"Z{10001 + k:05d}" for k, p in enumerate(order)}
    used: set[str] = set()
    names = {}
    for p in order:
        while True:
            name = f"{SURGERY_WORDS[rng.index(len(SURGERY_WORDS))]} " \
                   f"{SURGERY_KINDS[rng.index(len(SURGERY_KINDS))]}"
            if name not in used:
                break
        used.add(name)
        names[p] = name
    return order, codes, names


def _sa_names(sa_ward: np.ndarray) -> list[str]:
    """Small areas named like LSOAs: the borough, their ward's number and a letter."""
    letters: dict[int, int] = {}
    names = []
    for w in sa_ward.astype(int):
        letters[w] = letters.get(w, 0) + 1
        n = letters[w]
        names.append(f"Brackmoor {w + 1:03d}{chr(64 + n) if n <= 26 else n}")
    return names

