"""Hubs page callbacks: access measures for the hub plan in the browser, what-if edits,
scenarios, files. Each unpacks its inputs into the page's state objects and hands them to plain
functions.

The plan lives in a ``dcc.Store`` like the redraw page's draft, so any worker can answer any
request; map clicks arrive as longitude/latitude from a small browser-side listener, because
Plotly reports clicks on shapes but not where on the map they fell.
"""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.engine import drafts, hubplan
from dashboard.errors import DashboardError
from dashboard.exports import hub_export
from dashboard.scenarios import ScenarioError
from dashboard.uploads import Upload
from dashboard.web import ids, reference
from dashboard.web.common import controls, downloads, drawn_table, scenarios, unsaved
from dashboard.web.common.scenarios import Desk
from dashboard.web.hubs import saving, views
from dashboard.web.hubs.edits import HubEdit, edited
from dashboard.web.hubs.state import SETTINGS, HubSettings, measure

EDIT_BUTTONS = (ids.HUBS_CLOSE, ids.HUBS_REOPEN, ids.HUBS_SET_STAFF, ids.HUBS_UNDO,
                ids.HUBS_REDO, ids.HUBS_RESET)
# Plotly gives no map position for a click, so listen on the MapLibre map itself. Dash may
# remount the graph and Plotly may build a new MapLibre map on a redraw, so one watcher per tab
# looks twice a second and listens on whichever map is current.
CLICK_LISTENER = """function(figure) {
    if (window.__hubClickWatch) { return window.dash_clientside.no_update; }
    window.__hubClickWatch = true;
    const watch = () => {
        const host = document.getElementById('MAP_ID');
        const gd = host && host.querySelector('.js-plotly-plot');
        const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
        if (sub && sub.map && !sub.map.__hubClicks) {
            sub.map.__hubClicks = true;
            sub.map.on('click', (e) => window.dash_clientside.set_props('CLICK_ID', {
                data: {lon: e.lngLat.lng, lat: e.lngLat.lat, at: Date.now()}}));
        }
        setTimeout(watch, 500);
    };
    watch();
    return window.dash_clientside.no_update;
}""".replace("MAP_ID", ids.HUBS_MAP).replace("CLICK_ID", ids.HUBS_CLICK)



def register(app) -> None:
    app.clientside_callback(CLICK_LISTENER, Output(ids.HUBS_CLICK, "data"),
                            Input(ids.HUBS_MAP, "figure"))
    drawn_table.register_section(app, ids.HUBS_TABLES_DATA, ids.HUBS_TABLES)
    _register_view(app)
    _register_editing(app)
    _register_scenarios(app)
    _register_opening(app)
    unsaved.register(app, unsaved.Work(
        "hubs", ids.HUBS_PLAN, ids.HUBS_CONTEXT, ids.HUBS_STORE_STATUS, saving.restored_message,
        extras=((ids.HUBS_CHOSEN, "options",
                 lambda kept: controls.hub_options(hubplan.from_json(kept))),)))
    scenarios.register(app, ids.HUBS_OPENED)


def _register_view(app) -> None:
    @app.callback(
        output={"map": Output(ids.HUBS_MAP, "figure"),
                "summary": Output(ids.HUBS_SUMMARY, "children"),
                "tables": Output(ids.HUBS_TABLES_DATA, "data"),
                **controls.grouped(Output, {"undo": ids.HUBS_UNDO, "redo": ids.HUBS_REDO},
                                   "disabled")},
        inputs={"plan_data": Input(ids.HUBS_PLAN, "data"),
                "opened": Input(ids.HUBS_OPENED, "data"),
                "settings": controls.grouped(Input, SETTINGS),
                "view": {"shade": Input(ids.HUBS_SHADE, "value"),
                         "chosen": Input(ids.HUBS_CHOSEN, "value")}})
    def update(*, plan_data, opened, settings, view):
        return views.render(reference.geography(), plan_data, opened,
                            HubSettings.of(settings), view)

    @app.callback(
        Output(ids.HUBS_DOWNLOAD, "data"),
        inputs={"clicks": [Input(b, "n_clicks") for b in ids.HUBS_EXPORT.values()]},
        state={"plan_data": State(ids.HUBS_PLAN, "data"),
               "opened": State(ids.HUBS_OPENED, "data"), "name": State(ids.HUBS_NAME, "value"),
               "settings": controls.grouped(State, SETTINGS)},
        prevent_initial_call=True)
    def download(*, clicks, plan_data, opened, name, settings):
        del clicks  # which one was pressed is ctx.triggered_id
        geo = reference.geography()

        def export(fmt: str):
            here, plan, result = measure(geo, plan_data, opened, HubSettings.of(settings))
            return hub_export(here, result, hubplan.changes(geo, plan), name or "", fmt)

        return downloads.send(ids.HUBS_EXPORT, export)


def _register_editing(app) -> None:
    @app.callback(Output(ids.HUBS_STAFF, "value"), Input(ids.HUBS_CHOSEN, "value"),
                  State(ids.HUBS_PLAN, "data"))
    def show_staff(chosen, plan_data):
        plan = hubplan.from_json(plan_data)
        return plan.get(chosen).staff if chosen in {h.code for h in plan.hubs} else None

    @app.callback(
        output={"plan": Output(ids.HUBS_PLAN, "data"),
                "options": Output(ids.HUBS_CHOSEN, "options"),
                "chosen": Output(ids.HUBS_CHOSEN, "value"),
                "status": Output(ids.HUBS_STATUS, "children")},
        inputs={"click": Input(ids.HUBS_CLICK, "data"),
                "buttons": [Input(b, "n_clicks") for b in EDIT_BUTTONS],
                "contents": Input(ids.HUBS_FILE, "contents")},
        state={"filename": State(ids.HUBS_FILE, "filename"),
               "plan_data": State(ids.HUBS_PLAN, "data"),
               "fields": {"mode": State(ids.HUBS_MODE, "value"),
                          "chosen": State(ids.HUBS_CHOSEN, "value"),
                          "name": State(ids.HUBS_NEW_NAME, "value"),
                          "kind": State(ids.HUBS_NEW_TYPE, "value"),
                          "staff": State(ids.HUBS_STAFF, "value")}},
        prevent_initial_call=True)
    def edit(*, click, buttons, contents, filename, plan_data, fields):
        del buttons  # which one was pressed is ctx.triggered_id
        upload = Upload(filename, contents) if contents else None
        try:
            plan, chosen, message = edited(reference.geography(), plan_data, HubEdit(
                ctx.triggered_id, click, upload=upload, **fields))
        except DashboardError as exc:
            return {"plan": no_update, "options": no_update, "chosen": no_update,
                    "status": controls.small_alert(str(exc))}
        new = plan.to_json()
        # Options and value together, so a hub just opened can be chosen at once.
        return {"plan": no_update if new == plan_data else new,
                "options": controls.hub_options(plan), "chosen": chosen,
                "status": controls.small_alert(message, "success") if message else ""}


def _register_scenarios(app) -> None:
    @app.callback(
        output={"opened": Output(ids.HUBS_OPENED, "data"),
                "saved": Output(ids.HUBS_SCENARIOS, "options"),
                "selected": Output(ids.HUBS_SCENARIOS, "value"),
                "status": Output(ids.HUBS_STORE_STATUS, "children"),
                "keys": Output(ids.SCENARIO_KEYS, "data", allow_duplicate=True),
                "unsaved": Output(ids.UNSAVED, "data", allow_duplicate=True)},
        inputs={"save": Input(ids.HUBS_SAVE, "n_clicks"),
                "save_as": Input(ids.HUBS_SAVE_AS, "n_clicks")},
        state={"name": State(ids.HUBS_NAME, "value"), "plan_data": State(ids.HUBS_PLAN, "data"),
               "opened": State(ids.HUBS_OPENED, "data"),
               "keys": State(ids.SCENARIO_KEYS, "data"), "seen": State(ids.SCENARIO_SEEN, "data"),
               "kept": State(ids.UNSAVED, "data"), "context": State(ids.HUBS_CONTEXT, "data"),
               "settings": controls.grouped(State, SETTINGS)},
        prevent_initial_call=True)
    def manage(*, save, save_as, name, plan_data, opened, keys, seen, kept, context, settings):
        if not {ids.HUBS_SAVE: save, ids.HUBS_SAVE_AS: save_as}.get(ctx.triggered_id):
            raise PreventUpdate  # a button (re)drawn, not pressed
        desk = Desk.here(keys, seen)
        request = saving.Request(ctx.triggered_id, name, plan_data, opened,
                                 HubSettings.of(settings))
        opened, status, done = desk.attempt(
            lambda: saving.scenario_action(reference.geography(), desk, request), opened)
        saved, _, problem = desk.options(None)
        return {"opened": opened, "saved": saved, "selected": opened["id"] if opened else None,
                "status": controls.small_alert(problem, "warning") if problem else status,
                "keys": desk.keys,
                # the tab's unsaved plan, dropped once it is saved
                "unsaved": unsaved.keep_unsaved(kept, "hubs", context, None) if done
                else no_update}

    @app.callback(
        Output(ids.HUBS_SCENARIOS, "options", allow_duplicate=True),
        Input(ids.SCENARIO_KEYS, "data"), Input(ids.SCENARIO_SEEN, "data"),
        prevent_initial_call="initial_duplicate")
    def list_mine(keys, seen):
        """The scenarios this browser saved or was sent, once its keys are read from storage."""
        return Desk.here(keys, seen).options(None)[0]

def _register_opening(app) -> None:
    @app.callback(
        output={"plan": Output(ids.HUBS_PLAN, "data", allow_duplicate=True),
                "options": Output(ids.HUBS_CHOSEN, "options", allow_duplicate=True),
                "opened": Output(ids.HUBS_OPENED, "data", allow_duplicate=True),
                "name": Output(ids.HUBS_NAME, "value"),
                "settings": {k: Output(i, "value") for k, i in SETTINGS.items()},
                "status": Output(ids.HUBS_STORE_STATUS, "children", allow_duplicate=True)},
        inputs={"_n": Input(ids.HUBS_OPEN, "n_clicks")},
        state={"selected": State(ids.HUBS_SCENARIOS, "value"), "settings": controls.grouped(State, SETTINGS)},
        prevent_initial_call=True)
    def open_saved(*, _n, selected, settings):
        geo = reference.geography()
        try:
            if not selected:
                raise ScenarioError("Choose a saved scenario first.")
            found = reference.scenarios().get(selected, reference.pack_key())
            drafts.from_json(geo, found.payload["draft"])
            plan = (hubplan.from_json(found.payload["hubs"]) if "hubs" in found.payload
                    else hubplan.start(geo))
        except DashboardError as exc:
            return {"plan": no_update, "options": no_update, "opened": no_update,
                    "name": no_update, "settings": dict.fromkeys(SETTINGS, no_update),
                    "status": controls.small_alert(str(exc))}
        kept = found.payload.get("hub_settings", {})
        note = "" if "hubs" in found.payload else " It had no hubs saved yet: showing the pack's."
        return {"plan": plan.to_json(), "options": controls.hub_options(plan),
                "opened": {**scenarios.opened_state(found), "draft": found.payload["draft"]},
                "name": found.name,
                "settings": {k: kept.get(k) or v for k, v in settings.items()},
                "status": controls.small_alert(
                    f"Opened '{found.name}' (its footprints and hubs).{note}", "success")}
