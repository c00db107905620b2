"""Footprint profile, addressable as /footprint?layer=places&code=PP01 so it can be shared."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.web import ids, reference
from dashboard.web.common import controls


def layout(layer: str | None = None, code: str | None = None, need: str | None = None,
           **_query) -> html.Div:
    geo = reference.geography()
    names = [n for n, lay in geo.layers.items() if lay.kind != "small_areas"]
    layer = layer if layer in geo.layers else next(
        (n for n in names if geo.layer(n).kind == "grouping"), names[0])
    lay = geo.layer(layer)
    missing = None
    if code and code not in lay.positions:  # a mistyped or out-of-date link says so
        missing = dbc.Alert(f"There is no footprint '{code[:40]}' in {lay.label.lower()}; "
                            "choose one below.", color="warning", className="py-2")
        code = None
    need = controls.need_default(geo, need)
    return html.Div([
        controls.pack_notice(geo),
        missing,
        dbc.Row([
            dbc.Col([dbc.Label("Layer", html_for=ids.FOOTPRINT_LAYER),
                     dcc.Dropdown(controls.layer_options(geo), layer, id=ids.FOOTPRINT_LAYER,
                                  clearable=False)], md=4),
            dbc.Col([dbc.Label("Footprint", html_for=ids.FOOTPRINT_CODE),
                     dcc.Dropdown(controls.unit_options(geo, layer), code,
                                  id=ids.FOOTPRINT_CODE, placeholder="Choose a footprint")], md=5),
            dbc.Col([dbc.Label("Need indicator for deciles", html_for=ids.FOOTPRINT_NEED),
                     dcc.Dropdown(controls.need_options(geo), need, id=ids.FOOTPRINT_NEED,
                                  clearable=False, disabled=not geo.need)], md=3),
        ], className="g-2 mb-3"),
        # Near the top: the profile below runs to several screens.
        html.Div([dbc.Button("Board report (PDF)", id=ids.FOOTPRINT_REPORT, color="secondary",
                             outline=True, size="sm"),
                  dcc.Download(id=ids.FOOTPRINT_REPORT_FILE)], className="mb-2"),
        dcc.Loading(html.Div(id=ids.FOOTPRINT_CONTENT), delay_show=300),
        dcc.Store(id=ids.FOOTPRINT_URL),
    ])
