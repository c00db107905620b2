"""Overlap engine on the tiny borough of conftest.tiny_inputs, against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.engine import METHODS, overlap, unit_totals
from dashboard.errors import LayerError


def cell(ov, a, b, what="population"):
    t = ov.table().set_index(["from_code", "to_code"])
    return t.loc[(a, b), what] if (a, b) in t.index else 0.0


def test_small_areas_split_by_ward_area(tiny):
    # S2 and S4 are cut 40/60 by the ward line at x = 1.4 km.
    ov = overlap(tiny, "small_areas", "wards")
    assert cell(ov, "S2", "W1") == pytest.approx(80)
    assert cell(ov, "S2", "W2") == pytest.approx(120)
    assert cell(ov, "S4", "W3") == pytest.approx(160)
    assert cell(ov, "S4", "W2") == pytest.approx(240)
    assert cell(ov, "S2", "W1", "share_of_from_population") == pytest.approx(0.4)
    assert cell(ov, "S2", "W1", "area_m2") == pytest.approx(400_000)


def test_ward_totals_population_need_and_area(tiny):
    t = unit_totals(tiny, "wards", "imd").set_index("code")
    assert t["population"].tolist() == pytest.approx([180, 360, 460])
    # need-weighted: pop x imd / 30 (the population-weighted mean of 10, 20, 30, 40)
    assert t["need_population"].tolist() == pytest.approx([86.6667, 400, 513.3333], rel=1e-5)
    assert t["area_m2"].tolist() == pytest.approx([1.4e6, 1.2e6, 1.4e6])


def test_ward_by_pcn_uses_registration_shares_within_each_piece(tiny):
    ov = overlap(tiny, "wards", "pcns")
    expected = {("W1", "X"): 120, ("W1", "Y"): 60, ("W2", "X"): 120, ("W2", "Y"): 240,
                ("W3", "X"): 40, ("W3", "Y"): 420}
    for (a, b), value in expected.items():
        assert cell(ov, a, b) == pytest.approx(value)
    # Area is apportioned the same way: S1 (1 km2) is 80% X, S2's W1 piece (0.4 km2) is 50% X.
    assert cell(ov, "W1", "X", "area_m2") == pytest.approx(1.0e6)


def test_grouping_by_pcn_and_both_directions(tiny):
    ov = overlap(tiny, "places", "pcns")
    assert cell(ov, "P1", "X") == pytest.approx(240)
    assert cell(ov, "P1", "Y") == pytest.approx(300)
    assert cell(ov, "P2", "X") == pytest.approx(40)
    assert cell(ov, "P2", "Y") == pytest.approx(420)
    assert cell(ov, "P1", "X", "share_of_from_population") == pytest.approx(240 / 540)
    assert cell(ov, "P1", "X", "share_of_to_population") == pytest.approx(240 / 280)
    back = overlap(tiny, "pcns", "places")
    assert cell(back, "X", "P1") == pytest.approx(240)
    assert cell(back, "X", "P1", "share_of_from_population") == pytest.approx(240 / 280)


def test_best_fit_gives_each_small_area_to_one_unit(tiny):
    ov = overlap(tiny, "small_areas", "wards", "best-fit")
    assert cell(ov, "S2", "W2") == pytest.approx(200)
    assert cell(ov, "S2", "W1") == 0
    t = unit_totals(tiny, "wards")  # unit totals are proportional
    assert t["population"].sum() == pytest.approx(1000)
    wards = overlap(tiny, "wards", "places", "best-fit").table().groupby("from_code")["population"].sum()
    assert wards.to_dict() == pytest.approx({"W1": 100, "W2": 600, "W3": 300})
    # S2 moves 80 people and S4 160: 24% of the borough.
    assert ov.moved_by_best_fit == pytest.approx(0.24)
    assert overlap(tiny, "small_areas", "wards").moved_by_best_fit == 0


def test_best_fit_registration_is_plurality(tiny):
    ov = overlap(tiny, "small_areas", "pcns", "best-fit")
    # S2 is a 50/50 tie: the first PCN in code order wins, deterministically.
    assert {k: cell(ov, k, v) for k, v in [("S1", "X"), ("S2", "X"), ("S3", "Y"), ("S4", "Y")]} \
        == pytest.approx({"S1": 100, "S2": 200, "S3": 300, "S4": 400})


def test_registration_layer_against_itself_is_diagonal(tiny):
    ov = overlap(tiny, "pcns", "pcns")
    assert cell(ov, "X", "Y") == 0
    assert cell(ov, "X", "X") == pytest.approx(280)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pair", [("wards", "pcns"), ("places", "small_areas"), ("pcns", "places"),
                                  ("wards", "wards")])
def test_totals_conserved_and_directions_agree(tiny, method, pair):
    a, b = pair
    ov, back = overlap(tiny, a, b, method, "imd"), overlap(tiny, b, a, method, "imd")
    assert ov.population.sum() == pytest.approx(1000, rel=1e-12)
    assert ov.need_population.sum() == pytest.approx(1000, rel=1e-12)
    assert ov.area_m2.sum() == pytest.approx(4e6, rel=1e-12)
    np.testing.assert_allclose(ov.population.toarray(), back.population.T.toarray(), atol=1e-9)


def test_unknown_layer_method_and_indicator_are_named(tiny):
    with pytest.raises(LayerError, match="no layer 'pcn'.*pcns"):
        overlap(tiny, "places", "pcn")
    with pytest.raises(LayerError, match="Unknown method 'nearest'"):
        overlap(tiny, "places", "pcns", "nearest")
    with pytest.raises(LayerError, match="no need indicator 'idaci'.*imd"):
        overlap(tiny, "places", "pcns", need="idaci")


def test_need_request_on_a_pack_without_indicators_is_refused():
    from conftest import tiny_inputs
    from dashboard.data.build import build_geography

    inputs = tiny_inputs()
    inputs["small_areas"].need_labels = {}
    bare = build_geography(**inputs)
    ov = overlap(bare, "wards", "pcns")  # no indicator: need-weighted equals population
    np.testing.assert_allclose(ov.need_population.toarray(), ov.population.toarray())
    with pytest.raises(LayerError, match="no need indicator 'imd'.*\\(none\\)"):
        overlap(bare, "wards", "pcns", need="imd")


def test_inputs_are_not_mutated_and_model_is_read_only(tiny):
    before = tiny.population.copy()
    overlap(tiny, "places", "pcns")
    np.testing.assert_array_equal(tiny.population, before)
    with pytest.raises(ValueError):
        tiny.population[0] = 5


def test_row_max_matches_dense_argmax():
    from scipy import sparse

    from dashboard.engine.geography import row_max

    rng = np.random.default_rng(3)
    dense = rng.integers(0, 4, size=(60, 7)).astype(float)  # many ties and empty rows
    dense[::9] = 0
    col, val = row_max(sparse.csr_matrix(dense))
    np.testing.assert_array_equal(col, dense.argmax(axis=1))
    np.testing.assert_array_equal(val, dense.max(axis=1))
