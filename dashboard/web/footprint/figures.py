"""The footprint profile's figures: its map and its bars against the borough."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import shapely

from dashboard.engine.geography import Geography
from dashboard.engine.profiles import piece_layer_for
from dashboard.web.common.mapbase import (
    FOOTPRINT_MAP_HEIGHT,
    OKABE_ITO,
    MapSource,
    bng_to_lonlat,
    hub_label,
    outline_of,
    stack,
    unit_view,
)


def bar_compare(labels: list[str], here: list[float], borough: list[float], title: str,
                here_name: str, fmt: str = ".0%") -> go.Figure:
    """Grouped horizontal bars: this footprint against the borough."""
    fig = go.Figure([
        go.Bar(y=labels, x=here, name=here_name, orientation="h", marker_color="#0072B2",
               hovertemplate=f"%{{y}}: %{{x:{fmt}}}<extra>{here_name}</extra>"),
        go.Bar(y=labels, x=borough, name="Borough", orientation="h", marker_color="#BBBBBB",
               hovertemplate=f"%{{y}}: %{{x:{fmt}}}<extra>Borough</extra>"),
    ])
    fig.update_layout(title={"text": title, "font": {"size": 14}}, barmode="group",
                      height=80 + 45 * len(labels), margin={"l": 10, "r": 10, "t": 40, "b": 30},
                      xaxis={"tickformat": fmt}, yaxis={"autorange": "reversed"},
                      legend={"orientation": "h", "y": -0.2}, plot_bgcolor="white")
    return fig


def decile_bars(deciles, indicator_label: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=deciles["decile"], y=deciles["share"], marker_color="#0072B2",
                           hovertemplate="Decile %{x}: %{y:.1%} of residents<extra></extra>"))
    fig.add_hline(y=0.1, line_dash="dot", line_color="#555",
                  annotation_text="borough: 10% each", annotation_position="top right")
    fig.update_layout(title={"text": f"Residents by borough need decile ({indicator_label})",
                             "font": {"size": 14}},
                      xaxis={"title": "Decile (1 = highest need)", "dtick": 1},
                      yaxis={"tickformat": ".0%"}, height=300, plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 40, "b": 40})
    return fig


def share_bars(table, label: str) -> go.Figure:
    """How a footprint's residents fall across another layer's units."""
    top = table.head(12)
    fig = go.Figure(go.Bar(y=top["name"], x=top["share_of_footprint"], orientation="h",
                           marker_color="#0072B2",
                           hovertemplate="%{y}: %{x:.1%} of this footprint's residents"
                                         "<extra></extra>"))
    fig.update_layout(title={"text": label, "font": {"size": 14}}, height=70 + 28 * len(top),
                      xaxis={"tickformat": ".0%", "range": [0, 1]},
                      yaxis={"autorange": "reversed"}, plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 40, "b": 30})
    return fig


def footprint_map(geo: Geography, source: MapSource, layer: str, index: int) -> dict:
    """One footprint: its pieces coloured by another layer, member outlines, hubs inside."""
    disp, geojson_url, style = source.shapes, source.geojson, source.style
    atoms_in = np.flatnonzero(disp.atom_units[layer] == index)
    traces: list[dict] = []
    piece = piece_layer_for(geo, layer)
    if piece is not None:
        plabel = geo.layer(piece)
        piece_idx = disp.atom_units[piece][atoms_in]
        pop = np.bincount(piece_idx, minlength=len(plabel))
        for k, unit in enumerate(sorted(set(piece_idx.tolist()), key=lambda u: -pop[u])):
            colour = OKABE_ITO[1 + k % (len(OKABE_ITO) - 1)]
            locs = atoms_in[piece_idx == unit]
            traces.append({
                "type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
                "locations": [str(i) for i in locs], "z": [1] * len(locs),
                "colorscale": [[0, colour], [1, colour]], "showscale": False,
                "marker": {"opacity": 0.55, "line": {"width": 0.3, "color": "white"}},
                "name": plabel.names[unit], "showlegend": True,
                "hovertemplate": f"{plabel.label} (most patients): {plabel.names[unit]}"
                                 "<extra></extra>" if plabel.kind == "registration" else
                                 f"{plabel.label}: {plabel.names[unit]}<extra></extra>",
            })
    member = geo.layer(layer).member_of or next(
        (n for n, lay in geo.layers.items() if lay.kind == "polygons" and n != layer), None)
    if member is not None:
        lons: list = []
        lats: list = []
        for unit in sorted(set(disp.atom_units[member][atoms_in].tolist())):
            x, y = outline_of(disp, member, unit)
            lons += x
            lats += y
        traces.append({"type": "scattermap", "mode": "lines", "lon": lons, "lat": lats,
                       "line": {"color": "#555555", "width": 1.2}, "hoverinfo": "skip",
                       "name": geo.layer(member).label})
    x, y = outline_of(disp, layer, index)
    traces.append({"type": "scattermap", "mode": "lines", "lon": x, "lat": y,
                   "line": {"color": "#000000", "width": 3.5}, "hoverinfo": "skip",
                   "name": "This footprint"})
    if geo.hubs is not None and not geo.hubs.empty:
        lon, lat = bng_to_lonlat(geo.hubs.geometry.x, geo.hubs.geometry.y)
        inside = shapely.contains_xy(disp.units[layer][index], lon, lat)
        hubs, lon, lat = geo.hubs[inside], lon[inside], lat[inside]
        if len(hubs):
            traces.append({
                "type": "scattermap", "mode": "markers", "name": "Hubs",
                "lon": lon.tolist(), "lat": lat.tolist(),
                "marker": {"size": 13, "color": "#0072B2"},
                "customdata": [[n, hub_label(t)] for n, t in zip(hubs["name"], hubs["type"])],
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>"})
    view = unit_view(disp, layer, index, width_px=640, height_px=FOOTPRINT_MAP_HEIGHT)
    return stack({"data": traces, "layout": {
        "map": {"style": style, **view}, "height": FOOTPRINT_MAP_HEIGHT,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        # Below the map, not over it: on a phone a legend over the map hid half the footprint.
        "legend": {"orientation": "h", "x": 0, "y": -0.01, "yanchor": "top",
                   "font": {"size": 11}}}})
