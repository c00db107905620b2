"""PCN footprints from GP registrations, by rule, and estimates from practice locations.

Notes
-----
``shares`` is a small areas x units matrix: the share of each small area's registered patients
with each unit (rows sum to 1). A footprint rule turns it into the weights the engine uses:

``proportional``
    the shares themselves: residents are split as patients are;
``plurality``
    each small area wholly to the unit with most of its patients (first unit on ties);
``majority``
    wholly to a unit holding over half its patients, otherwise to an extra *mixed* unit.

``min_share`` first drops any unit's presence below that share of a small area's patients and
re-spreads the rest, so a handful of patients travelling across the borough do not make a PCN
"present" everywhere.

Without registrations, :func:`estimate_registrations` spreads each small area's residents over
practices by a gravity rule (list size over squared distance, nearest practices only) or wholly
to the nearest practice. Such footprints are estimates and are labelled as such.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.engine.geography import row_max
from dashboard.errors import LayerError

Rule = Literal["proportional", "plurality", "majority"]
RULES: tuple[str, ...] = ("proportional", "plurality", "majority")
MIXED_CODE = "MIXED"
MIXED_NAME = "Mixed (no unit has over half the patients)"
# Residents registered with practices outside the pack's PCNs (across the border, or practices
# the import left out) form their own unit, so they are never re-spread over local PCNs.
OUTSIDE_PRACTICE = "OUTSIDE"
OUTSIDE_CODE = "OUTSIDE"
OUTSIDE_NAME = "Practices outside the borough's PCNs"


def apply_rule(shares: sparse.spmatrix, rule: Rule = "proportional",
               min_share: float = 0.0) -> tuple[sparse.csr_matrix, bool]:
    """Weights of each small area in each unit under ``rule``.

    Returns the weights and whether a *mixed* column was appended (majority rule only, when some
    small area has no unit over half).
    """
    if rule not in RULES:
        raise LayerError(f"Unknown footprint rule '{rule}'; use one of: {', '.join(RULES)}.")
    if not 0 <= min_share < 1:
        raise LayerError(f"The minimum share must be at least 0 and below 1; got {min_share}.")
    m = sparse.csr_matrix(shares, dtype=float, copy=True)
    n, k = m.shape
    if min_share > 0:
        best, _ = row_max(m)
        keep = m.data >= min_share
        # A small area keeps its largest unit even if every share is below the minimum.
        rows = np.repeat(np.arange(n), np.diff(m.indptr))
        keep |= m.indices == best[rows]
        m.data = np.where(keep, m.data, 0.0)
        m.eliminate_zeros()
        totals = np.asarray(m.sum(axis=1)).ravel()
        m = sparse.csr_matrix(sparse.diags(1 / np.where(totals > 0, totals, 1)) @ m)
    if rule == "proportional":
        return m, False
    best, value = row_max(m)
    if rule == "plurality":
        return sparse.csr_matrix((np.ones(n), (np.arange(n), best)), shape=(n, k)), False
    mixed = value <= 0.5
    cols = np.where(mixed, k, best)
    extra = bool(mixed.any())
    return sparse.csr_matrix((np.ones(n), (np.arange(n), cols)), shape=(n, k + extra)), extra


def estimate_registrations(small_areas: pd.DataFrame, practices: pd.DataFrame,
                           method: Literal["gravity", "nearest"] = "gravity",
                           neighbours: int = 5) -> pd.DataFrame:
    """Estimated patients of each small area at each practice, from locations and list sizes.

    Parameters
    ----------
    small_areas
        Columns ``code``, ``population``, ``x``, ``y`` (a point inside each small area, BNG metres).
    practices
        Columns ``code``, ``x``, ``y`` and, for the gravity rule, ``list_size``.
    method
        ``"gravity"``: residents shared over the ``neighbours`` nearest practices in proportion to
        list size / distance² (distance at least 500 m, so a practice inside a small area does
        not take everyone); ``"nearest"``: all residents to the nearest practice.

    Returns
    -------
    pandas.DataFrame
        ``practice``, ``small_area``, ``patients``: the registrations layout, so the rest of the
        pipeline treats an estimate exactly like published data.
    """
    if len(practices) == 0:
        raise LayerError("No practices to estimate footprints from.")
    from scipy.spatial import cKDTree  # here: only estimated footprints need it (slow import)

    tree = cKDTree(practices[["x", "y"]].to_numpy(float))
    points = small_areas[["x", "y"]].to_numpy(float)
    k = 1 if method == "nearest" else min(neighbours, len(practices))
    dist, idx = tree.query(points, k=k)
    dist, idx = dist.reshape(len(points), k), idx.reshape(len(points), k)
    if method == "nearest":
        weight = np.ones_like(dist)
    else:
        size = practices["list_size"].to_numpy(float)[idx]
        weight = size / np.maximum(dist, 500.0) ** 2
        weight = np.where(weight.sum(axis=1, keepdims=True) > 0, weight, 1.0)
    weight = weight / weight.sum(axis=1, keepdims=True)
    population = small_areas["population"].to_numpy(float)[:, None]
    return pd.DataFrame({
        "practice": practices["code"].to_numpy()[idx].ravel(),
        "small_area": np.repeat(small_areas["code"].to_numpy(), k),
        "patients": (population * weight).ravel(),
    })
