"""Hub access and what-if hubs on the tiny borough, where every distance can be worked by hand.

Small areas are 1 km squares whose residents sit at their centres: S1 (0.5, 0.5), S2 (1.5, 0.5),
S3 (0.5, 1.5), S4 (1.5, 1.5) km. Hub A (main, 10 staff) sits on S1's centre and serves P1; hub B
(community, 4 staff) sits at (0.5, 1.9) in ward W3, so in place P2, but is listed as serving P1.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import KM, X0, Y0
from dashboard.engine import hubplan
from dashboard.engine.access import access, hub_table, small_area_points, weighted_median
from dashboard.engine.drafts import EditError


def hubs(*rows):
    return pd.DataFrame(
        [(c, n, t, X0 + x * KM, Y0 + y * KM, s, v) for c, n, t, x, y, s, v in rows],
        columns=["code", "name", "type", "x", "y", "staff", "serves"])


A = ("A", "Hub A", "main", 0.5, 0.5, 10, "P1")
B = ("B", "Hub B", "community", 0.5, 1.9, 4, "P1")


def test_residents_sit_inside_their_small_area(tiny):
    points = small_area_points(tiny)
    assert points[:, 0].tolist() == [X0 + 500, X0 + 1500, X0 + 500, X0 + 1500]
    assert points[:, 1].tolist() == [Y0 + 500, Y0 + 500, Y0 + 1500, Y0 + 1500]


def test_nearest_hub_and_straight_line_distances(tiny):
    result = access(tiny, hubs(A, B))
    areas = result.areas.set_index("code")
    assert areas["nearest_hub"].tolist() == ["A", "A", "B", "B"]
    assert areas["straight_line_m"].tolist() == pytest.approx(
        [0, 1000, 400, math.hypot(1000, 400)])
    # Nearest of each type: only A is main, only B community.
    assert areas.loc["S4", "straight_line_m_main"] == pytest.approx(math.hypot(1000, 1000))
    assert areas.loc["S2", "straight_line_m_community"] == pytest.approx(math.hypot(1000, 1400))
    assert result.farthest(2)["code"].tolist() == ["S4", "S2"]


def test_population_within_bands(tiny):
    bands = access(tiny, hubs(A, B), bands_m=[2000, 1000, 500]).bands.set_index("within_m")
    # Within 500 m: S1 (0) and S3 (400) = 400 people; 1 km adds S2 (exactly 1000 m).
    assert bands["population"].tolist() == [400, 600, 1000]
    assert bands["share"].tolist() == pytest.approx([0.4, 0.6, 1.0])


def test_need_weighted_catchments_and_staff_ratios(tiny):
    # IMD mean weighted by population is 30, so S1..S4 weigh 1/3, 2/3, 1 and 4/3.
    c = access(tiny, hubs(A, B), need="imd").catchments.set_index("code")
    assert c["population"].tolist() == [300, 700]
    assert c["weighted_population"].tolist() == pytest.approx([100 / 3 + 400 / 3, 300 + 1600 / 3])
    assert c.loc["A", "staff_per_10k"] == pytest.approx(10 / (500 / 3) * 1e4)
    assert c.loc["B", "staff_per_10k"] == pytest.approx(4 / (2500 / 3) * 1e4)
    # Half of A's 300 people live at 1000 m or nearer only once S2 is counted.
    assert c["median_straight_line_m"].tolist() == pytest.approx([1000, math.hypot(1000, 400)])


def test_hub_outside_the_footprint_it_serves(tiny):
    result = access(tiny, hubs(A, B), layer="places")
    c = result.catchments.set_index("code")
    assert c["sits_in"].tolist() == ["P1", "P2"]
    assert c["outside_footprint"].tolist() == [False, True]
    assert result.hubs_outside_footprint == ["Hub B"]


def test_footprint_access_counts_residents_by_atom(tiny):
    f = access(tiny, hubs(A, B), layer="places").footprints.set_index("code")
    # P1 = S1 + S2 + 60% of S4 = 540; P2 = S3 + 40% of S4 = 460.
    assert f["population"].tolist() == pytest.approx([540, 460])
    assert f.loc["P1", "share_within_1000_m"] == pytest.approx(300 / 540)
    assert f.loc["P2", "share_within_1000_m"] == pytest.approx(300 / 460)
    assert f["has_hub"].tolist() == [True, True]


def test_footprint_without_hub_and_type_filter(tiny):
    only_main = access(tiny, hubs(A, B), layer="places", types=["main"])
    assert only_main.footprints_without_hub == ["West"]
    assert only_main.catchments["population"].tolist() == [1000]
    assert only_main.areas["straight_line_m"].max() == pytest.approx(math.hypot(1000, 1000))


def test_no_hubs_means_nobody_within_reach(tiny):
    result = access(tiny, hubs(), layer="places")
    assert result.bands["population"].sum() == 0
    assert result.footprints_without_hub == ["East", "West"]


def test_weighted_median_is_the_half_way_value():
    assert weighted_median([1.0, 2.0, 3.0], [1.0, 1.0, 5.0]) == 3.0
    assert math.isnan(weighted_median([1.0], [0.0]))


def test_demo_hub_table_keeps_codes_as_strings(demo):
    table = hub_table(demo)
    assert table["code"].map(type).eq(str).all()
    assert len(table) == 9


# What-if hubs ----------------------------------------------------------------------------------

def plan(tiny):
    return hubplan.HubPlan(tuple(hubplan.Hub(c, n, t, X0 + x * KM, Y0 + y * KM, s, v)
                                 for c, n, t, x, y, s, v in (A, B)))


def test_open_move_close_and_undo_change_access(tiny):
    p = plan(tiny)
    base = access(tiny, p.table()).bands.set_index("within_m")["population"]
    p = hubplan.add(p, tiny, X0 + 1500, Y0 + 1500, staff=3)  # on S4's centre
    assert p.hubs[-1].code == "NEW1" and p.hubs[-1].name == "New hub 1"
    after = access(tiny, p.table()).bands.set_index("within_m")["population"]
    assert after[1000] == base[1000] + 400
    p = hubplan.move(p, tiny, "NEW1", X0 + 1500, Y0 + 500)  # to S2's centre
    assert access(tiny, p.table()).areas.set_index("code").loc["S2", "straight_line_m"] == 0
    p = hubplan.close(p, "A")
    assert "A" not in set(p.table()["code"])
    assert len(p.table(include_closed=True)) == 3
    p = hubplan.undo(hubplan.undo(p))
    assert p.hubs[-1].y == Y0 + 1500 and not p.closed
    p = hubplan.redo(p)
    assert p.hubs[-1].y == Y0 + 500


def test_edits_that_cannot_be_made_say_why(tiny):
    p = plan(tiny)
    with pytest.raises(EditError, match="3.0 km outside the borough"):
        hubplan.add(p, tiny, X0 + 5000, Y0 + 1000)
    with pytest.raises(EditError, match="already a hub called 'Hub A'"):
        hubplan.add(p, tiny, X0 + 100, Y0 + 100, name="hub a")
    with pytest.raises(EditError, match="Staff must be a number"):
        hubplan.update(p, "A", staff="lots")
    with pytest.raises(EditError, match="no hub with code 'Z'"):
        hubplan.close(p, "Z")
    closed = hubplan.close(p, "B")
    with pytest.raises(EditError, match="reopen it before moving"):
        hubplan.move(closed, tiny, "B", X0 + 100, Y0 + 100)
    with pytest.raises(EditError, match="Nothing to undo"):
        hubplan.undo(p)
    # Just over the edge (generalised boundaries) is still inside.
    assert hubplan.add(p, tiny, X0 - 30, Y0 + 500).hubs[-1].code == "NEW1"


def test_changes_against_the_pack_and_json_round_trip(demo):
    p = hubplan.start(demo)
    first = p.hubs[0]
    p = hubplan.move(p, demo, first.code, first.x + 300, first.y + 400)
    p = hubplan.close(p, p.hubs[1].code)
    p = hubplan.add(p, demo, first.x, first.y - 1000, name="Estate shop")
    p = hubplan.update(p, p.hubs[2].code, staff=99)
    table = hubplan.changes(demo, p).set_index("code")
    assert table["change"].to_dict() == {first.code: "moved", p.hubs[1].code: "closed",
                                         p.hubs[2].code: "edited", "NEW1": "opened"}
    assert table.loc[first.code, "moved_straight_line_m"] == pytest.approx(500)
    again = hubplan.from_json(p.to_json())
    assert again == p


def test_damaged_saved_plan_is_named(tiny):
    good = plan(tiny).to_json()
    with pytest.raises(EditError, match="hub 2 needs code, name, type, x and y"):
        hubplan.from_json({**good, "hubs": [good["hubs"][0], {"code": "X"}]})
    with pytest.raises(EditError, match="closed hub\\(s\\) Q are not in the list"):
        hubplan.from_json({**good, "closed": ["Q"]})
    with pytest.raises(EditError, match="hub code A appears twice"):
        hubplan.from_json({**good, "hubs": [good["hubs"][0]] * 2})
