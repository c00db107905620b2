"""Map shapes: simplified once, topology kept, every unit in the right place."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from conftest import KM, X0, Y0
from dashboard.engine.overlaps import best_fit_units, unit_of_atoms
from dashboard.web.common.mapbase import fit_view
from dashboard.web.common.shapes import display_geometry


def test_units_of_atoms_follow_each_layer_kind(tiny):
    atoms = tiny.atoms
    # Where each atom lies, read off the drawing in conftest: W1 = x < 1.4 km, y < 1 km;
    # W3 = x < 1.4 km, y > 1 km; W2 = x > 1.4 km. Places: P1 = {W1, W2}, P2 = {W3}.
    xy = shapely.get_coordinates(shapely.point_on_surface(np.asarray(atoms.geometry.values)))
    x, y = (xy[:, 0] - X0) / KM, (xy[:, 1] - Y0) / KM
    expected = np.where(x > 1.4, "W2", np.where(y < 1, "W1", "W3"))
    wards = unit_of_atoms(tiny, "wards")
    assert [tiny.layer("wards").codes[u] for u in wards] == expected.tolist()
    places = unit_of_atoms(tiny, "places")
    assert [tiny.layer("places").codes[u] for u in places] == [
        "P2" if w == "W3" else "P1" for w in expected]
    # PCNs: each atom takes its small area's main PCN (S2's tie goes to the first, X).
    pcns = unit_of_atoms(tiny, "pcns")
    assert list(pcns) == list(best_fit_units(tiny, "pcns")[atoms.small_area])
    assert [tiny.layer("pcns").codes[u] for u in best_fit_units(tiny, "pcns")] == \
        ["X", "X", "Y", "Y"]


@pytest.mark.parametrize("layer", ["wards", "places", "districts", "pcns"])
def test_simplified_units_tile_the_borough_without_gaps_or_overlaps(demo, layer):
    disp = display_geometry(demo)
    shapes = disp.units[layer]
    union = shapely.union_all(shapes)
    assert sum(shapely.area(shapes)) == pytest.approx(union.area, rel=1e-9)
    assert union.area == pytest.approx(shapely.union_all(disp.units["small_areas"]).area,
                                       rel=1e-9)


def test_simplification_stays_within_tolerance_and_cuts_vertices(demo):
    disp = display_geometry(demo)
    original = np.asarray(demo.atoms.geometry.values)
    features = json.loads(disp.atoms_geojson)["features"]
    assert [f["id"] for f in features] == [str(i) for i in range(len(original))]
    assert len(features) == len(demo.atoms)
    simple = np.array([shapely.geometry.shape(f["geometry"]) for f in features])
    assert shapely.get_num_coordinates(simple).sum() < shapely.get_num_coordinates(original).sum()
    # Back in metres, no simplified boundary strays beyond the tolerance (+1 m of rounding).
    import geopandas as gpd

    back = gpd.GeoSeries(simple, crs="EPSG:4326").to_crs("EPSG:27700").values
    distance = shapely.hausdorff_distance(back, original)
    assert distance.max() <= disp.tolerance_m + 1.5


def test_outlines_draw_each_shared_edge_once(tiny):
    from pyproj import Transformer

    lons, lats = display_geometry(tiny).outlines["wards"]
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    length, line = 0.0, []
    for x, y in [*zip(lons, lats), (None, None)]:
        if x is None:
            if len(line) > 1:
                length += shapely.LineString(line).length
            line = []
        else:
            line.append(to_bng.transform(x, y))
    # Outer edge 8 km plus inner edges 2 km (x = 1.4) and 1.4 km (y = 1); the three ward rings
    # drawn separately would total 14.8 km.
    assert length == pytest.approx(11_400, abs=5)


def test_fit_view_centres_and_zooms_out_for_larger_areas():
    small = fit_view((-1.80, 53.60, -1.70, 53.65))
    large = fit_view((-2.00, 53.50, -1.50, 53.75))
    assert small["center"]["lon"] == pytest.approx(-1.75)
    assert 53.60 < small["center"]["lat"] < 53.65
    assert small["zoom"] > large["zoom"] + 2


def test_nearly_equal_values_are_not_painted_as_a_full_colour_scale():
    import numpy as np

    from dashboard.web.common.mapbase import colour_range

    even = np.array([32.34328, 32.34344, 32.3434])  # rounding of equal shares
    assert colour_range(even) == pytest.approx({"zmin": 32.3434 * 0.95, "zmax": 32.3434 * 1.05},
                                               rel=1e-4)
    assert colour_range(np.array([10.0, 20.0])) == {}  # real differences keep Plotly's range
    assert colour_range(np.array([0.0, 0.0])) == {"zmin": -1.0, "zmax": 1.0}


def _network_km(lons, lats) -> float:
    """Length in km (BNG) of a Plotly-style line list (lines separated by None)."""
    from pyproj import Transformer

    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    total, line = 0.0, []
    for x, y in [*zip(lons, lats), (None, None)]:
        if x is None:
            if len(line) > 1:
                xs, ys = to_bng.transform(*zip(*line))
                total += float(np.hypot(np.diff(xs), np.diff(ys)).sum())
            line = []
        else:
            line.append((x, y))
    return total / 1000


def test_real_ward_outlines_draw_the_wards_not_the_gaps_between_published_files():
    """Kirklees's 2011 LSOAs and 2013 wards leave hairline gaps; the wards' outlines on the map
    must be about as long as their real boundaries, not every gap's edge drawn too."""
    import shapely

    from dashboard.data.examples import GEODATA
    from dashboard.data.loader import load_pack

    geo = load_pack(GEODATA / "kirklees")
    drawn = _network_km(*display_geometry(geo).outlines["wards"])
    real = shapely.union_all(shapely.boundary(
        np.asarray(geo.layer_geometry["wards"].values))).length / 1000
    assert real * 0.9 < drawn < real * 1.25
