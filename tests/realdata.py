"""Build a geography from ../shared/realdata files for cross-checks (tests read, never copy)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.data.build import (
    PolygonInput,
    RegistrationInput,
    SmallAreaInput,
    build_geography,
)

POP = "Total population: mid 2015 (excluding prisoners)"
IMD = "Index of Multiple Deprivation (IMD) Score"


def small_areas(folder: Path) -> gpd.GeoDataFrame:
    lsoa = gpd.read_file(folder / "lsoa11.geojson")[["lsoa_code", "lsoa_name", "geometry"]]
    pop = pd.read_csv(folder / "population_lsoa11_mid2015.csv", dtype={"LSOA code (2011)": str})
    imd = pd.read_csv(folder / "imd2019_lsoa11.csv", dtype={"LSOA code (2011)": str})
    frame = lsoa.merge(pop[["LSOA code (2011)", POP]], left_on="lsoa_code",
                       right_on="LSOA code (2011)")
    frame = frame.merge(imd[["LSOA code (2011)", IMD]], on="LSOA code (2011)")
    frame = frame.rename(columns={"lsoa_code": "code", "lsoa_name": "name", POP: "population",
                                  IMD: "imd_score"})
    return frame[["code", "name", "population", "imd_score", "geometry"]]


def wards(folder: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(folder / "wards.geojson")
    return frame.rename(columns={"ward_code": "code", "ward_name": "name"})[
        ["code", "name", "geometry"]]


def geography(folder: Path):
    prac = pd.read_csv(folder / "gp_practices.csv", dtype=str)
    prac = prac.rename(columns={"PRACTICE_CODE": "code", "PRACTICE_NAME": "name",
                                "PCN_CODE": "unit_code", "PCN_NAME": "unit_name",
                                "LIST_SIZE": "list_size", "postcode_easting_bng": "x",
                                "postcode_northing_bng": "y"})
    for col in ("list_size", "x", "y"):
        prac[col] = pd.to_numeric(prac[col])
    regs = pd.read_csv(folder / "gp_registrations_lsoa.csv", dtype=str).rename(
        columns={"practice_code": "practice", "lsoa_code": "small_area"})
    return build_geography(
        SmallAreaInput(small_areas(folder), "lsoa11.geojson", {"imd_score": "IMD 2019 score"}),
        [PolygonInput("wards", "Wards", wards(folder), "wards.geojson")],
        registrations=[RegistrationInput("pcns", "PCNs", prac, regs, "gp_practices.csv",
                                         "gp_registrations_lsoa.csv")],
        name=folder.name.title(),
    )


def import_spec(folder: Path, **extra):
    """The import of one borough's published files, as the README's example runs it."""
    from dashboard.data.importer import ImportSpec

    base = {"wards": folder / "wards.geojson", "small_areas": folder / "lsoa11.geojson",
            "population": folder / "population_lsoa11_mid2015.csv",
            "need": folder / "imd2019_lsoa11.csv", "practices": folder / "gp_practices.csv",
            "registrations": folder / "gp_registrations_lsoa.csv", "name": folder.name.title(),
            "practice_filter": ("in_area_ccg", "True")}
    return ImportSpec(**{**base, **extra})
