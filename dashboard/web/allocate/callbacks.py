"""Allocation page: recommendation, chart, map, transfers, derived view and downloads."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, html, no_update

from dashboard.data.allocations import checked_current
from dashboard.data.recognise import parse_table
from dashboard.engine.allocation import AllocationError, Resource, allocate, offered, reexpress
from dashboard.errors import DashboardError
from dashboard.exports import allocation_export
from dashboard.uploads import TABLE_FILE_LIMIT, Upload, decode
from dashboard.web import ids, reference
from dashboard.web.allocate import figures
from dashboard.web.allocate.state import SHARES, Shares
from dashboard.web.common import controls, downloads, grid
from dashboard.web.common.url import sync_url


def current_table(geo, records) -> pd.DataFrame | None:
    return pd.DataFrame(records) if records else geo.current_allocations


def parse_current(geo, filename: str, contents: str) -> list[dict]:
    """An uploaded current-allocation CSV, checked against the pack, as records."""
    raw = decode(Upload(filename, contents), TABLE_FILE_LIMIT)
    return checked_current(parse_table(raw, filename), filename, geo,
                           offered(geo.resources)).to_dict("records")


def closing_sentence(transfers, total: float, unit: str) -> str:
    """What closes every gap: moves between areas, and what is added beyond today's total or
    released from it when the total to share differs from today's (said apart, so a change
    of total is never reported as a move)."""
    if not transfers:
        return "Today's split already matches the recommendation."
    moved = sum(t.amount for t in transfers if t.from_code and t.to_code)
    added = sum(t.amount for t in transfers if t.from_code is None)
    released = sum(t.amount for t in transfers if t.to_code is None)
    parts = []
    if moved:
        parts.append(f"moving {controls.amount(moved, unit)} ({moved / total:.0%} of the total) "
                     "between areas")
    if added:
        parts.append(f"adding {controls.amount(added, unit)} beyond today's total")
    if released:
        parts.append(f"releasing {controls.amount(released, unit)} of today's total")
    said = " and ".join(parts)
    return f"{said[0].upper()}{said[1:]}, in {len(transfers)} transfer(s), closes every gap."


def allocation_view(geo, layer: str, res: Resource, current, other: str | None):
    """Summary, bar chart, map, table, transfers and derived table for one resource."""
    alloc = allocate(geo, layer, res, current)
    table, r, lay = alloc.table, alloc.resource, geo.layer(layer)
    lines = [html.Strong(f"{r.title}: {controls.amount(r.total, r.unit)} across {len(table)} "
                         f"{lay.label.lower()}. ")]
    if alloc.has_current:
        lines.append(closing_sentence(alloc.transfers, r.total, r.unit))
    summary = [html.P(lines)] + [dbc.Alert(n, color="info", className="py-1 small")
                                 for n in alloc.notes]
    bars = figures.allocation_bars(table, r.unit)
    per_10k = table["recommended_per_10k_weighted"].fillna(0).to_numpy()
    fig = figures.area_value_map(geo, reference.map_source(geo), layer, per_10k,
                                 f"{r.unit} per 10k")
    shown = pd.DataFrame({
        lay.label: table["name"], "Residents": table["population"],
        "Need index": table["need_index"], "Weighted residents": table["weighted_population"],
        "Current": table["current"], "Recommended": table["recommended"], "Gap": table["gap"],
        "Per 10k weighted": table["recommended_per_10k_weighted"]})
    money = ",.0f" if r.unit == "£" else ",.1f"
    table = grid.data_table(
        shown.fillna({"Current": np.nan}), {"Residents": ",.0f", "Need index": ".2f",
                                            "Weighted residents": ",.0f", "Current": money,
                                            "Recommended": money, "Gap": "+" + money,
                                            "Per 10k weighted": ",.2f"},
        caption=f"{r.title} by {lay.label.lower()}: core {r.core_method.replace('_', ' ')}, "
                f"need weight {r.need_weight:g} on {r.need or 'none (per head)'}")
    moves = (html.Ol([html.Li(t.sentence()) for t in alloc.transfers]) if alloc.transfers
             else controls.empty_state("No transfers: nothing to move." if alloc.has_current
                                         else "No current allocation on this layer, so no "
                                              "transfers; upload one to compare."))
    derived = None
    if other:
        frame = reexpress(geo, alloc, other)
        target = geo.layer(other)
        view = pd.DataFrame({target.label: frame["name"],
                             "Recommended (derived)": frame["derived_recommended"],
                             "Current (derived)": frame["derived_current"]})
        derived = grid.data_table(view, {"Recommended (derived)": money,
                                                "Current (derived)": money},
                                         caption=f"Derived, not allocated: {frame['basis'][0]}.")
    return summary, bars, fig, table, moves, derived



def register(app) -> None:
    _register_view(app)
    _register_inputs(app)
    _register_download(app)
    sync_url(app, ids.ALLOC_URL, {"layer": ids.ALLOC_LAYER, "resource": ids.ALLOC_RESOURCE,
                                  **SHARES, "reexpress": ids.ALLOC_REEXPRESS})


def _register_view(app) -> None:
    @app.callback(
        Output(ids.ALLOC_SUMMARY, "children"), Output(ids.ALLOC_BARS, "figure"),
        Output(ids.ALLOC_MAP, "figure"), Output(ids.ALLOC_TABLE, "children"),
        Output(ids.ALLOC_TRANSFERS, "children"), Output(ids.ALLOC_DERIVED, "children"),
        inputs={"layer": Input(ids.ALLOC_LAYER, "value"),
                "name": Input(ids.ALLOC_RESOURCE, "value"), "shares": controls.grouped(Input, SHARES),
                "records": Input(ids.ALLOC_CURRENT, "data"),
                "other": Input(ids.ALLOC_REEXPRESS, "value")})
    def update(*, layer, name, shares, records, other):
        geo = reference.geography()
        try:
            res = Shares.of(shares).resource(geo, name)
            return allocation_view(geo, layer, res, current_table(geo, records), other)
        except AllocationError as exc:
            # No stale figures under the message: the view says what to change instead.
            blank = {"data": [], "layout": {"xaxis": {"visible": False},
                                            "yaxis": {"visible": False}}}
            return (controls.small_alert(f"{exc} The figures will show again once it is "
                                         "corrected.", "warning"), blank, blank, None, None,
                    None)

    @app.callback(Output(ids.ALLOC_TOTAL, "invalid"), Output(ids.ALLOC_MINIMUM, "invalid"),
                  Input(ids.ALLOC_TOTAL, "value"), Input(ids.ALLOC_MINIMUM, "value"))
    def check_numbers(total, minimum):
        return controls.not_a_count(total), controls.not_a_count(minimum)


def _register_inputs(app) -> None:
    @app.callback(output=controls.grouped(Output, SHARES),
                  inputs={"name": Input(ids.ALLOC_RESOURCE, "value")}, prevent_initial_call=True)
    def reset(*, name):
        res = next(r for r in offered(reference.geography().resources) if r.name == name)
        return Shares.of_resource(res).to_json()

    @app.callback(Output(ids.ALLOC_CORE_SHARE, "disabled"),
                  Output(ids.ALLOC_CORE_AMOUNT, "disabled"),
                  Input(ids.ALLOC_CORE_METHOD, "value"))
    def core_fields(method):
        return method == "minimum", method != "minimum"

    @app.callback(Output(ids.ALLOC_CURRENT, "data"), Output(ids.ALLOC_CURRENT_STATUS, "children"),
                  Input(ids.ALLOC_CURRENT_FILE, "contents"),
                  State(ids.ALLOC_CURRENT_FILE, "filename"), prevent_initial_call=True)
    def upload(contents, filename):
        try:
            records = parse_current(reference.geography(), filename, contents)
        except DashboardError as exc:
            return no_update, dbc.Alert(str(exc), color="danger", className="py-1 small")
        return records, dbc.Alert(f"Using {filename} ({len(records)} rows) as the current "
                                  "allocation.", color="success", className="py-1 small")


def _register_download(app) -> None:
    @app.callback(
        Output(ids.ALLOC_DOWNLOAD, "data"),
        inputs={"clicks": [Input(b, "n_clicks") for b in ids.ALLOC_EXPORT.values()]},
        state={"layer": State(ids.ALLOC_LAYER, "value"),
               "name": State(ids.ALLOC_RESOURCE, "value"), "shares": controls.grouped(State, SHARES),
               "records": State(ids.ALLOC_CURRENT, "data")},
        prevent_initial_call=True)
    def download(*, clicks, layer, name, shares, records):
        del clicks  # which one was pressed is ctx.triggered_id
        geo = reference.geography()
        res = Shares.of(shares).resource(geo, name)
        # The chosen resource as set on the page, then every other one as the pack records it.
        resources = [res, *[r for r in offered(geo.resources) if r.name != name]]
        return downloads.send(ids.ALLOC_EXPORT, lambda fmt: allocation_export(
            geo, layer, resources, current_table(geo, records), fmt))
