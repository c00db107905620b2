"""Cards and tables that describe one unit: the map's side panel and the profile's overlaps."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.engine.geography import Geography
from dashboard.engine.profiles import Profile
from dashboard.web.common.controls import footprint_href
from dashboard.web.common.grid import data_table


def overlap_tables(geo: Geography, prof: Profile, max_rows: int = 8) -> list:
    """For every other layer, who shares residents with this unit, in both directions."""
    parts = []
    for other, table in prof.overlaps.items():
        olay = geo.layer(other)
        if olay.kind == "small_areas":
            continue
        shown = pd.DataFrame({
            olay.label: table["name"],
            "Residents shared": table["population"],
            "% of this footprint": table["share_of_footprint"],
            f"% of the {olay.label.lower().rstrip('s')}": table["share_of_unit"],
        })
        more = len(table) - max_rows
        caption = f"{olay.label}: {len(table)} share residents" + (
            f" (largest {max_rows} shown)" if more > 0 else "")
        parts.append(data_table(shown, {"Residents shared": ",.0f", "% of this footprint": ".1%",
                                        f"% of the {olay.label.lower().rstrip('s')}": ".1%"},
                                caption=caption, max_rows=max_rows))
    return parts


def unit_details(geo: Geography, prof: Profile, sentences: list[str]) -> dbc.Card:
    """The map's side panel for a selected unit."""
    lay = geo.layer(prof.layer)
    need_rows = prof.need
    headline = [
        html.Div([html.Span(f"{prof.population:,.0f}", className="fs-5 fw-semibold"),
                  html.Span(" residents", className="text-muted")]),
    ]
    if not need_rows.empty:
        first = need_rows.iloc[0]
        headline.append(html.Div(f"{first['label']}: {first['mean_score']:.1f} "
                                 f"(borough {first['borough_mean']:.1f})", className="small"))
    body = [
        html.H2([prof.name, html.Small(f" {prof.code}", className="text-muted")],
                className="h5 mb-0"),
        html.Div(lay.label, className="text-muted small mb-2"),
        *headline,
        html.Ul([html.Li(s) for s in sentences[1:]], className="small ps-3 my-2"),
        dcc.Link("Open the footprint profile →", href=footprint_href(prof.layer, prof.code),
                 className="btn btn-sm btn-outline-primary mb-3"),
        *overlap_tables(geo, prof),
    ]
    return dbc.Card(dbc.CardBody(body), className="shadow-sm")
