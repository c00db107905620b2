"""The bounded store of derived results: one bound per kind, most recent kept, shared safely."""

from __future__ import annotations

import threading

from dashboard.engine import derived
from dashboard.engine.derived import Derived


def test_each_kind_keeps_its_most_recent_results_within_its_bound(monkeypatch):
    monkeypatch.setitem(derived.BOUNDS, "small", 2)
    store, made = Derived(), []

    def make(n):
        made.append(n)
        return n * 10

    assert store.get(("small", 1), lambda: make(1)) == 10
    assert store.get(("small", 2), lambda: make(2)) == 20
    assert store.get(("small", 1), lambda: make(1)) == 10  # kept, and now the most recent
    store.get(("small", 3), lambda: make(3))  # evicts 2, the least recently used
    assert store.get(("small", 2), lambda: make(2)) == 20
    assert made == [1, 2, 3, 2]
    # Another kind has its own bound: filling it evicts nothing of "small".
    for n in range(derived.DEFAULT_BOUND + 5):
        store.get(("other", n), lambda n=n: n)
    assert len(store) == 2 + derived.DEFAULT_BOUND
    store.drop(("small", 2))
    assert store.get(("small", 2), lambda: make(2)) == 20 and made[-1] == 2


def test_threads_share_one_result_per_key():
    store = Derived()
    results = []

    def work():
        results.append(store.get(("shared", 0), lambda: object()))

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in results}) == 1  # whoever made it first, all got the same one


def test_a_regrouped_copy_reuses_the_packs_map_shapes(geo):
    from dashboard.engine import drafts
    from dashboard.web.common.shapes import display_geometry

    base = display_geometry(geo)
    draft = drafts.move(drafts.start(geo, "places"), "E05950001", "PP05")
    moved = display_geometry(drafts.apply(geo, draft))
    assert moved.atoms_geojson is base.atoms_geojson  # the simplified atoms are made once
    assert moved.outlines["wards"] is base.outlines["wards"]  # unchanged layers are shared
    assert moved.outlines["places"] != base.outlines["places"]
    assert (moved.atom_units["places"] != base.atom_units["places"]).any()
