"""Open a data pack folder: read its files, rename columns to roles, validate, build the model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio.errors
import shapely

from dashboard.data.allocations import load_current, parse_resources, with_totals
from dashboard.data.build import (
    GroupingInput,
    PolygonInput,
    RegistrationInput,
    SmallAreaInput,
    build_geography,
    to_bng,
)
from dashboard.data.codes import clean_codes, numeric_column, require_columns, require_unique
from dashboard.data.manifest import MANIFEST, FileSpec, Manifest, read_manifest
from dashboard.data.points import check_inside
from dashboard.engine.access import representative_points
from dashboard.engine.derived import Derived
from dashboard.engine.geography import BNG, Geography
from dashboard.errors import DataFileError, GeometryError


def read_table(spec: FileSpec, required: tuple[str, ...], optional: tuple[str, ...] = ()
               ) -> pd.DataFrame:
    """Read a CSV with every column as text and rename the manifest's columns to their roles."""
    try:
        frame = pd.read_csv(spec.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DataFileError(
            f"{spec.source}: the file is empty. Export it again with its header row."
        ) from None
    except UnicodeDecodeError:
        raise DataFileError(f"{spec.source}: not UTF-8 text. Save it as 'CSV UTF-8'.") from None
    except pd.errors.ParserError as exc:
        raise DataFileError(f"{spec.source}: not a readable CSV ({exc}).") from None
    return _roles(frame, spec, required, optional)


def read_geo(spec: FileSpec, required: tuple[str, ...], optional: tuple[str, ...] = ()
             ) -> gpd.GeoDataFrame:
    """Read a GeoJSON/GeoPackage/Shapefile, apply a manifest CRS override, rename to roles."""
    try:
        frame = gpd.read_file(spec.path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataFileError(f"{spec.source}: cannot be read as a boundary file ({exc}).") from None
    if len(frame) == 0:
        raise DataFileError(f"{spec.source}: the file has no features. Check you exported the right layer.")
    if spec.crs:
        frame = frame.set_crs(spec.crs, allow_override=True)
    return _roles(frame, spec, required, optional)


def _roles(frame, spec: FileSpec, required, optional):
    if len(frame) == 0:
        raise DataFileError(f"{spec.source}: the file has a header but no rows.")
    cols = spec.columns
    require_columns(frame, [cols[r] for r in required], spec.source)
    keep = {cols[r]: r for r in (*required, *optional) if cols.get(r) in frame.columns}
    extra = [c for c in frame.columns if c not in keep and c != "geometry"]
    out = frame[[*keep, *(["geometry"] if "geometry" in frame.columns else [])] + extra]
    return out.rename(columns=keep)


def _small_areas(m: Manifest) -> SmallAreaInput:
    spec = m.small_areas
    roles = ("code", "name", "population")
    frame = read_geo(spec, roles)
    require_columns(frame, [*m.age_bands, *m.need], spec.source)
    return SmallAreaInput(frame, spec.source, dict(m.need), list(m.age_bands), m.small_area_label,
                          spec.columns)


def _practices(spec: FileSpec) -> pd.DataFrame:
    frame = read_table(spec, ("code", "name", "unit_code", "unit_name", "list_size", "x", "y"))
    codes = clean_codes(frame["code"], spec.source, spec.columns["code"])
    for role in ("list_size", "x", "y"):
        frame[role] = numeric_column(frame, role, spec.source, codes=codes,
                                     label=spec.columns[role])
    return frame


def load_hubs(spec: FileSpec) -> gpd.GeoDataFrame:
    """Read hubs (code, name, type, BNG easting/northing, optional staff) as BNG points."""
    frame = read_table(spec, ("code", "name", "type", "x", "y"), ("staff", "serves"))
    frame["code"] = clean_codes(frame["code"], spec.source, spec.columns["code"])
    require_unique(frame["code"], spec.source, spec.columns["code"])
    require_unique(frame["name"].str.strip(), spec.source, spec.columns["name"])
    for role in ("x", "y"):
        frame[role] = numeric_column(frame, role, spec.source, codes=frame["code"],
                                     label=spec.columns[role])
    if "staff" in frame:
        frame["staff"] = numeric_column(frame, "staff", spec.source, codes=frame["code"],
                                        allow_missing=True, label=spec.columns["staff"]
                                        ).fillna(0.0)
    if "serves" in frame:
        frame["serves"] = frame["serves"].str.strip()
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]),
                              crs=spec.crs or BNG)
    return to_bng(points, spec.source).drop(columns=["x", "y"])


# Population-weighted centroids lie inside their small area; allow for generalised boundaries.
CENTROID_EDGE_M = 100.0


def load_centroids(spec: FileSpec, geo: Geography) -> tuple[np.ndarray, list[str]]:
    """Population-weighted centroids (BNG) in small-area order. Small areas without one keep a
    point inside them, and a centroid far outside its own small area is refused."""
    frame = read_table(spec, ("code", "x", "y"))
    frame["code"] = clean_codes(frame["code"], spec.source, spec.columns["code"])
    require_unique(frame["code"], spec.source, spec.columns["code"])
    for role in ("x", "y"):
        frame[role] = numeric_column(frame, role, spec.source, codes=frame["code"],
                                     label=spec.columns[role])
    given = frame.set_index("code").reindex(list(geo.small_areas.codes))
    missing = given["x"].isna()
    points = representative_points(geo)
    points[~missing.to_numpy()] = given.loc[~missing, ["x", "y"]].to_numpy(dtype=float)
    gap = shapely.distance(np.asarray(geo.small_area_geometry.values),
                           shapely.points(points[:, 0], points[:, 1]))
    far = gap > CENTROID_EDGE_M
    if far.any():
        codes = np.asarray(geo.small_areas.codes, dtype=object)[far]
        raise GeometryError(
            f"{spec.source}: the centroid(s) of {', '.join(codes[:5])} lie outside their small "
            f"area (up to {gap.max() / 1000:.1f} km). Check the file is for the same LSOA vintage "
            "and in British National Grid metres.")
    notes = []
    if missing.any():  # not fatal: those small areas keep a point inside them
        notes.append(f"{spec.source}: {int(missing.sum())} small area(s) have no centroid (e.g. "
                     + ", ".join(given.index[missing][:3]) + "); a point inside each is used.")
    return points, notes


def _with_best_fit(geo: Geography, m: Manifest) -> Geography:
    """Best-fit of small areas to polygon layers by ONS's method where the pack allows it: a
    published best-fit lookup, else the unit holding each population-weighted centroid; the
    rest keep the largest-area rule. The rule used is recorded per layer."""
    index, rules, notes = {}, {}, []
    points = geo.metadata.get("small_area_points")
    for name, lay in geo.layers.items():
        if lay.kind != "polygons":
            continue
        rule, idx = "largest area", None
        if name in m.best_fit:
            idx, rule, note = best_fit_from_lookup(m.best_fit[name], geo, name)
            notes += note
        elif points is not None:
            idx = best_fit_from_points(geo, name, np.asarray(points))
            rule = "unit holding the population-weighted centroid (as ONS)"
        if idx is not None:
            index[name] = idx
        rules[name] = rule
    return dataclasses.replace(geo, metadata={**geo.metadata, "best_fit": index,
                                              "best_fit_rule": rules},
                               warnings=(*geo.warnings, *notes), derived=Derived())


def best_fit_from_points(geo: Geography, layer: str, points: np.ndarray) -> np.ndarray:
    """Unit of ``layer`` holding each small area's point; -1 where none does."""
    geoms = np.asarray(geo.layer_geometry[layer].values)
    tree = shapely.STRtree(geoms)
    pts = shapely.points(points[:, 0], points[:, 1])
    hit_pt, hit_unit = tree.query(pts, "within")
    out = np.full(len(points), -1, dtype=int)
    out[hit_pt] = hit_unit
    return out


def best_fit_from_lookup(spec: FileSpec, geo: Geography, layer: str
                         ) -> tuple[np.ndarray, str, list[str]]:
    """Best-fit units from a published lookup; small areas it lacks are left at -1."""
    frame = read_table(spec, ("small_area", "unit"))
    sa = clean_codes(frame["small_area"], spec.source, spec.columns["small_area"])
    unit = clean_codes(frame["unit"], spec.source, spec.columns["unit"])
    lay = geo.layer(layer)
    unknown = sorted(set(unit) - set(lay.codes))
    if unknown:
        raise DataFileError(f"{spec.source}: best-fit unit code(s) {', '.join(unknown[:5])} are "
                            f"not in layer '{layer}'. The lookup must be for the same ward "
                            "vintage as the boundaries.")
    by_code = dict(zip(sa, unit))
    out = np.array([lay.positions.get(by_code.get(c, ""), -1) for c in geo.small_areas.codes],
                   dtype=int)
    notes = []
    if (out < 0).any():
        missing = [c for c, i in zip(geo.small_areas.codes, out) if i < 0]
        notes.append(f"{spec.source}: no best-fit row for {len(missing)} small area(s) (e.g. "
                     f"{', '.join(missing[:3])}); those use the largest-area rule.")
    return out, f"published best-fit lookup ({spec.source})", notes


def _layer_inputs(m: Manifest) -> dict[str, list]:
    """Every layer's files read into build inputs, by layer type."""
    out: dict[str, list] = {"polygons": [], "grouping": [], "registration": []}
    for layer in m.layers:
        if layer.type == "polygons":
            spec = layer.files["file"]
            out["polygons"].append(PolygonInput(layer.name, layer.label,
                                                read_geo(spec, ("code", "name")), spec.source,
                                                spec.columns))
        elif layer.type == "grouping":
            spec = layer.files["file"]
            out["grouping"].append(GroupingInput(layer.name, layer.label, layer.of,
                                                 read_table(spec, ("member", "code", "name")),
                                                 spec.source, spec.columns))
        else:
            prac, reg = layer.files["practices"], layer.files["registrations"]
            out["registration"].append(RegistrationInput(
                layer.name, layer.label, _practices(prac),
                read_table(reg, ("practice", "small_area", "patients")),
                prac.source, reg.source, prac.columns, reg.columns,
                rule=layer.rule, min_share=layer.min_share, estimated=layer.estimated,
            ))
    return out


def load_pack(folder: str | Path, cache_dir: Path | None = None) -> Geography:
    """Load and validate the data pack in ``folder``.

    Parameters
    ----------
    folder
        A folder holding ``pack.toml`` and the files it names.
    cache_dir
        Where the cut pieces are kept between runs (``None``: cut every time).

    Returns
    -------
    Geography
        The immutable model, with non-fatal findings in ``warnings``.

    Raises
    ------
    DataPackError
        Naming the file, column or code at fault and what to do.
    """
    m = read_manifest(folder)
    inputs = _layer_inputs(m)
    hubs = load_hubs(m.hubs) if m.hubs else None
    geo = build_geography(
        _small_areas(m),
        inputs["polygons"],
        inputs["grouping"],
        inputs["registration"],
        hubs,
        name=m.name,
        fictional=m.fictional,
        metadata={"description": m.description, "sources": m.sources, "root": str(m.root),
                  "open_data": m.open_data,
                  "need_labels": dict(m.need), "age_band_labels": dict(m.age_bands)},
        cache_dir=cache_dir,
    )
    if hubs is not None:
        check_inside(hubs.geometry.x, hubs.geometry.y, hubs["name"], geo.small_area_geometry.values,
                     m.hubs.source)
    if m.centroids:
        points, notes = load_centroids(m.centroids, geo)
        geo = dataclasses.replace(geo, metadata={**geo.metadata, "small_area_points": points},
                                  warnings=(*geo.warnings, *notes))
    geo = _with_best_fit(geo, m)
    if not m.resources:
        return geo
    resources = parse_resources(m.resources, MANIFEST)
    current = load_current(m.allocations, geo, resources) if m.allocations else None
    return dataclasses.replace(geo, resources=tuple(with_totals(resources, current, MANIFEST)),
                               current_allocations=current)
