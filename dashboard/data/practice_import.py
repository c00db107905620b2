"""GP practices and patients registered by small area, as an import reads them.

Registrations are bridged onto the boundaries' LSOA codes, checked for suppressed, repeated and
clashing cells, and split between the kept practices and the rest: residents registered beyond
the kept practices form their own unit instead of being lost or re-spread over local PCNs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data import keyed, points, tables
from dashboard.data import recognise as rec
from dashboard.data.import_report import Report, display_name, read_input
from dashboard.engine.footprints import OUTSIDE_NAME, OUTSIDE_PRACTICE
from dashboard.errors import CodeError, DataFileError

# More suppressed registration cells than this and PCN footprints cannot be trusted.
SUPPRESSED_LIMIT = 0.01
# More of the borough's registered residents than this on practices outside the kept ones means
# the practices file (or its filter) is for somewhere else: real boroughs send a few per cent.
OUTSIDE_MAX = 0.25


def read_practices(path: Path, report: Report, sources: list,
               keep: tuple[str, str] | None = None) -> pd.DataFrame:
    source = display_name(path)
    frame = read_input(path, "practices", sources)
    if keep is not None:
        column, value = keep
        if column not in frame.columns:
            raise DataFileError(f"{source}: no column '{column}' to filter practices by "
                                f"(--practice-filter). Columns: {', '.join(frame.columns[:15])}.")
        dropped = frame[frame[column].str.strip() != value]
        frame = frame[frame[column].str.strip() == value]
        if len(dropped):
            report.warnings.append(f"{source}: {len(dropped)} practice(s) left out where "
                                   f"{column} is not {value}.")
        if frame.empty:
            raise DataFileError(f"{source}: no practice has {column} = {value} "
                                "(--practice-filter). Check the value.")
    cols = {role: rec.find_column(frame.columns, role, source) for role in
            ("practice_code", "practice_name", "pcn_code", "pcn_name")}
    size = rec.find_column(frame.columns, "list_size", source, required=False)
    frame = keyed.drop_notes(frame, [cols["practice_code"]])
    codes = keyed.codes_of(frame[cols["practice_code"]], source, cols["practice_code"])
    frame, codes = keyed.drop_repeats(frame, codes, source, cols["practice_code"],
                                      report.warnings)
    sizes = tables.to_numbers(frame[size], source, size, codes.set_axis(frame.index),
                              count=True)[0].fillna(0) if size else 0.0
    out = pd.DataFrame({
        "practice_code": codes.to_numpy(),
        "practice_name": frame[cols["practice_name"]].to_numpy(),
        "pcn_code": keyed.codes_of(frame[cols["pcn_code"]], source, cols["pcn_code"]).to_numpy(),
        "pcn_name": frame[cols["pcn_name"]].to_numpy(),
        "list_size": np.asarray(sizes, dtype=float) if size else 0.0,
    })
    out["easting"], out["northing"] = points.bng_coordinates(
        frame, source, out["practice_code"], report.reprojections)
    missing = out["easting"].isna() | out["northing"].isna()
    if missing.any():
        raise DataFileError(f"{source}: practice(s) {', '.join(out['practice_code'][missing][:5])}"
                            " have no coordinates. Add them or remove those rows.")
    return out


def practices_outside(practices: pd.DataFrame, wards: gpd.GeoDataFrame, source: str,
                       report: Report) -> None:
    border = shapely.union_all(np.asarray(wards.geometry.values))
    inside = shapely.contains_xy(border, practices["easting"], practices["northing"])
    if (~inside).any():
        report.warnings.append(
            f"{source}: {int((~inside).sum())} of {len(practices)} practices lie outside the "
            f"borough (e.g. {', '.join(practices['practice_code'][~inside][:5])}); their patients "
            "who live in the borough still count.")


@dataclass
class Registrations:
    """Patients by practice and small area, as read and bridged onto the boundaries' codes."""

    frame: pd.DataFrame  # practice_code, lsoa_code, patients, resident (in the small areas)
    source: str
    total_by_practice: pd.Series  # every published patient of each practice, any address
    cells: pd.DataFrame  # practice_code, lsoa_code (as published), hidden: every cell read


def read_registrations(path: Path, areas: gpd.GeoDataFrame, lookup: keyed.Lookup | None,
                        report: Report, sources: list) -> Registrations:
    source = display_name(path)
    frame = read_input(path, "registrations", sources)
    prac = rec.find_column(frame.columns, "practice_code", source)
    lsoa = rec.find_column(frame.columns, "lsoa_code", source)
    patients = rec.find_column(frame.columns, "patients", source)
    frame = keyed.drop_notes(frame, [prac, lsoa])
    sex = next((c for c in frame.columns if c.upper() == "SEX"), None)
    if sex is not None:
        kind = frame[sex].str.strip().str.upper()
        if (kind == "ALL").any():
            frame = frame[kind == "ALL"]  # NHS files repeat each row by sex
        extra = frame[sex].str.strip().str.upper()
    else:
        extra = pd.Series("", index=frame.index)
    practice = keyed.codes_of(frame[prac], source, prac)
    area = frame[lsoa].astype(str).str.strip().str.upper()
    key = practice + "|" + area + "|" + extra
    frame, key = keyed.drop_repeats(frame, key, source, f"{prac} and {lsoa}", report.warnings)
    parts = key.str.split("|")
    practice, area = parts.str[0], parts.str[1]
    where = (practice + " in " + area).set_axis(frame.index)
    counts, hidden = tables.to_numbers(frame[patients], source, patients, where, count=True,
                                       decimal=tables.decimal_mark(frame, [patients]),
                                       semicolon=frame.attrs.get("delimiter") == ";")
    shown = ~hidden.to_numpy()
    table = pd.DataFrame({"practice_code": practice.to_numpy()[shown],
                          "lsoa_code": area.to_numpy()[shown],
                          "patients": counts.to_numpy()[shown]})
    totals = table.groupby("practice_code")["patients"].sum()
    table = table[table["lsoa_code"].str.match(r"^[EWSN]0\d{7}$")]  # not NHS pseudo-codes
    area_codes = set(areas["code"])
    codes = table["lsoa_code"]
    if lookup is not None and not set(codes[codes.isin(area_codes)]) >= area_codes:
        pairs, direction = lookup.weights(set(codes), areas)
        report.matches.append(f"{source}: bridged {direction} through {lookup.source}.")
        joined = table.rename(columns={"lsoa_code": "table_code"}).merge(
            pairs, on="table_code", how="left")
        inside = joined["area_code"].notna().to_numpy()
        table = pd.DataFrame({
            "practice_code": joined["practice_code"].to_numpy(),
            "lsoa_code": np.where(inside, joined["area_code"], joined["table_code"]),
            "patients": joined["patients"].to_numpy() * np.where(inside, joined["weight"], 1.0),
        })
    table = table.groupby(["practice_code", "lsoa_code"], as_index=False)["patients"].sum()
    table["resident"] = table["lsoa_code"].isin(area_codes)
    bare = sorted(area_codes - set(table["lsoa_code"][table["patients"] > 0]))
    if bare:
        raise CodeError(keyed.missing_message(
            source, "registration", bare, lookup,
            int(table.loc[~table["resident"], "lsoa_code"].nunique())))
    cells = pd.DataFrame({"practice_code": practice.to_numpy(), "lsoa_code": area.to_numpy(),
                          "hidden": hidden.to_numpy()})
    return Registrations(table, source, totals, cells)


def _suppressed(regs: Registrations, kept: set, report: Report) -> None:
    """Suppressed cells of the kept practices are reported with their share of those practices'
    cells; too many stop the import. Other practices' cells (a national file) do not count."""
    cells = regs.cells[regs.cells["practice_code"].isin(kept)]
    hidden = int(cells["hidden"].sum())
    if not hidden:
        return
    share = hidden / len(cells)
    text = (f"{regs.source}: {hidden:,} of the kept practices' {len(cells):,} cells "
            f"({share:.1%}) are suppressed or blank ('*', 'c', '..'); their patients are unknown "
            "and not counted")
    if share > SUPPRESSED_LIMIT:
        raise DataFileError(
            f"{text}. That is too many for PCN footprints to be right (the limit is "
            f"{SUPPRESSED_LIMIT:.0%} of cells). Use NHS England's published file, which is not "
            "suppressed.")
    report.warnings.append(text + ", so registered figures are slightly low.")


def registrations_table(regs: Registrations, practices: pd.DataFrame, practices_source: str,
                        report: Report) -> pd.DataFrame:
    """Patients of the kept practices by small area; residents who use other practices are
    kept under the outside unit instead of being lost or re-spread over local PCNs."""
    frame = regs.frame
    kept = set(practices["practice_code"])
    _suppressed(regs, kept, report)
    ours = frame["practice_code"].isin(kept)
    report.counts["registered patients"] = float(regs.total_by_practice.reindex(
        sorted(kept)).fillna(0).sum())
    absent = sorted(kept - set(regs.total_by_practice.index[regs.total_by_practice > 0]))
    if absent:
        sizes = practices.set_index("practice_code")["list_size"]
        shown = ", ".join(f"{c} (list size {sizes.get(c, 0):,.0f})" for c in absent[:5])
        report.warnings.append(
            f"{regs.source}: {len(absent)} kept practice(s) have no registrations: {shown}. "
            "Their patients are missing from the PCN footprints; check the practice codes or "
            "the registrations file's date.")
    others = frame[frame["resident"] & ~ours]
    local = frame[ours]
    if len(others):
        moved = others.groupby("lsoa_code", as_index=False)["patients"].sum().assign(
            practice_code=OUTSIDE_PRACTICE)
        share = moved["patients"].sum() / frame["patients"][frame["resident"]].sum()
        if share > OUTSIDE_MAX:
            raise CodeError(
                f"{regs.source}: {share:.0%} of the borough's registered residents use practices "
                f"that are not among the kept ones ({practices_source}). Real "
                "boroughs send a few per cent across the border; check the practices file is "
                "for this borough and --practice-filter keeps its practices (or use --council "
                "with national files).")
        report.coverage.append(
            f"{share:.2%} of the registered patients who live in the borough use "
            f"{others['practice_code'].nunique()} practice(s) outside the kept ones; they form "
            f"the '{OUTSIDE_NAME}' unit rather than being spread over local PCNs.")
        local = pd.concat([local, moved])
    outside = local[~local["resident"].fillna(True).astype(bool)] if "resident" in local else None
    if outside is not None and len(outside):
        pcn = practices.set_index("practice_code")["pcn_code"]
        per = local.assign(pcn=local["practice_code"].map(pcn))
        share = (per[~per["resident"].fillna(True).astype(bool)].groupby("pcn")["patients"].sum()
                 / per.groupby("pcn")["patients"].sum()).fillna(0.0)
        worst = share.sort_values(ascending=False).head(3)
        names = practices.drop_duplicates("pcn_code").set_index("pcn_code")["pcn_name"]
        report.coverage.append(
            "Share of each PCN's patients who live outside the borough: "
            + ", ".join(f"{names.get(c, c)} {v:.1%}" for c, v in worst.items())
            + (" …" if len(share) > 3 else "") + ".")
    return local[["practice_code", "lsoa_code", "patients"]].groupby(
        ["practice_code", "lsoa_code"], as_index=False)["patients"].sum()



def keep_pcns(practices: pd.DataFrame, regs, wards: gpd.GeoDataFrame, report: Report
               ) -> pd.DataFrame:
    """With --council: the PCNs most of whose patients live in the kept small areas (or, with no
    registrations, most of whose practices lie in the kept wards), each kept whole."""
    if regs is not None:
        frame = regs.frame.assign(pcn=regs.frame["practice_code"].map(
            practices.set_index("practice_code")["pcn_code"]))
        resident = frame[frame["resident"]].groupby("pcn")["patients"].sum()
        share = (resident / frame.groupby("pcn")["patients"].sum()).fillna(0.0)
    else:
        border = shapely.union_all(np.asarray(wards.geometry.values))
        inside = shapely.contains_xy(border, practices["easting"], practices["northing"])
        share = pd.Series(inside, index=practices.index).groupby(practices["pcn_code"]).mean()
    chosen = set(share.index[share > 0.5])
    kept = practices[practices["pcn_code"].isin(chosen)].reset_index(drop=True)
    if kept.empty:
        raise DataFileError("--council: no PCN has most of its patients in those councils; "
                            "check the practices file covers them.")
    report.matches.append(f"Kept {kept['pcn_code'].nunique()} PCN(s) with "
                          f"{len(kept)} practices serving mainly these councils (--council); "
                          "PCNs that cross the border are kept whole.")
    return kept
