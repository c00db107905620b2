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

from dashboard.engine.atoms import dissolve
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


def _layer_key(geo: Geography, name: str, tolerance_m: float) -> tuple:
    """A layer's shapes depend on its membership only (groupings); base layers never change."""
    membership = geo.layer(name).membership
    return ("display-layer", tolerance_m, name,
            None if membership is None else membership.tobytes())


def remember(geo: Geography, disp: DisplayGeometry) -> None:
    """Use ``disp`` (e.g. read back from a disk cache) as ``geo``'s display geometry."""
    tol = disp.tolerance_m
    geo.derived.put(("display", tol, grouping_key(geo)), disp)
    geo.derived.put(("display-atoms", tol), (disp.atoms_geojson, disp.digest, disp.bounds))
    for name in geo.layers:
        geo.derived.put(_layer_key(geo, name, tol), (
            disp.atom_units[name], disp.units[name], disp.outlines[name],
            disp.label_points[name]))


def display_geometry(geo: Geography, tolerance_m: float = DEFAULT_TOLERANCE_M) -> DisplayGeometry:
    """Simplified, topology-keeping shapes of every layer of ``geo`` for a web map (memoised).

    The simplified atoms are made once per pack; a regrouped copy (a scenario's footprints)
    only unions them anew for the groupings that changed.

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
    return geo.derived.get(("display", tolerance_m, grouping_key(geo)),
                           lambda: _assemble(geo, tolerance_m))


def _assemble(geo: Geography, tolerance_m: float) -> DisplayGeometry:
    geojson, digest, bounds = geo.derived.get(("display-atoms", tolerance_m),
                                              lambda: _atoms_geojson(geo, tolerance_m))
    parts = {name: geo.derived.get(_layer_key(geo, name, tolerance_m),
                                   lambda name=name: _layer_shapes(geo, name, tolerance_m))
             for name in geo.layers}
    return DisplayGeometry(
        atoms_geojson=geojson, digest=digest,
        atom_units=MappingProxyType({k: v[0] for k, v in parts.items()}),
        units=MappingProxyType({k: v[1] for k, v in parts.items()}),
        outlines=MappingProxyType({k: v[2] for k, v in parts.items()}),
        label_points=MappingProxyType({k: v[3] for k, v in parts.items()}),
        bounds=bounds, tolerance_m=tolerance_m)


def _simplified(geo: Geography, tolerance_m: float) -> np.ndarray:
    """The atoms simplified together, in BNG (made once per pack and tolerance)."""
    def make() -> np.ndarray:
        bng = np.asarray(geo.atoms.geometry.values, dtype=object)
        simple = shapely.coverage_simplify(bng, tolerance_m)
        # A sliver thinner than the tolerance can collapse; keep its original shape instead.
        empty = shapely.is_empty(simple)
        simple[empty] = bng[empty]
        return simple

    return geo.derived.get(("display-simple", tolerance_m), make)


def outline_geojson(geo: Geography, disp: DisplayGeometry, name: str) -> tuple[str, bytes]:
    """One layer's boundary network as a GeoJSON file: its digest and bytes (made once per pack
    and grouping). The map references it by URL, so the outlines travel once and are cached by
    the browser instead of riding in every first draw of the figure."""
    def make() -> tuple[str, bytes]:
        lines, line = [], []
        for x, y in zip(*disp.outlines[name]):
            if x is None:  # Plotly's line break: the end of one boundary line
                if len(line) > 1:
                    lines.append(line)
                line = []
            else:
                line.append([round(x, 5), round(y, 5)])  # 5 decimals: about a metre
        if len(line) > 1:
            lines.append(line)
        text = json.dumps({"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"layer": name},
            "geometry": {"type": "MultiLineString", "coordinates": lines}}]},
            separators=(",", ":")).encode()
        return hashlib.sha256(text).hexdigest()[:16], text
    # Only a grouping's outlines change when wards are regrouped; the others are shared.
    groups = grouping_key(geo) if geo.layer(name).kind == "grouping" else ()
    return geo.derived.get(("outline-geojson", disp.digest, name, groups), make)


def label_geojson(geo: Geography, disp: DisplayGeometry, name: str) -> tuple[str, bytes]:
    """One layer's unit names at their label points as a GeoJSON file (property ``label``):
    its digest and bytes, served and cached as the outlines are."""
    def make() -> tuple[str, bytes]:
        lons, lats = disp.label_points[name]
        text = json.dumps({"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"label": str(label)},
            "geometry": {"type": "Point", "coordinates": [round(x, 5), round(y, 5)]}}
            for label, x, y in zip(geo.layer(name).names, lons, lats)]},
            separators=(",", ":"), ensure_ascii=False).encode()
        return hashlib.sha256(text).hexdigest()[:16], text
    groups = grouping_key(geo) if geo.layer(name).kind == "grouping" else ()
    return geo.derived.get(("label-geojson", disp.digest, name, groups), make)


def _atoms_geojson(geo: Geography, tolerance_m: float) -> tuple[bytes, str, tuple]:
    simple = to_wgs84(_simplified(geo, tolerance_m))
    west, south, east, north = shapely.total_bounds(simple)
    geojson = _feature_collection(simple)
    return (geojson, hashlib.sha256(geojson).hexdigest()[:16],
            (float(west), float(south), float(east), float(north)))


def _layer_shapes(geo: Geography, name: str, tolerance_m: float) -> tuple:
    """One layer's atom-to-unit index, unit shapes, outline network and label points."""
    simple_bng = _simplified(geo, tolerance_m)
    index = unit_of_atoms(geo, name)
    order = np.argsort(index, kind="stable")
    starts = np.searchsorted(index[order], np.arange(len(geo.layer(name)) + 1))
    shapes_bng = np.array([dissolve(simple_bng[order[a:b]])
                           for a, b in zip(starts[:-1], starts[1:])], dtype=object)
    network = shapely.line_merge(shapely.union_all(shapely.boundary(
        shapes_bng[~shapely.is_empty(shapes_bng)])))
    outline = line_coordinates(to_wgs84(np.array([network], dtype=object))[0])
    xy = shapely.get_coordinates(to_wgs84(shapely.point_on_surface(shapes_bng)))
    return index, to_wgs84(shapes_bng), outline, (xy[:, 0].tolist(), xy[:, 1].tolist())
