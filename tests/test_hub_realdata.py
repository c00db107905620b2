"""Hub access on Kirklees imported from the official files, with hubs at the four Early Intervention
and Prevention hub towns: Huddersfield Civic Centre, Dewsbury Town Hall, Batley Town Hall and
Slaithwaite Town Hall.

The hub positions are the buildings' approximate longitude and latitude read off a public map
(to about 100 m), typed in as a council officer would.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod, Transformer

from conftest import REALDATA
from dashboard.data.importer import ImportSpec, import_pack
from dashboard.data.loader import load_pack
from dashboard.engine.access import access, hub_table, small_area_points
from dashboard.engine.overlaps import best_fit_units

pytestmark = pytest.mark.realdata

HUBS = """name,type,longitude,latitude,staff
Huddersfield Civic Centre,main,-1.7849,53.6466,20
Dewsbury Town Hall,main,-1.6306,53.6907,12
Batley Town Hall,main,-1.6347,53.7162,9
Slaithwaite Town Hall,main,-1.8822,53.6239,9
"""


@pytest.fixture(scope="module")
def kirklees(tmp_path_factory):
    folder = REALDATA / "kirklees"
    if not folder.is_dir():
        pytest.skip("../shared/realdata/kirklees is not present")
    work = tmp_path_factory.mktemp("kirklees-hubs")
    (work / "hubs.csv").write_text(HUBS)
    spec = ImportSpec(wards=folder / "wards.geojson", small_areas=folder / "lsoa11.geojson",
                      population=folder / "population_lsoa11_mid2015.csv",
                      need=folder / "imd2019_lsoa11.csv", practices=folder / "gp_practices.csv",
                      registrations=folder / "gp_registrations_lsoa.csv", hubs=work / "hubs.csv",
                      name="Kirklees", practice_filter=("in_area_ccg", "True"))
    import_pack(spec, work / "pack")
    return load_pack(work / "pack")


def test_each_hub_sits_in_its_town(kirklees):
    result = access(kirklees, hub_table(kirklees), layer="wards")
    sits = dict(zip(result.catchments["name"], result.catchments["sits_in_name"]))
    assert "Dewsbury" in sits["Dewsbury Town Hall"]
    assert "Batley" in sits["Batley Town Hall"]
    assert sits["Slaithwaite Town Hall"] == "Colne Valley"
    assert sits["Huddersfield Civic Centre"] == "Newsome"  # the ward holding the town centre


def test_nearest_hubs_match_geopandas_and_distances_match_the_ellipsoid(kirklees):
    hubs = hub_table(kirklees)
    result = access(kirklees, hubs, need="imd_score", layer="pcns")
    points = small_area_points(kirklees)
    # Independent check 1: geopandas' nearest join finds the same hub for every small area.
    left = gpd.GeoDataFrame(geometry=gpd.points_from_xy(points[:, 0], points[:, 1]),
                            crs="EPSG:27700")
    right = gpd.GeoDataFrame({"code": hubs["code"]}, crs="EPSG:27700",
                             geometry=gpd.points_from_xy(hubs["x"], hubs["y"]))
    joined = gpd.sjoin_nearest(left, right, distance_col="d").sort_index()
    joined = joined[~joined.index.duplicated()]
    assert joined["code"].tolist() == result.areas["nearest_hub"].tolist()
    assert joined["d"].to_numpy() == pytest.approx(result.areas["straight_line_m"].to_numpy())
    # Independent check 2: British National Grid distances are true ground distances to within
    # its scale error (under 0.1% in West Yorkshire).
    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon1, lat1 = to_wgs.transform(points[:, 0], points[:, 1])
    near = result.hubs.set_index("code").loc[result.areas["nearest_hub"]]
    lon2, lat2 = to_wgs.transform(near["x"].to_numpy(), near["y"].to_numpy())
    _, _, ground = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)
    assert result.areas["straight_line_m"].to_numpy() == pytest.approx(ground, rel=1e-3)
    # Every resident is in exactly one catchment.
    assert result.catchments["population"].sum() == pytest.approx(kirklees.total_population)


def test_access_figures_for_kirklees(kirklees):
    result = access(kirklees, hub_table(kirklees), need="imd_score", layer="pcns")
    bands = result.bands.set_index("within_m")
    assert np.all(np.diff(bands["population"].to_numpy()) >= 0)
    # Hubs sit in town centres where need is highest: the need-weighted share near a hub is
    # higher than the plain share at every distance.
    assert (bands["weighted_share"] > bands["share"]).all()
    # The farthest residents live in the south of the borough, beyond 5 km of all four towns.
    far = result.farthest(3)
    assert (far["straight_line_m"] > 5000).all()
    ward_of = best_fit_units(kirklees, "wards")
    names = kirklees.layer("wards").names
    far_wards = {names[ward_of[kirklees.small_areas.index_of(c)]] for c in far["code"]}
    assert far_wards <= {"Denby Dale", "Holme Valley South", "Kirkburton"}
    wards = access(kirklees, hub_table(kirklees), layer="wards")
    assert wards.footprints_without_hub  # most wards have none of the four hubs inside them
