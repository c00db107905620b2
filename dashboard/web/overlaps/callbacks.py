"""Overlap explorer: summary, heatmap, scorecard, the table of every overlap and downloads."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard.engine import mismatch, on_basis, overlap
from dashboard.exports import overlap_export
from dashboard.web import ids, reference
from dashboard.web.common import controls, grid, table_view
from dashboard.web.common.url import sync_url
from dashboard.web.overlaps import figures
from dashboard.web.overlaps.layout import COLUMNS

HEATMAP_MAX_ROWS = 60


def overlap_rows(geo, from_layer: str, to_layer: str, method: str, need: str | None,
                 basis: str = "residents") -> tuple[pd.DataFrame, list[str]]:
    """Every overlap of the two layers as the page's table shows it, and its columns."""
    table = overlap(on_basis(geo, basis), from_layer, to_layer, method, need).table()
    table["area_m2"] = table["area_m2"] / 1e6
    return table.rename(columns={"area_m2": "area_km2"}), COLUMNS


def overlap_view(geo, from_layer: str, to_layer: str, method: str, need: str | None,
                 basis: str = "residents"):
    """Summary, heatmap and scorecard for two layers."""
    people = "registered patients" if basis == "registered" else "residents"
    ov = overlap(on_basis(geo, basis), from_layer, to_layer, method, need)
    mm = mismatch(ov)
    a, b = geo.layer(from_layer), geo.layer(to_layer)
    lines = [
        html.Strong(f"Alignment score {mm.alignment:.2f}"),
        f" (1 = one layer's boundaries follow the other's). {a.label} in {b.label}: "
        f"{mm.nesting_from:.0%} of {people} are in their unit's best fit, split score "
        f"{mm.split_score_from:.2f}; {b.label} in {a.label}: {mm.nesting_to:.0%}, split score "
        f"{mm.split_score_to:.2f} (1 = no unit split).",
    ]
    if method == "best-fit":
        lines.append(f" Best-fitting moves {ov.moved_by_best_fit:.1%} of {people}.")
    return html.P(lines), _heatmap(ov, a, b), _scorecard(mm, a, b)


def _heatmap(ov, a, b):
    pop = ov.population.toarray()
    totals = pop.sum(axis=1)
    order = np.argsort(-totals, kind="stable")[:HEATMAP_MAX_ROWS]
    cols = np.flatnonzero(pop.sum(axis=0) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(totals[:, None] > 0, pop / totals[:, None], 0.0)
    title_rows = [a.names[i] for i in order]
    fig = figures.heatmap(share[np.ix_(order, cols)], title_rows, [b.names[j] for j in cols],
                          pop[np.ix_(order, cols)], a.label, b.label)
    if len(totals) > HEATMAP_MAX_ROWS:
        fig.add_annotation(text=f"Largest {HEATMAP_MAX_ROWS} of {len(totals)} rows; the table "
                                "below has them all.", xref="paper", yref="paper", x=0, y=-0.02,
                           showarrow=False, font={"size": 11})
    return fig


def _scorecard(mm, a, b) -> list:
    """The units each layer splits worst, as accessible tables."""
    parts = []
    for units, lay, partner in ((mm.from_units, a, b), (mm.to_units, b, a)):
        worst = units[(units["population"] > 0) & (units["share_outside"] >= 0.005)].head(8)
        if worst.empty:
            parts.append(controls.empty_state(
                f"Every unit of {lay.label.lower()} lies within one of {partner.label.lower()}."))
            continue
        shown = pd.DataFrame({
            lay.label: worst["name"], f"Main {partner.label.lower()}": worst["best_fit_name"],
            "Outside it": worst["share_outside"], "Pieces": worst["pieces"],
            "Split score": worst["split_score"]})
        parts.append(grid.data_table(
            shown, {"Outside it": ".0%", "Pieces": "d", "Split score": ".2f"},
            caption=f"{lay.label} most split by {partner.label.lower()}"))
    return parts


# What the page's figures and table are of: the two layers, method, need and count.
CHOICES = (Input(ids.OVERLAP_FROM, "value"), Input(ids.OVERLAP_TO, "value"),
           Input(ids.OVERLAP_METHOD, "value"), Input(ids.OVERLAP_NEED, "value"),
           Input(ids.OVERLAP_COUNT, "value"))


def register(app) -> None:
    server = app.server

    @app.callback(
        Output(ids.OVERLAP_SUMMARY, "children"), Output(ids.OVERLAP_HEATMAP, "figure"),
        Output(ids.OVERLAP_SCORECARD, "children"), *CHOICES)
    def update(from_layer, to_layer, method, need, basis):
        return overlap_view(reference.geography(server), from_layer, to_layer, method, need,
                            basis)

    table_view.register(app, ids.OVERLAP_TABLE, lambda *choice: overlap_rows(
        reference.geography(server), *choice), CHOICES)

    @app.callback(
        Output(ids.OVERLAP_DOWNLOAD, "data"),
        *[Input(button, "n_clicks") for button in ids.OVERLAP_EXPORT.values()],
        State(ids.OVERLAP_FROM, "value"), State(ids.OVERLAP_TO, "value"),
        State(ids.OVERLAP_METHOD, "value"), State(ids.OVERLAP_NEED, "value"),
        State(ids.OVERLAP_COUNT, "value"), State(ids.OVERLAP_EXACT, "value"),
        prevent_initial_call=True,
    )
    def download(*args):
        fmt = next((k for k, v in ids.OVERLAP_EXPORT.items() if v == ctx.triggered_id), None)
        if fmt is None:
            return no_update
        from_layer, to_layer, method, need, basis, exact = args[-6:]
        name, data = overlap_export(reference.geography(server), from_layer, to_layer, method,
                                    need, fmt, basis=basis, exact="exact" in (exact or []))
        return dcc.send_bytes(data, name)

    sync_url(app, ids.OVERLAP_URL, {"from_layer": ids.OVERLAP_FROM, "to_layer": ids.OVERLAP_TO,
                                    "method": ids.OVERLAP_METHOD, "need": ids.OVERLAP_NEED,
                                    "count": ids.OVERLAP_COUNT})
