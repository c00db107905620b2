"""Plotly figures as plain functions of engine results (no callbacks, no Dash state).

The map is built once per page load with the small-area shapes referenced by URL (the browser
fetches and caches them once); callbacks then change it with ``Patch`` objects that carry only
colours, visibility or one outline, never the shapes again. Trace positions are fixed by
:func:`map_traces` so callbacks and the layout agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go
import shapely

from dashboard.engine.display import DisplayGeometry, fit_view, line_coordinates
from dashboard.engine.geography import SMALL_AREAS, Geography
from dashboard.engine.profiles import need_deciles, small_area_measures, small_area_mismatch
from dashboard.errors import LayerError

# Okabe-Ito colours: distinguishable with the common forms of colour blindness.
OKABE_ITO = ("#000000", "#D55E00", "#009E73", "#0072B2", "#E69F00", "#56B4E9", "#CC79A7",
             "#F0E442")
LINE_STYLE = {"polygons": ("#555555", 1.2), "grouping": ("#000000", 3.0),
              "registration": ("#D55E00", 2.5)}
HIGHLIGHT = "#CC79A7"
HUB_STYLE = {"main": ("#0072B2", 15), "community": ("#E69F00", 11)}
MAP_HEIGHT = 620
FOOTPRINT_MAP_HEIGHT = 480
# Width of a map in the middle half of a page with controls either side (Bootstrap lg=6 at the
# common 1140 px container): views fitted to it show the whole borough.
SIDE_COLUMN_MAP_PX = 540
# Sequential scales, light to dark so that more reads as darker; all colour-blind safe.
def _scale(colours) -> list[list]:
    """[[position, colour], ...]: the form plotly.js reads without plotly.py's validation."""
    colours = list(colours)
    return [[i / (len(colours) - 1), c] for i, c in enumerate(colours)]


BLUES = _scale(pcolors.sequential.Blues)
ORANGES = _scale(pcolors.sequential.Oranges)
VIRIDIS = _scale(pcolors.sequential.Viridis)
VIRIDIS_DARK_HIGH = _scale(reversed(pcolors.sequential.Viridis))
BLANK = "blank"
LABEL_FONT = "Open Sans Regular"  # any name: the app's glyph route serves one bundled face


@dataclass(frozen=True)
class MapTraces:
    """Positions of the map's traces: shading, outlines, labels, hubs by type, highlight."""

    outlines: dict[str, int]
    labels: dict[str, int]
    hubs: dict[str, int]
    highlight: int


def outline_layers(geo: Geography) -> list[str]:
    """Layers drawn as outlines: every layer except the small areas (the shading shows them)."""
    return [name for name in geo.layers if name != SMALL_AREAS]


def hub_types(geo: Geography) -> list[str]:
    if geo.hubs is None or geo.hubs.empty:
        return []
    return sorted(geo.hubs["type"].astype(str).unique(), key=lambda t: (t not in HUB_STYLE, t))


def map_traces(geo: Geography) -> MapTraces:
    names = outline_layers(geo)
    outlines = {name: 1 + i for i, name in enumerate(names)}
    labels = {name: 1 + len(names) + i for i, name in enumerate(names)}
    start = 1 + 2 * len(names)
    hubs = {t: start + i for i, t in enumerate(hub_types(geo))}
    return MapTraces(outlines, labels, hubs, start + len(hubs))


def blank_style(glyphs_url: str) -> dict:
    """A white MapLibre style that needs no network: labels use the app's own glyphs."""
    return {"version": 8, "glyphs": glyphs_url, "sources": {},
            "layers": [{"id": "background", "type": "background",
                        "paint": {"background-color": "#ffffff"}}]}


def measure_options(geo: Geography) -> list[dict]:
    """Measures the map can shade by; mismatch for every pair of outline layers."""
    options = [{"label": "Population", "value": "population"},
               {"label": "Population density (per km²)", "value": "density"}]
    if geo.need:
        options += [{"label": "Need score", "value": "need"},
                    {"label": "Need decile in the borough (1 = highest need)", "value": "decile"}]
    for layer in geo.metadata.get("registered_outside", {}):
        options.append({"label": f"Registered outside the borough's {geo.layer(layer).label}",
                        "value": f"outside:{layer}"})
    names = outline_layers(geo)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            la, lb = geo.layer(a), geo.layer(b)
            if la.member_of == b or lb.member_of == a:
                continue  # a grouping always nests in its own members: nothing to see
            options.append({"label": f"Mismatch: {la.label} vs {lb.label}",
                            "value": f"mismatch:{a}:{b}"})
    return options


@dataclass(frozen=True)
class Shading:
    values: np.ndarray  # one per small area
    title: str
    colorscale: list
    hover: str  # hovertemplate fragment for the value
    zmin: float
    zmax: float


def shading(geo: Geography, measure: str, need: str | None) -> Shading:
    """Values and colours for ``measure``; raises a clear error for an unknown one."""
    table = small_area_measures(geo, need if geo.need else None)
    if measure == "population":
        v = table["population"].to_numpy()
        return Shading(v, "Residents", BLUES, "", 0, float(v.max()))
    if measure == "density":
        v = table["density_per_km2"].to_numpy()
        return Shading(v, "People per km²", BLUES, "%{z:,.0f} people per km²", 0,
                       float(np.quantile(v, 0.98)))
    label = geo.need_labels.get(need, need) if need else ""
    if measure == "need" and need:
        v = table["need_score"].to_numpy()
        return Shading(v, label, VIRIDIS_DARK_HIGH, f"{label}: %{{z:,.1f}}", float(v.min()),
                       float(v.max()))
    if measure == "decile" and need:
        v = need_deciles(geo, need).astype(float)
        return Shading(v, "Need decile", VIRIDIS, "Need decile %{z:.0f} of 10", 1, 10)
    if measure.startswith("outside:") and measure[8:] in geo.metadata.get("registered_outside",
                                                                          {}):
        v = table[f"share_registered_outside_{measure[8:]}"].to_numpy()
        return Shading(v, "Registered<br>outside", ORANGES,
                       "%{z:.1%} of patients registered with practices outside the borough's "
                       f"{geo.layer(measure[8:]).label}", 0, max(float(v.max()), 0.01))
    if measure.startswith("mismatch:") and measure.count(":") == 2:
        _, a, b = measure.split(":")
        v = small_area_mismatch(geo, a, b)
        la, lb = geo.layer(a), geo.layer(b)
        return Shading(v, f"Share outside<br>main {lb.label}", ORANGES,
                       f"%{{z:.0%}} of residents outside their {la.label.lower()}'s main "
                       f"{lb.label.lower()} unit", 0, 1)
    raise LayerError(f"Unknown map measure '{measure}'. Choose one of: "
                     f"{', '.join(o['value'] for o in measure_options(geo))}.")


def hover_template(geo: Geography, shade: Shading) -> str:
    """Hover text naming every unit under the pointer (see :func:`_hover_customdata`)."""
    lines = [f"{geo.small_areas.label.split(' (')[0]}: <b>%{{customdata[0]}}</b>"]
    for k, name in enumerate(outline_layers(geo), start=1):
        lay = geo.layer(name)
        main = " (most patients)" if lay.kind == "registration" else ""
        lines.append(f"{lay.label}{main}: %{{customdata[{k}]}}")
    lines.append(f"Residents of the small area: %{{customdata[{len(lines)}]}}")
    if shade.hover:
        lines.append(shade.hover)
    return "<br>".join(lines) + "<extra></extra>"


def _hover_customdata(geo: Geography, disp: DisplayGeometry) -> list[list[str]]:
    """Per atom: its small area, its unit in every outline layer, its small area's residents."""
    atom_sa = np.asarray(geo.atoms.small_area)
    sa = geo.small_areas
    columns = [[f"{sa.names[i]} ({sa.codes[i]})" for i in atom_sa]]
    for name in outline_layers(geo):
        lay = geo.layer(name)
        idx = disp.atom_units[name]
        if lay.kind == "registration":
            share = np.asarray(geo.registrations[name].tocsr()[atom_sa, idx]).ravel()
            columns.append([f"{lay.names[u]} ({s:.0%} of patients)" for u, s in zip(idx, share)])
        else:
            columns.append([lay.names[u] for u in idx])
    columns.append([f"{p:,.0f}" for p in np.asarray(geo.population, dtype=float)[atom_sa]])
    return [list(r) for r in zip(*columns)]


def map_figure(geo: Geography, disp: DisplayGeometry, geojson_url: str, shade: Shading,
               visible: list[str], style: str) -> dict:
    """The layered map as a plain figure dict (so no validation cost on every page load)."""
    atom_sa = np.asarray(geo.atoms.small_area)
    traces: list[dict] = [{
        "type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
        "locations": [str(i) for i in range(len(atom_sa))],
        "z": np.round(shade.values[atom_sa], 4).tolist(),
        "zmin": shade.zmin, "zmax": shade.zmax, "colorscale": shade.colorscale,
        "colorbar": {"title": {"text": shade.title}, "thickness": 14, "len": 0.6, "x": 1.0},
        "marker": {"line": {"width": 0.3, "color": "rgba(255,255,255,0.7)"}, "opacity": 0.85},
        "customdata": _hover_customdata(geo, disp), "hovertemplate": hover_template(geo, shade),
        "name": geo.small_areas.label, "showlegend": False,
    }]
    for name in outline_layers(geo):
        lay = geo.layer(name)
        colour, width = LINE_STYLE.get(lay.kind, ("#0072B2", 2.0))
        if lay.kind == "grouping" and name != _first_grouping(geo):
            colour, width = "#009E73", 2.5
        lons, lats = disp.outlines[name]
        traces.append({"type": "scattermap", "mode": "lines", "lon": lons, "lat": lats,
                       "line": {"color": colour, "width": width}, "name": lay.label,
                       "hoverinfo": "skip", "visible": name in visible})
    for name in outline_layers(geo):
        lons, lats = disp.label_points[name]
        traces.append({"type": "scattermap", "mode": "text", "lon": lons, "lat": lats,
                       "text": list(geo.layer(name).names), "hoverinfo": "skip",
                       "textfont": {"size": 12 if geo.layer(name).kind != "polygons" else 10,
                                    "color": "#111111",
                                    "family": LABEL_FONT},
                       "showlegend": False, "name": f"{geo.layer(name).label} labels",
                       "visible": name in visible})
    for t in hub_types(geo):
        hubs = geo.hubs[geo.hubs["type"].astype(str) == t].to_crs("EPSG:4326")
        colour, size = HUB_STYLE.get(t, (OKABE_ITO[5], 11))
        staff = hubs["staff"].tolist() if "staff" in hubs else [0] * len(hubs)
        traces.append({
            "type": "scattermap", "mode": "markers", "lon": hubs.geometry.x.round(5).tolist(),
            "lat": hubs.geometry.y.round(5).tolist(), "marker": {"size": size, "color": colour},
            "name": f"Hubs: {t}", "visible": "hubs" in visible,
            "customdata": [[n, c, s] for n, c, s in zip(hubs["name"], hubs["code"], staff)],
            "hovertemplate": "<b>%{customdata[0]}</b> (%{customdata[1]})<br>" + f"{t} hub"
                             "<br>Staff based here: %{customdata[2]:,.0f}<extra></extra>",
        })
    lon0, lat0 = no_highlight(disp)
    traces.append({"type": "scattermap", "mode": "lines", "lon": lon0, "lat": lat0,
                   "line": {"color": HIGHLIGHT, "width": 5}, "name": "Selected",
                   "hoverinfo": "skip", "showlegend": False})
    view = fit_view(disp.bounds)
    return {"data": traces, "layout": {
        "map": {"style": style, **view},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": MAP_HEIGHT,
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)",
                   "bordercolor": "#999", "borderwidth": 1},
        "uirevision": "map",  # keep the user's pan and zoom across patches
        "clickmode": "event",
    }}


def no_highlight(disp: DisplayGeometry) -> tuple[list, list]:
    """A zero-length line at the borough's centre: MapLibre only draws a trace later filled
    with an outline if the trace started with coordinates, so "nothing selected" is this."""
    lon = round((disp.bounds[0] + disp.bounds[2]) / 2, 5)
    lat = round((disp.bounds[1] + disp.bounds[3]) / 2, 5)
    return [lon, lon], [lat, lat]


def _first_grouping(geo: Geography) -> str | None:
    return next((n for n, lay in geo.layers.items() if lay.kind == "grouping"), None)


def outline_of(disp: DisplayGeometry, layer: str, index: int) -> tuple[list, list]:
    """Longitudes and latitudes of one unit's boundary, for the highlight trace."""
    return line_coordinates(shapely.boundary(disp.units[layer][index]))


def unit_view(disp: DisplayGeometry, layer: str, index: int, width_px: int = 760,
              height_px: int = MAP_HEIGHT) -> dict:
    return fit_view(tuple(shapely.bounds(disp.units[layer][index])), width_px, height_px)


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


def heatmap(matrix: np.ndarray, rows: list[str], cols: list[str], populations: np.ndarray,
            from_label: str, to_label: str) -> go.Figure:
    """Share of each row unit's residents in each column unit."""
    fig = go.Figure(go.Heatmap(
        z=matrix, x=cols, y=rows, colorscale=BLUES, zmin=0, zmax=1,
        customdata=populations, colorbar={"title": {"text": "Share of row"}, "tickformat": ".0%"},
        text=np.where(matrix >= 0.005, np.char.mod("%.0f%%", matrix * 100), ""),
        texttemplate="%{text}", textfont={"size": 10},
        hovertemplate="%{y} → %{x}<br>%{z:.1%} of the row's people (%{customdata:,.0f})"
                      "<extra></extra>",
    ))
    fig.update_layout(height=220 + 28 * len(rows), plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      xaxis={"title": to_label, "side": "top", "tickangle": -35},
                      yaxis={"title": from_label, "autorange": "reversed"})
    return fig


def piece_layer_for(geo: Geography, layer: str) -> str | None:
    """The layer whose pieces colour a footprint's map: PCNs first, then another grouping."""
    kinds = ("registration", "grouping", "polygons")
    for kind in kinds:
        for name, lay in geo.layers.items():
            if lay.kind == kind and name != layer and lay.member_of != layer \
                    and geo.layer(layer).member_of != name:
                return name
    return None


def footprint_map(geo: Geography, disp: DisplayGeometry, geojson_url: str, layer: str,
                  index: int, style: str) -> dict:
    """One footprint: its pieces coloured by another layer, member outlines, hubs inside."""
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
        hubs = geo.hubs.to_crs("EPSG:4326")
        inside = shapely.contains_xy(disp.units[layer][index], hubs.geometry.x, hubs.geometry.y)
        hubs = hubs[inside]
        if len(hubs):
            traces.append({
                "type": "scattermap", "mode": "markers", "name": "Hubs",
                "lon": hubs.geometry.x.round(5).tolist(), "lat": hubs.geometry.y.round(5).tolist(),
                "marker": {"size": 13, "color": "#0072B2"},
                "customdata": [[n, t] for n, t in zip(hubs["name"], hubs["type"])],
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]} hub<extra></extra>"})
    view = unit_view(disp, layer, index, width_px=640, height_px=FOOTPRINT_MAP_HEIGHT)
    return {"data": traces, "layout": {
        "map": {"style": style, **view}, "height": FOOTPRINT_MAP_HEIGHT,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"}}}


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


def colour_range(values: np.ndarray) -> dict:
    """Plotly's colour range for ``values``; when they differ by under 0.5% (e.g. per-head
    figures of an allocation made by need alone) the range is widened to ±5%, so that rounding
    is not painted as the full scale from white to dark."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return {}
    low, high = float(finite.min()), float(finite.max())
    middle = (low + high) / 2
    if high - low > 0.005 * abs(middle):
        return {}
    half = 0.05 * abs(middle) or 1.0
    return {"zmin": middle - half, "zmax": middle + half}


def area_value_map(geo: Geography, disp: DisplayGeometry, geojson_url: str, layer: str,
                   values: np.ndarray, label: str, style: str) -> dict:
    """Each area of ``layer`` shaded by one value per area, drawn on the cached atom shapes."""
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


# Footprint colours for the redraw map: Okabe-Ito without black, then Paul Tol's muted set.
FOOTPRINT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                     "#332288", "#88CCEE", "#117733", "#999933", "#882255", "#44AA99", "#DDCC77")


# Catchments are drawn side by side, so the pale blue that sits beside sky blue comes last.
CATCHMENT_COLOURS = tuple(c for c in FOOTPRINT_COLOURS if c != "#88CCEE") + ("#88CCEE",)


def footprint_colour(index: int) -> str:
    return FOOTPRINT_COLOURS[index % len(FOOTPRINT_COLOURS)]


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


def redraw_map(disp: DisplayGeometry, geojson_url: str, member_layer: str, style: str) -> dict:
    """Wards coloured by footprint, ward boundaries on top; a click reports the atom clicked."""
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


# Access bands, nearest first: blues darkening towards the hub, then orange beyond every band.
BEYOND_COLOUR = "#D55E00"  # vermillion: not the orange of community hub markers
CLOSED_COLOUR = "#999999"


def band_colours(n_bands: int) -> list[str]:
    pool = pcolors.sequential.Blues[::-1][2:7]  # mid to light: black labels stay readable
    picks = np.linspace(0, len(pool) - 1, max(n_bands, 1)).round().astype(int)
    return [pool[i] for i in picks[:n_bands]] + [BEYOND_COLOUR]


def _stepped(colours: list[str]) -> list[list]:
    k = len(colours)
    scale = []
    for i, c in enumerate(colours):
        scale += [[i / k, c], [(i + 1) / k, c]]
    return scale


def hub_map(geo: Geography, disp: DisplayGeometry, geojson_url: str, outline_layer: str | None,
            shade: dict, hubs: list[dict], chosen: str | None, style: str) -> dict:
    """Small areas shaded by access band or catchment, footprint outlines, hubs on top.

    ``shade`` holds per-small-area ``z`` (category index), ``colours`` (one per category),
    ``ticks`` (category labels) and ``hover`` (text per small area); ``hubs`` are dicts with
    code, name, type, lon, lat, staff, closed.
    """
    atom_sa = np.asarray(geo.atoms.small_area)
    colours = shade["colours"]
    k = len(colours)
    traces: list[dict] = [{
        "type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
        "locations": [str(i) for i in range(len(atom_sa))],
        "z": np.asarray(shade["z"])[atom_sa].tolist(), "zmin": -0.5, "zmax": k - 0.5,
        "colorscale": _stepped(colours),
        "colorbar": {"title": {"text": shade["title"]}, "thickness": 14, "len": 0.6, "x": 1.0,
                     "tickvals": list(range(k)), "ticktext": shade["ticks"]},
        "showscale": shade.get("showscale", True),
        "marker": {"line": {"width": 0.3, "color": "rgba(255,255,255,0.7)"}, "opacity": 0.8},
        "customdata": np.asarray(shade["hover"], dtype=object)[atom_sa].tolist(),
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
            "customdata": [[h["name"], h["code"], h["staff"], h["type"]] for h in members],
            "hovertemplate": "<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[3]} "
                             "hub" + (" (closed)" if label == "Closed hubs" else "")
                             + "<br>Staff: %{customdata[2]:,.1f}<extra></extra>",
        })
    return {"data": traces, "layout": {
        "map": {"style": style, **fit_view(disp.bounds, SIDE_COLUMN_MAP_PX, MAP_HEIGHT)},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": MAP_HEIGHT,
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)",
                   "bordercolor": "#999", "borderwidth": 1},
        "uirevision": "hubs", "clickmode": "event"}}
