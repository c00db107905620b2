"""Share fixed teams and budgets across the areas of a layer by population and need.

Notes
-----
Each resource has a total (FTE or pounds) split into a *core* part every area gets and an
*area-specific* part targeted by need:

* core: ``equal`` (the core share of the total split equally), ``per_head`` (split by
  population) or ``minimum`` (a fixed amount per area; the rest of the total is area-specific);
* area-specific: by weighted population ``population x (1 - w + w x need / borough mean need)``,
  the mean weighted by population, with need weight ``w`` from 0 (per head) to 1 (fully
  need-weighted). Weighted population sums to the borough's population, so it reads as "people,
  counted by need". The need can be any indicator of the pack, or an age band (its share of each
  small area's residents), so an older people's service can follow where older people live.

Totals are kept exactly: a per-area minimum is met by water-filling (areas below it are raised to
it and the rest is shared among the others in proportion), and rounding to whole posts or 0.1 FTE
uses the largest-remainder method, so the rounded figures still add up to the total.
Every area figure is built from small-area data through the layer's overlap with small areas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.engine.geography import Geography
from dashboard.engine.overlaps import overlap, relative_to_mean
from dashboard.engine.transfers import Transfer, amount_text, minimal_transfers
from dashboard.errors import DashboardError

CORE_METHODS = {"equal": "equal per area", "per_head": "per head",
                "minimum": "a fixed amount per area"}
ROUNDINGS = (None, 1.0, 0.1)
TABLE_COLUMNS = ["code", "name", "population", "need_index", "weighted_population", "core",
                 "area_specific", "recommended", "current", "gap",
                 "recommended_per_10k_weighted", "current_per_10k_weighted"]


class AllocationError(DashboardError):
    """A resource, minimum or current-allocation file that cannot be allocated as given."""


@dataclass(frozen=True)
class Resource:
    """One team or budget to share. ``total`` is in ``unit`` (e.g. FTE or £)."""

    name: str
    total: float
    label: str = ""
    unit: str = "FTE"
    core_method: str = "equal"
    core_share: float = 0.0  # share of the total that is core (equal / per_head)
    core_amount: float = 0.0  # core per area (minimum)
    need: str | None = None  # need indicator or age band key; None = per head
    need_weight: float = 0.0
    minimum: float = 0.0  # smallest total any area may get
    rounding: float | None = None  # 1 (whole posts), 0.1, or None (unrounded)

    @property
    def title(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Allocation:
    """The recommendation for one resource on one layer, with the current figures if known."""

    resource: Resource
    layer: str
    table: pd.DataFrame
    transfers: tuple[Transfer, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def has_current(self) -> bool:
        return bool(self.table["current"].notna().any())


# What a pack without [[resources]] offers: one budget whose total the user types, so a real
# borough reaches an allocation without a config file. Its total starts at nothing, not a guess.
BLANK_RESOURCE = Resource(name="budget", total=0.0, label="Budget to share", unit="£")


def offered(resources: list[Resource]) -> list[Resource]:
    """The pack's teams and budgets, or the blank budget when it records none."""
    return list(resources) or [BLANK_RESOURCE]


def _number(value, what: str, resource: str, low: float = 0.0, high: float = math.inf) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (low <= number <= high):  # NaN fails too
        bound = f"from {low:g} to {high:g}" if high < math.inf else f"{low:g} or more"
        given = "nothing" if value is None or value == "" else f"'{value}'"
        raise AllocationError(f"Resource '{resource}': {what} must be a number {bound}; got "
                              f"{given}. Change it in the settings or the config file.")
    return number


def check(resource: Resource, n_areas: int) -> Resource:
    """The resource with numbers checked; an :class:`AllocationError` says what to change."""
    name = resource.name
    total = _number(resource.total, "the total", name)
    if resource.core_method not in CORE_METHODS:
        raise AllocationError(f"Resource '{name}': core method '{resource.core_method}' is not "
                              f"one of: {', '.join(CORE_METHODS)}.")
    core_share = _number(resource.core_share, "the core share", name, 0, 1)
    core_amount = _number(resource.core_amount, "the core amount per area", name)
    weight = _number(resource.need_weight, "the need weight", name, 0, 1)
    minimum = _number(resource.minimum, "the minimum per area", name)
    unit = resource.unit
    for what, per_area in (("minimum", minimum), ("core amount", core_amount
                                                  if resource.core_method == "minimum" else 0)):
        if per_area * n_areas > total + 1e-9:
            raise AllocationError(
                f"Resource '{name}': a {what} of {amount_text(per_area, unit)} in each of {n_areas} "
                f"areas needs {amount_text(per_area * n_areas, unit)}, more than the total "
                f"{amount_text(total, unit)}. Lower it to at most {amount_text(total / n_areas, unit)} per "
                "area, or raise the total.")
    if resource.rounding not in ROUNDINGS:
        raise AllocationError(f"Resource '{name}': rounding must be 1, 0.1 or none; got "
                              f"'{resource.rounding}'.")
    if resource.rounding:
        for what, value in (("total", total), ("minimum per area", minimum)):
            if abs(value / resource.rounding - round(value / resource.rounding)) > 1e-6:
                raise AllocationError(
                    f"Resource '{name}': the {what} {value:g} is not a whole number of "
                    f"{resource.rounding:g} steps, so rounded figures could not add up to it. "
                    "Change it, or choose finer rounding.")
    return Resource(name, total, resource.label, unit, resource.core_method, core_share,
                    core_amount, resource.need, weight, minimum, resource.rounding)


def targeting_values(geo: Geography, key: str | None) -> np.ndarray:
    """Per small area: a need indicator, an age band's share of residents, or ones."""
    if key is None or key in geo.need:
        return geo.need_values(key)
    if key in geo.age_bands:
        pop = geo.population
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(pop > 0, np.asarray(geo.age_bands[key]) / pop, 0.0)
    choices = [*geo.need, *geo.age_bands]
    raise AllocationError(f"The pack has no need indicator or age band '{key}'. Choose one of: "
                          f"{', '.join(choices) or '(none: allocate per head)'}.")


def area_need(geo: Geography, layer: str, key: str | None) -> pd.DataFrame:
    """Population and need index (area mean need over borough mean need) of every area."""
    lay = geo.layer(layer)
    pop_by_sa = sparse.csr_matrix(overlap(geo, layer, "small_areas").population)
    relative = relative_to_mean(geo, targeting_values(geo, key), f"'{key}'")
    pop = np.asarray(pop_by_sa.sum(axis=1)).ravel()
    need_pop = pop_by_sa @ relative
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(pop > 0, need_pop / pop, 1.0)
    return pd.DataFrame({"code": pd.Series(lay.codes, dtype=str), "name": list(lay.names),
                         "population": pop, "need_index": index})


def _with_minimum(raw: np.ndarray, total: float, minimum: float) -> np.ndarray:
    """Raise areas below ``minimum`` to it and share the rest in proportion (water-filling)."""
    fixed = np.zeros(len(raw), dtype=bool)
    out = raw.astype(float).copy()
    while True:
        free = ~fixed
        rest = total - minimum * fixed.sum()
        weights = raw[free]
        share = weights / weights.sum() if weights.sum() > 0 else np.full(free.sum(),
                                                                         1 / free.sum())
        out[free] = rest * share
        out[fixed] = minimum
        below = free & (out < minimum - 1e-12)
        if not below.any():
            return out
        fixed |= below


def round_to(values: np.ndarray, step: float) -> np.ndarray:
    """Largest-remainder rounding to multiples of ``step``, keeping the sum (a multiple of step)."""
    units = values / step
    floors = np.floor(units + 1e-9)
    spare = int(round(units.sum() - floors.sum()))
    order = np.argsort(-(units - floors), kind="stable")  # ties go to the earlier area
    floors[order[:spare]] += 1
    return floors * step


def recommend(geo: Geography, layer: str, resource: Resource) -> pd.DataFrame:
    """Population, need, weighted population, core, area-specific and recommended per area."""
    return _recommend(geo, layer, check(resource, len(geo.layer(layer))))


def _recommend(geo: Geography, layer: str, res: Resource) -> pd.DataFrame:
    frame = area_need(geo, layer, res.need)
    pop = frame["population"].to_numpy()
    w = res.need_weight
    weighted = pop * (1 - w + w * frame["need_index"].to_numpy())
    n = len(frame)
    if res.core_method == "minimum":
        core = np.full(n, res.core_amount)
    elif res.core_method == "per_head":
        core = res.total * res.core_share * (pop / pop.sum() if pop.sum() > 0 else 1 / n)
    else:
        core = np.full(n, res.total * res.core_share / n)
    specific_total = res.total - core.sum()
    specific = specific_total * (weighted / weighted.sum() if weighted.sum() > 0
                                 else np.full(n, 1 / n))
    recommended = core + specific
    if res.minimum > 0:
        recommended = _with_minimum(recommended, res.total, res.minimum)
    if res.rounding:
        recommended = round_to(recommended, res.rounding)
    frame["weighted_population"] = weighted
    frame["core"] = core
    frame["area_specific"] = specific
    frame["recommended"] = recommended
    return frame


def read_current(table: pd.DataFrame, source: str, resources: list[str],
                 layer_codes: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Check a current-allocation table (resource, layer, area, amount): every resource and area
    must be known and every amount a number of zero or more."""
    need = {"resource", "layer", "area", "amount"}
    missing = need - set(table.columns)
    if missing:
        raise AllocationError(f"{source}: missing column(s) {', '.join(sorted(missing))}. A "
                              "current-allocation file has columns resource, layer, area, "
                              "amount.")
    frame = table.astype({"resource": str, "layer": str, "area": str})
    unknown = sorted(set(frame["resource"]) - set(resources))
    if unknown:
        raise AllocationError(f"{source}: unknown resource(s) {', '.join(unknown)}. Known: "
                              f"{', '.join(resources)}; fix the name or add the resource.")
    for lay, rows in frame.groupby("layer"):
        if lay not in layer_codes:
            raise AllocationError(f"{source}: layer '{lay}' is not in the pack. Layers: "
                                  f"{', '.join(layer_codes)}.")
        bad = sorted(set(rows["area"]) - set(layer_codes[lay]))
        if bad:
            raise AllocationError(f"{source}: area code(s) {', '.join(bad[:5])} are not units "
                                  f"of layer '{lay}'; check the codes (they are text, so "
                                  "leading zeros matter).")
    amounts = pd.to_numeric(frame["amount"], errors="coerce")
    bad_rows = frame.index[amounts.isna() | (amounts < 0) | ~np.isfinite(amounts.fillna(0))]
    if len(bad_rows):
        row = frame.loc[bad_rows[0]]
        raise AllocationError(f"{source}: amount '{table.loc[bad_rows[0], 'amount']}' for "
                              f"{row['resource']} in {row['area']} is not a number of zero or "
                              "more; correct it.")
    dup = frame.duplicated(["resource", "layer", "area"], keep=False)
    if dup.any():
        row = frame[dup].iloc[0]
        raise AllocationError(f"{source}: {row['resource']} in {row['area']} appears more than "
                              "once; keep one row per resource and area.")
    return frame.assign(amount=amounts.astype(float))


def allocate(geo: Geography, layer: str, resource: Resource,
             current: pd.DataFrame | None = None) -> Allocation:
    """Recommended vs current allocation of one resource on one layer, and the transfers.

    ``current`` is a checked table (see :func:`read_current`); rows for other layers or
    resources are ignored. Areas with no current row count as zero, and the notes say so.
    """
    res = check(resource, len(geo.layer(layer)))
    frame = _recommend(geo, layer, res)
    notes = []
    rows = None
    if current is not None:
        rows = current[(current["resource"] == res.name) & (current["layer"] == layer)]
    if rows is not None and len(rows):
        amounts = rows.set_index("area")["amount"]
        absent = [c for c in frame["code"] if c not in amounts.index]
        if absent:
            notes.append(f"No current figure for {len(absent)} area(s) "
                         f"({', '.join(absent[:5])}); counted as 0.")
        frame["current"] = frame["code"].map(amounts).fillna(0.0).to_numpy(dtype=float)
        frame["gap"] = frame["recommended"] - frame["current"]
        diff = res.total - frame["current"].sum()
        if abs(diff) > 1e-6:
            notes.append(f"The total ({amount_text(res.total, res.unit)}) differs from the current "
                         f"total ({amount_text(frame['current'].sum(), res.unit)}): "
                         f"{amount_text(abs(diff), res.unit)} {'new' if diff > 0 else 'released'}.")
        transfers = minimal_transfers(frame, res)
    else:
        notes.append(f"No current allocation of {res.title} on this layer: showing the "
                     "recommendation only.")
        frame["current"] = np.nan
        frame["gap"] = np.nan
        transfers = ()
    weighted = frame["weighted_population"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["recommended_per_10k_weighted"] = np.where(
            weighted > 0, frame["recommended"] / weighted * 1e4, np.nan)
        frame["current_per_10k_weighted"] = np.where(
            weighted > 0, frame["current"] / weighted * 1e4, np.nan)
    return Allocation(res, layer, frame[TABLE_COLUMNS], tuple(transfers), tuple(notes))


def reexpress(geo: Geography, allocation: Allocation, to_layer: str) -> pd.DataFrame:
    """What each unit of ``to_layer`` receives, spreading each area's recommended (and current)
    amount over its residents: derived figures, not an allocation made on that layer."""
    ov = overlap(geo, allocation.layer, to_layer)
    pop = sparse.csr_matrix(ov.population)
    totals = np.asarray(pop.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = sparse.diags(np.where(totals > 0, 1 / totals, 0.0)) @ pop
    lay = geo.layer(to_layer)
    frame = pd.DataFrame({"code": pd.Series(lay.codes, dtype=str), "name": list(lay.names)})
    for col in ("recommended", "current"):
        values = allocation.table[col].to_numpy(dtype=float)
        frame[f"derived_{col}"] = spread.T @ np.nan_to_num(values) if not np.isnan(
            values).all() else np.nan
    frame["basis"] = (f"derived from {geo.layer(allocation.layer).label.lower()} "
                      "allocations, spread by residents")
    return frame
