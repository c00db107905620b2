"""Static maps for reports, drawn with matplotlib from the pack's own geometry in British
National Grid metres: no basemap, no browser, nothing fetched, so a report builds on any server
offline. Each map has a scale bar and a north arrow (grid north, within a degree of true north
across England).

matplotlib is imported here only, when a report is drawn, so that commands and pages that draw
none never pay for it.
"""

from __future__ import annotations

import io

import numpy as np
import shapely

from dashboard.engine.atoms import dissolve
from dashboard.engine.geography import Geography, grouping_key
from dashboard.engine.overlaps import best_fit_units, unit_of_atoms
from dashboard.engine.profiles import piece_layer_for, small_area_mismatch

# Okabe and Ito's colour-blind-safe colours (black left out: it is the footprint's outline).
PIECE_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
OTHER_COLOUR = "#BBBBBB"
HUB_COLOUR = "#0072B2"
DPI = 200


def unit_shapes(geo: Geography, layer: str) -> np.ndarray:
    """Each unit's shape in BNG metres: the layer's own polygons, or for a registration layer
    the small areas where the unit has most of the patients (as the live map draws it)."""
    def make() -> np.ndarray:
        lay = geo.layer(layer)
        if lay.kind != "registration" and layer in geo.layer_geometry:
            return np.asarray(geo.layer_geometry[layer].values)
        unit = best_fit_units(geo, layer)
        geoms = np.asarray(geo.small_area_geometry.values)
        return np.array([dissolve(geoms[unit == k]) for k in range(len(lay))], dtype=object)
    return geo.derived.get(("report-shapes", grouping_key(geo), layer), make)


def _path(geom):
    """A (multi)polygon as one matplotlib path, holes included."""
    from matplotlib.path import Path

    verts, codes = [], []
    for poly in shapely.get_parts(geom):
        if not isinstance(poly, shapely.Polygon) or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = shapely.get_coordinates(ring)
            c = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return Path(np.concatenate(verts), np.concatenate(codes))


def _patches(ax, geoms, **style) -> None:
    from matplotlib.collections import PathCollection

    paths = [p for p in (_path(g) for g in geoms) if p is not None]
    if paths:
        ax.add_collection(PathCollection(paths, **style))


def _canvas(width_in: float, height_in: float, map_share: float = 1.0):
    """A figure (no pyplot: nothing global, safe in a threaded server) and its map axes on the
    top ``map_share`` of it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 1 - map_share, 1, map_share))
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def _frame(ax, bounds, aspect: float, pad: float = 0.06) -> None:
    """Fit ``bounds`` with a margin into axes of width/height ``aspect``."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0) * (1 + 2 * pad), max(maxy - miny, 1.0) * (1 + 2 * pad)
    w, h = max(w, h * aspect), max(h, w / aspect)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)


def _nice_length(span_m: float) -> float:
    """A round length near a quarter of the map's width: 1, 2 or 5 times a power of ten."""
    target = span_m / 4
    power = 10 ** np.floor(np.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def _scale_and_north(ax) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    tick = 0.012 * (y1 - y0)
    for k in range(2):  # two halves, black and white, the usual bar
        ax.add_patch(_rect(bx + k * length / 2, by, length / 2, tick,
                           "black" if k == 0 else "white"))
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx + length / 2, by + 2.2 * tick, text, ha="center", va="bottom", fontsize=6,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.6})
    nx, ny = x1 - 0.06 * (x1 - x0), y1 - 0.14 * (y1 - y0)
    ax.annotate("N", xy=(nx, ny + 0.09 * (y1 - y0)), xytext=(nx, ny), ha="center", va="top",
                fontsize=8, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2})


def _rect(x, y, w, h, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="black", linewidth=0.6)


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def footprint_png(geo: Geography, layer: str, index: int) -> bytes:
    """Unit ``index`` of ``layer``: its pieces coloured by another layer (PCNs first), member
    outlines, its neighbours in grey, hubs inside it, a legend below."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lay = geo.layer(layer)
    shapes = unit_shapes(geo, layer)
    here = shapes[index]
    fig, ax = _canvas(3.9, 4.2, map_share=0.8)
    _frame(ax, shapely.bounds(here), 3.9 / (4.2 * 0.8))
    others = [g for k, g in enumerate(shapes) if k != index]
    _patches(ax, others, facecolor="#F4F4F4", edgecolor=OTHER_COLOUR, linewidths=0.6)
    handles = []
    atoms_in = np.flatnonzero(unit_of_atoms(geo, layer) == index)
    piece = piece_layer_for(geo, layer)
    if piece is not None and len(atoms_in):
        plabel = geo.layer(piece)
        unit = unit_of_atoms(geo, piece)[atoms_in]
        pop = np.asarray(geo.population, float)[geo.atoms.small_area[atoms_in]] \
            * geo.atoms.share[atoms_in]
        held = np.bincount(unit, weights=pop, minlength=len(plabel))
        geoms = np.asarray(geo.atoms.geometry.values)[atoms_in]
        for rank, u in enumerate(sorted(set(unit.tolist()), key=lambda u: -held[u])):
            colour = PIECE_COLOURS[rank] if rank < len(PIECE_COLOURS) else OTHER_COLOUR
            _patches(ax, geoms[unit == u], facecolor=colour, edgecolor="none", alpha=0.8)
            if rank < len(PIECE_COLOURS):
                handles.append(Patch(facecolor=colour, alpha=0.8, label=plabel.names[u]))
        if len(set(unit.tolist())) > len(PIECE_COLOURS):
            handles.append(Patch(facecolor=OTHER_COLOUR, label=f"other {plabel.label}"))
    member = lay.member_of
    if member is not None:
        mshapes = unit_shapes(geo, member)
        mine = np.flatnonzero(np.asarray(lay.membership) == index)
        _patches(ax, mshapes[mine], facecolor="none", edgecolor="#444444", linewidths=0.6)
        handles.append(Line2D([], [], color="#444444", lw=0.6, label=geo.layer(member).label))
    _patches(ax, [here], facecolor="none", edgecolor="black", linewidths=1.8)
    handles.append(Line2D([], [], color="black", lw=1.8, label="This footprint"))
    _hubs(ax, geo, here, handles)
    _scale_and_north(ax)
    title = f"Coloured by {geo.layer(piece).label}" if piece else lay.label
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=6, frameon=False,
               title=title, title_fontsize=6.5, bbox_to_anchor=(0.5, 0.0))
    return _png(fig)


def _hubs(ax, geo: Geography, shape, handles: list) -> None:
    from matplotlib.lines import Line2D

    if geo.hubs is None or geo.hubs.empty:
        return
    x, y = geo.hubs.geometry.x.to_numpy(), geo.hubs.geometry.y.to_numpy()
    inside = shapely.contains_xy(shape, x, y)
    if not inside.any():
        return
    ax.scatter(x[inside], y[inside], s=28, marker="o", color=HUB_COLOUR, edgecolors="white",
               linewidths=0.8, zorder=5)
    for xi, yi, name in zip(x[inside], y[inside], geo.hubs["name"][inside]):
        ax.annotate(str(name), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=6,
                    zorder=6, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75,
                                    "pad": 0.5})
    handles.append(Line2D([], [], marker="o", color="white", markerfacecolor=HUB_COLOUR,
                          markersize=5, label="Hubs"))


def mismatch_png(geo: Geography, a: str, b: str) -> bytes:
    """The borough's small areas shaded by the share of residents outside their ``a`` unit's
    main ``b`` unit, with both layers' outlines."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    values = small_area_mismatch(geo, a, b)
    geoms = np.asarray(geo.small_area_geometry.values)
    fig, ax = _canvas(6.4, 5.4, map_share=0.86)
    _frame(ax, shapely.total_bounds(geoms), 6.4 / (5.4 * 0.86), pad=0.02)
    cmap, norm = colormaps["Oranges"], Normalize(0, 1)
    _patches(ax, geoms, facecolor=cmap(norm(values)), edgecolor="white", linewidths=0.2)
    for layer_shapes in (unit_shapes(geo, b), unit_shapes(geo, a)):  # a halo keeps lines seen
        _patches(ax, layer_shapes, facecolor="none", edgecolor="white", linewidths=2.4)
    _patches(ax, unit_shapes(geo, b), facecolor="none", edgecolor=HUB_COLOUR, linewidths=1.0,
             linestyles="--")
    _patches(ax, unit_shapes(geo, a), facecolor="none", edgecolor="black", linewidths=1.2)
    _scale_and_north(ax)
    cax = fig.add_axes((0.1, 0.07, 0.35, 0.025))
    bar = fig.colorbar(ScalarMappable(norm, cmap), cax=cax, orientation="horizontal",
                       format=PercentFormatter(1.0, decimals=0))
    bar.ax.tick_params(labelsize=6)
    bar.set_label("Residents outside their unit's best fit", fontsize=6.5)
    fig.legend(handles=[Line2D([], [], color="black", lw=1.2, label=geo.layer(a).label),
                        Line2D([], [], color=HUB_COLOUR, lw=1.0, ls="--",
                               label=geo.layer(b).label)],
               loc="lower right", bbox_to_anchor=(0.95, 0.02), fontsize=6.5, frameon=False)
    return _png(fig)
