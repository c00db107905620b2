"""Regions of the demo's building blocks: neighbours, balanced and contiguous regions, groups
grown from anchors. Deterministic given their inputs (no randomness of their own)."""

from __future__ import annotations

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from shapely.geometry import Polygon


def _largest(geom) -> Polygon:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return max(parts, key=lambda p: p.area)


def _adjacency(polys: list[Polygon]) -> list[set[int]]:
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    adj: list[set[int]] = [set() for _ in polys]
    for a, b in zip(left.tolist(), right.tolist()):
        if a != b and polys[a].intersection(polys[b]).length > 0:
            adj[a].add(b)
    return adj


def _balanced_regions(xy: np.ndarray, weight: np.ndarray, seeds: np.ndarray, adj: list[set[int]],
                      iterations: int = 40) -> np.ndarray:
    """Assign points to seeds by weighted distance, nudging weights towards equal totals."""
    k = len(seeds)
    bias = np.zeros(k)
    target = weight.sum() / k
    for _ in range(iterations):
        d = np.hypot(xy[:, None, 0] - seeds[None, :, 0], xy[:, None, 1] - seeds[None, :, 1])
        label = np.argmin(d - bias[None, :], axis=1)
        totals = np.bincount(label, weights=weight, minlength=k)
        bias += 400.0 * (target - totals) / target
        for j in range(k):  # move seeds to their region's weighted centre
            m = label == j
            if m.any():
                seeds[j] = np.average(xy[m], axis=0, weights=weight[m])
    return _make_contiguous(label, adj, weight)


def _make_contiguous(label: np.ndarray, adj: list[set[int]], weight: np.ndarray) -> np.ndarray:
    """Give every detached fragment of a region to the neighbouring region it touches most."""
    label = label.copy()
    for _ in range(10):
        changed = False
        for region in sorted(set(label.tolist())):
            members = set(np.flatnonzero(label == region).tolist())
            parts = _components(members, adj)
            if len(parts) <= 1:
                continue
            parts.sort(key=lambda p: -sum(weight[i] for i in p))
            for part in parts[1:]:
                for i in sorted(part):
                    others = [label[j] for j in adj[i] if label[j] != region]
                    if others:
                        label[i] = max(sorted(set(others)), key=others.count)
                        changed = True
        if not changed:
            break
    return label


def _components(members: set[int], adj: list[set[int]]) -> list[set[int]]:
    """The connected parts of ``members`` (scipy's components), in order of their lowest unit."""
    nodes = sorted(members)
    where = {m: k for k, m in enumerate(nodes)}
    rows = [where[i] for i in nodes for j in adj[i] if j in where]
    cols = [where[j] for i in nodes for j in adj[i] if j in where]
    graph = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes),) * 2)
    _, labels = csgraph.connected_components(graph, directed=False)
    parts: dict[int, set[int]] = {}
    for node, label in zip(nodes, labels):
        parts.setdefault(label, set()).add(node)
    return sorted(parts.values(), key=min)


def _grow_groups(anchors: list[int], adj: list[set[int]], pop: np.ndarray) -> np.ndarray:
    """Grow contiguous groups from anchor units, always extending the smallest group."""
    label = np.full(len(adj), -1)
    for g, a in enumerate(anchors):
        label[a] = g
    while (label < 0).any():
        totals = np.bincount(label[label >= 0], weights=pop[label >= 0], minlength=len(anchors))
        for g in np.argsort(totals, kind="stable"):
            frontier = sorted({j for i in np.flatnonzero(label == g) for j in adj[i] if label[j] < 0})
            if frontier:
                label[frontier[0]] = g
                break
        else:  # units unreachable from any anchor (should not happen) join group 0
            label[label < 0] = 0
    return label


def _nearest(points: np.ndarray, targets: list[tuple[float, float]]) -> list[int]:
    """Index of the point nearest each target, never reusing a point."""
    used: list[int] = []
    for t in targets:
        d = np.hypot(points[:, 0] - t[0], points[:, 1] - t[1])
        d[used] = np.inf
        used.append(int(np.argmin(d)))
    return used
