"""Callbacks: thin wrappers that read the geography, call the engine and shape the output."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, html

from dashboard import ids, reference
from dashboard.engine import mismatch, overlap
from dashboard.errors import DashboardError

PERCENT_COLUMNS = ("share_of_from_population", "share_of_to_population", "share_of_from_area",
                   "share_of_to_area")


def _column(col: str) -> dict:
    """AG Grid column definition: readable header, numbers formatted, codes left as text."""
    spec = {"field": col, "headerName": col.replace("_", " ").capitalize()}
    formats = {",.0f": ("population", "need_population"), ",.2f": ("area_km2",),
               ".1%": PERCENT_COLUMNS}
    for fmt, cols in formats.items():
        if col in cols:
            spec.update(type="numericColumn", filter="agNumberColumnFilter",
                        valueFormatter={"function": f"d3.format('{fmt}')(params.value)"})
    return spec


def overlap_view(geo, from_layer: str, to_layer: str, method: str, need: str | None):
    """Summary, table rows and columns for the overlap of two layers (plain function, testable)."""
    ov = overlap(geo, from_layer, to_layer, method, need)
    mm = mismatch(ov)
    table = ov.table()
    table["area_km2"] = table.pop("area_m2") / 1e6
    columns = [_column(col) for col in table.columns]
    a, b = geo.layer(from_layer), geo.layer(to_layer)
    lines = [
        html.Strong(f"Alignment score {mm.alignment:.2f}"),
        f" (1 = one layer's boundaries follow the other's). {a.label} in {b.label}: "
        f"{mm.nesting_from:.0%} of residents are in their unit's best fit, split score "
        f"{mm.split_score_from:.2f}; {b.label} in {a.label}: {mm.nesting_to:.0%}, split score "
        f"{mm.split_score_to:.2f} (1 = no unit split).",
    ]
    if method == "best-fit":
        lines.append(f" Best-fitting moves {ov.moved_by_best_fit:.1%} of residents.")
    return html.P(lines), table.to_dict("records"), columns


def register(app) -> None:
    """Attach every callback to ``app``."""
    @app.callback(
        Output(ids.OVERLAP_SUMMARY, "children"),
        Output(ids.OVERLAP_TABLE, "rowData"),
        Output(ids.OVERLAP_TABLE, "columnDefs"),
        Output(ids.PAGE_ALERT, "children"),
        Input(ids.OVERLAP_FROM, "value"),
        Input(ids.OVERLAP_TO, "value"),
        Input(ids.OVERLAP_METHOD, "value"),
        Input(ids.OVERLAP_NEED, "value"),
    )
    def update_overlap(from_layer, to_layer, method, need):
        try:
            summary, rows, columns = overlap_view(reference.geography(app.server), from_layer, to_layer,
                                                  method, need)
        except DashboardError as exc:
            return None, [], [], dbc.Alert(str(exc), color="danger")
        return summary, rows, columns, None
