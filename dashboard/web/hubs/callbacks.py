"""Hubs page: access measures for the hub plan in the browser, what-if edits, scenarios, files.

The plan lives in a ``dcc.Store`` like the redraw page's draft, so any worker can answer any
request; map clicks arrive as longitude/latitude from a small browser-side listener, because
Plotly reports clicks on shapes but not where on the map they fell.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from pyproj import Transformer

from dashboard.data import recognise as rec
from dashboard.data.points import check_inside, read_hubs
from dashboard.engine import drafts, hubplan
from dashboard.engine.access import Access, access, band_label, hub_table
from dashboard.engine.drafts import EditError
from dashboard.engine.hubplan import HubPlan
from dashboard.errors import DashboardError
from dashboard.exports import hub_export
from dashboard.packs import TABLE_FILE_LIMIT, Upload, decode
from dashboard.scenarios import ScenarioError
from dashboard.web import ids, reference
from dashboard.web.common import controls, grid, mapbase, scenarios
from dashboard.web.common import unsaved as unsaved_work
from dashboard.web.common.shapes import display_geometry
from dashboard.web.hubs import figures

SETTINGS = [ids.HUBS_LAYER, ids.HUBS_NEED, ids.HUBS_TYPES, ids.HUBS_BANDS]
MAX_BANDS = 6


def parse_bands(text) -> list[float]:
    """'1, 2, 5' (km) as metres, with a message for anything else."""
    parts = [p.strip() for p in str(text or "").replace(";", ",").split(",") if p.strip()]
    try:
        km = sorted({float(p) for p in parts})
    except ValueError:
        raise EditError(f"Give distances as kilometres separated by commas, e.g. 1, 2, 5 (not "
                        f"'{text}').") from None
    if not km or km[0] <= 0 or km[-1] > 100 or len(km) > MAX_BANDS:
        raise EditError(f"Give 1 to {MAX_BANDS} distances between 0 and 100 km, e.g. 1, 2, 5.")
    return [k * 1000 for k in km]


def scenario_geography(geo, opened):
    """The pack, with an opened scenario's footprints in place of its own."""
    if opened and opened.get("draft"):
        return drafts.apply(geo, drafts.from_json(geo, opened["draft"]))
    return geo


def measure(geo, plan_data, opened, layer, need, types, bands) -> tuple[object, HubPlan, Access]:
    here = scenario_geography(geo, opened)
    plan = hubplan.from_json(plan_data)
    return here, plan, access(here, plan.table(), need, parse_bands(bands), layer, types)


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    # Building a transformer costs tens of milliseconds; each pair is built once per process.
    return Transformer.from_crs(source, target, always_xy=True)


def _lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer("EPSG:27700", "EPSG:4326").transform(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.round(lon, 5), np.round(lat, 5)


def to_bng(lon: float, lat: float) -> tuple[float, float]:
    return _transformer("EPSG:4326", "EPSG:27700").transform(float(lon), float(lat))


def _km(metres: float) -> str:
    return "–" if not np.isfinite(metres) else f"{metres / 1000:.1f} km"


def shading(result: Access, shade: str, bands: list[float]) -> dict:
    areas = result.areas
    distance = areas["straight_line_m"].to_numpy()
    hover = [f"{n}: {_km(d)} in a straight line to {h or 'no hub'}"
             for n, d, h in zip(areas["name"], distance, areas["nearest_hub_name"])]
    if shade == "catchment" and len(result.hubs):
        codes = list(result.hubs["code"])
        return {"z": [codes.index(c) for c in areas["nearest_hub"]], "hover": hover,
                "colours": [mapbase.CATCHMENT_COLOURS[i % len(mapbase.CATCHMENT_COLOURS)]
                            for i in range(len(codes))],
                "ticks": list(result.hubs["name"]), "title": "Nearest hub"}
    edges = [b / 1000 for b in bands]
    ticks = [f"≤ {edges[0]:g} km"] + [f"{a:g}–{b:g} km" for a, b in zip(edges, edges[1:])] + [
        f"> {edges[-1]:g} km"]
    return {"z": np.searchsorted(np.asarray(bands), distance, side="left").tolist(),
            "hover": hover, "colours": figures.band_colours(len(bands)), "ticks": ticks,
            "title": "Straight line<br>to nearest hub"}


def hub_points(plan: HubPlan) -> list[dict]:
    table = plan.table(include_closed=True)
    lon, lat = _lonlat(table["x"], table["y"])
    return [{"code": r.code, "name": r.name, "type": r.type, "staff": float(r.staff),
             "lon": float(lo), "lat": float(la), "closed": r.code in plan.closed}
            for r, lo, la in zip(table.itertuples(), lon, lat)]


def hub_figure(here, result: Access, plan: HubPlan, shade, bands, chosen) -> dict:
    disp = display_geometry(here)  # a scenario's footprints change outlines, not the shapes' URL
    return figures.hub_map(here, disp, reference.geojson_url(disp), result.layer,
                           shading(result, shade, bands), hub_points(plan), chosen,
                           reference.blank_style_url())


def summary(result: Access, base: Access | None) -> html.Div:
    rows = result.bands
    parts = []
    for i, r in enumerate(rows.itertuples()):
        change = ""
        if base is not None:
            diff = r.population - base.bands.iloc[i]["population"]
            change = f"; {diff:+,.0f} against the pack's hubs"
        parts.append(html.Li([f"{band_label(r.within_m)}: ",
                              html.Strong(f"{r.population:,.0f}",
                                          id=f"{ids.HUBS_SUMMARY}-within-{r.within_m:g}"),
                              f" residents ({r.share:.1%}; need-weighted "
                              f"{r.weighted_share:.1%}{change})"]))
    flags = []
    if result.hubs_outside_footprint:
        flags.append(f"Sitting outside the footprint they serve: "
                     f"{', '.join(result.hubs_outside_footprint)}.")
    if result.footprints_without_hub:
        flags.append(f"No hub inside or serving: {', '.join(result.footprints_without_hub)}.")
    return html.Div([
        html.P(html.Strong(f"{len(result.hubs)} hub(s) counted; straight-line distance from "
                           "where residents live:"), className="mb-0 small"),
        html.Ul(parts, className="small mb-1"),
        *[html.P(f, className="small text-danger mb-1") for f in flags]])


def unit_name(geo, code: str) -> str:
    """The name of the footprint a hub serves, from whichever area layer has that code."""
    for lay in geo.layers.values():
        if lay.kind != "small_areas" and code in lay.positions:
            return lay.names[lay.positions[code]]
    return code


def _flag(text: str):
    return html.Span(text, className="text-danger fw-semibold")


def tables(here, result: Access, changes: pd.DataFrame) -> list:
    c = result.catchments
    hubs = pd.DataFrame({
        "Hub": c["name"], "Type": c["type"],
        "Sits in": c["sits_in_name"],
        "Serves": [unit_name(here, s) for s in c["serves"]],
        "Catchment residents": c["population"], "Need-weighted": c["weighted_population"],
        "Need index": c["need_index"], "Staff (FTE)": c["staff"],
        "Staff per 10k weighted": c["staff_per_10k"],
        "Median straight line (km)": c["median_straight_line_m"] / 1000})
    formats = {"Catchment residents": ",.0f", "Need-weighted": ",.0f", "Need index": ".2f",
               "Staff (FTE)": ",.1f", "Staff per 10k weighted": ",.2f",
               "Median straight line (km)": ".1f"}
    parts = [html.H2("Hubs and their catchments", className="h5 mt-2"),
             grid.data_table(hubs, formats, caption=(
                 "Each small area belongs to its nearest counted hub (straight line). Staff per "
                 "10,000 need-weighted residents of the catchment."))]
    outside = c.loc[c["outside_footprint"], "name"].tolist()
    if outside:
        parts.append(html.P(_flag(f"{', '.join(outside)} sit outside the footprint they "
                                  "serve."), className="small"))
    if result.footprints is not None:
        f = result.footprints
        shown = pd.DataFrame({"Footprint": f["name"], "Residents": f["population"],
                              "Hubs inside": f["hubs_inside"].replace("", "none"),
                              "Hubs serving": f["hubs_serving"].replace("", "none")})
        fmt = {"Residents": ",.0f", "Median straight line (km)": ".1f"}
        for col in [k for k in f.columns if k.startswith("share_within_")]:
            label = f"Share {band_label(float(col.split('_')[2]))}"
            shown[label] = f[col]
            fmt[label] = ".0%"
        shown["Median straight line (km)"] = f["median_straight_line_m"] / 1000
        parts += [html.H2(f"{here.layer(result.layer).label}: their residents' access",
                          className="h5 mt-3"),
                  grid.data_table(shown, fmt)]
        if result.footprints_without_hub:
            parts.append(html.P(_flag(f"No hub inside or serving: "
                                      f"{', '.join(result.footprints_without_hub)}."),
                                className="small"))
    far = result.farthest()
    parts += [html.H2("Small areas farthest from any counted hub", className="h5 mt-3"),
              grid.data_table(pd.DataFrame({
                  "Code": far["code"], "Small area": far["name"], "Residents": far["population"],
                  "Nearest hub": far["nearest_hub_name"],
                  "Straight line (km)": far["straight_line_m"] / 1000}),
                  {"Residents": ",.0f", "Straight line (km)": ".1f"})]
    if len(changes):
        parts += [html.H2("Changes from the pack's hubs", className="h5 mt-3"),
                  html.Ul([html.Li(f"{r.name}: {r.change}"
                                   + (f" {r.moved_straight_line_m / 1000:.1f} km"
                                      if r.change == "moved" else ""))
                           for r in changes.itertuples()], className="small")]
    return parts


def render(geo, plan_data, opened, layer, need, types, bands, shade, chosen):
    here, plan, result = measure(geo, plan_data, opened, layer, need, types, bands)
    changes = hubplan.changes(geo, plan)
    # The pack's hubs judged the same way, for the change each figure shows.
    base = (access(here, hub_table(geo), need, parse_bands(bands), layer, types) if len(changes)
            else None)
    return (hub_figure(here, result, plan, shade, parse_bands(bands), chosen),
            summary(result, base), tables(here, result, changes), not plan.undo, not plan.redo)


def edited(geo, plan_data, trigger, click, mode, chosen, name, kind, staff, upload=None
           ) -> tuple[HubPlan, str | None, str]:
    """The plan after one edit, the hub to choose next, and a message saying what happened."""
    plan = hubplan.from_json(plan_data)
    if trigger == ids.HUBS_CLICK:
        if mode == "look" or not click:
            return plan, chosen, ""
        x, y = to_bng(click["lon"], click["lat"])
        if mode == "move":
            if not chosen:
                raise EditError("Choose the hub to move first, then click where it should go.")
            new = hubplan.move(plan, geo, chosen, x, y)
            return new, chosen, f"Moved {new.get(chosen).name}."
        new = hubplan.add(plan, geo, x, y, name=(name or "").strip() or None,
                          kind=kind or "community")
        hub = new.hubs[-1]
        return new, hub.code, f"Opened {hub.name}. Set its staff below; Undo takes it back."
    if trigger in (ids.HUBS_CLOSE, ids.HUBS_REOPEN, ids.HUBS_SET_STAFF) and not chosen:
        raise EditError("Choose a hub first.")
    if trigger == ids.HUBS_CLOSE:
        return hubplan.close(plan, chosen), chosen, f"Closed {plan.get(chosen).name}."
    if trigger == ids.HUBS_REOPEN:
        return hubplan.reopen(plan, chosen), chosen, f"Reopened {plan.get(chosen).name}."
    if trigger == ids.HUBS_SET_STAFF:
        new = hubplan.update(plan, chosen, staff=staff)
        return new, chosen, f"{plan.get(chosen).name} now has {new.get(chosen).staff:,.1f} staff."
    if trigger == ids.HUBS_UNDO:
        return hubplan.undo(plan), chosen, "Undone."
    if trigger == ids.HUBS_REDO:
        return hubplan.redo(plan), chosen, "Redone."
    if trigger == ids.HUBS_RESET:
        start = hubplan.start(geo)
        return hubplan.replace(plan, start.hubs), None, "Back to the pack's hubs; Undo returns."
    if trigger == ids.HUBS_FILE and upload is not None:
        return loaded(geo, plan, upload)
    return plan, chosen, ""


def loaded(geo, plan: HubPlan, upload: Upload) -> tuple[HubPlan, None, str]:
    """A hubs CSV in place of the plan's hubs, checked like an imported pack's."""
    raw = decode(upload, TABLE_FILE_LIMIT)
    frame = read_hubs(rec.parse_table(raw, upload.filename), upload.filename)
    check_inside(frame["easting"], frame["northing"], frame["name"], geo.small_area_geometry.values,
                 upload.filename)
    hubs = hubplan.from_table(frame.rename(columns={"hub_code": "code", "easting": "x",
                                                    "northing": "y"}))
    return (hubplan.replace(plan, hubs), None,
            f"Loaded {len(hubs)} hub(s) from {upload.filename}; Undo returns the previous hubs.")


def payload(geo, plan: HubPlan, opened, layer, need, types, bands) -> dict:
    """A scenario body: the opened scenario's footprints (or the pack's), these hubs and the
    settings they were judged by."""
    if opened and opened.get("draft"):
        draft = opened["draft"]
    else:
        grouping = next((n for n, lay in geo.layers.items() if lay.kind == "grouping"), None)
        if grouping is None:
            raise ScenarioError("Scenarios hold footprints made of wards, and this pack has "
                                "none; export the hub tables instead.")
        draft = drafts.start(geo, grouping).to_json(history=False)
    return {"draft": draft, "hubs": plan.to_json(history=False), "hub_settings": {
        "layer": layer, "need": need, "types": types, "bands": bands}}


def scenario_action(geo, store, pack, action, name, plan_data, opened, settings,
                    keys: dict) -> tuple:
    """Save (update the open scenario, keeping its footprints and settings; only with its edit
    key in ``keys``) or save as new (adding its key to ``keys``)."""
    plan = hubplan.from_json(plan_data)
    body = payload(geo, plan, opened, *settings)
    if action == ids.HUBS_SAVE and opened:
        if opened.get("readonly"):
            raise ScenarioError("This shared scenario is read-only here; use Save as new to keep "
                                "your changes.")
        current = store.get(opened["id"], pack)
        new_name = name if name and name != opened["name"] else None
        saved = store.update(opened["id"], opened["version"], {**current.payload, **body},
                             new_name, edit_key=keys.get(opened["id"]), pack=pack)
        message = f"Saved '{saved.name}' (version {saved.version})."
    else:
        layer = body["draft"]["layer"]
        saved = store.create(pack, layer, name, body)
        keys[saved.id] = saved.edit_key
        message = f"Saved '{saved.name}' with its footprints and hubs."
    return {**scenarios.opened_state(saved), "draft": body["draft"]}, message


def _restored_message(kept: dict) -> str:
    return (f"Your unsaved hub changes are back ({len(kept.get('undo', []))} change(s) in their "
            "history): they are NOT saved yet.")


def register(app) -> None:
    server = app.server

    # Plotly gives no map position for a click, so listen on the MapLibre map itself.
    app.clientside_callback(
        """function(figure) {
            // Dash may remount the graph and Plotly may build a new MapLibre map on a redraw,
            // so one watcher per tab looks twice a second and listens on whichever map is current.
            if (window.__hubClickWatch) { return window.dash_clientside.no_update; }
            window.__hubClickWatch = true;
            const watch = () => {
                const host = document.getElementById('MAP_ID');
                const gd = host && host.querySelector('.js-plotly-plot');
                const sub = gd && gd._fullLayout && gd._fullLayout.map &&
                    gd._fullLayout.map._subplot;
                if (sub && sub.map && !sub.map.__hubClicks) {
                    sub.map.__hubClicks = true;
                    sub.map.on('click', (e) => window.dash_clientside.set_props('CLICK_ID', {
                        data: {lon: e.lngLat.lng, lat: e.lngLat.lat, at: Date.now()}}));
                }
                setTimeout(watch, 500);
            };
            watch();
            return window.dash_clientside.no_update;
        }""".replace("MAP_ID", ids.HUBS_MAP).replace("CLICK_ID", ids.HUBS_CLICK),
        Output(ids.HUBS_CLICK, "data"), Input(ids.HUBS_MAP, "figure"))

    @app.callback(
        Output(ids.HUBS_MAP, "figure"), Output(ids.HUBS_SUMMARY, "children"),
        Output(ids.HUBS_TABLES, "children"), Output(ids.HUBS_UNDO, "disabled"),
        Output(ids.HUBS_REDO, "disabled"),
        Input(ids.HUBS_PLAN, "data"), Input(ids.HUBS_OPENED, "data"),
        *[Input(s, "value") for s in SETTINGS], Input(ids.HUBS_SHADE, "value"),
        Input(ids.HUBS_CHOSEN, "value"))
    def update(plan_data, opened, layer, need, types, bands, shade, chosen):
        return render(reference.geography(server), plan_data, opened, layer, need, types,
                      bands, shade, chosen)

    @app.callback(Output(ids.HUBS_STAFF, "value"), Input(ids.HUBS_CHOSEN, "value"),
                  State(ids.HUBS_PLAN, "data"))
    def show_staff(chosen, plan_data):
        plan = hubplan.from_json(plan_data)
        return plan.get(chosen).staff if chosen in {h.code for h in plan.hubs} else None

    @app.callback(
        Output(ids.HUBS_PLAN, "data"), Output(ids.HUBS_CHOSEN, "options"),
        Output(ids.HUBS_CHOSEN, "value"), Output(ids.HUBS_STATUS, "children"),
        Input(ids.HUBS_CLICK, "data"), Input(ids.HUBS_CLOSE, "n_clicks"),
        Input(ids.HUBS_REOPEN, "n_clicks"), Input(ids.HUBS_SET_STAFF, "n_clicks"),
        Input(ids.HUBS_UNDO, "n_clicks"), Input(ids.HUBS_REDO, "n_clicks"),
        Input(ids.HUBS_RESET, "n_clicks"), Input(ids.HUBS_FILE, "contents"),
        State(ids.HUBS_FILE, "filename"), State(ids.HUBS_PLAN, "data"),
        State(ids.HUBS_MODE, "value"), State(ids.HUBS_CHOSEN, "value"),
        State(ids.HUBS_NEW_NAME, "value"), State(ids.HUBS_NEW_TYPE, "value"),
        State(ids.HUBS_STAFF, "value"), prevent_initial_call=True)
    def edit(click, _c, _o, _s, _u, _r, _x, contents, filename, plan_data, mode, chosen, name,
             kind, staff):
        geo = reference.geography(server)
        upload = Upload(filename, contents) if contents else None
        try:
            plan, chosen, message = edited(geo, plan_data, ctx.triggered_id, click, mode,
                                           chosen, name, kind, staff, upload)
        except DashboardError as exc:
            return no_update, no_update, no_update, controls.small_alert(str(exc))
        new = plan.to_json()
        # Options and value together, so a hub just opened can be chosen at once.
        return ((no_update if new == plan_data else new), controls.hub_options(plan), chosen,
                controls.small_alert(message, "success") if message else "")

    @app.callback(
        Output(ids.HUBS_OPENED, "data"), Output(ids.HUBS_SCENARIOS, "options"),
        Output(ids.HUBS_SCENARIOS, "value"), Output(ids.HUBS_STORE_STATUS, "children"),
        Output(ids.SCENARIO_KEYS, "data", allow_duplicate=True),
        Output(ids.UNSAVED, "data", allow_duplicate=True),
        Input(ids.HUBS_SAVE, "n_clicks"), Input(ids.HUBS_SAVE_AS, "n_clicks"),
        State(ids.HUBS_NAME, "value"), State(ids.HUBS_PLAN, "data"),
        State(ids.HUBS_OPENED, "data"), State(ids.SCENARIO_KEYS, "data"),
        State(ids.SCENARIO_SEEN, "data"), State(ids.UNSAVED, "data"),
        State(ids.HUBS_CONTEXT, "data"), *[State(s, "value") for s in SETTINGS],
        prevent_initial_call=True)
    def manage(save, save_as, name, plan_data, opened, keys, seen, unsaved, context, *settings):
        if not {ids.HUBS_SAVE: save, ids.HUBS_SAVE_AS: save_as}.get(ctx.triggered_id):
            raise PreventUpdate  # a button (re)drawn, not pressed
        geo = reference.geography(server)
        store, pack = reference.scenarios(server), reference.pack_key()
        keys = dict(keys or {})
        cleared = no_update  # the tab's unsaved plan, dropped once it is saved
        try:
            opened, message = scenario_action(geo, store, pack, ctx.triggered_id, name,
                                              plan_data, opened, settings, keys)
            status = controls.small_alert(message, "success")
            cleared = unsaved_work.keep_unsaved(unsaved, "hubs", context, None)
        except (ScenarioError, EditError) as exc:
            status = controls.small_alert(str(exc))
        saved, _, problem = scenarios.scenario_options(store, pack, None, keys, seen)
        if problem:
            status = controls.small_alert(problem, "warning")
        return opened, saved, opened["id"] if opened else None, status, keys, cleared

    unsaved_work.register(app, "hubs", ids.HUBS_PLAN, ids.HUBS_CONTEXT, ids.HUBS_STORE_STATUS,
                     _restored_message, extras=((ids.HUBS_CHOSEN, "options", lambda kept:
                                                 controls.hub_options(hubplan.from_json(kept))),))

    @app.callback(
        Output(ids.HUBS_SCENARIOS, "options", allow_duplicate=True),
        Input(ids.SCENARIO_KEYS, "data"), Input(ids.SCENARIO_SEEN, "data"),
        prevent_initial_call="initial_duplicate")
    def list_mine(keys, seen):
        """The scenarios this browser saved or was sent, once its keys are read from storage."""
        return scenarios.scenario_options(reference.scenarios(server), reference.pack_key(),
                                           None, keys, seen)[0]

    scenarios.register(app, ids.HUBS_OPENED)

    @app.callback(
        Output(ids.HUBS_PLAN, "data", allow_duplicate=True),
        Output(ids.HUBS_CHOSEN, "options", allow_duplicate=True),
        Output(ids.HUBS_OPENED, "data", allow_duplicate=True),
        Output(ids.HUBS_NAME, "value"), *[Output(s, "value") for s in SETTINGS],
        Output(ids.HUBS_STORE_STATUS, "children", allow_duplicate=True),
        Input(ids.HUBS_OPEN, "n_clicks"), State(ids.HUBS_SCENARIOS, "value"),
        *[State(s, "value") for s in SETTINGS], prevent_initial_call=True)
    def open_saved(_n, selected, *settings):
        geo = reference.geography(server)
        if not selected:
            return (no_update,) * 8 + (controls.small_alert("Choose a saved scenario first."),)
        try:
            found = reference.scenarios(server).get(selected, reference.pack_key())
            drafts.from_json(geo, found.payload["draft"])
            plan = (hubplan.from_json(found.payload["hubs"]) if "hubs" in found.payload
                    else hubplan.start(geo))
        except DashboardError as exc:
            return (no_update,) * 8 + (controls.small_alert(str(exc)),)
        kept = found.payload.get("hub_settings", {})
        values = [kept.get(k) or v for k, v in zip(("layer", "need", "types", "bands"),
                                                   settings)]
        note = "" if "hubs" in found.payload else " It had no hubs saved yet: showing the pack's."
        return (plan.to_json(), controls.hub_options(plan), {**scenarios.opened_state(found),
                                 "draft": found.payload["draft"]}, found.name, *values,
                controls.small_alert(f"Opened '{found.name}' (its footprints and hubs).{note}", "success"))

    @app.callback(
        Output(ids.HUBS_DOWNLOAD, "data"),
        *[Input(b, "n_clicks") for b in ids.HUBS_EXPORT.values()],
        State(ids.HUBS_PLAN, "data"), State(ids.HUBS_OPENED, "data"),
        State(ids.HUBS_NAME, "value"), *[State(s, "value") for s in SETTINGS],
        prevent_initial_call=True)
    def download(*args):
        fmt = next((k for k, v in ids.HUBS_EXPORT.items() if v == ctx.triggered_id), None)
        if fmt is None:
            return no_update
        plan_data, opened, name, *settings = args[len(ids.HUBS_EXPORT):]
        geo = reference.geography(server)
        here, plan, result = measure(geo, plan_data, opened, *settings)
        filename, content = hub_export(here, result, hubplan.changes(geo, plan), name or "",
                                       fmt)
        return dcc.send_bytes(content, filename)
