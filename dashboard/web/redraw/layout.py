"""Redraw page: move wards between footprints and watch balance, fit and allocation change; save,
compare and share scenarios."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine import drafts
from dashboard.engine.balance import DEFAULT_TOLERANCE
from dashboard.errors import DashboardError
from dashboard.exports import SCENARIO_FORMATS
from dashboard.packs import RESERVED, TABLE_FILE_LIMIT
from dashboard.scenarios import ScenarioError
from dashboard.web import ids, reference
from dashboard.web.common import controls, downloads, scenarios


def opened_scenario(geo, scenario_id: str | None):
    """The shared scenario named in the address (read-only), or None; errors are shown inline."""
    if not scenario_id:
        return None, None
    try:
        found = reference.shared_scenario(scenario_id)
    except ScenarioError as exc:
        return None, str(exc)
    try:
        draft = drafts.from_json(geo, found.payload["draft"])
    except DashboardError as exc:
        return None, f"'{found.name}' no longer fits this pack: {exc}"
    return (found, draft), None


NEW_LABEL = "New footprints"
NEW_NAMES = [f"Footprint {i}" for i in range(1, 6)]


def starting_draft(geo, layer: str | None, new: str | None, footprints: str | None):
    """The draft a page opens on: a new layer named in the address, the chosen grouping, or,
    when the pack has none, a new layer with every ward unassigned. Returns it and any problem
    with the address's new layer."""
    groupings = [n for n, lay in geo.layers.items() if lay.kind == "grouping"]
    taken = [*geo.layers, *RESERVED]
    if new:
        names = (footprints or "").splitlines()
        try:
            return drafts.blank(geo, drafts.layer_key(new, taken), new, names), None
        except DashboardError as exc:
            problem = str(exc)
    else:
        problem = None
    if groupings and not new:
        return drafts.start(geo, layer if layer in groupings else groupings[0]), None
    return drafts.blank(geo, drafts.layer_key(NEW_LABEL, taken), NEW_LABEL, NEW_NAMES), problem


def layout(layer: str | None = None, scenario: str | None = None, new: str | None = None,
           footprints: str | None = None, **_query) -> html.Div:
    geo = reference.geography()
    found, problem = opened_scenario(geo, scenario)
    settings = found[0].payload.get("settings", {}) if found else {}
    if found:
        draft = found[1]
    else:
        draft, problem = starting_draft(geo, layer, new, footprints)
    geo = drafts.host(geo, draft)  # a layer being made is drawn like the pack's own
    layer = draft.layer
    groupings = [n for n, lay in geo.layers.items() if lay.kind == "grouping"]
    opened = scenarios.opened_state(found[0], readonly=True) if found else None
    lay = geo.layer(layer)
    member = geo.layer(lay.member_of)
    others = [{"label": g.label, "value": n} for n, g in geo.layers.items()
              if n != layer and g.kind in ("registration", "polygons", "grouping")
              and n != lay.member_of]
    if not others:  # a pack of wards alone: follow the wards' own lines
        others = [{"label": member.label, "value": lay.member_of}]
    against = settings.get("against") if settings.get("against") in {o["value"] for o in others} \
        else next((o["value"] for o in others if geo.layer(o["value"]).kind == "registration"),
                  others[0]["value"] if others else lay.member_of)
    need = settings.get("need") if settings.get("need") in geo.need else next(iter(geo.need), None)
    resources = [{"label": "None", "value": "none"}] + [
        {"label": r.title, "value": r.name} for r in geo.resources]
    resource = settings.get("resource") if settings.get("resource") in {
        o["value"] for o in resources} else (geo.resources[0].name if geo.resources else "none")
    tolerance = settings.get("tolerance", DEFAULT_TOLERANCE * 100)
    saved, compare_choices, store_problem = scenarios.scenario_options(
        reference.scenarios(), reference.pack_key(), layer)
    group_options = [{"label": n, "value": c} for c, n in draft.groups.items()]
    ward_rows = [html.Tr([
        html.Th(name, scope="row", className="fw-normal"),
        # The label wraps the select: pattern-matched ids cannot be named by a label's "for".
        html.Td(html.Label([html.Span(f"Footprint of {name}", className="visually-hidden"),
                            dbc.Select(id={"type": ids.REDRAW_WARD, "code": code}, options=[],
                                       size="sm")], className="w-100"))])
        for code, name in sorted(zip(member.codes, member.names), key=lambda cn: cn[1])]

    editing = [
        controls.field("Footprints to redraw", dcc.Dropdown(
            [{"label": geo.layer(n).label, "value": n} for n in groupings], layer,
            id=ids.REDRAW_LAYER, clearable=False), ids.REDRAW_LAYER),
        controls.field("Clicked wards go to", dcc.Dropdown(
            group_options, next((c for c in draft.groups if c != drafts.UNASSIGNED),
                                next(iter(draft.groups))),
            id=ids.REDRAW_PAINT, clearable=False), ids.REDRAW_PAINT),
        html.Label("New name for the footprint wards go to", htmlFor=ids.REDRAW_RENAME_TO,
                   className="visually-hidden"),
        dbc.InputGroup([dbc.Input(id=ids.REDRAW_RENAME_TO, placeholder="New name for it",
                                  maxLength=80),
                        dbc.Button("Rename", id=ids.REDRAW_RENAME_GROUP, color="secondary",
                                   outline=True)], size="sm", className="mb-2"),
        controls.history_buttons(ids.REDRAW_UNDO, ids.REDRAW_REDO, ids.REDRAW_RESET),
        html.Fieldset([html.Legend("Locked (cannot gain or lose wards)",
                                   className="form-label small fw-semibold mb-0"),
                       dbc.Checklist(id=ids.REDRAW_LOCKS, options=group_options,
                                     value=sorted(draft.locked), className="small")],
                      className="mb-2"),
    ]
    judging = [
        controls.field("Follow the lines of", dcc.Dropdown(others, against, id=ids.REDRAW_AGAINST,
                                                   clearable=False), ids.REDRAW_AGAINST),
        controls.field("Need indicator", dcc.Dropdown(controls.need_options(geo), need,
                                              id=ids.REDRAW_NEED, clearable=False,
                                              disabled=not geo.need), ids.REDRAW_NEED),
        controls.field("Population band (± % of target)", dbc.Input(
            id=ids.REDRAW_TOLERANCE, type="number", min=0, max=99, step=1, value=tolerance),
            ids.REDRAW_TOLERANCE),
        controls.field("Allocate", dcc.Dropdown(resources, resource, id=ids.REDRAW_RESOURCE,
                                        clearable=False), ids.REDRAW_RESOURCE),
    ]
    suggest = dbc.Card(dbc.CardBody([
        html.H2("Suggest footprints", className="h6"),
        html.P("Groups wards into joined-up footprints that follow the chosen lines, within the "
               "population band; locked footprints stay as they are.", className="small"),
        controls.field("How many footprints", dbc.Input(id=ids.REDRAW_SUGGEST_N, type="number", min=1,
                                                max=len(member), step=1,
                                                value=len(draft.groups) - bool(draft.new)),
                         ids.REDRAW_SUGGEST_N),
        dbc.Checklist(id=ids.REDRAW_SUGGEST_SCRATCH, options=[
            {"label": "Start from scratch (not from today's footprints)", "value": "scratch"}],
            value=[], className="small mb-2"),
        dbc.Button("Suggest", id=ids.REDRAW_SUGGEST, size="sm", color="primary"),
        dcc.Loading(html.Div(id=ids.REDRAW_SUGGEST_STATUS, className="small mt-2")),
    ]), className="mb-3")

    make_new = dbc.Card(dbc.CardBody([
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
    use_label = draft.new[0] if draft.new else f"{lay.label} (redrawn)"
    use_layer = dbc.Card(dbc.CardBody([
        html.H2("Use as a layer", className="h6"),
        html.P("Keeps these footprints as a layer of your own copy of the pack, on every page "
               "(map, footprints, overlaps, allocate, hubs), labelled user-defined.",
               className="small"),
        html.Label("Name of the layer", htmlFor=ids.REDRAW_USE_NAME, className="small"),
        dbc.InputGroup([dbc.Input(id=ids.REDRAW_USE_NAME, value=use_label, maxLength=60),
                        dbc.Button("Use as a layer", id=ids.REDRAW_USE_LAYER, color="success")],
                       size="sm"),
        dcc.Loading(html.Div(id=ids.REDRAW_USE_STATUS, className="small mt-2", role="status")),
    ]), className="mb-3")

    readonly_banner = dbc.Alert([
        f"Read-only view of the shared scenario '{opened['name']}'. ",
        dbc.Button("Edit this scenario", id=ids.REDRAW_EDIT, size="sm", color="primary",
                   className="ms-2")], color="info", className="py-2") if opened else \
        html.Div(dbc.Button(id=ids.REDRAW_EDIT, style={"display": "none"}))
    scenarios_card = dbc.Card(dbc.CardBody([
        html.H2("Scenarios", className="h6"),
        dbc.InputGroup([dbc.Input(id=ids.REDRAW_NAME, placeholder="Scenario name", maxLength=80,
                                  value=opened["name"] if opened else ""),
                        dbc.Button("Save", id=ids.REDRAW_SAVE, color="primary"),
                        dbc.Button("Save as new", id=ids.REDRAW_SAVE_AS, color="secondary")],
                       size="sm", className="mb-2"),
        controls.field("Saved scenarios", dcc.Dropdown(saved, opened["id"] if opened else None,
                                               id=ids.REDRAW_SCENARIOS,
                                               placeholder="Choose a saved scenario"),
               ids.REDRAW_SCENARIOS),
        html.Div([dbc.Button(label, id=i, size="sm", color="secondary", outline=True,
                             className="me-1 mb-1")
                  for label, i in (("Open", ids.REDRAW_OPEN), ("Duplicate", ids.REDRAW_DUPLICATE),
                                   ("Rename to name above", ids.REDRAW_RENAME),
                                   ("Delete", ids.REDRAW_DELETE))]),
        html.Div(store_problem and dbc.Alert(store_problem, color="warning", className="py-1"),
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
    compare = dbc.Card(dbc.CardBody([
        html.H2("Compare two arrangements", className="h6"),
        dbc.Row([dbc.Col(controls.field("A", dcc.Dropdown(compare_choices, scenarios.PACK_CHOICE,
                                                  id=ids.REDRAW_COMPARE_A, clearable=False),
                                ids.REDRAW_COMPARE_A)),
                 dbc.Col(controls.field("B", dcc.Dropdown(compare_choices, scenarios.DRAFT_CHOICE,
                                                  id=ids.REDRAW_COMPARE_B, clearable=False),
                                ids.REDRAW_COMPARE_B))]),
        html.Div(id=ids.REDRAW_COMPARE),
    ]), className="mb-3")

    return html.Div([
        controls.pack_notice(geo),
        dcc.Store(id=ids.REDRAW_DRAFT, data=draft.to_json()),
        dcc.Store(id=ids.REDRAW_OPENED, data=opened),
        dcc.Store(id=ids.REDRAW_CONTEXT,
                  data=f"{reference.pack_key()}|{layer}|{opened['id'] if opened else ''}"),
        dcc.Location(id=ids.REDRAW_NAV, refresh=True),
        html.H1(f"Make {lay.label.lower()}" if draft.new else f"Redraw {lay.label.lower()}",
                className="h3"),
        dbc.Alert("A new layer, drawn here: it is not an official boundary and is not kept "
                  "until you press Use as a layer (or save it as a scenario).", color="info",
                  className="py-2 small") if draft.new else None,
        dbc.Alert(problem, color="danger") if problem else None,
        readonly_banner,
        dbc.Row([
            dbc.Col([*editing, html.Hr(), *judging, suggest, make_new], lg=3),
            dbc.Col([
                html.Div(id=ids.REDRAW_SUMMARY, className="mb-1", **{"aria-live": "polite"}),
                html.Div(id=ids.REDRAW_WARNINGS),
                # Drawn by the first render (the layout stays light); moves then patch colours.
                controls.map_placeholder(ids.REDRAW_MAP),
                html.P("Click a ward to move it to the footprint chosen on the left, or use "
                       "the ward list at the foot of the page. Colours are footprints.",
                       className="text-muted small"),
            ], lg=6),
            dbc.Col([use_layer, scenarios_card], lg=3),
        ]),
        html.H2("Balance", className="h5 mt-2"),
        html.Div(id=ids.REDRAW_BALANCE),
        compare,
        html.Details([html.Summary("Assign wards from a list (keyboard friendly)"),
                      dbc.Table(html.Tbody(ward_rows), size="sm", className="small mt-2",
                                style={"maxWidth": "640px"})], className="mb-4"),
    ])
