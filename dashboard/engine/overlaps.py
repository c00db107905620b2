"""How population, need and area fall across any two layers of a borough.

Notes
-----
For layers A and B the engine forms, for a weight vector v over atoms (population, need-weighted
population or area), the matrix ``O = W_A^T diag(v) W_B`` where ``W_L`` says how much of each
atom belongs to each unit of L:

* small areas and polygon layers: 0/1 (each atom lies in one unit);
* registration layers: the small area's registration shares (patients of the small area registered
  with the unit's practices over all its patients in the pack);
* groupings: ``W_member @ M`` for the member-to-group matrix M, so ``O`` for a grouping is
  ``M^T O_member``: regrouping is a small matrix product, never an overlay.

Proportional method: atoms carry their small area's population in proportion to area.
Best-fit method: each small area goes wholly to one unit. For polygon layers that is the unit of
a published best-fit lookup when the pack has one, else the unit holding the small area's
population-weighted centroid when the pack has centroids (the ONS method), else the unit holding
most of its area (``geo.metadata["best_fit_rule"]`` says which); for registration layers the unit
with most of its patients; for groupings its member's group. The share of population that
best-fitting moves is reported.

Need-weighted population = population x need / mean need, the mean weighted by population, so it
sums to the borough's population and reads as "people, counted by need".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.engine.geography import Geography, Layer, row_max
from dashboard.errors import LayerError

Method = Literal["proportional", "best-fit"]
METHODS: tuple[str, ...] = ("proportional", "best-fit")
TABLE_COLUMNS = [
    "from_code",
    "from_name",
    "to_code",
    "to_name",
    "population",
    "need_population",
    "area_m2",
    "share_of_from_population",
    "share_of_to_population",
    "share_of_from_area",
    "share_of_to_area",
    # What each side's footprint rests on (boundary, registrations, estimate, grouping), so an
    # estimated PCN footprint is labelled in every export.
    "from_basis",
    "to_basis",
]


@dataclass(frozen=True)
class Overlap:
    """Overlap of layer A (from) with layer B (to).

    Attributes
    ----------
    population, need_population, area_m2
        Sparse A x B matrices.
    moved_by_best_fit
        For the best-fit method, the share of the borough's population that best-fitting puts in a
        different cell of this table than the proportional method: half the sum of absolute
        differences over the total (0 for the proportional method).
    """

    from_layer: Layer
    to_layer: Layer
    method: str
    need_indicator: str | None
    population: sparse.csr_matrix
    need_population: sparse.csr_matrix
    area_m2: sparse.csr_matrix
    moved_by_best_fit: float

    def table(self) -> pd.DataFrame:
        """One row per (from, to) pair that shares population or area, in both directions."""
        area = self.area_m2.tocsr()
        # Cells holding people or area, row by row with columns in order.
        pattern = sparse.csr_matrix(abs(self.population) + abs(area))
        pattern.sum_duplicates()
        cells = pattern.tocoo()
        i, j = cells.row, cells.col
        p = np.asarray(self.population.tocsr()[i, j]).ravel()
        a = np.asarray(area[i, j]).ravel()
        n = np.asarray(self.need_population.tocsr()[i, j]).ravel()
        from_pop = np.asarray(self.population.sum(axis=1)).ravel()
        to_pop = np.asarray(self.population.sum(axis=0)).ravel()
        from_area = np.asarray(area.sum(axis=1)).ravel()
        to_area = np.asarray(area.sum(axis=0)).ravel()
        fa, ta = self.from_layer, self.to_layer
        frame = pd.DataFrame(
            {
                "from_code": pd.Series([fa.codes[k] for k in i], dtype=str),
                "from_name": [fa.names[k] for k in i],
                "to_code": pd.Series([ta.codes[k] for k in j], dtype=str),
                "to_name": [ta.names[k] for k in j],
                "population": p,
                "need_population": n,
                "area_m2": a,
                "share_of_from_population": _ratio(p, from_pop[i]),
                "share_of_to_population": _ratio(p, to_pop[j]),
                "share_of_from_area": _ratio(a, from_area[i]),
                "share_of_to_area": _ratio(a, to_area[j]),
                "from_basis": fa.basis,
                "to_basis": ta.basis,
            },
            columns=TABLE_COLUMNS,
        )
        keep = (frame["population"] > 1e-9) | (frame["area_m2"] > 1e-9)
        return frame[keep].reset_index(drop=True)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


def need_weights(geo: Geography, indicator: str | None) -> np.ndarray:
    """Per-small-area multiplier need / population-weighted mean need (ones when no indicator)."""
    return relative_to_mean(geo, geo.need_values(indicator), f"Need indicator '{indicator}'")


def relative_to_mean(geo: Geography, values, what: str) -> np.ndarray:
    """Per-small-area ``values`` over their population-weighted borough mean, which must be
    positive for the ratio to mean anything."""
    values = np.asarray(values, dtype=float)
    mean = float(np.average(values, weights=geo.population)) if geo.total_population else 0.0
    if mean <= 0:
        raise LayerError(
            f"{what} averages {mean:g} over the borough; need weighting needs a positive mean. "
            "Choose another indicator."
        )
    return values / mean


def _one_hot(index: np.ndarray, n_units: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (np.ones(len(index)), (np.arange(len(index)), index)), shape=(len(index), n_units)
    )


def _atom_matrix(geo: Geography, layer: Layer) -> sparse.csr_matrix:
    """Atoms x units share of each atom in each unit (groupings excluded: see overlap)."""
    atoms = geo.atoms
    if layer.kind == "small_areas":
        return _one_hot(atoms.small_area, len(layer))
    if layer.kind == "polygons":
        return _one_hot(atoms.units[layer.name], len(layer))
    if layer.kind == "registration":
        return _one_hot(atoms.small_area, len(geo.small_areas)) @ geo.registrations[layer.name]
    raise LayerError(f"Layer '{layer.name}' of kind {layer.kind} has no atom matrix.")


def atom_weights(geo: Geography, layer: str) -> sparse.csr_matrix:
    """Atoms x units share of each atom in each unit of any layer, groupings included."""
    lay = geo.layer(layer)
    if lay.kind == "grouping":
        return sparse.csr_matrix(atom_weights(geo, lay.member_of) @ lay.membership_matrix())
    return _atom_matrix(geo, lay)


def _best_fit_index(geo: Geography, layer: Layer) -> np.ndarray:
    """Index of each small area's best-fit unit in a base (non-grouping) layer."""
    return geo.derived.get(("best-fit", layer.name), lambda: _best_fit(geo, layer))


def _best_fit(geo: Geography, layer: Layer) -> np.ndarray:
    n_sa = len(geo.small_areas)
    if layer.kind == "small_areas":
        return np.arange(n_sa)
    if layer.kind == "registration":
        held = geo.registrations[layer.name]
    else:
        atoms = geo.atoms
        held = sparse.csr_matrix((atoms.share, (atoms.small_area, atoms.units[layer.name])),
                                 shape=(n_sa, len(layer)))
    idx = row_max(held)[0]
    # A published lookup or population-weighted centroids (as ONS best-fits) win where the pack
    # has them; -1 marks small areas they do not place.
    given = geo.metadata.get("best_fit", {}).get(layer.name)
    if given is not None:
        given = np.asarray(given)
        idx = np.where(given >= 0, given, idx)
    return idx


def unit_of_atoms(geo: Geography, layer: str) -> np.ndarray:
    """Index of the unit of ``layer`` that each atom lies in.

    Exact for small areas, polygon layers and their groupings; for a registration layer, the unit
    with most of the atom's small area's patients (its best fit), since patients have no place.
    """
    lay = geo.layer(layer)
    atoms = geo.atoms
    if lay.kind == "small_areas":
        return np.asarray(atoms.small_area)
    if lay.kind == "polygons":
        return np.asarray(atoms.units[lay.name])
    if lay.kind == "grouping":
        return np.asarray(lay.membership)[unit_of_atoms(geo, lay.member_of)]
    return _best_fit_index(geo, lay)[atoms.small_area]


def best_fit_units(geo: Geography, layer: str) -> np.ndarray:
    """Index of each small area's best-fit unit of ``layer`` (groupings via their members)."""
    lay = geo.layer(layer)
    if lay.kind == "grouping":
        return np.asarray(lay.membership)[best_fit_units(geo, lay.member_of)]
    return _best_fit_index(geo, lay)


def _base_overlap(
    geo: Geography, a: Layer, b: Layer, method: str, weight: str, need: str | None
) -> sparse.csr_matrix:
    """A x B matrix of one weight for two base layers, memoised on the geography."""
    return geo.derived.get(("overlap", a.name, b.name, method, weight, need),
                           lambda: _base_matrix(geo, a, b, method, weight, need))


def _base_matrix(geo, a: Layer, b: Layer, method: str, weight: str, need) -> sparse.csr_matrix:
    if method == "best-fit":
        ia, ib = _best_fit_index(geo, a), _best_fit_index(geo, b)
        if weight == "area":
            v = np.bincount(geo.atoms.small_area, weights=geo.atoms.area_m2,
                            minlength=len(geo.small_areas))
        else:
            v = geo.population * (need_weights(geo, need) if weight == "need" else 1.0)
        result = sparse.csr_matrix((v, (ia, ib)), shape=(len(a), len(b)))
    else:
        atoms = geo.atoms
        if weight == "area":
            v = atoms.area_m2
        else:
            v = geo.population[atoms.small_area] * atoms.share
            if weight == "need":
                v = v * need_weights(geo, need)[atoms.small_area]
        wa, wb = _atom_matrix(geo, a), _atom_matrix(geo, b)
        if a.name == b.name and a.kind == "registration":
            # A patient is registered in one PCN only: a layer against itself is diagonal.
            result = sparse.diags(np.asarray(wa.multiply(v[:, None]).sum(axis=0)).ravel())
        else:
            result = wa.T @ sparse.diags(v) @ wb
    result = sparse.csr_matrix(result)
    result.sum_duplicates()
    return result


def _matrix(geo: Geography, a: Layer, b: Layer, method: str, weight: str,
            need: str | None) -> sparse.csr_matrix:
    """A x B matrix for any layers: groupings are folded onto their member layers."""
    if a.kind == "grouping":
        member = geo.layer(a.member_of)
        return sparse.csr_matrix(
            a.membership_matrix().T @ _matrix(geo, member, b, method, weight, need)
        )
    if b.kind == "grouping":
        member = geo.layer(b.member_of)
        return sparse.csr_matrix(
            _matrix(geo, a, member, method, weight, need) @ b.membership_matrix()
        )
    return _base_overlap(geo, a, b, method, weight, need)


def overlap(
    geo: Geography,
    from_layer: str,
    to_layer: str,
    method: Method = "proportional",
    need: str | None = None,
) -> Overlap:
    """Population, need-weighted population and area of every overlap of two layers.

    Parameters
    ----------
    geo
        A loaded pack (see :func:`dashboard.data.load_pack`).
    from_layer, to_layer
        Layer names, e.g. ``"places"`` and ``"pcns"``; any layer, small areas included.
    method
        ``"proportional"`` splits small areas by area (polygon layers) or registration shares
        (registration layers); ``"best-fit"`` gives each small area wholly to one unit.
    need
        Need indicator for ``need_population``; ``None`` uses the pack's first indicator.

    Returns
    -------
    Overlap
        Matrices in both directions plus :meth:`Overlap.table`. Totals are conserved: the
        population of all overlaps equals the borough's population.

    Examples
    --------
    >>> ov = overlap(geo, "places", "pcns", need="imd_score")  # doctest: +SKIP
    >>> ov.table().head()  # doctest: +SKIP
    """
    if method not in METHODS:
        raise LayerError(f"Unknown method '{method}'; use one of: {', '.join(METHODS)}.")
    a, b = geo.layer(from_layer), geo.layer(to_layer)
    if need is None and geo.need:
        need = next(iter(geo.need))
    if need is not None:
        geo.need_values(need)  # an unknown indicator is an error, never silently ignored
    need_key = need
    pop = _matrix(geo, a, b, method, "population", None)
    need_pop = _matrix(geo, a, b, method, "need", need_key) if need_key else pop.copy()
    area = _matrix(geo, a, b, method, "area", None)
    moved = 0.0
    if method == "best-fit" and geo.total_population > 0:
        prop = _matrix(geo, a, b, "proportional", "population", None)
        moved = float(abs(pop - prop).sum() / 2 / geo.total_population)
    return Overlap(a, b, method, need_key, pop, need_pop, area, moved)


def unit_totals(geo: Geography, layer: str, need: str | None = None) -> pd.DataFrame:
    """Population, need-weighted population, mean need and area of every unit of a layer."""
    lay = geo.layer(layer)
    ov = overlap(geo, layer, "small_areas", "proportional", need)
    pop = np.asarray(ov.population.sum(axis=1)).ravel()
    need_pop = np.asarray(ov.need_population.sum(axis=1)).ravel()
    area = np.asarray(ov.area_m2.sum(axis=1)).ravel()
    frame = pd.DataFrame({"code": pd.Series(lay.codes, dtype=str), "name": list(lay.names)})
    frame["population"] = pop
    frame["need_population"] = need_pop
    frame["need_index"] = _ratio(need_pop, pop)
    frame["area_m2"] = area
    return frame
