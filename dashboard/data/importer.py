"""Turn official ONS, MHCLG and NHS England files into a data pack, with a validation report.

The pack is written to a temporary folder beside ``out`` and moved into place only when it loads
cleanly, so a failed import never leaves a half-written pack or damages an existing one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data import points
from dashboard.data import recognise as rec
from dashboard.data.build import repair_polygons, to_bng
from dashboard.data.codes import clean_codes, explain_unmatched, require_unique
from dashboard.data.loader import load_pack
from dashboard.engine.footprints import RULES, estimate_registrations
from dashboard.engine.geography import BNG
from dashboard.errors import CodeError, DataFileError

REPORT = "validation.json"
# An import is built in a folder of this prefix beside its destination, then renamed into place.
PARTIAL = ".importing-"


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
    need_columns: dict[str, str] = field(default_factory=dict)  # key -> column
    population_column: str | None = None
    pcn_rule: str = "proportional"
    min_share: float = 0.0
    estimate: str = "gravity"
    practice_filter: tuple[str, str] | None = None  # keep practices where column == value


@dataclass
class Report:
    """What the import found: printed for people and saved as JSON in the pack."""

    matches: list[str] = field(default_factory=list)
    reprojections: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = []
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
                           "warnings": self.warnings, "counts": self.counts}, indent=2)


def _boundaries(path: Path, code_role: str, name_role: str, report: Report) -> gpd.GeoDataFrame:
    frame = rec.read_boundaries(path)
    code = rec.find_column(frame.columns, code_role, path.name)
    name = rec.find_column(frame.columns, name_role, path.name, required=False)
    out = gpd.GeoDataFrame({
        "code": clean_codes(frame[code], path.name, code),
        "name": frame[name].astype(str) if name else frame[code].astype(str),
    }, geometry=frame.geometry.values, crs=frame.crs)
    require_unique(out["code"], path.name, code)
    if out.crs is None:
        raise DataFileError(
            f"{path.name}: the file does not say its coordinate system. Save it with one "
            "(ONS files are EPSG:27700 or EPSG:4326)."
        )
    if not out.crs.equals(BNG):
        report.reprojections.append(f"{path.name}: reprojected from {out.crs.to_string()} to "
                                    "British National Grid (EPSG:27700).")
    out = to_bng(out, path.name, fix="Re-save the file in British National Grid "
                 "(EPSG:27700), or with its true coordinate system, and import it again.")
    repairs: list[str] = []
    out = repair_polygons(out, path.name, repairs)
    report.repairs += repairs
    return out


def _match_line(source: str, codes: pd.Series, target: pd.Series, what: str) -> tuple[str, list]:
    missing = sorted(set(target) - set(codes))
    found = len(target) - len(missing)
    line = f"{found} of {len(target)} {what} codes in {source} match the boundaries"
    if missing:
        line += f"; missing: {', '.join(missing[:8])}" + (" …" if len(missing) > 8 else "")
    return line + ".", missing


@dataclass
class _Bridge:
    """LSOA 2011 <-> 2021 lookup as weights from table codes to boundary codes (rows sum to 1)."""

    frame: pd.DataFrame  # table_code, area_code, weight

    def extensive(self, codes: pd.Series, values: pd.DataFrame) -> pd.DataFrame:
        """Counts re-keyed to boundary codes: split by area share, summed over merges."""
        data = values.assign(table_code=codes.to_numpy())
        joined = self.frame.merge(data, on="table_code")
        cols = list(values.columns)
        joined[cols] = joined[cols].mul(joined["weight"], axis=0)
        return joined.groupby("area_code", sort=False)[cols].sum()


def _bridge(lookup: Path, table_codes: set, area: gpd.GeoDataFrame, report: Report) -> _Bridge:
    frame = rec.read_table(lookup)
    cols = {c: c for c in frame.columns}
    c11 = next((c for c in cols if c.upper() in ("LSOA11CD", "LSOA11_CODE")), None)
    c21 = next((c for c in cols if c.upper() in ("LSOA21CD", "LSOA21_CODE")), None)
    if not c11 or not c21:
        raise DataFileError(f"{lookup.name}: expected ONS lookup columns LSOA11CD and LSOA21CD; "
                            f"found {', '.join(frame.columns[:10])}.")
    pairs = pd.DataFrame({"c11": clean_codes(frame[c11], lookup.name, c11),
                          "c21": clean_codes(frame[c21], lookup.name, c21)}).drop_duplicates()
    area_codes = set(area["code"])
    if len(area_codes & set(pairs["c21"])) >= len(area_codes & set(pairs["c11"])):
        table_col, area_col, direction = "c11", "c21", "LSOA 2011 table onto 2021 boundaries"
    else:
        table_col, area_col, direction = "c21", "c11", "LSOA 2021 table onto 2011 boundaries"
    pairs = pairs[pairs[area_col].isin(area_codes) & pairs[table_col].isin(table_codes)]
    sizes = area.set_index("code").geometry.area
    pairs = pairs.assign(size=pairs[area_col].map(sizes).to_numpy())
    pairs["weight"] = pairs["size"] / pairs.groupby(table_col)["size"].transform("sum")
    splits = int((pairs.groupby(table_col).size() > 1).sum())
    merges = int((pairs.groupby(area_col).size() > 1).sum())
    report.matches.append(
        f"Bridged the {direction} through {lookup.name}: {splits} split code(s) shared by area, "
        f"{merges} merged code(s) summed."
    )
    return _Bridge(pairs.rename(columns={table_col: "table_code", area_col: "area_code"})
                   [["table_code", "area_code", "weight"]])


def _keyed_values(frame: pd.DataFrame, code_col: str, columns: dict[str, str], source: str,
                  areas: gpd.GeoDataFrame, bridge_file: Path | None, report: Report,
                  what: str, extensive: bool, weights: pd.Series | None = None) -> pd.DataFrame:
    """Values of ``columns`` (key -> file column) keyed by boundary code, bridged if needed."""
    codes = clean_codes(frame[code_col], source, code_col)
    values = pd.DataFrame({key: pd.to_numeric(frame[col].str.replace(",", ""), errors="coerce")
                           for key, col in columns.items()})
    bad = values.isna().any(axis=1)
    if bad.any():
        col = next(columns[k] for k in columns if values[k].isna().any())
        raise DataFileError(f"{source}: column '{col}' has values that are not numbers, first "
                            f"at code {codes[bad].iloc[0]}. Fix or remove those rows.")
    negative = (values < 0).any(axis=1)
    if extensive and negative.any():
        col = next(columns[k] for k in columns if (values[k] < 0).any())
        raise DataFileError(f"{source}: column '{col}' has negative counts, first at code "
                            f"{codes[negative].iloc[0]}. Counts of people cannot be negative.")
    area_codes = areas["code"]
    hit = codes.isin(set(area_codes)).mean()
    complete = set(area_codes) <= set(codes)
    if not complete and bridge_file is not None:
        bridge = _bridge(bridge_file, set(codes), areas, report)
        if extensive:
            out = bridge.extensive(codes, values)
        else:
            w = weights.reindex(codes).fillna(1.0).to_numpy() if weights is not None else 1.0
            sums = bridge.extensive(codes, values.mul(w, axis=0))
            totals = bridge.extensive(codes, pd.DataFrame({"w": np.broadcast_to(w, len(codes))}))
            out = sums.div(totals["w"], axis=0)
    else:
        if hit < 0.5:
            raise CodeError(
                f"{source}: only {hit:.0%} of its {what} codes match the boundaries (e.g. "
                f"{codes.iloc[0]} vs {area_codes.iloc[0]}). If one file uses LSOA 2011 codes "
                "and the other 2021, give the ONS lookup with --lsoa-lookup."
            )
        out = values.assign(code=codes.to_numpy()).groupby("code").sum() if extensive else \
            values.assign(code=codes.to_numpy()).groupby("code").mean()
    line, missing = _match_line(source, pd.Series(out.index), area_codes, what)
    report.matches.append(line)
    if missing:
        unknown = sorted(set(out.index) - set(area_codes))
        hint = explain_unmatched(unknown, missing, source, code_col, "the boundaries") \
            if unknown else ""
        hint = f" {hint}" if "leading zeros" in hint or "capital" in hint.lower() else ""
        raise CodeError(f"{source}: no {what} figures for {len(missing)} small area(s) of the "
                        f"boundaries: {', '.join(missing[:8])}. Every small area needs them; "
                        "check the file covers the whole borough and uses the same LSOA vintage."
                        + hint)
    extra = len(set(out.index) - set(area_codes))
    if extra:
        report.matches.append(f"{source}: {extra} code(s) outside the boundaries ignored "
                              "(other areas).")
    return out.reindex(area_codes.to_numpy())


def _practices(path: Path, wards: gpd.GeoDataFrame, report: Report,
               keep: tuple[str, str] | None = None) -> pd.DataFrame:
    frame = rec.read_table(path)
    if keep is not None:
        column, value = keep
        if column not in frame.columns:
            raise DataFileError(f"{path.name}: no column '{column}' to filter practices by "
                                f"(--practice-filter). Columns: {', '.join(frame.columns[:15])}.")
        dropped = frame[frame[column].str.strip() != value]
        frame = frame[frame[column].str.strip() == value]
        if len(dropped):
            report.warnings.append(f"{path.name}: {len(dropped)} practice(s) left out where "
                                   f"{column} is not {value}.")
    cols = {role: rec.find_column(frame.columns, role, path.name) for role in
            ("practice_code", "practice_name", "pcn_code", "pcn_name")}
    size = rec.find_column(frame.columns, "list_size", path.name, required=False)
    out = pd.DataFrame({
        "practice_code": clean_codes(frame[cols["practice_code"]], path.name,
                                     cols["practice_code"]),
        "practice_name": frame[cols["practice_name"]],
        "pcn_code": clean_codes(frame[cols["pcn_code"]], path.name, cols["pcn_code"]),
        "pcn_name": frame[cols["pcn_name"]],
        "list_size": pd.to_numeric(frame[size], errors="coerce").fillna(0) if size else 0.0,
    })
    out["easting"], out["northing"] = points.bng_coordinates(
        frame, path.name, out["practice_code"], report.reprojections)
    missing = out["easting"].isna() | out["northing"].isna()
    if missing.any():
        raise DataFileError(f"{path.name}: practice(s) {', '.join(out['practice_code'][missing][:5])}"
                            " have no coordinates. Add them or remove those rows.")
    border = shapely.union_all(np.asarray(wards.geometry.values))
    inside = shapely.contains_xy(border, out["easting"], out["northing"])
    if (~inside).any():
        report.warnings.append(
            f"{path.name}: {int((~inside).sum())} of {len(out)} practices lie outside the "
            f"borough (e.g. {', '.join(out['practice_code'][~inside][:5])}); their patients "
            "who live in the borough still count."
        )
    return out


def _registrations(path: Path, areas: gpd.GeoDataFrame, bridge_file: Path | None,
                   report: Report) -> pd.DataFrame:
    frame = rec.read_table(path)
    prac = rec.find_column(frame.columns, "practice_code", path.name)
    lsoa = rec.find_column(frame.columns, "lsoa_code", path.name)
    patients = rec.find_column(frame.columns, "patients", path.name)
    sex = next((c for c in frame.columns if c.upper() == "SEX"), None)
    if sex is not None and (frame[sex].str.upper() == "ALL").any():
        frame = frame[frame[sex].str.upper() == "ALL"]  # NHS files repeat rows by sex
    frame = frame.assign(**{lsoa: frame[lsoa].str.strip()})
    known = frame[lsoa].str.match(r"^[EW]0\d{7}$")
    frame = frame[known]
    codes = clean_codes(frame[lsoa], path.name, lsoa)
    counts = pd.to_numeric(frame[patients], errors="coerce").fillna(0.0)
    total = counts.sum()
    area_codes = set(areas["code"])
    if codes.isin(area_codes).mean() < 0.2 and bridge_file is not None:
        bridge = _bridge(bridge_file, set(codes), areas, report).frame
        data = pd.DataFrame({"practice": frame[prac].str.strip().to_numpy(),
                             "table_code": codes.to_numpy(), "patients": counts.to_numpy()})
        joined = data.merge(bridge, on="table_code")
        out = pd.DataFrame({"practice_code": joined["practice"],
                            "lsoa_code": joined["area_code"],
                            "patients": joined["patients"] * joined["weight"]})
    else:
        out = pd.DataFrame({"practice_code": frame[prac].str.strip().to_numpy(),
                            "lsoa_code": codes.to_numpy(), "patients": counts.to_numpy()})
    report.counts["registered patients"] = float(total)
    return out.groupby(["practice_code", "lsoa_code"], as_index=False)["patients"].sum()


def _hubs(path: Path, wards: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    out = points.read_hubs(rec.read_table(path), path.name, report.reprojections)
    points.check_inside(out["easting"], out["northing"], out["name"],
                        shapely.union_all(np.asarray(wards.geometry.values)), path.name)
    return out


def _centroids(path: Path, areas: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    """Population-weighted centroids (as ONS publishes them for LSOAs) for the pack's areas."""
    frame = rec.read_table(path)
    code = rec.find_column(frame.columns, "lsoa_code", path.name)
    out = pd.DataFrame({"code": clean_codes(frame[code], path.name, code)})
    out["easting"], out["northing"] = points.bng_coordinates(frame, path.name, out["code"],
                                                             report.reprojections)
    out = out[out["code"].isin(set(areas["code"]))].dropna()
    report.matches.append(f"{path.name}: centroids for {len(out)} of {len(areas)} small areas.")
    return out


def _groups(name: str, path: Path, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    frame = rec.read_table(path)
    ward_codes = set(wards["code"])
    # The ward column is the one whose values are ward codes.
    ward_col = max(frame.columns, key=lambda c: frame[c].str.strip().isin(ward_codes).mean())
    if frame[ward_col].str.strip().isin(ward_codes).mean() < 0.5:
        raise CodeError(f"{path.name}: no column holds the wards' codes (e.g. "
                        f"{next(iter(sorted(ward_codes)))}). Give a column of ward codes.")
    rest = [c for c in frame.columns if c != ward_col]
    code_col = next((c for c in rest if "code" in c.lower() or c.upper().endswith("CD")),
                    rest[0] if rest else None)
    name_col = next((c for c in rest if c != code_col and ("name" in c.lower()
                                                            or c.upper().endswith("NM"))), None)
    if code_col is None:
        raise DataFileError(f"{path.name}: needs a column of {name} codes beside the ward codes.")
    return pd.DataFrame({"ward_code": frame[ward_col].str.strip(),
                         f"{name}_code": frame[code_col].str.strip(),
                         f"{name}_name": frame[name_col].str.strip() if name_col
                         else frame[code_col].str.strip()})


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
    report = Report()
    areas = _boundaries(spec.small_areas, "lsoa_code", "lsoa_name", report)
    wards = _boundaries(spec.wards, "ward_code", "ward_name", report)
    pop_frame = rec.read_table(spec.population)
    code_col = rec.find_column(pop_frame.columns, "lsoa_code", spec.population.name)
    pop_col = rec.pick(pop_frame.columns, spec.population_column, "population",
                       spec.population.name, "--population-column")
    ages = {key: (col, label) for key, (pattern, label) in rec.DENOMINATOR_AGES.items()
            for col in pop_frame.columns if pd.Series([col]).str.match(pattern).iloc[0]}
    values = _keyed_values(pop_frame, code_col, {"population": pop_col} |
                           {k: c for k, (c, _) in ages.items()}, spec.population.name, areas,
                           spec.lsoa_lookup, report, "population", extensive=True)
    areas = areas.assign(**{k: values[k].to_numpy() for k in values.columns})
    need_labels = {}
    if spec.need is not None:
        need_frame = rec.read_table(spec.need)
        ncode = rec.find_column(need_frame.columns, "lsoa_code", spec.need.name)
        columns = dict(spec.need_columns) or {
            key: next(c for c in names if c in need_frame.columns)
            for key, (names, _) in rec.FILE7_NEED.items()
            if any(c in need_frame.columns for c in names)}
        if not columns:
            raise DataFileError(
                f"{spec.need.name}: no need columns recognised (the English Indices of "
                "Deprivation File 7 layout). Name them with --need KEY=COLUMN."
            )
        for key, col in columns.items():
            if col not in need_frame.columns:
                raise DataFileError(f"{spec.need.name}: no column '{col}' (for need '{key}').")
            need_labels[key] = rec.FILE7_NEED[key][1] if key in rec.FILE7_NEED else col
        pop_weights = pd.Series(pd.to_numeric(pop_frame[pop_col], errors="coerce").to_numpy(),
                                index=clean_codes(pop_frame[code_col], spec.population.name,
                                                  code_col).to_numpy())
        need = _keyed_values(need_frame, ncode, columns, spec.need.name, areas, spec.lsoa_lookup,
                             report, "need", extensive=False, weights=pop_weights)
        areas = areas.assign(**{k: need[k].to_numpy() for k in need.columns})
    report.counts.update({"wards": len(wards), "small areas": len(areas),
                          "population": float(areas["population"].sum())})
    Path(out).resolve().parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=Path(out).resolve().parent, prefix=PARTIAL) as tmp:
        work = Path(tmp) / "pack"
        work.mkdir()
        areas.to_file(work / "small_areas.gpkg", driver="GPKG")
        wards.to_file(work / "wards.gpkg", driver="GPKG")
        layers = []
        for name, path in spec.groups.items():
            _groups(name, path, wards).to_csv(work / f"{name}.csv", index=False)
            layers.append(_grouping_toml(name))
        if spec.practices is not None:
            practices = _practices(spec.practices, wards, report, spec.practice_filter)
            practices.to_csv(work / "practices.csv", index=False)
            if spec.registrations is not None:
                regs = _registrations(spec.registrations, areas, spec.lsoa_lookup, report)
                estimated = False
            else:
                points = shapely.point_on_surface(np.asarray(areas.geometry.values))
                regs = estimate_registrations(
                    pd.DataFrame({"code": areas["code"], "population": areas["population"],
                                  "x": shapely.get_x(points), "y": shapely.get_y(points)}),
                    practices.rename(columns={"practice_code": "code", "easting": "x",
                                              "northing": "y"}), spec.estimate)
                regs = regs.rename(columns={"practice": "practice_code",
                                            "small_area": "lsoa_code"})
                estimated = True
                report.warnings.append(
                    "No registrations file: PCN footprints are ESTIMATES from practice "
                    f"locations and list sizes ({spec.estimate} rule), labelled as such.")
            regs.to_csv(work / "registrations.csv", index=False)
            report.counts["practices"] = len(practices)
            report.counts["PCNs"] = practices["pcn_code"].nunique()
            layers.append(_pcn_toml(spec, estimated))
        extra = ""
        if spec.hubs is not None:
            _hubs(spec.hubs, wards, report).to_csv(work / "hubs.csv", index=False)
            extra = '\n[hubs]\nfile = "hubs.csv"\n'
        if spec.centroids is not None:
            _centroids(spec.centroids, areas, report).to_csv(work / "centroids.csv", index=False)
            extra += '\n[small_areas.centroids]\nfile = "centroids.csv"\n'
        (work / "pack.toml").write_text(
            _manifest(spec, ages, need_labels) + "".join(layers) + extra, encoding="utf-8")
        geo = load_pack(work)  # the pack must open before it replaces anything
        report.warnings += list(geo.warnings)
        _coverage(geo, report)
        (work / REPORT).write_text(report.to_json(), encoding="utf-8")
        _replace(work, Path(out))
    return report


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
    """Move the finished pack into ``out``, keeping any old pack until the new one is in place."""
    old = out.with_name(out.name + ".old")
    if out.exists():
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
    shutil.move(str(work), str(out))
    if old.exists():
        shutil.rmtree(old)


def _toml_str(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def _manifest(spec: ImportSpec, ages: dict, need_labels: dict) -> str:
    lines = [
        "# Data pack written by `python -m dashboard import`; see validation.json.",
        "[pack]", f"name = {_toml_str(spec.name)}", "fictional = false",
        f"description = {_toml_str('Imported from official ONS, MHCLG and NHS files.')}",
    ]
    for path in (spec.small_areas, spec.wards, spec.population, spec.need, spec.lsoa_lookup,
                 spec.practices, spec.registrations, *spec.groups.values(), spec.hubs,
                 spec.centroids):
        if path is not None:
            lines += ["", "[[pack.sources]]", f"title = {_toml_str(path.name)}",
                      'publisher = "As supplied to the import; add publisher, vintage, licence '
                      'and attribution here"']
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
