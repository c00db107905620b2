"""Measures of small areas and profiles of footprints, all aggregated from small-area data.

Notes
-----
*Need decile* ranks the borough's small areas by a need score: decile 1 holds the 10% with the
highest scores (as in the English Indices of Deprivation, where decile 1 is most deprived). It is
relative to this borough, not national.

*Mismatch* of a small area between layers A and B is the share of its residents who are not in
the B-unit that best fits their A-unit: for places and PCNs, the share of the small area's
residents registered with a PCN other than their place's main PCN. 0 where the maps agree.

A footprint's need *index* is its population-weighted mean score over the borough's (1 = borough
average).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.engine.geography import Geography, row_max
from dashboard.engine.overlaps import atom_weights, overlap

DECILES = np.arange(1, 11)


def need_deciles(geo: Geography, indicator: str) -> np.ndarray:
    """Borough decile (1 = highest need) of every small area's score on ``indicator``."""
    score = np.asarray(geo.need_values(indicator), dtype=float)
    n = len(score)
    if n == 0:
        return np.zeros(0, dtype=int)
    # Highest score first; ties keep small-area order so the result is deterministic.
    rank = np.empty(n, dtype=int)
    rank[np.argsort(-score, kind="stable")] = np.arange(n)
    return (rank * 10 // n + 1).astype(int)


def small_area_mismatch(geo: Geography, layer_a: str, layer_b: str) -> np.ndarray:
    """Share of each small area's residents outside the B-unit that best fits their A-unit."""
    best_b = row_max(overlap(geo, layer_a, layer_b).population)[0]
    n_b = len(geo.layer(layer_b))
    expected = atom_weights(geo, layer_a) @ sparse.csr_matrix(
        (np.ones(len(best_b)), (np.arange(len(best_b)), best_b)), shape=(len(best_b), n_b))
    agree = np.asarray(sparse.csr_matrix(expected).multiply(atom_weights(geo, layer_b))
                       .sum(axis=1)).ravel()
    atoms = geo.atoms
    n_sa = len(geo.small_areas)
    held = np.bincount(atoms.small_area, weights=atoms.share * agree, minlength=n_sa)
    total = np.bincount(atoms.small_area, weights=atoms.share, minlength=n_sa)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.where(total > 0, 1 - held / total, 0.0), 0.0, 1.0)


def small_area_measures(geo: Geography, need: str | None = None) -> pd.DataFrame:
    """Code, name, population, area, density and (when given) need score and decile per small area."""
    sa = geo.small_areas
    area_km2 = np.bincount(geo.atoms.small_area, weights=geo.atoms.area_m2,
                           minlength=len(sa)) / 1e6
    frame = pd.DataFrame({"code": pd.Series(sa.codes, dtype=str), "name": list(sa.names)})
    frame["population"] = np.asarray(geo.population, dtype=float)
    frame["area_km2"] = area_km2
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["density_per_km2"] = np.where(area_km2 > 0, frame["population"] / area_km2, 0.0)
    if need is not None:
        frame["need_score"] = np.asarray(geo.need_values(need), dtype=float)
        frame["need_decile"] = need_deciles(geo, need)
    for layer, share in geo.metadata.get("registered_outside", {}).items():
        frame[f"share_registered_outside_{layer}"] = np.asarray(share, dtype=float)
    return frame[measure_columns(geo, need)]


def measure_columns(geo: Geography, need: str | None = None) -> list[str]:
    """The columns of :func:`small_area_measures`, known without computing them."""
    return ["code", "name", "population", "area_km2", "density_per_km2",
            *(["need_score", "need_decile"] if need is not None else []),
            *(f"share_registered_outside_{layer}"
              for layer in geo.metadata.get("registered_outside", {}))]


@dataclass(frozen=True)
class Profile:
    """What a footprint holds and how it sits across every other layer.

    ``overlaps`` maps each other layer's name to a table of the units sharing residents with this
    one: ``population`` in common, ``share_of_footprint`` (of this unit's residents) and
    ``share_of_unit`` (of that unit's residents), largest first.
    """

    layer: str
    code: str
    name: str
    population: float
    area_km2: float
    borough_population: float
    age_bands: pd.DataFrame
    need: pd.DataFrame
    deciles: pd.DataFrame
    decile_indicator: str | None
    overlaps: dict[str, pd.DataFrame]
    method: str


def _shares(values: np.ndarray, total: float) -> np.ndarray:
    return values / total if total > 0 else np.zeros_like(values)


def profile(geo: Geography, layer: str, code: str, need: str | None = None,
            method: str = "proportional") -> Profile:
    """Profile of unit ``code`` of ``layer``: headline figures, age, need and overlaps.

    Parameters
    ----------
    geo
        A loaded pack.
    layer, code
        The footprint, e.g. ``"places"`` and ``"PP01"``.
    need
        Indicator for the decile distribution (default: the pack's first).
    method
        Overlap method for the tables of other layers.

    Returns
    -------
    Profile
    """
    lay = geo.layer(layer)
    k = lay.index_of(code)
    # Each small area's residents in this unit (proportional; exact for polygon layers).
    by_small_area = overlap(geo, "small_areas", layer)
    in_unit = np.asarray(by_small_area.population[:, k].todense()).ravel()
    sa_pop = np.asarray(geo.population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(sa_pop > 0, in_unit / sa_pop, 0.0)
    pop = float(in_unit.sum())
    borough = geo.total_population
    area_km2 = float(by_small_area.area_m2[:, k].sum()) / 1e6
    decile_indicator = need if need is not None else next(iter(geo.need), None)
    overlaps = {other: _overlap_table(geo, other, overlap(geo, layer, other, method).population,
                                      k, pop)
                for other in geo.layers if other != layer}
    return Profile(layer, code, lay.names[k], pop, area_km2, borough,
                   _age_table(geo, weight, pop), _need_table(geo, in_unit, pop),
                   _decile_table(geo, decile_indicator, in_unit, pop), decile_indicator,
                   overlaps, method)


def _age_table(geo: Geography, weight: np.ndarray, pop: float) -> pd.DataFrame:
    """People per age band here (``weight``: each small area's share living here)."""
    borough = geo.total_population
    labels = geo.metadata.get("age_band_labels", {})
    rows = []
    for band, values in geo.age_bands.items():
        here = float((np.asarray(values) * weight).sum())
        rows.append({"band": band, "label": labels.get(band, band), "people": here,
                     "share": here / pop if pop else 0.0,
                     "borough_share": float(np.sum(values)) / borough if borough else 0.0})
    return pd.DataFrame(rows, columns=["band", "label", "people", "share", "borough_share"])


def _need_table(geo: Geography, in_unit: np.ndarray, pop: float) -> pd.DataFrame:
    """Each need indicator's resident-weighted mean here, the borough's, and their ratio."""
    rows = []
    for key, values in geo.need.items():
        values = np.asarray(values, dtype=float)
        here = float(np.average(values, weights=in_unit)) if pop else 0.0
        mean = float(np.average(values, weights=geo.population)) if geo.total_population else 0.0
        rows.append({"indicator": key, "label": geo.need_labels.get(key, key),
                     "mean_score": here, "borough_mean": mean,
                     "index": here / mean if mean else 0.0})
    return pd.DataFrame(rows, columns=["indicator", "label", "mean_score", "borough_mean",
                                       "index"])


def _decile_table(geo: Geography, indicator: str | None, in_unit: np.ndarray,
                  pop: float) -> pd.DataFrame:
    """Residents here by the borough's need decile (none without a need indicator)."""
    if indicator is None:
        return pd.DataFrame(columns=["decile", "people", "share"])
    people = np.bincount(need_deciles(geo, indicator) - 1, weights=in_unit, minlength=10)
    return pd.DataFrame({"decile": DECILES, "people": people, "share": _shares(people, pop)})


def _overlap_table(geo: Geography, other: str, population, k: int, pop: float) -> pd.DataFrame:
    """Who in layer ``other`` shares residents with unit ``k`` (``population``: this layer x
    ``other``), largest first."""
    row = np.asarray(population[k].todense()).ravel()
    other_total = np.asarray(population.sum(axis=0)).ravel()
    hit = np.flatnonzero(row > 1e-9)
    olay = geo.layer(other)
    table = pd.DataFrame({
        "code": pd.Series([olay.codes[j] for j in hit], dtype=str),
        "name": [olay.names[j] for j in hit],
        "population": row[hit],
        "share_of_footprint": _shares(row[hit], pop),
        "share_of_unit": np.where(other_total[hit] > 0, row[hit] / other_total[hit], 0.0),
    })
    return table.sort_values("population", ascending=False, kind="stable").reset_index(drop=True)


def describe(geo: Geography, prof: Profile, threshold: float = 0.05) -> list[str]:
    """Plain-English sentences on how the footprint sits across the other layers."""
    lines = []
    lay = geo.layer(prof.layer)
    if prof.population <= 0:
        return [f"{prof.name} has no residents in this pack."]
    share = prof.population / prof.borough_population if prof.borough_population else 0
    lines.append(f"{prof.name} is home to {prof.population:,.0f} residents, "
                 f"{share:.1%} of the borough.")
    away = geo.metadata.get("patients_living_outside", {}).get(prof.layer, {}).get(prof.code)
    if away:
        lines.append(f"{away:.1%} of the patients registered with its practices live outside "
                     "the borough; they count towards its list, not its residents.")
    for other, table in prof.overlaps.items():
        olay = geo.layer(other)
        if table.empty or olay.kind == "small_areas":
            continue
        if other == lay.member_of:
            names = list(table["name"])
            listed = f": {_join(names)}" if len(names) <= 6 else ""
            lines.append(f"It is made up of {len(names)} {_lower(olay.label)}{listed}.")
            continue
        top = table.iloc[0]
        verb = "registered with" if olay.kind == "registration" else "living in"
        if top["share_of_footprint"] >= 0.995:
            lines.append(f"All its residents are {verb} {top['name']} ({olay.label}).")
        else:
            pieces = int((table["share_of_footprint"] >= threshold).sum())
            rest = (f"{pieces} {_lower(olay.label)} each hold at least {threshold:.0%}"
                    if pieces > 1 else "the rest are spread thinly")
            lines.append(f"{top['share_of_footprint']:.0%} of its residents are {verb} "
                         f"{top['name']} ({olay.label}); {rest}.")
        # Members of a grouping (wards of a place) that the other layer splits.
        if lay.kind == "grouping" and lay.member_of in prof.overlaps:
            n_split, n_members = _members_split(geo, prof, other, threshold)
            member = _lower(geo.layer(lay.member_of).label)
            lines.append(f"{n_split} of its {n_members} {member} are split between "
                         f"{_lower(olay.label)}." if n_split else
                         f"None of its {member} is split between {_lower(olay.label)}.")
    return lines


def _lower(label: str) -> str:
    """'Electoral wards' -> 'electoral wards', but acronyms such as 'PCNs' stay as they are."""
    first = label.split()[0] if label else ""
    return label if sum(ch.isupper() for ch in first) > 1 else label.lower()


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _members_split(geo: Geography, prof: Profile, other: str,
                   threshold: float) -> tuple[int, int]:
    """How many of a grouping unit's members hold at least two pieces of ``other``."""
    lay = geo.layer(prof.layer)
    k = lay.index_of(prof.code)
    members = np.flatnonzero(np.asarray(lay.membership) == k)
    if len(members) == 0:
        return 0, 0
    ov = overlap(geo, lay.member_of, other, prof.method).population.tocsr()[members]
    totals = np.asarray(ov.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = sparse.diags(np.where(totals > 0, 1 / totals, 0)) @ ov
    pieces = np.asarray((sparse.csr_matrix(shares) >= threshold).sum(axis=1)).ravel()
    return int((pieces > 1).sum()), len(members)


def piece_layer_for(geo: Geography, layer: str) -> str | None:
    """The layer whose pieces colour a footprint's map: PCNs first, then another grouping."""
    kinds = ("registration", "grouping", "polygons")
    for kind in kinds:
        for name, lay in geo.layers.items():
            if lay.kind == kind and name != layer and lay.member_of != layer \
                    and geo.layer(layer).member_of != name:
                return name
    return None
