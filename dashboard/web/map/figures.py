"""The layered map of the home page, as a plain figure dict.

The map is built once per page load with the small-area shapes referenced by URL (the browser
fetches and caches them once); callbacks then change it with ``Patch`` objects that carry only
colours, visibility or one outline, never the shapes again. Trace positions are fixed by
:func:`map_traces` so callbacks and the layout agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.engine.alignment import lower, singular
from dashboard.engine.geography import Geography
from dashboard.engine.profiles import need_deciles, small_area_measures, small_area_mismatch
from dashboard.errors import LayerError
from dashboard.web.common.mapbase import (
    BLUES,
    HIGHLIGHT,
    HUB_STYLE,
    LINE_STYLE,
    MAP_HEIGHT,
    OKABE_ITO,
    ORANGES,
    VIRIDIS,
    VIRIDIS_DARK_HIGH,
    MapSource,
    Shading,
    bng_to_lonlat,
    fit_view,
    hub_label,
    hub_types,
    no_highlight,
    outline_layers,
    stack,
)
from dashboard.web.common.shapes import DisplayGeometry


@dataclass(frozen=True)
class MapTraces:
    """Positions of the map's parts. Outlines, their halos and their units' names are layers of
    the map's layout (``layout.map.layers``, drawn from cached GeoJSON files above the
    shading); each outline layer has a key entry among the traces. Traces: shading, keys, hubs
    by type, highlight."""

    halos: dict[str, int]  # positions in layout.map.layers
    outlines: dict[str, int]  # positions in layout.map.layers
    labels: dict[str, int]  # positions in layout.map.layers
    keys: dict[str, int]
    hubs: dict[str, int]
    highlight: int


def _haloed(geo: Geography) -> list[str]:
    """Footprint and PCN outlines get a white halo so they stay visible over any shading;
    ward outlines are thin, many and grey, and need none."""
    return [n for n in outline_layers(geo) if geo.layer(n).kind != "polygons"]


def map_traces(geo: Geography) -> MapTraces:
    names, haloed = outline_layers(geo), _haloed(geo)
    halos = {name: i for i, name in enumerate(haloed)}
    outlines = {name: len(haloed) + i for i, name in enumerate(names)}
    labels = {name: len(haloed) + len(names) + i for i, name in enumerate(names)}
    keys = {name: 1 + i for i, name in enumerate(names)}
    start = 1 + len(names)
    hubs = {t: start + i for i, t in enumerate(hub_types(geo))}
    return MapTraces(halos, outlines, labels, keys, hubs, start + len(hubs))


def _line_style(geo: Geography, name: str) -> tuple[str, float]:
    lay = geo.layer(name)
    if lay.kind == "grouping" and name != _first_grouping(geo):
        return "#009E73", 2.5
    return LINE_STYLE.get(lay.kind, ("#0072B2", 2.0))


def measure_options(geo: Geography, wanted: str | None = None) -> list[dict]:
    """Measures the map can shade by; mismatch for every pair of outline layers (one way
    round, plus ``wanted`` when it is the other way round, e.g. from the overview)."""
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
    parts = (wanted or "").split(":")
    offered = {o["value"] for o in options}
    if (len(parts) == 3 and parts[0] == "mismatch" and wanted not in offered
            and f"mismatch:{parts[2]}:{parts[1]}" in offered):
        la, lb = geo.layer(parts[1]), geo.layer(parts[2])
        options.append({"label": f"Mismatch: {la.label} vs {lb.label}", "value": wanted})
    return options


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
                       f"{geo.layer(measure[8:]).label}", 0, max(float(v.max()), 0.01),
                       tickformat=".0%")
    if measure.startswith("mismatch:") and measure.count(":") == 2:
        _, a, b = measure.split(":")
        v = small_area_mismatch(geo, a, b)
        la, lb = geo.layer(a), geo.layer(b)
        return Shading(v, f"Outside their<br>{_one(la.label)}'s<br>main {_one(lb.label)}",
                       ORANGES, f"%{{z:.0%}} of residents outside their {_one(la.label)}'s "
                       f"main {_one(lb.label)}", 0, 1, tickformat=".0%")
    raise LayerError(f"Unknown map measure '{measure}'. Choose one of: "
                     f"{', '.join(o['value'] for o in measure_options(geo))}.")


def _one(label: str) -> str:
    return lower(singular(label))


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


def map_figure(geo: Geography, source: MapSource, shade: Shading, visible: list[str],
               outline_urls: dict[str, str], label_urls: dict[str, str]) -> dict:
    """The layered map as a plain figure dict (so no validation cost on every page load);
    ``outline_urls`` and ``label_urls`` give each outline layer's GeoJSON addresses: its
    lines, and its units' names."""
    disp, geojson_url, style = source.shapes, source.geojson, source.style
    atom_sa = np.asarray(geo.atoms.small_area)
    traces: list[dict] = [{
        "type": "choroplethmap", "geojson": geojson_url, "featureidkey": "id",
        "locations": [str(i) for i in range(len(atom_sa))],
        "z": np.round(shade.values[atom_sa], 4).tolist(),
        "zmin": shade.zmin, "zmax": shade.zmax, "colorscale": shade.colorscale,
        "colorbar": {"title": {"text": shade.title}, "thickness": 14, "len": 0.6, "x": 1.0,
                     "tickformat": shade.tickformat},
        # No lines between the pieces: drawn without a GPU they cost a fifth of every frame,
        # and the outline layers above draw every boundary that means something.
        "marker": {"line": {"width": 0}, "opacity": 0.85},
        "customdata": _hover_customdata(geo, disp), "hovertemplate": hover_template(geo, shade),
        "name": geo.small_areas.label, "showlegend": False,
    }]
    traces += _keys(geo, disp, visible)
    for t in hub_types(geo):
        hubs = geo.hubs[geo.hubs["type"].astype(str) == t]
        lon, lat = bng_to_lonlat(hubs.geometry.x, hubs.geometry.y)
        colour, size = HUB_STYLE.get(t, (OKABE_ITO[5], 11))
        staff = hubs["staff"].tolist() if "staff" in hubs else [0] * len(hubs)
        traces.append({
            "type": "scattermap", "mode": "markers", "lon": lon.tolist(),
            "lat": lat.tolist(), "marker": {"size": size, "color": colour},
            "name": f"Hubs: {t}",
            "customdata": [[n, c, s] for n, c, s in zip(hubs["name"], hubs["code"], staff)],
            "hovertemplate": "<b>%{customdata[0]}</b> (%{customdata[1]})<br>" + hub_label(t)
                             + "<br>Staff based here: %{customdata[2]:,.0f}<extra></extra>",
        })
        shown = hubs_shown("hubs" in visible)
        traces[-1]["marker"]["opacity"] = shown.pop("opacity")
        traces[-1].update(shown)
    lon0, lat0 = no_highlight(disp)
    traces.append({"type": "scattermap", "mode": "lines", "lon": lon0, "lat": lat0,
                   "line": {"color": HIGHLIGHT, "width": 5}, "name": "Selected",
                   "hoverinfo": "skip", "showlegend": False})
    view = fit_view(disp.bounds)
    return stack({"data": traces, "layout": {
        "map": {"style": style, **view, "layers": _outline_layers(geo, outline_urls, label_urls,
                                                                   visible)},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": MAP_HEIGHT,
        # The key's lines are not the outlines themselves: the layer switches show and hide them.
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)",
                   "bordercolor": "#999", "borderwidth": 1, "itemclick": False,
                   "itemdoubleclick": False},
        "uirevision": "map",  # keep the user's pan and zoom across patches
        "clickmode": "event",
    }})


def outline_opacity(shown: bool) -> float:
    """An outline layer switched off is made transparent, not removed: it stays tiled, so
    switching it back on is one repaint (see :func:`~dashboard.web.common.mapbase.stack`)."""
    return 1.0 if shown else 0.0


def hubs_shown(shown: bool) -> dict:
    """A hub trace shown, or faded out with no hover, legend entry or click."""
    return {"opacity": 1.0 if shown else 0.0, "hoverinfo": "all" if shown else "skip",
            "showlegend": shown}


def _keys(geo: Geography, disp: DisplayGeometry, visible: list[str]) -> list[dict]:
    """The legend's entry for each outline (the lines themselves are layout layers): a line
    of no length, so nothing is drawn."""
    centre = fit_view(disp.bounds)["center"]
    out = []
    for name in outline_layers(geo):
        colour, width = _line_style(geo, name)
        out.append({"type": "scattermap", "mode": "lines",
                    "lon": [centre["lon"]] * 2, "lat": [centre["lat"]] * 2,
                    "line": {"color": colour, "width": width}, "name": geo.layer(name).label,
                    "hoverinfo": "skip", "showlegend": name in visible})
    return out


def _outline_layers(geo: Geography, urls: dict[str, str], label_urls: dict[str, str],
                    visible: list[str]) -> list[dict]:
    """Every outline as a map layer drawn from its cached file (``urls``: layer -> address),
    each footprint and PCN outline over a wide white halo (see :func:`_haloed`); halos first,
    so every line is above them; then the units' names (``label_urls``), over every line.

    The names are layers, not traces, so switching them is a change of layout that Plotly makes
    without recomputing the shading; a layer switched off is removed, so its hidden names never
    push others aside."""

    def layer(name: str, colour: str, width: float) -> dict:
        return {"sourcetype": "geojson", "source": urls[name], "type": "line",
                "color": colour, "line": {"width": width}, "name": name,
                "opacity": outline_opacity(name in visible)}

    def names(name: str) -> dict:
        size = 12 if geo.layer(name).kind != "polygons" else 10
        return {"sourcetype": "geojson", "source": label_urls[name], "type": "symbol",
                "name": f"{name} labels", "visible": name in visible,
                "symbol": {"icon": "", "text": "{label}", "placement": "point",
                           "textfont": {"size": size, "color": "#111111"}}}

    halos = [layer(n, "rgba(255,255,255,0.85)", _line_style(geo, n)[1] + 3)
             for n in _haloed(geo)]
    return (halos + [layer(n, *_line_style(geo, n)) for n in outline_layers(geo)]
            + [names(n) for n in outline_layers(geo)])


def _first_grouping(geo: Geography) -> str | None:
    return next((n for n, lay in geo.layers.items() if lay.kind == "grouping"), None)
