"""The redraw map: wards coloured by footprint, and the colours a move patches in."""

from __future__ import annotations

import numpy as np

from dashboard.web.common.mapbase import (
    MAP_HEIGHT,
    SIDE_COLUMN_MAP_PX,
    MapSource,
    fit_view,
    footprint_colour,
)
from dashboard.web.common.shapes import DisplayGeometry


def footprint_colours(disp: DisplayGeometry, member_layer: str, labels: np.ndarray,
                      n_groups: int, hover: list[str]) -> dict:
    """The parts of the redraw map that change with a move: each atom's footprint as ``z``, a
    stepped colour scale with one band per footprint, and hover text per ward."""
    units = disp.atom_units[member_layer]
    z = np.asarray(labels)[units]
    k = max(n_groups, 1)
    scale = []
    for i in range(k):
        scale += [[i / k, footprint_colour(i)], [(i + 1) / k, footprint_colour(i)]]
    return {"z": z.tolist(), "colorscale": scale, "zmin": -0.5, "zmax": k - 0.5,
            "customdata": np.asarray(hover, dtype=object)[units].tolist()}


def redraw_map(source: MapSource, member_layer: str) -> dict:
    """Wards coloured by footprint, ward boundaries on top; a click reports the atom clicked."""
    disp, geojson_url, style = source.shapes, source.geojson, source.style
    lon, lat = disp.outlines[member_layer]
    view = fit_view(disp.bounds, SIDE_COLUMN_MAP_PX, MAP_HEIGHT)
    units = disp.atom_units[member_layer]
    return {"data": [
        {"type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
         "locations": [str(i) for i in range(len(units))],
         "z": [0] * len(units), "showscale": False,  # colours come with the first render
         "marker": {"line": {"width": 0}, "opacity": 0.75},
         "hovertemplate": "%{customdata}<extra></extra>"},
        {"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat, "hoverinfo": "skip",
         "line": {"color": "#333333", "width": 1.2}, "showlegend": False},
    ], "layout": {"map": {"style": style, **view}, "height": MAP_HEIGHT, "clickmode": "event",
                  "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": "redraw"}}
