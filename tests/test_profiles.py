"""Footprint profiles, small-area measures and overlap pieces on the hand-checkable borough.

Figures below are worked by hand from the diagram in ``conftest.tiny_inputs``: place P1 (East)
holds S1, S2 and 60% of S4 (100 + 200 + 240 = 540 residents); P2 (West) holds S3 and 40% of S4.
"""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.engine import overlap
from dashboard.engine.pieces import EXACT, MAIN_UNIT, overlap_pieces
from dashboard.engine.profiles import (
    describe,
    need_deciles,
    profile,
    small_area_measures,
    small_area_mismatch,
)
from dashboard.errors import LayerError


def test_profile_headline_age_and_need(tiny):
    prof = profile(tiny, "places", "P1", need="imd")
    assert prof.name == "East"
    assert prof.population == pytest.approx(540)
    assert prof.area_km2 == pytest.approx(2.6)
    ages = prof.age_bands.set_index("band")
    assert ages.loc["age_0_15", "people"] == pytest.approx(20 + 50 + 0.6 * 100)
    assert ages.loc["age_0_15", "borough_share"] == pytest.approx(230 / 1000)
    imd = prof.need.set_index("indicator").loc["imd"]
    assert imd["mean_score"] == pytest.approx((100 * 10 + 200 * 20 + 240 * 40) / 540)
    assert imd["borough_mean"] == pytest.approx(30)
    assert imd["index"] == pytest.approx(14600 / 540 / 30)


def test_need_deciles_rank_highest_need_first(tiny):
    # Scores 10, 20, 30, 40: S4 is in the top 10%, S1 in the eighth decile of four areas.
    assert list(need_deciles(tiny, "imd")) == [8, 6, 3, 1]
    deciles = profile(tiny, "places", "P1", need="imd").deciles.set_index("decile")["people"]
    assert deciles[1] == pytest.approx(240) and deciles[6] == pytest.approx(200)
    assert deciles[8] == pytest.approx(100) and deciles.sum() == pytest.approx(540)


def test_profile_overlaps_both_directions(tiny):
    pcns = profile(tiny, "places", "P1").overlaps["pcns"].set_index("code")
    # Registration shares: S1 80/20, S2 50/50, S4 25/75 (X/Y).
    assert pcns.loc["Y", "population"] == pytest.approx(20 + 100 + 180)
    assert pcns.loc["X", "population"] == pytest.approx(80 + 100 + 60)
    assert pcns.loc["Y", "share_of_footprint"] == pytest.approx(300 / 540)
    assert pcns.loc["Y", "share_of_unit"] == pytest.approx(300 / 720)
    assert list(pcns.index) == ["Y", "X"]  # largest first


def test_describe_says_who_is_registered_where_and_what_is_split(tiny):
    text = " ".join(describe(tiny, profile(tiny, "places", "P1")))
    assert "540 residents, 54.0% of the borough" in text
    assert "It is made up of 2 wards: Ward two and Ward one." in text
    assert "56% of its residents are registered with PCN Y (PCNs)" in text
    assert "2 of its 2 wards are split between PCNs" in text


def test_unknown_footprint_names_the_layer(tiny):
    with pytest.raises(LayerError, match="no unit with code 'P9'"):
        profile(tiny, "places", "P9")


def test_small_area_mismatch_is_the_share_outside_the_main_unit(tiny):
    # Both places' main PCN is Y, so each small area's mismatch is its share registered with X.
    assert small_area_mismatch(tiny, "places", "pcns") == pytest.approx([0.8, 0.5, 0.0, 0.25])
    # Wards nest in places: no mismatch anywhere.
    assert small_area_mismatch(tiny, "wards", "places") == pytest.approx([0, 0, 0, 0])


def test_small_area_measures(tiny):
    table = small_area_measures(tiny, "imd")
    assert list(table["code"]) == ["S1", "S2", "S3", "S4"]
    assert table["density_per_km2"].tolist() == pytest.approx([100, 200, 300, 400])
    assert table["need_decile"].tolist() == [8, 6, 3, 1]


def test_pieces_have_exact_shapes_and_engine_figures(tiny):
    pieces = overlap_pieces(tiny, "places", "wards").set_index(["from_code", "to_code"])
    assert pieces.loc[("P1", "W2")].geometry.area == pytest.approx(1.2e6)
    assert (pieces["geometry_rule"] == EXACT).all()
    table = overlap(tiny, "places", "wards").table().set_index(["from_code", "to_code"])
    assert np.allclose(pieces["population"], table.loc[pieces.index, "population"])


def test_registration_pieces_use_each_small_areas_main_unit(tiny):
    pieces = overlap_pieces(tiny, "places", "pcns").set_index(["from_code", "to_code"])
    assert (pieces["geometry_rule"] == MAIN_UNIT).all()
    # S2 ties 50/50 and goes to the first PCN, X; S4's 60% in P1 is mainly Y.
    assert pieces.loc[("P1", "X")].geometry.area == pytest.approx(2e6)
    assert pieces.loc[("P1", "Y")].geometry.area == pytest.approx(0.6e6)
    # P2 has 40 patients of X (from S4) but no small area where X leads: figures, no shape.
    assert pieces.loc[("P2", "X"), "population"] == pytest.approx(40)
    assert pieces.loc[("P2", "X")].geometry is None


def test_best_fit_pieces_are_whole_small_areas(tiny):
    pieces = overlap_pieces(tiny, "small_areas", "wards", "best-fit")
    assert pieces.geometry.area.tolist() == pytest.approx([1e6] * 4)
