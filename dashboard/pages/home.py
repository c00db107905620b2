"""Home page: what the pack holds and how any two of its layers overlap."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids, reference
from dashboard.engine import METHODS

dash.register_page(__name__, path="/", title="Place alignment dashboard")


def _summary_cards(geo) -> dbc.Row:
    cards = [("Residents", f"{geo.total_population:,.0f}"),
             (geo.small_areas.label, f"{len(geo.small_areas)}")]
    cards += [(layer.label, f"{len(layer)}") for layer in geo.layers.values()
              if layer.kind != "small_areas"]
    if geo.hubs is not None:
        cards.append(("Hubs", f"{len(geo.hubs)}"))
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(value, className="fs-4 fw-semibold"), html.Div(label, className="text-muted small"),
    ])), xs=6, md=3, lg=2, className="mb-2") for label, value in cards])


def layout(from_layer: str = "places", to_layer: str = "pcns", method: str = "proportional",
           need: str | None = None, **_query) -> html.Div:
    geo = reference.geography()
    layers = [{"label": lay.label, "value": lay.name} for lay in geo.layers.values()]
    names = [opt["value"] for opt in layers]
    from_layer = from_layer if from_layer in names else names[-1]
    to_layer = to_layer if to_layer in names else names[0]
    needs = [{"label": geo.need_labels.get(k, k), "value": k} for k in geo.need]
    need = need if need in geo.need else (needs[0]["value"] if needs else None)
    notice = dbc.Alert(
        "This is a fictional borough generated for demonstration; no figure describes a real "
        "place.", color="warning", className="py-2") if geo.fictional else None
    return html.Div([
        notice,
        html.H1(geo.name, className="h3"),
        html.P(geo.metadata.get("description", ""), className="text-muted"),
        _summary_cards(geo),
        html.H2("How two layers overlap", className="h5 mt-4"),
        dbc.Row([
            dbc.Col([dbc.Label("From", html_for=ids.OVERLAP_FROM),
                     dcc.Dropdown(layers, from_layer, id=ids.OVERLAP_FROM, clearable=False)], md=3),
            dbc.Col([dbc.Label("To", html_for=ids.OVERLAP_TO),
                     dcc.Dropdown(layers, to_layer, id=ids.OVERLAP_TO, clearable=False)], md=3),
            dbc.Col([dbc.Label("Method", html_for=ids.OVERLAP_METHOD),
                     dcc.Dropdown(list(METHODS), method if method in METHODS else METHODS[0],
                                  id=ids.OVERLAP_METHOD, clearable=False)], md=3),
            dbc.Col([dbc.Label("Need indicator", html_for=ids.OVERLAP_NEED),
                     dcc.Dropdown(needs, need, id=ids.OVERLAP_NEED, clearable=False)], md=3),
        ], className="g-2 mb-2"),
        html.Div(id=ids.PAGE_ALERT),
        dcc.Loading(html.Div([
            html.Div(id=ids.OVERLAP_SUMMARY, className="my-2"),
            dag.AgGrid(
                id=ids.OVERLAP_TABLE, rowData=[], columnDefs=[],
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                dashGridOptions={"pagination": True, "paginationPageSize": 20,
                                 "domLayout": "autoHeight"},
                className="ag-theme-alpine", style={"width": "100%"},
            ),
        ])),
        html.P(f"{len(geo.layer(from_layer))} {geo.layer(from_layer).label.lower()} in this pack.",
               className="text-muted small mt-2"),
    ])
