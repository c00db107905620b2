"""Allocation page: recommendation, chart, map, transfers, derived view and downloads."""

from __future__ import annotations

import dataclasses

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard.data.allocations import checked_current
from dashboard.data.recognise import parse_table
from dashboard.engine.allocation import AllocationError, Resource, allocate, offered, reexpress
from dashboard.errors import DashboardError
from dashboard.exports import allocation_export
from dashboard.packs import TABLE_FILE_LIMIT, Upload, decode
from dashboard.web import ids, reference
from dashboard.web.allocate import figures
from dashboard.web.common import controls, grid
from dashboard.web.common.shapes import display_geometry
from dashboard.web.common.url import sync_url

SETTINGS = [ids.ALLOC_TOTAL, ids.ALLOC_CORE_METHOD, ids.ALLOC_CORE_SHARE, ids.ALLOC_CORE_AMOUNT,
            ids.ALLOC_NEED, ids.ALLOC_WEIGHT, ids.ALLOC_MINIMUM, ids.ALLOC_ROUNDING]


def chosen_resource(geo, name, total, core, core_share, core_amount, need, weight, minimum,
                    rounding) -> Resource:
    """The pack's resource with the page's settings; the engine checks the numbers."""
    base = next((r for r in offered(geo.resources) if r.name == name), None)
    if base is None:
        raise AllocationError(f"The pack has no resource '{name}'.")
    return dataclasses.replace(
        base, total=total, core_method=core, core_share=core_share or 0.0,
        core_amount=core_amount or 0.0, need=None if need == "none" else need,
        need_weight=weight or 0.0, minimum=minimum or 0.0,
        rounding=None if rounding in (None, "none") else float(rounding))


def current_table(geo, records) -> pd.DataFrame | None:
    return pd.DataFrame(records) if records else geo.current_allocations


def parse_current(geo, filename: str, contents: str) -> list[dict]:
    """An uploaded current-allocation CSV, checked against the pack, as records."""
    raw = decode(Upload(filename, contents), TABLE_FILE_LIMIT)
    return checked_current(parse_table(raw, filename), filename, geo,
                           offered(geo.resources)).to_dict("records")


def allocation_view(geo, layer: str, res: Resource, current, other: str | None):
    """Summary, bar chart, map, table, transfers and derived table for one resource."""
    alloc = allocate(geo, layer, res, current)
    table, r, lay = alloc.table, alloc.resource, geo.layer(layer)
    lines = [html.Strong(f"{r.title}: {controls.amount(r.total, r.unit)} across {len(table)} "
                         f"{lay.label.lower()}. ")]
    if alloc.has_current:
        moved = sum(t.amount for t in alloc.transfers if t.from_code and t.to_code)
        lines.append(f"Moving {controls.amount(moved, r.unit)} ({moved / r.total:.0%} of the total) in "
                     f"{len(alloc.transfers)} transfer(s) closes every gap." if alloc.transfers
                     else "Today's split already matches the recommendation.")
    summary = [html.P(lines)] + [dbc.Alert(n, color="info", className="py-1 small")
                                 for n in alloc.notes]
    bars = figures.allocation_bars(table, r.unit)
    disp = display_geometry(geo)
    per_10k = table["recommended_per_10k_weighted"].fillna(0).to_numpy()
    fig = figures.area_value_map(geo, disp, reference.geojson_url(disp), layer, per_10k,
                                 f"{r.unit} per 10k", reference.blank_style_url())
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
    server = app.server

    @app.callback(
        Output(ids.ALLOC_SUMMARY, "children"), Output(ids.ALLOC_BARS, "figure"),
        Output(ids.ALLOC_MAP, "figure"), Output(ids.ALLOC_TABLE, "children"),
        Output(ids.ALLOC_TRANSFERS, "children"), Output(ids.ALLOC_DERIVED, "children"),
        Input(ids.ALLOC_LAYER, "value"), Input(ids.ALLOC_RESOURCE, "value"),
        *[Input(s, "value") for s in SETTINGS], Input(ids.ALLOC_CURRENT, "data"),
        Input(ids.ALLOC_REEXPRESS, "value"),
    )
    def update(layer, name, *rest):
        *settings, records, other = rest
        geo = reference.geography(server)
        res = chosen_resource(geo, name, *settings)
        return allocation_view(geo, layer, res, current_table(geo, records), other)

    @app.callback([Output(s, "value") for s in SETTINGS], Input(ids.ALLOC_RESOURCE, "value"),
                  prevent_initial_call=True)
    def reset(name):
        res = next(r for r in offered(reference.geography(server).resources) if r.name == name)
        return [res.total, res.core_method, res.core_share, res.core_amount, res.need or "none",
                res.need_weight, res.minimum, controls.rounding_value(res.rounding)]

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
            records = parse_current(reference.geography(server), filename, contents)
        except DashboardError as exc:
            return no_update, dbc.Alert(str(exc), color="danger", className="py-1 small")
        return records, dbc.Alert(f"Using {filename} ({len(records)} rows) as the current "
                                  "allocation.", color="success", className="py-1 small")

    @app.callback(
        Output(ids.ALLOC_DOWNLOAD, "data"),
        *[Input(b, "n_clicks") for b in ids.ALLOC_EXPORT.values()],
        State(ids.ALLOC_LAYER, "value"), State(ids.ALLOC_RESOURCE, "value"),
        *[State(s, "value") for s in SETTINGS], State(ids.ALLOC_CURRENT, "data"),
        prevent_initial_call=True,
    )
    def download(*args):
        fmt = next((k for k, v in ids.ALLOC_EXPORT.items() if v == ctx.triggered_id), None)
        if fmt is None:
            return no_update
        layer, name, *settings, records = args[len(ids.ALLOC_EXPORT):]
        geo = reference.geography(server)
        res = chosen_resource(geo, name, *settings)
        # The chosen resource as set on the page, then every other one as the pack records it.
        resources = [res, *[r for r in offered(geo.resources) if r.name != name]]
        filename, data = allocation_export(geo, layer, resources, current_table(geo, records),
                                           fmt)
        return dcc.send_bytes(data, filename)

    sync_url(app, ids.ALLOC_URL, {
        "layer": ids.ALLOC_LAYER, "resource": ids.ALLOC_RESOURCE, "total": ids.ALLOC_TOTAL,
        "core": ids.ALLOC_CORE_METHOD, "core_share": ids.ALLOC_CORE_SHARE,
        "core_amount": ids.ALLOC_CORE_AMOUNT, "need": ids.ALLOC_NEED, "w": ids.ALLOC_WEIGHT,
        "minimum": ids.ALLOC_MINIMUM, "rounding": ids.ALLOC_ROUNDING,
        "reexpress": ids.ALLOC_REEXPRESS})
