"""Map page: shading, layer toggles, selection. Figures change by Patch; shapes are never re-sent."""

from __future__ import annotations

from dash import Input, Output, Patch, State, ctx, no_update

from dashboard.config import DEFAULT_STREET_STYLE
from dashboard.engine.profiles import describe, measure_columns, profile, small_area_measures
from dashboard.web import ids, reference
from dashboard.web.common import controls, mapbase, profile_cards, table_view
from dashboard.web.common.shapes import display_geometry
from dashboard.web.common.url import sync_url
from dashboard.web.map import figures, ranking

TILE_NOTE = ("The street background could not be reached (no internet connection, or the tile "
             "server refused), so the map stays on the blank background. Every figure is "
             "unaffected.")


def draw_map(geo, measure: str, need: str | None, visible: list[str], layer: str | None,
             code: str | None) -> dict:
    """The whole map, once per visit: shading, outlines, hubs, and the selection from the URL."""
    source = reference.map_source(geo)
    disp = source.shapes
    names = mapbase.outline_layers(geo)
    urls = {name: reference.outline_url(geo, disp, name) for name in names}
    labels = {name: reference.label_url(geo, disp, name) for name in names}
    fig = figures.map_figure(geo, source, figures.shading(geo, measure, need), visible, urls,
                             labels)
    if layer in geo.layers and code in geo.layer(layer).positions:
        index = geo.layer(layer).index_of(code)
        lons, lats = mapbase.outline_of(disp, layer, index)
        fig["data"][figures.map_traces(geo).highlight].update(lon=lons, lat=lats)
        fig["layout"]["map"].update(mapbase.unit_view(disp, layer, index))
    return fig


def shade_patch(geo, measure: str, need: str | None) -> Patch:
    """Recolour the shading: only one value per atom and the legend text travel."""
    shade = figures.shading(geo, measure, need)
    atom_sa = geo.atoms.small_area
    patch = Patch()
    patch["data"][0]["z"] = shade.values[atom_sa].round(4).tolist()
    patch["data"][0]["zmin"] = shade.zmin
    patch["data"][0]["zmax"] = shade.zmax
    patch["data"][0]["colorscale"] = shade.colorscale
    patch["data"][0]["colorbar"]["title"]["text"] = shade.title
    patch["data"][0]["colorbar"]["tickformat"] = shade.tickformat
    patch["data"][0]["hovertemplate"] = figures.hover_template(geo, shade)
    return patch


def map_table(geo, need: str | None) -> tuple:
    """The map's table equivalent: every small area with every measure, and its columns."""
    return small_area_measures(geo, need), measure_columns(geo, need)


def toggle_plan(geo, street_style: str = DEFAULT_STREET_STYLE) -> dict:
    """What switching each layer on and off changes in the figure, for the browser to apply
    itself (:data:`APPLY_TOGGLES`): a layer switch needs no server round trip.

    ``parts``: ``[layer, path in the figure, value when shown, value when hidden]``;
    ``styles``: the map's style for each background."""
    traces = figures.map_traces(geo)
    layers = ["layout", "map", "layers"]
    on, off = figures.outline_opacity(True), figures.outline_opacity(False)
    parts = []
    for name, index in traces.outlines.items():
        parts.append([name, [*layers, index, "opacity"], on, off])
        if name in traces.halos:
            parts.append([name, [*layers, traces.halos[name], "opacity"], on, off])
        parts.append([name, [*layers, traces.labels[name], "visible"], True, False])
        parts.append([name, ["data", traces.keys[name], "showlegend"], True, False])
    shown, hidden = figures.hubs_shown(True), figures.hubs_shown(False)
    for index in traces.hubs.values():
        parts.append(["hubs", ["data", index, "marker", "opacity"], shown["opacity"],
                      hidden["opacity"]])
        for key in ("hoverinfo", "showlegend"):
            parts.append(["hubs", ["data", index, key], shown[key], hidden[key]])
    return {"parts": parts, "styles": {"streets": street_style,
                                       mapbase.BLANK: reference.blank_style_url()}}


def toggle_patch(plan: dict, visible: list[str], basemap: str) -> Patch:
    """The patch :data:`APPLY_TOGGLES` makes in the browser from ``plan``, here for tests and
    as its definition."""
    patch = Patch()
    for name, path, shown, hidden in plan["parts"]:
        target = patch
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = shown if name in visible else hidden
    patch["layout"]["map"]["style"] = plan["styles"].get(basemap, plan["styles"][mapbase.BLANK])
    return patch


# :func:`toggle_patch` in the browser.
APPLY_TOGGLES = """function(visible, basemap, plan) {
    const shown = new Set(visible || []);
    const patch = new dash_clientside.Patch();
    plan.parts.forEach(([name, path, on, off]) => patch.assign(path, shown.has(name) ? on : off));
    patch.assign(['layout', 'map', 'style'], plan.styles[basemap] || plan.styles['""" \
    + mapbase.BLANK + """']);
    return patch.build();
}"""


def select_unit(geo, layer: str, code: str | None, click: dict | None, trigger: str | None):
    """Options, value, details panel and map patch after a click, a layer or a unit choice.

    ``trigger`` is the id that fired (``None`` on first load, when :func:`draw_map` has already
    drawn any selection, so the map is left alone).
    """
    disp = display_geometry(geo)
    highlight = figures.map_traces(geo).highlight
    options = controls.unit_options(geo, layer)
    if trigger == ids.MAP_GRAPH:
        point = (click or {}).get("points", [{}])[0]
        if "location" not in point:
            return no_update, no_update, no_update, no_update  # a hub or a line: no unit
        code = geo.layer(layer).codes[int(disp.atom_units[layer][int(point["location"])])]
    elif trigger == ids.MAP_SELECT_LAYER:
        code = None
    if code is None:
        patch = Patch()
        patch["data"][highlight]["lon"], patch["data"][highlight]["lat"] = \
            mapbase.no_highlight(disp)
        return options, None, controls.empty_state(
            f"Click the map or choose one of the {geo.layer(layer).label.lower()} above."), \
            no_update if trigger is None else patch
    index = geo.layer(layer).index_of(code)
    prof = profile(geo, layer, code)
    details = profile_cards.unit_details(geo, prof, describe(geo, prof))
    if trigger is None:
        return options, code, details, no_update
    patch = Patch()
    lons, lats = mapbase.outline_of(disp, layer, index)
    patch["data"][highlight]["lon"] = lons
    patch["data"][highlight]["lat"] = lats
    if trigger != ids.MAP_GRAPH:  # chosen from the list: zoom to it; a click keeps the view
        view = mapbase.unit_view(disp, layer, index)
        for key in ("center", "zoom", "fit"):
            patch["layout"]["map"][key] = view[key]
    return options, code, details, patch


def register(app) -> None:
    server = app.server

    @app.callback(Output(ids.MAP_GRAPH, "figure"), Input(ids.MAP_GRAPH, "id"),
                  State(ids.MAP_MEASURE, "value"), State(ids.MAP_NEED, "value"),
                  State(ids.MAP_LAYERS, "value"), State(ids.MAP_SELECT_LAYER, "value"),
                  State(ids.MAP_SELECT_UNIT, "value"))
    def draw(_id, measure, need, visible, layer, code):
        return draw_map(reference.geography(server), measure, need, visible or [], layer, code)

    @app.callback(Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
                  Input(ids.MAP_MEASURE, "value"), Input(ids.MAP_NEED, "value"),
                  prevent_initial_call=True)
    def restyle(measure, need):
        return shade_patch(reference.geography(server), measure, need)

    @app.callback(Output(ids.MAP_RANKING, "children"), Input(ids.MAP_MEASURE, "value"),
                  prevent_initial_call=True)
    def rank(measure):
        return ranking.ranking(reference.geography(server), measure)

    table_view.register(app, ids.MAP_TABLE, lambda need: map_table(
        reference.geography(server), need), [Input(ids.MAP_NEED, "value")])

    _register_street_check(app)

    app.clientside_callback(APPLY_TOGGLES, Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
                            Input(ids.MAP_LAYERS, "value"), Input(ids.MAP_BASEMAP_READY, "data"),
                            State(ids.MAP_TOGGLE_PLAN, "data"), prevent_initial_call=True)

    @app.callback(Output(ids.MAP_SELECT_UNIT, "options"), Output(ids.MAP_SELECT_UNIT, "value"),
                  Output(ids.MAP_DETAILS, "children"),
                  Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
                  Input(ids.MAP_GRAPH, "clickData"), Input(ids.MAP_SELECT_LAYER, "value"),
                  Input(ids.MAP_SELECT_UNIT, "value"), State(ids.MAP_SELECT_UNIT, "options"),
                  prevent_initial_call="initial_duplicate")
    def select(click, layer, code, _options):
        return select_unit(reference.geography(server), layer, code, click, ctx.triggered_id)

    sync_url(app, ids.MAP_URL, {"measure": ids.MAP_MEASURE, "need": ids.MAP_NEED,
                                "layer": ids.MAP_SELECT_LAYER, "code": ids.MAP_SELECT_UNIT,
                                "show": ids.MAP_LAYERS})


def _register_street_check(app) -> None:
    # The street background is tried from the browser first: Plotly waits for ever on a style
    # whose server cannot be reached, and the map would take no further change.
    app.clientside_callback(
        """async function(choice, probe) {
            if (choice !== 'streets') { return ['blank', false, '']; }
            const stop = new AbortController();
            const timer = setTimeout(() => stop.abort(), 5000);
            try {
                await fetch(probe, {mode: 'no-cors', cache: 'no-store', signal: stop.signal});
                return ['streets', false, ''];
            } catch (e) {
                return ['blank', true, '""" + TILE_NOTE + """'];
            } finally { clearTimeout(timer); }
        }""",
        Output(ids.MAP_BASEMAP_READY, "data"), Output(ids.MAP_TILE_NOTE, "is_open"),
        Output(ids.MAP_TILE_NOTE, "children"),
        Input(ids.MAP_BASEMAP, "value"), State(ids.MAP_TILE_PROBE, "data"),
        prevent_initial_call=True)
