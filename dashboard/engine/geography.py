"""The in-memory model of one borough: small areas, the layers built on them, and their atoms.

Everything the engine computes is an aggregation over *atoms*: the pieces of each small area cut by
every polygon layer (see :mod:`dashboard.engine.atoms`). Layers relate to atoms in one of four ways:

``small_areas``
    each atom belongs to the small area it was cut from;
``polygons``
    each atom lies in exactly one unit (wards, or any boundary file);
``grouping``
    units are groups of another layer's units (places = groups of wards), so a grouping never needs
    geometry of its own to be aggregated, and regrouping costs only a matrix product;
``registration``
    a small area's population is shared between units by GP registrations (PCNs).

The model is immutable: dataclasses are frozen, arrays are read-only, frames are handed out as
copy-on-write copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.engine.derived import Derived
from dashboard.errors import LayerError

LayerKind = Literal["small_areas", "polygons", "grouping", "registration"]
BNG = "EPSG:27700"
SMALL_AREAS = "small_areas"


def row_max(matrix: sparse.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Column and value of each row's largest entry (first column on ties; 0, 0 for empty rows).

    Vectorised: scipy's own sparse ``argmax`` loops over rows in Python.
    """
    m = sparse.csr_matrix(matrix)
    m.sum_duplicates()
    n = m.shape[0]
    counts = np.diff(m.indptr)
    rows = np.repeat(np.arange(n), counts)
    # Rows stay in blocks at their indptr offsets; within a row, largest value then lowest column.
    order = np.lexsort((m.indices, -m.data, rows))
    filled = counts > 0
    first = order[m.indptr[:-1][filled]]
    col, val = np.zeros(n, dtype=int), np.zeros(n)
    col[filled], val[filled] = m.indices[first], m.data[first]
    return col, val


def frozen_array(values, dtype=None) -> np.ndarray:
    """Return a read-only copy of ``values`` so that nobody can change the model in place."""
    arr = np.array(values, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class Layer:
    """One geography of the pack: its units' codes and names and how it relates to small areas.

    Attributes
    ----------
    name, label
        Machine name used in URLs and the CLI, and the label shown to people.
    kind
        One of ``small_areas``, ``polygons``, ``grouping``, ``registration``.
    codes, names
        Unit codes (always strings) and names, in the layer's fixed order.
    member_of
        For a grouping, the layer whose units are its members.
    membership
        For a grouping, the index of the group of each member unit (length = member layer size).
    estimated
        True when the layer's footprint is an estimate rather than built from published data.
    """

    name: str
    label: str
    kind: LayerKind
    codes: tuple[str, ...]
    names: tuple[str, ...]
    member_of: str | None = None
    membership: np.ndarray | None = None
    estimated: bool = False

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def basis(self) -> str:
        """What the footprint rests on: boundary, registrations, estimate or grouping."""
        if self.kind == "registration":
            return "estimate" if self.estimated else "registrations"
        return "grouping" if self.kind == "grouping" else "boundary"

    @cached_property
    def positions(self) -> Mapping[str, int]:
        """Code -> position, built once per layer (layers are immutable)."""
        return MappingProxyType({c: i for i, c in enumerate(self.codes)})

    def index_of(self, code: str) -> int:
        """Position of ``code`` in this layer, with a helpful error when it is unknown."""
        try:
            return self.positions[code]
        except KeyError:
            raise LayerError(
                f"Layer '{self.name}' has no unit with code '{code}'. "
                f"Known codes start {', '.join(self.codes[:5])}."
            ) from None

    def membership_matrix(self) -> sparse.csr_matrix:
        """Member-units x groups 0/1 matrix of a grouping layer (built once per layer)."""
        if self.membership is None:
            raise LayerError(f"Layer '{self.name}' is not a grouping of another layer.")
        return self._membership_matrix

    @cached_property
    def _membership_matrix(self) -> sparse.csr_matrix:
        n = len(self.membership)
        return sparse.csr_matrix(
            (np.ones(n), (np.arange(n), self.membership)), shape=(n, len(self.codes))
        )


@dataclass(frozen=True)
class Atoms:
    """Pieces of small areas cut by every polygon layer.

    ``small_area`` gives each atom's small-area index, ``units`` each polygon layer's unit index,
    ``area_m2`` its area. ``share`` is the fraction of its small area's population the atom carries:
    its area over the small area's covered area, so that slivers outside the polygon layers do not
    lose anyone (the same rule as tobler's ``allocate_total=True``).
    """

    small_area: np.ndarray
    units: Mapping[str, np.ndarray]
    area_m2: np.ndarray
    share: np.ndarray
    geometry: gpd.GeoSeries

    def __len__(self) -> int:
        return len(self.small_area)


class LazyGeometry(Mapping):
    """Layer shapes by layer name, some made only when first asked for: dissolving wards into
    their groups' outlines costs a national build about a third of a second, and most uses
    (every table, every map drawn from atoms) never need them."""

    def __init__(self, ready: Mapping[str, gpd.GeoSeries],
                 later: Mapping[str, Callable[[], gpd.GeoSeries]] | None = None) -> None:
        self._ready = dict(ready)
        self._later = {k: v for k, v in (later or {}).items() if k not in self._ready}

    def __getitem__(self, name: str) -> gpd.GeoSeries:
        if name not in self._ready:
            make = self._later[name]  # KeyError for an unknown layer, as a dict would
            self._ready[name] = make()  # two threads may both make it: same result, no harm
        return self._ready[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._ready, *(k for k in self._later if k not in self._ready)])

    def __len__(self) -> int:
        return len(set(self._ready) | set(self._later))

    def without(self, name: str) -> LazyGeometry:
        """The same shapes less one layer's, nothing made that was not made yet."""
        return LazyGeometry({k: v for k, v in self._ready.items() if k != name},
                            {k: v for k, v in self._later.items() if k != name})


@dataclass(frozen=True)
class Geography:
    """A validated borough: small-area data, layers, atoms, registrations and hubs.

    Built by :func:`dashboard.data.load_pack`; treat it as read-only reference data.
    """

    name: str
    fictional: bool
    small_area_geometry: gpd.GeoSeries
    population: np.ndarray
    need: Mapping[str, np.ndarray]
    need_labels: Mapping[str, str]
    age_bands: Mapping[str, np.ndarray]
    layers: Mapping[str, Layer]
    atoms: Atoms
    registrations: Mapping[str, sparse.csr_matrix]
    layer_geometry: Mapping[str, gpd.GeoSeries]
    hubs: gpd.GeoDataFrame | None = None
    practices: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    metadata: Mapping[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # Patients registered per small area, by registration layer (published lists only).
    registered_patients: Mapping[str, np.ndarray] = field(default_factory=dict)
    # Teams and budgets to allocate (engine.allocation.Resource) and their current allocation
    # (resource, layer, area, amount), when the pack records them.
    resources: tuple = ()
    current_allocations: pd.DataFrame | None = None
    # Results derived from this pack, bounded (see engine.derived). Base layers never change
    # (regrouping only swaps a grouping's membership), so a regrouped copy shares the store.
    derived: Derived = field(default_factory=Derived, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", MappingProxyType(dict(self.layers)))
        object.__setattr__(self, "need", MappingProxyType(dict(self.need)))
        object.__setattr__(self, "age_bands", MappingProxyType(dict(self.age_bands)))

    @property
    def small_areas(self) -> Layer:
        return self.layers[SMALL_AREAS]

    @property
    def total_population(self) -> float:
        return float(self.population.sum())

    def layer(self, name: str) -> Layer:
        """The layer called ``name``; the error lists the layers the pack has."""
        try:
            return self.layers[name]
        except KeyError:
            if name == "hubs" and self.hubs is not None:
                raise LayerError(
                    "'hubs' are points, not areas, so they have no overlaps; use an area layer "
                    f"({', '.join(self.layers)})."
                ) from None
            raise LayerError(
                f"The pack has no layer '{name}'. Layers: {', '.join(self.layers)}."
            ) from None

    def need_values(self, indicator: str | None) -> np.ndarray:
        """Need score per small area; ``None`` means no need weighting (all ones)."""
        if indicator is None:
            return np.ones_like(self.population, dtype=float)
        try:
            return self.need[indicator]
        except KeyError:
            raise LayerError(
                f"The pack has no need indicator '{indicator}'. "
                f"Indicators: {', '.join(self.need) or '(none)'}."
            ) from None


def grouping_key(geo: Geography) -> tuple:
    """Memo key part for anything that depends on groupings: regrouped copies share the memo,
    and their groupings differ, so their results must too."""
    return tuple((lay.name, lay.membership.tobytes()) for lay in geo.layers.values()
                 if lay.membership is not None)
