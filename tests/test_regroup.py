"""Regrouping without geometry must equal rebuilding the pack with the new membership."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import tiny_inputs
from dashboard.data.build import GroupingInput, build_geography
from dashboard.engine import membership_of, mismatch, overlap, regroup, unit_totals
from dashboard.errors import LayerError


def test_moving_a_ward_moves_its_people(tiny):
    moved = regroup(tiny, "places", {"W2": "P2"})
    totals = unit_totals(moved, "places").set_index("code")["population"]
    assert totals.to_dict() == pytest.approx({"P1": 180, "P2": 820})
    # The original is untouched.
    assert unit_totals(tiny, "places").set_index("code")["population"]["P1"] == pytest.approx(540)


def test_regroup_equals_rebuild(tiny):
    moved = regroup(tiny, "places", {"W2": "P2", "W3": "P3"}, {"P3": "North"})
    inputs = tiny_inputs()
    inputs["groupings"] = [GroupingInput("places", "Places", "wards", pd.DataFrame(
        {"member": ["W1", "W2", "W3"], "code": ["P1", "P2", "P3"], "name": ["East", "West", "North"]}
    ), "places.csv")]
    rebuilt = build_geography(**inputs)
    for method in ("proportional", "best-fit"):
        a = overlap(moved, "places", "pcns", method, "imd")
        b = overlap(rebuilt, "places", "pcns", method, "imd")
        np.testing.assert_allclose(a.population.toarray(), b.population.toarray())
        np.testing.assert_allclose(a.need_population.toarray(), b.need_population.toarray())
        np.testing.assert_allclose(a.area_m2.toarray(), b.area_m2.toarray())
    assert mismatch(overlap(moved, "places", "pcns")).alignment == pytest.approx(
        mismatch(overlap(rebuilt, "places", "pcns")).alignment)
    assert membership_of(moved, "places") == {"W1": "P1", "W2": "P2", "W3": "P3"}


def test_emptied_group_stays_with_zero_people(tiny):
    moved = regroup(tiny, "places", {"W3": "P1"})
    totals = unit_totals(moved, "places").set_index("code")["population"]
    assert totals["P2"] == 0 and totals["P1"] == pytest.approx(1000)


def test_bad_regroups_are_refused(tiny):
    with pytest.raises(LayerError, match="'W9' is not a unit of layer 'wards'"):
        regroup(tiny, "places", {"W9": "P1"})
    with pytest.raises(LayerError, match="only grouping layers"):
        regroup(tiny, "wards", {"S1": "W2"})
