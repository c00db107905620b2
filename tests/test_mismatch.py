"""Mismatch metrics on the tiny borough, against hand-computed answers."""

from __future__ import annotations

import math

import pytest

from dashboard.engine import mismatch, overlap


def test_places_against_pcns(tiny):
    mm = mismatch(overlap(tiny, "places", "pcns"))
    p1 = mm.from_units.set_index("code").loc["P1"]
    assert p1["best_fit_code"] == "Y"
    assert p1["best_fit_share"] == pytest.approx(300 / 540)
    assert p1["pieces"] == 2
    assert p1["population_outside"] == pytest.approx(240)
    assert p1["split_score"] == pytest.approx(math.sqrt(240 / 540) + math.sqrt(300 / 540))
    x = mm.to_units.set_index("code").loc["X"]
    assert x["best_fit_code"] == "P1"
    assert x["population_outside"] == pytest.approx(40)
    assert mm.nesting_from == pytest.approx(0.72)  # (300 + 420) / 1000
    assert mm.nesting_to == pytest.approx(0.66)  # (240 + 420) / 1000
    assert mm.alignment == pytest.approx(0.72)
    split_p2 = math.sqrt(40 / 460) + math.sqrt(420 / 460)
    assert mm.split_score_from == pytest.approx((540 * p1["split_score"] + 460 * split_p2) / 1000)
    # Worst first.
    assert mm.from_units["code"].tolist() == ["P1", "P2"]


def test_nested_and_identical_layers_align_perfectly(tiny):
    nested = mismatch(overlap(tiny, "wards", "places"))
    assert nested.alignment == pytest.approx(1.0)
    assert nested.split_score_from == pytest.approx(1.0)
    assert nested.split_score_to > 1
    same = mismatch(overlap(tiny, "pcns", "pcns"))
    assert same.alignment == pytest.approx(1.0)
    assert same.split_score_from == pytest.approx(1.0)


def test_threshold_hides_slivers(tiny):
    # W3 holds 40 of X's 280 people (14%); at a 15% threshold it is not a piece of X.
    mm = mismatch(overlap(tiny, "pcns", "wards"), threshold=0.15)
    assert mm.from_units.set_index("code").loc["X", "pieces"] == 2
    mm = mismatch(overlap(tiny, "pcns", "wards"), threshold=0.10)
    assert mm.from_units.set_index("code").loc["X", "pieces"] == 3
    with pytest.raises(ValueError, match="threshold"):
        mismatch(overlap(tiny, "pcns", "wards"), threshold=0)
