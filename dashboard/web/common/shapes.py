"""Map-ready geometry: simplified once per pack, in longitude/latitude, for the browser.

Notes
-----
All display shapes come from one coverage, the atoms (small areas cut by every polygon layer),
simplified together with :func:`shapely.coverage_simplify`, which moves shared edges once for
both neighbours. Every layer's outline is then a union of simplified atoms, so ward, place and
small-area boundaries still meet exactly on screen and no slivers or gaps appear.

Registration layers (PCNs) have no boundary of their own: they are drawn as the small areas where
the unit has the most registered patients. Figures never use these shapes; they are for the eye.

Computation stays in British National Grid metres; only the finished shapes are converted to
WGS84, because web maps expect longitude and latitude.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import shapely

from dashboard.engine.geography import Geography, grouping_key
from dashboard.engine.overlaps import unit_of_atoms
from dashboard.web.common.mapbase import line_coordinates, to_wgs84

DEFAULT_TOLERANCE_M = 10.0


@dataclass(frozen=True)
class DisplayGeometry:
    """Simplified shapes of one geography in WGS84.

    Attributes
    ----------
    atoms_geojson
        GeoJSON FeatureCollection of the simplified atoms, serialised once (feature ``id`` is the
        atom's position), so that it can be served as a file the browser caches.
    digest
        Short hash of ``atoms_geojson``: a URL that changes whenever the shapes do.
    atom_units
        Layer name -> unit index of every atom (registration layers: the small area's main unit).
    units
        Layer name -> array of unit polygons (WGS84 shapely geometries).
    outlines
        Layer name -> (longitudes, latitudes) of the layer's boundary network, lines separated by
        ``None`` as Plotly expects; each shared edge appears once.
    label_points
        Layer name -> (longitudes, latitudes) of a point inside each unit.
    bounds
        (west, south, east, north) of the whole borough.
    """

    atoms_geojson: bytes
    digest: str
    atom_units: Mapping[str, np.ndarray]
    units: Mapping[str, np.ndarray]
    outlines: Mapping[str, tuple[list, list]]
    label_points: Mapping[str, tuple[list, list]]
    bounds: tuple[float, float, float, float]
    tolerance_m: float


def _feature_collection(geoms: np.ndarray) -> bytes:
    features = [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": shapely.geometry.mapping(g)}
        for i, g in enumerate(geoms)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return text.encode()


def _memo_key(geo: Geography, tolerance_m: float) -> tuple:
    return ("display", tolerance_m, grouping_key(geo))


def remember(geo: Geography, disp: DisplayGeometry) -> None:
    """Use ``disp`` (e.g. read back from a disk cache) as ``geo``'s display geometry."""
    geo._memo[_memo_key(geo, disp.tolerance_m)] = disp


def display_geometry(geo: Geography, tolerance_m: float = DEFAULT_TOLERANCE_M) -> DisplayGeometry:
    """Simplified, topology-keeping shapes of every layer of ``geo`` for a web map (memoised).

    Parameters
    ----------
    geo
        A loaded pack.
    tolerance_m
        Largest distance, in metres, a simplified boundary may move from the original.

    Returns
    -------
    DisplayGeometry
    """
    key = _memo_key(geo, tolerance_m)
    if key in geo._memo:
        return geo._memo[key]
    bng = np.asarray(geo.atoms.geometry.values, dtype=object)
    simple_bng = shapely.coverage_simplify(bng, tolerance_m)
    # A sliver thinner than the tolerance can collapse; keep its original shape instead.
    empty = shapely.is_empty(simple_bng)
    simple_bng[empty] = bng[empty]
    simple = to_wgs84(simple_bng)
    atom_units, units, outlines, points = {}, {}, {}, {}
    for name, layer in geo.layers.items():
        index = unit_of_atoms(geo, name)
        atom_units[name] = index
        order = np.argsort(index, kind="stable")
        starts = np.searchsorted(index[order], np.arange(len(layer) + 1))
        shapes_bng = np.array([
            shapely.coverage_union_all(simple_bng[order[starts[u]:starts[u + 1]]])
            for u in range(len(layer))
        ], dtype=object)
        units[name] = to_wgs84(shapes_bng)
        network = shapely.line_merge(shapely.union_all(shapely.boundary(
            shapes_bng[~shapely.is_empty(shapes_bng)])))
        outlines[name] = line_coordinates(to_wgs84(np.array([network], dtype=object))[0])
        inside = to_wgs84(shapely.point_on_surface(shapes_bng))
        xy = shapely.get_coordinates(inside)
        points[name] = (xy[:, 0].tolist(), xy[:, 1].tolist())
    west, south, east, north = shapely.total_bounds(simple)
    geojson = _feature_collection(simple)
    result = DisplayGeometry(
        atoms_geojson=geojson,
        digest=hashlib.sha256(geojson).hexdigest()[:16],
        atom_units=MappingProxyType(atom_units),
        units=MappingProxyType(units),
        outlines=MappingProxyType(outlines),
        label_points=MappingProxyType(points),
        bounds=(float(west), float(south), float(east), float(north)),
        tolerance_m=tolerance_m,
    )
    remember(geo, result)
    return result
