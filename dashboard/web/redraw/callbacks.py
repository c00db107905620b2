"""Redraw page callbacks: edits to the draft, the live balance, suggestions, scenarios, compare,
files. Each unpacks its inputs into the page's state objects and hands them to plain functions.

The draft lives in the browser (a ``dcc.Store``), so any worker can answer any request and two
people editing at once never see each other's unsaved work; only saving touches the server's
scenario store.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.data.assignments import read_assignment
from dashboard.engine import drafts, optimise
from dashboard.engine.drafts import EditError
from dashboard.errors import DashboardError
from dashboard.exports import scenario_export
from dashboard.scenarios import ScenarioError
from dashboard.uploads import TABLE_FILE_LIMIT, Upload, decode
from dashboard.web import ids, reference
from dashboard.web.common import controls, downloads, drawn_table, scenarios, unsaved
from dashboard.web.common.scenarios import Desk
from dashboard.web.redraw import saving, views
from dashboard.web.redraw.edits import Edit, edited
from dashboard.web.redraw.state import JUDGING, Judging, hosted, read_only, refuse_read_only

WARDS = {"type": ids.REDRAW_WARD, "code": ALL}
ACTIONS = (ids.REDRAW_SAVE, ids.REDRAW_SAVE_AS, ids.REDRAW_DUPLICATE, ids.REDRAW_RENAME,
           ids.REDRAW_DELETE, ids.REDRAW_EDIT)



def register(app) -> None:
    _register_drawing(app)
    _register_editing(app)
    _register_scenarios(app)
    _register_opening(app)
    _register_compare_and_files(app)
    unsaved.register(app, unsaved.Work("redraw", ids.REDRAW_DRAFT, ids.REDRAW_CONTEXT,
                                       ids.REDRAW_STORE_STATUS, saving.restored_message))
    scenarios.register(app, ids.REDRAW_OPENED)


def _register_drawing(app) -> None:
    drawn_table.register(app, ids.REDRAW_BALANCE_DATA, ids.REDRAW_BALANCE)
    drawn_table.register(app, ids.REDRAW_COMPARE_TABLE_DATA, ids.REDRAW_COMPARE_TABLE)

    @app.callback(Output(ids.REDRAW_MAP, "figure"), Input(ids.REDRAW_LAYER, "value"),
                  State(ids.REDRAW_DRAFT, "data"))
    def draw(_layer, data):
        geo = hosted(data)
        return views.map_update(geo, drafts.from_json(geo, data), first=True)

    @app.callback(Output(ids.REDRAW_NAV, "href"), Input(ids.REDRAW_LAYER, "value"),
                  State(ids.REDRAW_DRAFT, "data"), prevent_initial_call=True)
    def switch_layer(layer, data):
        # Another grouping has other footprints, controls and scenarios: load its page afresh.
        return no_update if layer == data["layer"] else reference.href("/redraw", layer=layer)

    # Moves patch the map drawn above (never as the page opens: the draw paints the draft).
    @app.callback(
        output={"map": Output(ids.REDRAW_MAP, "figure", allow_duplicate=True),
                "summary": Output(ids.REDRAW_SUMMARY, "children"),
                "warnings": Output(ids.REDRAW_WARNINGS, "children"),
                "balance": Output(ids.REDRAW_BALANCE_DATA, "data"),
                "legend": Output(ids.REDRAW_LEGEND, "children"),
                "wards": {prop: Output(WARDS, prop) for prop in ("value", "options", "disabled")},
                "paint": Output(ids.REDRAW_PAINT, "options"),
                "locks": Output(ids.REDRAW_LOCKS, "options"),
                "undo": Output(ids.REDRAW_UNDO, "disabled"),
                "redo": Output(ids.REDRAW_REDO, "disabled")},
        inputs={"data": Input(ids.REDRAW_DRAFT, "data"), "judging": controls.grouped(Input, JUDGING),
                "opened": Input(ids.REDRAW_OPENED, "data")},
        state={"wards": State(WARDS, "id")}, prevent_initial_call="initial_duplicate")
    def update(*, data, judging, opened, wards):
        out = views.render(hosted(data), data, Judging.of(judging), opened, wards)
        if ctx.triggered_id is None:
            # As the page opens, the draw above paints this draft; a patch racing ahead of it
            # would address traces the empty placeholder does not have yet.
            out["map"] = no_update
        return out


def _register_editing(app) -> None:
    @app.callback(
        Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
        inputs={"click": Input(ids.REDRAW_MAP, "clickData"),
                "selected": Input(ids.REDRAW_MAP, "selectedData"),
                "ward_values": Input(WARDS, "value"),
                "buttons": [Input(i, "n_clicks") for i in
                            (ids.REDRAW_UNDO, ids.REDRAW_REDO, ids.REDRAW_RESET)],
                "locks": Input(ids.REDRAW_LOCKS, "value")},
        state={"data": State(ids.REDRAW_DRAFT, "data"), "select_ids": State(WARDS, "id"),
               "paint": State(ids.REDRAW_PAINT, "value"),
               "opened": State(ids.REDRAW_OPENED, "data")},
        prevent_initial_call=True)
    def edit(*, click, selected, ward_values, buttons, locks, data, select_ids, paint,
             opened):
        del buttons  # which one was pressed is ctx.triggered_id
        prop = ctx.triggered[0]["prop_id"].rsplit(".", 1)[-1] if ctx.triggered else None
        new = edited(hosted(data), data, Edit(ctx.triggered_id, click, ward_values, select_ids,
                                              paint, locks, selected, prop), opened)
        return no_update if new == data else new

    @app.callback(
        Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
        Output(ids.REDRAW_SUGGEST_STATUS, "children"),
        inputs={"_n": Input(ids.REDRAW_SUGGEST, "n_clicks")},
        state={"data": State(ids.REDRAW_DRAFT, "data"), "judging": controls.grouped(State, JUDGING),
               "n_groups": State(ids.REDRAW_SUGGEST_N, "value"),
               "scratch": State(ids.REDRAW_SUGGEST_SCRATCH, "value"),
               "opened": State(ids.REDRAW_OPENED, "data")},
        prevent_initial_call=True)
    def suggest(*, _n, data, judging, n_groups, scratch, opened):
        if read_only(opened):
            refuse_read_only()
        geo = hosted(data)
        draft = drafts.from_json(geo, data)
        try:
            n_groups = int(n_groups)
        except (TypeError, ValueError):
            raise EditError("Say how many footprints to suggest (a whole number).") from None
        judging = Judging.of(judging)
        found = optimise.suggest(geo, draft, judging.against, n_groups, tolerance=judging.band(),
                                 from_scratch="scratch" in (scratch or []))
        new = drafts.change(draft, found.assignment, found.groups)
        return new.to_json(), controls.small_alert(f"{found.summary()} Undo takes it back.",
                                                   "success")


def _register_scenarios(app) -> None:
    @app.callback(
        output={"opened": Output(ids.REDRAW_OPENED, "data", allow_duplicate=True),
                "saved": Output(ids.REDRAW_SCENARIOS, "options"),
                "selected": Output(ids.REDRAW_SCENARIOS, "value"),
                "compare": [Output(ids.REDRAW_COMPARE_A, "options"),
                            Output(ids.REDRAW_COMPARE_B, "options")],
                "status": Output(ids.REDRAW_STORE_STATUS, "children", allow_duplicate=True),
                "share": Output(ids.REDRAW_SHARE, "value", allow_duplicate=True),
                "keys": Output(ids.SCENARIO_KEYS, "data", allow_duplicate=True),
                "unsaved": Output(ids.UNSAVED, "data", allow_duplicate=True)},
        inputs={"clicks": [Input(i, "n_clicks") for i in ACTIONS]},
        state={"name": State(ids.REDRAW_NAME, "value"),
               "selected": State(ids.REDRAW_SCENARIOS, "value"),
               "data": State(ids.REDRAW_DRAFT, "data"), "opened": State(ids.REDRAW_OPENED, "data"),
               "keys": State(ids.SCENARIO_KEYS, "data"), "seen": State(ids.SCENARIO_SEEN, "data"),
               "kept": State(ids.UNSAVED, "data"), "context": State(ids.REDRAW_CONTEXT, "data"),
               "judging": controls.grouped(State, JUDGING)},
        prevent_initial_call=True)
    def manage(*, clicks, name, selected, data, opened, keys, seen, kept, context, judging):
        if not dict(zip(ACTIONS, clicks)).get(ctx.triggered_id):
            raise PreventUpdate  # a button (re)drawn, not pressed
        desk = Desk.here(keys, seen)
        request = saving.Request(ctx.triggered_id, name, selected, data, opened,
                                 Judging.of(judging))
        opened, status, done = desk.attempt(
            lambda: saving.scenario_action(hosted(data), desk, request), opened)
        saved, choices, problem = desk.options(data["layer"])
        saved_now = done and ctx.triggered_id in (ids.REDRAW_SAVE, ids.REDRAW_SAVE_AS)
        return {"opened": opened, "saved": saved,
                "selected": opened["id"] if opened else selected, "compare": [choices, choices],
                "status": controls.small_alert(problem, "warning") if problem else status,
                "share": scenarios.share_link(opened["id"]) if opened else "",
                "keys": desk.keys,
                # the tab's unsaved draft, dropped once it is saved
                "unsaved": unsaved.keep_unsaved(kept, "redraw", context, None) if saved_now
                else no_update}

    @app.callback(
        Output(ids.REDRAW_SCENARIOS, "options", allow_duplicate=True),
        Output(ids.REDRAW_COMPARE_A, "options", allow_duplicate=True),
        Output(ids.REDRAW_COMPARE_B, "options", allow_duplicate=True),
        Input(ids.SCENARIO_KEYS, "data"), Input(ids.SCENARIO_SEEN, "data"),
        State(ids.REDRAW_DRAFT, "data"), prevent_initial_call="initial_duplicate")
    def list_mine(keys, seen, data):
        """The scenarios this browser saved or was sent, once its keys are read from storage."""
        saved, choices, _ = Desk.here(keys, seen).options(data["layer"])
        return saved, choices, choices

def _register_opening(app) -> None:
    @app.callback(
        output={"data": Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
                "opened": Output(ids.REDRAW_OPENED, "data", allow_duplicate=True),
                "name": Output(ids.REDRAW_NAME, "value"),
                "judging": {k: Output(i, "value") for k, i in JUDGING.items()},
                "status": Output(ids.REDRAW_STORE_STATUS, "children", allow_duplicate=True),
                "share": Output(ids.REDRAW_SHARE, "value", allow_duplicate=True)},
        inputs={"_n": Input(ids.REDRAW_OPEN, "n_clicks")},
        state={"selected": State(ids.REDRAW_SCENARIOS, "value"), "judging": controls.grouped(State, JUDGING)},
        prevent_initial_call=True)
    def open_saved(*, _n, selected, judging):
        try:
            if not selected:
                raise ScenarioError("Choose a saved scenario first.")
            found = reference.scenarios().get(selected, reference.pack_key())
            geo = reference.geography()
            draft = drafts.from_json(drafts.host(geo, found.payload["draft"]),
                                     found.payload["draft"])
        except DashboardError as exc:
            return {"data": no_update, "opened": no_update, "name": no_update,
                    "judging": dict.fromkeys(JUDGING, no_update),
                    "status": controls.small_alert(str(exc)), "share": no_update}
        kept = found.payload.get("settings", {})
        return {"data": draft.to_json(), "opened": scenarios.opened_state(found),
                "name": found.name, "judging": {k: kept.get(k, v) for k, v in judging.items()},
                "status": controls.small_alert(f"Opened '{found.name}'.", "success"),
                "share": scenarios.share_link(found.id)}


def _register_compare_and_files(app) -> None:
    @app.callback(
        Output(ids.REDRAW_COMPARE_SUMMARY, "children"),
        Output(ids.REDRAW_COMPARE_TABLE_DATA, "data"),
        Output(ids.REDRAW_COMPARE_MOVES, "children"),
        inputs={"a": Input(ids.REDRAW_COMPARE_A, "value"),
                "b": Input(ids.REDRAW_COMPARE_B, "value"),
                "data": Input(ids.REDRAW_DRAFT, "data"), "judging": controls.grouped(Input, JUDGING)},
        state={"options": State(ids.REDRAW_COMPARE_A, "options")})
    def compare_two(*, a, b, data, judging, options):
        geo = hosted(data)
        labels = {o["value"]: o["label"] for o in options}
        try:
            left, right = views.arrangement(geo, a, data), views.arrangement(geo, b, data)
        except ScenarioError as exc:
            return controls.small_alert(str(exc)), None, None
        return views.compare_view(geo, left, right, (labels.get(a, a), labels.get(b, b)),
                                  Judging.of(judging))

    @app.callback(
        Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
        Output(ids.REDRAW_STORE_STATUS, "children", allow_duplicate=True),
        Input(ids.REDRAW_IMPORT, "contents"), State(ids.REDRAW_IMPORT, "filename"),
        State(ids.REDRAW_DRAFT, "data"), prevent_initial_call=True)
    def load_file(contents, filename, data):
        geo = hosted(data)
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

    @app.callback(
        Output(ids.REDRAW_DOWNLOAD, "data"),
        inputs={"clicks": [Input(b, "n_clicks") for b in ids.REDRAW_EXPORT.values()]},
        state={"data": State(ids.REDRAW_DRAFT, "data"), "name": State(ids.REDRAW_NAME, "value"),
               "judging": controls.grouped(State, JUDGING)},
        prevent_initial_call=True)
    def download(*, clicks, data, name, judging):
        del clicks  # which one was pressed is ctx.triggered_id
        geo = hosted(data)
        draft = drafts.from_json(geo, data)
        return downloads.send(ids.REDRAW_EXPORT, lambda fmt: scenario_export(
            geo, draft, Judging.of(judging).judge(geo, draft), name or "", fmt))
