"""A hand-made borough written as official-looking files, for import tests."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from conftest import km_box


def write_borough(folder: Path) -> dict[str, Path]:
    """Two wards of two LSOAs each, in WGS84 with ONS column names; population as Latin-1 with
    semicolons, the way Excel on Windows saves a 'CSV'."""
    folder.mkdir(parents=True, exist_ok=True)
    lsoas = gpd.GeoDataFrame({"LSOA21CD": ["E01000001", "E01000002", "E01000003", "E01000004"],
                              "LSOA21NM": ["A 001A", "A 001B", "A 002A", "A 002B"]},
                             geometry=[km_box(0, 0, 1, 1), km_box(1, 0, 2, 1), km_box(0, 1, 1, 2),
                                       km_box(1, 1, 2, 2)], crs="EPSG:27700").to_crs(4326)
    wards = gpd.GeoDataFrame({"WD23CD": ["E05000001", "E05000002"], "WD23NM": ["South", "North"]},
                             geometry=[km_box(0, 0, 2, 1), km_box(0, 1, 2, 2)],
                             crs="EPSG:27700").to_crs(4326)
    paths = {"small_areas": folder / "lsoa.geojson", "wards": folder / "wards.geojson",
             "population": folder / "pop.csv"}
    lsoas.to_file(paths["small_areas"], driver="GeoJSON")
    wards.to_file(paths["wards"], driver="GeoJSON")
    paths["population"].write_bytes(b"LSOA code (2021);Name;Total population\n" + "".join(
        f"E0100000{i};Área {i};{100 * i}\n" for i in range(1, 5)).encode("latin-1"))
    return paths
