"""Allocation page: share a team or budget across footprints by population and need."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine.allocation import CORE_METHODS
from dashboard.exports import ALLOCATION_FORMATS
from dashboard.uploads import TABLE_FILE_LIMIT
from dashboard.web import ids
from dashboard.web.allocate.state import AllocatePage, Shares, resolve
from dashboard.web.common import controls, downloads

ROUNDING_OPTIONS = [{"label": "None", "value": "none"}, {"label": "0.1", "value": "0.1"},
                    {"label": "Whole", "value": "1"}]


def layout(**query) -> html.Div:
    """The page for ``query``: ``layer``, ``resource``, ``reexpress`` and the settings of
    :data:`~dashboard.web.allocate.state.SHARES` (as the address keeps them)."""
    page = resolve(query)
    return html.Div([
        controls.pack_notice(page.geo),
        html.H1("Allocate teams and budgets", className="h3"),
        _blank_notice(page.geo),
        html.P("Share what there is across footprints: a core every area gets, plus an "
               "area-specific part targeted by need. See what has to move to get there.",
               className="text-muted"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody(_panel(page))), lg=3, className="mb-3"),
            dbc.Col(_results(page), lg=9),
        ]),
        dcc.Download(id=ids.ALLOC_DOWNLOAD),
        dcc.Store(id=ids.ALLOC_CURRENT),
        dcc.Store(id=ids.ALLOC_URL),
    ])


def _panel(page: AllocatePage) -> list:
    res, shares = page.resource, page.shares
    return [
        controls.field("Footprint layer", dcc.Dropdown(page.areas, page.layer, id=ids.ALLOC_LAYER,
                                                       clearable=False), ids.ALLOC_LAYER),
        controls.field("Team or budget", dcc.Dropdown(
            [{"label": r.title, "value": r.name} for r in page.offered], res.name,
            id=ids.ALLOC_RESOURCE, clearable=False), ids.ALLOC_RESOURCE),
        controls.field(f"Total ({res.unit})", controls.checked_number(
            ids.ALLOC_TOTAL, shares.total, "Enter the total to share: a number of 0 or more."),
            ids.ALLOC_TOTAL, "Kept exactly: leaders are not getting more."),
        *_core_fields(shares),
        *_need_fields(page),
        controls.field(f"Minimum per area ({res.unit})", controls.checked_number(
            ids.ALLOC_MINIMUM, shares.minimum, "A minimum is 0 or more (leave 0 for none)."),
            ids.ALLOC_MINIMUM),
        controls.field("Round to", dbc.RadioItems(
            options=ROUNDING_OPTIONS, value=shares.rounding, id=ids.ALLOC_ROUNDING, inline=True),
            ids.ALLOC_ROUNDING, "Largest remainder: rounded figures still add up."),
        controls.field("Current allocation", dcc.Upload(
            html.Div(["Drop a CSV or ", html.A("choose it", href="#")]),
            id=ids.ALLOC_CURRENT_FILE, className="upload-zone small",
            max_size=TABLE_FILE_LIMIT), ids.ALLOC_CURRENT_FILE,
            "Columns resource, layer, area, amount. Without it, the pack's is used."),
        html.Details([html.Summary("Or type today's amounts", className="small"),
                      html.Div(id=ids.ALLOC_TYPED_ROWS, className="mt-1")], className="mb-2"),
        html.Div(id=ids.ALLOC_CURRENT_STATUS, className="small", role="status"),
    ]


def _core_fields(shares: Shares) -> list:
    return [
        controls.field("Core part, every area gets", dbc.RadioItems(
            options=[{"label": v.capitalize(), "value": k} for k, v in CORE_METHODS.items()],
            value=shares.core, id=ids.ALLOC_CORE_METHOD, inline=True), ids.ALLOC_CORE_METHOD),
        controls.field("Core share of the total (equal or per head)", dcc.Slider(
            0, 1, 0.05, value=shares.core_share, id=ids.ALLOC_CORE_SHARE,
            marks={0: "0", 0.5: "50%", 1: "100%"}, tooltip={"placement": "bottom"}),
            ids.ALLOC_CORE_SHARE),
        controls.field("Core amount per area (fixed)", dbc.Input(
            id=ids.ALLOC_CORE_AMOUNT, type="number", min=0, value=shares.core_amount),
            ids.ALLOC_CORE_AMOUNT),
    ]


def _need_fields(page: AllocatePage) -> list:
    return [
        controls.field("Need indicator for the area-specific part", dcc.Dropdown(
            page.needs, page.shares.need, id=ids.ALLOC_NEED, clearable=False), ids.ALLOC_NEED),
        controls.field("Need weight", dcc.Slider(
            0, 1, 0.05, value=page.shares.w, id=ids.ALLOC_WEIGHT,
            marks={0: "per head", 0.5: "0.5", 1: "by need"}, tooltip={"placement": "bottom"}),
            ids.ALLOC_WEIGHT, "Weighted population = population × (1 − w + w × need ÷ "
            "borough mean need)."),
    ]


def _blank_notice(geo):
    if geo.resources:
        return None
    return dbc.Alert(
        "This pack records no teams or budgets, so here is a blank budget: type its total, and "
        "today's split if you have it (type it per area under the controls, or upload it as "
        "a current-allocation CSV with resource 'budget'). To keep teams in the pack, add "
        "[[resources]] to pack.toml (see the README).",
        color="info", className="py-2 small")


def _results(page: AllocatePage):
    return dcc.Loading([
        html.Div(id=ids.ALLOC_SUMMARY, **{"aria-live": "polite"}),
        html.Div(downloads.download_buttons(ids.ALLOC_EXPORT, ALLOCATION_FORMATS),
                 className="mb-2"),
        dbc.Row([
            dbc.Col([html.H2("Current and recommended, by area", className="h6"),
                     controls.map_figure(
                         dcc.Graph(id=ids.ALLOC_BARS, config={"displaylogo": False}),
                         "Bar chart of each area's current and recommended amount",
                         "The same figures, with the gaps, are in the table 'By area' below.")],
                    lg=7),
            dbc.Col([html.H2("Recommended per 10,000 weighted residents", className="h6"),
                     controls.map_figure(
                         dcc.Graph(id=ids.ALLOC_MAP, config={"displaylogo": False}),
                         "Map of the recommended amount per 10,000 need-weighted residents",
                         "Darker areas get more for their need-weighted residents; the figures "
                         "are the last column of the table below.")], lg=5),
        ]),
        html.H2("Transfers", className="h5 mt-2"),
        html.Div(id=ids.ALLOC_TRANSFERS),
        html.H2("By area", className="h5 mt-3"),
        html.Div(id=ids.ALLOC_TABLE),
        html.H2("Seen from another layer (derived)", className="h5 mt-3"),
        controls.field("Re-express on", dcc.Dropdown(page.others, page.reexpress,
                                                     id=ids.ALLOC_REEXPRESS, clearable=False),
                       ids.ALLOC_REEXPRESS),
        html.Div(id=ids.ALLOC_DERIVED),
    ], delay_show=300)
