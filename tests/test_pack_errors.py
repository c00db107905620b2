"""Bad input: every problem gets a message naming the file, column or code, and what to do."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEMO
from dashboard.data.loader import load_pack
from dashboard.errors import (
    CodeError,
    DataFileError,
    DataPackError,
    GeometryError,
    ManifestError,
)


@pytest.fixture()
def pack(tmp_path) -> Path:
    dest = tmp_path / "pack"
    shutil.copytree(DEMO, dest)
    return dest


def edit_json(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def edit_csv(path: Path, change) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False)


def test_demo_pack_loads_cleanly():
    geo = load_pack(DEMO)
    assert len(geo.warnings) == 1 and "outside the pack's small areas" in geo.warnings[0]


def test_missing_folder_and_manifest(tmp_path):
    with pytest.raises(ManifestError, match="does not exist"):
        load_pack(tmp_path / "nope")
    with pytest.raises(ManifestError, match="has no pack.toml.*README"):
        load_pack(tmp_path)


def test_manifest_naming_a_missing_file(pack):
    (pack / "wards.geojson").unlink()
    with pytest.raises(ManifestError, match="names 'wards.geojson', which is not in"):
        load_pack(pack)


def test_manifest_bad_type(pack):
    text = (pack / "pack.toml").read_text().replace('type = "polygons"', 'type = "shapes"')
    (pack / "pack.toml").write_text(text)
    with pytest.raises(ManifestError, match="type 'shapes'; use one of polygons, grouping"):
        load_pack(pack)


def test_missing_crs(pack):
    edit_json(pack / "wards.geojson", lambda d: d.pop("crs"))
    # GeoJSON without a crs member is read as WGS84 by definition; BNG metres then cannot fit.
    with pytest.raises(GeometryError, match=r"wards.geojson.*look like metres.*EPSG:27700"):
        load_pack(pack)


def test_crs_override_in_manifest_fixes_it(pack):
    edit_json(pack / "wards.geojson", lambda d: d.pop("crs"))
    text = (pack / "pack.toml").read_text().replace(
        'file = "wards.geojson"', 'file = "wards.geojson"\ncrs = "EPSG:27700"')
    (pack / "pack.toml").write_text(text)
    assert len(load_pack(pack).layer("wards")) == 23


def test_wrong_crs_declared(pack):
    def to_wgs(d):
        d["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::3857"  # web mercator: wrong place
    edit_json(pack / "wards.geojson", to_wgs)
    with pytest.raises(GeometryError, match="wards.geojson: coordinates fall outside Great Britain"):
        load_pack(pack)


def test_invalid_polygon_is_repaired_with_a_warning(pack):
    def bowtie_hole(d):
        # Close the first ward's ring with a duplicated spike: invalid but repairable.
        ring = d["features"][0]["geometry"]["coordinates"][0]
        ring.insert(2, ring[1])
        ring.insert(3, [ring[1][0] + 0.001, ring[1][1]])
        ring.insert(4, ring[1])
    edit_json(pack / "wards.geojson", bowtie_hole)
    geo = load_pack(pack)
    assert any("repaired 1 invalid polygon" in w and "E05950001" in w for w in geo.warnings)


def test_duplicate_codes(pack):
    edit_json(pack / "wards.geojson",
              lambda d: d["features"][1]["properties"].update(code="E05950001"))
    with pytest.raises(CodeError, match="wards.geojson: column 'code'.*'E05950001' appear more"):
        load_pack(pack)


def test_missing_column(pack):
    edit_csv(pack / "places.csv", lambda f: f.rename(columns={"place_name": "label"}))
    with pytest.raises(DataFileError, match="places.csv: missing column.*'place_name'.*'label'"):
        load_pack(pack)


def test_codes_that_lost_a_leading_zero(pack):
    def strip(f):
        f["practice_code"] = f["practice_code"].str.replace("Z1", "Z01", regex=False)
        return f
    edit_csv(pack / "practices.csv", strip)
    edit_csv(pack / "registrations.csv", lambda f: f.assign(
        practice_code=f["practice_code"].str.replace("Z1", "Z01", regex=False)))
    assert load_pack(pack)  # consistent codes are fine, whatever they look like

    # Numeric-looking codes (as some local and older ONS codes are) losing their zeros in Excel.
    edit_json(pack / "wards.geojson", lambda d: [f["properties"].update(code=f"{i + 1:05d}")
                                                 for i, f in enumerate(d["features"])])
    edit_csv(pack / "districts.csv", lambda f: f.assign(ward_code=[f"{i + 1:05d}"
                                                                   for i in range(len(f))]))
    edit_csv(pack / "places.csv", lambda f: f.assign(ward_code=[str(i + 1) for i in range(len(f))]))
    with pytest.raises(CodeError, match="places.csv: column 'ward_code' has codes that lost their "
                                        "leading zeros: '1' \\(should be '00001'\\)"):
        load_pack(pack)


def test_codes_that_became_numbers(pack):
    edit_csv(pack / "places.csv", lambda f: f.assign(ward_code="5.9E+06"))
    with pytest.raises(CodeError, match="places.csv: column 'ward_code'.*spreadsheet numbers.*Text"):
        load_pack(pack)
    edit_json(pack / "wards.geojson", lambda d: [f["properties"].update(code=i + 1)
                                                 for i, f in enumerate(d["features"])])
    with pytest.raises(CodeError, match="wards.geojson: column 'code' holds numbers"):
        load_pack(pack)


def test_empty_files(pack):
    (pack / "places.csv").write_text("")
    with pytest.raises(DataFileError, match="places.csv: the file is empty"):
        load_pack(pack)
    (pack / "places.csv").write_text("ward_code,place_code,place_name\n")
    with pytest.raises(DataFileError, match="places.csv: the file has a header but no rows"):
        load_pack(pack)


@pytest.mark.parametrize("value, message", [(-5, "cannot be negative.*E01950002 \\(-5\\)"),
                                            (None, "must be a number.*E01950002")])
def test_negative_or_missing_population(pack, value, message):
    edit_json(pack / "small_areas.geojson",
              lambda d: d["features"][1]["properties"].update(population=value))
    with pytest.raises(DataFileError, match="small_areas.geojson: column 'population' " + message):
        load_pack(pack)


def test_grouping_member_that_does_not_exist(pack):
    edit_csv(pack / "places.csv", lambda f: pd.concat(
        [f, pd.DataFrame([{"ward_code": "E05959999", "place_code": "PP01",
                           "place_name": "Brackmoor North"}])]))
    with pytest.raises(CodeError, match="places.csv: column 'ward_code'.*'E05959999'.*same borough"):
        load_pack(pack)


def test_ward_missing_from_grouping(pack):
    edit_csv(pack / "districts.csv", lambda f: f.iloc[1:])
    with pytest.raises(CodeError, match="districts.csv: 1 unit.*'wards' belong to no group: E05950001"):
        load_pack(pack)


def test_small_area_outside_every_unit(pack):
    edit_json(pack / "wards.geojson", lambda d: d.update(features=d["features"][1:]))
    edit_csv(pack / "places.csv", lambda f: f.iloc[1:])
    edit_csv(pack / "districts.csv", lambda f: f.iloc[1:])
    with pytest.raises(GeometryError, match="small area\\(s\\) E0195.* lie outside every unit of "
                                            "layer 'wards'"):
        load_pack(pack)


def test_layers_that_do_not_overlap(pack):
    def shift(d):
        for f in d["features"]:
            f["geometry"]["coordinates"] = [[[x + 200_000, y] for x, y in ring]
                                            for ring in f["geometry"]["coordinates"]]
    edit_json(pack / "wards.geojson", shift)
    with pytest.raises(GeometryError, match="layer 'wards' does not overlap the small areas"):
        load_pack(pack)


def test_registrations_for_unknown_small_areas_only(pack):
    edit_csv(pack / "registrations.csv", lambda f: f[f["small_area_code"] != "E01950001"])
    with pytest.raises(CodeError, match="registrations.csv: 1 small area.*E01950001"):
        load_pack(pack)


def test_all_errors_share_one_base():
    for exc in (ManifestError, DataFileError, CodeError, GeometryError):
        assert issubclass(exc, DataPackError)


def test_cli_prints_the_message_not_a_traceback(pack):
    (pack / "places.csv").write_text("")
    run = subprocess.run([sys.executable, "-m", "dashboard", "validate", "--pack", str(pack)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.startswith("error: places.csv: the file is empty")
    assert "Traceback" not in run.stderr
