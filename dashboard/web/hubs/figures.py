"""The hubs map: small areas shaded by access band or catchment, outlines, hubs on top."""

from __future__ import annotations

import numpy as np
import plotly.colors as pcolors

from dashboard.engine.geography import Geography
from dashboard.web.common.mapbase import (
    HIGHLIGHT,
    HUB_STYLE,
    LABEL_FONT,
    MAP_HEIGHT,
    OKABE_ITO,
    SIDE_COLUMN_MAP_PX,
    MapSource,
    Shading,
    fit_view,
    hub_label,
    stack,
)

# Access bands, nearest first: blues darkening towards the hub, then orange beyond every band.
BEYOND_COLOUR = "#D55E00"  # vermillion: not the orange of community hub markers


CLOSED_COLOUR = "#999999"


def band_colours(n_bands: int) -> list[str]:
    pool = pcolors.sequential.Blues[::-1][2:7]  # mid to light: black labels stay readable
    picks = np.linspace(0, len(pool) - 1, max(n_bands, 1)).round().astype(int)
    return [pool[i] for i in picks[:n_bands]] + [BEYOND_COLOUR]


def hub_map(geo: Geography, source: MapSource, outline_layer: str | None, shade: Shading,
            hubs: list[dict], chosen: str | None) -> dict:
    """Small areas shaded by access band or catchment, footprint outlines, hubs on top.

    ``shade`` is a categorical shading (see :func:`~dashboard.web.common.mapbase.categories`);
    ``hubs`` are dicts with code, name, type, lon, lat, staff, closed.
    """
    disp, geojson_url, style = source.shapes, source.geojson, source.style
    atom_sa = np.asarray(geo.atoms.small_area)
    traces: list[dict] = [{
        "type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
        "locations": [str(i) for i in range(len(atom_sa))],
        "z": np.asarray(shade.values)[atom_sa].tolist(), "zmin": shade.zmin, "zmax": shade.zmax,
        "colorscale": shade.colorscale,
        "colorbar": {"title": {"text": shade.title}, "thickness": 14, "len": 0.6, "x": 1.0,
                     "tickvals": list(range(len(shade.ticks))), "ticktext": shade.ticks},
        "marker": {"line": {"width": 0}, "opacity": 0.8},  # as on the map (frame cost)
        "customdata": np.asarray(shade.texts, dtype=object)[atom_sa].tolist(),
        "hovertemplate": "%{customdata}<extra></extra>", "showlegend": False,
    }]
    if outline_layer:
        lons, lats = disp.outlines[outline_layer]
        traces.append({"type": "scattermap", "mode": "lines", "lon": lons, "lat": lats,
                       "line": {"color": "#000000", "width": 2.5}, "hoverinfo": "skip",
                       "name": geo.layer(outline_layer).label})
    picked = [h for h in hubs if h["code"] == chosen]
    if picked:
        traces.append({"type": "scattermap", "mode": "markers", "lon": [picked[0]["lon"]],
                       "lat": [picked[0]["lat"]], "hoverinfo": "skip", "showlegend": False,
                       "marker": {"size": 30, "color": HIGHLIGHT, "opacity": 0.6}})
    kinds = sorted({h["type"] for h in hubs if not h["closed"]},
                   key=lambda t: (t not in HUB_STYLE, t))
    groups = [(f"Hubs: {t}", [h for h in hubs if h["type"] == t and not h["closed"]],
               *HUB_STYLE.get(t, (OKABE_ITO[5], 11))) for t in kinds]
    groups.append(("Closed hubs", [h for h in hubs if h["closed"]], CLOSED_COLOUR, 9))
    for label, members, colour, size in groups:
        if not members:
            continue
        traces.append({
            "type": "scattermap", "mode": "markers+text", "name": label,
            "lon": [h["lon"] for h in members], "lat": [h["lat"] for h in members],
            "text": [h["name"] for h in members], "textposition": "top right",
            "textfont": {"size": 11, "color": "#111111", "family": LABEL_FONT},
            "marker": {"size": size, "color": colour},
            "customdata": [[h["name"], h["code"], h["staff"], hub_label(h["type"])]
                           for h in members],
            "hovertemplate": "<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[3]}"
                             + (" (closed)" if label == "Closed hubs" else "")
                             + "<br>Staff: %{customdata[2]:,.1f}<extra></extra>",
        })
    return stack({"data": traces, "layout": {
        "map": {"style": style, **fit_view(disp.bounds, SIDE_COLUMN_MAP_PX, MAP_HEIGHT)},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": MAP_HEIGHT,
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)",
                   "bordercolor": "#999", "borderwidth": 1},
        "uirevision": "hubs", "clickmode": "event"}})
