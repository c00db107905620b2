"""Hubs page: who lives near a hub, who each hub serves, which footprints lack one, and what
happens if a hub opens, moves or closes."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine import hubplan
from dashboard.engine.access import DEFAULT_BANDS_M
from dashboard.errors import DashboardError
from dashboard.exports import HUB_FORMATS
from dashboard.packs import TABLE_FILE_LIMIT
from dashboard.scenarios import ScenarioError
from dashboard.web import ids, reference
from dashboard.web.common import controls, downloads, mapbase, scenarios

MODES = [{"label": "Open a new hub where I click", "value": "add"},
         {"label": "Move the chosen hub where I click", "value": "move"},
         {"label": "Nothing (just look)", "value": "look"}]
SHADES = [{"label": "Distance band to the nearest hub", "value": "bands"},
          {"label": "Catchment (which hub is nearest)", "value": "catchment"}]


def footprint_layers(geo) -> list[dict]:
    """Area layers a hub can serve, footprints made of wards first (the usual choice)."""
    order = {"grouping": 0, "registration": 1, "polygons": 2}
    layers = [(order[lay.kind], i, n, lay) for i, (n, lay) in enumerate(geo.layers.items())
              if lay.kind in order]
    return [{"label": lay.label, "value": n} for _, _, n, lay in sorted(layers)]


def opened_scenario(geo, scenario_id: str | None):
    """The scenario named in the address (read-only) with its hub plan, or a message."""
    if not scenario_id:
        return None, None
    try:
        found = reference.shared_scenario(scenario_id)
        plan = hubplan.from_json(found.payload["hubs"]) if "hubs" in found.payload \
            else hubplan.start(geo)
    except (ScenarioError, DashboardError) as exc:
        return None, str(exc)
    return (found, plan), None


def layout(scenario: str | None = None, layer: str | None = None, **_query) -> html.Div:
    geo = reference.geography()
    found, problem = opened_scenario(geo, scenario)
    plan = found[1] if found else hubplan.start(geo)
    opened = ({**scenarios.opened_state(found[0], readonly=True),
               "draft": found[0].payload["draft"]} if found else None)
    settings = found[0].payload.get("hub_settings", {}) if found else {}
    layers = footprint_layers(geo)
    values = [o["value"] for o in layers]
    layer = settings.get("layer") or layer
    layer = layer if layer in values else (values[0] if values else None)
    need = settings.get("need") if settings.get("need") in geo.need else next(iter(geo.need), None)
    kinds = sorted({h.type for h in plan.hubs}, key=lambda t: (t not in mapbase.HUB_STYLE, t))
    type_options = [{"label": t.capitalize(), "value": t} for t in kinds]
    bands = settings.get("bands") or ", ".join(f"{b / 1000:g}" for b in DEFAULT_BANDS_M)
    saved, _, problem_store = scenarios.scenario_options(reference.scenarios(),
                                                          reference.pack_key(), None)

    panel = [
        controls.field("Footprints", dcc.Dropdown(layers, layer, id=ids.HUBS_LAYER,
                                                    clearable=False), ids.HUBS_LAYER),
        controls.field("Need indicator", dcc.Dropdown(
            controls.need_options(geo), need, id=ids.HUBS_NEED, clearable=False,
            disabled=not geo.need), ids.HUBS_NEED),
        html.Fieldset([html.Legend("Hubs that count", className="form-label small fw-semibold "
                                   "mb-0"),
                       dbc.Checklist(id=ids.HUBS_TYPES, options=type_options,
                                     value=settings.get("types") or kinds, inline=True,
                                     className="small")], className="mb-2"),
        controls.field("Distances (km, straight line)", dbc.Input(
            id=ids.HUBS_BANDS, value=bands, size="sm", debounce=True), ids.HUBS_BANDS,
            "Comma-separated, e.g. 1, 2, 5."),
        controls.field("Shade the map by", dbc.RadioItems(
            id=ids.HUBS_SHADE, options=SHADES, value="bands", className="small"), ids.HUBS_SHADE),
    ]
    what_if = dbc.Card(dbc.CardBody([
        html.H2("What if", className="h6"),
        controls.field("Clicking the map", dbc.RadioItems(id=ids.HUBS_MODE, options=MODES,
                                                            value="add", className="small"),
                         ids.HUBS_MODE),
        dbc.Row([dbc.Col(controls.field("New hub's name", dbc.Input(
            id=ids.HUBS_NEW_NAME, size="sm", maxLength=60, placeholder="New hub 1"),
            ids.HUBS_NEW_NAME)),
            dbc.Col(controls.field("Type", dcc.Dropdown(
                type_options or [{"label": "Hub", "value": "hub"}],
                "community" if "community" in kinds else (kinds[0] if kinds else "hub"),
                id=ids.HUBS_NEW_TYPE, clearable=False), ids.HUBS_NEW_TYPE))]),
        controls.field("Chosen hub", dcc.Dropdown(id=ids.HUBS_CHOSEN, options=controls.hub_options(plan),
                                                    placeholder="Choose a hub"), ids.HUBS_CHOSEN),
        dbc.InputGroup([dbc.InputGroupText("Staff (FTE)"),
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
    scenario_card = dbc.Card(dbc.CardBody([
        html.H2("Scenarios", className="h6"),
        html.P("A scenario keeps these hubs with its footprints (from the Redraw page).",
               className="small text-muted mb-1"),
        dbc.InputGroup([dbc.Input(id=ids.HUBS_NAME, placeholder="Scenario name", maxLength=80,
                                  value=opened["name"] if opened else ""),
                        dbc.Button("Save", id=ids.HUBS_SAVE, color="primary"),
                        dbc.Button("Save as new", id=ids.HUBS_SAVE_AS, color="secondary")],
                       size="sm", className="mb-2"),
        controls.field("Saved scenarios", dcc.Dropdown(
            saved, opened["id"] if opened else None, id=ids.HUBS_SCENARIOS,
            placeholder="Choose a saved scenario"), ids.HUBS_SCENARIOS),
        dbc.Button("Open", id=ids.HUBS_OPEN, size="sm", color="secondary", outline=True),
        html.Div(problem_store and dbc.Alert(problem_store, color="warning", className="py-1"),
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

    if geo.hubs is None and not plan.hubs:
        intro = dbc.Alert("This pack has no hubs. Open some by clicking the map, or load a hubs "
                          "CSV (name, type, staff, easting/northing or longitude/latitude).",
                          color="info", className="py-2 small")
    else:
        intro = None
    return html.Div([
        controls.pack_notice(geo),
        dcc.Store(id=ids.HUBS_PLAN, data=plan.to_json()),
        dcc.Store(id=ids.HUBS_CONTEXT,
                  data=f"{reference.pack_key()}|{opened['id'] if opened else ''}"),
        dcc.Store(id=ids.HUBS_OPENED, data=opened),
        dcc.Store(id=ids.HUBS_CLICK),
        html.H1("Hubs and access", className="h3"),
        dbc.Alert(problem, color="danger") if problem else None,
        dbc.Alert(f"Read-only view of the shared scenario '{opened['name']}': Save as new to "
                  "keep changes.", color="info", className="py-2") if opened else None,
        intro,
        dbc.Row([
            dbc.Col([*panel, what_if], lg=3),
            dbc.Col([
                html.Div(id=ids.HUBS_SUMMARY, className="mb-1", **{"aria-live": "polite"}),
                controls.map_placeholder(ids.HUBS_MAP),
                html.P("Distances are straight lines in British National Grid metres from "
                       "where each small area's residents are taken to live, not travel times.",
                       className="text-muted small"),
            ], lg=6),
            dbc.Col(scenario_card, lg=3),
        ]),
        html.Div(id=ids.HUBS_TABLES),
    ])
