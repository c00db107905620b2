"""Write the malformed-file corpus next to this script (run once; the files are committed).

Each file breaks one thing a council analyst meets in practice; ``tests/test_malformed.py`` lists
the message each must produce. Coordinates match the hand-made borough of ``tests/importdata.py``
(four 1 km LSOAs E01000001-4 in two wards E05000001-2 near BNG 400000, 400000).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, Polygon, box

HERE = Path(__file__).resolve().parent
X0, Y0 = 400_000, 400_000


def km(x1, y1, x2, y2):
    return box(X0 + x1 * 1000, Y0 + y1 * 1000, X0 + x2 * 1000, Y0 + y2 * 1000)


def lsoas(**overrides):
    frame = gpd.GeoDataFrame(
        {"LSOA21CD": ["E01000001", "E01000002", "E01000003", "E01000004"],
         "LSOA21NM": ["A 001A", "A 001B", "A 002A", "A 002B"]},
        geometry=[km(0, 0, 1, 1), km(1, 0, 2, 1), km(0, 1, 1, 2), km(1, 1, 2, 2)],
        crs="EPSG:27700")
    for key, value in overrides.items():
        frame[key] = value
    return frame


def text(name: str, body: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(body.encode(encoding))


def main() -> None:
    pop = "LSOA21CD,population\n"
    text("population_empty.csv", "")
    text("population_header_only.csv", pop)
    text("population_not_numbers.csv", pop + "E01000001,100\nE01000002,n/a\nE01000003,1\n"
         "E01000004,1\n")
    text("population_negative.csv", pop + "E01000001,100\nE01000002,-5\nE01000003,1\n"
         "E01000004,1\n")
    text("population_missing_lsoa.csv", pop + "E01000001,100\nE01000002,1\nE01000003,1\n")
    text("population_lowercase_codes.csv", pop + "e01000001,1\ne01000002,1\ne01000003,1\n"
         "e01000004,1\n")
    text("population_no_population_column.csv", "LSOA21CD,people_ish\nE01000001,1\n")
    text("population_2011_codes.csv", pop + "E01999991,1\nE01999992,1\nE01999993,1\n"
         "E01999994,1\n")
    text("population_scientific_codes.csv", "LSOA21CD,population\n1.23E+05,1\n")
    text("need_unrecognised.csv", "LSOA21CD,my score\nE01000001,1\nE01000002,1\n"
         "E01000003,1\nE01000004,1\n")
    text("lookup_wrong_columns.csv", "old,new\nE01999991,E01000001\n")
    text("groups_no_ward_codes.csv", "area,place_code,place_name\nX,P1,Valley\n")
    text("hubs_swapped.csv", "name,type,lon,lat\nTown hall,main,53.6,-1.7\n")
    text("hubs_missing_coordinates.csv", "name,type,easting,northing\nTown hall,main,,\n")
    text("practices_no_coordinates.csv", "PRACTICE_CODE,PRACTICE_NAME,PCN_CODE,PCN_NAME,"
         "LIST_SIZE,easting,northing\nB00001,One,U00001,PCN one,1000,,\n")
    text("practices_no_pcn.csv", "PRACTICE_CODE,PRACTICE_NAME,LIST_SIZE\nB00001,One,1000\n")
    text("wards_not_geojson.geojson", "this is not a GeoJSON file\n")
    # Boundaries
    gpd.GeoDataFrame({"WD23CD": ["E05000001"], "WD23NM": ["A"]}, geometry=[Point(X0, Y0)],
                     crs="EPSG:27700").to_file(HERE / "wards_points.geojson", driver="GeoJSON")
    wards = gpd.GeoDataFrame({"WD23CD": ["E05000001", "E05000002"], "WD23NM": ["S", "N"]},
                             geometry=[km(0, 0, 2, 1), km(0, 1, 2, 2)], crs="EPSG:27700")
    wards.set_crs(None, allow_override=True).to_file(HERE / "wards_no_crs.gpkg", driver="GPKG")
    # British National Grid metres written as if they were longitude/latitude.
    fc = json.loads(wards.to_json())
    fc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    (HERE / "wards_metres_labelled_wgs84.geojson").write_text(json.dumps(fc))
    dup = wards.copy()
    dup["WD23CD"] = ["E05000001", "E05000001"]
    dup.to_file(HERE / "wards_duplicate_codes.geojson", driver="GeoJSON")
    lsoas(LSOA21CD=["E01000001", "E01000002", "E01000003", ""]).to_file(
        HERE / "lsoas_blank_code.geojson", driver="GeoJSON")
    lsoas().drop(columns=["LSOA21CD"]).to_file(HERE / "lsoas_no_code_column.geojson",
                                                driver="GeoJSON")
    # Zips: a member that climbs out of the folder, and one that expands 1000 times.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../wards.shp", b"not really a shapefile")
    (HERE / "wards_zip_traversal.zip").write_bytes(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("wards.shp", b"\0" * 5_000_000)
    (HERE / "wards_zip_bomb.zip").write_bytes(buf.getvalue())
    # A bow-tie polygon: repaired with a warning, not refused.
    bowtie = lsoas()
    x, y = X0 + 1000, Y0 + 1000
    bowtie.loc[3, "geometry"] = Polygon([(x, y), (x + 1000, y + 1000), (x + 1000, y),
                                         (x, y + 1000)])
    bowtie.to_file(HERE / "lsoas_self_intersecting.geojson", driver="GeoJSON")


if __name__ == "__main__":
    main()
