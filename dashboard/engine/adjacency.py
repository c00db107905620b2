"""Which units of a polygon layer share a boundary, and whether groups of them hang together.

Two units are neighbours when their boundaries run together for at least ``MIN_SHARED_M``
metres (rook adjacency: touching at a corner does not count, as in redistricting rules).
Official ward files leave slivers of a metre or so between neighbours, so boundaries are compared
within ``SNAP_M`` metres.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from dashboard.engine.geography import Geography
from dashboard.errors import LayerError

SNAP_M = 2.0
NEAR_M = 2000.0  # colouring: regions this close read as neighbours on a borough map
MIN_SHARED_M = 20.0


def adjacency(geo: Geography, layer: str) -> sparse.csr_matrix:
    """Symmetric 0/1 neighbour matrix of a polygon layer's units (memoised per pack)."""
    return geo.derived.get(("adjacency", layer), lambda: _adjacency(geo, layer))


def _adjacency(geo: Geography, layer: str) -> sparse.csr_matrix:
    lay = geo.layer(layer)
    if layer not in geo.layer_geometry or lay.kind not in ("polygons", "small_areas"):
        raise LayerError(f"Layer '{layer}' has no polygons of its own, so neighbours cannot be "
                         "found; redraw groupings of wards.")
    geoms = np.asarray(geo.layer_geometry[layer].values, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(shapely.buffer(geoms, SNAP_M), predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    # Length of a's boundary lying within SNAP_M of b: the length of the border they share.
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[left]),
                                                 shapely.buffer(geoms[right], SNAP_M)))
    keep = shared >= MIN_SHARED_M
    left, right = left[keep], right[keep]
    n = len(lay)
    m = sparse.csr_matrix((np.ones(2 * len(left)), (np.r_[left, right], np.r_[right, left])),
                          shape=(n, n))
    m.data[:] = 1.0
    return m


def touching(geo: Geography, layer: str) -> sparse.csr_matrix:
    """Like :func:`adjacency`, but units meeting at a corner, or coming within ``NEAR_M`` of
    each other, count too: for colouring a map, where two regions that nearly meet still look
    alike side by side."""
    def make():
        geoms = np.asarray(geo.layer_geometry[layer].values, dtype=object)
        left, right = shapely.STRtree(geoms).query(shapely.buffer(geoms, NEAR_M),
                                                   predicate="intersects")
        keep = left != right
        n = len(geoms)
        m = sparse.csr_matrix((np.ones(int(keep.sum())), (left[keep], right[keep])),
                              shape=(n, n))
        m = ((m + m.T) > 0).astype(float)
        return m.tocsr()
    return geo.derived.get(("touching", layer), make)


def pieces(adj: sparse.csr_matrix, labels: np.ndarray, n_groups: int | None = None
           ) -> np.ndarray:
    """Number of connected pieces of each group (labels: group index per unit, 0..k-1); give
    ``n_groups`` when the last groups may be empty."""
    labels = np.asarray(labels)
    if n_groups is None:
        n_groups = int(labels.max()) + 1 if len(labels) else 0
    coo = adj.tocoo()
    same = labels[coo.row] == labels[coo.col]
    within = sparse.csr_matrix((coo.data[same], (coo.row[same], coo.col[same])), shape=adj.shape)
    _, component = csgraph.connected_components(within, directed=False)
    counts = np.zeros(n_groups, dtype=int)
    # Each component lies in one group: count distinct components per group.
    pairs = np.unique(np.c_[labels, component], axis=0)
    np.add.at(counts, pairs[:, 0], 1)
    return counts


def neighbour_lists(adj: sparse.csr_matrix) -> tuple[tuple[int, ...], ...]:
    """Each unit's neighbours as plain tuples: quicker than sparse slicing for small searches."""
    adj = sparse.csr_matrix(adj)
    return tuple(tuple(adj.indices[adj.indptr[i]:adj.indptr[i + 1]].tolist())
                 for i in range(adj.shape[0]))


def is_connected(neighbours, members) -> bool:
    """True when the units ``members`` form one piece (an empty set is not); ``neighbours`` is
    from :func:`neighbour_lists`."""
    members = set(np.asarray(members).tolist())
    if not members:
        return False
    start = next(iter(members))
    seen, stack = {start}, [start]
    while stack:
        for other in neighbours[stack.pop()]:
            if other in members and other not in seen:
                seen.add(other)
                stack.append(other)
    return len(seen) == len(members)


def distinct_colours(adj: sparse.csr_matrix, labels: np.ndarray, n_groups: int,
                     colours: int = 8, *, own: Sequence[int] | None = None,
                     skip: Iterable[int] = ()) -> np.ndarray:
    """A colour number (0 .. ``colours`` - 1) per group such that no two touching groups share
    one, where ``colours`` allow it (a map of regions needs at most four; eight leave room).

    Groups are taken in order; each keeps the colour it wants (``own[g]``, else ``g %
    colours``) unless an earlier neighbour has it, then takes the first free one. Passing the
    colours of the arrangement the user started from keeps colours put as members move.
    ``skip`` groups (e.g. the unassigned) get -1 and do not constrain the others.
    """
    labels = np.asarray(labels)
    member = sparse.csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)),
                               shape=(len(labels), n_groups))
    touching = (member.T @ adj @ member).tocsr()
    skipped = set(skip)
    out = np.full(n_groups, -1, dtype=int)
    for g in range(n_groups):
        if g in skipped:
            continue
        row = touching.indices[touching.indptr[g]:touching.indptr[g + 1]]
        taken = {int(out[h]) for h in row if h != g and out[h] >= 0}
        mine = int(own[g]) if own is not None and own[g] >= 0 else g % colours
        out[g] = mine if mine not in taken else next(
            (c for c in range(colours) if c not in taken), mine)
    return out
