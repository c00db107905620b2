"""The layered map (home page): small areas shaded by a measure, every footprint overlaid."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine.geography import Geography
from dashboard.engine.profiles import measure_columns
from dashboard.web import ids, reference
from dashboard.web.common import controls, mapbase, table_view
from dashboard.web.map import figures, ranking
from dashboard.web.map.callbacks import toggle_plan


@dataclass(frozen=True)
class MapPage:
    """What the map page shows: the measure, need indicator, visible layers and the selected
    unit, each checked against the pack (anything unknown falls back to its default)."""

    geo: Geography
    measures: list[dict]
    measure: str
    need: str | None
    toggles: list[dict]
    visible: list[str]
    layer: str
    unit: str | None


def resolve(measure: str = "population", need: str | None = None, layer: str | None = None,
            code: str | None = None, show: str | None = None) -> MapPage:
    geo = reference.geography()
    measures = figures.measure_options(geo, measure)
    outline = mapbase.outline_layers(geo)
    toggles = [{"label": geo.layer(n).label, "value": n} for n in outline]
    if geo.hubs is not None:
        toggles.append({"label": "Hubs", "value": "hubs"})
    # The footprints and PCNs by default, not every boundary at once.
    default_on = [n for n in outline if geo.layer(n).kind != "polygons"][:2] + ["hubs"]
    layer = layer if layer in geo.layers else next(
        (n for n in outline if geo.layer(n).kind == "grouping"), outline[0])
    return MapPage(
        geo=geo, measures=measures,
        measure=measure if measure in {o["value"] for o in measures} else "population",
        need=controls.need_default(geo, need), toggles=toggles,
        visible=[v for v in (show.split(",") if show is not None else default_on)
                 if v in {t["value"] for t in toggles}],
        layer=layer, unit=code if code in geo.layer(layer).positions else None)


def layout(measure: str = "population", need: str | None = None, layer: str | None = None,
           code: str | None = None, show: str | None = None, **_query) -> html.Div:
    page = resolve(measure, need, layer, code, show)
    return html.Div([
        controls.pack_notice(page.geo),
        html.H1(f"Map of {page.geo.name}", className="h4"),
        _choices(page),
        dbc.Row([dbc.Col(_map(page), lg=8), dbc.Col(_details(page), lg=4)]),
        html.Details([
            html.Summary("The map as a table", className="fw-semibold"),
            html.Div(table_view.table_box(
                ids.MAP_TABLE, measure_columns(page.geo, page.need),
                "small areas"), className="mt-2"),
        ], className="mt-3"),
        dcc.Store(id=ids.MAP_URL),
        dcc.Store(id=ids.MAP_BASEMAP_READY, data=mapbase.BLANK),
        dcc.Store(id=ids.MAP_TOGGLE_PLAN,
                  data=toggle_plan(page.geo, reference.settings().street_style)),
        dcc.Store(id=ids.MAP_TILE_PROBE,
                  data=mapbase.street_probe(reference.settings().street_style)),
    ])


def _choices(page: MapPage) -> dbc.Row:
    geo = page.geo
    return dbc.Row([
        dbc.Col([dbc.Label("Shade small areas by", html_for=ids.MAP_MEASURE),
                 dcc.Dropdown(page.measures, page.measure, id=ids.MAP_MEASURE, clearable=False)],
                md=5, className="mb-2"),
        dbc.Col([dbc.Label("Need indicator", html_for=ids.MAP_NEED),
                 dcc.Dropdown(controls.need_options(geo), page.need, id=ids.MAP_NEED,
                              clearable=False, disabled=not geo.need)], md=4, className="mb-2"),
        dbc.Col([dbc.Label("Background", html_for=ids.MAP_BASEMAP),
                 dbc.RadioItems(options=[{"label": "Blank", "value": mapbase.BLANK},
                                         {"label": "Streets (online)", "value": "streets"}],
                                value=mapbase.BLANK, id=ids.MAP_BASEMAP, inline=True)],
                md=3, className="mb-2"),
    ], className="g-2")


def _map(page: MapPage) -> list:
    return [
        dbc.Alert(id=ids.MAP_TILE_NOTE, is_open=False, color="warning", className="py-1 small"),
        html.Fieldset([
            html.Legend("Show on the map", className="form-label fs-6 mb-1"),
            dbc.Checklist(options=page.toggles, value=page.visible, id=ids.MAP_LAYERS,
                          inline=True, switch=True),
        ], className="mb-2"),
        # Drawn by a callback once per visit (the layout stays cheap); later changes are
        # patches.
        controls.map_figure(
            controls.map_placeholder(ids.MAP_GRAPH,
                                     modeBarButtonsToRemove=["select2d", "lasso2d"]),
            "Map of small areas shaded by the chosen measure, with the chosen outlines",
            [_note(page.geo), " The same figures are in 'The map as a table' below."],
            caption_id=ids.MAP_NOTE),
    ]


def _details(page: MapPage) -> list:
    geo = page.geo
    return [
        html.Div([
            dbc.Label("Details for a", html_for=ids.MAP_SELECT_LAYER),
            dcc.Dropdown(controls.layer_options(geo), page.layer, id=ids.MAP_SELECT_LAYER,
                         clearable=False, className="mb-2"),
            dbc.Label("Zoom to and open", html_for=ids.MAP_SELECT_UNIT),
            dcc.Dropdown(controls.unit_options(geo, page.layer), page.unit,
                         id=ids.MAP_SELECT_UNIT, placeholder="Choose, or click the map"),
        ], className="mb-3"),
        html.Div(ranking.ranking(geo, page.measure), id=ids.MAP_RANKING,
                 **{"aria-live": "polite"}),
        dcc.Loading(html.Div(controls.empty_state(
            "Click anywhere on the map, or choose a unit above, to see its residents "
            "and how it overlaps every other layer."), id=ids.MAP_DETAILS), delay_show=300),
    ]


def _note(geo) -> str:
    parts = [f"{geo.small_areas.label} are shaded; hover anywhere to see every unit it lies in."]
    if any(lay.kind == "registration" for lay in geo.layers.values()):
        parts.append("Registration-based footprints (PCNs) have no boundary of their own and are "
                     "drawn as the small areas where they have most patients; figures use the "
                     "full registration shares.")
    parts.append("Shapes are simplified for display only; every figure is computed from the "
                 "full-resolution boundaries in British National Grid metres.")
    return " ".join(parts)
