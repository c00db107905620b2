"""The live balance of a redrawn grouping: population against target, need, fit with another layer,
shape and the allocation that would follow. Everything is aggregation over the pack's memoised
base-layer overlaps, so it is cheap enough to run after every move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.engine import adjacency, drafts
from dashboard.engine.allocation import Resource, recommend
from dashboard.engine.geography import Geography, grouping_key
from dashboard.engine.mismatch import mismatch
from dashboard.engine.overlaps import overlap, unit_totals
from dashboard.engine.regroup import UNASSIGNED, with_groups
from dashboard.errors import LayerError

DEFAULT_TOLERANCE = 0.10
COLUMNS = ["code", "name", "wards", "population", "need_population", "need_index", "target",
           "deviation", "need_deviation", "within", "need_within", "pieces", "best_fit_name",
           "best_fit_share", "splits", "split_score"]


@dataclass(frozen=True)
class Balance:
    """Per-footprint balance of a draft, plus the layer-wide figures.

    ``table`` has one row per footprint (empty ones included) with the columns in ``COLUMNS``
    and, when a resource is given, ``recommended`` and ``per_10k`` (per 10,000 weighted people).
    ``deviation`` is population over target minus 1 (``need_deviation`` the same for need-weighted
    population); ``within`` and ``need_within`` say whether each is inside the tolerance band.
    """

    layer: str
    against: str
    table: pd.DataFrame
    target: float
    tolerance: float
    alignment: float
    split_score: float
    warnings: tuple[str, ...]
    resource: Resource | None = None


def balance(geo: Geography, draft: drafts.Draft, against: str, need: str | None = None,
            tolerance: float = DEFAULT_TOLERANCE, resource: Resource | None = None) -> Balance:
    """Balance of ``draft`` with ``against`` (e.g. ``"pcns"``) as the layer to follow.

    The target is the borough's population shared equally between the non-empty footprints.
    """
    if not 0 <= tolerance < 1:
        raise LayerError(f"The tolerance must be between 0% and 99%; got {tolerance:.0%}.")
    # The page asks for the same arrangement more than once per move (the balance panel, then
    # the comparison with the pack's footprints), so recent results are kept.
    key = ("balance", grouping_key(geo), draft.layer, tuple(draft.assignment.items()),
           tuple(draft.groups.items()), against, need, tolerance, resource)
    return geo.derived.get(key, lambda: _balance(geo, draft, against, need, tolerance, resource))


def _balance(geo, draft, against, need, tolerance, resource) -> Balance:
    g = drafts.apply(geo, draft)
    layer = draft.layer
    lay = g.layer(layer)
    totals = unit_totals(g, layer, need)
    pop = totals["population"].to_numpy()
    need_pop = totals["need_population"].to_numpy()
    wards = np.bincount(lay.membership, minlength=len(lay))
    k = max(int((wards > 0).sum()), 1)
    if UNASSIGNED in lay.codes:  # a layer being made: each named footprint is meant to fill
        k = max(len(lay) - 1, 1)
    target = float(pop.sum() / k)
    need_target = float(need_pop.sum() / k)
    table = totals[["code", "name", "population", "need_population", "need_index"]].copy()
    table["wards"] = wards
    table["target"] = target
    with np.errstate(divide="ignore", invalid="ignore"):
        table["deviation"] = np.where(target > 0, pop / target - 1, 0.0)
        table["need_deviation"] = np.where(need_target > 0, need_pop / need_target - 1, 0.0)
    table["within"] = (table["deviation"].abs() <= tolerance + 1e-12) & (wards > 0)
    table["need_within"] = (table["need_deviation"].abs() <= tolerance + 1e-12) & (wards > 0)
    table["pieces"] = adjacency.pieces(adjacency.adjacency(g, lay.member_of), lay.membership,
                                       len(lay))
    fit = mismatch(overlap(g, layer, against))
    units = fit.from_units.set_index("code").reindex(table["code"])
    for column, source in (("best_fit_name", "best_fit_name"), ("best_fit_share", "best_fit_share"),
                           ("splits", "pieces"), ("split_score", "split_score")):
        table[column] = units[source].to_numpy()
    table = table[COLUMNS]
    if resource is not None:
        # An empty footprint gets nothing rather than a core share, so the total goes to
        # footprints that have people.
        used = {c: n for c, n, k in zip(draft.groups, draft.groups.values(), wards) if k}
        people = g if len(used) == len(wards) else with_groups(drafts.host(geo, draft), layer,
                                                                  used, draft.assignment)
        table = _with_allocation(people, layer, table, resource)
    return Balance(layer, against, table, target, tolerance, fit.alignment,
                   fit.split_score_from, tuple(shape_warnings(table, lay.label)), resource)


def _with_allocation(geo: Geography, layer: str, table: pd.DataFrame, resource: Resource
                     ) -> pd.DataFrame:
    """Recommended amount and amount per 10,000 weighted residents for each footprint of
    ``table``; footprints missing from ``geo``'s layer get 0."""
    rec = recommend(geo, layer, resource).set_index("code").reindex(table["code"])
    table = table.copy()
    table["recommended"] = rec["recommended"].fillna(0).to_numpy()
    weighted = rec["weighted_population"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["per_10k"] = np.where(weighted > 0, table["recommended"] / weighted * 1e4, np.nan)
    return table


def shape_warnings(table: pd.DataFrame, label: str) -> list[str]:
    """Empty and non-contiguous footprints, in plain words."""
    out = []
    making = UNASSIGNED in set(table["code"])  # a layer being made: say what is left to do
    if making:
        left = int(table.loc[table["code"] == UNASSIGNED, "wards"].sum())
        empty = table.loc[(table["code"] != UNASSIGNED) & (table["wards"] == 0), "name"]
        if left:
            out.append(f"{left} ward(s) are not in any footprint yet.")
        if len(empty):
            out.append("No wards yet in " + ", ".join(map(str, empty)) + ".")
    for row in table.itertuples():
        if making and (row.code == UNASSIGNED or row.wards == 0):
            continue
        if row.wards == 0:
            out.append(f"{row.name} has no wards left, so it gets no allocation: give it "
                       "wards, or leave it empty to drop it.")
        elif row.pieces > 1:
            out.append(f"{row.name} is in {row.pieces} separate pieces: its wards do not all "
                       "share a boundary.")
    return out


@dataclass(frozen=True)
class Comparison:
    """Two arrangements of one grouping side by side."""

    table: pd.DataFrame  # one row per footprint code in either: figures in A, in B and B - A
    moved: pd.DataFrame  # code, name (of the ward), from_footprint (A), to_footprint (B)
    alignment: tuple[float, float]
    within: tuple[int, int]  # footprints inside the population band


def compare(geo: Geography, a: drafts.Draft, b: drafts.Draft, against: str, *,
            need: str | None = None, tolerance: float = DEFAULT_TOLERANCE,
            resource: Resource | None = None) -> Comparison:
    """What changes from arrangement ``a`` to ``b``: wards moved, population, need, staff and
    alignment per footprint."""
    if a.layer != b.layer:
        raise LayerError(f"Cannot compare footprints of '{a.layer}' with footprints of "
                         f"'{b.layer}'; pick two scenarios of the same layer.")
    ba, bb = (balance(geo, d, against, need, tolerance, resource) for d in (a, b))
    cols = ["population", "need_population", "wards"] + (["recommended"] if resource else [])
    left = ba.table.set_index("code")[["name", *cols]]
    right = bb.table.set_index("code")[["name", *cols]]
    table = left.add_suffix("_a").join(right.add_suffix("_b"), how="outer")
    table["name"] = table["name_b"].fillna(table["name_a"])
    for col in cols:
        table[f"{col}_a"] = table[f"{col}_a"].fillna(0)
        table[f"{col}_b"] = table[f"{col}_b"].fillna(0)
        table[f"{col}_change"] = table[f"{col}_b"] - table[f"{col}_a"]
    order = list(dict.fromkeys([*a.groups, *b.groups]))
    table = table.loc[order].reset_index().rename(columns={"index": "code"})
    table = table[["code", "name", *[f"{c}_{s}" for c in cols for s in ("a", "b", "change")]]]
    member = geo.layer(geo.layer(a.layer).member_of)
    names = dict(zip(member.codes, member.names))
    moves = drafts.moved(a.assignment, b)
    moved = pd.DataFrame({"code": list(moves), "name": [names[m] for m in moves],
                          "from_footprint": [a.groups.get(f, f) for f, _ in moves.values()],
                          "to_footprint": [b.groups.get(t, t) for _, t in moves.values()]},
                         columns=["code", "name", "from_footprint", "to_footprint"])
    return Comparison(table, moved, (ba.alignment, bb.alignment),
                      (int(ba.table["within"].sum()), int(bb.table["within"].sum())))
