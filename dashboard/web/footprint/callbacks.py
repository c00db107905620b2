"""Footprint page: the chosen unit's profile, map, charts and overlap tables."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from dashboard.engine.access import DEFAULT_BANDS_M, access, band_label, hub_table, residents_of
from dashboard.engine.profiles import describe, profile
from dashboard.web import ids, reference
from dashboard.web.common import controls, grid, profile_cards
from dashboard.web.common.url import sync_url
from dashboard.web.footprint import figures


def footprint_choices(geo, layer: str, code: str | None) -> tuple[list[dict], str | None]:
    """Units of ``layer``; the current code kept only if it belongs to the layer."""
    return controls.unit_options(geo, layer), code if code in geo.layer(layer).positions \
        else None


def _card(value: str, label: str):
    return dbc.Col(dbc.Card(dbc.CardBody([html.Div(value, className="fs-4 fw-semibold"),
                                          html.Div(label, className="text-muted small")])),
                   xs=6, md=4, lg=2, className="mb-2")


def _with_table(figure, columns: dict, formats: dict[str, str]) -> html.Div:
    """A chart followed by its table equivalent (``columns``: header -> values), folded away
    but one click (or key) off."""
    table = grid.data_table(pd.DataFrame(columns), formats)
    title = (figure.layout.title.text if hasattr(figure, "layout") else "") or "Chart"
    return html.Div([controls.map_figure(
        dcc.Graph(figure=figure, config={"displayModeBar": False}), f"Chart: {title}",
        "The same figures are in the table below (Show as a table)."),
        html.Details([html.Summary("Show as a table", className="small"), table],
                     className="mb-3")])


def chooser(geo, layer: str) -> html.Div:
    lay = geo.layer(layer)
    links = [html.Li(dcc.Link(f"{n} ({c})", href=controls.footprint_href(layer, c)))
             for c, n in sorted(zip(lay.codes, lay.names), key=lambda cn: cn[1])]
    return html.Div([controls.empty_state(
        f"Choose a footprint above, or one of the {len(lay)} {lay.label.lower()} below."),
        html.Ul(links, className="mt-3 columns-3")])


def hub_section(geo, layer: str, code: str, need: str | None) -> list:
    """This footprint's hubs and how far its residents live from one (straight line)."""
    if geo.hubs is None or geo.hubs.empty or geo.layer(layer).kind == "small_areas":
        return []
    result = access(geo, hub_table(geo), need, DEFAULT_BANDS_M, layer)
    row = result.footprints.set_index("code").loc[code]
    by_hub = residents_of(geo, result, code)
    bands = ", ".join(f"{row[f'share_within_{b:g}_m']:.0%} {band_label(b)}"
                      for b in DEFAULT_BANDS_M)
    inside = row["hubs_inside"] or "none"
    serving = row["hubs_serving"] or "none"
    lines = [f"Hubs inside: {inside}. Hubs listed as serving it: {serving}.",
             f"Residents' straight-line distance to the nearest hub: {bands}; median "
             f"{row['median_straight_line_m'] / 1000:.1f} km."]
    outside = result.catchments[(result.catchments["serves"] == code)
                                & result.catchments["outside_footprint"]]
    lines += [f"{r.name} serves this footprint but sits in {r.sits_in_name}."
              for r in outside.itertuples()]
    table = grid.data_table(pd.DataFrame({
        "Nearest hub": by_hub["hub"], "Residents": by_hub["residents"],
        "Share": by_hub["share"],
        "Median straight line (km)": by_hub["median_straight_line_m"] / 1000}),
        {"Residents": ",.0f", "Share": ".0%", "Median straight line (km)": ".1f"},
        caption="Which hub is nearest to this footprint's residents.")
    return [html.H2("Hubs and access", className="h5 mt-3"),
            html.Ul([html.Li(t) for t in lines], className="small", id=f"{ids.FOOTPRINT_CONTENT}-hubs"),
            table, dcc.Link("Explore hubs and try changes", href=f"/hubs?layer={layer}",
                                     className="small")]


def footprint_view(geo, layer: str, code: str | None, need: str | None):
    """The whole profile of one footprint, or a chooser when none is picked."""
    if not code:
        return chooser(geo, layer)
    lay = geo.layer(layer)
    prof = profile(geo, layer, code, need)
    map_href = reference.href("/map", layer=layer, code=code)
    return html.Div([
        html.H1([prof.name, html.Small(f" {code}", className="text-muted")], className="h3"),
        html.Div([lay.label, " · ", dcc.Link("Show on the main map", href=map_href),
                  " · ", dcc.Link("Compare layers", href=reference.href(
                      "/overlaps", from_layer=layer)),
                  " · ", dcc.Link("Printable board report", href=reference.href(
                      "/report", layer=layer, code=code, need=need))],
                 className="text-muted mb-2"),
        dbc.Row(_cards(prof)),
        dbc.Alert(html.Ul([html.Li(s) for s in describe(geo, prof)], className="mb-0"),
                  color="light", className="border"),
        dbc.Row([
            dbc.Col(controls.map_figure(
                dcc.Graph(figure=figures.footprint_map(
                    geo, reference.map_source(geo), layer, lay.index_of(code)),
                    config={"displaylogo": False, "scrollZoom": True},
                    className="border rounded"),
                f"Map of {prof.name} and the units around it",
                "Coloured by the unit with most of each small area's residents or patients; "
                "grey lines are member boundaries, the black line this footprint. Its overlaps "
                "are in the tables below."), lg=7),
            dbc.Col(_charts(geo, prof), lg=5),
        ]),
        html.H2("How it overlaps every other layer", className="h5 mt-3"),
        dbc.Row([dbc.Col(controls.map_figure(
            dcc.Graph(figure=figures.share_bars(table, geo.layer(other).label),
                      config={"displayModeBar": False}),
            f"Bar chart of {prof.name}'s residents by {geo.layer(other).label.lower()}",
            f"The same shares are in the {geo.layer(other).label} table below."), md=6)
                 for other, table in prof.overlaps.items()
                 if geo.layer(other).kind != "small_areas" and not table.empty]),
        *hub_section(geo, layer, code, need),
        *profile_cards.overlap_tables(geo, prof, max_rows=50),
    ])


def _cards(prof) -> list:
    """Headline figures: residents, share of the borough, area, density, need."""
    cards = [
        _card(f"{prof.population:,.0f}", "Residents"),
        _card(f"{prof.population / prof.borough_population:.1%}", "Of the borough"),
        _card(f"{prof.area_km2:,.1f} km²", "Area"),
        _card(f"{prof.population / prof.area_km2:,.0f}" if prof.area_km2 else "–",
              "People per km²"),
    ]
    if not prof.need.empty:
        first = prof.need.iloc[0]
        cards += [_card(f"{first['index']:.2f}", f"{first['label']}: index (borough = 1)"),
                  _card(f"{prof.population * first['index']:,.0f}", "Need-weighted residents")]
    return cards


def _charts(geo, prof) -> list:
    """Age, need and need-decile charts against the borough, each with its table."""
    charts = []
    if not prof.age_bands.empty:
        ages = prof.age_bands
        charts.append(_with_table(
            figures.bar_compare(list(ages["label"]), list(ages["share"]),
                                list(ages["borough_share"]), "Age profile", prof.name),
            {"Age band": ages["label"], "Residents": ages["people"], "Share here": ages["share"],
             "Borough share": ages["borough_share"]},
            {"Residents": ",.0f", "Share here": ".1%", "Borough share": ".1%"}))
    if not prof.need.empty:
        needs = prof.need
        charts.append(_with_table(
            figures.bar_compare(list(needs["label"]), list(needs["index"]), [1.0] * len(needs),
                                "Need against the borough (1 = average)", prof.name, fmt=".2f"),
            {"Indicator": needs["label"], "Mean score here": needs["mean_score"],
             "Borough mean": needs["borough_mean"], "Index": needs["index"]},
            {"Mean score here": ".2f", "Borough mean": ".2f", "Index": ".2f"}))
    if not prof.deciles.empty:
        label = geo.need_labels.get(prof.decile_indicator, prof.decile_indicator)
        charts.append(_with_table(
            figures.decile_bars(prof.deciles, label),
            {"Decile (1 = highest need)": prof.deciles["decile"],
             "Residents": prof.deciles["people"], "Share": prof.deciles["share"]},
            {"Residents": ",.0f", "Share": ".1%"}))
    return charts


def register(app) -> None:
    server = app.server

    @app.callback(Output(ids.FOOTPRINT_CODE, "options"), Output(ids.FOOTPRINT_CODE, "value"),
                  Input(ids.FOOTPRINT_LAYER, "value"), State(ids.FOOTPRINT_CODE, "value"),
                  prevent_initial_call=True)
    def choices(layer, code):
        return footprint_choices(reference.geography(server), layer, code)

    @app.callback(Output(ids.FOOTPRINT_CONTENT, "children"),
                  Input(ids.FOOTPRINT_LAYER, "value"), Input(ids.FOOTPRINT_CODE, "value"),
                  Input(ids.FOOTPRINT_NEED, "value"))
    def content(layer, code, need):
        geo = reference.geography(server)
        if code and code not in geo.layer(layer).positions:
            return no_update  # the layer changed; the code follows in a moment
        return footprint_view(geo, layer, code, need)

    sync_url(app, ids.FOOTPRINT_URL, {"layer": ids.FOOTPRINT_LAYER, "code": ids.FOOTPRINT_CODE,
                                      "need": ids.FOOTPRINT_NEED}, steps=("code",))
