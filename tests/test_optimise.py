"""The footprint optimiser against exhaustive search on small grids, and on the demo pack."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from dashboard.engine import adjacency, drafts, optimise
from dashboard.engine.optimise import Problem
from dashboard.errors import LayerError


def grid_adjacency(rows: int, cols: int) -> sparse.csr_matrix:
    n = rows * cols
    pairs = [(r * cols + c, r * cols + c + 1) for r in range(rows) for c in range(cols - 1)]
    pairs += [(r * cols + c, (r + 1) * cols + c) for r in range(rows - 1) for c in range(cols)]
    i, j = np.array(pairs).T
    return sparse.csr_matrix((np.ones(2 * len(i)), (np.r_[i, j], np.r_[j, i])), shape=(n, n))


def brute_force_best(problem: Problem) -> tuple[float, float]:
    """Best key over every split of the wards into n contiguous, non-empty groups."""
    n = problem.adj.shape[0]
    best = None
    for labels in itertools.product(range(problem.n_groups), repeat=n - 1):
        labels = np.array((0, *labels))  # ward 0 in group 0: skips relabelled copies
        if len(set(labels.tolist())) != problem.n_groups:
            continue
        if not all(adjacency.is_connected(problem.neighbours, np.flatnonzero(labels == g))
                   for g in range(problem.n_groups)):
            continue
        k = optimise.key(problem, labels)
        best = k if best is None or k < best else best
    return best


def random_problem(seed: int, rows=3, cols=3, n_groups=3, n_partners=4, tolerance=0.25):
    rng = np.random.default_rng(seed)
    n = rows * cols
    pop = rng.integers(500, 1500, n).astype(float)
    # Each ward has most people in one partner, some in a neighbour: boundaries that nearly agree.
    partner = np.zeros((n, n_partners))
    home = rng.integers(0, n_partners, n)
    spill = rng.uniform(0, 0.4, n)
    partner[np.arange(n), home] = pop * (1 - spill)
    partner[np.arange(n), (home + 1) % n_partners] += pop * spill
    return Problem(grid_adjacency(rows, cols), partner, n_groups, tolerance, np.zeros(n, bool))


@pytest.mark.parametrize("seed", range(12))
def test_search_finds_the_exhaustive_best(seed):
    problem = random_problem(seed)
    best = brute_force_best(problem)
    found = optimise.search(problem)
    assert optimise.key(problem, found) == best
    assert all(adjacency.is_connected(problem.neighbours, np.flatnonzero(found == g)) for g in range(3))


@pytest.mark.parametrize("seed", range(4))
def test_search_on_a_strip_of_eight_into_four(seed):
    problem = random_problem(100 + seed, rows=2, cols=4, n_groups=4, n_partners=5, tolerance=0.3)
    assert optimise.key(problem, optimise.search(problem)) == brute_force_best(problem)


@pytest.mark.parametrize("seed", range(3))
def test_search_on_a_two_by_five_into_three(seed):
    problem = random_problem(200 + seed, rows=2, cols=5, n_groups=3, tolerance=0.2)
    assert optimise.key(problem, optimise.search(problem)) == brute_force_best(problem)


def test_perfectly_nested_partners_are_recovered():
    # Partners are the three columns of a 3x3 grid: the best 3 footprints are those columns.
    adj = grid_adjacency(3, 3)
    partner = np.zeros((9, 3))
    for ward in range(9):
        partner[ward, ward % 3] = 1000
    problem = Problem(adj, partner, 3, 0.05, np.zeros(9, bool))
    labels = optimise.search(problem)
    assert optimise.alignment(partner, labels, 3) == pytest.approx(1.0)
    assert len({tuple(np.flatnonzero(labels == g)) for g in range(3)}
               & {(0, 3, 6), (1, 4, 7), (2, 5, 8)}) == 3


def test_local_moves_never_break_a_footprint():
    problem = random_problem(7, rows=3, cols=4, n_groups=3)
    start = np.array([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 2])
    out = optimise.local_moves(problem, start)
    assert optimise.key(problem, out) <= optimise.key(problem, start)
    assert all(adjacency.is_connected(problem.neighbours, np.flatnonzero(out == g)) for g in range(3))


def test_suggest_on_demo_beats_current_and_keeps_locks(demo):
    d = drafts.start(demo, "places")
    s = optimise.suggest(demo, d, "pcns", 4, tolerance=0.15, from_scratch=True, restarts=10)
    assert s.alignment > s.current_alignment
    assert s.within_tolerance
    adj = adjacency.neighbour_lists(adjacency.adjacency(demo, "wards"))
    wards = demo.layer("wards").codes
    for code in s.groups:
        members = [i for i, w in enumerate(wards) if s.assignment[w] == code]
        assert adjacency.is_connected(adj, np.array(members))
    # Suggested groups reuse codes of the footprints they share most wards with.
    assert set(s.groups) <= set(d.groups)
    locked = drafts.lock(d, ["PP03"])
    kept = optimise.suggest(demo, locked, "pcns", 5, tolerance=0.15, from_scratch=True, restarts=6)
    assert {w for w, g in kept.assignment.items() if g == "PP03"} == set(locked.members_of("PP03"))
    # A suggestion applies to the draft as one undoable step.
    applied = drafts.change(locked, kept.assignment, kept.groups)
    assert drafts.undo(applied).assignment == locked.assignment


def test_suggest_bad_requests(demo):
    d = drafts.start(demo, "places")
    with pytest.raises(LayerError, match="between 1 and 23"):
        optimise.suggest(demo, d, "pcns", 40)
    locked = drafts.lock(d, list(d.groups)[:3])
    with pytest.raises(LayerError, match="locked footprints alone"):
        optimise.suggest(demo, locked, "pcns", 3)
