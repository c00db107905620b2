"""Write the malformed-file corpus next to this script (run once; the files are committed).

Each file breaks one thing a council analyst meets in practice; ``tests/test_malformed.py`` lists
the message each must produce. Coordinates match the hand-made borough of ``tests/importdata.py``
(four 1 km LSOAs E01000001-4 in two wards E05000001-2 near BNG 400000, 400000).
"""

from __future__ import annotations

import io
import json
import shutil
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
    text("groups_group_named_twice.csv", "ward_code,place_code,place_name\n"
         "E05000001,P1,Valley\nE05000002,P1,Hills\n")
    text("hubs_infinite_staff.csv", "name,type,easting,northing,staff\n"
         "Town hall,main,401000,401000,inf\n")
    text("hubs_thousands_in_coordinates.csv", 'name,type,easting,northing\n'
         'Town hall,main,"401,000","401,000"\n')
    layouts()
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


def layouts() -> None:
    """Current editions' layouts, built with their published headers for the hand-made borough
    (no sample file of these editions is at hand): Census 2021 TS001 by LSOA, the ONS mid-2022
    LSOA 2021 estimates workbook and the English Indices of Deprivation 2025 File 7."""
    import pandas as pd

    codes = ["E01000001", "E01000002", "E01000003", "E01000004"]
    pops = [100, 200, 300, 400]
    ts001 = pd.DataFrame({
        "date": 2021, "geography": ["A 001A", "A 001B", "A 002A", "A 002B"],
        "geography code": codes, "Residence type: Total; measures: Value": pops,
        "Residence type: Lives in a household; measures: Value": [p - 5 for p in pops],
        "Residence type: Lives in a communal establishment; measures: Value": 5})
    ts001.to_csv(HERE / "layout_census2021_ts001.csv", index=False)
    # The same table as a Nomis download: title rows, 'mnemonic' codes, notes at the foot.
    nomis = ('"TS001 - Number of usual residents in households and communal establishments"\n'
             '"ONS Crown Copyright Reserved [from Nomis on 30 November 2026]"\n'
             '"Population :","All usual residents"\n"Units       :","Persons"\n\n'
             '"2021 super output area - lower layer","mnemonic","Total: All usual residents"\n'
             + "".join(f'"A {i}","{c}",{p}\n' for i, (c, p) in enumerate(zip(codes, pops)))
             + '\n"In order to protect against disclosure of personal information, records '
               'have been swapped between different geographic areas."\n')
    (HERE / "layout_nomis_ts001.csv").write_text(nomis)
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Contents"
    book.active.append(["Table of contents"])
    ws = book.create_sheet("Mid-2022 LSOA 2021")
    ws.append(["Mid-2022 population estimates for Lower layer Super Output Areas (2021)"])
    ws.append(["This worksheet contains one table."])
    ws.append(["LAD 2021 Code", "LAD 2021 Name", "LSOA 2021 Code", "LSOA 2021 Name", "Total",
               "F0", "M0"])
    for code, pop in zip(codes, pops):
        ws.append(["E08000004", "Oldham", code, "A", pop, pop // 2, pop - pop // 2])
    book.save(HERE / "layout_ons_mid2022_lsoa2021.xlsx")
    iod = pd.DataFrame({
        "LSOA code (2021)": codes, "LSOA name (2021)": "A",
        "Local Authority District code (2024)": "E08000004",
        "Local Authority District name (2024)": "Oldham",
        "Index of Multiple Deprivation (IMD) Score": [40.5, 30.25, 20.0, 10.125],
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": [10, 20, 30, 40],
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)": 1,
        "Income Score (rate)": [0.3, 0.2, 0.1, 0.05]})
    iod.to_csv(HERE / "layout_iod2025_file7.csv", index=False)


# ---- Real-data corpus: Oldham's published files, broken the ways councils' files are --------

REAL = HERE / "real"
POP_COL = "Total population: mid 2015 (excluding prisoners)"


def _csv(frame, name: str, **kw) -> None:
    frame.to_csv(REAL / name, index=False, lineterminator="\n", **kw)


def _xlsx(sheets: dict, name: str, title_rows: tuple[str, ...] = ()) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet, frame in sheets.items():
        ws = book.create_sheet(sheet)
        for line in title_rows:
            ws.append([line])
        if title_rows:
            ws.append([])
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([_excel_value(v) for v in row])
    book.save(REAL / name)


def _excel_value(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def real(folder: Path) -> None:
    """Write the real-data cases (tests/test_malformed.py lists each one's outcome)."""
    import numpy as np
    import pandas as pd
    from shapely import affinity

    REAL.mkdir(exist_ok=True)
    for old in REAL.iterdir():
        old.unlink()
    pop = pd.read_csv(folder / "population_lsoa11_mid2015.csv", dtype=str, keep_default_na=False)
    imd = pd.read_csv(folder / "imd2019_lsoa11.csv", dtype=str, keep_default_na=False)
    regs = pd.read_csv(folder / "gp_registrations_lsoa.csv", dtype=str, keep_default_na=False)
    prac = pd.read_csv(folder / "gp_practices.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(2026)

    # Population: repeats, clashes, local number formats, bad values, encodings, layouts.
    _csv(pd.concat([pop, pop.iloc[:20]]), "pop_20_rows_repeated.csv")
    clash = pop.iloc[[5]].copy()
    clash[POP_COL] = str(int(clash[POP_COL].iloc[0]) + 100)
    _csv(pd.concat([pop, clash]), "pop_code_twice_different_figures.csv")
    euro = pop.copy()
    for col in pop.columns[4:]:
        euro[col] = euro[col].map(lambda v: f"{int(v):,}".replace(",", "."))
    _csv(euro, "pop_semicolon_european_thousands.csv", sep=";")
    quoted = pop.copy()
    quoted[POP_COL] = quoted[POP_COL].map(lambda v: f"{int(v):,}")
    _csv(quoted, "pop_quoted_comma_thousands.csv")
    spaced = pop.copy()
    spaced[POP_COL] = spaced[POP_COL].map(lambda v: f"{int(v):,}".replace(",", "\u00a0"))
    _csv(spaced, "pop_no_break_space_thousands.csv")
    for name, value in (("inf", "inf"), ("1e308", "1e308"), ("nan", "NaN"), ("star", "*"),
                        ("blank", ""), ("negative", "-12"), ("fraction", "1355.5"),
                        ("c_suppressed", "c"), ("words", "about 1500")):
        bad = pop.copy()
        bad.loc[7, POP_COL] = value
        _csv(bad, f"pop_value_{name}.csv")
    total = pop.iloc[[0]].copy()
    total.iloc[0, 0], total.iloc[0, 1] = "Total", "Oldham"
    total[POP_COL] = str(pop[POP_COL].astype(int).sum())
    _csv(pd.concat([pop, total]), "pop_total_row_at_bottom.csv")
    (REAL / "pop_utf16_tab_excel_unicode_text.csv").write_bytes(
        pop.to_csv(index=False, sep="\t", lineterminator="\r\n").encode("utf-16"))
    (REAL / "pop_utf16_no_bom.csv").write_bytes(
        pop.to_csv(index=False, lineterminator="\n").encode("utf-16-le"))
    (REAL / "pop_utf8_bom_crlf.csv").write_bytes(
        pop.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    accents = pop.copy()
    accents["LSOA name (2011)"] = accents["LSOA name (2011)"] + " – Saddleworth’s £"
    (REAL / "pop_windows_1252.csv").write_bytes(
        accents.to_csv(index=False, lineterminator="\r\n").encode("cp1252"))
    (REAL / "pop_two_title_rows.csv").write_text(
        "Population denominators, mid-2015\nSource: MHCLG\n" + pop.to_csv(index=False))
    lower = pop.copy()
    lower.iloc[:, 0] = lower.iloc[:, 0].str.lower()
    _csv(lower, "pop_lowercase_codes.csv")
    padded = pop.copy()
    padded.iloc[:, 0] = "  " + padded.iloc[:, 0] + " "
    _csv(padded, "pop_padded_codes.csv")
    trailing = pop.copy()
    trailing[""] = ""
    trailing[" "] = ""
    _csv(trailing, "pop_trailing_empty_columns.csv")
    _xlsx({"Population": pop}, "pop_workbook_renamed.csv")
    _xlsx({"Notes": pd.DataFrame({"note": ["See the next sheet"]}), "Mid-2015": pop},
          "pop_two_sheets.xlsx", title_rows=("Population denominators", "Crown copyright"))
    (REAL / "pop_old_excel.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (REAL / "pop_binary_garbage.csv").write_bytes(bytes(rng.integers(0, 256, 4000,
                                                                     dtype=np.uint8)))
    ward_lsoas = pd.read_csv(folder / "lookup_lsoa21_ward24_lad24.csv", dtype=str)
    first_ward = ward_lsoas["ward24_code"].iloc[0]
    gone = set(ward_lsoas.loc[ward_lsoas["ward24_code"] == first_ward, "lsoa21_code"])
    _csv(pop[~pop.iloc[:, 0].isin(gone)], "pop_missing_one_wards_lsoas.csv")
    # ONS mid-year estimate workbook layout (mid-2020 and earlier, LSOA 2011): title rows, a
    # sheet per year, 'LSOA Code' and 'All Ages'. Built here from the mid-2015 figures.
    sape = pd.DataFrame({"LSOA Code": pop.iloc[:, 0], "LSOA Name": pop.iloc[:, 1],
                         "LA Code (2021 boundaries)": pop.iloc[:, 2],
                         "LA name (2021 boundaries)": pop.iloc[:, 3], "All Ages": pop[POP_COL]})
    _xlsx({"Contents": pd.DataFrame({"Sheet": ["Mid-2020 Persons"]}), "Mid-2020 Persons": sape},
          "pop_ons_sape_layout.xlsx",
          title_rows=("Lower layer Super Output Area population estimates",
                      "Mid-2020: SAPE23DT2"))

    two_years = pd.concat([pop.assign(year="mid-2015"), pop.assign(year="mid-2016", **{
        POP_COL: (pop[POP_COL].astype(int) + 3).astype(str)})])
    _csv(two_years, "pop_long_format_two_years.csv")
    (REAL / "pop_header_repeated_midway.csv").write_text(
        pop.iloc[:70].to_csv(index=False) + pop.iloc[70:].to_csv(index=False))
    (REAL / "pop_footer_note.csv").write_text(
        pop.to_csv(index=False) + "Source: MHCLG, IoD 2019 File 6,,,,,,,\n")
    hidden = pop.copy()
    hidden.iloc[:, 0] = hidden.iloc[:, 0] + "\u200b"  # a zero-width space pasted from the web
    _csv(hidden, "pop_zero_width_space_in_codes.csv")
    for name, value in (("scientific_count", "1.4E+03"), ("excel_ref_error", "#REF!"),
                        ("excel_na_error", "#N/A")):
        bad = pop.copy()
        bad.loc[7, POP_COL] = value
        _csv(bad, f"pop_value_{name}.csv")
    (REAL / "pop_tab_separated_named_csv.csv").write_text(pop.to_csv(index=False, sep="\t"))
    (REAL / "pop_pipe_separated.csv").write_text(pop.to_csv(index=False, sep="|"))
    thousands = pop.copy()
    thousands[POP_COL] = thousands[POP_COL].map(lambda v: f"{int(v) / 1000:.3f}")
    _csv(thousands, "pop_in_thousands.csv")
    msoa = pop.iloc[[0]].copy()
    msoa.iloc[0, 0], msoa.iloc[0, 1] = "E02001000", "Oldham 001"
    _csv(pd.concat([pop, msoa]), "pop_msoa_subtotal_row.csv")

    # Need: repeats, clashes, European decimals, a decile given as need, bad values.
    _csv(pd.concat([imd, imd.iloc[:5]]), "need_5_rows_repeated.csv")
    clash = imd.iloc[[3]].copy()
    clash["IDACI Score"] = "0.999"
    _csv(pd.concat([imd, clash]), "need_code_twice_different_figures.csv")
    comma = imd.copy()
    for col in ("Income Domain Score", "IDACI Score", "IDAOPI Score"):
        comma[col] = comma[col].str.replace(".", ",", regex=False)
    _csv(comma, "need_semicolon_decimal_comma.csv", sep=";")
    for name, value in (("inf", "inf"), ("blank", ""), ("huge", "1e308")):
        bad = imd.copy()
        bad.loc[9, "IDACI Score"] = value
        _csv(bad, f"need_value_{name}.csv")
    renamed = imd.rename(columns={"IDACI Score": "deprivation"})
    _csv(renamed, "need_column_of_unknown_direction.csv")

    # Registrations: suppression, repeats, clashes, the NHS layout by sex, encodings.
    many = regs.copy()
    many.loc[rng.random(len(many)) < 0.09, "patients"] = "*"
    _csv(many, "regs_9pct_cells_suppressed.csv")
    few = regs.copy()
    few.loc[few.index[::250], "patients"] = "*"
    _csv(few, "regs_few_cells_suppressed.csv")
    _csv(pd.concat([regs, regs.iloc[:30]]), "regs_30_rows_repeated.csv")
    clash = regs.iloc[[10]].copy()
    clash["patients"] = str(int(clash["patients"].iloc[0]) + 7)
    _csv(pd.concat([regs, clash]), "regs_pair_twice_different_counts.csv")
    nhs = pd.DataFrame({"PUBLICATION": "GP_PRAC_PAT_LIST", "EXTRACT_DATE": "01JUL2022",
                        "PRACTICE_CODE": regs["practice_code"],
                        "PRACTICE_NAME": "A PRACTICE", "LSOA_CODE": regs["lsoa_code"],
                        "SEX": "ALL", "NUMBER_OF_PATIENTS": regs["patients"]})
    male = nhs.assign(SEX="MALE", NUMBER_OF_PATIENTS=(nhs["NUMBER_OF_PATIENTS"].astype(int)
                                                      // 2).astype(str))
    female = nhs.assign(SEX="FEMALE", NUMBER_OF_PATIENTS=(
        nhs["NUMBER_OF_PATIENTS"].astype(int) - male["NUMBER_OF_PATIENTS"].astype(int)
    ).astype(str))
    _csv(pd.concat([male, female, nhs]), "regs_nhs_layout_by_sex.csv")
    _csv(pd.concat([male, female]), "regs_male_and_female_rows_only.csv")
    lookup = pd.read_csv(folder / "lookup_lsoa11_lsoa21_lad22.csv", dtype=str)
    to21 = dict(zip(lookup["LSOA11CD"], lookup["LSOA21CD"]))
    _csv(regs.assign(lsoa_code=regs["lsoa_code"].map(to21).fillna(regs["lsoa_code"])),
         "regs_lsoa2021_codes_no_lookup.csv")
    (REAL / "regs_footer_notes.csv").write_text(
        regs.to_csv(index=False) + "\nSource: NHS England,,,\nNotes: NO2011 = no LSOA,,,\n")
    negative = regs.copy()
    negative.loc[4, "patients"] = "-3"
    _csv(negative, "regs_negative_count.csv")
    (REAL / "regs_utf16.csv").write_bytes(regs.to_csv(index=False).encode("utf-16"))
    _xlsx({"Sheet1": regs}, "regs_workbook.xlsx")
    big = regs.copy()
    big.loc[2, "patients"] = "250000"
    _csv(big, "regs_absurd_count.csv")
    lower = regs.copy()
    lower["practice_code"] = lower["practice_code"].str.lower()
    _csv(lower, "regs_lowercase_practice_codes.csv")
    _csv(pd.concat([regs, regs.assign(extract_date="2022-10-01", patients=(
        regs["patients"].astype(int) + 1).astype(str))]), "regs_two_quarters.csv")

    # Practices: lower-case codes, a repeated practice with another PCN, title rows.
    lower = prac.copy()
    lower["PRACTICE_CODE"] = lower["PRACTICE_CODE"].str.lower()
    _csv(lower, "practices_lowercase_codes.csv")
    clash = prac.iloc[[2]].copy()
    clash["PCN_CODE"] = "U99999"
    _csv(pd.concat([prac, clash]), "practices_code_twice_different_pcn.csv")
    shutil.copy(folder.parent / "rochdale" / "gp_practices.csv",
                REAL / "practices_of_another_borough.csv")
    (REAL / "practices_title_row.csv").write_text("GP practices, January 2022\n"
                                                  + prac.to_csv(index=False))
    nowhere = prac.copy()
    nowhere.loc[2, ["postcode_easting_bng", "postcode_northing_bng", "lon", "lat"]] = "0"
    _csv(nowhere, "practices_zero_coordinates.csv")

    # Boundaries: a ward's LSOAs missing, wards overlapping by 400 m, an LSOA drawn twice.
    import geopandas as gpd

    lsoas = gpd.read_file(folder / "lsoa11.geojson")
    wards = gpd.read_file(folder / "wards.geojson")
    bng = lsoas.to_crs(27700)
    ward_one = wards.to_crs(27700).geometry.iloc[0]
    inside = bng.geometry.representative_point().within(ward_one)
    lsoas[~inside.to_numpy()].to_file(REAL / "lsoas_missing_one_ward.geojson", driver="GeoJSON")
    grown = wards.to_crs(27700)
    grown.loc[0, "geometry"] = grown.geometry.iloc[0].buffer(400)
    grown.to_crs(4326).to_file(REAL / "wards_one_grown_400m.geojson", driver="GeoJSON")
    twice = bng.copy()
    twice.loc[1, "geometry"] = affinity.translate(bng.geometry.iloc[0], 50, 50)
    twice.to_crs(4326).to_file(REAL / "lsoas_one_drawn_over_another.geojson", driver="GeoJSON")
    wards.to_crs(27700).to_file(REAL / "wards_in_bng.gpkg", driver="GPKG")
    wards.to_crs(3857).to_file(REAL / "wards_web_mercator.geojson", driver="GeoJSON")
    rochdale = gpd.read_file(folder.parent / "rochdale" / "lsoa11.geojson")
    extra = pd.concat([lsoas, rochdale.iloc[:8][lsoas.columns]])
    gpd.GeoDataFrame(extra, crs=lsoas.crs).to_file(REAL / "lsoas_with_neighbours_lsoas.geojson",
                                                   driver="GeoJSON")
    both = pd.concat([wards, gpd.read_file(folder.parent / "rochdale" / "wards.geojson")])
    gpd.GeoDataFrame(both, crs=wards.crs).to_file(REAL / "wards_two_boroughs.geojson",
                                                  driver="GeoJSON")
    low = lsoas.copy()
    low["lsoa_code"] = low["lsoa_code"].str.lower()
    low["area_code"] = low["area_code"].str.lower()
    low.to_file(REAL / "lsoas_lowercase_codes.geojson", driver="GeoJSON")


if __name__ == "__main__":
    import os
    import sys

    shared = Path(os.environ.get("REALDATA_DIR", HERE.parents[2] / "shared" / "realdata"))
    if (shared / "oldham").is_dir() and "--no-real" not in sys.argv:
        real(shared / "oldham")
    main()
