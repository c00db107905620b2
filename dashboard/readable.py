"""How exported figures read: whole people, shares a spreadsheet shows as percentages, and in
CSV the same shares as fractions under names that say so.

The engine's figures are exact (a resident split by area is 13982.566626572272 people); a planner
reading an export wants 13,983. Rounding is for reading only: rows of rounded figures may not
add up to a rounded total, so the exact figures stay one option away (``exact=True``, the CLI's
``--exact``, "Exact figures" on the Overlaps page) for anyone who computes with them.
"""

from __future__ import annotations

import pandas as pd

# A column counts people when its name says so (population, need_population, residents_within…)
_PEOPLE = ("population", "residents", "patients", "people", "registered")
_AMOUNTS = ("amount", "recommended", "current", "gap", "core", "area_specific", "total",
            "staff")
EXACT_NOTE = "Exact, as computed (unrounded)."
READABLE_NOTE = ("People rounded to whole people, areas and distances to whole metres, amounts "
                 "to 2 decimals and other figures to 3; rows of rounded figures may not add up "
                 "to a rounded total exactly. Shares are fractions of 1 (shown as percentages "
                 "in Excel). For exact figures use --exact on the command line or 'Exact "
                 "figures' on the Overlaps page.")


def kind(column: str) -> str | None:
    """What a column holds: 'share', 'people', 'metres', 'amount', 'number' or None (text)."""
    name = str(column).lower()
    if name.startswith("share") or name.endswith("_share") or "_share_" in name:
        return "share"
    if name.endswith(("_m", "_m2")) or name in ("area_m2", "distance_m"):
        return "metres"
    if "per_10k" in name:
        return "number"
    if any(word in name for word in _PEOPLE):
        return "people"
    if any(name == a or name.startswith(a + "_") or name.endswith("_" + a) for a in _AMOUNTS):
        return "amount"
    return "number"


_DECIMALS = {"people": 0, "metres": 0, "amount": 2, "number": 3}
XLSX_FORMATS = {"share": "0.0%", "people": "#,##0", "metres": "#,##0", "amount": "#,##0.00",
                "number": "0.000"}


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers rounded for reading (shares left as they are: Excel formats them)."""
    out = frame.copy()
    for col in out.columns:
        if not numeric(out[col]):
            continue
        what = kind(col)
        if what == "share":
            out[col] = out[col].round(4)
        elif what in ("people", "metres"):
            out[col] = out[col].round(0).astype("Int64")
        else:
            out[col] = out[col].round(_DECIMALS[what])
    return out


def csv_names(frame: pd.DataFrame) -> pd.DataFrame:
    """Shares renamed as fractions (``share_of_from_population`` ->
    ``fraction_of_from_population``) so that a CSV says what its 0-1 numbers are."""
    return frame.rename(columns={c: str(c).replace("share", "fraction") for c in frame.columns
                                 if numeric(frame[c]) and kind(c) == "share"})


def numeric(series: pd.Series) -> bool:
    """A column of figures (booleans are flags, not figures)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
