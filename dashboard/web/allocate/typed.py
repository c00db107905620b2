"""Allocate page: today's split typed in, one box per area, instead of uploaded as a file."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, html, no_update

from dashboard.data.allocations import checked_current
from dashboard.engine.allocation import offered
from dashboard.errors import DashboardError
from dashboard.web import ids, reference
from dashboard.web.allocate.callbacks import current_table
from dashboard.web.common import controls


def typed_rows(geo, layer: str, resource: str, records) -> html.Table:
    """A labelled number box per area of ``layer``, filled with today's amounts if known."""
    current = current_table(geo, records)
    known = {}
    if current is not None and len(current):
        mine = current[(current["resource"] == resource) & (current["layer"] == layer)]
        known = dict(zip(mine["area"].astype(str), mine["amount"]))
    lay = geo.layer(layer)
    rows = [html.Tr([html.Th(name, scope="row", className="fw-normal"),
                     html.Td(html.Label([html.Span(f"Today's amount for {name}",
                                                   className="visually-hidden"),
                                         dbc.Input(id={"type": ids.ALLOC_TYPED, "code": code},
                                                   type="number", min=0, size="sm",
                                                   value=known.get(code))]))])
            for code, name in zip(lay.codes, lay.names)]
    return html.Table(html.Tbody(rows), className="table table-sm small mb-0")


def typed_records(geo, layer: str, resource: str, codes: list[str], values: list,
                  records) -> list[dict] | None:
    """The current allocation with this resource's amounts on ``layer`` as typed (blanks count
    as 0), the rest as before; ``None`` when nothing is typed."""
    if all(v is None or v == "" for v in values):
        return None
    typed = pd.DataFrame({"resource": resource, "layer": layer, "area": codes,
                          "amount": [0.0 if v is None or v == "" else v for v in values]})
    before = current_table(geo, records)
    if before is not None and len(before):
        keep = ~((before["resource"] == resource) & (before["layer"] == layer))
        typed = pd.concat([before[keep], typed], ignore_index=True)
    checked = checked_current(typed, "The typed amounts", geo, offered(geo.resources))
    return checked.to_dict("records")


def register(app) -> None:
    server = app.server

    @app.callback(Output(ids.ALLOC_TYPED_ROWS, "children"), Input(ids.ALLOC_LAYER, "value"),
                  Input(ids.ALLOC_RESOURCE, "value"), State(ids.ALLOC_CURRENT, "data"))
    def rows(layer, resource, records):
        return typed_rows(reference.geography(server), layer, resource, records)

    @app.callback(Output(ids.ALLOC_CURRENT, "data", allow_duplicate=True),
                  Output(ids.ALLOC_CURRENT_STATUS, "children", allow_duplicate=True),
                  Input({"type": ids.ALLOC_TYPED, "code": ALL}, "value"),
                  State({"type": ids.ALLOC_TYPED, "code": ALL}, "id"),
                  State(ids.ALLOC_LAYER, "value"), State(ids.ALLOC_RESOURCE, "value"),
                  State(ids.ALLOC_CURRENT, "data"), prevent_initial_call=True)
    def typed(values, box_ids, layer, resource, records):
        if any(isinstance(v, float) and not math.isfinite(v) for v in values if v is not None):
            return no_update, controls.small_alert("Type amounts as plain numbers.")
        try:
            found = typed_records(reference.geography(server), layer, resource,
                                  [i["code"] for i in box_ids], values, records)
        except DashboardError as exc:  # e.g. a negative amount: said beside the boxes
            return no_update, controls.small_alert(str(exc))
        if found is None:
            return no_update, no_update
        filled = sum(v not in (None, "") for v in values)
        status = dbc.Alert(f"Using the typed amounts as today's split ({filled} of "
                           f"{len(values)} areas typed; blanks count as 0).",
                           color="success", className="py-1 small")
        return (found if found != records else no_update), status
