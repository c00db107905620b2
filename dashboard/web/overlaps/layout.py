"""Overlap explorer: any two layers as a heatmap, a ranked scorecard, a grid and exports."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine import BASES, METHODS, alignment
from dashboard.engine.basis import registered_layer
from dashboard.engine.overlaps import TABLE_COLUMNS
from dashboard.exports import EXPORT_FORMATS
from dashboard.web import ids, reference
from dashboard.web.common import controls, downloads, table_view

# The table of every overlap: the engine's columns, areas in km² rather than m².
COLUMNS = ["area_km2" if c == "area_m2" else c for c in TABLE_COLUMNS]


def layout(from_layer: str | None = None, to_layer: str | None = None,
           method: str = "proportional", need: str | None = None, count: str = "residents",
           **_query) -> html.Div:
    geo = reference.geography()
    layers = controls.layer_options(geo)
    names = [opt["value"] for opt in layers]
    # The overview's pair (footprints against PCNs where there are both), never a layer
    # against itself.
    first, second = alignment.default_pair(geo) or (names[0], names[-1])
    from_layer = from_layer if from_layer in names else first
    if to_layer not in names:
        to_layer = second if second != from_layer else first
    need = controls.need_default(geo, need)
    has_lists = registered_layer(geo) is not None
    count = count if count in BASES and has_lists else "residents"
    counts = [{"label": label, "value": key, "disabled": key == "registered" and not has_lists}
              for key, label in BASES.items()]
    return html.Div([
        controls.pack_notice(geo),
        html.H1("Overlap explorer", className="h3"),
        html.P("How the residents of one layer fall across another, in both directions. "
               "Choose any two layers, the method and the need indicator.", className="text-muted"),
        dbc.Row([
            dbc.Col([dbc.Label("From", html_for=ids.OVERLAP_FROM),
                     dcc.Dropdown(layers, from_layer, id=ids.OVERLAP_FROM, clearable=False)], md=3),
            dbc.Col([dbc.Label("To", html_for=ids.OVERLAP_TO),
                     dcc.Dropdown(layers, to_layer, id=ids.OVERLAP_TO, clearable=False)], md=3),
            dbc.Col([dbc.Label("Method", html_for=ids.OVERLAP_METHOD),
                     dcc.Dropdown(list(METHODS), method if method in METHODS else METHODS[0],
                                  id=ids.OVERLAP_METHOD, clearable=False)], md=2),
            dbc.Col([dbc.Label("Count people as", html_for=ids.OVERLAP_COUNT),
                     dcc.Dropdown(counts, count, id=ids.OVERLAP_COUNT, clearable=False)], md=2),
            dbc.Col([dbc.Label("Need indicator", html_for=ids.OVERLAP_NEED),
                     dcc.Dropdown(controls.need_options(geo), need, id=ids.OVERLAP_NEED,
                                  clearable=False, disabled=not geo.need)], md=2),
        ], className="g-2 mb-2"),
        _downloads(),
        dcc.Download(id=ids.OVERLAP_DOWNLOAD),
        _results(),
        dcc.Store(id=ids.OVERLAP_URL),
    ])


def _downloads() -> html.Div:
    """The export buttons and the analysts' switch for unrounded figures."""
    buttons = downloads.download_buttons(ids.OVERLAP_EXPORT, EXPORT_FORMATS)
    return html.Div([*buttons, dbc.Checklist(
        options=[{"label": "Exact figures (unrounded, for further calculation)",
                  "value": "exact"}], value=[], id=ids.OVERLAP_EXACT, switch=True,
        className="d-inline-block ms-2 small align-middle")], className="mb-2")


def _results() -> dcc.Loading:
    """Summary, heatmap, the worst mismatches and every overlap, filled by the callback."""
    return dcc.Loading([
        html.Div(id=ids.OVERLAP_SUMMARY, className="my-2"),
        dbc.Row([
            dbc.Col([html.H2("Share of each row's people", className="h6"),
                     controls.map_figure(
                         # Scrolls in its own box on a phone instead of shrinking unreadably.
                         html.Div(dcc.Graph(id=ids.OVERLAP_HEATMAP,
                                            config={"displaylogo": False},
                                            className="wide-chart"), className="scroll-x"),
                         "Heatmap of the share of each row unit's people in each column "
                         "unit",
                         "Each row adds up to 100%; the same shares are the 'Share of from "
                         "population' column of 'Every overlap' below.")], lg=7),
            dbc.Col([html.H2("Worst mismatches", className="h6"),
                     html.Div(id=ids.OVERLAP_SCORECARD)], lg=5),
        ]),
        html.H2("Every overlap", className="h6 mt-3"),
        table_view.table_box(ids.OVERLAP_TABLE, COLUMNS, "overlaps"),
    ], delay_show=300)
