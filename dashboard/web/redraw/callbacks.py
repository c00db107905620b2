"""Redraw page: edits to the draft, the live balance, suggestions, scenarios, compare, files.

The draft lives in the browser (a ``dcc.Store``), so any worker can answer any request and two
people editing at once never see each other's unsaved work; only saving touches the server's
scenario store.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.data.assignments import read_assignment
from dashboard.engine import drafts, optimise
from dashboard.engine.balance import Balance, balance, compare
from dashboard.engine.drafts import Draft, EditError
from dashboard.engine.geography import Geography
from dashboard.errors import DashboardError
from dashboard.exports import scenario_export
from dashboard.packs import TABLE_FILE_LIMIT, Upload, decode
from dashboard.scenarios import READ_ONLY, ScenarioError
from dashboard.web import ids, reference
from dashboard.web.common import controls, grid, mapbase, scenarios
from dashboard.web.common import unsaved as unsaved_work
from dashboard.web.common.shapes import display_geometry
from dashboard.web.redraw import figures

SETTINGS = [ids.REDRAW_AGAINST, ids.REDRAW_NEED, ids.REDRAW_TOLERANCE, ids.REDRAW_RESOURCE]


def hosted(server, data) -> Geography:
    """The pack, with the layer being made when the draft is of a new one."""
    return drafts.host(reference.geography(server), data)


def resource_of(geo, name):
    return next((r for r in geo.resources if r.name == name), None)


def tolerance_of(percent) -> float:
    try:
        return float(percent) / 100
    except (TypeError, ValueError):
        raise EditError("Give the population band as a number of percent, e.g. 10.") from None


def judge(geo, draft: Draft, against, need, tolerance, resource) -> Balance:
    return balance(geo, draft, against, need, tolerance_of(tolerance),
                   resource_of(geo, resource))


def _read_only(opened) -> bool:
    return bool(opened and opened.get("readonly"))


def _refuse_read_only() -> None:
    raise EditError("This shared scenario is read-only; press 'Edit this scenario' first.")


def balance_table(geo, bal: Balance) -> dbc.Table:
    """One row per footprint, coloured as on the map; out-of-band figures flagged in words."""
    against = geo.layer(bal.against).label
    res = bal.resource
    head = ["Footprint", "Wards", "Residents", "vs target", "Need-weighted", "vs target",
            "Need index", "Pieces", f"Best-fit {against}", f"{against} cut"]
    if res is not None:
        head += [f"{res.title} ({res.unit})", "per 10k weighted"]
    rows = []
    for i, r in enumerate(bal.table.itertuples()):
        swatch = html.Span(className="d-inline-block me-2 border", style={
            "width": "0.9em", "height": "0.9em", "background": mapbase.footprint_colour(i)})
        cells = [html.Th([swatch, r.name], scope="row", className="fw-normal text-nowrap"),
                 r.wards, f"{r.population:,.0f}",
                 _band(r.deviation, r.within), f"{r.need_population:,.0f}",
                 _band(r.need_deviation, r.need_within), f"{r.need_index:.2f}",
                 _pieces(r.pieces, r.wards), f"{r.best_fit_name} ({r.best_fit_share:.0%})",
                 r.splits]
        if res is not None:
            cells += [controls.amount(r.recommended, res.unit, with_unit=False),
                      "" if pd.isna(r.per_10k) else f"{r.per_10k:,.2f}"]
        rows.append(html.Tr([c if isinstance(c, html.Th) else html.Td(c) for c in cells]))
    caption = (f"Target {bal.target:,.0f} residents per footprint, band ±{bal.tolerance:.0%}. "
               f"'{against} cut' counts {against} holding at least 5% of the footprint's people.")
    return dbc.Table([html.Caption(caption), html.Thead(html.Tr([html.Th(h, scope="col")
                                                                for h in head])),
                      html.Tbody(rows)], size="sm", striped=True, hover=True, responsive=True,
                     className="small caption-top", id=f"{ids.REDRAW_BALANCE}-table")


def _band(deviation: float, within: bool):
    text = f"{deviation:+.1%}"
    return html.Span(text if within else f"{text} outside", className=None if within
                     else "text-danger fw-semibold")


def _pieces(pieces: int, wards: int):
    if wards == 0:
        return html.Span("empty", className="text-danger fw-semibold")
    return html.Span(str(pieces), className=None if pieces == 1 else "text-danger fw-semibold")


def summary(geo, draft: Draft, bal: Balance) -> html.P:
    within = int(bal.table["within"].sum())
    footprints = len(bal.table) - (1 if draft.new else 0)
    if draft.new:
        done = len(draft.assignment) - len(draft.unassigned)
        progress = f"{done} of {len(draft.assignment)} wards in footprints."
    else:
        base = drafts.start(geo, draft.layer).assignment
        progress = f"{len(drafts.moved(base, draft))} ward(s) moved from the pack's footprints."
    return html.P([
        html.Strong(f"Alignment with {geo.layer(bal.against).label}: {bal.alignment:.1%}. "),
        f"{within} of {footprints} footprints within ±{bal.tolerance:.0%} of "
        f"{bal.target:,.0f} residents; split score {bal.split_score:.2f}; {progress}"],
        className="mb-1", id=f"{ids.REDRAW_SUMMARY}-text")


def map_update(geo, draft: Draft, first: bool) -> Patch | dict:
    """The whole map on the page's first render, then only its colours and hover text."""
    lay = geo.layer(draft.layer)
    member = geo.layer(lay.member_of)
    codes = list(draft.groups)
    labels = np.array([codes.index(draft.assignment[m]) for m in member.codes])
    hover = [f"{n}: {draft.groups[draft.assignment[m]]}" for m, n in zip(member.codes,
                                                                          member.names)]
    disp = display_geometry(geo)
    colours = figures.footprint_colours(disp, member.name, labels, len(codes), hover)
    if first:
        fig = figures.redraw_map(disp, reference.geojson_url(disp), member.name,
                                 reference.blank_style_url())
        fig["data"][0].update(colours)
        return fig
    patch = Patch()
    for key, value in colours.items():
        patch["data"][0][key] = value
    return patch


def render(geo, data, against, need, tolerance, resource, opened, select_ids):
    """Everything that follows from the draft: map colours, summary, warnings, the balance
    table, the ward list and which controls are live."""
    draft = drafts.from_json(geo, data)
    bal = judge(geo, draft, against, need, tolerance, resource)
    options = [{"label": n, "value": c} for c, n in draft.groups.items()]
    readonly = _read_only(opened)
    warnings = [controls.small_alert(w, "warning") for w in bal.warnings]
    return (map_update(geo, draft, first=False), summary(geo, draft, bal), warnings, balance_table(geo, bal),
            [draft.assignment[i["code"]] for i in select_ids], [options] * len(select_ids),
            [readonly] * len(select_ids), options, options, not draft.undo or readonly,
            not draft.redo or readonly)


def edited(geo, data, trigger, click, ward_values, select_ids, paint, locks, opened) -> dict:
    """The draft after one edit (a click, a ward list change, undo, redo, start again, locks).

    A read-only view refuses any edit that would change the footprints; the ward list echoing
    the draft back (as it does when the page opens) changes nothing and passes.
    """
    draft = drafts.from_json(geo, data)
    new = _edit(geo, draft, trigger, click, ward_values, select_ids, paint, locks)
    if _read_only(opened) and trigger != ids.REDRAW_LOCKS and new.assignment != draft.assignment:
        _refuse_read_only()
    return data if new == draft else new.to_json()


def _edit(geo, draft: Draft, trigger, click, ward_values, select_ids, paint, locks) -> Draft:
    if trigger == ids.REDRAW_MAP:
        atom = int(click["points"][0]["location"])
        member = geo.layer(geo.layer(draft.layer).member_of)
        ward = member.codes[display_geometry(geo).atom_units[member.name][atom]]
        return drafts.move(draft, ward, paint)
    if isinstance(trigger, dict):  # one ward's select in the list
        value = ward_values[[i["code"] for i in select_ids].index(trigger["code"])]
        return drafts.move(draft, trigger["code"], value)
    if trigger == ids.REDRAW_UNDO:
        return drafts.undo(draft)
    if trigger == ids.REDRAW_REDO:
        return drafts.redo(draft)
    if trigger == ids.REDRAW_RESET:
        return drafts.change(draft, drafts.start(geo, draft.layer).assignment)
    if trigger == ids.REDRAW_LOCKS:
        return drafts.lock(draft, locks or [])
    return draft


def payload(draft: Draft, against, need, tolerance, resource) -> dict:
    """What a scenario holds: the footprints and the settings they were judged by (no history)."""
    return {"draft": draft.to_json(history=False), "settings": {"against": against, "need": need,
                                         "tolerance": tolerance, "resource": resource}}


def arrangement(geo, choice: str, data) -> Draft:
    """A compare choice as a draft: the pack's footprints, this draft, or a saved scenario."""
    if choice == scenarios.PACK_CHOICE:
        return drafts.start(geo, data["layer"])
    if choice == scenarios.DRAFT_CHOICE:
        return drafts.from_json(geo, data)
    return drafts.from_json(geo, reference.scenarios().get(choice).payload["draft"])


def compare_view(geo, a: Draft, b: Draft, labels: tuple[str, str], against, need, tolerance,
                 resource):
    res = resource_of(geo, resource)
    cmp = compare(geo, a, b, against, need, tolerance_of(tolerance), res)
    t = cmp.table
    shown = pd.DataFrame({"Footprint": t["name"], "Residents A": t["population_a"],
                          "Residents B": t["population_b"], "Change": t["population_change"],
                          "Need-weighted change": t["need_population_change"]})
    formats = {"Residents A": ",.0f", "Residents B": ",.0f", "Change": "+,.0f",
               "Need-weighted change": "+,.0f"}
    if res is not None:
        shown[f"{res.title} change ({res.unit})"] = t["recommended_change"]
        formats[f"{res.title} change ({res.unit})"] = "+,.1f"
    moves = [html.Li(f"{r.name}: {r.from_footprint} → {r.to_footprint}") for r in cmp.moved.itertuples()]
    return [
        html.P([html.Strong(f"{len(cmp.moved)} ward(s) differ. "),
                f"Alignment {cmp.alignment[0]:.1%} in A, {cmp.alignment[1]:.1%} in B; "
                f"{cmp.within[0]} and {cmp.within[1]} footprints within the band."],
               className="small mb-1", id=f"{ids.REDRAW_COMPARE}-text"),
        grid.data_table(shown, formats, caption=f"A: {labels[0]}. B: {labels[1]}."),
        html.Ul(moves, className="small") if moves else None,
    ]


def register(app) -> None:
    server = app.server
    select_ids = State({"type": ids.REDRAW_WARD, "code": ALL}, "id")

    @app.callback(Output(ids.REDRAW_MAP, "figure"), Input(ids.REDRAW_LAYER, "value"),
                  State(ids.REDRAW_DRAFT, "data"))
    def draw(_layer, data):
        geo = hosted(server, data)
        return map_update(geo, drafts.from_json(geo, data), first=True)

    @app.callback(Output(ids.REDRAW_NAV, "href"), Input(ids.REDRAW_LAYER, "value"),
                  State(ids.REDRAW_DRAFT, "data"), prevent_initial_call=True)
    def switch_layer(layer, data):
        # Another grouping has other footprints, controls and scenarios: load its page afresh.
        return no_update if layer == data["layer"] else reference.href("/redraw", layer=layer)

    # Moves patch the map drawn above; both may run as the page opens, and either order leaves
    # the draft's colours on the map.
    @app.callback(
        Output(ids.REDRAW_MAP, "figure", allow_duplicate=True),
        Output(ids.REDRAW_SUMMARY, "children"),
        Output(ids.REDRAW_WARNINGS, "children"), Output(ids.REDRAW_BALANCE, "children"),
        Output({"type": ids.REDRAW_WARD, "code": ALL}, "value"),
        Output({"type": ids.REDRAW_WARD, "code": ALL}, "options"),
        Output({"type": ids.REDRAW_WARD, "code": ALL}, "disabled"),
        Output(ids.REDRAW_PAINT, "options"), Output(ids.REDRAW_LOCKS, "options"),
        Output(ids.REDRAW_UNDO, "disabled"), Output(ids.REDRAW_REDO, "disabled"),
        Input(ids.REDRAW_DRAFT, "data"), *[Input(s, "value") for s in SETTINGS],
        Input(ids.REDRAW_OPENED, "data"), select_ids, prevent_initial_call="initial_duplicate")
    def update(data, against, need, tolerance, resource, opened, wards):
        return render(hosted(server, data), data, against, need, tolerance, resource,
                      opened, wards)

    @app.callback(
        Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
        Input(ids.REDRAW_MAP, "clickData"),
        Input({"type": ids.REDRAW_WARD, "code": ALL}, "value"),
        Input(ids.REDRAW_UNDO, "n_clicks"), Input(ids.REDRAW_REDO, "n_clicks"),
        Input(ids.REDRAW_RESET, "n_clicks"), Input(ids.REDRAW_LOCKS, "value"),
        State(ids.REDRAW_DRAFT, "data"), select_ids, State(ids.REDRAW_PAINT, "value"),
        State(ids.REDRAW_OPENED, "data"), prevent_initial_call=True)
    def edit(click, ward_values, _u, _r, _s, locks, data, wards, paint, opened):
        new = edited(hosted(server, data), data, ctx.triggered_id, click, ward_values,
                     wards, paint, locks, opened)
        return no_update if new == data else new

    @app.callback(
        Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
        Output(ids.REDRAW_SUGGEST_STATUS, "children"),
        Input(ids.REDRAW_SUGGEST, "n_clicks"), State(ids.REDRAW_DRAFT, "data"),
        State(ids.REDRAW_AGAINST, "value"), State(ids.REDRAW_TOLERANCE, "value"),
        State(ids.REDRAW_SUGGEST_N, "value"), State(ids.REDRAW_SUGGEST_SCRATCH, "value"),
        State(ids.REDRAW_OPENED, "data"), prevent_initial_call=True)
    def suggest(_n, data, against, tolerance, n_groups, scratch, opened):
        geo = hosted(server, data)
        if _read_only(opened):
            _refuse_read_only()
        draft = drafts.from_json(geo, data)
        try:
            n_groups = int(n_groups)
        except (TypeError, ValueError):
            raise EditError("Say how many footprints to suggest (a whole number).") from None
        found = optimise.suggest(geo, draft, against, n_groups, tolerance_of(tolerance),
                                 "scratch" in (scratch or []))
        new = drafts.change(draft, found.assignment, found.groups)
        return new.to_json(), controls.small_alert(f"{found.summary()} Undo takes it back.", "success")

    @app.callback(
        Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
        Output(ids.REDRAW_STORE_STATUS, "children", allow_duplicate=True),
        Input(ids.REDRAW_IMPORT, "contents"), State(ids.REDRAW_IMPORT, "filename"),
        State(ids.REDRAW_DRAFT, "data"), prevent_initial_call=True)
    def load_file(contents, filename, data):
        geo = hosted(server, data)
        draft = drafts.from_json(geo, data)
        try:
            raw = decode(Upload(filename, contents), TABLE_FILE_LIMIT)
            changes, new_groups = read_assignment(raw, filename, geo, draft)
            new = drafts.change(draft, changes, new_groups)
        except DashboardError as exc:
            return no_update, controls.small_alert(str(exc))
        moved = len(new.undo[-1]) if new is not draft else 0
        return new.to_json(), controls.small_alert(
            f"Loaded {filename}: {moved} ward(s) moved. Undo takes it back.", "success")

    scenario_outputs = [
        Output(ids.REDRAW_OPENED, "data", allow_duplicate=True),
        Output(ids.REDRAW_SCENARIOS, "options"), Output(ids.REDRAW_SCENARIOS, "value"),
        Output(ids.REDRAW_COMPARE_A, "options"), Output(ids.REDRAW_COMPARE_B, "options"),
        Output(ids.REDRAW_STORE_STATUS, "children", allow_duplicate=True),
        Output(ids.REDRAW_SHARE, "value", allow_duplicate=True)]

    @app.callback(
        *scenario_outputs,
        Output(ids.SCENARIO_KEYS, "data", allow_duplicate=True),
        Output(ids.UNSAVED, "data", allow_duplicate=True),
        Input(ids.REDRAW_SAVE, "n_clicks"), Input(ids.REDRAW_SAVE_AS, "n_clicks"),
        Input(ids.REDRAW_DUPLICATE, "n_clicks"), Input(ids.REDRAW_RENAME, "n_clicks"),
        Input(ids.REDRAW_DELETE, "n_clicks"), Input(ids.REDRAW_EDIT, "n_clicks"),
        State(ids.REDRAW_NAME, "value"), State(ids.REDRAW_SCENARIOS, "value"),
        State(ids.REDRAW_DRAFT, "data"), State(ids.REDRAW_OPENED, "data"),
        State(ids.SCENARIO_KEYS, "data"), State(ids.SCENARIO_SEEN, "data"),
        State(ids.UNSAVED, "data"), State(ids.REDRAW_CONTEXT, "data"),
        *[State(s, "value") for s in SETTINGS], prevent_initial_call=True)
    def manage(*args):
        clicks = dict(zip((ids.REDRAW_SAVE, ids.REDRAW_SAVE_AS, ids.REDRAW_DUPLICATE,
                           ids.REDRAW_RENAME, ids.REDRAW_DELETE, ids.REDRAW_EDIT), args[:6]))
        if not clicks.get(ctx.triggered_id):
            raise PreventUpdate  # a button (re)drawn, not pressed
        name, selected, data, opened, keys, seen, unsaved, context, *settings = args[6:]
        cleared = no_update  # the tab's unsaved draft, dropped once it is saved
        geo = hosted(server, data)
        store, pack = reference.scenarios(server), reference.pack_key()
        keys = dict(keys or {})
        try:
            opened, message = scenario_action(geo, store, pack, ctx.triggered_id, name, selected,
                                              data, opened, settings, keys)
            status = controls.small_alert(message, "success")
            cleared = (unsaved_work.keep_unsaved(unsaved, "redraw", context, None)
                       if ctx.triggered_id in (ids.REDRAW_SAVE, ids.REDRAW_SAVE_AS) else no_update)
        except ScenarioError as exc:
            status = controls.small_alert(str(exc))
        saved, choices, problem = scenarios.scenario_options(store, pack, data["layer"], keys,
                                                              seen)
        link = scenarios.share_link(opened["id"]) if opened else ""
        return (opened, saved, opened["id"] if opened else selected, choices, choices,
                controls.small_alert(problem, "warning") if problem else status, link, keys,
                cleared)

    unsaved_work.register(app, "redraw", ids.REDRAW_DRAFT, ids.REDRAW_CONTEXT,
                     ids.REDRAW_STORE_STATUS, _restored_message)

    @app.callback(
        Output(ids.REDRAW_SCENARIOS, "options", allow_duplicate=True),
        Output(ids.REDRAW_COMPARE_A, "options", allow_duplicate=True),
        Output(ids.REDRAW_COMPARE_B, "options", allow_duplicate=True),
        Input(ids.SCENARIO_KEYS, "data"), Input(ids.SCENARIO_SEEN, "data"),
        State(ids.REDRAW_DRAFT, "data"), prevent_initial_call="initial_duplicate")
    def list_mine(keys, seen, data):
        """The scenarios this browser saved or was sent, once its keys are read from storage."""
        saved, choices, _ = scenarios.scenario_options(
            reference.scenarios(server), reference.pack_key(), data["layer"], keys, seen)
        return saved, choices, choices

    scenarios.register(app, ids.REDRAW_OPENED)

    @app.callback(
        Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
        Output(ids.REDRAW_OPENED, "data", allow_duplicate=True),
        Output(ids.REDRAW_NAME, "value"),
        *[Output(s, "value") for s in SETTINGS],
        Output(ids.REDRAW_STORE_STATUS, "children", allow_duplicate=True),
        Output(ids.REDRAW_SHARE, "value", allow_duplicate=True),
        Input(ids.REDRAW_OPEN, "n_clicks"), State(ids.REDRAW_SCENARIOS, "value"),
        State(ids.REDRAW_DRAFT, "data"), *[State(s, "value") for s in SETTINGS],
        prevent_initial_call=True)
    def open_saved(_n, selected, data, *settings):
        geo = reference.geography(server)
        if not selected:
            return (no_update,) * 7 + (controls.small_alert("Choose a saved scenario first."), no_update)
        try:
            found = reference.scenarios(server).get(selected, reference.pack_key())
            draft = drafts.from_json(drafts.host(geo, found.payload["draft"]),
                                     found.payload["draft"])
        except DashboardError as exc:
            return (no_update,) * 7 + (controls.small_alert(str(exc)), no_update)
        kept = found.payload.get("settings", {})
        values = [kept.get(k, v) for k, v in zip(("against", "need", "tolerance", "resource"),
                                                  settings)]
        return (draft.to_json(), scenarios.opened_state(found), found.name, *values,
                controls.small_alert(f"Opened '{found.name}'.", "success"), scenarios.share_link(found.id))

    @app.callback(
        Output(ids.REDRAW_COMPARE, "children"),
        Input(ids.REDRAW_COMPARE_A, "value"), Input(ids.REDRAW_COMPARE_B, "value"),
        Input(ids.REDRAW_DRAFT, "data"), *[Input(s, "value") for s in SETTINGS],
        State(ids.REDRAW_COMPARE_A, "options"))
    def compare_two(a, b, data, *rest):
        *settings, options = rest
        geo = hosted(server, data)
        labels = {o["value"]: o["label"] for o in options}
        try:
            left, right = arrangement(geo, a, data), arrangement(geo, b, data)
        except ScenarioError as exc:
            return controls.small_alert(str(exc))
        return compare_view(geo, left, right, (labels.get(a, a), labels.get(b, b)), *settings)

    @app.callback(
        Output(ids.REDRAW_DOWNLOAD, "data"),
        *[Input(b, "n_clicks") for b in ids.REDRAW_EXPORT.values()],
        State(ids.REDRAW_DRAFT, "data"), State(ids.REDRAW_NAME, "value"),
        *[State(s, "value") for s in SETTINGS], prevent_initial_call=True)
    def download(*args):
        fmt = next((k for k, v in ids.REDRAW_EXPORT.items() if v == ctx.triggered_id), None)
        if fmt is None:
            return no_update
        data, name, *settings = args[len(ids.REDRAW_EXPORT):]
        geo = hosted(server, data)
        draft = drafts.from_json(geo, data)
        filename, content = scenario_export(geo, draft, judge(geo, draft, *settings),
                                            name or "", fmt)
        return dcc.send_bytes(content, filename)


def _restored_message(kept: dict) -> str:
    moved = sum(len(step) for step in kept.get("undo", []))
    return (f"Your unsaved changes are back ({moved} ward move(s) in their history): they are "
            "NOT saved yet. Save them, or press Start again to drop them.")


def _hub_parts(store, scenario_id: str) -> dict:
    """The hubs page's part of a saved scenario, kept when its footprints are saved again."""
    try:
        saved = store.get(scenario_id).payload
    except ScenarioError:
        return {}  # deleted meanwhile: saving as new still works
    return {k: v for k, v in saved.items() if k in ("hubs", "hub_settings")}


def scenario_action(geo, store, pack: str, action: str, name, selected, data, opened, settings,
                    keys: dict) -> tuple[dict | None, str]:
    """Save, save as, duplicate, rename, delete or unlock; returns the open scenario and a
    message. ``keys`` (this browser's edit keys) gains the key of anything saved anew; only
    scenarios whose key it holds can be changed. Store errors (bad names, conflicts, someone
    else's scenario, an unreachable database) propagate."""
    draft = drafts.from_json(geo, data)
    body = payload(draft, *settings)
    if action == ids.REDRAW_EDIT:
        if not opened:
            raise ScenarioError("Open a saved scenario first.")
        if not store.may_edit(store.get(opened["id"], pack), keys.get(opened["id"])):
            raise ScenarioError(READ_ONLY)
        return {**opened, "readonly": False}, f"You can now edit '{opened['name']}'."
    if action in (ids.REDRAW_SAVE, ids.REDRAW_SAVE_AS) and opened:
        body = {**_hub_parts(store, opened["id"]), **body}
    if action == ids.REDRAW_SAVE and opened and not _read_only(opened):
        new_name = name if name and name != opened["name"] else None
        saved = store.update(opened["id"], opened["version"], body, new_name,
                             edit_key=keys.get(opened["id"]), pack=pack)
        return scenarios.opened_state(saved), f"Saved '{saved.name}' (version {saved.version})."
    if action in (ids.REDRAW_SAVE, ids.REDRAW_SAVE_AS):
        saved = store.create(pack, draft.layer, name, body)
        keys[saved.id] = saved.edit_key
        return scenarios.opened_state(saved), f"Saved '{saved.name}'. Its read-only link is below."
    if not selected:
        raise ScenarioError("Choose a saved scenario first.")
    if action == ids.REDRAW_DUPLICATE:
        copy = store.duplicate(selected, f"{store.get(selected, pack).name} (copy)", pack)
        keys[copy.id] = copy.edit_key
        return opened, f"Made '{copy.name}'."
    if action == ids.REDRAW_RENAME:
        current = store.get(selected, pack)
        renamed = store.update(selected, current.version, name=name,
                               edit_key=keys.get(selected), pack=pack)
        if opened and opened["id"] == selected:
            opened = scenarios.opened_state(renamed)
        return opened, f"Renamed to '{renamed.name}'."
    if action == ids.REDRAW_DELETE:
        gone = store.get(selected, pack).name
        store.delete(selected, edit_key=keys.get(selected), pack=pack)
        keys.pop(selected, None)
        return (None if opened and opened["id"] == selected else opened), f"Deleted '{gone}'."
    return opened, ""
