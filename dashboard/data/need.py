"""Which way a need indicator runs, and turning ranks and deciles into need.

Every figure the dashboard weights by need assumes that a higher value means more need. The
Indices of Deprivation publish scores (higher = more deprived) but also ranks and deciles where
1 is the MOST deprived: used as they stand, weighting runs upside down and the most affluent
area gets the most staff. So each need column is either a score, or a rank or decile converted
with the conversion stated, and a column whose direction cannot be told is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dashboard.data import recognise as rec
from dashboard.errors import DataFileError

DIRECTIONS = ("higher", "rank", "decile")
# LSOAs ranked in England by each edition of the Indices (rank 1 = most deprived).
LSOAS_RANKED = {"2011": 32_844, "2021": 33_755}
_RANK = re.compile(r"^(?P<what>.+?) Rank \(where 1 is most deprived\)$", re.IGNORECASE)
_DECILE = re.compile(r"^(?P<what>.+?) Decile \(where 1 is most deprived", re.IGNORECASE)
_IMD = re.compile(r"^Index of Multiple Deprivation \(IMD\)", re.IGNORECASE)


@dataclass(frozen=True)
class NeedColumn:
    key: str
    column: str  # in the user's file
    label: str
    direction: str  # higher | rank | decile

    def conversion(self, ranked: int) -> str | None:
        if self.direction == "rank":
            return (f"'{self.column}' (1 = most deprived) converted to need as "
                    f"(N - rank) / (N - 1) with N = {ranked:,} LSOAs ranked in England: 1 is the "
                    "most deprived, 0 the least.")
        if self.direction == "decile":
            return (f"'{self.column}' (1 = most deprived tenth) converted to need as "
                    "11 - decile: 10 is the most deprived tenth, 1 the least.")
        return None


def _direction_from_name(column: str) -> str | None:
    if _RANK.match(column) or re.search(r"\brank\b", column, re.IGNORECASE):
        return "rank"
    if _DECILE.match(column) or re.search(r"\bdecile\b", column, re.IGNORECASE):
        return "decile"
    if re.search(r"\b(score|rate|proportion|percent|share)\b|%", column, re.IGNORECASE):
        return "higher"
    return None


def chosen(frame: pd.DataFrame, given: dict[str, str], source: str, edition: str
           ) -> tuple[list[NeedColumn], list[str]]:
    """The need columns to import, and notes on what was converted or left out.

    ``given`` maps keys to ``COLUMN`` or ``COLUMN:DIRECTION`` from ``--need-column``.
    """
    cols = list(frame.columns)
    if given:
        out = []
        for key, text in given.items():
            column, direction = text, None
            head, sep, tail = text.rpartition(":")
            if sep and tail.strip().lower() in (*DIRECTIONS, "lower"):
                column, direction = head.strip(), tail.strip().lower()
            if column not in cols:
                raise DataFileError(f"{source}: no column '{column}' (for need '{key}'). "
                                    f"Columns are: {', '.join(cols[:15])}.")
            if direction == "lower":
                raise DataFileError(
                    f"{source}: need '{key}' ('{column}') runs with lower values meaning more "
                    "need. Give a score where higher means more need, or say it is a rank or "
                    f"decile (1 = most deprived): --need-column {key}='{column}:rank'.")
            direction = direction or _direction_from_name(column)
            if direction is None:
                raise DataFileError(
                    f"{source}: cannot tell which way need '{key}' ('{column}') runs. Say it: "
                    f"--need-column {key}='{column}:higher' when a higher value means more "
                    f"need, or ':rank' / ':decile' when 1 is the most deprived.")
            out.append(NeedColumn(key, column, rec.FILE7_NEED[key][1] if key in rec.FILE7_NEED
                                  and direction == "higher" else _label(column, direction),
                                  direction))
        return out, []
    out = [NeedColumn(key, next(c for c in names if c in cols), label.replace("2019", edition),
                      "higher")
           for key, (names, label) in rec.FILE7_NEED.items() if any(c in cols for c in names)]
    notes = []
    ranked = [c for c in cols if _RANK.match(c) or _DECILE.match(c)]
    if not any(n.key == "imd_score" for n in out):
        imd = next((c for c in ranked if _IMD.match(c) and _RANK.match(c)), None) or next(
            (c for c in ranked if _IMD.match(c)), None)
        if imd is not None:
            direction = "rank" if _RANK.match(imd) else "decile"
            key = f"imd_{direction}_need"
            out.insert(0, NeedColumn(key, imd, _label(imd, direction, edition), direction))
    used = {n.column for n in out}
    left = [c for c in ranked if c not in used]
    if left:
        notes.append(f"{source}: {len(left)} rank or decile column(s) left out (e.g. "
                     f"'{left[0]}'); to use one, name it with --need-column KEY=COLUMN (ranks "
                     "and deciles are converted so that higher means more need).")
    return out, notes


def _label(column: str, direction: str, edition: str = "") -> str:
    what = (_RANK.match(column) or _DECILE.match(column))
    name = what.group("what") if what else column
    name = "IMD" if _IMD.match(name) else name
    edition = f" {edition}" if edition else ""
    if direction == "rank":
        return f"{name}{edition}: deprivation percentile from rank (1 = most deprived)"
    if direction == "decile":
        return f"{name}{edition}: 11 - decile (10 = most deprived tenth)"
    return column


def convert(values: pd.Series, need: NeedColumn, source: str, lsoa_year: str | None
            ) -> tuple[pd.Series, int]:
    """Values as need (higher = more); ranks need ``N``, the LSOAs ranked (returned)."""
    ranked = LSOAS_RANKED.get(lsoa_year or "2011", LSOAS_RANKED["2011"])
    if need.direction == "decile":
        bad = ~values.isin(range(1, 11))
        if bad.any():
            raise DataFileError(f"{source}: column '{need.column}' is read as a decile but has "
                                f"values outside 1-10 (e.g. {values[bad].iloc[0]:g}).")
        return 11 - values, ranked
    if need.direction == "rank":
        ranked = max(ranked, int(values.max()))
        if (values < 1).any() or (values % 1 != 0).any():
            raise DataFileError(f"{source}: column '{need.column}' is read as a rank but has "
                                "values that are not whole numbers from 1 up.")
        return (ranked - values) / (ranked - 1), ranked
    return values, ranked
