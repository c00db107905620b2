"""Validate in-memory tables and build the immutable :class:`Geography` from them.

The loader (:mod:`dashboard.data.loader`) reads files into the input classes below; tests build
tiny geographies from hand-made frames through the same path, so both meet the same checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data.atoms_cache import cached_atoms
from dashboard.data.codes import (
    clean_codes,
    column_label,
    explain_unmatched,
    numeric_column,
    require_columns,
    require_unique,
    unmatched,
)
from dashboard.data.registrations import RegistrationInput, registration_layer
from dashboard.engine.atoms import polygonal
from dashboard.engine.geography import (
    BNG,
    SMALL_AREAS,
    Geography,
    Layer,
    LazyGeometry,
    frozen_array,
)
from dashboard.errors import CodeError, DataFileError, GeometryError, ManifestError

# British National Grid covers Great Britain within these bounds (metres).
_BNG_BOUNDS = (-10_000, -10_000, 710_000, 1_300_000)
# Warn when more of a small area than this lies outside a polygon layer (generalisation noise).
UNCOVERED_WARN = 0.01


@dataclass
class SmallAreaInput:
    frame: gpd.GeoDataFrame  # columns code, name, population, age bands, need indicators
    source: str
    need_labels: dict[str, str] = field(default_factory=dict)
    age_bands: list[str] = field(default_factory=list)
    label: str = "Small areas"
    columns: dict[str, str] = field(default_factory=dict)  # role -> column name in the file


@dataclass
class PolygonInput:
    name: str
    label: str
    frame: gpd.GeoDataFrame  # columns code, name, geometry
    source: str
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class GroupingInput:
    name: str
    label: str
    of: str
    frame: pd.DataFrame  # columns member, code, name
    source: str
    columns: dict[str, str] = field(default_factory=dict)


MANIFEST_CRS_FIX = "Set `crs = \"EPSG:27700\"` for this file in the manifest, or fix the file's CRS."


def to_bng(frame: gpd.GeoDataFrame, source: str, fix: str = MANIFEST_CRS_FIX) -> gpd.GeoDataFrame:
    """Reproject ``frame`` to British National Grid, refusing a missing or implausible CRS.

    ``fix`` is the advice given when a file labelled longitude/latitude holds metres.
    """
    if len(frame) == 0:
        raise DataFileError(f"{source}: the file has no features. Check you exported the right layer.")
    if frame.crs is None:
        raise GeometryError(
            f"{source}: the file does not say which coordinate system it uses. Re-export it with "
            "its CRS (ONS boundary files are EPSG:27700 or EPSG:4326), or set `crs` for this file "
            "in the manifest."
        )
    minx, miny, maxx, maxy = frame.total_bounds
    if frame.crs.is_geographic and (abs(minx) > 180 or abs(maxx) > 180 or abs(maxy) > 90):
        raise GeometryError(
            f"{source}: the file says it is in longitude/latitude ({frame.crs.to_string()}) but "
            f"its coordinates reach ({minx:.0f}, {miny:.0f}), which look like metres. {fix}"
        )
    out = frame if frame.crs.equals(BNG) else frame.to_crs(BNG)
    minx, miny, maxx, maxy = out.total_bounds
    lo_x, lo_y, hi_x, hi_y = _BNG_BOUNDS
    if not (lo_x <= minx and maxx <= hi_x and lo_y <= miny and maxy <= hi_y):
        raise GeometryError(
            f"{source}: coordinates fall outside Great Britain once in British National Grid "
            f"(x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f}). The file's CRS "
            f"({frame.crs.to_string()}) is probably wrong, or longitude and latitude are swapped."
        )
    return out


def repair_polygons(frame: gpd.GeoDataFrame, source: str, warnings: list[str]) -> gpd.GeoDataFrame:
    """Repair invalid polygons with ``make_valid`` (warning by code); refuse what cannot be."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        codes = ", ".join(frame["code"][empty].astype(str).head(5))
        raise GeometryError(f"{source}: features {codes} have no geometry. Add it or drop them.")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        # make_valid can return lines or points beside the polygon; only area matters here.
        fixed = polygonal(fixed)
        before = shapely.area(geoms[invalid])
        after = shapely.area(fixed)
        codes = frame["code"][invalid].astype(str).tolist()
        lost = [c for c, b, a in zip(codes, before, after) if a <= 0 or abs(a - b) > 0.01 * b]
        if lost:
            raise GeometryError(
                f"{source}: polygons {', '.join(lost[:5])} are invalid and repairing them would "
                "change their area by more than 1%. Fix them in a GIS (e.g. QGIS 'Fix geometries')."
            )
        warnings.append(
            f"{source}: repaired {len(codes)} invalid polygon(s) ({', '.join(codes[:5])}) with "
            "make_valid; areas changed by under 1%."
        )
        geoms = geoms.copy()
        geoms[invalid] = fixed
    kinds = shapely.get_type_id(geoms)
    if not np.isin(kinds, (3, 6)).all():  # Polygon, MultiPolygon
        geoms = polygonal(geoms)
    out = frame.copy()
    out["geometry"] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return out.set_geometry("geometry")


def _prepare_polygons(frame: gpd.GeoDataFrame, source: str, warnings: list[str],
                      extra: tuple[str, ...] = (), columns: dict[str, str] | None = None
                      ) -> gpd.GeoDataFrame:
    require_columns(frame, ("code", "name", *extra), source)
    code_col = column_label(columns or {}, "code")
    out = frame.copy()
    out["code"] = clean_codes(out["code"], source, code_col)
    require_unique(out["code"], source, code_col)
    out["name"] = out["name"].astype("string").fillna("").astype(str)
    out = to_bng(out, source)
    return repair_polygons(out, source, warnings)


def _coverage_errors(geo_sa: gpd.GeoDataFrame, polygons: list[PolygonInput],
                     uncovered: np.ndarray, warnings: list[str]) -> None:
    """Refuse small areas outside a polygon layer; warn about large uncovered slivers.

    ``uncovered`` is each small area's share of area outside the polygon layers."""
    sa_bounds = shapely.box(*geo_sa.total_bounds)
    for poly in polygons:
        if not shapely.intersects(sa_bounds, shapely.box(*poly.frame.total_bounds)):
            raise GeometryError(
                f"{poly.source}: layer '{poly.name}' does not overlap the small areas at all. "
                "Check both files are for the same borough and in the right coordinate system."
            )
    outside = np.flatnonzero(uncovered >= 1.0 - 1e-9)
    if len(outside):
        codes = geo_sa["code"].iloc[outside].tolist()
        for poly in polygons:
            tree = shapely.STRtree(np.asarray(poly.frame.geometry.values))
            hits = tree.query(np.asarray(geo_sa.geometry.iloc[outside].values), "intersects")
            missed = sorted(set(range(len(outside))) - set(hits[0].tolist()))
            if missed:
                codes = [geo_sa["code"].iloc[outside[i]] for i in missed]
                raise GeometryError(
                    f"{poly.source}: small area(s) {', '.join(codes[:5])} lie outside every unit "
                    f"of layer '{poly.name}'. Add the missing units or remove those small areas."
                )
        raise GeometryError(
            f"Small area(s) {', '.join(codes[:5])} lie outside at least one polygon layer "
            f"({', '.join(p.name for p in polygons)}). Check the layers cover the whole borough."
        )
    partly = np.flatnonzero(uncovered > UNCOVERED_WARN)
    if len(partly):
        worst = sorted(partly, key=lambda i: -uncovered[i])[:5]
        shown = ", ".join(f"{geo_sa['code'].iloc[i]} ({uncovered[i]:.1%})" for i in worst)
        warnings.append(
            f"{len(partly)} small area(s) lie partly outside the polygon layers by more than "
            f"{UNCOVERED_WARN:.0%} of their area (worst: {shown}); their population is spread "
            "over the part that is covered."
        )


def _small_areas(inp: SmallAreaInput, warnings: list[str]) -> gpd.GeoDataFrame:
    need_cols = tuple(inp.need_labels)
    frame = _prepare_polygons(inp.frame, inp.source, warnings,
                              ("population", *inp.age_bands, *need_cols), inp.columns)
    frame["population"] = numeric_column(frame, "population", inp.source, codes=frame["code"],
                                         label=column_label(inp.columns, "population"))
    for col in (*inp.age_bands, *need_cols):
        frame[col] = numeric_column(frame, col, inp.source, codes=frame["code"],
                                    allow_negative=col in need_cols)
    if frame["population"].sum() <= 0:
        raise DataFileError(f"{inp.source}: total population is zero; check the population column.")
    if inp.age_bands:
        diff = (frame[list(inp.age_bands)].sum(axis=1) - frame["population"]).abs()
        off = diff > 0.5 + 0.001 * frame["population"]
        if off.any():
            warnings.append(
                f"{inp.source}: age bands do not add up to the population for {int(off.sum())} "
                f"small area(s) (e.g. {frame['code'][off].iloc[0]})."
            )
    return frame


def _grouping(inp: GroupingInput, member: Layer) -> Layer:
    require_columns(inp.frame, ("member", "code", "name"), inp.source)
    member_col = column_label(inp.columns, "member")
    members = clean_codes(inp.frame["member"], inp.source, member_col)
    groups = clean_codes(inp.frame["code"], inp.source, column_label(inp.columns, "code"))
    require_unique(members, inp.source, member_col)
    missing = unmatched(members, member.codes)
    if missing:
        raise CodeError(explain_unmatched(missing, member.codes, inp.source, member_col,
                                          f"layer '{member.name}'"))
    absent = unmatched(member.codes, members)
    if absent:
        raise CodeError(
            f"{inp.source}: {len(absent)} unit(s) of layer '{member.name}' belong to no group: "
            f"{', '.join(absent[:5])}. Every {member.name} unit needs a row so that no one is "
            "left out of the totals."
        )
    names = inp.frame["name"].astype("string").fillna("").astype(str)
    order: dict[str, str] = {}
    for g, n in zip(groups, names):
        if g in order and order[g] != n and n:
            raise CodeError(
                f"{inp.source}: group '{g}' is named both '{order[g]}' and '{n}'. Use one name."
            )
        order.setdefault(g, n or g)
    codes = tuple(sorted(order))
    index = {c: i for i, c in enumerate(codes)}
    by_member = dict(zip(members, groups))
    membership = frozen_array([index[by_member[m]] for m in member.codes], dtype=int)
    return Layer(inp.name, inp.label, "grouping", codes, tuple(order[c] for c in codes),
                 member_of=member.name, membership=membership)


def build_geography(
    small_areas: SmallAreaInput,
    polygons: list[PolygonInput] = (),
    groupings: list[GroupingInput] = (),
    registrations: list[RegistrationInput] = (),
    hubs: gpd.GeoDataFrame | None = None,
    *,
    name: str = "Unnamed borough",
    fictional: bool = False,
    metadata: dict | None = None,
    cache_dir: Path | None = None,
) -> Geography:
    """Validate the inputs and build the geography, cutting atoms once (or reading the pieces
    of the very same geometries from ``cache_dir``, see :mod:`dashboard.data.atoms_cache`).

    Raises
    ------
    DataPackError
        With a message naming the file, column or code and what to do.
    """
    warnings: list[str] = []
    names = [SMALL_AREAS] + [p.name for p in polygons] + [g.name for g in groupings] + [
        r.name for r in registrations]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ManifestError(f"Layer name(s) {', '.join(dup)} are used twice; give each layer its own name.")
    sa = _small_areas(small_areas, warnings)
    polys = []
    for p in polygons:
        polys.append(PolygonInput(p.name, p.label,
                                  _prepare_polygons(p.frame, p.source, warnings, (), p.columns),
                                  p.source, p.columns))
    atoms, uncovered = cached_atoms(cache_dir, sa.geometry,
                                    {p.name: p.frame.geometry for p in polys})
    _coverage_errors(sa, polys, uncovered, warnings)
    sa_codes = tuple(sa["code"])
    layers, geometry = _polygon_layers(small_areas.label, sa, polys, atoms, warnings)
    regs = _registration_layers(registrations, sa_codes, layers, warnings)
    later = _grouping_layers(groupings, layers, geometry)
    sa_reset = sa.reset_index(drop=True)
    return Geography(
        name=name,
        fictional=fictional,
        small_area_geometry=sa_reset.geometry,
        population=frozen_array(sa_reset["population"], dtype=float),
        need={k: frozen_array(sa_reset[k], dtype=float) for k in small_areas.need_labels},
        need_labels=dict(small_areas.need_labels),
        age_bands={k: frozen_array(sa_reset[k], dtype=float) for k in small_areas.age_bands},
        layers=layers,
        atoms=atoms,
        registrations=regs["shares"],
        registered_patients=regs["registered"],
        layer_geometry=LazyGeometry(geometry, later),
        hubs=hubs,
        practices=regs["practices"],
        metadata={**dict(metadata or {}), "registered_outside": regs["outside"],
                  "patients_living_outside": regs["living_outside"]},
        warnings=tuple(warnings),
    )


def _polygon_layers(label: str, sa: gpd.GeoDataFrame, polys: list[PolygonInput], atoms,
                    warnings: list[str]) -> tuple[dict[str, Layer], dict[str, gpd.GeoSeries]]:
    """The small areas and every polygon layer, with their shapes; a unit holding no small area
    is worth a warning (a boundary file wider than the borough, or a slip)."""
    layers: dict[str, Layer] = {
        SMALL_AREAS: Layer(SMALL_AREAS, label, "small_areas", tuple(sa["code"]),
                           tuple(sa["name"]))}
    geometry: dict[str, gpd.GeoSeries] = {SMALL_AREAS: sa.geometry.reset_index(drop=True)}
    for p in polys:
        layers[p.name] = Layer(p.name, p.label, "polygons", tuple(p.frame["code"]),
                               tuple(p.frame["name"]))
        geometry[p.name] = p.frame.geometry.reset_index(drop=True)
        empty = set(range(len(p.frame))) - set(atoms.units[p.name].tolist())
        if empty:
            codes = [p.frame["code"].iloc[i] for i in sorted(empty)]
            warnings.append(f"{p.source}: unit(s) {', '.join(codes[:5])} contain no small area.")
    return layers, geometry


def _registration_layers(registrations: list[RegistrationInput], sa_codes: tuple[str, ...],
                         layers: dict[str, Layer], warnings: list[str]) -> dict[str, dict]:
    """Add each registration layer to ``layers``; its shares, practices, patients per small
    area and the shares registered or living outside, by kind then layer name."""
    out: dict[str, dict] = {k: {} for k in ("shares", "practices", "registered", "outside",
                                            "living_outside")}
    for r in registrations:
        layer, shares, points, per_sa, extras = registration_layer(r, sa_codes, warnings)
        layers[r.name], out["shares"][r.name] = layer, shares
        if not r.estimated:  # estimated lists are resident population re-spread, not patients
            out["living_outside"][r.name] = extras["living_outside"]
            if "registered_outside" in extras:
                out["outside"][r.name] = extras["registered_outside"]
            out["registered"][r.name] = frozen_array(per_sa, dtype=float)
        if points is not None:
            out["practices"][r.name] = points
    return out


def _grouping_layers(groupings: list[GroupingInput], layers: dict[str, Layer],
                     geometry: dict) -> dict:
    """Add each grouping to ``layers`` (a grouping may group another: dependency order); the
    makers of their outlines, dissolved only when first asked for."""
    pending = list(groupings)
    later: dict = {}
    while pending:
        ready = [g for g in pending if g.of in layers]
        if not ready:
            g = pending[0]
            raise ManifestError(
                f"{g.source}: grouping '{g.name}' groups layer '{g.of}', which the pack does not "
                f"have. Layers: {', '.join(layers)}."
            )
        for g in ready:
            layers[g.name] = _grouping(g, layers[g.of])
            if g.of in geometry or g.of in later:
                later[g.name] = _dissolver(geometry, later, g.of, layers[g.name])
            pending.remove(g)
    return later


def _dissolver(geometry: dict, later: dict, of: str, group: Layer):
    """Makes a grouping's outlines from its members' shapes when first asked for."""
    def make() -> gpd.GeoSeries:
        members = geometry[of] if of in geometry else later[of]()
        return _dissolve(members, group.membership, len(group))
    return make


def _dissolve(members: gpd.GeoSeries, membership: np.ndarray, n: int) -> gpd.GeoSeries:
    geoms = np.asarray(members.values, dtype=object)
    parts = [shapely.union_all(geoms[membership == i]) for i in range(n)]
    return gpd.GeoSeries(parts, crs=members.crs)
