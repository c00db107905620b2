"""Data page: which pack is loaded, where its data came from, and what validation found."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.web import reference
from dashboard.web.common import controls, grid
from dashboard.web.common.shapes import display_geometry

KINDS = {"small_areas": "small areas (the building blocks)", "polygons": "boundaries",
         "grouping": "groups of another layer's units",
         "registration": "GP registrations (patients by small area)"}


def layout(**_query) -> html.Div:
    geo = reference.geography()
    sources = pd.DataFrame(geo.metadata.get("sources", []),
                           columns=["title", "role", "vintage", "publisher", "licence",
                                    "attribution", "notes"]).dropna(axis=1, how="all").fillna("")
    sources.columns = [c.capitalize() for c in sources.columns]
    layers = pd.DataFrame([{
        "Layer": lay.label, "Name in URLs": name, "Built from": KINDS.get(lay.kind, lay.kind)
        + (f" ({geo.layer(lay.member_of).label.lower()})" if lay.member_of else ""),
        "Units": len(lay), "Footprint": "estimated" if lay.estimated else "published data",
    } for name, lay in geo.layers.items()])
    indicators = pd.DataFrame({"Indicator": list(geo.need),
                               "Label": [geo.need_labels.get(k, k) for k in geo.need]})
    warnings = [html.Li(w) for w in geo.warnings]
    disp = display_geometry(geo)
    return html.Div([
        controls.pack_notice(geo),
        html.H1("The loaded data", className="h3"),
        html.P([html.Strong(geo.name), ": ", geo.metadata.get("description", "")]),
        html.P(f"{len(geo.small_areas):,} small areas, {geo.total_population:,.0f} residents"
               + (f", {len(geo.hubs)} hubs" if geo.hubs is not None else "") + ".",
               className="text-muted"),
        html.H2("Sources, vintages and attributions", className="h5 mt-3"),
        grid.data_table(sources) if not sources.empty else controls.empty_state(
            "The pack's manifest lists no sources: add [[pack.sources]] entries to pack.toml."),
        html.H2("Layers", className="h5 mt-3"),
        grid.data_table(layers, {"Units": ",d"}),
        html.H2("Need indicators", className="h5 mt-3"),
        grid.data_table(indicators) if not indicators.empty else controls.empty_state(
            "No need indicators: need-weighted figures are plain population."),
        html.H2("Validation", className="h5 mt-3"),
        html.Ul(warnings) if warnings else dbc.Alert(
            "Every file matched: no warnings when this pack was loaded.", color="success"),
        html.H2("Method notes", className="h5 mt-3"),
        html.Ul([
            html.Li("Every figure is built from small-area data and computed in British National "
                    "Grid (EPSG:27700) metres."),
            html.Li(f"Map shapes are simplified for display by up to {disp.tolerance_m:g} m, "
                    "keeping shared boundaries shared; figures use the full shapes."),
            html.Li("Registration layers (PCNs) are split by the share of each small area's "
                    "patients registered with each unit; residents registered with practices "
                    "outside the pack's PCNs form their own unit, never re-spread over local "
                    "ones."),
            *[html.Li(f"Best fit to {geo.layer(name).label.lower()}: {rule}.")
              for name, rule in geo.metadata.get("best_fit_rule", {}).items()],
        ]),
    ])
