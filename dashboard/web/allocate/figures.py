"""The allocate page's figures: current against recommended, and the per-area map."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.engine.geography import Geography
from dashboard.web.common.mapbase import (
    BLUES,
    FOOTPRINT_MAP_HEIGHT,
    MapSource,
    colour_range,
    fit_view,
)


def allocation_bars(table, unit: str) -> go.Figure:
    """Current against recommended per area (current left out when not recorded)."""
    fmt = ",.0f" if unit == "£" else ",.1f"
    bars = [go.Bar(x=table["name"], y=table["recommended"], name="Recommended",
                   marker_color="#0072B2",
                   hovertemplate=f"%{{x}}: %{{y:{fmt}}} {unit}<extra>Recommended</extra>")]
    if table["current"].notna().any():
        bars.insert(0, go.Bar(x=table["name"], y=table["current"], name="Current",
                              marker_color="#BBBBBB",
                              hovertemplate=f"%{{x}}: %{{y:{fmt}}} {unit}<extra>Current</extra>"))
    fig = go.Figure(bars)
    fig.update_layout(barmode="group", height=360, plot_bgcolor="white",
                      yaxis={"title": unit, "tickformat": fmt},
                      legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right",
                              "yanchor": "bottom"},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def area_value_map(geo: Geography, source: MapSource, layer: str, values: np.ndarray,
                   label: str) -> dict:
    """Each area of ``layer`` shaded by one value per area, drawn on the cached atom shapes."""
    disp, geojson_url, style = source.shapes, source.geojson, source.style
    lay = geo.layer(layer)
    units = disp.atom_units[layer]
    z = np.asarray(values, dtype=float)[units]
    names = np.asarray(lay.names, dtype=object)[units]
    lon, lat = disp.outlines[layer]
    west, south, east, north = disp.bounds
    view = fit_view((west, south, east, north), 330, FOOTPRINT_MAP_HEIGHT)  # narrow, + colourbar
    return {"data": [
        {"type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
         "locations": [str(i) for i in range(len(units))], "z": np.round(z, 3).tolist(),
         **colour_range(z), "customdata": names.tolist(), "colorscale": BLUES,
         "marker": {"line": {"width": 0}, "opacity": 0.85},
         "colorbar": {"title": {"text": label, "side": "right"}, "thickness": 12},
         "hovertemplate": f"%{{customdata}}: %{{z:,.2f}} {label}<extra></extra>"},
        {"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat, "hoverinfo": "skip",
         "line": {"color": "#000000", "width": 2}, "showlegend": False},
    ], "layout": {"map": {"style": style, **view}, "height": FOOTPRINT_MAP_HEIGHT,
                  "margin": {"l": 0, "r": 0, "t": 0, "b": 0}}}
