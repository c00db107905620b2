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

import csv
import io
import json
import math
import random
from pathlib import Path

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from shapely.geometry import Point, Polygon, mapping

from dashboard.engine.allocation import round_to

SEED = 20261123
CENTRE = (415_000.0, 415_000.0)
N_BLOCKS = 1400
N_WARDS = 23
TARGET_TOTAL = 428_000
SA_TARGET = 1_700
NOTICE = "FICTIONAL DEMO DATA: Brackmoor is an invented borough; no figure describes a real place."

# name, offset from centre (km), population pull, spread (km), need pull
TOWNS = [
    ("Brackmoor", (0.0, 0.0), 5.0, 2.6, 26.0),
    ("Ashcombe", (-7.5, 3.0), 2.2, 1.6, 14.0),
    ("Thornley", (6.0, -3.5), 2.6, 1.7, 22.0),
    ("Kelbridge", (8.0, 4.0), 1.6, 1.3, 8.0),
    ("Stanwick", (-5.0, -5.0), 1.4, 1.3, 6.0),
    ("Holme Edge", (-10.5, -1.0), 0.5, 0.8, 0.0),
    ("Fellside", (2.0, 6.5), 0.5, 0.9, 0.0),
    ("Upper Wrenfold", (11.5, -1.0), 0.4, 0.7, 0.0),
]
ESTATES = [  # name, offset (km), need pull, spread (km)
    ("Ridgeway", (2.2, -1.6), 30.0, 0.7),
    ("Moss Lane", (6.9, -2.6), 28.0, 0.6),
]
PLACES = [  # anchor offset (km), name
    ((0.0, 2.0), "Brackmoor North"),
    ((0.5, -1.5), "Brackmoor Central"),
    ((1.5, 6.0), "Brackmoor Rural"),
    ((-8.0, 2.0), "Ashcombe Valley"),
    ((6.5, -3.5), "Thornley"),
    ((9.5, 3.5), "Kelbridge and Wrenfold"),
    ((-5.0, -5.5), "Stanwick and Holme"),
]
DISTRICTS = [
    ((0.0, 6.0), "North District"),
    ((0.0, -6.0), "South District"),
    ((9.0, 0.0), "East District"),
    ((-8.0, 0.0), "West District"),
    ((0.5, 0.0), "Central District"),
]
HUBS = [  # code, name, type, offset (km), staff, place served (two sit just over its border)
    ("H01", "Brackmoor Civic Centre", "main", (0.2, 0.1), 38, "PP02"),
    ("H02", "Thornley Town Hall", "main", (6.1, -3.3), 24, "PP05"),
    ("H03", "Ashcombe Town Hall", "main", (-7.4, 3.1), 21, "PP04"),
    ("H04", "Kelbridge Town Hall", "main", (8.1, 4.1), 17, "PP06"),
    ("H05", "Ridgeway Estate Shopfront", "community", (2.3, -1.7), 9, "PP02"),
    ("H06", "Moss Lane Community Centre", "community", (6.8, -2.7), 7, "PP05"),
    ("H07", "Stanwick Library Hub", "community", (-5.1, -4.9), 5, "PP07"),
    ("H08", "Fellside Village Hall", "community", (2.1, 6.4), 3, "PP03"),
    ("H09", "Brackmoor Family Hub", "community", (-0.9, 1.2), 6, "PP01"),
]
SURGERY_WORDS = [
    "Albion", "Beech", "Bridge", "Castle", "Chapel", "Church", "Clough", "Dale", "Elm", "Fold",
    "Garden", "Green", "Hall", "Heath", "High Street", "Hill", "Holly", "Kings", "Lark", "Laurel",
    "Lime", "Lodge", "Manor", "Market", "Meadow", "Mill", "Moor", "New Road", "Oak", "Orchard",
    "Park", "Priory", "Queens", "Ridge", "River", "Rose", "Station", "Spring", "Tower", "Vale",
    "Victoria", "Well", "West End", "Willow", "Wood", "Yew",
]
SURGERY_KINDS = ["Surgery", "Medical Centre", "Health Centre", "Medical Practice"]
RURAL_WARDS = ["Holme and Moorside", "Fellside and Crag", "Wrenfold Moor", "Stanwick Fields",
               "Lowfold", "Greystone", "Birkcliffe"]


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


def _km(offset: tuple[float, float]) -> tuple[float, float]:
    return CENTRE[0] + offset[0] * 1000, CENTRE[1] + offset[1] * 1000


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


def _density(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = np.full_like(x, 0.06)
    for _, off, pull, spread, _ in TOWNS:
        cx, cy = _km(off)
        d += pull * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (spread * 1000) ** 2))
    return d


def _need(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    n = np.full_like(x, 9.0)
    for _, off, _, spread, pull in TOWNS:
        cx, cy = _km(off)
        n += pull * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (spread * 700) ** 2))
    for _, off, pull, spread in ESTATES:
        cx, cy = _km(off)
        n += pull * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (spread * 1000) ** 2))
    return n


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


def _largest(geom) -> Polygon:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return max(parts, key=lambda p: p.area)


def _adjacency(polys: list[Polygon]) -> list[set[int]]:
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    adj: list[set[int]] = [set() for _ in polys]
    for a, b in zip(left.tolist(), right.tolist()):
        if a != b and polys[a].intersection(polys[b]).length > 0:
            adj[a].add(b)
    return adj


def _balanced_regions(xy: np.ndarray, weight: np.ndarray, seeds: np.ndarray, adj: list[set[int]],
                      iterations: int = 40) -> np.ndarray:
    """Assign points to seeds by weighted distance, nudging weights towards equal totals."""
    k = len(seeds)
    bias = np.zeros(k)
    target = weight.sum() / k
    for _ in range(iterations):
        d = np.hypot(xy[:, None, 0] - seeds[None, :, 0], xy[:, None, 1] - seeds[None, :, 1])
        label = np.argmin(d - bias[None, :], axis=1)
        totals = np.bincount(label, weights=weight, minlength=k)
        bias += 400.0 * (target - totals) / target
        for j in range(k):  # move seeds to their region's weighted centre
            m = label == j
            if m.any():
                seeds[j] = np.average(xy[m], axis=0, weights=weight[m])
    return _make_contiguous(label, adj, weight)


def _make_contiguous(label: np.ndarray, adj: list[set[int]], weight: np.ndarray) -> np.ndarray:
    """Give every detached fragment of a region to the neighbouring region it touches most."""
    label = label.copy()
    for _ in range(10):
        changed = False
        for region in sorted(set(label.tolist())):
            members = set(np.flatnonzero(label == region).tolist())
            parts = _components(members, adj)
            if len(parts) <= 1:
                continue
            parts.sort(key=lambda p: -sum(weight[i] for i in p))
            for part in parts[1:]:
                for i in sorted(part):
                    others = [label[j] for j in adj[i] if label[j] != region]
                    if others:
                        label[i] = max(sorted(set(others)), key=others.count)
                        changed = True
        if not changed:
            break
    return label


def _components(members: set[int], adj: list[set[int]]) -> list[set[int]]:
    """The connected parts of ``members`` (scipy's components), in order of their lowest unit."""
    nodes = sorted(members)
    where = {m: k for k, m in enumerate(nodes)}
    rows = [where[i] for i in nodes for j in adj[i] if j in where]
    cols = [where[j] for i in nodes for j in adj[i] if j in where]
    graph = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes),) * 2)
    _, labels = csgraph.connected_components(graph, directed=False)
    parts: dict[int, set[int]] = {}
    for node, label in zip(nodes, labels):
        parts.setdefault(label, set()).add(node)
    return sorted(parts.values(), key=min)


def _grow_groups(anchors: list[int], adj: list[set[int]], pop: np.ndarray) -> np.ndarray:
    """Grow contiguous groups from anchor units, always extending the smallest group."""
    label = np.full(len(adj), -1)
    for g, a in enumerate(anchors):
        label[a] = g
    while (label < 0).any():
        totals = np.bincount(label[label >= 0], weights=pop[label >= 0], minlength=len(anchors))
        for g in np.argsort(totals, kind="stable"):
            frontier = sorted({j for i in np.flatnonzero(label == g) for j in adj[i] if label[j] < 0})
            if frontier:
                label[frontier[0]] = g
                break
        else:  # units unreachable from any anchor (should not happen) join group 0
            label[label < 0] = 0
    return label


def _nearest(points: np.ndarray, targets: list[tuple[float, float]]) -> list[int]:
    """Index of the point nearest each target, never reusing a point."""
    used: list[int] = []
    for t in targets:
        d = np.hypot(points[:, 0] - t[0], points[:, 1] - t[1])
        d[used] = np.inf
        used.append(int(np.argmin(d)))
    return used


def _direction(dx: float, dy: float) -> str:
    if math.hypot(dx, dy) < 1200:
        return "Central"
    ang = math.degrees(math.atan2(dy, dx)) % 360
    return ["East", "North East", "North", "North West", "West", "South West", "South",
            "South East"][int(((ang + 22.5) % 360) // 45)]


def _ward_names(centres: np.ndarray) -> list[str]:
    names, used, rural = [], set(), iter(RURAL_WARDS)
    for x, y in centres:
        dists = [math.hypot(x - _km(off)[0], y - _km(off)[1]) for _, off, *_ in TOWNS]
        t = int(np.argmin(dists))
        town, off = TOWNS[t][0], TOWNS[t][1]
        if dists[t] > 4500 or t >= 5:
            name = next(rural)
        else:
            name = f"{town} {_direction(x - _km(off)[0], y - _km(off)[1])}"
            i = 2
            while name in used:
                name = f"{town} {_direction(x - _km(off)[0], y - _km(off)[1])} {'I' * i}"
                i += 1
        used.add(name)
        names.append(name)
    return names


def _round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """``values`` scaled to sum to ``total`` in whole numbers (the engine's largest remainder)."""
    return round_to(values / values.sum() * total, 1).astype(int)


def generate(seed: int = SEED) -> dict[str, object]:
    """Build the demo borough in memory: a dict of tables and geometries (see :func:`write_demo`)."""
    rng = _Rng(seed)
    outline = _outline(rng)
    blocks = _blocks(rng, outline)
    cent = np.array([[p.centroid.x, p.centroid.y] for p in blocks])
    adj = _adjacency(blocks)
    block_pop = np.array([rng.uniform(0.75, 1.25) for _ in blocks])

    # Wards: balanced, contiguous regions of blocks.
    seed_idx = sorted({rng.index(len(blocks)) for _ in range(N_WARDS * 3)})[:N_WARDS]
    ward_of = _balanced_regions(cent, block_pop, cent[seed_idx].copy(), adj)
    ward_ids = sorted(set(ward_of.tolist()), key=lambda w: (
        -np.average(cent[ward_of == w, 1]), np.average(cent[ward_of == w, 0])))
    ward_of = np.array([ward_ids.index(w) for w in ward_of])
    n_wards = len(ward_ids)

    # Small areas: balanced regions of blocks inside each ward.
    sa_of = np.full(len(blocks), -1)
    next_sa = 0
    for w in range(n_wards):
        members = np.flatnonzero(ward_of == w)
        k = max(1, round(block_pop[members].sum() / block_pop.sum() * TARGET_TOTAL / SA_TARGET))
        sub_adj = [{members.tolist().index(j) for j in adj[i] if ward_of[j] == w} for i in members]
        pick = [members.tolist().index(i) for i in members[:: max(1, len(members) // k)][:k]]
        lab = _balanced_regions(cent[members], block_pop[members], cent[members][pick].copy(),
                                sub_adj, iterations=30)
        for old in sorted(set(lab.tolist())):
            sa_of[members[lab == old]] = next_sa
            next_sa += 1
    # A few small areas reach over a ward line, as real LSOAs do where wards were redrawn.
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
    n_sa = len(sa_ids)

    sa_geom = [shapely.normalize(shapely.set_precision(
        shapely.union_all([blocks[i] for i in np.flatnonzero(sa_of == s)]), 1.0))
        for s in range(n_sa)]
    ward_geom = [shapely.normalize(shapely.set_precision(
        shapely.union_all([blocks[i] for i in np.flatnonzero(ward_of == w)]), 1.0))
        for w in range(n_wards)]
    sa_xy = np.array([[g.centroid.x, g.centroid.y] for g in sa_geom])
    ward_xy = np.array([[g.centroid.x, g.centroid.y] for g in ward_geom])

    # People and need.
    raw_pop = np.array([block_pop[sa_of == s].sum() for s in range(n_sa)])
    raw_pop *= np.array([rng.uniform(0.85, 1.15) for _ in range(n_sa)])
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
    age_16_64 = population - age_0_15 - age_65

    ward_codes = [f"E05950{i + 1:03d}" for i in range(n_wards)]
    ward_names = _ward_names(ward_xy)
    sa_codes = [f"E01950{i + 1:03d}" for i in range(n_sa)]
    sa_ward = np.array([_ward_of_sa(sa_of, ward_of, s) for s in range(n_sa)])
    letters = {}
    sa_names = []
    for s in range(n_sa):
        w = int(sa_ward[s])
        letters[w] = letters.get(w, 0) + 1
        sa_names.append(f"Brackmoor {w + 1:03d}{chr(64 + letters[w]) if letters[w] <= 26 else letters[w]}")

    # Groupings of wards.
    ward_adj = _adjacency(ward_geom)
    ward_pop = np.bincount(sa_ward, weights=population, minlength=n_wards)
    place_of = _grow_groups(_nearest(ward_xy, [_km(a) for a, _ in PLACES]), ward_adj, ward_pop)
    district_of = _grow_groups(_nearest(ward_xy, [_km(a) for a, _ in DISTRICTS]), ward_adj, ward_pop)

    # GP practices: placed where people live, grouped into 9 PCNs.
    n_prac = 61
    weights = population / population.sum()
    cum = np.cumsum(weights)
    prac_xy = []
    for _ in range(n_prac):
        s = int(np.searchsorted(cum, rng.uniform()))
        s = min(s, n_sa - 1)
        pt = shapely.point_on_surface(sa_geom[s])
        prac_xy.append((round(pt.x + rng.normal(0, 150)), round(pt.y + rng.normal(0, 150))))
    prac_xy = np.array(prac_xy, dtype=float)
    prac_adj = [set() for _ in range(n_prac)]
    pcn_seeds = prac_xy[[int(i) for i in np.linspace(0, n_prac - 1, 9)]].copy()
    pcn_of = _balanced_regions(prac_xy, np.ones(n_prac), pcn_seeds, prac_adj, iterations=30)
    pcn_ids = sorted(set(pcn_of.tolist()), key=lambda p: (-prac_xy[pcn_of == p, 1].mean()))
    pcn_of = np.array([pcn_ids.index(p) for p in pcn_of])
    attract = np.array([rng.uniform(0.6, 1.6) for _ in range(n_prac)])

    # Residents outside the border who register with Brackmoor practices.
    ring = outline.exterior
    outside_xy = []
    for i in range(24):
        p = ring.interpolate(i / 24, normalized=True)
        dx, dy = p.x - CENTRE[0], p.y - CENTRE[1]
        norm = math.hypot(dx, dy)
        outside_xy.append((p.x + dx / norm * 900, p.y + dy / norm * 900))
    outside_pop = [round(rng.uniform(1200, 2200)) for _ in outside_xy]

    reg_rows = []
    for codes, xy, pops, reach in (
        (sa_codes, sa_xy, population, 1.0),
        ([f"E01960{i + 1:03d}" for i in range(len(outside_xy))], np.array(outside_xy),
         outside_pop, 0.25),
    ):
        for code, (x, y), pop in zip(codes, xy, pops):
            d = np.hypot(prac_xy[:, 0] - x, prac_xy[:, 1] - y)
            w = attract * np.exp(-d / 1300.0)
            share = w / w.sum()
            keep = share >= 0.03
            share = np.where(keep, share, 0.0)
            share /= share.sum()
            # Registered lists run a little above residents (list inflation).
            patients = _round_to_total(share + 1e-12 * keep, int(round(pop * 1.03 * reach)))
            for p in np.flatnonzero(patients > 0):
                reg_rows.append((int(p), code, int(patients[p])))
    list_size = np.zeros(n_prac, dtype=int)
    for p, _, n in reg_rows:
        list_size[p] += n

    prac_order = sorted(range(n_prac), key=lambda p: (pcn_of[p], -prac_xy[p, 1], prac_xy[p, 0]))
    prac_codes = {p: f"Z{10001 + k:05d}" for k, p in enumerate(prac_order)}
    used_names: set[str] = set()
    prac_names = {}
    for p in prac_order:
        while True:
            name = f"{SURGERY_WORDS[rng.index(len(SURGERY_WORDS))]} " \
                   f"{SURGERY_KINDS[rng.index(len(SURGERY_KINDS))]}"
            if name not in used_names:
                break
        used_names.add(name)
        prac_names[p] = name
    pcn_names = _pcn_names(prac_xy, pcn_of, list_size)

    data = {
        "outline": outline,
        "small_areas": {"code": sa_codes, "name": sa_names, "population": population,
                        "age_0_15": age_0_15, "age_16_64": age_16_64, "age_65_plus": age_65,
                        "imd_score": imd, "idaci_score": idaci, "idaopi_score": idaopi,
                        "geometry": sa_geom},
        "wards": {"code": ward_codes, "name": ward_names, "geometry": ward_geom},
        "places": [(ward_codes[w], f"PP{place_of[w] + 1:02d}", PLACES[place_of[w]][1])
                   for w in range(n_wards)],
        "districts": [(ward_codes[w], f"D{district_of[w] + 1:02d}", DISTRICTS[district_of[w]][1])
                      for w in range(n_wards)],
        "practices": [(prac_codes[p], prac_names[p], f"U9{pcn_of[p] + 1:04d}", pcn_names[pcn_of[p]],
                       int(list_size[p]), int(prac_xy[p, 0]), int(prac_xy[p, 1]))
                      for p in prac_order],
        "registrations": sorted((prac_codes[p], code, n) for p, code, n in reg_rows),
        "hubs": [(code, name, kind, *(int(v) for v in _km(off)), staff, serves)
                 for code, name, kind, off, staff, serves in HUBS],
    }
    data["allocations"] = _current_allocations(data["places"], data["practices"], seed)
    return data


# Resources of the demo pack: name, label, unit, layer, total, manifest settings (TOML).
RESOURCES = [
    ("early_help", "Early help", "FTE", "places", 84.0,
     'need = "idaci_score"\nneed_weight = 0.8\ncore_share = 0.3\nminimum = 4\nrounding = 0.1'),
    ("social_prescribing", "Social prescribing link workers", "FTE", "pcns", 27.0,
     'need = "imd_score"\nneed_weight = 0.5\ncore_share = 0.4\nminimum = 2\nrounding = 1'),
    ("community_mental_health", "Community mental health", "FTE", "places", 61.5,
     'need = "imd_score"\nneed_weight = 0.7\ncore_share = 0.25\nrounding = 0.1'),
    ("domestic_abuse", "Domestic abuse support", "FTE", "places", 18.2,
     'need = "imd_score"\nneed_weight = 0.6\ncore_method = "minimum"\ncore_amount = 1\n'
     'rounding = 0.1'),
    ("older_people", "Older people's community support", "FTE", "places", 42.0,
     'need = "age_65_plus"\nneed_weight = 1\ncore_share = 0.2\nrounding = 0.1'),
    ("place_budget", "Place budget", "£", "places", 2_400_000.0,
     'need = "imd_score"\nneed_weight = 0.5\ncore_share = 0.5\nrounding = 1'),
]


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


def _resources_toml() -> str:
    return "".join(f'\n[[resources]]\nname = "{name}"\nlabel = "{label}"\nunit = "{unit}"\n'
                   f"{settings}\n" for name, label, unit, _, _, settings in RESOURCES)


def _ward_of_sa(sa_of: np.ndarray, ward_of: np.ndarray, s: int) -> int:
    return int(np.bincount(ward_of[sa_of == s]).argmax())


def _pcn_names(prac_xy: np.ndarray, pcn_of: np.ndarray, list_size: np.ndarray) -> list[str]:
    names, used = [], set()
    for p in range(int(pcn_of.max()) + 1):
        m = pcn_of == p
        x, y = np.average(prac_xy[m], axis=0, weights=np.maximum(list_size[m], 1))
        towns = TOWNS[:5]  # PCNs take the names of the towns their practices serve
        dists = [math.hypot(x - _km(off)[0], y - _km(off)[1]) for _, off, *_ in towns]
        town = towns[int(np.argmin(dists))]
        name = f"{town[0]} {_direction(x - _km(town[1])[0], y - _km(town[1])[1])} PCN"
        if name in used:
            name = f"{town[0]} Health Partnership PCN"
        k = 2
        while name in used:
            name = f"{town[0]} Care Network {k} PCN"
            k += 1
        used.add(name)
        names.append(name)
    return names


# ---------------------------------------------------------------- deterministic writers


def _geojson(name: str, props: dict[str, list], geoms: list) -> str:
    features = []
    keys = [k for k in props if k != "geometry"]
    for i, g in enumerate(geoms):
        geo = mapping(g)
        geo = json.loads(json.dumps(geo, default=list))
        features.append({
            "type": "Feature",
            "properties": {k: _plain(props[k][i]) for k in keys},
            "geometry": {"type": geo["type"], "coordinates": _ints(geo["coordinates"])},
        })
    doc = {"type": "FeatureCollection", "name": name,
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
           "features": features}
    lines = [json.dumps({k: v for k, v in doc.items() if k != "features"})[:-1] + ', "features": [']
    lines += [json.dumps(f, separators=(",", ":")) + ("," if i < len(features) - 1 else "")
              for i, f in enumerate(features)]
    lines.append("]}")
    return "\n".join(lines) + "\n"


def _ints(coords):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [int(round(c)) for c in coords]
    return [_ints(c) for c in coords]


def _plain(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _csv(header: list[str], rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


MANIFEST = '''# Data pack manifest for the demo borough. {notice}
[pack]
name = "Brackmoor (fictional demo borough)"
fictional = true
description = "An invented metropolitan borough generated by `python -m dashboard demo`. It is shaped like real boroughs (small areas, wards, place partnerships, districts, PCNs from GP registrations, hubs) so the dashboard can be tried without real data. No figure describes a real place."

[[pack.sources]]
title = "Brackmoor demo data"
publisher = "Generated by this project's demo generator (dashboard/data/demo.py), seed {seed}"
vintage = "Fictional; no real date"
licence = "MIT (same as the project)"
attribution = "Fictional data generated by the place alignment dashboard."

[small_areas]
file = "small_areas.geojson"
label = "Small areas (LSOA-like)"
columns = {{ code = "code", name = "name", population = "population" }}

[small_areas.age_bands]
age_0_15 = "Aged 0-15"
age_16_64 = "Aged 16-64"
age_65_plus = "Aged 65+"

[small_areas.need]
imd_score = {{ label = "Deprivation score (IMD-like)" }}
idaci_score = {{ label = "Income deprivation affecting children (IDACI-like)" }}
idaopi_score = {{ label = "Income deprivation affecting older people (IDAOPI-like)" }}

[[layers]]
name = "wards"
type = "polygons"
label = "Electoral wards"
file = "wards.geojson"

[[layers]]
name = "places"
type = "grouping"
label = "Place partnerships"
of = "wards"
file = "places.csv"
columns = {{ member = "ward_code", code = "place_code", name = "place_name" }}

[[layers]]
name = "districts"
type = "grouping"
label = "Districts"
of = "wards"
file = "districts.csv"
columns = {{ member = "ward_code", code = "district_code", name = "district_name" }}

[[layers]]
name = "pcns"
type = "registration"
label = "Primary Care Networks"
practices = "practices.csv"
registrations = "registrations.csv"

[hubs]
file = "hubs.csv"

# Teams and budgets to share, and how they are shared today (totals come from today's split).
[allocations]
file = "current_allocations.csv"
'''


def render(data: dict[str, object], seed: int = SEED) -> dict[str, str]:
    """File name -> exact text of every file of the demo pack."""
    sa = data["small_areas"]
    return {
        "pack.toml": MANIFEST.format(notice=NOTICE, seed=seed) + _resources_toml(),
        "README.md": f"# Brackmoor demo pack\n\n{NOTICE}\n\nRegenerate with "
                     "`python -m dashboard demo --out geodata/demo`.\n",
        "small_areas.geojson": _geojson("brackmoor_small_areas", sa, sa["geometry"]),
        "wards.geojson": _geojson("brackmoor_wards", data["wards"], data["wards"]["geometry"]),
        "places.csv": _csv(["ward_code", "place_code", "place_name"], data["places"]),
        "districts.csv": _csv(["ward_code", "district_code", "district_name"], data["districts"]),
        "practices.csv": _csv(["practice_code", "practice_name", "pcn_code", "pcn_name",
                               "list_size", "easting", "northing"], data["practices"]),
        "registrations.csv": _csv(["practice_code", "small_area_code", "patients"],
                                  data["registrations"]),
        "hubs.csv": _csv(["hub_code", "name", "type", "easting", "northing", "staff", "serves"],
                         data["hubs"]),
        "current_allocations.csv": _csv(["resource", "layer", "area", "amount"],
                                        data["allocations"]),
    }


def write_demo(out: str | Path, seed: int = SEED) -> list[Path]:
    """Generate the demo pack into folder ``out`` (created if needed); return the files written."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(generate(seed), seed).items():
        path = folder / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written
