"""GP registrations as a layer: practices, their PCNs, and each small area's patients' shares
across PCNs (the footprint rule applied), with the checks a council's files need."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.data.codes import (
    clean_codes,
    column_label,
    explain_unmatched,
    numeric_column,
    require_columns,
    require_unique,
    unmatched,
)
from dashboard.engine.footprints import (
    MIXED_CODE,
    MIXED_NAME,
    OUTSIDE_CODE,
    OUTSIDE_NAME,
    OUTSIDE_PRACTICE,
    apply_rule,
)
from dashboard.engine.geography import BNG, Layer, frozen_array
from dashboard.errors import CodeError, DataFileError


@dataclass
class RegistrationInput:
    name: str
    label: str
    practices: pd.DataFrame  # columns code, name, unit_code, unit_name, list_size, x, y (BNG)
    registrations: pd.DataFrame  # columns practice, small_area, patients
    practices_source: str
    registrations_source: str
    practice_columns: dict[str, str] = field(default_factory=dict)
    registration_columns: dict[str, str] = field(default_factory=dict)
    rule: str = "proportional"  # footprint rule: see dashboard.engine.footprints
    min_share: float = 0.0
    estimated: bool = False  # registrations estimated from practice locations


def registration_layer(inp: RegistrationInput, sa_codes: tuple[str, ...], warnings: list[str]):
    """The registration layer, its small area x unit shares, practices as points, patients per
    small area and per-unit extras (shares living or registered outside)."""
    prac = inp.practices
    prac_codes, unit_codes, r_prac, r_sa, patients = _checked_codes(inp, warnings)
    units: dict[str, str] = {}
    for code, name in zip(unit_codes, prac["unit_name"].astype("string").fillna("").astype(str)):
        units.setdefault(code, name or code)
    if (r_prac == OUTSIDE_PRACTICE).any():
        units[OUTSIDE_CODE] = OUTSIDE_NAME
    codes = tuple(sorted(c for c in units if c != OUTSIDE_CODE))
    codes = (*codes, OUTSIDE_CODE) if OUTSIDE_CODE in units else codes
    unit_index = {c: i for i, c in enumerate(codes)}
    prac_unit = dict(zip(prac_codes, (unit_index[u] for u in unit_codes)))
    if OUTSIDE_CODE in units:
        prac_unit[OUTSIDE_PRACTICE] = unit_index[OUTSIDE_CODE]
    sa_index = {c: i for i, c in enumerate(sa_codes)}
    inside = r_sa.isin(sa_index) & r_prac.isin(prac_unit)
    outside = patients[~r_sa.isin(sa_index)].sum()
    if outside > 0:
        warnings.append(
            f"{inp.registrations_source}: {outside:,.0f} patients ({outside / patients.sum():.1%}) "
            "live outside the pack's small areas; they count towards list sizes, not residents."
        )
    rows = r_sa[inside].map(sa_index).to_numpy(dtype=int)
    cols = r_prac[inside].map(prac_unit).to_numpy(dtype=int)
    counts = sparse.csr_matrix((patients[inside].to_numpy(), (rows, cols)),
                               shape=(len(sa_codes), len(codes)))
    counts.sum_duplicates()
    per_sa = np.asarray(counts.sum(axis=1)).ravel()
    none = np.flatnonzero(per_sa <= 0)
    if len(none):
        raise CodeError(
            f"{inp.registrations_source}: {len(none)} small area(s) have no patients registered "
            f"with any practice in {inp.practices_source}: {', '.join(sa_codes[i] for i in none[:5])}. "
            "Their residents would belong to no unit of layer "
            f"'{inp.name}'; add the practices their patients use, or check the small-area codes."
        )
    raw = sparse.diags(1.0 / per_sa) @ counts
    extras = {"living_outside": _living_outside(r_sa, r_prac, patients, sa_index, prac_unit,
                                                codes)}
    if OUTSIDE_CODE in units:  # each small area's share registered beyond the pack's PCNs
        extras["registered_outside"] = frozen_array(
            raw[:, unit_index[OUTSIDE_CODE]].toarray().ravel(), dtype=float)
    shares, mixed = apply_rule(raw, inp.rule, inp.min_share)
    names = tuple(units[c] for c in codes)
    if mixed:
        codes, names = (*codes, MIXED_CODE), (*names, MIXED_NAME)
    layer = Layer(inp.name, inp.label, "registration", codes, names, estimated=inp.estimated)
    return (layer, sparse.csr_matrix(shares), _practice_points(prac, prac_codes, unit_codes),
            per_sa, extras)


def _living_outside(r_sa, r_prac, patients, sa_index, prac_unit, codes) -> dict[str, float]:
    """Each unit's share of its registered patients who live outside the pack's small areas."""
    known = r_prac.isin(prac_unit).to_numpy()
    unit = r_prac[known].map(prac_unit).to_numpy(dtype=int)
    counts = patients[known].to_numpy()
    away = ~r_sa[known].isin(sa_index).to_numpy()
    total = np.bincount(unit, weights=counts, minlength=len(codes))
    far = np.bincount(unit, weights=counts * away, minlength=len(codes))
    return {c: float(f / t) for c, f, t in zip(codes, far, total) if t > 0}


def _practice_points(prac: pd.DataFrame, codes: pd.Series, units: pd.Series):
    """Practices as BNG points when the table has coordinates (x, y), else None."""
    if not {"x", "y"} <= set(prac.columns):
        return None
    frame = pd.DataFrame({"code": codes.to_numpy(), "name": prac["name"].astype(str).to_numpy(),
                          "unit_code": units.to_numpy()})
    if "list_size" in prac:
        frame["list_size"] = prac["list_size"].to_numpy(dtype=float)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(prac["x"], prac["y"]), crs=BNG)


def _checked_codes(inp: RegistrationInput, warnings: list[str]) -> tuple:
    """Practice and PCN codes, and the registrations' practice, small-area and patient columns,
    cleaned; unknown practices are refused when they hold over 5% of patients."""
    prac = inp.practices
    require_columns(prac, ("code", "name", "unit_code", "unit_name"), inp.practices_source)
    pcols, rcols = inp.practice_columns, inp.registration_columns
    prac_codes = clean_codes(prac["code"], inp.practices_source, column_label(pcols, "code"))
    require_unique(prac_codes, inp.practices_source, column_label(pcols, "code"))
    unit_codes = clean_codes(prac["unit_code"], inp.practices_source, column_label(pcols, "unit_code"))
    reg = inp.registrations
    require_columns(reg, ("practice", "small_area", "patients"), inp.registrations_source)
    if len(reg) == 0:
        raise DataFileError(f"{inp.registrations_source}: the file has no rows.")
    r_prac = clean_codes(reg["practice"], inp.registrations_source, column_label(rcols, "practice"))
    r_sa = clean_codes(reg["small_area"], inp.registrations_source, column_label(rcols, "small_area"))
    patients = numeric_column(reg, "patients", inp.registrations_source,
                              label=column_label(rcols, "patients"))
    unknown = unmatched(r_prac[r_prac != OUTSIDE_PRACTICE], prac_codes)
    if unknown:
        share = patients[r_prac.isin(unknown)].sum() / patients.sum()
        if share > 0.05:
            raise CodeError(explain_unmatched(unknown, prac_codes, inp.registrations_source,
                                              column_label(rcols, "practice"), inp.practices_source))
        warnings.append(
            f"{inp.registrations_source}: {len(unknown)} practice code(s) are not in "
            f"{inp.practices_source} ({share:.1%} of patients), ignored: {', '.join(unknown[:5])}."
        )
    return prac_codes, unit_codes, r_prac, r_sa, patients
