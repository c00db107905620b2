"""AG Grid column definitions shared by every table."""

from __future__ import annotations

from collections.abc import Iterable

# Columns shown as percentages, counts or decimals; anything else (codes, names) stays text.
PERCENT = ("share", "share_of_from_population", "share_of_to_population", "share_of_from_area",
           "share_of_to_area", "best_fit_share", "share_outside")
COUNTS = ("population", "need_population", "population_outside", "pieces", "need_decile")
DECIMALS = ("area_km2", "density_per_km2", "need_score", "split_score")


def _format(col: str) -> str | None:
    if col in PERCENT:
        return ".1%"
    if col in COUNTS:
        return ",.0f"
    if col in DECIMALS:
        return ",.2f"
    return None


def column_defs(columns: Iterable[str]) -> list[dict]:
    """Readable headers; numbers right-aligned, formatted and filtered as numbers."""
    defs = []
    for col in columns:
        spec = {"field": col, "headerName": col.replace("_", " ").capitalize()}
        fmt = _format(col)
        if fmt:
            spec.update(type="numericColumn", filter="agNumberColumnFilter",
                        valueFormatter={"function": f"d3.format('{fmt}')(params.value)"})
        defs.append(spec)
    return defs
