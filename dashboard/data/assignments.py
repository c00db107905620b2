"""Scenario assignment files: one row per ward naming the footprint it belongs to.

Written as ``ward_code, ward_name, footprint_code, footprint_name`` and read back leniently: any
capitalisation, and the ward and footprint columns may also be called ``member``/``ward`` and
``code``/``footprint``/``group``, as in a pack's grouping file.
"""

from __future__ import annotations

import pandas as pd

from dashboard.data.codes import INVISIBLE
from dashboard.data.recognise import parse_table
from dashboard.engine.drafts import Draft
from dashboard.engine.geography import Geography
from dashboard.errors import DataFileError

WARD = ("ward_code", "member", "ward", "wd_code")
FOOTPRINT = ("footprint_code", "code", "footprint", "group", "group_code")
FOOTPRINT_NAME = ("footprint_name", "name", "group_name")


def assignment_table(geo: Geography, draft: Draft) -> pd.DataFrame:
    member = geo.layer(geo.layer(draft.layer).member_of)
    return pd.DataFrame({
        "ward_code": pd.Series(member.codes, dtype=str), "ward_name": list(member.names),
        "footprint_code": [draft.assignment[m] for m in member.codes],
        "footprint_name": [draft.groups[draft.assignment[m]] for m in member.codes]})


def _uninert(value):
    """Undo the apostrophe an export puts before a name a spreadsheet would run ('=x' -> '=x'),
    so a downloaded assignment loads back as it was."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _column(frame: pd.DataFrame, choices: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower().replace(" ", "_"): c for c in frame.columns}
    return next((lower[c] for c in choices if c in lower), None)


def read_assignment(raw: bytes, filename: str, geo: Geography, draft: Draft
                    ) -> tuple[dict[str, str], dict[str, str]]:
    """Ward -> footprint changes and new footprints (code -> name) from an assignment CSV.

    Wards the file leaves out keep their footprint; unknown ward codes, blank footprints and a
    ward listed twice are errors naming the rows.
    """
    frame = parse_table(raw, filename).map(_uninert)
    ward_col, fp_col = _column(frame, WARD), _column(frame, FOOTPRINT)
    if ward_col is None or fp_col is None:
        raise DataFileError(
            f"{filename}: needs a ward code column (ward_code) and a footprint column "
            f"(footprint_code); it has {', '.join(map(str, frame.columns))}. Export a scenario "
            "as CSV to see the layout.")
    name_col = _column(frame, FOOTPRINT_NAME)
    # Ward codes are upper-case GSS codes; a lower-cased or pasted copy is the same ward.
    wards = frame[ward_col].astype("string").fillna("").str.replace(INVISIBLE, "", regex=True
                                                                 ).str.strip().str.upper()
    fps = frame[fp_col].fillna("").astype(str).str.strip()
    member = geo.layer(geo.layer(draft.layer).member_of)
    unknown = sorted(set(wards) - set(member.codes))
    if unknown:
        raise DataFileError(f"{filename}: ward code(s) {', '.join(unknown[:8])} are not wards of "
                            "this pack; check the codes (and the pack you have open).")
    blank = (fps == "").to_numpy().nonzero()[0]
    if len(blank):
        raise DataFileError(f"{filename}: row(s) {', '.join(str(i + 2) for i in blank[:8])} "
                            "have no footprint code.")
    twice = sorted(set(wards[wards.duplicated()]))
    if twice:
        raise DataFileError(f"{filename}: ward(s) {', '.join(twice[:8])} are listed more than "
                            "once; keep one row per ward.")
    names = frame[name_col].fillna("").astype(str).str.strip() if name_col else fps
    new = {f: (n or f) for f, n in zip(fps, names) if f not in draft.groups}
    return dict(zip(wards, fps)), new
