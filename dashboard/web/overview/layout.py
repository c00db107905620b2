"""The overview page: "How well do our boundaries line up?" for the borough open in this tab.

An old map address (``/?measure=…``, ``/?layer=…&code=…``) from before the map had its own page
still opens the map, so bookmarks and shared links keep working.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine import alignment
from dashboard.web import ids, reference
from dashboard.web.common import controls
from dashboard.web.overview import views

MAP_KEYS = {"measure", "code", "show", "layer"}


def layout(from_layer: str | None = None, to_layer: str | None = None, **query) -> html.Div:
    if MAP_KEYS & set(query):
        from dashboard.web.map.layout import layout as map_layout

        return map_layout(**query)
    geo = reference.geography()
    names = alignment.area_layers(geo)
    pair = alignment.default_pair(geo)
    if from_layer in names and to_layer in names:
        pair = (from_layer, to_layer)
    options = [{"label": geo.layer(n).label, "value": n} for n in names]
    return html.Div([
        controls.pack_notice(geo),
        html.H1("How well do our boundaries line up?", className="h3 mb-0"),
        html.P(geo.name, className="lead mb-2"),
        html.P("Wards, PCNs and footprints drawn by different bodies rarely share boundaries. "
               "Each score is the share of residents who live in the unit of one layer that best "
               "fits their unit of the other; the cards name the units split worst, with links "
               "to see them on the map.", className="text-muted"),
        dbc.Row([
            dbc.Col(html.Div(views.matrix(geo, pair), id=ids.OVERVIEW_MATRIX), lg=5,
                    className="mb-3"),
            dbc.Col([
                dbc.Row([
                    dbc.Col(controls.field("Compare", dcc.Dropdown(
                        options, pair and pair[0], id=ids.OVERVIEW_FROM, clearable=False),
                        ids.OVERVIEW_FROM), sm=6),
                    dbc.Col(controls.field("with", dcc.Dropdown(
                        options, pair and pair[1], id=ids.OVERVIEW_TO, clearable=False),
                        ids.OVERVIEW_TO), sm=6),
                ], className="g-2"),
                html.Div(views.pair_section(geo, *pair) if pair else [],
                         id=ids.OVERVIEW_PAIR, **{"aria-live": "polite"}),
                dbc.Button("Board report (PDF)", id=ids.OVERVIEW_REPORT, color="secondary",
                           outline=True, size="sm", className="mb-2", disabled=not pair),
                dcc.Download(id=ids.OVERVIEW_REPORT_FILE),
            ], lg=7),
        ]),
        dcc.Store(id=ids.OVERVIEW_URL),
    ])
