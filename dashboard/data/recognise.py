"""Read official files as published: find their columns, encodings and separators.

ONS boundary files name columns by type and year (``WD23CD``, ``LSOA21NM``), MHCLG's deprivation
files spell them out (``LSOA code (2011)``), NHS England's registration extracts shout
(``PRACTICE_CODE``). Each role below lists the patterns that recognise it; a flag can always name
the column instead.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.data.tables import parse_table, split_sheet
from dashboard.errors import DataFileError

__all__ = ["parse_table", "read_table", "find_column", "pick", "read_boundaries"]

# role -> regular expressions tried in order against each column name (case-insensitive).
PATTERNS: dict[str, tuple[str, ...]] = {
    "ward_code": (r"^WD\d{2}CD$", r"^ward_?code$", r"^ward\d{2}_?code$"),
    "ward_name": (r"^WD\d{2}NM$", r"^ward_?name$", r"^ward\d{2}_?name$"),
    "lsoa_code": (r"^LSOA\d{2}CD$", r"^lsoa_?code$", r"^LSOA code \(\d{4}\)$", r"^lsoa\d{2}_?code$",
                  r"^LSOA_CODE$", r"^LSOA_?(20)?\d{2}_?CODE$", r"^LSOA (\d{4} )?Code$",
                  r"^geography code$", r"^mnemonic$"),
    "lsoa_name": (r"^LSOA\d{2}NM$", r"^lsoa_?name$", r"^LSOA name \(\d{4}\)$",
                  r"^lsoa\d{2}_?name$"),
    "population": (r"^Total population", r"^population$", r"^All Ages$", r"^total$",
                   r"^Total$", r"^Residence type: Total", r"^Total: All usual residents",
                   r"^All usual residents", r"^(usual resident )?population( \(?\d{4}\)?)?$",
                   r"^all persons$", r"^persons$", r"^all people$"),
    "practice_code": (r"^PRACTICE_CODE$", r"^practice_?code$", r"^ORG_CODE$", r"^code$"),
    "practice_name": (r"^PRACTICE_NAME$", r"^practice_?name$", r"^name$"),
    "pcn_code": (r"^PCN_CODE$", r"^pcn_?code$"),
    "pcn_name": (r"^PCN_NAME$", r"^pcn_?name$"),
    "list_size": (r"^LIST_SIZE$", r"^list_?size$", r"^NUMBER_OF_PATIENTS$"),
    "easting": (r"easting", r"^x$"),
    "northing": (r"northing", r"^y$"),
    "longitude": (r"^lon$", r"^long$", r"^longitude$", r"^lng$"),
    "latitude": (r"^lat$", r"^latitude$"),
    "patients": (r"^NUMBER_OF_PATIENTS$", r"^patients$", r"^count$"),
    "hub_name": (r"^name$", r"^hub_?name$", r"^site$"),
    "hub_code": (r"^code$", r"^hub_?code$", r"^id$"),
    "hub_type": (r"^type$", r"^hub_?type$", r"^kind$"),
    "staff": (r"^staff$", r"^fte$", r"^staff_?fte$"),
    "serves": (r"^serves$", r"^serves_?code$", r"^footprint$", r"^footprint_?code$",
               r"^place$", r"^place_?code$"),
}

# MHCLG English Indices of Deprivation 2019, File 7 (and File 2 for the IMD score).
FILE7_NEED = {  # key -> (column names seen in published files, label)
    "imd_score": (("Index of Multiple Deprivation (IMD) Score", "IMD Score"), "IMD 2019 score"),
    "income_score": (("Income Score (rate)", "Income Domain Score"),
                     "Income deprivation 2019 (share of people)"),
    "idaci_score": (("Income Deprivation Affecting Children Index (IDACI) Score (rate)",
                     "IDACI Score"), "IDACI 2019 (children in income-deprived families)"),
    "idaopi_score": (("Income Deprivation Affecting Older People (IDAOPI) Score (rate)",
                      "IDAOPI Score"), "IDAOPI 2019 (older people in income deprivation)"),
}
# MHCLG deprivation denominators (File 6 / File 7), mid-2015.
DENOMINATOR_AGES = {
    "age_0_15": (r"^Dependent Children aged 0-15", "Aged 0-15"),
    "age_16_59": (r"^Population aged 16-59", "Aged 16-59"),
    "age_60_plus": (r"^Older population aged 60 and over", "Aged 60+"),
}


def find_column(columns, role: str, source: str, flag: str | None = None,
                required: bool = True) -> str | None:
    """The column of ``columns`` playing ``role``; the error names the file and the flag."""
    for pattern in PATTERNS[role]:
        for col in columns:
            if re.search(pattern, str(col).strip(), re.IGNORECASE):
                return col
    if not required:
        return None
    hint = f" or name it with {flag}" if flag else ""
    raise DataFileError(
        f"{source}: no column for {role.replace('_', ' ')} (looked for names like "
        f"{', '.join(p.strip('^$') for p in PATTERNS[role][:3])}). Columns are: "
        f"{', '.join(map(str, list(columns)[:15]))}. Rename the column{hint}."
    )


def pick(columns, given: str | None, role: str, source: str, flag: str,
         required: bool = True) -> str | None:
    """A column named by the user (checked) or recognised by its role."""
    if given:
        if given not in columns:
            raise DataFileError(f"{source}: no column '{given}' (from {flag}). Columns are: "
                                f"{', '.join(map(str, list(columns)[:15]))}.")
        return given
    return find_column(columns, role, source, flag, required)


def read_table(path: Path) -> pd.DataFrame:
    """A table as text columns: CSV in UTF-8 (with or without BOM), UTF-16 or Windows-1252,
    comma, semicolon or tab separated, or an .xlsx workbook (``FILE.xlsx:SHEET`` for a sheet
    other than the first); title rows above the header are skipped."""
    path, sheet = split_sheet(Path(path))
    name = f"{path.name}:{sheet}" if sheet else path.name
    return parse_table(_read_bytes(path), name, sheet)


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataFileError(f"{path.name}: no such file ({path}). Check the path.")
    return path.read_bytes()


MAX_EXPANDED_BYTES = 2 * 1024**3  # a borough's boundaries are megabytes, not gigabytes
MAX_RATIO = 100  # real Shapefiles compress a few times; a bomb compresses thousands of times


def check_archive(path: Path) -> None:
    """Refuse a zip with unsafe member names or that would expand far beyond its size."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise DataFileError(f"{path.name}: not a valid zip archive ({exc}).") from exc
    for member in members:
        name = member.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or re.match(r"^[A-Za-z]:", name):
            raise DataFileError(f"{path.name}: unsafe path '{member.filename}' inside the "
                                "archive. Zip the files without folders above them.")
    expanded = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if expanded > MAX_EXPANDED_BYTES or expanded / packed > MAX_RATIO:
        raise DataFileError(f"{path.name}: the archive expands to {expanded:,} bytes from "
                            f"{packed:,} ({expanded / packed:,.0f}x); refused as a possible "
                            "zip bomb. Send the boundary files themselves.")


def read_boundaries(path: Path) -> gpd.GeoDataFrame:
    """Polygons from GeoJSON, GeoPackage or a zipped Shapefile, with a clear error otherwise."""
    if not path.is_file():
        raise DataFileError(f"{path}: no such file. Check the path.")
    if path.suffix.lower() == ".zip":
        check_archive(path)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataFileError(
            f"{path.name}: cannot read it as boundaries ({str(exc).splitlines()[0]}). Use "
            "GeoJSON, GeoPackage or a zipped Shapefile."
        ) from exc
    if frame.empty:
        raise DataFileError(f"{path.name}: the file has no features.")
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise DataFileError(
            f"{path.name}: expected polygons but found {', '.join(sorted(kinds))}. Boundaries "
            "must be areas; points belong in a practices or hubs file."
        )
    return frame
