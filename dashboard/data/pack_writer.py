"""Writing an import's checked contents as a data pack: its files, pack.toml and report.

The pack is written in a private folder beside ``out`` and must load before it replaces
anything there, so a failed or interrupted import leaves the user's old pack as it was.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import tomli_w

from dashboard.data import keyed, points, practice_import, vintage
from dashboard.data import recognise as rec
from dashboard.data.import_report import Report, display_name
from dashboard.data.loader import load_pack
from dashboard.data.manifest import MANIFEST
from dashboard.engine.footprints import estimate_registrations
from dashboard.errors import CodeError, DataFileError

if TYPE_CHECKING:
    from dashboard.data.importer import ImportSpec, Prepared

# An import is built in a folder of this prefix beside its destination, then renamed into place.
PARTIAL = ".importing-"
REPORT = "validation.json"


def write_pack(spec: ImportSpec, ready: Prepared, report: Report, sources: list,
               out: Path) -> None:
    """Write the pack in a private folder beside ``out``, check it loads, then put it there."""
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=parent, prefix=PARTIAL) as tmp:
        # Who is writing here: a sweep removes the folder at once if this process dies.
        (Path(tmp) / ".owner").write_text(f"{socket.gethostname()} {os.getpid()}")
        work = Path(tmp) / "pack"
        work.mkdir()
        origins = {"small_areas.gpkg": display_name(spec.small_areas),
                   "wards.gpkg": display_name(spec.wards)}
        ready.areas.to_file(work / "small_areas.gpkg", driver="GPKG")
        ready.wards.to_file(work / "wards.gpkg", driver="GPKG")
        layers = []
        for name, path in spec.groups.items():
            _groups(name, path, ready.wards).to_csv(work / f"{name}.csv", index=False)
            origins[f"{name}.csv"] = display_name(path)
            layers.append(grouping_table(name))
        if spec.practices is not None:
            layers.append(_write_practices(spec, ready, report, sources, work, origins))
        extra = _write_extras(spec, ready, report, sources, work, origins)
        vintage.apply_details(sources, spec.source_details)
        vintage.apply_given(sources, spec.vintages)
        spread = vintage.spread_warning(sources)
        if spread:
            report.warnings.append(spread)
        report.sources = [s.as_toml_table() for s in sources]
        (work / MANIFEST).write_text(_manifest(spec, {
            "ages": ready.ages, "need": ready.need_labels, "sources": report.sources,
            "origins": origins, "layers": layers, **extra}), encoding="utf-8")
        geo = load_pack(work)  # the pack must open before it replaces anything
        report.warnings += [w for w in geo.warnings if w not in report.warnings]
        _coverage(geo, report)
        (work / REPORT).write_text(report.to_json(), encoding="utf-8")
        _replace(work, out)


def _write_practices(spec, ready, report: Report, sources: list, work: Path,
                     origins: dict) -> dict:
    """practices.csv and registrations.csv (published, or estimated); the PCN layer's table."""
    practices = practice_import.read_practices(spec.practices, report, sources,
                                               spec.practice_filter)
    regs = None
    if spec.registrations is not None:
        regs = practice_import.read_registrations(spec.registrations, ready.areas, ready.lookup,
                                                  report, sources)
    if spec.councils:
        practices = practice_import.keep_pcns(practices, regs, ready.wards, report)
    practice_import.practices_outside(practices, ready.wards, display_name(spec.practices),
                                      report)
    practices.to_csv(work / "practices.csv", index=False)
    origins["practices.csv"] = display_name(spec.practices)
    if regs is not None:
        table = practice_import.registrations_table(regs, practices,
                                                    display_name(spec.practices), report)
        origins["registrations.csv"] = display_name(spec.registrations)
    else:
        table = _estimated(ready.areas, practices, spec.estimate, report)
    table.to_csv(work / "registrations.csv", index=False)
    report.counts["practices"] = len(practices)
    report.counts["PCNs"] = practices["pcn_code"].nunique()
    return _pcn_table(spec, estimated=regs is None)


def _write_extras(spec, ready, report: Report, sources: list, work: Path,
                  origins: dict) -> dict:
    """Hubs, a best-fit lookup and population-weighted centroids, when given; their tables."""
    extra: dict = {}
    if spec.hubs is not None:
        _hubs(spec.hubs, ready.wards, report).to_csv(work / "hubs.csv", index=False)
        origins["hubs.csv"] = display_name(spec.hubs)
        sources.append(vintage.Source("hubs", display_name(spec.hubs)))
        extra["hubs"] = {"file": "hubs.csv"}
    if spec.best_fit_lookup is not None:
        _best_fit(spec.best_fit_lookup, ready.areas, ready.wards, report).to_csv(
            work / "best_fit_wards.csv", index=False)
        origins["best_fit_wards.csv"] = display_name(spec.best_fit_lookup)
        sources.append(vintage.Source("best_fit_lookup", display_name(spec.best_fit_lookup)))
        extra["best_fit"] = {"wards": "best_fit_wards.csv"}
    if spec.centroids is not None:
        _centroids(spec.centroids, ready.areas, report).to_csv(work / "centroids.csv",
                                                               index=False)
        origins["centroids.csv"] = display_name(spec.centroids)
        sources.append(vintage.Source("centroids", display_name(spec.centroids)))
        extra["centroids"] = {"file": "centroids.csv"}
    return extra


def _hubs(path: Path, wards: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    source = display_name(path)
    out = points.read_hubs(rec.read_table(path), source, report.reprojections)
    points.check_inside(out["easting"], out["northing"], out["name"], wards.geometry.values,
                        source)
    return out


def _centroids(path: Path, areas: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    """Population-weighted centroids (as ONS publishes them for LSOAs) for the pack's areas."""
    source = display_name(path)
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
    source = display_name(path)
    frame = rec.read_table(path)
    sa_col = rec.find_column(frame.columns, "lsoa_code", source)
    ward_col = rec.find_column(frame.columns, "ward_code", source)
    out = pd.DataFrame({"small_area_code": keyed.codes_of(frame[sa_col], source, sa_col),
                        "unit_code": keyed.codes_of(frame[ward_col], source, ward_col)})
    out = out[out["small_area_code"].isin(set(areas["code"]))].drop_duplicates()
    clash = out["small_area_code"].duplicated(keep=False)
    if clash.any():
        raise CodeError(f"{source}: small area(s) "
                        f"{', '.join(out['small_area_code'][clash].unique()[:5])}"
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
    source = display_name(path)
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
    if code_col is None:
        raise DataFileError(f"{source}: needs a column of {name} codes beside the ward codes.")
    named = [c for c in rest if c != code_col and ("name" in c.lower()
                                                   or c.upper().endswith("NM"))]
    ward_names = (set(wards["name"].astype(str).str.strip().str.upper()) if "name" in wards
                  else set())
    name_col = _group_name_column(frame, code_col, named, source, ward_names)
    return pd.DataFrame({"ward_code": upper(ward_col),
                         f"{name}_code": frame[code_col].str.strip(),
                         f"{name}_name": frame[name_col].str.strip() if name_col
                         else frame[code_col].str.strip()})


def _group_name_column(frame: pd.DataFrame, code_col: str, named: list[str], source: str,
                       ward_names: set[str]) -> str | None:
    """The column naming each group, or None (groups then go by their codes). A ward-name
    column beside it (headed 'ward' or 'WDyyNM', or holding the wards' own names) is not one;
    a group-name column that gives one group two names is refused, so that no group is shown
    under another's name."""
    def for_wards(col: str) -> bool:
        head = col.lower()
        return ("ward" in head or col.upper().startswith("WD")
                or frame[col].str.strip().str.upper().isin(ward_names).mean() >= 0.5)

    candidates = [c for c in named if not for_wards(c)]
    if not candidates:
        return None
    col = candidates[0]
    counts = frame.groupby(code_col)[col].nunique(dropna=False)
    if counts.max() > 1:
        clashes = "; ".join(
            f"{code}: " + ", ".join(f"'{v}'" for v in frame.loc[frame[code_col] == code,
                                                                col].unique()[:3])
            for code in counts[counts > 1].index[:3])
        raise DataFileError(f"{source}: column '{col}' gives a group more than one name "
                            f"({clashes}). Give each group one name on every row.")
    return col


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


def _manifest(spec: ImportSpec, parts: dict) -> str:
    """pack.toml for an import: ``parts`` holds the age bands, need labels, sources, origins,
    the layers beyond wards, and the optional hubs, best-fit and centroid tables."""
    small_areas: dict = {"file": "small_areas.gpkg", "label": "LSOAs"}
    if parts["ages"]:
        small_areas["age_bands"] = {k: label for k, (_, label) in parts["ages"].items()}
    if parts["need"]:
        small_areas["need"] = {k: {"label": v} for k, v in parts["need"].items()}
    small_areas.update({k: parts[k] for k in ("best_fit", "centroids") if k in parts})
    pack = {"name": spec.name, "fictional": False, **({"open_data": True} if spec.open_data else {}),
            "description": spec.description, "sources": parts["sources"],
            # the pack's files and the user's files they came from
            "origins": parts["origins"]}
    wards = {"name": "wards", "type": "polygons", "label": "Electoral wards", "file": "wards.gpkg"}
    doc = {"pack": pack, "small_areas": small_areas, "layers": [wards, *parts["layers"]],
           **({"hubs": parts["hubs"]} if "hubs" in parts else {})}
    return "# Data pack written by `python -m dashboard import`; see validation.json.\n" + \
        tomli_w.dumps(doc)


def grouping_table(name: str, label: str | None = None, file: str | None = None,
                   user_defined: bool = False) -> dict:
    """A grouping of wards as a ``[[layers]]`` table; its CSV has columns ward_code,
    NAME_code and NAME_name. ``user_defined``: drawn in the dashboard, labelled so."""
    return {"name": name, "type": "grouping",
            "label": label or name.replace("_", " ").capitalize(), "of": "wards",
            "file": file or name + ".csv", **({"user_defined": True} if user_defined else {}),
            "columns": {"member": "ward_code", "code": f"{name}_code", "name": f"{name}_name"}}


def _pcn_table(spec: ImportSpec, estimated: bool) -> dict:
    label = "PCNs (estimated from practice locations)" if estimated else "Primary Care Networks"
    return {"name": "pcns", "type": "registration", "label": label,
            "practices": "practices.csv", "registrations": "registrations.csv",
            "rule": spec.pcn_rule, "min_share": spec.min_share, "estimated": estimated,
            "registration_columns": {"practice": "practice_code", "small_area": "lsoa_code"}}
