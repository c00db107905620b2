"""Write tables for planners: CSV, or Excel with a sheet that states method, vintages and sources."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from dashboard import readable
from dashboard.data.assignments import assignment_table
from dashboard.engine import mismatch, on_basis, overlap
from dashboard.engine.basis import registered_layer
from dashboard.engine.geography import BNG, Geography
from dashboard.engine.pieces import overlap_pieces
from dashboard.errors import DashboardError

FORMATS = (".csv", ".xlsx")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and header) that a spreadsheet would run as a formula
    prefixed with an apostrophe; numbers stay numbers. Names come from uploaded files, so no
    export writes them raw."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_inert_cell)
    out.columns = [_inert_cell(c) for c in out.columns]
    return out


def _inert_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame, *, exact: bool = False) -> bytes:
    """A table as CSV bytes, made inert: the one CSV writer of every download. Figures are
    rounded for reading unless ``exact`` and shares are named as fractions (see
    :mod:`dashboard.readable`). Text is quoted so that a carriage return inside a name cannot
    start a new row (and a formula with it); numbers are left bare so that spreadsheets read
    them as numbers."""
    shown = readable.csv_names(frame if exact else readable.rounded(frame))
    return inert(shown).to_csv(index=False, lineterminator="\n",
                               quoting=csv.QUOTE_NONNUMERIC).encode()


def about_rows(geo: Geography, details: Mapping[str, object]) -> pd.DataFrame:
    """Method, parameters, pack and source lines for the 'About' sheet of an export."""
    rows = [("Pack", geo.name)]
    if geo.fictional:
        rows.append(("Warning", "FICTIONAL DEMO DATA: no figure describes a real place."))
    rows += [(str(k), str(v)) for k, v in details.items()]
    rows += [("Estimate", f"{lay.label}: footprints ESTIMATED from practice locations and list "
                          "sizes, not from registrations.")
             for lay in geo.layers.values() if lay.estimated]
    rows.append(("Geometry", "Computed in British National Grid (EPSG:27700) metres."))
    rows += [(f"Best-fit rule ({geo.layer(name).label})", rule)
             for name, rule in geo.metadata.get("best_fit_rule", {}).items()]
    for i, src in enumerate(geo.metadata.get("sources", []), start=1):
        for key in ("title", "role", "publisher", "vintage", "licence", "attribution", "notes"):
            if key in src:
                rows.append((f"Source {i} {key}", src[key]))
    return pd.DataFrame(rows, columns=["item", "value"])


def write_tables(path: str | Path, sheets: Mapping[str, pd.DataFrame], geo: Geography,
                 details: Mapping[str, object], *, exact: bool = False) -> Path:
    """Write ``sheets`` to ``path``: CSV (sheets stacked under a ``table`` column when several,
    with no About sheet) or XLSX (one sheet each plus 'About', numbers formatted: people as
    whole numbers, shares as percentages).

    Figures are rounded for reading unless ``exact``; codes are written as text so that
    spreadsheets keep their leading zeros.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise DashboardError(
            f"Cannot write '{out.name}': use a file name ending in {' or '.join(FORMATS)}."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        if len(sheets) == 1:
            frame = next(iter(sheets.values()))
        else:
            frame = pd.concat([f.assign(table=name) for name, f in sheets.items()],
                              ignore_index=True)
            frame = frame[["table", *[c for c in frame.columns if c != "table"]]]
        out.write_bytes(csv_bytes(frame, exact=exact))
        return out
    details = {**details, "Figures": readable.EXACT_NOTE if exact else readable.READABLE_NOTE}
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            shown = frame if exact else readable.rounded(frame)
            inert(shown).to_excel(writer, sheet_name=_sheet_name(name), index=False)
            _number_formats(writer.sheets[_sheet_name(name)], shown)
        inert(about_rows(geo, details)).to_excel(writer, sheet_name="About", index=False)
    return out


def _number_formats(sheet, frame: pd.DataFrame) -> None:
    """Excel number formats by what each column holds: the cells stay numbers."""
    for j, col in enumerate(frame.columns, start=1):
        if not readable.numeric(frame[col]):
            continue
        fmt = readable.XLSX_FORMATS[readable.kind(col)]
        for (cell,) in sheet.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=j,
                                       max_col=j):
            cell.number_format = fmt


def _sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, not starting with a quote."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name)).strip("'")
    return clean[:31] or "Sheet"


EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel", "gpkg": "GeoPackage", "geojson": "GeoJSON"}


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def file_stem(geo: Geography, *parts: str) -> str:
    """A download's file name: borough, FICTIONAL for the demo, then what it holds."""
    return "-".join([slug(geo.name.split(" (")[0]), *(["FICTIONAL"] if geo.fictional else []),
                     *parts])


def basis_details(geo: Geography, basis: str) -> dict[str, str]:
    """The About line saying how people were counted."""
    if basis == "residents":
        return {"People counted as": "Residents (small-area population estimates)"}
    lay = registered_layer(geo)
    return {"People counted as": f"Patients registered at GP practices ({geo.layer(lay).label}), "
                                 "by the small area they live in (the 'population' columns)"}


def overlap_export(geo: Geography, from_layer: str, to_layer: str, method: str,
                   need: str | None, fmt: str, *, basis: str = "residents",
                   exact: bool = False) -> tuple[str, bytes]:
    """File name and bytes of an overlap export in ``fmt`` (a key of ``EXPORT_FORMATS``).

    CSV holds the overlap table; Excel adds both mismatch tables and the About sheet; GeoPackage
    (British National Grid) and GeoJSON (WGS84, as the format requires) carry the same rows with
    the shape of each piece. CSV and Excel figures are rounded for reading unless ``exact``; the
    map formats carry the engine's figures unrounded, for GIS work.
    """
    if fmt not in EXPORT_FORMATS:
        raise DashboardError(f"Unknown export format '{fmt}'; use one of: "
                             f"{', '.join(EXPORT_FORMATS)}.")
    counted = on_basis(geo, basis)
    ov = overlap(counted, from_layer, to_layer, method, need)
    stem = file_stem(geo, from_layer, to_layer, method,
                     *(["registered"] if basis != "residents" else []))
    details = {"From layer": geo.layer(from_layer).label, "To layer": geo.layer(to_layer).label,
               "Method": method, "Need indicator": ov.need_indicator or "none",
               **basis_details(geo, basis)}
    geo = counted
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{stem}.{fmt}"
        if fmt in ("csv", "xlsx"):
            sheets = {"overlaps": ov.table()}
            if fmt == "xlsx":
                mm = mismatch(ov)
                sheets[f"{from_layer} split"] = mm.from_units
                sheets[f"{to_layer} split"] = mm.to_units
            write_tables(out, sheets, geo, details, exact=exact)
        else:
            pieces = overlap_pieces(geo, from_layer, to_layer, method, need)
            if fmt == "geojson":
                pieces.to_crs("EPSG:4326").to_file(out, driver="GeoJSON")
            else:
                pieces.to_file(out, driver="GPKG", layer="overlaps")
                # The About table rides along as a non-spatial layer of the same file.
                pyogrio.write_dataframe(about_rows(geo, details), out, layer="about",
                                        driver="GPKG")
        return out.name, out.read_bytes()


def allocation_sheets(geo: Geography, layer: str, resources, current) -> tuple[dict, dict]:
    """Sheets (allocation, transfers, parameters) and About details of allocating ``resources``
    on ``layer``; the figures are the engine's, unrounded unless the resource rounds."""
    from dashboard.engine.allocation import CORE_METHODS, allocate

    tables, moves, params = [], [], []
    for res in resources:
        alloc = allocate(geo, layer, res, current)
        tables.append(alloc.table.assign(resource=res.name, unit=res.unit))
        moves += [{"resource": res.name, "amount": t.amount, "unit": t.unit,
                   "from_code": t.from_code, "from_name": t.from_name, "to_code": t.to_code,
                   "to_name": t.to_name, "instruction": t.sentence()} for t in alloc.transfers]
        r = alloc.resource
        params.append({"resource": r.name, "label": r.title, "unit": r.unit, "total": r.total,
                       "core": CORE_METHODS[r.core_method], "core_share": r.core_share,
                       "core_amount_per_area": r.core_amount, "need": r.need or "none",
                       "need_weight": r.need_weight, "minimum_per_area": r.minimum,
                       "rounding": r.rounding or "none", "notes": " ".join(alloc.notes)})
    allocation = pd.concat(tables, ignore_index=True)
    allocation = allocation[["resource", "unit", *[c for c in allocation.columns
                                                   if c not in ("resource", "unit")]]]
    transfers = pd.DataFrame(moves, columns=["resource", "amount", "unit", "from_code",
                                             "from_name", "to_code", "to_name", "instruction"])
    details = {
        "Layer": geo.layer(layer).label,
        "Method": "core part (equal, per head or fixed per area) + area-specific part by "
                  "weighted population = population x (1 - w + w x need / borough mean need)",
        "Totals": "kept exactly; minimums by water-filling; rounding by largest remainder",
        "Transfers": "the fewest moves that close every gap (exact up to 14 areas with a gap)",
        "Current allocation": "from the pack or the file given" if current is not None
                              else "none given",
    }
    return {"allocation": allocation, "transfers": transfers,
            "parameters": pd.DataFrame(params)}, details


ALLOCATION_FORMATS = {"xlsx": "Excel", "csv": "CSV"}


def allocation_export(geo: Geography, layer: str, resources, current,
                      fmt: str, *, exact: bool = False) -> tuple[str, bytes]:
    """File name and bytes of an allocation: Excel (allocation, transfers, parameters and
    About sheets) or CSV (the allocation table)."""
    if fmt not in ALLOCATION_FORMATS:
        raise DashboardError(f"Unknown export format '{fmt}'; use one of: "
                             f"{', '.join(ALLOCATION_FORMATS)}.")
    with tempfile.TemporaryDirectory() as tmp:
        out, _ = write_allocation(Path(tmp) / f"{file_stem(geo, 'allocation', layer)}.{fmt}", geo,
                                  layer, resources, current, exact=exact)
        return out.name, out.read_bytes()


def write_allocation(path: str | Path, geo: Geography, layer: str, resources,
                     current, *, exact: bool = False) -> tuple[Path, pd.DataFrame]:
    """Write an allocation to ``path`` (.xlsx: every sheet and About; .csv: the allocation
    table) and return the file and the transfers."""
    sheets, details = allocation_sheets(geo, layer, resources, current)
    transfers = sheets["transfers"]
    if Path(path).suffix.lower() == ".csv":
        sheets = {"allocation": sheets["allocation"]}  # one table per CSV
    return write_tables(path, sheets, geo, details, exact=exact), transfers


SCENARIO_FORMATS = {"csv": "Assignment CSV", "groups": "Groups CSV (for --group)",
                    "gpkg": "GeoPackage"}


def groups_table(geo: Geography, draft) -> pd.DataFrame:
    """The footprints as the import's ``--group NAME=FILE`` takes them: ward code, footprint
    code and name; every ward must be in a footprint."""
    table = assignment_table(geo, draft)
    if draft.unassigned:
        raise DashboardError(f"{len(draft.unassigned)} ward(s) are not in any footprint yet; "
                             "assign every ward first.")
    name = draft.layer
    return pd.DataFrame({"ward_code": table["ward_code"],
                         f"{name}_code": table["footprint_code"],
                         f"{name}_name": table["footprint_name"]})


def scenario_export(geo: Geography, draft, bal, name: str, fmt: str) -> tuple[str, bytes]:
    """A scenario as an assignment CSV (one row per ward) or a GeoPackage of its footprints
    (wards dissolved, British National Grid) with their balance figures and an About table."""
    if fmt not in SCENARIO_FORMATS:
        raise DashboardError(f"Unknown scenario format '{fmt}'; use csv or gpkg.")
    stem = file_stem(geo, draft.layer, "scenario", slug(name) or "draft")
    if fmt == "csv":
        return f"{stem}.csv", csv_bytes(assignment_table(geo, draft))
    if fmt == "groups":
        return f"{stem}-groups.csv", csv_bytes(groups_table(geo, draft))
    lay = geo.layer(draft.layer)
    wards = gpd.GeoDataFrame({"code": [draft.assignment[m] for m in geo.layer(lay.member_of).codes]},
                             geometry=geo.layer_geometry[lay.member_of].values, crs=BNG)
    shapes = wards.dissolve(by="code")
    table = bal.table.drop(columns=["within", "need_within"]).set_index("code")
    out_frame = gpd.GeoDataFrame(table.join(shapes, how="inner"), geometry="geometry", crs=BNG)
    details = {"Scenario": name or "(unsaved draft)", "Layer": lay.label,
               "Compared with": geo.layer(bal.against).label,
               "Alignment score": f"{bal.alignment:.4f}",
               "Population band": f"target {bal.target:,.0f} ± {bal.tolerance:.0%}"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{stem}.gpkg"
        out_frame.reset_index().to_file(out, driver="GPKG", layer="footprints")
        pyogrio.write_dataframe(about_rows(geo, details), out, layer="about", driver="GPKG")
        return out.name, out.read_bytes()


HUB_FORMATS = {"csv": "hubs table (CSV)", "areas_csv": "small areas (CSV)",
               "xlsx": "all tables (Excel)", "gpkg": "catchments (GeoPackage)"}
STRAIGHT_LINE = "Straight lines in British National Grid metres, not travel times"


def hub_sheets(result, changes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The hub access tables, named as sheets."""
    sheets = {"Hubs": result.catchments, "Access bands": result.bands}
    if result.footprints is not None:
        sheets["Footprints"] = result.footprints
    sheets["Small areas"] = result.areas
    sheets["Changes"] = changes
    return sheets


def hub_export(geo: Geography, result, changes: pd.DataFrame, name: str, fmt: str, *,
               exact: bool = False) -> tuple[str, bytes]:
    """Hub access as a CSV of hubs or of small areas, an Excel workbook of every table, or a
    GeoPackage of catchments (small areas dissolved by nearest hub), hubs and small areas."""
    if fmt not in HUB_FORMATS:
        raise DashboardError(f"Unknown hubs format '{fmt}'; use {', '.join(HUB_FORMATS)}.")
    stem = file_stem(geo, "hub-access", slug(name) or "hubs")
    details = {"Scenario": name or "(unsaved hubs)", "Distances": STRAIGHT_LINE,
               "Residents placed at": result.method,
               "Need weighting": geo.need_labels.get(result.need, "none") if result.need
               else "none",
               "Footprints": geo.layer(result.layer).label if result.layer else "none"}
    if fmt in ("csv", "areas_csv"):
        table = result.catchments if fmt == "csv" else result.areas
        suffix = "hubs" if fmt == "csv" else "small-areas"
        return f"{stem}-{suffix}.csv", csv_bytes(table, exact=exact)
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "xlsx":
            out = write_tables(Path(tmp) / f"{stem}.xlsx", hub_sheets(result, changes), geo,
                               details, exact=exact)
            return out.name, out.read_bytes()
        out = Path(tmp) / f"{stem}.gpkg"
        areas = gpd.GeoDataFrame(result.areas, geometry=geo.small_area_geometry.values, crs=BNG)
        served = areas[areas["nearest_hub"] != ""]
        if len(served):
            shapes = served[["nearest_hub", "geometry"]].dissolve(by="nearest_hub")
            table = result.catchments.set_index("code")
            catchments = gpd.GeoDataFrame(table.join(shapes, how="inner"), geometry="geometry",
                                          crs=BNG)
            catchments.reset_index().to_file(out, driver="GPKG", layer="catchments")
            hubs = gpd.GeoDataFrame(result.catchments, crs=BNG, geometry=gpd.points_from_xy(
                result.hubs["x"], result.hubs["y"]))
            hubs.to_file(out, driver="GPKG", layer="hubs")
        areas.to_file(out, driver="GPKG", layer="small_areas")
        pyogrio.write_dataframe(about_rows(geo, details), out, layer="about", driver="GPKG")
        return out.name, out.read_bytes()
