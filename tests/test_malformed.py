"""The malformed-file corpus (tests/malformed/, made by make_corpus.py): one message each.

Each case swaps one file of a good hand-made borough for a broken one. The import must stop
with a message naming the file and the fix, and a pack
already in the output folder must be left exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from importdata import write_borough

from dashboard.data.importer import ImportSpec, import_pack
from dashboard.errors import DataPackError

CORPUS = Path(__file__).resolve().parent / "malformed"
# file -> (the import argument it replaces, text the message must contain)
CASES = {
    "population_empty.csv": ("population", "population_empty.csv: the file is empty"),
    "population_header_only.csv": ("population", "a header but no rows"),
    "population_not_numbers.csv": ("population", "not numbers, first at code E01000002"),
    "population_negative.csv": ("population", "negative counts, first at code E01000002"),
    "population_missing_lsoa.csv": ("population", "no population figures for 1 small area(s) "
                                                  "of the boundaries: E01000004"),
    "population_lowercase_codes.csv": ("population", "only 0% of its population codes match"),
    "population_no_population_column.csv": ("population", "no column for population"),
    "population_2011_codes.csv": ("population", "give the ONS lookup with --lsoa-lookup"),
    "population_scientific_codes.csv": ("population", "1.23E+05"),
    "need_unrecognised.csv": ("need", "no need columns recognised"),
    "lookup_wrong_columns.csv": ("lsoa_lookup", "expected ONS lookup columns LSOA11CD"),
    "groups_no_ward_codes.csv": ("groups", "no column holds the wards' codes"),
    "hubs_swapped.csv": ("hubs", "look swapped"),
    "hubs_missing_coordinates.csv": ("hubs", "Town hall have no usable coordinates"),
    "practices_no_coordinates.csv": ("practices", "B00001 have no coordinates"),
    "practices_no_pcn.csv": ("practices", "no column for pcn code"),
    "wards_not_geojson.geojson": ("wards", "cannot read it as boundaries"),
    "wards_points.geojson": ("wards", "expected polygons but found Point"),
    "wards_no_crs.gpkg": ("wards", "does not say its coordinate system"),
    "wards_metres_labelled_wgs84.geojson": ("wards", "look like metres. Re-save the file"),
    "wards_duplicate_codes.geojson": ("wards", "E05000001"),
    "wards_zip_traversal.zip": ("wards", "unsafe path '../../wards.shp'"),
    "wards_zip_bomb.zip": ("wards", "possible zip bomb"),
    "lsoas_blank_code.geojson": ("small_areas", "LSOA21CD"),
    "lsoas_no_code_column.geojson": ("small_areas", "no column for lsoa code"),
    "lsoas_self_intersecting.geojson": ("small_areas", "E01000004 are invalid and repairing "
                                                       "them would change their area"),
}


def test_the_corpus_is_complete():
    files = {p.name for p in CORPUS.iterdir() if p.name != "make_corpus.py"}
    assert files == set(CASES)
    assert len(files) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_malformed_file_gets_its_own_message(tmp_path, name):
    role, message = CASES[name]
    paths = write_borough(tmp_path / "in")
    out = tmp_path / "pack"
    import_pack(ImportSpec(**paths), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    spec = ImportSpec(**paths)
    broken = CORPUS / name
    if role == "groups":
        spec.groups = {"places": broken}
    elif role == "practices":
        spec.practices = broken
    else:
        setattr(spec, role, broken)
    if role == "lsoa_lookup":  # a lookup is only read when the codes need bridging
        spec.population = CORPUS / "population_2011_codes.csv"
    with pytest.raises(DataPackError) as caught:
        import_pack(spec, out)
    assert message in str(caught.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
