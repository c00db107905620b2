"""The overlap table with a shape for each piece, for GIS users (GeoPackage, GeoJSON).

Notes
-----
Each row is a row of :meth:`Overlap.table`, figures unchanged. Its shape is the union of the
full-resolution atoms lying in both units. Registration layers (PCNs) have no boundaries: an atom
counts as in a PCN when that PCN has the most patients of the atom's small area, so a PCN's
minority shares carry figures but no shape. With the best-fit method pieces are whole small areas,
as the figures are. ``geometry_rule`` says which rule drew each row.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.engine.geography import BNG, Geography
from dashboard.engine.overlaps import Method, best_fit_units, overlap, unit_of_atoms

EXACT = "exact intersection of the two footprints"
MAIN_UNIT = "small areas where the registration layer's unit has most patients"
BEST_FIT = "whole small areas, each in its best-fit units"


def overlap_pieces(geo: Geography, from_layer: str, to_layer: str,
                   method: Method = "proportional", need: str | None = None) -> gpd.GeoDataFrame:
    """Overlap table of two layers with the shape of every piece, in British National Grid.

    Parameters
    ----------
    geo, from_layer, to_layer, method, need
        As for :func:`~dashboard.engine.overlaps.overlap`.

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :meth:`Overlap.table` plus ``geometry_rule``; geometry is empty where a
        registration share has no drawable shape.
    """
    table = overlap(geo, from_layer, to_layer, method, need).table()
    a, b = geo.layer(from_layer), geo.layer(to_layer)
    if method == "best-fit":
        sa = geo.atoms.small_area
        ia, ib = best_fit_units(geo, from_layer)[sa], best_fit_units(geo, to_layer)[sa]
    else:
        ia, ib = unit_of_atoms(geo, from_layer), unit_of_atoms(geo, to_layer)
    atoms = np.asarray(geo.atoms.geometry.values, dtype=object)
    key = ia.astype(np.int64) * len(b) + ib
    order = np.argsort(key, kind="stable")
    keys, starts = np.unique(key[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    shapes = {int(k): shapely.coverage_union_all(atoms[order[s:e]])
              for k, s, e in zip(keys, starts, ends)}
    row_key = (table["from_code"].map(a.positions).to_numpy(np.int64) * len(b)
               + table["to_code"].map(b.positions).to_numpy(np.int64))
    geometry = [shapes.get(int(k)) for k in row_key]
    registration = _registration_based(geo, (a, b))
    table["geometry_rule"] = BEST_FIT if method == "best-fit" else (
        MAIN_UNIT if registration else EXACT)
    return gpd.GeoDataFrame(table, geometry=pd.Series(geometry, dtype=object).values, crs=BNG)


def _registration_based(geo: Geography, layers) -> bool:
    """True when a grouping in ``layers`` is built on a registration layer."""
    for lay in layers:
        while lay.kind == "grouping":
            lay = geo.layer(lay.member_of)
        if lay.kind == "registration":
            return True
    return False
