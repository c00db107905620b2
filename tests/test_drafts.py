"""Redrawing a grouping: moves, locks, undo/redo, contiguity and the live balance."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from conftest import DEMO, km_box
from dashboard.data.build import GroupingInput, PolygonInput, SmallAreaInput, build_geography
from dashboard.data.loader import load_pack
from dashboard.engine import adjacency, drafts
from dashboard.engine.allocation import Resource
from dashboard.engine.balance import balance
from dashboard.engine.drafts import EditError


@pytest.fixture(scope="module")
def grid():
    """Four 1 km wards in a 2x2 grid (A B / C D, A at the origin); B sits 1 m away from A (a
    sliver, as official files have), D touches A only at a corner. One small area per ward with
    population 100, 200, 300, 400; places: P1 = {A, B}, P2 = {C, D}."""
    boxes = {"A": km_box(0, 0, 1, 1), "B": km_box(1.001, 0, 2, 1), "C": km_box(0, 1, 1, 2),
             "D": km_box(1, 1, 2, 2)}
    sa = gpd.GeoDataFrame({"code": [f"S{k}" for k in boxes], "name": list(boxes),
                           "population": [100, 200, 300, 400], "imd": [1.0, 1.0, 1.0, 5.0]},
                          geometry=list(boxes.values()), crs="EPSG:27700")
    wards = gpd.GeoDataFrame({"code": list(boxes), "name": [f"Ward {k}" for k in boxes]},
                             geometry=list(boxes.values()), crs="EPSG:27700")
    places = pd.DataFrame({"member": list("ABCD"), "code": ["P1", "P1", "P2", "P2"],
                           "name": ["South", "South", "North", "North"]})
    return build_geography(
        small_areas=SmallAreaInput(sa, "sa.geojson", {"imd": "IMD"}, []),
        polygons=[PolygonInput("wards", "Wards", wards, "wards.geojson"),
                  PolygonInput("halves", "Halves", gpd.GeoDataFrame(
                      {"code": ["L", "R"], "name": ["Left", "Right"]},
                      geometry=[km_box(0, 0, 1, 2), km_box(1, 0, 2, 2)], crs="EPSG:27700"),
                      "halves.geojson")],
        groupings=[GroupingInput("places", "Places", "wards", places, "places.csv")],
        name="Grid")


def test_rook_neighbours_across_a_sliver_but_not_at_a_corner(grid):
    adj = adjacency.adjacency(grid, "wards").toarray()
    a, b, c, d = range(4)
    assert adj[a, b] == 1 and adj[a, c] == 1 and adj[b, d] == 1 and adj[c, d] == 1
    assert adj[a, d] == 0 and adj[b, c] == 0
    assert (adj == adj.T).all() and adj.trace() == 0


def test_move_undo_redo(grid):
    d0 = drafts.start(grid, "places")
    assert d0.assignment == {"A": "P1", "B": "P1", "C": "P2", "D": "P2"}
    d1 = drafts.move(d0, "B", "P2")
    assert d1.assignment["B"] == "P2" and d1.undo == ((("B", "P1", "P2"),),)
    d2 = drafts.move(d1, ["A", "C"], "P2")  # C is already there: one change in the step
    assert d2.undo[-1] == (("A", "P1", "P2"),)
    back = drafts.undo(drafts.undo(d2))
    assert back.assignment == d0.assignment and len(back.redo) == 2
    again = drafts.redo(back)
    assert again.assignment == d1.assignment
    # A new move after undo clears redo.
    assert drafts.move(back, "D", "P1").redo == ()
    with pytest.raises(EditError, match="Nothing to undo"):
        drafts.undo(d0)
    with pytest.raises(EditError, match="Nothing to redo"):
        drafts.redo(d2)
    assert drafts.move(d0, "A", "P1") is d0  # no change, no step


def test_locks_block_moves_in_and_out(grid):
    d = drafts.lock(drafts.start(grid, "places"), ["P2"])
    with pytest.raises(EditError, match="North is locked, so C cannot move out of it"):
        drafts.move(d, "C", "P1")
    with pytest.raises(EditError, match="North is locked, so A cannot move into it"):
        drafts.move(d, "A", "P2")
    with pytest.raises(EditError, match="unknown footprint"):
        drafts.lock(d, ["P9"])
    assert drafts.move(drafts.lock(d, []), "C", "P1").assignment["C"] == "P1"


def test_unknown_codes_are_named(grid):
    d = drafts.start(grid, "places")
    with pytest.raises(EditError, match="'Z' is not a ward"):
        drafts.move(d, "Z", "P1")
    with pytest.raises(EditError, match="no footprint 'P9'"):
        drafts.move(d, "A", "P9")
    with pytest.raises(EditError, match="only groupings"):
        drafts.start(grid, "wards")


def test_history_is_bounded(grid):
    d = drafts.start(grid, "places")
    for i in range(drafts.HISTORY_LIMIT + 5):
        d = drafts.move(d, "A", "P2" if i % 2 == 0 else "P1")
    assert len(d.undo) == drafts.HISTORY_LIMIT


def test_json_round_trip_and_checks(grid):
    d = drafts.lock(drafts.move(drafts.start(grid, "places"), "B", "P2"), ["P1"])
    back = drafts.from_json(grid, d.to_json())
    assert back == d
    bad = d.to_json() | {"assignment": {"A": "P7"}}
    with pytest.raises(EditError, match="'P7', which is not one of the footprints"):
        drafts.from_json(grid, bad)
    with pytest.raises(EditError, match="cannot be read"):
        drafts.from_json(grid, {"assignment": {}})


def test_new_group_and_empty_group(grid):
    d = drafts.change(drafts.start(grid, "places"), {"A": "NEW1"}, {"NEW1": "Fresh"})
    g = drafts.apply(grid, d)
    assert g.layer("places").codes == ("P1", "P2", "NEW1")
    emptied = drafts.move(d, "B", "P2")
    b = balance(grid, emptied, "halves")
    assert b.table.set_index("code").loc["P1", "wards"] == 0
    assert any("South has no wards left" in w for w in b.warnings)


def test_balance_hand_checked(grid):
    # Move B to North: P1 = {A} (100), P2 = {B, C, D} (900) against a target of 500.
    d = drafts.move(drafts.start(grid, "places"), "B", "P2")
    b = balance(grid, d, "halves", need="imd", tolerance=0.2)
    t = b.table.set_index("code")
    assert t.loc["P1", "population"] == pytest.approx(100)
    assert t.loc["P2", "population"] == pytest.approx(900)
    assert b.target == pytest.approx(500)
    assert t.loc["P1", "deviation"] == pytest.approx(-0.8)
    assert not t["within"].any()
    # Mean need = (100+200+300+2000)/1000 = 2.6; P2 need pop = (200+300+2000)/2.6.
    assert t.loc["P2", "need_population"] == pytest.approx(2500 / 2.6)
    # P2 = B (right half), C (left), D (right): 600 of 900 on the right.
    assert t.loc["P2", "best_fit_name"] == "Right"
    assert t.loc["P2", "best_fit_share"] == pytest.approx(600 / 900)
    assert t.loc["P2", "splits"] == 2 and t.loc["P1", "splits"] == 1
    # Nesting places in halves: (100 + 600)/1000; halves in places: L = A+C -> C 300, R -> 600.
    assert b.alignment == pytest.approx(0.9)
    assert list(t["pieces"]) == [1, 1] and b.warnings == ()


def test_balance_flags_pieces_and_allocates(grid):
    # P2 = {B, C}: B and C touch only at D's corner, so P2 is in two pieces.
    d = drafts.change(drafts.start(grid, "places"), {"B": "P2", "D": "P1"})
    res = Resource("team", 10, rounding=None)
    b = balance(grid, d, "halves", tolerance=0.5, resource=res)
    t = b.table.set_index("code")
    assert t.loc["P2", "pieces"] == 2 and t.loc["P1", "pieces"] == 2
    assert any("North is in 2 separate pieces" in w for w in b.warnings)
    # Per head with no need weight: P1 = A + D = 500 of 1000.
    assert t.loc["P1", "recommended"] == pytest.approx(5)
    assert t["recommended"].sum() == pytest.approx(10)
    assert t.loc["P1", "per_10k"] == pytest.approx(100)


def test_demo_moves_keep_totals(demo):
    d = drafts.start(demo, "places")
    base = balance(demo, d, "pcns")
    ward = next(iter(d.assignment))
    other = next(g for g in d.groups if g != d.assignment[ward])
    moved = balance(demo, drafts.move(d, ward, other), "pcns")
    assert moved.table["population"].sum() == pytest.approx(demo.total_population)
    before, after = base.table.set_index("code"), moved.table.set_index("code")
    lost = before.loc[d.assignment[ward], "population"] - after.loc[d.assignment[ward], "population"]
    gained = after.loc[other, "population"] - before.loc[other, "population"]
    assert lost == pytest.approx(gained) and lost > 0
    assert drafts.undo(drafts.move(d, ward, other)).assignment == d.assignment


def test_compare_two_arrangements(grid):
    from dashboard.engine.balance import compare

    a = drafts.start(grid, "places")
    b = drafts.move(a, "B", "P2")
    c = compare(grid, a, b, "halves", resource=Resource("team", 10))
    t = c.table.set_index("code")
    assert t.loc["P1", "population_change"] == pytest.approx(-200)
    assert t.loc["P2", "population_change"] == pytest.approx(200)
    assert t.loc["P2", "wards_b"] == 3 and t.loc["P1", "wards_a"] == 2
    assert t["recommended_change"].sum() == pytest.approx(0)
    assert c.moved.to_dict("records") == [{"code": "B", "name": "Ward B",
                                          "from_footprint": "South", "to_footprint": "North"}]
    # A: rows against columns. Places in halves: P1 -> R 200, P2 -> R 400 = 0.6; halves in
    # places: L (A 100, C 300) -> P2 300, R (B 200, D 400) -> P2 400 = 0.7; the larger counts.
    assert c.alignment == (pytest.approx(0.7), pytest.approx(0.9))


def test_an_empty_footprint_gets_no_allocation(grid):
    d = drafts.move(drafts.start(grid, "places"), ["A", "B"], "P2")
    b = balance(grid, d, "halves", resource=Resource("team", 10, core_share=0.5))
    t = b.table.set_index("code")
    assert t.loc["P1", "recommended"] == 0 and t.loc["P2", "recommended"] == pytest.approx(10)
    assert any("gets no allocation" in w for w in b.warnings)


def test_suggesting_on_a_layer_being_made_fills_its_named_footprints():
    from dashboard.engine import optimise

    geo = load_pack(DEMO)
    names = ["North", "South", "East", "West"]
    draft = drafts.blank(geo, "quarters", "Quarters", names)
    found = optimise.suggest(drafts.host(geo, draft), draft, "pcns", 4, tolerance=0.2)
    new = drafts.change(draft, found.assignment, found.groups)
    assert new.unassigned == []
    assert sorted({new.groups[g] for g in new.assignment.values()}) == sorted(names)
    assert "(now" not in found.summary()  # nothing drawn yet to compare with
