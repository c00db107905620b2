"""Overview page: choosing a pair redraws its headlines and worst-split units."""

from __future__ import annotations

from dash import Input, Output, no_update

from dashboard.web import ids, reference
from dashboard.web.common.url import sync_url
from dashboard.web.overview import views


def register(app) -> None:
    server = app.server

    @app.callback(Output(ids.OVERVIEW_PAIR, "children"), Output(ids.OVERVIEW_MATRIX, "children"),
                  Input(ids.OVERVIEW_FROM, "value"), Input(ids.OVERVIEW_TO, "value"),
                  prevent_initial_call=True)
    def pair(a, b):
        geo = reference.geography(server)
        if a not in geo.layers or b not in geo.layers:
            return no_update, no_update
        return views.pair_section(geo, a, b), views.matrix(geo, (a, b))

    sync_url(app, ids.OVERVIEW_URL, {"from_layer": ids.OVERVIEW_FROM,
                                     "to_layer": ids.OVERVIEW_TO})
