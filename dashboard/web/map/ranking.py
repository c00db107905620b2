"""Beside a mismatch shading on the map: the units split worst, ranked, each a link."""

from __future__ import annotations

from dash import dcc, html

from dashboard.engine.alignment import lower, singular, worst_units
from dashboard.engine.geography import Geography
from dashboard.web import reference


def ranking(geo: Geography, measure: str, count: int = 10):
    """Beside a mismatch shading: the units of the first layer split worst by the second, each
    linking to itself on this map; nothing for other shadings."""
    parts = measure.split(":")
    if len(parts) != 3 or parts[0] != "mismatch" or not {parts[1], parts[2]} <= set(geo.layers):
        return None
    a, b = parts[1], parts[2]
    units = worst_units(geo, a, b, count)
    if units.empty:
        return None
    items = [html.Li([dcc.Link(row.name, href=reference.href(
        "/map", measure=measure, layer=a, code=row.code, show=f"{a},{b}")),
        f": {row.share_outside:.0%} outside its main {lower(singular(geo.layer(b).label))}"])
        for row in units.itertuples(index=False)]
    return html.Div([
        html.H2(f"{geo.layer(a).label} split worst by {lower(geo.layer(b).label)}",
                className="h6"),
        html.Ol(items, className="small ps-3 mb-3"),
    ])
