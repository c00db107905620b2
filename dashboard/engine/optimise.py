"""Suggest footprints: group wards into N contiguous footprints that follow another layer's lines.

The score is the alignment score of :mod:`dashboard.engine.mismatch` (the larger of the two
nestings), computed from a small wards x partner population matrix, so one candidate costs a few
array sums. Balance is a constraint: each footprint's population should lie within ``tolerance``
of the borough's population over N; arrangements are compared first by how far they break that
band (in total), then by alignment.

Search
------
1. *Greedy merging* (from scratch): start from single wards and repeatedly merge the two
   neighbouring groups whose merge keeps the groups within the band's upper edge and gives the best
   sum of the two nestings, until N remain.
2. *Local moves*: move one ward on a footprint's edge to a neighbouring footprint when that
   improves the arrangement and leaves its old footprint in one piece; repeat until no move helps.
3. *Restarts*: alternately grow footprints from random seed wards (smallest first, so they stay
   balanced) and kick the best arrangement so far with a few random edge moves; run the local
   moves from each and keep the best (a fixed seed, so results repeat).

Locked footprints keep their wards and take no others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from dashboard.engine import adjacency, drafts
from dashboard.engine.geography import Geography
from dashboard.engine.overlaps import overlap
from dashboard.engine.regroup import UNASSIGNED
from dashboard.errors import LayerError

DEFAULT_RESTARTS = 40


@dataclass(frozen=True)
class Problem:
    """Wards as a graph with populations and their population in each partner unit."""

    adj: sparse.csr_matrix
    partner_pop: np.ndarray  # wards x partners
    n_groups: int
    tolerance: float
    locked: np.ndarray  # bool per ward: its footprint is locked

    @cached_property
    def population(self) -> np.ndarray:
        return self.partner_pop.sum(axis=1)

    @cached_property
    def neighbours(self) -> tuple[tuple[int, ...], ...]:
        return adjacency.neighbour_lists(self.adj)

    @property
    def target(self) -> float:
        return float(self.population.sum() / self.n_groups)


def alignment(partner_pop: np.ndarray, labels: np.ndarray, n_groups: int) -> float:
    """Alignment score of footprints ``labels`` with the partner layer (1 = nested)."""
    f = _footprint_matrix(partner_pop, labels, n_groups)
    total = f.sum()
    if total <= 0:
        return 1.0
    return float(max(f.max(axis=1).sum(), f.max(axis=0).sum()) / total)


def _footprint_matrix(partner_pop: np.ndarray, labels: np.ndarray, n_groups: int) -> np.ndarray:
    f = np.zeros((n_groups, partner_pop.shape[1]))
    np.add.at(f, labels, partner_pop)
    return f


def excess(pop: np.ndarray, labels: np.ndarray, n_groups: int, target: float,
           tolerance: float) -> float:
    """Total share of the target by which footprints fall outside the band (0 = all within)."""
    sizes = np.bincount(labels, weights=pop, minlength=n_groups)
    dev = np.abs(sizes / target - 1) if target > 0 else np.zeros(n_groups)
    return float(np.clip(dev - tolerance, 0, None).sum())


def key(problem: Problem, labels: np.ndarray) -> tuple[float, float]:
    """Smaller is better: (band excess, minus alignment), rounded so ties are real ties."""
    return (round(excess(problem.population, labels, problem.n_groups, problem.target,
                         problem.tolerance), 9),
            -round(alignment(problem.partner_pop, labels, problem.n_groups), 9))


def greedy_merge(problem: Problem, seed_labels: np.ndarray | None = None) -> np.ndarray:
    """Merge neighbouring groups until ``n_groups`` remain; returns labels 0..n_groups-1.

    ``seed_labels`` gives groups to start from (locked footprints arrive already whole); by
    default every ward starts alone.
    """
    n = problem.adj.shape[0]
    labels = np.arange(n) if seed_labels is None else _compact(np.asarray(seed_labels))
    upper = problem.target * (1 + problem.tolerance)
    adj = problem.adj.tocoo()
    while labels.max() + 1 > problem.n_groups:
        k = labels.max() + 1
        f = _footprint_matrix(problem.partner_pop, labels, k)
        sizes = f.sum(axis=1)
        frozen = np.zeros(k, bool)
        frozen[labels[problem.locked]] = True
        pairs = {(min(a, b), max(a, b)) for a, b in zip(labels[adj.row], labels[adj.col])
                 if a != b and not frozen[a] and not frozen[b]}
        if not pairs:
            raise LayerError(f"The wards cannot be joined into {problem.n_groups} footprints "
                             "that each hang together; ask for more footprints or unlock some.")
        best, best_key = None, None
        row_best = f.max(axis=1)
        base_from = row_best.sum()
        for a, b in sorted(pairs):
            merged = f[a] + f[b]
            nest_from = base_from - row_best[a] - row_best[b] + merged.max()
            others = np.delete(f, [a, b], axis=0)
            nest_to = np.maximum(others.max(axis=0) if len(others) else 0, merged).sum()
            over = max(0.0, sizes[a] + sizes[b] - upper)
            cand = (round(over, 6), -round(nest_from + nest_to, 6), sizes[a] + sizes[b])
            if best_key is None or cand < best_key:
                best, best_key = (a, b), cand
        a, b = best
        labels = _compact(np.where(labels == b, a, labels))
    return labels


def _compact(labels: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(labels, return_inverse=True)
    return inverse.ravel()


def local_moves(problem: Problem, labels: np.ndarray) -> np.ndarray:
    """Best single edge-ward moves until none improves the arrangement."""
    labels = labels.copy()
    current = key(problem, labels)
    while True:
        best, best_key = None, current
        for ward, group in _candidate_moves(problem, labels):
            trial = labels.copy()
            trial[ward] = group
            k = key(problem, trial)
            if k < best_key:
                best, best_key = (ward, group), k
        if best is None:
            return labels
        labels[best[0]] = best[1]
        current = best_key


def _candidate_moves(problem: Problem, labels: np.ndarray):
    """(ward, new group) for wards on an edge whose move keeps their old footprint whole."""
    neighbours = problem.neighbours
    sizes = np.bincount(labels, minlength=problem.n_groups)
    locked_groups = set(labels[problem.locked].tolist())
    for ward, around in enumerate(neighbours):
        old = int(labels[ward])
        if old in locked_groups or sizes[old] == 1:
            continue
        targets = {int(labels[o]) for o in around} - {old} - locked_groups
        if not targets:
            continue
        rest = np.flatnonzero(labels == old)
        if not adjacency.is_connected(neighbours, rest[rest != ward]):
            continue
        for group in sorted(targets):
            yield ward, group


def grow(problem: Problem, rng: np.random.Generator, fixed: np.ndarray | None = None
         ) -> np.ndarray | None:
    """Random contiguous footprints: locked wards keep ``fixed`` labels; the others grow from
    random seed wards, the smallest footprint taking a neighbouring ward first. ``None`` when
    some ward cannot be reached."""
    n = len(problem.population)
    labels = np.full(n, -1)
    n_fixed = 0
    if fixed is not None and problem.locked.any():
        labels[problem.locked] = _compact(fixed[problem.locked])
        n_fixed = labels.max() + 1
    free = np.flatnonzero(labels < 0)
    n_free = problem.n_groups - n_fixed
    if n_free <= 0 or n_free > len(free):
        return None
    seeds = rng.choice(free, n_free, replace=False)
    labels[seeds] = np.arange(n_fixed, problem.n_groups)
    sizes = np.bincount(labels[labels >= 0], weights=problem.population[labels >= 0],
                        minlength=problem.n_groups)
    while (labels < 0).any():
        options = [(sizes[labels[w]], rng.random(), int(o), int(labels[w]))
                   for w in np.flatnonzero(labels >= n_fixed)
                   for o in problem.neighbours[w] if labels[o] < 0]
        if not options:
            return None
        _, _, ward, group = min(options)
        labels[ward] = group
        sizes[group] += problem.population[ward]
    return labels


def search(problem: Problem, start: np.ndarray | None = None,
           restarts: int = DEFAULT_RESTARTS, seed: int = 0) -> np.ndarray:
    """Best labels found: greedy merging (or ``start``), local moves, then restarts."""
    if start is None or start.max() + 1 != problem.n_groups:
        start = greedy_merge(problem, start)
    best = local_moves(problem, _compact(start))
    best_key = key(problem, best)
    rng = np.random.default_rng(seed)
    for attempt in range(restarts):
        trial = grow(problem, rng, best) if attempt % 2 == 0 else _kick(problem, best, rng)
        if trial is None:
            continue
        trial = local_moves(problem, trial)
        trial_key = key(problem, trial)
        if trial_key < best_key:
            best, best_key = trial, trial_key
    return best


def _kick(problem: Problem, labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    trial = labels.copy()
    for _ in range(int(rng.integers(1, 4))):
        moves = list(_candidate_moves(problem, trial))
        if not moves:
            break
        ward, group = moves[int(rng.integers(len(moves)))]
        trial[ward] = group
    return trial


@dataclass(frozen=True)
class Suggestion:
    """Suggested groups for a draft, with the scores before and after."""

    assignment: dict[str, str]
    groups: dict[str, str]
    alignment: float
    current_alignment: float
    within_tolerance: bool
    against: str

    def summary(self) -> str:
        band = "all within" if self.within_tolerance else "not all within"
        now = "" if math.isnan(self.current_alignment) else \
            f" (now {self.current_alignment:.1%})"  # a layer being made has no "now"
        return (f"Alignment with {self.against}: {self.alignment:.1%}{now}; footprints {band} "
                "the population band.")


def suggest(geo: Geography, draft: drafts.Draft, against: str, n_groups: int, *,
            tolerance: float = 0.10, from_scratch: bool = False,
            restarts: int = DEFAULT_RESTARTS
            ) -> Suggestion:
    """Suggest ``n_groups`` footprints for ``draft``'s layer that follow ``against``'s lines.

    Starts from the draft's footprints (when it has ``n_groups`` of them and ``from_scratch`` is
    false) or from single wards. Locked footprints are kept as they are. Suggested groups reuse
    the codes and names of the draft's footprints they overlap most; extra ones are new.
    """
    lay = geo.layer(draft.layer)
    member = geo.layer(lay.member_of)
    if not 1 <= n_groups <= len(member):
        raise LayerError(f"Ask for between 1 and {len(member)} footprints; got {n_groups}.")
    codes = list(draft.groups)
    current = np.array([codes.index(draft.assignment[m]) for m in member.codes])
    locked = np.array([draft.assignment[m] in draft.locked for m in member.codes])
    if locked.any() and len(set(current[locked])) >= n_groups:
        raise LayerError("The locked footprints alone make up the number asked for; unlock some "
                         "or ask for more footprints.")
    partner = overlap(geo, member.name, against).population.toarray()
    problem = Problem(adjacency.adjacency(geo, member.name), partner, n_groups, tolerance, locked)
    used = _compact(current)
    making = UNASSIGNED in draft.groups  # a layer being made has no footprints to start from
    if from_scratch or making or used.max() + 1 != n_groups:
        # Single wards, except that each locked footprint starts (and stays) whole.
        seed = np.where(locked, -1 - current, np.arange(len(current)))
        labels = search(problem, greedy_merge(problem, seed), restarts)
    else:
        labels = search(problem, used, restarts)
    groups, names = _name_groups(draft, current, labels, n_groups)
    assignment = {m: groups[lab] for m, lab in zip(member.codes, labels)}
    now_alignment = math.nan if making else alignment(partner, used, used.max() + 1)
    return Suggestion(assignment, names, alignment(partner, labels, n_groups), now_alignment,
                      excess(problem.population, labels, n_groups, problem.target, tolerance) == 0,
                      geo.layer(against).label)


def _name_groups(draft: drafts.Draft, current: np.ndarray, labels: np.ndarray, n_groups: int):
    """Match suggested groups to the draft's footprints by shared wards (most shared first)."""
    codes = list(draft.groups)
    shared = np.zeros((n_groups, len(codes)))
    np.add.at(shared, (labels, current), 1)
    if UNASSIGNED in codes:  # wards not yet in a footprint say nothing about which is which
        shared[:, codes.index(UNASSIGNED)] = 0
    rows, cols = linear_sum_assignment(-shared)
    groups = {}
    for r, c in zip(rows, cols):
        if shared[r, c] > 0:
            groups[r] = codes[c]
    # Then the draft's footprints with no ward matched (e.g. the named, empty footprints of a
    # layer being made), in order; only then new ones.
    spare = [c for c in codes if c != UNASSIGNED and c not in groups.values()]
    fresh = 1
    for r in range(n_groups):
        if r in groups:
            continue
        if spare:
            groups[r] = spare.pop(0)
            continue
        while f"NEW{fresh}" in draft.groups:
            fresh += 1
        groups[r] = f"NEW{fresh}"
        fresh += 1
    used = set(groups.values())
    names = {c: n for c, n in draft.groups.items() if c in used}
    names.update({c: f"New footprint {c[3:]}" for c in groups.values() if c not in names})
    return groups, names
