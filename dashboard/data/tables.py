"""Tables as councils receive them: any usual encoding, CSV or Excel, title rows, local numbers.

A planner's population or registrations file has often been through Excel, a download page or a
colleague's laptop. Each function here accepts what those produce (UTF-16 text, Windows-1252,
a workbook renamed ``.csv``, two title rows above the header, ``1.355`` for one thousand three
hundred and fifty-five in a semicolon file) and refuses, naming the file, column and row, what
cannot be read without guessing: a figure that might be wrong is never passed on as if right.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.errors import DataFileError

# Markers publishers use for a count they withheld or do not have (ONS, NHS England, MHCLG).
SUPPRESSED = {"*", "c", "[c]", "x", "[x]", "..", ".", ":", "-", "–", "z", "[z]", "~",
              "n/a", "na", "#n/a", "null", "none", "suppressed"}
# No small area in England holds anywhere near this many people, nor any practice this many
# patients from one small area: a bigger figure is a slip (a total row, a sum, a 1e308).
MAX_COUNT = 100_000
_THOUSANDS_POINT = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")  # 1.355 / 12.345,5
_THOUSANDS_COMMA = re.compile(r"^-?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")  # 1,355 / 12,345.5
_DECIMAL_COMMA = re.compile(r"^-?\d*,\d+$")  # 0,266
_SPACES = re.compile(r"[\s\u00a0\u202f'\u200b-\u200d\u2060\ufeff]")  # 1 355, 1'355, hidden
# 2.2E+03: how Excel saves a number too wide for its column
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_CURRENCY = re.compile(r"^(-?)[£$€]")  # £1,200 / -£300
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
HEADER_SCAN_ROWS = 30


def split_sheet(path: Path) -> tuple[Path, str | None]:
    """``FILE.xlsx:SHEET`` names one sheet of a workbook; anything else is a plain path."""
    text = str(path)
    if not Path(text).exists() and ":" in Path(text).name:
        stem, _, sheet = text.rpartition(":")
        if stem.lower().endswith((".xlsx", ".xlsm")) and sheet:
            return Path(stem), sheet
    return Path(text), None


def decode_text(raw: bytes, name: str) -> str:
    """Text of a CSV saved as UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif len(raw) >= 4 and raw[:200].count(b"\x00") > len(raw[:200]) // 4:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
        encoding = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        if encoding.startswith("utf-16"):
            raise DataFileError(f"{name}: the file looks like UTF-16 text but does not decode as "
                                "it. Save it again as 'CSV UTF-8'.") from None
        # Excel's plain 'CSV' on Windows is Windows-1252; Latin-1 decodes any byte left over.
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    if "\x00" in text:
        raise DataFileError(f"{name}: the file holds binary data, not text. Give a CSV or an "
                            ".xlsx workbook.")
    return text


def _sniff(text: str) -> str:
    sample = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS + 20])
    try:
        return csv.Sniffer().sniff(sample[:16384], delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def header_row(rows: list[list[str]], known: list[re.Pattern] | None = None) -> int:
    """Index of the header among the first rows: of the rows about as wide as the table (title
    and note rows above a header fill one or two cells), the first naming a known column, else
    the first of them."""
    rows = rows[:HEADER_SCAN_ROWS]
    filled = [sum(1 for c in r if str(c).strip()) for r in rows]
    width = max(filled, default=0)
    wide = [i for i, n in enumerate(filled) if n >= max(2, 0.8 * width)]
    if known:
        for i in wide:
            if any(p.search(str(c).strip()) for c in rows[i] for p in known):
                return i
    return wide[0] if wide else 0


def _known_patterns() -> list[re.Pattern]:
    from dashboard.data.recognise import PATTERNS

    roles = ("lsoa_code", "ward_code", "practice_code", "pcn_code", "population", "patients",
             "hub_name")
    return [re.compile(p, re.IGNORECASE) for r in roles for p in PATTERNS[r]]


def _frame_from_rows(rows: list[list], name: str) -> pd.DataFrame:
    start = header_row(rows, _known_patterns())
    header = [str(c).strip() if c is not None else "" for c in rows[start]]
    body = rows[start + 1:]
    width = len(header)
    while width and not header[width - 1] and all(
            len(r) < width or not str(r[width - 1] or "").strip() for r in body):
        width -= 1  # trailing empty columns (a spreadsheet's formatting)
    header = header[:width]
    header = [h or f"column {i + 1}" for i, h in enumerate(header)]
    cells = [[("" if c is None else str(c)) for c in (list(r) + [""] * width)[:width]]
             for r in body]
    cells = [r for r in cells if any(c.strip() for c in r)]
    frame = pd.DataFrame(cells, columns=header, dtype=object)
    frame.attrs["header_row"] = start + 1
    frame.attrs["title"] = _title(rows[:start])
    return frame


def _title(rows: list[list]) -> str:
    """The text of title rows above a header (ONS downloads say what and when there)."""
    return " ".join(str(c).strip() for r in rows for c in r if c is not None and str(c).strip())


def parse_table(raw: bytes, name: str, sheet: str | None = None) -> pd.DataFrame:
    """The bytes of a table called ``name`` (CSV in any usual encoding and separator, or an
    .xlsx workbook, its first sheet or ``sheet``) as text columns, header found under any title
    rows. ``frame.attrs`` records the separator and the header's row number."""
    if not raw.strip():
        raise DataFileError(f"{name}: the file is empty. Export it again with its rows.")
    if raw.startswith(XLS_MAGIC):
        raise DataFileError(f"{name}: an old-style Excel .xls workbook. Open it in Excel and "
                            "save it as .xlsx or 'CSV UTF-8'.")
    if raw.startswith(XLSX_MAGIC):
        frame = _read_xlsx(raw, name, sheet)
        frame.attrs["delimiter"] = "xlsx"
    else:
        if sheet:
            raise DataFileError(f"{name}: ':{sheet}' names a sheet, but the file is not an "
                                ".xlsx workbook.")
        text = decode_text(raw, name)
        sep = _sniff(text)
        head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:HEADER_SCAN_ROWS])),
                               delimiter=sep))
        skip = header_row(head, _known_patterns())
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                skiprows=skip, skip_blank_lines=True, on_bad_lines="error")
        except pd.errors.ParserError as exc:
            raise DataFileError(f"{name}: not a readable table ({str(exc).strip()}). Check "
                                "every row has as many cells as the header.") from exc
        except pd.errors.EmptyDataError:
            raise DataFileError(f"{name}: the file is empty. Export it again with its rows."
                                ) from None
        if len(frame.columns) == 1:  # the sniffer guessed wrong: split the header best
            best = max(",;\t|", key=lambda d: len(head[skip][0].split(d)) if head and len(
                head) > skip and head[skip] else 0)
            if best != sep and head and len(head) > skip and len(head[skip][0].split(best)) > 1:
                frame = pd.read_csv(io.StringIO(text), sep=best, dtype=str,
                                    keep_default_na=False, skiprows=skip)
                sep = best
        frame = frame.loc[:, [not (str(c).startswith("Unnamed:") and not frame[c].str.strip()
                                   .any()) for c in frame.columns]]
        frame.attrs["delimiter"] = sep
        frame.attrs["header_row"] = skip + 1
        frame.attrs["title"] = _title(head[:skip])
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if frame.empty:
        raise DataFileError(f"{name}: the file has a header but no rows.")
    return frame


def _read_xlsx(raw: bytes, name: str, sheet: str | None) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            if not any(m.filename.startswith("xl/") for m in members):
                raise DataFileError(f"{name}: a zip archive, not an .xlsx workbook or a CSV.")
            expanded = sum(m.file_size for m in members)
            if expanded > 1024**3 or expanded > 200 * max(len(raw), 1):
                raise DataFileError(f"{name}: the workbook expands to {expanded:,} bytes; "
                                    "refused as a possible zip bomb. Save it as CSV.")
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataFileError(f"{name}: cannot be read as an .xlsx workbook ({exc}). Save it "
                            "again from Excel, or as 'CSV UTF-8'.") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataFileError(f"{name}: no sheet '{sheet}'. Sheets: "
                                f"{', '.join(book.sheetnames)}.")
        if sheet is not None:
            ws = book[sheet]
            rows = _sheet_rows(ws)
        else:  # the first sheet with a recognised header: ONS workbooks open with notes
            ws, rows = book.worksheets[0], _sheet_rows(book.worksheets[0])
            known = _known_patterns()
            for candidate in book.worksheets:
                found = _sheet_rows(candidate, HEADER_SCAN_ROWS)
                start = header_row(found, known)
                if found and any(p.search(str(c).strip()) for c in found[start] for p in known):
                    ws, rows = candidate, _sheet_rows(candidate)
                    break
        title = ws.title
    finally:
        book.close()
    if not any(any(c.strip() for c in r) for r in rows):
        raise DataFileError(f"{name}: sheet '{ws.title}' is empty. Name the sheet with the "
                            f"data as {name}:SHEET.")
    frame = _frame_from_rows(rows, name)
    frame.attrs["sheet"] = title
    return frame


def _sheet_rows(ws, limit: int | None = None) -> list[list[str]]:
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append([_cell(v) for v in row])
        if limit is not None and len(rows) >= limit:
            break
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # Excel keeps every number as a float: 1355.0 is 1355
    return str(value)


def _clean(text: pd.Series) -> pd.Series:
    return text.astype("string").fillna("").str.strip().str.replace(_SPACES, "", regex=True)


def decimal_mark(frame: pd.DataFrame, columns) -> str:
    """',' when a semicolon file writes decimals with a comma (the European convention), else '.'."""
    if frame.attrs.get("delimiter") != ";":
        return "."
    for col in columns:
        text = _clean(frame[col])
        if text.str.match(_DECIMAL_COMMA).any():
            return ","
    return "."


def to_numbers(raw: pd.Series, source: str, column: str, where: pd.Series, *,
               count: bool, decimal: str = ".", semicolon: bool = False
               ) -> tuple[pd.Series, pd.Series]:
    """Parse a column of published figures; returns (values, suppressed mask).

    Counts (people, patients) must be whole, finite, not negative and below ``MAX_COUNT``;
    rates and scores must be finite. Thousands separators are read by the file's convention
    (``decimal``); a value whose reading is ambiguous is refused. Suppression markers and blanks
    come back as NaN with the mask set, for the caller to refuse or to report.

    Raises
    ------
    DataFileError
        Naming the file, the column and the first rows at fault.
    """
    text = _clean(raw)
    suppressed = text.str.lower().isin(SUPPRESSED) | (text == "")
    norm = _plain_numbers(text, count=count, decimal=decimal, semicolon=semicolon)
    values = pd.to_numeric(norm.where(~suppressed), errors="coerce")
    bad = values.isna() & ~suppressed
    if bad.any():
        raise DataFileError(f"{source}: column '{column}' has values that are not numbers: "
                            f"{_rows(where, raw, bad)}. Fix or remove those rows.")
    finite = np.isfinite(values.to_numpy(dtype=float)) | suppressed.to_numpy()
    if not finite.all():
        mask = pd.Series(~finite, index=raw.index)
        raise DataFileError(f"{source}: column '{column}' has values that are not finite "
                            f"numbers: {_rows(where, raw, mask)}. Give real figures.")
    if count:
        _check_counts(values, source, column, (where, raw), semicolon)
        rounded = text.str.match(_SCIENTIFIC)
        if rounded.any():
            raise DataFileError(
                f"{source}: column '{column}' has counts written in scientific notation: "
                f"{_rows(where, raw, rounded)}. Excel saves a number this way when its column is "
                "too narrow, and the digits it does not show are lost. Widen the column (or format "
                "it as a number with no decimals), save the file again and re-import.")
    else:
        huge = values.abs() > 1e9
        if huge.any():
            raise DataFileError(f"{source}: column '{column}' has implausibly large values: "
                                f"{_rows(where, raw, huge)}. Check the column.")
    return values.astype(float), suppressed


def _plain_numbers(text: pd.Series, *, count: bool, decimal: str, semicolon: bool) -> pd.Series:
    """Figures as Python reads them: thousands separators dropped by the file's convention,
    decimal commas made points, a rate's trailing % dropped (the same figure)."""
    if decimal == ",":
        dotted = text.str.match(_THOUSANDS_POINT)
        norm = text.where(~dotted, text.str.replace(".", "", regex=False))
        norm = norm.str.replace(",", ".", regex=False)
    else:
        grouped = text.str.match(_THOUSANDS_COMMA)
        norm = text.where(~grouped, text.str.replace(",", "", regex=False))
        if semicolon and count:
            # A semicolon file with whole counts written 1.355: thousands, not decimals.
            dotted = norm.str.match(_THOUSANDS_POINT)
            norm = norm.where(~dotted, norm.str.replace(".", "", regex=False))
    if not count:
        norm = norm.str.replace(r"%$", "", regex=True)
    return norm


def _check_counts(values: pd.Series, source: str, column: str, shown: tuple,
                  semicolon: bool) -> None:
    """Counts of people are whole, not negative and below ``MAX_COUNT`` per row."""
    where, raw = shown
    negative = values < 0
    if negative.any():
        raise DataFileError(f"{source}: column '{column}' has negative counts: "
                            f"{_rows(where, raw, negative)}. Counts of people cannot be "
                            "negative; fix those rows.")
    huge = values > MAX_COUNT
    if huge.any():
        raise DataFileError(f"{source}: column '{column}' has counts too large for one row "
                            f"(over {MAX_COUNT:,}): {_rows(where, raw, huge)}. Remove total "
                            "rows and check the column is a count of people.")
    fraction = (values.fillna(0) % 1) != 0
    if fraction.any():
        hint = (" In a semicolon file, '.' may be a thousands separator: write whole "
                "numbers without separators." if semicolon else
                " If a '.' or ',' separates thousands, save the numbers without "
                "separators.")
        raise DataFileError(f"{source}: column '{column}' counts people but has values that "
                            f"are not whole numbers: {_rows(where, raw, fraction)}." + hint)


def _rows(where: pd.Series, raw: pd.Series, mask: pd.Series, limit: int = 5) -> str:
    idx = list(mask[mask.to_numpy()].index)
    shown = ", ".join(f"{where[i]} ({str(raw[i]).strip()!r})" for i in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")


def coordinates(raw: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Coordinates as numbers, reading a decimal comma (``-1,7812``) in a semicolon file; a
    value that is not a number becomes NaN for the caller to name."""
    text = _clean(raw)
    if frame.attrs.get("delimiter") == ";":
        text = text.where(~text.str.match(_DECIMAL_COMMA), text.str.replace(",", ".",
                                                                            regex=False))
    else:  # 392,500 (an easting formatted with thousands in a spreadsheet)
        text = text.where(~text.str.match(_THOUSANDS_COMMA), text.str.replace(",", "",
                                                                              regex=False))
    return pd.to_numeric(text, errors="coerce")


def amounts(raw: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Money or staff amounts as a spreadsheet shows them (``£1,200,000``, ``1 200,5`` in a
    semicolon file) as numbers; a value that is not a number (a share such as ``12%``
    included) becomes NaN for the caller to name."""
    text = _clean(raw).str.replace(_CURRENCY, r"\1", regex=True)
    decimal = decimal_mark(frame.assign(_amount=text), ["_amount"])
    norm = _plain_numbers(text, count=True, decimal=decimal,
                          semicolon=frame.attrs.get("delimiter") == ";")
    return pd.to_numeric(norm, errors="coerce").mask(text.str.endswith("%"))
