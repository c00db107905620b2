"""The redraw map: wards coloured by footprint, and the colours a move patches in."""

from __future__ import annotations

import numpy as np

from dashboard.web.common.mapbase import (
    LABEL_FONT,
    MAP_HEIGHT,
    SIDE_COLUMN_MAP_PX,
    MapSource,
    fit_view,
    no_highlight,
    stack,
)
from dashboard.web.common.shapes import DisplayGeometry


def footprint_colours(disp: DisplayGeometry, member_layer: str, labels: np.ndarray,
                      colours: list[str], hover: list[str]) -> dict:
    """The parts of the redraw map that change with a move: each atom's footprint as ``z``, a
    stepped colour scale with one band per footprint (``colours``, in footprint order), and
    hover text per ward."""
    units = disp.atom_units[member_layer]
    z = np.asarray(labels)[units]
    k = max(len(colours), 1)
    scale = []
    for i, colour in enumerate(colours or ["#DDDDDD"]):
        scale += [[i / k, colour], [(i + 1) / k, colour]]
    return {"z": z.tolist(), "colorscale": scale, "zmin": -0.5, "zmax": k - 0.5,
            "customdata": np.asarray(hover, dtype=object)[units].tolist()}




def redraw_map(source: MapSource, member_layer: str, ward_lines: str) -> dict:
    """Wards coloured by footprint, ward boundaries (``ward_lines``: their cached file's
    address) over them; a click reports the atom clicked."""
    disp, geojson_url, style = source.shapes, source.geojson, source.style
    view = fit_view(disp.bounds, SIDE_COLUMN_MAP_PX, MAP_HEIGHT)
    units = disp.atom_units[member_layer]
    lon0, lat0 = no_highlight(disp)  # nothing moved, no names yet (a trace is never empty)
    return stack({"data": [
        {"type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
         "locations": [str(i) for i in range(len(units))],
         "z": [0] * len(units), "showscale": False,  # colours come with the first render
         "marker": {"line": {"width": 0}, "opacity": 0.75},
         # A box or lasso moves wards; it must not leave the others faded as "unselected".
         "selected": {"marker": {"opacity": 0.75}}, "unselected": {"marker": {"opacity": 0.75}},
         "hovertemplate": "%{customdata}<extra></extra>"},
        # Wards moved from the pack's footprints: a heavy outline (set with the colours).
        {"type": "scattermap", "mode": "lines", "lon": lon0, "lat": lat0, "hoverinfo": "skip",
         "line": {"color": "#000000", "width": 3.5}, "showlegend": False, "name": "Moved"},
        # Footprint names, at a ward near the middle of each footprint.
        {"type": "scattermap", "mode": "text", "lon": lon0[:1], "lat": lat0[:1], "text": [""],
         "hoverinfo": "skip", "showlegend": False, "name": "Footprint names",
         "textfont": {"size": 13, "color": "#111111", "family": LABEL_FONT}},
    ], "layout": {"map": {"style": style, **view, "layers": [
        # Ward boundaries from a file the browser keeps: over the colours, under the moved
        # wards and the names. A move never sends them again.
        {"sourcetype": "geojson", "source": ward_lines, "type": "line", "color": "#333333",
         "line": {"width": 1.2}}]},
        "height": MAP_HEIGHT, "clickmode": "event", "dragmode": "pan",
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": "redraw"}})
