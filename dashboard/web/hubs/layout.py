"""Hubs page layout: who lives near a hub, who each hub serves, which footprints lack one, and
what happens if a hub opens, moves or closes. Drawn from the resolved
:class:`~dashboard.web.hubs.state.HubsPage`."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.exports import HUB_FORMATS
from dashboard.uploads import TABLE_FILE_LIMIT
from dashboard.web import ids
from dashboard.web.common import controls, downloads, drawn_table, scenarios
from dashboard.web.hubs.state import HubsPage, resolve

MODES = [{"label": "Open a new hub where I click", "value": "add"},
         {"label": "Move the chosen hub where I click", "value": "move"},
         {"label": "Nothing (just look)", "value": "look"}]
SHADES = [{"label": "Distance band to the nearest hub", "value": "bands"},
          {"label": "Catchment (which hub is nearest)", "value": "catchment"}]


def layout(scenario: str | None = None, layer: str | None = None, **_query) -> html.Div:
    page = resolve(scenario, layer)
    opened = page.opened
    intro = None
    if page.geo.hubs is None and not page.plan.hubs:
        intro = dbc.Alert("This pack has no hubs. Open some by clicking the map, or load a hubs "
                          "CSV (name, type, staff, easting/northing or longitude/latitude).",
                          color="info", className="py-2 small")
    return html.Div([
        controls.pack_notice(page.geo),
        dcc.Store(id=ids.HUBS_PLAN, data=page.plan.to_json()),
        dcc.Store(id=ids.HUBS_CONTEXT, data=page.context),
        dcc.Store(id=ids.HUBS_OPENED, data=opened),
        dcc.Store(id=ids.HUBS_CLICK),
        html.H1("Hubs and access", className="h3"),
        dbc.Alert(page.problem, color="danger") if page.problem else None,
        dbc.Alert(f"Read-only view of the shared scenario '{opened['name']}': Save as new to "
                  "keep changes.", color="info", className="py-2") if opened else None,
        intro,
        dbc.Row([
            dbc.Col([*_settings(page), _what_if_card(page)], lg=3),
            dbc.Col([
                html.Div(id=ids.HUBS_SUMMARY, className="mb-1", **{"aria-live": "polite"}),
                controls.map_figure(
                    controls.map_placeholder(ids.HUBS_MAP,
                                             modeBarButtonsToRemove=["select2d", "lasso2d"]),
                    "Map of small areas by distance to the nearest hub, with the hubs",
                    "Distances are straight lines in British National Grid metres from where each "
                    "small area's residents are taken to live, not travel times. The tables below "
                    "give the same figures."),
            ], lg=6),
            dbc.Col(_scenario_card(page), lg=3),
        ]),
        *drawn_table.placeholder(ids.HUBS_TABLES, ids.HUBS_TABLES_DATA),
    ])


def _type_options(page: HubsPage) -> list[dict]:
    return [{"label": t[:1].upper() + t[1:], "value": t} for t in page.kinds]  # keeps "EIP"


def _settings(page: HubsPage) -> list:
    settings = page.settings
    return [
        controls.field("Footprints", dcc.Dropdown(page.layers, settings.layer, id=ids.HUBS_LAYER,
                                                  clearable=False), ids.HUBS_LAYER),
        controls.field("Need indicator", dcc.Dropdown(
            controls.need_options(page.geo), settings.need, id=ids.HUBS_NEED, clearable=False,
            disabled=not page.geo.need), ids.HUBS_NEED),
        html.Fieldset([html.Legend("Hubs that count", className="form-label small fw-semibold "
                                   "mb-0"),
                       dbc.Checklist(id=ids.HUBS_TYPES, options=_type_options(page),
                                     value=settings.types, inline=True, className="small")],
                      className="mb-2"),
        controls.field("Distances (km, straight line)", dbc.Input(
            id=ids.HUBS_BANDS, value=settings.bands, size="sm", debounce=True), ids.HUBS_BANDS,
            "Comma-separated, e.g. 1, 2, 5."),
        controls.field("Shade the map by", dbc.RadioItems(
            id=ids.HUBS_SHADE, options=SHADES, value="bands", className="small"), ids.HUBS_SHADE),
    ]


def _what_if_card(page: HubsPage) -> dbc.Card:
    kinds = page.kinds
    new_type = "community" if "community" in kinds else (kinds[0] if kinds else "hub")
    return dbc.Card(dbc.CardBody([
        html.H2("What if", className="h6"),
        controls.field("Clicking the map", dbc.RadioItems(id=ids.HUBS_MODE, options=MODES,
                                                          value="add", className="small"),
                       ids.HUBS_MODE),
        dbc.Row([dbc.Col(controls.field("New hub's name", dbc.Input(
            id=ids.HUBS_NEW_NAME, size="sm", maxLength=60, placeholder="New hub 1"),
            ids.HUBS_NEW_NAME)),
            dbc.Col(controls.field("Type", dcc.Dropdown(
                _type_options(page) or [{"label": "Hub", "value": "hub"}], new_type,
                id=ids.HUBS_NEW_TYPE, clearable=False), ids.HUBS_NEW_TYPE))]),
        controls.field("Chosen hub", dcc.Dropdown(
            id=ids.HUBS_CHOSEN, options=controls.hub_options(page.plan),
            placeholder="Choose a hub"), ids.HUBS_CHOSEN),
        dbc.InputGroup([dbc.InputGroupText(html.Label("Staff (FTE)", htmlFor=ids.HUBS_STAFF,
                                                      className="mb-0")),
                        dbc.Input(id=ids.HUBS_STAFF, type="number", min=0, step=0.5),
                        dbc.Button("Set", id=ids.HUBS_SET_STAFF, color="secondary")],
                       size="sm", className="mb-2"),
        html.Div([dbc.Button("Close hub", id=ids.HUBS_CLOSE, size="sm", color="danger",
                             outline=True, className="me-1 mb-1"),
                  dbc.Button("Reopen hub", id=ids.HUBS_REOPEN, size="sm", color="secondary",
                             outline=True, className="me-1 mb-1")]),
        controls.history_buttons(ids.HUBS_UNDO, ids.HUBS_REDO, ids.HUBS_RESET),
        dcc.Upload(html.Div(["Load hubs from a CSV: drop it here or ",
                             html.A("choose a file", href="#")]),
                   id=ids.HUBS_FILE, max_size=TABLE_FILE_LIMIT, accept=".csv,text/csv",
                   className="border rounded p-2 small text-center bg-light"),
        html.Div(id=ids.HUBS_STATUS, className="small mt-2", **{"aria-live": "polite"}),
    ]), className="mb-3")


def _scenario_card(page: HubsPage) -> dbc.Card:
    opened = page.opened
    return dbc.Card(dbc.CardBody([
        html.H2("Scenarios", className="h6"),
        html.P("A scenario keeps these hubs with its footprints (from the Redraw page).",
               className="small text-muted mb-1"),
        *scenarios.save_controls(scenarios.CardIds(ids.HUBS_NAME, ids.HUBS_SAVE,
                                                   ids.HUBS_SAVE_AS, ids.HUBS_SCENARIOS),
                                 opened, page.saved),
        dbc.Button("Open", id=ids.HUBS_OPEN, size="sm", color="secondary", outline=True),
        html.Div(page.store_problem and dbc.Alert(page.store_problem, color="warning",
                                                  className="py-1"),
                 id=ids.HUBS_STORE_STATUS, className="small mt-2"),
        html.Hr(),
        html.Div(downloads.download_buttons(ids.HUBS_EXPORT, HUB_FORMATS)),
        dcc.Download(id=ids.HUBS_DOWNLOAD),
        html.Hr(),
        dbc.Button("Keep these hubs in my copy of the pack", id=ids.HUBS_KEEP, size="sm",
                   color="success"),
        html.P("The open hubs become the hubs of your own copy of the pack, on every page; "
               "nothing changes for anyone else.", className="small text-muted mb-0 mt-1"),
        dcc.Loading(html.Div(id=ids.HUBS_KEEP_STATUS, className="small mt-2", role="status")),
    ]), className="mb-3")
