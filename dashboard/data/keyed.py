"""Figures keyed by small-area code, put onto the pack's small areas without losing anyone.

A population, need or registrations table may cover the borough, several councils or all of
England, and may use the other LSOA vintage than the boundaries. Rows for other places are
ignored and counted; rows of the other vintage go through the ONS LSOA 2011 <-> 2021 lookup
(splits shared by area, merges summed). A small area left without figures stops the import,
and the message blames the file that is short: the table, or the lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.data.codes import clean_codes
from dashboard.errors import CodeError, DataFileError

# LSOA 2011 -> 2021 lookup columns: ONS names and their lower-case re-publications.
_C11 = ("LSOA11CD", "LSOA11_CODE", "LSOA2011_CODE", "LSOA11")
_C21 = ("LSOA21CD", "LSOA21_CODE", "LSOA2021_CODE", "LSOA21")


def codes_of(values: pd.Series, source: str, column: str) -> pd.Series:
    """Codes as clean upper-case strings (GSS and NHS codes are upper case; a lower-cased
    spreadsheet column is the same code)."""
    return clean_codes(values, source, column).str.upper()


def drop_notes(frame: pd.DataFrame, code_cols: list[str]) -> pd.DataFrame:
    """Drop a download's note and blank rows: at most one cell filled, or no code and no other
    cell filled beyond the first. A row with a code and a figure always reaches the checks."""
    blank = frame.astype(str).apply(lambda c: c.str.strip()).eq("")
    single = (~blank).sum(axis=1) <= 1
    no_code = blank[code_cols].all(axis=1)
    rest = blank.drop(columns=[frame.columns[0], *code_cols], errors="ignore")
    return frame[~(single | (no_code & rest.all(axis=1)))]


def row_numbers(frame: pd.DataFrame, mask) -> list[int]:
    """File row numbers (1 = the first line of the file) of the rows in ``mask``."""
    first = int(frame.attrs.get("header_row", 1)) + 1
    return [first + int(i) for i in np.flatnonzero(np.asarray(mask))]


def drop_repeats(frame: pd.DataFrame, key: pd.Series, source: str, column: str,
                 warnings: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Drop rows repeated exactly (with a warning); refuse codes given twice with different
    figures, naming them and their rows."""
    whole = frame.assign(__key=key.to_numpy())
    repeated = whole.duplicated(keep="first")
    if repeated.any():
        rows = row_numbers(frame, repeated)
        warnings.append(f"{source}: {int(repeated.sum())} row(s) repeat an earlier row exactly "
                        f"(rows {', '.join(map(str, rows[:8]))}{' …' if len(rows) > 8 else ''});"
                        " each was counted once.")
        frame, key = frame[~repeated.to_numpy()], key[~repeated.to_numpy()]
    clash = key.duplicated(keep=False).to_numpy()
    if clash.any():
        codes = list(dict.fromkeys(key[clash]))
        first = codes[0]
        rows = row_numbers(frame, (key == first).to_numpy())
        raise CodeError(
            f"{source}: column '{column}' gives {len(codes)} code(s) more than once with "
            f"different figures: {', '.join(codes[:6])}{' …' if len(codes) > 6 else ''} (e.g. "
            f"{first} on rows {', '.join(map(str, rows))}). Keep one row per code; the import "
            "cannot tell which figure is right (a file with rows per year, sex or age must be "
            "cut to the one you mean)."
        )
    return frame, key


@dataclass
class Lookup:
    """The ONS LSOA 2011 <-> 2021 lookup, as pairs of codes."""

    pairs: pd.DataFrame  # c11, c21
    source: str
    columns: tuple[str, ...] = ()  # the file's LSOA 2011 and 2021 code columns

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str) -> Lookup:
        upper = {str(c).upper().replace(" ", ""): c for c in frame.columns}
        c11 = next((upper[c] for c in _C11 if c in upper), None)
        c21 = next((upper[c] for c in _C21 if c in upper), None)
        if not c11 or not c21:
            raise DataFileError(f"{source}: expected ONS lookup columns LSOA11CD and LSOA21CD; "
                                f"found {', '.join(map(str, frame.columns[:10]))}.")
        pairs = pd.DataFrame({"c11": codes_of(frame[c11], source, c11),
                              "c21": codes_of(frame[c21], source, c21)}).drop_duplicates()
        return cls(pairs, source, (c11, c21))

    def weights(self, table_codes: set, areas: gpd.GeoDataFrame) -> tuple[pd.DataFrame, str]:
        """(table_code, area_code, weight) rows, weights summing to 1 per table code, and the
        direction in words. Splits are shared by the area of the pieces."""
        area_codes = set(areas["code"])
        fwd = self.pairs[self.pairs["c11"].isin(table_codes) & self.pairs["c21"].isin(area_codes)]
        rev = self.pairs[self.pairs["c21"].isin(table_codes) & self.pairs["c11"].isin(area_codes)]
        if fwd["c21"].nunique() >= rev["c11"].nunique():
            pairs, direction = fwd.rename(columns={"c11": "table_code", "c21": "area_code"}), \
                "LSOA 2011 codes onto LSOA 2021 boundaries"
        else:
            pairs, direction = rev.rename(columns={"c21": "table_code", "c11": "area_code"}), \
                "LSOA 2021 codes onto LSOA 2011 boundaries"
        sizes = areas.set_index("code").geometry.area
        pairs = pairs.assign(size=pairs["area_code"].map(sizes).to_numpy())
        pairs["weight"] = pairs["size"] / pairs.groupby("table_code")["size"].transform("sum")
        return pairs[["table_code", "area_code", "weight"]].reset_index(drop=True), direction

    def with_fallback(self, areas: gpd.GeoDataFrame, old: gpd.GeoDataFrame, source: str,
                      notes: list[str], old_is_2011: bool = True) -> Lookup:
        """Pair each small area the lookup lacks with the other-vintage LSOA that contains it
        (from ``old`` boundaries, BNG, with a ``code`` column), naming each pair."""
        known = set(self.pairs["c11"]) | set(self.pairs["c21"])
        lost = areas[~areas["code"].isin(known)]
        if lost.empty:
            return self
        inner = lost.geometry.representative_point()
        hits = gpd.sjoin(gpd.GeoDataFrame({"code": lost["code"].to_numpy()}, geometry=inner.values,
                                          crs=areas.crs),
                         old[["code", "geometry"]].rename(columns={"code": "old"}),
                         predicate="within")
        if hits.empty:
            return self
        rows = pd.DataFrame({"c11": hits["old"].to_numpy(), "c21": hits["code"].to_numpy()})
        if not old_is_2011:
            rows = rows.rename(columns={"c11": "c21", "c21": "c11"})
        notes.append(f"{self.source}: lacks {len(rows)} small area(s) of the boundaries; paired "
                     "by geometry with the LSOA of the other vintage that contains each, from "
                     f"{source}: " + ", ".join(f"{a} -> {b}" for a, b in
                                               zip(rows["c11"], rows["c21"])) + ".")
        return Lookup(pd.concat([self.pairs, rows], ignore_index=True).drop_duplicates(),
                      self.source, self.columns)

    def knows(self, code: str) -> bool:
        return bool((self.pairs["c11"] == code).any() or (self.pairs["c21"] == code).any())


def _describe(pairs: pd.DataFrame, direction: str, source: str) -> str:
    splits = int((pairs.groupby("table_code").size() > 1).sum())
    merges = int((pairs.groupby("area_code").size() > 1).sum())
    return (f"bridged {direction} through {source}: {splits} split code(s) shared by area, "
            f"{merges} merged code(s) summed")


def missing_message(source: str, what: str, missing: list[str], lookup: Lookup | None,
                    extra: int) -> str:
    """Why some small areas have no figures, blaming the file that is short."""
    shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
    if lookup is not None:
        unknown = [c for c in missing if not lookup.knows(c)]
        if unknown:
            return (f"{lookup.source}: the LSOA lookup has no row for {len(unknown)} small "
                    f"area(s) of the boundaries: {', '.join(unknown[:8])}. Their {what} figures "
                    "cannot be bridged. Use the complete ONS 'LSOA (2011) to LSOA (2021)' lookup "
                    "(every split LSOA has one row per piece), or add the missing rows.")
    if lookup is None and extra > 10 * (len(missing) + 100):
        more = (f" It covers {extra:,} other small areas (many councils), so the rows for "
                "these are simply not in it; if the file uses the other LSOA vintage (2011 or "
                "2021) than the boundaries, give the ONS lookup with --lsoa-lookup.")
    elif lookup is None:
        more = (" If the file uses the other LSOA vintage (2011 or 2021) than the boundaries, "
                "give the ONS lookup with --lsoa-lookup.")
    else:
        more = ""
    return (f"{source}: no {what} figures for {len(missing)} small area(s) of the boundaries: "
            f"{shown}. Every small area needs them; add the rows, or check the file covers the "
            f"whole borough.{more}")


def onto_areas(codes: pd.Series, values: pd.DataFrame, areas: gpd.GeoDataFrame, source: str,
               what: str, lookup: Lookup | None, *, notes: list[str], extensive: bool,
               weights: pd.Series | None = None, others: int = 0) -> pd.DataFrame:
    """``values`` (rows keyed by ``codes``) re-keyed to the boundaries' small areas.

    Counts (``extensive``) are summed; rates and scores are averaged with ``weights`` (the
    population of each table code, when known). Codes of other places are ignored with a note;
    ``others`` counts rows the caller already set aside as being about other places.

    Raises
    ------
    CodeError
        When a small area gets no figures, naming the codes and the file at fault.
    """
    area_codes = areas["code"]
    area_set = set(area_codes)
    table_set = set(codes)
    if not area_set <= table_set and lookup is not None:
        pairs, direction = lookup.weights(table_set, areas)
        notes.append(f"{source}: {_describe(pairs, direction, lookup.source)}.")
        frame = values.assign(table_code=codes.to_numpy())
        joined = pairs.merge(frame, on="table_code")
        cols = list(values.columns)
        if extensive:
            joined[cols] = joined[cols].mul(joined["weight"], axis=0)
            out = joined.groupby("area_code", sort=False)[cols].sum()
        else:
            w = joined["table_code"].map(weights).fillna(1.0) if weights is not None else 1.0
            wt = joined["weight"] * w
            sums = joined[cols].mul(wt, axis=0).assign(area_code=joined["area_code"])
            out = sums.groupby("area_code", sort=False)[cols].sum().div(
                wt.groupby(joined["area_code"]).sum(), axis=0)
        used = set(pairs["table_code"])
    else:
        out = values.set_axis(codes.to_numpy())
        used = table_set & area_set
    missing = [c for c in area_codes if c not in out.index]
    extra = len(table_set - used) + others
    if missing:
        raise CodeError(missing_message(source, what, missing, lookup, extra))
    if extra:
        notes.append(f"{source}: {extra:,} code(s) for places outside the boundaries were "
                     "ignored (the file covers more than the borough).")
    notes.append(f"{len(area_codes)} of {len(area_codes)} {what} codes in {source} match the "
                 "boundaries.")
    return out.reindex(area_codes.to_numpy())
