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
    "population_not_numbers.csv": ("population", "blank or suppressed ('*', 'c', '..') for 1 "
                                                 "row(s): E01000002"),
    "population_negative.csv": ("population", "negative counts: E01000002 ('-5')"),
    "population_missing_lsoa.csv": ("population", "no population figures for 1 small area(s) "
                                                  "of the boundaries: E01000004"),
    "population_lowercase_codes.csv": ("population", "total 4"),  # e01... is E01...
    "population_no_population_column.csv": ("population", "no column for population"),
    "population_2011_codes.csv": ("population", "give the ONS lookup with --lsoa-lookup"),
    "population_scientific_codes.csv": ("population", "1.23E+05"),
    "need_unrecognised.csv": ("need", "no need columns recognised"),
    "lookup_wrong_columns.csv": ("lsoa_lookup", "expected ONS lookup columns LSOA11CD"),
    "groups_no_ward_codes.csv": ("groups", "no column holds the wards' codes"),
    "hubs_swapped.csv": ("hubs", "look swapped"),
    "hubs_missing_coordinates.csv": ("hubs", "Town hall have no usable coordinates"),
    "hubs_infinite_staff.csv": ("hubs", "Town hall have a staff figure in 'staff' that is not "
                                        "a number of 0 or more"),
    "hubs_thousands_in_coordinates.csv": ("hubs", "total 1000"),
    "groups_group_named_twice.csv": ("groups", "gives a group more than one name (P1: 'Valley', "
                                               "'Hills')"),
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
    # Current editions' layouts (built with their published headers): true totals.
    "layout_census2021_ts001.csv": ("population", "total 1000"),
    "layout_nomis_ts001.csv": ("population", "total 1000"),
    "layout_ons_mid2022_lsoa2021.xlsx": ("population", "total 1000"),
    "layout_iod2025_file7.csv": ("need", "total 1000"),
}


def test_the_corpus_is_complete():
    files = {p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "make_corpus.py"}
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
    if message.startswith("total "):
        from dashboard.data.loader import load_pack

        report = import_pack(spec, out)
        geo = load_pack(out)
        assert geo.total_population == float(message.split()[1])
        vintage = {s["role"].split()[0]: s["vintage"] for s in geo.metadata["sources"]}
        if name.startswith(("layout_census", "layout_nomis")):
            assert vintage["population"] == "Census 2021"
        if name.startswith("layout_ons_mid2022"):
            assert vintage["population"] == "mid-2022 estimates"
        if name.startswith("layout_iod2025"):
            assert vintage["need"] == "English Indices of Deprivation 2025"
            assert list(geo.need["imd_score"]) == [40.5, 30.25, 20.0, 10.125]
            assert "keyed on LSOA 2021 codes" in str(geo.metadata["sources"])
        assert report.counts["population"] == geo.total_population
        return
    with pytest.raises(DataPackError) as caught:
        import_pack(spec, out)
    assert message in str(caught.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# ---- Real-data corpus (tests/malformed/real, made from ../shared/realdata/oldham) -----------

REAL = CORPUS / "real"
OK = "imports with the published totals"
# file -> (the import argument it replaces, OK or text the message must contain)
REAL_CASES = {
    "pop_20_rows_repeated.csv": ("population", OK),
    "pop_code_twice_different_figures.csv": (
        "population", "gives 1 code(s) more than once with different figures: E01005325"),
    "pop_semicolon_european_thousands.csv": ("population", OK),
    "pop_quoted_comma_thousands.csv": ("population", OK),
    "pop_no_break_space_thousands.csv": ("population", OK),
    "pop_value_inf.csv": ("population", "not finite numbers: E01005327 ('inf')"),
    "pop_value_1e308.csv": ("population", "counts too large for one row (over 100,000): "
                                          "E01005327 ('1e308')"),
    "pop_value_nan.csv": ("population", "not numbers: E01005327 ('NaN')"),
    "pop_value_star.csv": ("population", "blank or suppressed ('*', 'c', '..') for 1 row(s): "
                                         "E01005327"),
    "pop_value_blank.csv": ("population", "blank or suppressed ('*', 'c', '..') for 1 row(s): "
                                          "E01005327"),
    "pop_value_c_suppressed.csv": ("population", "blank or suppressed"),
    "pop_value_negative.csv": ("population", "negative counts: E01005327 ('-12')"),
    "pop_value_fraction.csv": ("population", "not whole numbers: E01005327 ('1355.5')"),
    "pop_value_words.csv": ("population", "not numbers: E01005327 ('about 1500')"),
    "pop_total_row_at_bottom.csv": ("population", "TOTAL are not small-area codes"),
    "pop_utf16_tab_excel_unicode_text.csv": ("population", OK),
    "pop_utf16_no_bom.csv": ("population", OK),
    "pop_utf8_bom_crlf.csv": ("population", OK),
    "pop_windows_1252.csv": ("population", OK),
    "pop_two_title_rows.csv": ("population", OK),
    "pop_lowercase_codes.csv": ("population", OK),
    "pop_padded_codes.csv": ("population", OK),
    "pop_trailing_empty_columns.csv": ("population", OK),
    "pop_workbook_renamed.csv": ("population", OK),
    "pop_two_sheets.xlsx:Mid-2015": ("population", OK),
    "pop_two_sheets.xlsx:Nope": ("population", "pop_two_sheets.xlsx:Nope: no sheet 'Nope'"),
    "pop_ons_sape_layout.xlsx": ("population", OK),
    "pop_old_excel.xls": ("population", "an old-style Excel .xls workbook"),
    "pop_binary_garbage.csv": ("population", "pop_binary_garbage.csv: the file holds binary data"),
    "pop_missing_one_wards_lsoas.csv": ("population", "no population figures for 7 small "
                                                      "area(s) of the boundaries"),
    "pop_long_format_two_years.csv": ("population", "a file with rows per year, sex or age "
                                                     "must be cut to the one you mean"),
    "pop_header_repeated_midway.csv": ("population", OK),
    "pop_footer_note.csv": ("population", OK),
    "pop_zero_width_space_in_codes.csv": ("population", OK),
    "pop_value_scientific_count.csv": ("population", "counts written in scientific notation: "
                                                     "E01005327 ('1.4E+03')"),
    "pop_value_excel_ref_error.csv": ("population", "not numbers: E01005327 ('#REF!')"),
    "pop_value_excel_na_error.csv": ("population", "blank or suppressed ('*', 'c', '..') for 1 "
                                                   "row(s): E01005327"),
    "pop_tab_separated_named_csv.csv": ("population", OK),
    "pop_pipe_separated.csv": ("population", OK),
    "pop_in_thousands.csv": ("population", "not whole numbers: E01005320 ('2.221')"),
    "pop_msoa_subtotal_row.csv": ("population", "row(s) E02001000 are not small-area codes"),
    "need_5_rows_repeated.csv": ("need", OK),
    "need_code_twice_different_figures.csv": ("need", "more than once with different figures: "
                                                      "E01005323"),
    "need_semicolon_decimal_comma.csv": ("need", OK),
    "need_value_inf.csv": ("need", "not finite numbers: E01005329 ('inf')"),
    "need_value_blank.csv": ("need", "blank or suppressed ('*', 'c', '..') for 1 row(s): "
                                     "E01005329"),
    "need_value_huge.csv": ("need", "implausibly large values: E01005329 ('1e308')"),
    "need_column_of_unknown_direction.csv": ("need", "cannot tell which way need "
                                                     "'idaci_score' ('deprivation') runs"),
    "regs_9pct_cells_suppressed.csv": ("registrations", "are suppressed or blank"),
    "regs_few_cells_suppressed.csv": ("registrations", "reported"),  # see the test below
    "regs_30_rows_repeated.csv": ("registrations", OK),
    "regs_footer_notes.csv": ("registrations", OK),
    "regs_pair_twice_different_counts.csv": ("registrations", "more than once with different "
                                                              "figures"),
    "regs_nhs_layout_by_sex.csv": ("registrations", OK),
    "regs_male_and_female_rows_only.csv": ("registrations", OK),
    "regs_negative_count.csv": ("registrations", "negative counts"),
    "regs_lsoa2021_codes_no_lookup.csv": ("registrations", "no registration figures for 1 small "
                                                           "area(s) of the boundaries: E01032921"),
    "practices_of_another_borough.csv": ("practices", "of the borough's registered residents "
                                                      "use practices that are not among the kept"),
    "regs_utf16.csv": ("registrations", OK),
    "regs_workbook.xlsx": ("registrations", OK),
    "regs_absurd_count.csv": ("registrations", "counts too large for one row"),
    "regs_lowercase_practice_codes.csv": ("registrations", OK),
    "regs_two_quarters.csv": ("registrations", "more than once with different figures"),
    "practices_zero_coordinates.csv": ("practices", "P85004 have postcode_easting_bng/"
                                                    "postcode_northing_bng values that look like"),
    "practices_lowercase_codes.csv": ("practices", OK),
    "practices_code_twice_different_pcn.csv": ("practices", "gives 1 code(s) more than once "
                                                            "with different figures: P85004"),
    "practices_title_row.csv": ("practices", OK),
    "lsoas_missing_one_ward.geojson": ("small_areas", "small areas cover too little of 1 "
                                                      "ward(s) of wards.geojson: Alexandra"),
    "wards_one_grown_400m.geojson": ("wards", "pair(s) of units overlap: Alexandra"),
    "lsoas_one_drawn_over_another.geojson": ("small_areas", "pair(s) of units overlap"),
    "wards_in_bng.gpkg": ("wards", OK),
    "wards_web_mercator.geojson": ("wards", OK),
    "wards_two_boroughs.geojson": ("wards", "the ward file covers more than the borough, so "
                                            "use --council"),
    "lsoas_lowercase_codes.geojson": ("small_areas", OK),
    "lsoas_with_neighbours_lsoas.geojson": ("small_areas", "8 small area(s) lie mostly outside "
                                                           "the wards of wards.geojson"),
}


def _oldham():
    from conftest import REALDATA

    folder = REALDATA / "oldham"
    if not folder.is_dir():
        pytest.skip("../shared/realdata/oldham is not present")
    return folder


def _published(folder: Path) -> tuple[float, float]:
    """Residents and the in-area practices' registered patients, from the published files."""
    import pandas as pd

    pop = pd.read_csv(folder / "population_lsoa11_mid2015.csv")
    practices = pd.read_csv(folder / "gp_practices.csv", dtype=str)
    regs = pd.read_csv(folder / "gp_registrations_lsoa.csv")
    kept = set(practices.loc[practices["in_area_ccg"] == "True", "PRACTICE_CODE"])
    return (float(pop["Total population: mid 2015 (excluding prisoners)"].sum()),
            float(regs.loc[regs["practice_code"].isin(kept), "patients"].sum()))


def _real_spec(folder: Path) -> ImportSpec:
    from realdata import import_spec

    return import_spec(folder, name="Oldham")


@pytest.fixture(scope="module")
def oldham_baseline(tmp_path_factory):
    from dashboard.data.loader import load_pack

    folder = _oldham()
    out = tmp_path_factory.mktemp("baseline") / "pack"
    import_pack(_real_spec(folder), out)
    return folder, load_pack(out)


def test_the_real_corpus_is_complete():
    if not REAL.is_dir():
        pytest.skip("tests/malformed/real has not been generated")
    files = {p.name for p in REAL.iterdir()}
    assert files == {name.split(":")[0] for name in REAL_CASES}
    assert len(CASES) + len(REAL_CASES) >= 60


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_each_real_world_file_gives_true_totals_or_its_message(tmp_path, name, oldham_baseline):
    import numpy as np

    from dashboard.data.loader import load_pack

    folder, base = oldham_baseline
    role, expected = REAL_CASES[name]
    spec = _real_spec(folder)
    setattr(spec, role, Path(f"{REAL / name}"))
    if name.startswith("need_column_of_unknown"):
        spec.need_columns = {"idaci_score": "deprivation", "income_score": "Income Domain Score"}
    out = tmp_path / "pack"
    if expected == "reported":
        report = import_pack(spec, out)
        assert any("suppressed" in w for w in report.warnings)
        return
    if expected != OK:
        with pytest.raises(DataPackError) as caught:
            import_pack(spec, out)
        assert expected in str(caught.value)
        assert not out.exists()
        return
    report = import_pack(spec, out)
    residents, registered = _published(folder)
    geo = load_pack(out)
    assert geo.total_population == residents  # exact: whole people
    assert report.counts["registered patients"] == pytest.approx(registered, abs=1e-9)
    assert len(geo.layer("wards")) == 20 and len(geo.small_areas) == 141
    for key in set(geo.need) & set(base.need):
        assert np.allclose(geo.need[key], base.need[key])
    pcn = np.asarray(geo.registrations["pcns"].sum(axis=1)).ravel()
    assert np.allclose(pcn, 1.0)  # every resident placed, once


@pytest.mark.realdata
def test_few_suppressed_registration_cells_are_reported_with_their_share(tmp_path):
    import pandas as pd

    folder = _oldham()
    spec = _real_spec(folder)
    spec.registrations = REAL / "regs_few_cells_suppressed.csv"
    report = import_pack(spec, tmp_path / "pack")
    regs = pd.read_csv(spec.registrations, dtype=str)
    practices = pd.read_csv(folder / "gp_practices.csv", dtype=str)
    kept = set(practices.loc[practices["in_area_ccg"] == "True", "PRACTICE_CODE"])
    theirs = regs[regs["practice_code"].isin(kept)]
    hidden = int((theirs["patients"] == "*").sum())
    assert any(f"{hidden} of the kept practices' {len(theirs):,} cells" in w
               and "not counted" in w for w in report.warnings)
    shown = regs[(regs["patients"] != "*") & regs["practice_code"].isin(kept)]
    assert report.counts["registered patients"] == shown["patients"].astype(float).sum()


@pytest.mark.realdata
@pytest.mark.parametrize("given, outcome", [
    ("Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
     "decile"),
    ("Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)", "rank"),
    ("Income Domain Score:lower", "lower values meaning more need"),
    ("LSOA name (2011)", "cannot tell which way"),
])
def test_need_direction_is_converted_or_refused(tmp_path, given, outcome):
    import numpy as np
    import pandas as pd

    from dashboard.data.loader import load_pack

    folder = _oldham()
    spec = _real_spec(folder)
    spec.need_columns = {"imd": given}
    if outcome in ("decile", "rank"):
        report = import_pack(spec, tmp_path / "pack")
        geo = load_pack(tmp_path / "pack")
        imd = pd.read_csv(folder / "imd2019_lsoa11.csv").set_index("LSOA code (2011)")
        raw = imd.loc[list(geo.small_areas.codes), given].to_numpy(dtype=float)
        want = 11 - raw if outcome == "decile" else (32_844 - raw) / 32_843
        assert np.allclose(geo.need["imd"], want)
        assert any("converted to need" in m for m in report.matches)
        # Higher now means more need: deprived Alexandra above affluent Saddleworth South.
        wards = geo.layer("wards")
        from dashboard.engine import overlap

        ov = overlap(geo, "wards", "small_areas", need="imd")
        index = (np.asarray(ov.need_population.sum(axis=1)).ravel()
                 / np.asarray(ov.population.sum(axis=1)).ravel())
        names = list(wards.names)
        assert index[names.index("Alexandra")] > index[names.index("Saddleworth South")]
    else:
        with pytest.raises(DataPackError, match=outcome):
            import_pack(spec, tmp_path / "pack")
