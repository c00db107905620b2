"""Redraw page layout: move wards between footprints and watch balance, fit and allocation
change; save, compare and share scenarios. Each card is drawn from the resolved
:class:`~dashboard.web.redraw.state.RedrawPage`."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine import drafts
from dashboard.exports import SCENARIO_FORMATS
from dashboard.uploads import TABLE_FILE_LIMIT
from dashboard.web import ids
from dashboard.web.common import controls, downloads, drawn_table, scenarios
from dashboard.web.redraw.state import RedrawPage, resolve


def layout(layer: str | None = None, scenario: str | None = None, new: str | None = None,
           footprints: str | None = None, **_query) -> html.Div:
    page = resolve(layer, scenario, new, footprints)
    draft, lay = page.draft, page.layer
    return html.Div([
        controls.pack_notice(page.geo),
        dcc.Store(id=ids.REDRAW_DRAFT, data=draft.to_json()),
        dcc.Store(id=ids.REDRAW_OPENED, data=page.opened),
        dcc.Store(id=ids.REDRAW_CONTEXT, data=page.context),
        dcc.Location(id=ids.REDRAW_NAV, refresh=True),
        html.H1(f"Make {lay.label.lower()}" if draft.new else f"Redraw {lay.label.lower()}",
                className="h3"),
        dbc.Alert("A new layer, drawn here: it is not an official boundary and is not kept "
                  "until you press Use as a layer (or save it as a scenario).", color="info",
                  className="py-2 small") if draft.new else None,
        dbc.Alert(page.problem, color="danger") if page.problem else None,
        _read_only_banner(page.opened),
        dbc.Row([
            dbc.Col([*_editing(page), html.Hr(), *_judging(page), _suggest_card(page),
                     _new_layer_card()], lg=3),
            dbc.Col([
                html.Div(id=ids.REDRAW_SUMMARY, className="mb-1", **{"aria-live": "polite"}),
                html.Div(id=ids.REDRAW_WARNINGS),
                # Drawn by the first render (the layout stays light); moves then patch colours.
                controls.map_figure(
                    controls.map_placeholder(ids.REDRAW_MAP), "Map of wards coloured by footprint",
                    ["Click a ward to move it to the footprint chosen on the left, or drag a box "
                     "or lasso (Box Select and Lasso Select, top right of the map) to move every "
                     "ward it touches at once; one Undo takes a whole move back. The ward list "
                     "at the foot of the page does the same from the keyboard. Touching "
                     "footprints never share a colour; wards moved from the pack's footprints "
                     "have a heavy black outline. The Balance table below gives each "
                     "footprint's figures.",
                     html.Div(id=ids.REDRAW_LEGEND, className="mt-1")]),
            ], lg=6),
            dbc.Col([_use_layer_card(page), _scenarios_card(page)], lg=3),
        ]),
        html.H2("Balance", className="h5 mt-2"),
        *drawn_table.placeholder(ids.REDRAW_BALANCE, ids.REDRAW_BALANCE_DATA),
        _compare_card(page),
        html.Details([html.Summary("Assign wards from a list (keyboard friendly)"),
                      dbc.Table(html.Tbody(_ward_rows(page)), size="sm", className="small mt-2",
                                style={"maxWidth": "640px"})], className="mb-4"),
    ])


def _group_options(page: RedrawPage) -> list[dict]:
    return [{"label": n, "value": c} for c, n in page.draft.groups.items()]


def _editing(page: RedrawPage) -> list:
    draft = page.draft
    paint = next((c for c in draft.groups if c != drafts.UNASSIGNED), next(iter(draft.groups)))
    return [
        controls.field("Footprints to redraw", dcc.Dropdown(
            [{"label": page.geo.layer(n).label, "value": n} for n in page.groupings],
            draft.layer, id=ids.REDRAW_LAYER, clearable=False), ids.REDRAW_LAYER),
        controls.field("Clicked wards go to", dcc.Dropdown(
            _group_options(page), paint, id=ids.REDRAW_PAINT, clearable=False), ids.REDRAW_PAINT),
        html.Label("New name for the footprint wards go to", htmlFor=ids.REDRAW_RENAME_TO,
                   className="visually-hidden"),
        dbc.InputGroup([dbc.Input(id=ids.REDRAW_RENAME_TO, placeholder="New name for it",
                                  maxLength=80),
                        dbc.Button("Rename", id=ids.REDRAW_RENAME_GROUP, color="secondary",
                                   outline=True)], size="sm", className="mb-2"),
        controls.history_buttons(ids.REDRAW_UNDO, ids.REDRAW_REDO, ids.REDRAW_RESET),
        html.Fieldset([html.Legend("Locked (cannot gain or lose wards)",
                                   className="form-label small fw-semibold mb-0"),
                       dbc.Checklist(id=ids.REDRAW_LOCKS, options=_group_options(page),
                                     value=sorted(draft.locked), className="small")],
                      className="mb-2"),
    ]


def _judging(page: RedrawPage) -> list:
    geo, judging = page.geo, page.judging
    return [
        controls.field("Follow the lines of", dcc.Dropdown(
            page.others, judging.against, id=ids.REDRAW_AGAINST, clearable=False),
            ids.REDRAW_AGAINST),
        controls.field("Need indicator", dcc.Dropdown(
            controls.need_options(geo), judging.need, id=ids.REDRAW_NEED, clearable=False,
            disabled=not geo.need), ids.REDRAW_NEED),
        controls.field("Population band (± % of target)", dbc.Input(
            id=ids.REDRAW_TOLERANCE, type="number", min=0, max=99, step=1,
            value=judging.tolerance), ids.REDRAW_TOLERANCE),
        controls.field("Allocate", dcc.Dropdown(page.resources, judging.resource,
                                                id=ids.REDRAW_RESOURCE, clearable=False),
                       ids.REDRAW_RESOURCE),
    ]


def _suggest_card(page: RedrawPage) -> dbc.Card:
    draft = page.draft
    return dbc.Card(dbc.CardBody([
        html.H2("Suggest footprints", className="h6"),
        html.P("Groups wards into joined-up footprints that follow the chosen lines, within the "
               "population band; locked footprints stay as they are.", className="small"),
        controls.field("How many footprints", dbc.Input(
            id=ids.REDRAW_SUGGEST_N, type="number", min=1, max=len(page.member), step=1,
            value=len(draft.groups) - bool(draft.new)), ids.REDRAW_SUGGEST_N),
        dbc.Checklist(id=ids.REDRAW_SUGGEST_SCRATCH, options=[
            {"label": "Start from scratch (not from today's footprints)", "value": "scratch"}],
            value=[], className="small mb-2"),
        dbc.Button("Suggest", id=ids.REDRAW_SUGGEST, size="sm", color="primary"),
        dcc.Loading(html.Div(id=ids.REDRAW_SUGGEST_STATUS, className="small mt-2")),
    ]), className="mb-3")


def _new_layer_card() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H2("Make a new layer", className="h6"),
        html.P("Your own place partnerships, districts or neighbourhoods: name the layer and "
               "its footprints, then click or list-assign every ward.", className="small"),
        controls.field("Layer name", dbc.Input(id=ids.REDRAW_NEW_LABEL, maxLength=60,
                                               placeholder="e.g. Place partnerships",
                                               size="sm"), ids.REDRAW_NEW_LABEL),
        controls.field("Footprints, one per line", dbc.Textarea(
            id=ids.REDRAW_NEW_NAMES, rows=5, size="sm",
            placeholder="Huddersfield North\nHuddersfield Central\n..."), ids.REDRAW_NEW_NAMES),
        dbc.Button("Start with every ward unassigned", id=ids.REDRAW_NEW_START, size="sm",
                   color="primary"),
        html.Div(id=ids.REDRAW_NEW_STATUS, className="small mt-2", role="status"),
    ]), className="mb-3")


def _use_layer_card(page: RedrawPage) -> dbc.Card:
    label = page.draft.new[0] if page.draft.new else f"{page.layer.label} (redrawn)"
    return dbc.Card(dbc.CardBody([
        html.H2("Use as a layer", className="h6"),
        html.P("Keeps these footprints as a layer of your own copy of the pack, on every page "
               "(map, footprints, overlaps, allocate, hubs), labelled user-defined.",
               className="small"),
        html.Label("Name of the layer", htmlFor=ids.REDRAW_USE_NAME, className="small"),
        dbc.InputGroup([dbc.Input(id=ids.REDRAW_USE_NAME, value=label, maxLength=60),
                        dbc.Button("Use as a layer", id=ids.REDRAW_USE_LAYER, color="success")],
                       size="sm"),
        dcc.Loading(html.Div(id=ids.REDRAW_USE_STATUS, className="small mt-2", role="status")),
    ]), className="mb-3")


def _read_only_banner(opened: dict | None):
    if not opened:  # the button stays in the page so its callback always has an input
        return html.Div(dbc.Button(id=ids.REDRAW_EDIT, style={"display": "none"}))
    return dbc.Alert([f"Read-only view of the shared scenario '{opened['name']}'. ",
                      dbc.Button("Edit this scenario", id=ids.REDRAW_EDIT, size="sm",
                                 color="primary", className="ms-2")],
                     color="info", className="py-2")


def _scenarios_card(page: RedrawPage) -> dbc.Card:
    opened = page.opened
    actions = (("Open", ids.REDRAW_OPEN), ("Duplicate", ids.REDRAW_DUPLICATE),
               ("Rename to name above", ids.REDRAW_RENAME), ("Delete", ids.REDRAW_DELETE))
    return dbc.Card(dbc.CardBody([
        html.H2("Scenarios", className="h6"),
        *scenarios.save_controls(scenarios.CardIds(ids.REDRAW_NAME, ids.REDRAW_SAVE,
                                                   ids.REDRAW_SAVE_AS, ids.REDRAW_SCENARIOS),
                                 opened, page.saved),
        html.Div([dbc.Button(label, id=i, size="sm", color="secondary", outline=True,
                             className="me-1 mb-1") for label, i in actions]),
        html.Div(page.store_problem and dbc.Alert(page.store_problem, color="warning",
                                                  className="py-1"),
                 id=ids.REDRAW_STORE_STATUS, className="small mt-2"),
        dbc.Input(id=ids.REDRAW_SHARE, readonly=True, size="sm", className="mt-1",
                  placeholder="Save to get a read-only link to share",
                  value=scenarios.share_link(opened["id"]) if opened else ""),
        html.Hr(),
        html.Div(downloads.download_buttons(ids.REDRAW_EXPORT, SCENARIO_FORMATS)),
        dcc.Upload(html.Div(["Load an assignment CSV: drop it here or ",
                             html.A("choose a file", href="#")]),
                   id=ids.REDRAW_IMPORT, max_size=TABLE_FILE_LIMIT, accept=".csv,text/csv",
                   className="border rounded p-2 small text-center bg-light"),
        dcc.Download(id=ids.REDRAW_DOWNLOAD),
    ]), className="mb-3")


def _compare_card(page: RedrawPage) -> dbc.Card:
    def side(label: str, control_id: str, value: str):
        return dbc.Col(controls.field(label, dcc.Dropdown(
            page.compare_choices, value, id=control_id, clearable=False), control_id))

    return dbc.Card(dbc.CardBody([
        html.H2("Compare two arrangements", className="h6"),
        dbc.Row([side("A", ids.REDRAW_COMPARE_A, scenarios.PACK_CHOICE),
                 side("B", ids.REDRAW_COMPARE_B, scenarios.DRAFT_CHOICE)]),
        html.Div([html.Div(id=ids.REDRAW_COMPARE_SUMMARY),
                  *drawn_table.placeholder(ids.REDRAW_COMPARE_TABLE, ids.REDRAW_COMPARE_TABLE_DATA),
                  html.Div(id=ids.REDRAW_COMPARE_MOVES)], id=ids.REDRAW_COMPARE),
    ]), className="mb-3")


def _ward_rows(page: RedrawPage) -> list:
    member = page.member
    return [html.Tr([
        html.Th(name, scope="row", className="fw-normal"),
        # The label wraps the select: pattern-matched ids cannot be named by a label's "for".
        html.Td(html.Label([html.Span(f"Footprint of {name}", className="visually-hidden"),
                            dbc.Select(id={"type": ids.REDRAW_WARD, "code": code}, options=[],
                                       size="sm")], className="w-100"))])
        for code, name in sorted(zip(member.codes, member.names), key=lambda cn: cn[1])]
