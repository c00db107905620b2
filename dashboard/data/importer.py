"""Turn official ONS, MHCLG and NHS England files into a data pack, with a validation report.

The pack is written to a temporary folder beside ``out`` and moved into place only when it loads
cleanly, so a failed import never leaves a half-written pack or damages an existing one.
Every table goes through the same checks (:mod:`dashboard.data.tables`, :mod:`.keyed`): a
figure that might be wrong stops the import with a message naming the user's file, column and
code, and the sources and vintages of the inputs are recorded in the pack.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data import council, keyed, points, tables, vintage
from dashboard.data import need as need_dir
from dashboard.data import recognise as rec
from dashboard.data.build import repair_polygons, to_bng
from dashboard.data.codes import require_unique
from dashboard.data.loader import load_pack
from dashboard.data.manifest import MANIFEST
from dashboard.engine.footprints import OUTSIDE_NAME, OUTSIDE_PRACTICE, RULES, estimate_registrations
from dashboard.engine.geography import BNG
from dashboard.errors import CodeError, DataFileError, GeometryError

REPORT = "validation.json"
# An import is built in a folder of this prefix beside its destination, then renamed into place.
PARTIAL = ".importing-"
# More suppressed registration cells than this and PCN footprints cannot be trusted.
SUPPRESSED_LIMIT = 0.01
# A ward with less of its area under the small areas than this is missing small areas; below
# WARD_COVER_WARN the gap is reported (generalised national files leave a few per cent).
WARD_COVER_MIN = 0.90
WARD_COVER_WARN = 0.97
# Output areas, the smallest census areas, hold over 100 people: a lower median is a slip.
SMALL_AREA_MEDIAN_MIN = 50
# More of the borough's registered residents than this on practices outside the kept ones means
# the practices file (or its filter) is for somewhere else: real boroughs send a few per cent.
OUTSIDE_MAX = 0.25
# Units of one layer may touch, not overlap: beyond this share of the smaller one they are refused.
OVERLAP_MAX = 0.005


@dataclass
class ImportSpec:
    """Files and options of one import (paths; ``None`` where not given)."""

    wards: Path
    small_areas: Path
    population: Path
    need: Path | None = None
    lsoa_lookup: Path | None = None
    practices: Path | None = None
    registrations: Path | None = None
    groups: dict[str, Path] = field(default_factory=dict)
    hubs: Path | None = None
    centroids: Path | None = None  # population-weighted centroids of the small areas
    name: str = "Imported borough"
    need_columns: dict[str, str] = field(default_factory=dict)  # key -> column[:direction]
    population_column: str | None = None
    pcn_rule: str = "proportional"
    min_share: float = 0.0
    estimate: str = "gravity"
    practice_filter: tuple[str, str] | None = None  # keep practices where column == value
    councils: list[str] = field(default_factory=list)  # keep these local authorities
    vintages: dict[str, str] = field(default_factory=dict)  # role -> vintage given by the user
    lookup_fallback: Path | None = None  # other-vintage LSOA boundaries for lookup gaps
    best_fit_lookup: Path | None = None  # ONS best-fit lookup of small areas to wards
    labels: dict[str, str] = field(default_factory=dict)  # role -> the user's file name


@dataclass
class Report:
    """What the import found: printed for people and saved as JSON in the pack."""

    matches: list[str] = field(default_factory=list)
    reprojections: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, float] = field(default_factory=dict)
    sources: list[dict[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.sources:
            out.append("Sources:")
            out += [f"  - {s['title']}: {s['role']}; {s['vintage']}"
                    + (f"; {s['publisher']}" if s.get("publisher") else "")
                    for s in self.sources]
        for title, items in (("Matches", self.matches), ("Reprojections", self.reprojections),
                             ("Geometry repairs", self.repairs), ("Coverage", self.coverage),
                             ("Warnings", self.warnings)):
            if items:
                out.append(f"{title}:")
                out += [f"  - {item}" for item in items]
        out.append("Counts: " + ", ".join(f"{k} {v:,.0f}" for k, v in self.counts.items()))
        return out

    def to_json(self) -> str:
        return json.dumps({"matches": self.matches, "reprojections": self.reprojections,
                           "geometry_repairs": self.repairs, "coverage": self.coverage,
                           "warnings": self.warnings, "counts": self.counts,
                           "sources": self.sources}, indent=2, ensure_ascii=False)


def _read_boundaries(path: Path, code_role: str, name_role: str
                     ) -> tuple[gpd.GeoDataFrame, pd.Series, str, str | None]:
    """Raw boundaries with their clean codes, the code column and the name column."""
    source = _display(path)
    frame = rec.read_boundaries(path)
    code = rec.find_column(frame.columns, code_role, source)
    name = rec.find_column(frame.columns, name_role, source, required=False)
    codes = keyed.codes_of(frame[code], source, code)
    return frame, codes, code, name


def _boundaries(frame: gpd.GeoDataFrame, codes: pd.Series, code: str, name: str | None,
                source: str, report: Report) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame({
        "code": codes.to_numpy(),
        "name": frame[name].astype(str).to_numpy() if name else codes.to_numpy(),
    }, geometry=frame.geometry.values, crs=frame.crs)
    require_unique(out["code"], source, code)
    if out.crs is None:
        raise DataFileError(
            f"{source}: the file does not say its coordinate system. Save it with one "
            "(ONS files are EPSG:27700 or EPSG:4326)."
        )
    if not out.crs.equals(BNG):
        report.reprojections.append(f"{source}: reprojected from {out.crs.to_string()} to "
                                    "British National Grid (EPSG:27700).")
    out = to_bng(out, source, fix="Re-save the file in British National Grid "
                 "(EPSG:27700), or with its true coordinate system, and import it again.")
    repairs: list[str] = []
    out = repair_polygons(out, source, repairs)
    report.repairs += repairs
    return out


def _table(path: Path, role: str, sources: list[vintage.Source]) -> pd.DataFrame:
    """Read a table input and record its source (the user's file name, vintage, publisher)."""
    frame = rec.read_table(path)
    sources.append(vintage.table(role, _display(path), frame))
    return frame


def _display(path: Path) -> str:
    """The user's name for an input file (``FILE.xlsx:SHEET`` keeps its sheet)."""
    return Path(str(path)).name


def _numbers(frame: pd.DataFrame, columns: dict[str, str], source: str, codes: pd.Series,
             count: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parsed values of ``columns`` (key -> file column) and their suppression masks."""
    decimal = tables.decimal_mark(frame, columns.values())
    semicolon = frame.attrs.get("delimiter") == ";"
    values, hidden = {}, {}
    for key, col in columns.items():
        values[key], hidden[key] = tables.to_numbers(
            frame[col], source, col, codes.reset_index(drop=True).set_axis(frame.index),
            count=count, decimal=decimal, semicolon=semicolon)
    return pd.DataFrame(values, index=frame.index), pd.DataFrame(hidden, index=frame.index)


def _refuse_hidden(hidden: pd.DataFrame, columns: dict[str, str], codes: pd.Series,
                   source: str, what: str) -> None:
    """Small-area figures cannot be blank or suppressed: each one is somebody's total."""
    for key, col in columns.items():
        mask = hidden[key].to_numpy()
        if mask.any():
            shown = ", ".join(codes[mask][:6])
            raise DataFileError(
                f"{source}: column '{col}' is blank or suppressed ('*', 'c', '..') for "
                f"{int(mask.sum())} row(s): {shown}{' …' if mask.sum() > 6 else ''}. Every small "
                f"area needs its {what} figure; use the unsuppressed published file.")


def _same_council_gap(frame: pd.DataFrame, codes: pd.Series, areas: gpd.GeoDataFrame,
                      source: str, areas_source: str) -> None:
    """Refuse boundaries that lack small areas the table lists for the same council(s)."""
    lads = council.districts(frame, codes)
    if lads is None:
        return
    key = lads["lad_code"].where(lads["lad_code"] != "", lads["lad_name"])
    inside = codes.isin(set(areas["code"])).to_numpy()
    ours = set(key[inside])
    lost = codes[~inside & key.isin(ours).to_numpy()]
    odd = lost[~lost.str.match(r"^[A-Z]\d{8}$")]
    if len(odd):
        raise CodeError(
            f"{source}: row(s) {', '.join(odd[:5])} are not small-area codes (a total or "
            "subtotal row?) yet are filed under the borough's council. Remove them so that no "
            "total is mistaken for an area's figure.")
    if len(lost):
        raise CodeError(
            f"{areas_source}: lacks {len(lost)} small area(s) that {source} lists for the same "
            f"council ({', '.join(sorted(ours)[:3])}): {', '.join(lost[:8])}"
            f"{' …' if len(lost) > 8 else ''}. Their residents would be missing from every "
            "total; use the complete boundary file (or --council to take the council from a "
            "national file).")


def _relevant(codes: pd.Series, areas: gpd.GeoDataFrame, lookup: keyed.Lookup | None
              ) -> np.ndarray:
    """Rows about the pack's small areas (directly or through the lookup): a national file's
    rows for other places are neither checked nor used."""
    wanted = set(areas["code"])
    if lookup is not None:
        pairs = lookup.pairs
        wanted |= set(pairs["c11"][pairs["c21"].isin(wanted)]) | set(
            pairs["c21"][pairs["c11"].isin(wanted)])
    return codes.isin(wanted).to_numpy()


def _population(spec: ImportSpec, areas: gpd.GeoDataFrame, lookup: keyed.Lookup | None,
                report: Report, sources: list, frame: pd.DataFrame
                ) -> tuple[pd.DataFrame, dict, pd.Series]:
    source = _display(spec.population)
    pop_all = frame
    code_col = rec.find_column(frame.columns, "lsoa_code", source)
    pop_col = rec.pick(frame.columns, spec.population_column, "population", source,
                       "--population-column")
    ages = {key: (col, label) for key, (pattern, label) in rec.DENOMINATOR_AGES.items()
            for col in frame.columns if re.match(pattern, col)}
    all_codes = keyed.codes_of(frame[code_col], source, code_col)
    ours = _relevant(all_codes, areas, lookup)
    frame, codes = keyed.drop_repeats(frame[ours], all_codes[ours], source, code_col,
                                      report.warnings)
    columns = {"population": pop_col} | {k: c for k, (c, _) in ages.items()}
    values, hidden = _numbers(frame, columns, source, codes, count=True)
    _refuse_hidden(hidden, columns, codes, source, "population")
    out = keyed.onto_areas(codes, values, areas, source, "population", lookup, report.matches,
                           extensive=True, others=int((~ours).sum()))
    if set(areas["code"]) <= set(codes):  # same vintage: other rows of our council are a gap
        _same_council_gap(pop_all, all_codes, areas, source, _display(spec.small_areas))
    weights = pd.Series(values["population"].to_numpy(), index=codes.to_numpy())
    _plausible(out["population"], source, pop_col, report)
    return out, ages, weights


def _plausible(population: pd.Series, source: str, column: str, report: Report) -> None:
    """Warn about populations no real small area has: none at all, or a column in thousands."""
    empty = population.index[population.to_numpy() <= 0]
    if len(empty):
        report.warnings.append(f"{source}: {len(empty)} small area(s) have no residents in "
                               f"column '{column}' ({', '.join(empty[:5])}); check those rows.")
    median = float(population.median())
    if median < SMALL_AREA_MEDIAN_MIN:
        report.warnings.append(
            f"{source}: the median small area has {median:g} residents in column '{column}', "
            "where LSOAs hold about 1,500 and output areas about 300. Check the column is a "
            "count of people, not thousands, a rate or a rank.")


def _need(spec: ImportSpec, areas: gpd.GeoDataFrame, lookup: keyed.Lookup | None,
          report: Report, sources: list, weights: pd.Series) -> tuple[pd.DataFrame, dict]:
    source = _display(spec.need)
    frame = _table(spec.need, "need", sources)
    code_col = rec.find_column(frame.columns, "lsoa_code", source)
    edition = sources[-1].vintage.rsplit(" ", 1)[-1] if sources[-1].vintage else ""
    picked, notes = need_dir.chosen(frame, dict(spec.need_columns), source, edition)
    if not picked:
        raise DataFileError(
            f"{source}: no need columns recognised (the English Indices of Deprivation File 7 "
            "layout: IMD, income, IDACI or IDAOPI scores, or IMD ranks and deciles). Name them "
            "with --need-column KEY=COLUMN.")
    report.matches += notes
    all_codes = keyed.codes_of(frame[code_col], source, code_col)
    ours = _relevant(all_codes, areas, lookup)
    frame, codes = keyed.drop_repeats(frame[ours], all_codes[ours], source, code_col,
                                      report.warnings)
    columns = {n.key: n.column for n in picked}
    values, hidden = _numbers(frame, columns, source, codes, count=False)
    _refuse_hidden(hidden, columns, codes, source, "need")
    lsoa_year = vintage.lsoa_vintage(frame.columns)
    for n in picked:
        values[n.key], ranked = need_dir.convert(values[n.key], n, source, lsoa_year)
        if n.conversion(ranked):
            report.matches.append(f"{source}: {n.conversion(ranked)}")
    out = keyed.onto_areas(codes, values, areas, source, "need", lookup, report.matches,
                           extensive=False, weights=weights, others=int((~ours).sum()))
    return out, {n.key: n.label for n in picked}


def _practices(path: Path, wards: gpd.GeoDataFrame, report: Report, sources: list,
               keep: tuple[str, str] | None = None) -> pd.DataFrame:
    source = _display(path)
    frame = _table(path, "practices", sources)
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


def _practices_outside(practices: pd.DataFrame, wards: gpd.GeoDataFrame, source: str,
                       report: Report) -> None:
    border = shapely.union_all(np.asarray(wards.geometry.values))
    inside = shapely.contains_xy(border, practices["easting"], practices["northing"])
    if (~inside).any():
        report.warnings.append(
            f"{source}: {int((~inside).sum())} of {len(practices)} practices lie outside the "
            f"borough (e.g. {', '.join(practices['practice_code'][~inside][:5])}); their patients "
            "who live in the borough still count.")


@dataclass
class _Registrations:
    """Patients by practice and small area, as read and bridged onto the boundaries' codes."""

    frame: pd.DataFrame  # practice_code, lsoa_code, patients, resident (in the small areas)
    source: str
    total_by_practice: pd.Series  # every published patient of each practice, any address
    hidden_cells: int
    cells: int


def _read_registrations(path: Path, areas: gpd.GeoDataFrame, lookup: keyed.Lookup | None,
                        report: Report, sources: list) -> _Registrations:
    source = _display(path)
    frame = _table(path, "registrations", sources)
    prac = rec.find_column(frame.columns, "practice_code", source)
    lsoa = rec.find_column(frame.columns, "lsoa_code", source)
    patients = rec.find_column(frame.columns, "patients", source)
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
    return _Registrations(table, source, totals, int(hidden.sum()), len(hidden))


def _display_practices(report: Report) -> str:
    found = [s["title"] for s in report.sources if s.get("role", "").startswith("GP practices")]
    return found[0] if found else "the practices file"


def _suppressed(regs: _Registrations, report: Report) -> None:
    """Suppressed cells are reported with the share they are of the file; too many stop it."""
    if not regs.hidden_cells:
        return
    share = regs.hidden_cells / max(regs.cells, 1)
    text = (f"{regs.source}: {regs.hidden_cells:,} of {regs.cells:,} cells ({share:.1%}) are "
            "suppressed or blank ('*', 'c', '..'); their patients are unknown and not counted")
    if share > SUPPRESSED_LIMIT:
        raise DataFileError(
            f"{text}. That is too many for PCN footprints to be right (the limit is "
            f"{SUPPRESSED_LIMIT:.0%} of cells). Use NHS England's published file, which is not "
            "suppressed.")
    report.warnings.append(text + ", so registered figures are slightly low.")


def _registrations(regs: _Registrations, practices: pd.DataFrame, report: Report
                   ) -> pd.DataFrame:
    """Patients of the kept practices by small area; residents who use other practices are
    kept under the outside unit instead of being lost or re-spread over local PCNs."""
    _suppressed(regs, report)
    frame = regs.frame
    kept = set(practices["practice_code"])
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
                f"that are not among the kept ones ({_display_practices(report)}). Real "
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



def _hubs(path: Path, wards: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    source = _display(path)
    out = points.read_hubs(rec.read_table(path), source, report.reprojections)
    points.check_inside(out["easting"], out["northing"], out["name"],
                        shapely.union_all(np.asarray(wards.geometry.values)), source)
    return out


def _centroids(path: Path, areas: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    """Population-weighted centroids (as ONS publishes them for LSOAs) for the pack's areas."""
    source = _display(path)
    frame = rec.read_table(path)
    code = rec.find_column(frame.columns, "lsoa_code", source)
    out = pd.DataFrame({"code": keyed.codes_of(frame[code], source, code)})
    out["easting"], out["northing"] = points.bng_coordinates(frame, source, out["code"],
                                                             report.reprojections)
    out = out[out["code"].isin(set(areas["code"]))].dropna()
    report.matches.append(f"{source}: centroids for {len(out)} of {len(areas)} small areas.")
    return out


def _best_fit(path: Path, areas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, report: Report
              ) -> pd.DataFrame:
    """An ONS best-fit lookup of small areas to wards, cut to the pack's codes and checked."""
    source = _display(path)
    frame = rec.read_table(path)
    sa_col = rec.find_column(frame.columns, "lsoa_code", source)
    ward_col = rec.find_column(frame.columns, "ward_code", source)
    out = pd.DataFrame({"small_area_code": keyed.codes_of(frame[sa_col], source, sa_col),
                        "unit_code": keyed.codes_of(frame[ward_col], source, ward_col)})
    out = out[out["small_area_code"].isin(set(areas["code"]))].drop_duplicates()
    clash = out["small_area_code"].duplicated(keep=False)
    if clash.any():
        raise CodeError(f"{source}: small area(s) {', '.join(out['small_area_code'][clash][:5])}"
                        " have more than one best-fit ward. A best-fit lookup gives one each.")
    unknown = sorted(set(out["unit_code"]) - set(wards["code"]))
    if unknown:
        raise CodeError(f"{source}: ward code(s) {', '.join(unknown[:5])} are not in the ward "
                        "boundaries. Use the lookup for the same ward vintage (e.g. WD24 for "
                        "May 2024 wards).")
    report.matches.append(f"{source}: best-fit wards for {len(out)} of {len(areas)} small areas "
                          "from the published lookup.")
    return out


def _groups(name: str, path: Path, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    source = _display(path)
    frame = rec.read_table(path)
    ward_codes = set(wards["code"])

    def upper(col: str) -> pd.Series:
        return frame[col].astype(str).str.strip().str.upper()

    # The ward column is the one whose values are ward codes.
    ward_col = max(frame.columns, key=lambda c: upper(c).isin(ward_codes).mean())
    if upper(ward_col).isin(ward_codes).mean() < 0.5:
        raise CodeError(f"{source}: no column holds the wards' codes (e.g. "
                        f"{next(iter(sorted(ward_codes)))}). Give a column of ward codes.")
    rest = [c for c in frame.columns if c != ward_col]
    code_col = next((c for c in rest if "code" in c.lower() or c.upper().endswith("CD")),
                    rest[0] if rest else None)
    name_col = next((c for c in rest if c != code_col and ("name" in c.lower()
                                                            or c.upper().endswith("NM"))), None)
    if code_col is None:
        raise DataFileError(f"{source}: needs a column of {name} codes beside the ward codes.")
    return pd.DataFrame({"ward_code": upper(ward_col),
                         f"{name}_code": frame[code_col].str.strip(),
                         f"{name}_name": frame[name_col].str.strip() if name_col
                         else frame[code_col].str.strip()})


def _check_destination(out: Path) -> None:
    """Refuse to replace a folder that is not a data pack: its files are the user's."""
    if out.exists() and not out.is_dir():
        raise DataFileError(f"--out {out.name}: a file of that name exists. Choose a folder name.")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise DataFileError(f"--out {out.name}: the folder exists and is not a data pack (it has "
                            f"no {MANIFEST}); nothing was changed. Choose a new folder, or an "
                            "existing pack to replace.")


def _lookup(spec: ImportSpec, sources: list) -> tuple[keyed.Lookup | None, list]:
    if spec.lsoa_lookup is None:
        return None, []
    frame = _table(spec.lsoa_lookup, "lsoa_lookup", sources)
    lookup = keyed.Lookup.from_frame(frame, _display(spec.lsoa_lookup))
    names = []
    for col in ("c11", "c21"):
        found = council.districts(frame, lookup.pairs[col].reindex(frame.index).fillna(""))
        if found is not None:
            names.append(found.set_axis(range(len(found))).assign(
                code=keyed.codes_of(frame[[c for c in frame.columns if c.upper().replace(
                    " ", "") in (keyed._C11 if col == "c11" else keyed._C21)][0]],
                    lookup.source, col).to_numpy()))
    return lookup, names


def _keep_councils(spec: ImportSpec, sa: tuple, wards: tuple, pop_frame: pd.DataFrame,
                   lookup_districts: list, report: Report) -> tuple[tuple, tuple]:
    """The small areas and wards of ``spec.councils`` from (possibly national) files."""
    frame, codes, code_col, name_col = sa
    pop_code = rec.find_column(pop_frame.columns, "lsoa_code", _display(spec.population))
    known = [council.districts(frame, codes),
             council.districts(pop_frame, keyed.codes_of(pop_frame[pop_code],
                                                         _display(spec.population), pop_code)),
             *lookup_districts,
             council.from_names(codes, frame[name_col]) if name_col else None]
    mask = council.keep(codes, known, spec.councils, "small area").to_numpy()
    sa = (frame[mask], codes[mask], code_col, name_col)
    wframe, wcodes, wcode, wname = wards
    wd = council.districts(wframe, wcodes)
    if wd is not None:
        wmask = council.matches(wd, spec.councils).to_numpy()
        if not wmask.any():
            raise DataFileError(f"{_display(spec.wards)}: no ward of "
                                f"{', '.join(spec.councils)} (by its district column).")
        wards = (wframe[wmask], wcodes[wmask], wcode, wname)
    report.matches.append(f"Kept {int(mask.sum()):,} small areas and {len(wards[1])} wards of "
                          f"{', '.join(spec.councils)} (--council).")
    return sa, wards


def _wards_over(wards: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Wards mostly covered by the kept small areas (when wards name no district)."""
    union = shapely.union_all(np.asarray(areas.geometry.values))
    geoms = np.asarray(wards.geometry.values)
    share = shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms)
    return wards[share > 0.5].reset_index(drop=True)


def _overlaps(layer: gpd.GeoDataFrame, source: str) -> None:
    """Refuse units of one layer that overlap each other beyond generalisation noise."""
    geoms = np.asarray(layer.geometry.values)
    left, right = shapely.STRtree(geoms).query(geoms, "intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    share = shared / np.maximum(smaller, 1.0)
    bad = np.flatnonzero(share > OVERLAP_MAX)
    if len(bad):
        worst = bad[np.argsort(-share[bad])][:3]
        shown = "; ".join(f"{_unit(layer, left[i])} and {_unit(layer, right[i])} share "
                          f"{shared[i] / 10_000:,.1f} ha ({share[i]:.1%} of the smaller)"
                          for i in worst)
        raise GeometryError(
            f"{source}: {len(bad)} pair(s) of units overlap: {shown}. Each place must be in one "
            "unit only, or its people are counted twice; fix the boundaries in a GIS (e.g. "
            "QGIS 'Check validity' and 'Overlap analysis').")


def _unit(layer: gpd.GeoDataFrame, i: int) -> str:
    code, name = layer["code"].iloc[i], layer["name"].iloc[i]
    return f"{name} ({code})" if name and name != code else str(code)


def _ward_cover(wards: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, source: str,
                areas_source: str, report: Report) -> None:
    """Refuse wards that the small areas leave (mostly) bare: their residents would be lost."""
    union = shapely.union_all(np.asarray(areas.geometry.values))
    geoms = np.asarray(wards.geometry.values)
    cover = shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms)
    bare = np.flatnonzero(cover < WARD_COVER_MIN)
    if len(bare):
        shown = ", ".join(f"{_unit(wards, i)} {cover[i]:.0%}" for i in bare[:5])
        empty = int((cover[bare] < 0.01).sum())
        hint = (f" {empty} of them lie wholly outside the small areas: the ward file covers "
                "more than the borough, so use --council (or the borough's own wards)."
                if empty > 3 else "")
        raise GeometryError(
            f"{areas_source}: small areas cover too little of {len(bare)} ward(s) of {source}: "
            f"{shown} covered. Their residents would be missing; give the small areas of the "
            f"whole borough (or the wards of the same borough).{hint}")
    thin = np.flatnonzero(cover < WARD_COVER_WARN)
    if len(thin):
        shown = ", ".join(f"{_unit(wards, i)} {cover[i]:.1%}" for i in thin[:5])
        report.warnings.append(f"Small areas cover under {WARD_COVER_WARN:.0%} of {len(thin)} "
                               f"ward(s) (generalised boundaries?): {shown}.")


def _keep_pcns(practices: pd.DataFrame, regs, wards: gpd.GeoDataFrame, report: Report
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


def import_pack(spec: ImportSpec, out: str | Path) -> Report:
    """Build a data pack in ``out`` from official files; returns the validation report.

    Raises
    ------
    DataPackError
        For anything that stops the import, naming the file, column or code and what to do.
    """
    if spec.pcn_rule not in RULES:
        raise DataFileError(f"Unknown PCN footprint rule '{spec.pcn_rule}'; use one of: "
                            f"{', '.join(RULES)}.")
    out = Path(out)
    _check_destination(out)
    report = Report()
    sources: list[vintage.Source] = []
    lookup, lookup_districts = _lookup(spec, sources)
    sa = _read_boundaries(spec.small_areas, "lsoa_code", "lsoa_name")
    sources.append(vintage.boundaries("small_areas", _display(spec.small_areas), sa[0].columns))
    wd = _read_boundaries(spec.wards, "ward_code", "ward_name")
    sources.append(vintage.boundaries("wards", _display(spec.wards), wd[0].columns))
    pop_frame = _table(spec.population, "population", sources)
    if spec.councils:
        sa, wd = _keep_councils(spec, sa, wd, pop_frame, lookup_districts, report)
    areas = _boundaries(*sa, _display(spec.small_areas), report)
    wards = _boundaries(*wd, _display(spec.wards), report)
    if lookup is not None and spec.lookup_fallback is not None:
        old = _read_boundaries(spec.lookup_fallback, "lsoa_code", "lsoa_name")
        old_bng = _boundaries(*old, _display(spec.lookup_fallback), Report())
        year = vintage.lsoa_vintage(old[0].columns)
        lookup = lookup.with_fallback(areas, old_bng, _display(spec.lookup_fallback),
                                      report.matches, old_is_2011=year != "2021")
    if spec.councils and council.districts(wd[0], wd[1]) is None:
        wards = _wards_over(wards, areas)
    _overlaps(areas, _display(spec.small_areas))
    _overlaps(wards, _display(spec.wards))
    _ward_cover(wards, areas, _display(spec.wards), _display(spec.small_areas), report)
    values, ages, weights = _population(spec, areas, lookup, report, sources, pop_frame)
    areas = areas.assign(**{k: values[k].to_numpy() for k in values.columns})
    need_labels = {}
    if spec.need is not None:
        need, need_labels = _need(spec, areas, lookup, report, sources, weights)
        areas = areas.assign(**{k: need[k].to_numpy() for k in need.columns})
    report.counts.update({"wards": len(wards), "small areas": len(areas),
                          "population": float(areas["population"].sum())})
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=parent, prefix=PARTIAL) as tmp:
        work = Path(tmp) / "pack"
        work.mkdir()
        origins = {"small_areas.gpkg": _display(spec.small_areas),
                   "wards.gpkg": _display(spec.wards)}
        areas.to_file(work / "small_areas.gpkg", driver="GPKG")
        wards.to_file(work / "wards.gpkg", driver="GPKG")
        layers = []
        for name, path in spec.groups.items():
            _groups(name, path, wards).to_csv(work / f"{name}.csv", index=False)
            origins[f"{name}.csv"] = _display(path)
            layers.append(_grouping_toml(name))
        if spec.practices is not None:
            practices = _practices(spec.practices, wards, report, sources, spec.practice_filter)
            regs = None
            if spec.registrations is not None:
                regs = _read_registrations(spec.registrations, areas, lookup, report, sources)
            if spec.councils:
                practices = _keep_pcns(practices, regs, wards, report)
            _practices_outside(practices, wards, _display(spec.practices), report)
            practices.to_csv(work / "practices.csv", index=False)
            origins["practices.csv"] = _display(spec.practices)
            if regs is not None:
                table = _registrations(regs, practices, report)
                origins["registrations.csv"] = _display(spec.registrations)
                estimated = False
            else:
                table = _estimated(areas, practices, spec.estimate, report)
                estimated = True
            table.to_csv(work / "registrations.csv", index=False)
            report.counts["practices"] = len(practices)
            report.counts["PCNs"] = practices["pcn_code"].nunique()
            layers.append(_pcn_toml(spec, estimated))
        extra = ""
        if spec.hubs is not None:
            _hubs(spec.hubs, wards, report).to_csv(work / "hubs.csv", index=False)
            origins["hubs.csv"] = _display(spec.hubs)
            sources.append(vintage.Source("hubs", _display(spec.hubs)))
            extra = '\n[hubs]\nfile = "hubs.csv"\n'
        if spec.best_fit_lookup is not None:
            _best_fit(spec.best_fit_lookup, areas, wards, report).to_csv(
                work / "best_fit_wards.csv", index=False)
            origins["best_fit_wards.csv"] = _display(spec.best_fit_lookup)
            sources.append(vintage.Source("best_fit_lookup", _display(spec.best_fit_lookup)))
            extra += '\n[small_areas.best_fit]\nwards = "best_fit_wards.csv"\n'
        if spec.centroids is not None:
            _centroids(spec.centroids, areas, report).to_csv(work / "centroids.csv", index=False)
            origins["centroids.csv"] = _display(spec.centroids)
            sources.append(vintage.Source("centroids", _display(spec.centroids)))
            extra += '\n[small_areas.centroids]\nfile = "centroids.csv"\n'
        vintage.apply_given(sources, spec.vintages)
        spread = vintage.spread_warning(sources)
        if spread:
            report.warnings.append(spread)
        report.sources = [s.as_toml_table() for s in sources]
        (work / MANIFEST).write_text(
            _manifest(spec, ages, need_labels, report.sources, origins) + "".join(layers)
            + extra, encoding="utf-8")
        geo = load_pack(work)  # the pack must open before it replaces anything
        report.warnings += [w for w in geo.warnings if w not in report.warnings]
        _coverage(geo, report)
        (work / REPORT).write_text(report.to_json(), encoding="utf-8")
        _replace(work, out)
    return report


def _estimated(areas: gpd.GeoDataFrame, practices: pd.DataFrame, rule: str, report: Report
               ) -> pd.DataFrame:
    inner = shapely.point_on_surface(np.asarray(areas.geometry.values))
    regs = estimate_registrations(
        pd.DataFrame({"code": areas["code"], "population": areas["population"],
                      "x": shapely.get_x(inner), "y": shapely.get_y(inner)}),
        practices.rename(columns={"practice_code": "code", "easting": "x", "northing": "y"}),
        rule)
    report.warnings.append(
        "No registrations file: PCN footprints are ESTIMATES from practice locations and list "
        f"sizes ({rule} rule), labelled as such.")
    return regs.rename(columns={"practice": "practice_code", "small_area": "lsoa_code"})


def _coverage(geo, report: Report) -> None:
    atoms = geo.atoms
    total = shapely.area(np.asarray(geo.small_area_geometry.values)).sum()
    covered = atoms.area_m2.sum()
    report.coverage.append(f"Wards cover {covered / total:.2%} of the small areas' area.")
    for lay in geo.layers.values():
        if lay.kind == "registration":
            report.coverage.append(f"{lay.label}: every small area has registered patients; "
                                   f"{len(lay)} units.")


def _replace(work: Path, out: Path) -> None:
    """Move the finished pack into ``out``, keeping any old pack until the new one is in place;
    only the old pack (checked by the caller to be one) is removed."""
    if not out.exists():
        shutil.move(str(work), str(out))
        return
    old = Path(tempfile.mkdtemp(dir=out.resolve().parent, prefix=PARTIAL)) / "old"
    os.replace(out, old)
    shutil.move(str(work), str(out))
    shutil.rmtree(old.parent, ignore_errors=True)


def _toml_str(text: str) -> str:
    """A TOML basic string for any text (emoji, quotes, ``]]``, control characters)."""
    text = str(text).encode("utf-8", "replace").decode("utf-8")
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _manifest(spec: ImportSpec, ages: dict, need_labels: dict, sources: list[dict],
              origins: dict[str, str]) -> str:
    lines = [
        "# Data pack written by `python -m dashboard import`; see validation.json.",
        "[pack]", f"name = {_toml_str(spec.name)}", "fictional = false",
        f"description = {_toml_str('Real open data imported from official ONS, MHCLG and NHS files.')}",
    ]
    for src in sources:
        lines += ["", "[[pack.sources]]"]
        lines += [f"{key} = {_toml_str(value)}" for key, value in src.items()]
    lines += ["", "[pack.origins]  # the pack's files and the user's files they came from"]
    lines += [f"{_toml_str(k)} = {_toml_str(v)}" for k, v in origins.items()]
    lines += ["", "[small_areas]", 'file = "small_areas.gpkg"', 'label = "LSOAs"']
    if ages:
        lines += ["", "[small_areas.age_bands]"]
        lines += [f"{k} = {_toml_str(label)}" for k, (_, label) in ages.items()]
    if need_labels:
        lines += ["", "[small_areas.need]"]
        lines += [f"{k} = {{ label = {_toml_str(v)} }}" for k, v in need_labels.items()]
    lines += ["", "[[layers]]", 'name = "wards"', 'type = "polygons"',
              'label = "Electoral wards"', 'file = "wards.gpkg"', ""]
    return "\n".join(lines)


def _grouping_toml(name: str) -> str:
    return (f'\n[[layers]]\nname = {_toml_str(name)}\ntype = "grouping"\n'
            f'label = {_toml_str(name.replace("_", " ").capitalize())}\nof = "wards"\n'
            f'file = "{name}.csv"\ncolumns = {{ member = "ward_code", code = "{name}_code", '
            f'name = "{name}_name" }}\n')


def _pcn_toml(spec: ImportSpec, estimated: bool) -> str:
    label = "PCNs (estimated from practice locations)" if estimated else "Primary Care Networks"
    return (f'\n[[layers]]\nname = "pcns"\ntype = "registration"\nlabel = {_toml_str(label)}\n'
            'practices = "practices.csv"\nregistrations = "registrations.csv"\n'
            f'rule = "{spec.pcn_rule}"\nmin_share = {spec.min_share}\n'
            f'estimated = {"true" if estimated else "false"}\n'
            'registration_columns = { practice = "practice_code", small_area = "lsoa_code" }\n')
