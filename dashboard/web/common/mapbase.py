"""What every map in the web layer shares: colours, sizes, the offline basemap style, the view
that fits a shape, Plotly's line encoding, and the one place shapes and points are reprojected
from British National Grid metres to the longitude and latitude web maps expect.

Computation stays in BNG; only finished shapes and points cross to WGS84, here.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import plotly.colors as pcolors
import shapely
from pyproj import Transformer

from dashboard.engine.geography import BNG, SMALL_AREAS, Geography

if TYPE_CHECKING:
    from dashboard.web.common.shapes import DisplayGeometry

WGS84 = "EPSG:4326"
# Five decimals of a degree is about 1 m: finer than the simplification, and saves bytes.
DECIMALS = 5


# Okabe-Ito colours: distinguishable with the common forms of colour blindness.
OKABE_ITO = ("#000000", "#D55E00", "#009E73", "#0072B2", "#E69F00", "#56B4E9", "#CC79A7",
             "#F0E442")


LINE_STYLE = {"polygons": ("#555555", 1.2), "grouping": ("#000000", 3.0),
              "registration": ("#D55E00", 2.5)}


HIGHLIGHT = "#CC79A7"


HUB_STYLE = {"main": ("#0072B2", 15), "community": ("#E69F00", 11)}


# A URL each street style's server answers: tried before switching, so that an unreachable
# server (no internet) is said on the page instead of leaving a map that never loads.
STREET_PROBES = {"carto": "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json",
                 "open-street-map": "https://tile.openstreetmap.org/0/0/0.png"}


def street_probe(street_style: str) -> str:
    """The URL to try for ``street_style`` (a Plotly style name or a style URL)."""
    return next((url for prefix, url in STREET_PROBES.items()
                 if street_style.startswith(prefix)), street_style)


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


def outline_layers(geo: Geography) -> list[str]:
    """Layers drawn as outlines: every layer except the small areas (the shading shows them)."""
    return [name for name in geo.layers if name != SMALL_AREAS]


def hub_types(geo: Geography) -> list[str]:
    if geo.hubs is None or geo.hubs.empty:
        return []
    return sorted(geo.hubs["type"].astype(str).unique(), key=lambda t: (t not in HUB_STYLE, t))


def hub_label(kind: str) -> str:
    """A hub type as said of one hub: 'community hub', but 'EIP hub' (never 'EIP hub hub')."""
    kind = str(kind)
    return kind if kind.casefold().endswith("hub") else f"{kind} hub"


# Empty layers of the blank style that every map trace and outline layer is placed under, one
# each: see :func:`stack`.
SLOTS = 64


def slot(k: int) -> str:
    return f"slot-{k:02d}"


def blank_style(glyphs_url: str) -> dict:
    """A white MapLibre style that needs no network: labels use the app's own glyphs. Its empty
    slot layers fix where each part of a map is drawn (see :func:`stack`). Changes show at
    once: MapLibre's default 0.3 s transition redraws the map every frame meanwhile, and
    without a GPU each frame holds up the page."""
    slots = [{"id": slot(k), "type": "background", "layout": {"visibility": "none"}}
             for k in range(SLOTS)]
    return {"version": 8, "glyphs": glyphs_url, "sources": {},
            "transition": {"duration": 0, "delay": 0},
            "layers": [{"id": "background", "type": "background",
                        "paint": {"background-color": "#ffffff"}}, *slots]}


def stack(figure: dict, layers_at: int = 1) -> dict:
    """Give each trace and each outline layer of a map ``figure`` its own place: under its own
    slot of the blank style, in drawing order, the layout's layers after the first
    ``layers_at`` traces.

    Why: Plotly removes and re-adds every map layer that shares a ``below`` value with another
    on every update (to keep their order), and the map then re-tiles every source: about half a
    second in a browser without a GPU. With a place of its own, each stays put and only what
    changed is redrawn. Parts of a map are therefore hidden by blanking or fading them, never by
    ``visible: False`` or by emptying them, either of which takes them off the map.
    """
    traces, layers = figure["data"], figure["layout"]["map"].get("layers", [])
    order = [*traces[:layers_at], *layers, *traces[layers_at:]]
    # An empty trace gets no place of its own from Plotly (it takes its neighbour's, and both
    # are re-added on every update: no_highlight stands for nothing instead); a map of more
    # parts than slots cannot have one each. Either is drawn as Plotly would, only slower.
    empty = any(not len(t.get("lon", t.get("locations", [None]))) for t in traces)
    if empty or len(order) > SLOTS:
        return figure
    for k, part in enumerate(order):
        part["below"] = slot(k)
    return figure


def no_highlight(disp: DisplayGeometry) -> tuple[list, list]:
    """A zero-length line at the borough's centre: MapLibre only draws a trace later filled
    with an outline if the trace started with coordinates, so "nothing selected" is this."""
    lon = round((disp.bounds[0] + disp.bounds[2]) / 2, 5)
    lat = round((disp.bounds[1] + disp.bounds[3]) / 2, 5)
    return [lon, lon], [lat, lat]


def outline_of(disp: DisplayGeometry, layer: str, index: int) -> tuple[list, list]:
    """Longitudes and latitudes of one unit's boundary, for the highlight trace."""
    return line_coordinates(shapely.boundary(disp.units[layer][index]))


def unit_view(disp: DisplayGeometry, layer: str, index: int, width_px: int = 760,
              height_px: int = MAP_HEIGHT) -> dict:
    return fit_view(tuple(shapely.bounds(disp.units[layer][index])), width_px, height_px)


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


# Footprint colours for the redraw map: Okabe-Ito without black, then Paul Tol's muted set.
FOOTPRINT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                     "#332288", "#88CCEE", "#117733", "#999933", "#882255", "#44AA99", "#DDCC77")


# Catchments are drawn side by side, so the pale blue that sits beside sky blue comes last.
CATCHMENT_COLOURS = tuple(c for c in FOOTPRINT_COLOURS if c != "#88CCEE") + ("#88CCEE",)


# Footprints being redrawn: Paul Tol's colour-blind-safe "bright" set without its grey, then
# orange and teal from his "vibrant" set; footprints that touch (or nearly) never share one
# (engine.adjacency.distinct_colours).
REDRAW_COLOURS = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#EE7733",
                  "#009988")
UNASSIGNED_COLOUR = "#DDDDDD"


def stepped(colours: list[str]) -> list[list]:
    k = len(colours)
    scale = []
    for i, c in enumerate(colours):
        scale += [[i / k, c], [(i + 1) / k, c]]
    return scale


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    # Building a transformer costs tens of milliseconds; each pair is built once per process.
    return Transformer.from_crs(source, target, always_xy=True)


def to_wgs84(geoms: np.ndarray) -> np.ndarray:
    """Shapely geometries in BNG metres as longitude/latitude, rounded to about 1 m."""
    transformer = _transformer(BNG, WGS84)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), DECIMALS)

    return shapely.transform(geoms, project)


def bng_to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Eastings and northings as rounded longitudes and latitudes."""
    lon, lat = _transformer(BNG, WGS84).transform(np.asarray(x, dtype=float),
                                                  np.asarray(y, dtype=float))
    return np.round(lon, DECIMALS), np.round(lat, DECIMALS)


def lonlat_to_bng(lon: float, lat: float) -> tuple[float, float]:
    """A clicked longitude and latitude as an easting and northing."""
    return _transformer(WGS84, BNG).transform(float(lon), float(lat))


def line_coordinates(network) -> tuple[list, list]:
    """Longitudes and latitudes of every line in ``network``, separated by ``None``."""
    lons: list = []
    lats: list = []
    for line in shapely.get_parts(network):
        coords = shapely.get_coordinates(line)
        lons.extend(coords[:, 0].tolist() + [None])
        lats.extend(coords[:, 1].tolist() + [None])
    return lons, lats


def fit_view(bounds: tuple[float, float, float, float], width_px: int = 760,
             height_px: int = 560) -> dict:
    """Centre and zoom of a web-Mercator map that shows ``bounds`` (west, south, east, north)."""
    west, south, east, north = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(east - west, 1e-6) / 360
    lat_span = max(merc(north) - merc(south), 1e-6) / (2 * math.pi)
    # MapLibre's zoom 0 shows the world in 512 px; a small margin keeps outlines unclipped.
    zoom = min(math.log2(width_px / 512 / lon_span), math.log2(height_px / 512 / lat_span)) - 0.15
    centre_lat = math.degrees(math.atan(math.sinh((merc(north) + merc(south)) / 2)))
    # "fit" is not Plotly's: assets/fit_maps.js reads it to zoom out on a narrower screen
    # than the one assumed here, so the framed area is never cut off on a phone.
    return {"center": {"lon": (west + east) / 2, "lat": centre_lat},
            "zoom": round(max(0.0, min(zoom, 16.0)), 2),
            "fit": [round(v, 6) for v in (west, south, east, north)]}


@dataclass(frozen=True)
class MapSource:
    """A map's shapes and where the browser gets them and its background: the shapes' URL and
    the style both depend on the request (see :func:`dashboard.web.reference.map_source`)."""

    shapes: DisplayGeometry
    geojson: str
    style: str


@dataclass(frozen=True)
class Shading:
    """How a map shades small areas: one value per small area and the scale that colours it.

    ``hover`` is a hovertemplate fragment for the value; ``texts``, when given, is instead the
    whole hover text of each small area. ``ticks`` names the categories when the values are
    category numbers 0, 1, ... (drawn as steps, not a gradient).
    """

    values: np.ndarray
    title: str
    colorscale: list
    hover: str
    zmin: float
    zmax: float
    texts: list[str] | None = None
    ticks: list[str] | None = None
    tickformat: str = ""  # d3 format of the colour bar's numbers, e.g. ".0%" for shares


def categories(values, colours: list[str], ticks: list[str], title: str,
               texts: list[str]) -> Shading:
    """A stepped shading with one colour per category."""
    return Shading(np.asarray(values), title, stepped(colours), "", -0.5, len(colours) - 0.5,
                   texts=texts, ticks=ticks)
