"""Hub files: every usual slip gets its own message naming the hub and what to do."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import DEMO
from dashboard.data.examples import GEODATA
from dashboard.data.loader import load_pack
from dashboard.data.points import read_hubs
from dashboard.errors import DataPackError


def table(text: str) -> pd.DataFrame:
    rows = [line.split(",") for line in text.strip().splitlines()]
    return pd.DataFrame(rows[1:], columns=rows[0])


GOOD = """name,type,easting,northing,staff,serves
Town Hall,main,414000,416000,12,PP01
Estate Shop,community,415000,415000,,PP02
"""


def test_a_good_file_reads_with_codes_given_in_order():
    hubs = read_hubs(table(GOOD), "hubs.csv")
    assert hubs["hub_code"].tolist() == ["H01", "H02"]
    assert hubs["staff"].tolist() == [12.0, 0.0]
    assert hubs["serves"].tolist() == ["PP01", "PP02"]


def test_longitude_latitude_are_converted_to_bng():
    notes = []
    hubs = read_hubs(table("name,lon,lat\nDewsbury Town Hall,-1.6295,53.6907\n"), "hubs.csv",
                     notes)
    assert hubs.loc[0, "easting"] == pytest.approx(424_600, abs=300)
    assert hubs.loc[0, "northing"] == pytest.approx(421_800, abs=300)
    assert "converted to British National Grid" in notes[0]


@pytest.mark.parametrize("text, message", [
    ("name,easting,northing\nTown Hall,414000,416000\ntown hall,415000,415000\n",
     "hub name\\(s\\) Town Hall, town hall appear more than once"),
    ("name,easting,northing\nTown Hall,414000,\nShop,415000,415000\n",
     "Town Hall have no usable coordinates"),
    ("name,lon,lat\nTown Hall,-1.7,53.6\nShop,53.6,-1.7\n",
     "longitude and latitude of Shop look swapped"),
    ("name,easting,northing\nTown Hall,-1.7,53.6\n",
     "Town Hall have easting/northing values that look like longitude and latitude"),
    ("name,longitude,latitude\nTown Hall,414000,416000\n",
     "Town Hall have longitude/latitude values that look like metres"),
    ("name,easting,northing\nTown Hall,4140000,416000\n",
     "Town Hall have easting/northing outside Great Britain"),
    ("name,lon,lat\nTour Eiffel,2.29,48.86\n", "Tour Eiffel have longitude/latitude outside"),
    ("name,easting,northing,staff\nTown Hall,414000,416000,many\n",
     "Town Hall have a staff figure in 'staff' that is not a number"),
    ("code,name,easting,northing\nH1,Town Hall,414000,416000\nH1,Shop,415000,415000\n",
     "hub code\\(s\\) H1 appear more than once"),
    ("name,easting,northing\n,414000,416000\n", "row 2 have no hub name"),
])
def test_each_slip_is_named(text, message):
    with pytest.raises(DataPackError, match=message):
        read_hubs(table(text), "hubs.csv")


def test_a_pack_hub_outside_the_borough_is_named_with_its_distance(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(DEMO, pack)
    hubs = pd.read_csv(pack / "hubs.csv", dtype=str)
    hubs.loc[0, "easting"] = str(int(hubs.loc[0, "easting"]) + 30_000)
    hubs.to_csv(pack / "hubs.csv", index=False)
    with pytest.raises(DataPackError, match=r"hubs.csv: hub\(s\) Brackmoor Civic Centre \(\d+\.\d "
                                            r"km\) lie outside the borough"):
        load_pack(pack)


def _pack_with_centroids(tmp_path, shift_m=10.0, drop=1, far=None):
    from dashboard.engine.access import small_area_points

    pack = tmp_path / "pack"
    shutil.copytree(DEMO, pack)
    geo = load_pack(DEMO)
    points = small_area_points(geo)
    frame = pd.DataFrame({"code": list(geo.small_areas.codes), "easting": points[:, 0] + shift_m,
                          "northing": points[:, 1]}).iloc[drop:]
    if far is not None:
        frame.loc[frame["code"] == far, "easting"] += 5000
    frame.to_csv(pack / "centroids.csv", index=False)
    toml = (pack / "pack.toml").read_text()
    (pack / "pack.toml").write_text(toml + '\n[small_areas.centroids]\nfile = "centroids.csv"\n')
    return geo, pack


def test_population_weighted_centroids_place_residents_when_given(tmp_path):
    from dashboard.engine.access import point_method, small_area_points

    plain, pack = _pack_with_centroids(tmp_path)
    geo = load_pack(pack)
    given, fallback = small_area_points(geo), small_area_points(plain)
    assert given[1:, 0] == pytest.approx(fallback[1:, 0] + 10)
    assert given[0].tolist() == fallback[0].tolist()  # no centroid: a point inside it
    assert any("1 small area(s) have no centroid" in w for w in geo.warnings)
    assert point_method(geo) == "population-weighted centroid of each small area"


def test_a_centroid_far_from_its_small_area_is_refused(tmp_path):
    plain, pack = _pack_with_centroids(tmp_path, far=load_pack(DEMO).small_areas.codes[5])
    code = plain.small_areas.codes[5]
    with pytest.raises(DataPackError, match=f"centroids.csv: the centroid\\(s\\) of {code} lie "
                                            "outside their small area"):
        load_pack(pack)


def test_hub_types_keep_their_capitals_and_ignore_case_between_rows():
    from dashboard.engine import hubplan
    from dashboard.web.common.mapbase import hub_label

    hubs = read_hubs(table("""name,type,easting,northing
Civic Centre,EIP hub,414000,416000
Town Hall,eip HUB,415000,415000
Estate Shop,Community,415500,415500
Library,community,416000,416000
Clinic,,416500,416500
"""), "hubs.csv")
    assert hubs["type"].tolist() == ["EIP hub", "EIP hub", "Community", "Community", "hub"]
    assert [hub_label(t) for t in ("EIP hub", "Community", "hub")] == [
        "EIP hub", "Community hub", "hub"]
    kirklees = load_pack(GEODATA / "kirklees")
    plan = hubplan.start(kirklees)
    first = plan.hubs[0]
    assert first.type == "EIP hub"
    # A what-if hub typed in another case joins the same type rather than making a new one.
    added = hubplan.add(plan, kirklees, first.x + 300, first.y, kind="eip Hub")
    assert added.hubs[-1].type == "EIP hub"
    assert hubplan.update(added, added.hubs[-1].code, kind="Community").hubs[-1].type == \
        "Community"
