"""Turn official ONS, MHCLG and NHS England files into a data pack, with a validation report.

The pack is written to a temporary folder beside ``out`` and moved into place only when it loads
cleanly, so a failed import never leaves a half-written pack or damages an existing one.
Every table goes through the same checks (:mod:`dashboard.data.tables`, :mod:`.keyed`): a
figure that might be wrong stops the import with a message naming the user's file, column and
code, and the sources and vintages of the inputs are recorded in the pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.data import council, geometry_checks, keyed, pack_writer, tables, vintage
from dashboard.data import need as need_dir
from dashboard.data import recognise as rec
from dashboard.data.build import repair_polygons, to_bng
from dashboard.data.codes import require_unique
from dashboard.data.import_report import Report, display_name, read_input
from dashboard.data.manifest import MANIFEST
from dashboard.data.pack_writer import PARTIAL, REPORT
from dashboard.engine.footprints import RULES
from dashboard.engine.geography import BNG
from dashboard.errors import CodeError, DataFileError

__all__ = ["PARTIAL", "REPORT", "ImportSpec", "Prepared", "Report", "import_pack"]

# Output areas, the smallest census areas, hold over 100 people: a lower median is a slip.
SMALL_AREA_MEDIAN_MIN = 50


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
    open_data: bool = False  # a pack the project ships, built from published data
    description: str = "Real open data imported from official ONS, MHCLG and NHS files."
    # role -> publisher/licence/attribution/vintage known from elsewhere (bundled boroughs)
    source_details: dict[str, dict[str, str]] = field(default_factory=dict)


def _read_boundaries(path: Path, code_role: str, name_role: str
                     ) -> tuple[gpd.GeoDataFrame, pd.Series, str, str | None]:
    """Raw boundaries with their clean codes, the code column and the name column."""
    source = display_name(path)
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
    # Not a code at all, or a code of another kind (E02 for an MSOA, E05 a ward, E08 a council).
    kinds = set(areas["code"].str[:3])
    odd = lost[~lost.str.match(r"^[A-Z]\d{8}$") | ~lost.str[:3].isin(kinds)]
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
    source = display_name(spec.population)
    pop_all = frame
    code_col = rec.find_column(frame.columns, "lsoa_code", source)
    pop_col = rec.pick(frame.columns, spec.population_column, "population", source,
                       "--population-column")
    ages = {key: (col, label) for key, (pattern, label) in rec.DENOMINATOR_AGES.items()
            for col in frame.columns if re.match(pattern, col)}
    frame = keyed.drop_notes(frame, [code_col])
    all_codes = keyed.codes_of(frame[code_col], source, code_col)
    ours = _relevant(all_codes, areas, lookup)
    frame, codes = keyed.drop_repeats(frame[ours], all_codes[ours], source, code_col,
                                      report.warnings)
    columns = {"population": pop_col} | {k: c for k, (c, _) in ages.items()}
    values, hidden = _numbers(frame, columns, source, codes, count=True)
    _refuse_hidden(hidden, columns, codes, source, "population")
    out = keyed.onto_areas(codes, values, areas, source, "population", lookup, notes=report.matches,
                           extensive=True, others=int((~ours).sum()))
    if set(areas["code"]) <= set(codes):  # same vintage: other rows of our council are a gap
        _same_council_gap(pop_all, all_codes, areas, source, display_name(spec.small_areas))
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
    source = display_name(spec.need)
    frame = read_input(spec.need, "need", sources)
    code_col = rec.find_column(frame.columns, "lsoa_code", source)
    edition = sources[-1].vintage.rsplit(" ", 1)[-1] if sources[-1].vintage else ""
    picked, notes = need_dir.chosen(frame, dict(spec.need_columns), source, edition)
    if not picked:
        raise DataFileError(
            f"{source}: no need columns recognised (the English Indices of Deprivation File 7 "
            "layout: IMD, income, IDACI or IDAOPI scores, or IMD ranks and deciles). Name them "
            "with --need-column KEY=COLUMN.")
    report.matches += notes
    frame = keyed.drop_notes(frame, [code_col])
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
    out = keyed.onto_areas(codes, values, areas, source, "need", lookup, notes=report.matches,
                           extensive=False, weights=weights, others=int((~ours).sum()))
    return out, {n.key: n.label for n in picked}


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
    frame = read_input(spec.lsoa_lookup, "lsoa_lookup", sources)
    lookup = keyed.Lookup.from_frame(frame, display_name(spec.lsoa_lookup))
    # The lookup names each LSOA's district (LAD22CD): one more way to find a council's areas.
    names = [council.districts(frame, keyed.codes_of(frame[col], lookup.source, col))
             for col in lookup.columns]
    names = [n for n in names if n is not None]
    return lookup, names


def _keep_councils(spec: ImportSpec, sa: tuple, wards: tuple, pop_frame: pd.DataFrame,
                   lookup_districts: list, report: Report) -> tuple[tuple, tuple]:
    """The small areas and wards of ``spec.councils`` from (possibly national) files."""
    frame, codes, code_col, name_col = sa
    pop_code = rec.find_column(pop_frame.columns, "lsoa_code", display_name(spec.population))
    known = [council.districts(frame, codes),
             council.districts(pop_frame, keyed.codes_of(pop_frame[pop_code],
                                                         display_name(spec.population), pop_code)),
             *lookup_districts,
             council.from_names(codes, frame[name_col]) if name_col else None]
    mask = council.keep(codes, known, spec.councils, "small area").to_numpy()
    sa = (frame[mask], codes[mask], code_col, name_col)
    wframe, wcodes, wcode, wname = wards
    wd = council.districts(wframe, wcodes)
    if wd is not None:
        wmask = council.matches(wd, spec.councils).to_numpy()
        if not wmask.any():
            raise DataFileError(f"{display_name(spec.wards)}: no ward of "
                                f"{', '.join(spec.councils)} (by its district column).")
        wards = (wframe[wmask], wcodes[wmask], wcode, wname)
    report.matches.append(f"Kept {int(mask.sum()):,} small areas and {len(wards[1])} wards of "
                          f"{', '.join(spec.councils)} (--council).")
    return sa, wards


@dataclass(frozen=True)
class Prepared:
    """The checked contents of an import, ready to be written as a pack."""

    areas: gpd.GeoDataFrame  # small areas in BNG with population, age bands and need
    wards: gpd.GeoDataFrame
    lookup: keyed.Lookup | None  # the vintage bridge, when the files use other codes
    ages: dict  # age band key -> (column, label)
    need_labels: dict


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
    pop_frame, lookup, areas, wards = _read_geography(spec, report, sources)
    values, ages, weights = _population(spec, areas, lookup, report, sources, pop_frame)
    areas = areas.assign(**{k: values[k].to_numpy() for k in values.columns})
    need_labels = {}
    if spec.need is not None:
        need, need_labels = _need(spec, areas, lookup, report, sources, weights)
        areas = areas.assign(**{k: need[k].to_numpy() for k in need.columns})
    report.counts.update({"wards": len(wards), "small areas": len(areas),
                          "population": float(areas["population"].sum())})
    pack_writer.write_pack(spec, Prepared(areas, wards, lookup, ages, need_labels), report,
                           sources, out)
    return report


def _read_geography(spec: ImportSpec, report: Report, sources: list) -> tuple:
    """The population table, the vintage lookup, and the small areas and wards in BNG, checked
    to tile the borough without overlaps or gaps."""
    lookup, lookup_districts = _lookup(spec, sources)
    sa = _read_boundaries(spec.small_areas, "lsoa_code", "lsoa_name")
    sources.append(vintage.boundaries("small_areas", display_name(spec.small_areas), sa[0].columns))
    wd = _read_boundaries(spec.wards, "ward_code", "ward_name")
    sources.append(vintage.boundaries("wards", display_name(spec.wards), wd[0].columns))
    pop_frame = read_input(spec.population, "population", sources)
    if spec.councils:
        sa, wd = _keep_councils(spec, sa, wd, pop_frame, lookup_districts, report)
    areas = _boundaries(*sa, display_name(spec.small_areas), report)
    wards = _boundaries(*wd, display_name(spec.wards), report)
    if lookup is not None and spec.lookup_fallback is not None:
        old = _read_boundaries(spec.lookup_fallback, "lsoa_code", "lsoa_name")
        old_bng = _boundaries(*old, display_name(spec.lookup_fallback), Report())
        year = vintage.lsoa_vintage(old[0].columns)
        lookup = lookup.with_fallback(areas, old_bng, display_name(spec.lookup_fallback),
                                      report.matches, old_is_2011=year != "2021")
    if spec.councils and council.districts(wd[0], wd[1]) is None:
        wards = geometry_checks.wards_mostly_covered(wards, areas)
    sa_name, ward_name = display_name(spec.small_areas), display_name(spec.wards)
    geometry_checks.refuse_overlaps(areas, sa_name)
    geometry_checks.refuse_overlaps(wards, ward_name)
    geometry_checks.check_ward_cover(wards, areas, ward_name, sa_name, report.warnings)
    geometry_checks.refuse_areas_outside(areas, wards, sa_name, ward_name)
    return pop_frame, lookup, areas, wards


