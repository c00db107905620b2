"""PCN footprint rules and location estimates on hand-made registration tables.

Patients (PCN X / PCN Y) in the tiny borough: S1 80/20, S2 50/50, S3 0/100, S4 30/90;
residents S1..S4 = 100, 200, 300, 400.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from conftest import tiny_inputs
from dashboard.data.build import build_geography
from dashboard.engine import overlap
from dashboard.engine.footprints import MIXED_CODE, apply_rule, estimate_registrations
from dashboard.errors import LayerError


def _with_rule(rule: str, min_share: float = 0.0):
    inputs = tiny_inputs()
    inputs["registrations"] = [dataclasses.replace(inputs["registrations"][0], rule=rule,
                                                   min_share=min_share)]
    return build_geography(**inputs, name="Tiny")


def _pcn_population(geo) -> dict[str, float]:
    pop = np.asarray(overlap(geo, "pcns", "small_areas").population.sum(axis=1)).ravel()
    return dict(zip(geo.layer("pcns").codes, pop))


def test_proportional_splits_residents_as_patients_are():
    pops = _pcn_population(_with_rule("proportional"))
    assert pops["X"] == pytest.approx(80 + 100 + 0 + 100)
    assert sum(pops.values()) == pytest.approx(1000)


def test_plurality_gives_each_small_area_to_its_main_pcn():
    pops = _pcn_population(_with_rule("plurality"))
    # S2's 50/50 tie goes to the first PCN, X.
    assert pops == pytest.approx({"X": 300, "Y": 700})


def test_majority_marks_small_areas_without_a_majority_as_mixed():
    geo = _with_rule("majority")
    assert geo.layer("pcns").codes[-1] == MIXED_CODE
    assert _pcn_population(geo) == pytest.approx({"X": 100, "Y": 700, MIXED_CODE: 200})


def test_min_share_ignores_small_presences_and_respreads():
    pops = _pcn_population(_with_rule("proportional", 0.3))
    # S1's 20% of Y and S4's 25% of X are dropped; S2's halves stay.
    assert pops == pytest.approx({"X": 100 + 100, "Y": 100 + 300 + 400})


def test_apply_rule_keeps_the_main_unit_when_every_share_is_small():
    shares = sparse.csr_matrix(np.array([[0.2, 0.2, 0.3, 0.3]]))
    weights, mixed = apply_rule(shares, "proportional", 0.4)
    assert weights.toarray().ravel() == pytest.approx([0, 0, 1, 0]) and not mixed


def test_bad_rules_are_refused():
    with pytest.raises(LayerError, match="use one of: proportional, plurality, majority"):
        apply_rule(sparse.csr_matrix(np.eye(2)), "biggest")
    with pytest.raises(LayerError, match="minimum share"):
        apply_rule(sparse.csr_matrix(np.eye(2)), "plurality", 1.5)


def test_estimates_from_locations():
    areas = pd.DataFrame({"code": ["A", "B"], "population": [100.0, 300.0],
                          "x": [0.0, 10_000.0], "y": [0.0, 0.0]})
    practices = pd.DataFrame({"code": ["P1", "P2"], "x": [1_000.0, 9_000.0], "y": [0.0, 0.0],
                              "list_size": [1000.0, 3000.0]})
    nearest = estimate_registrations(areas, practices, "nearest")
    assert list(nearest["practice"]) == ["P1", "P2"]
    gravity = estimate_registrations(areas, practices, "gravity").pivot(
        index="small_area", columns="practice", values="patients")
    # Small area A: list size over squared distance, 1 km to P1 and 9 km to P2.
    w1, w2 = 1000 / 1_000 ** 2, 3000 / 9_000 ** 2
    assert gravity.loc["A", "P1"] == pytest.approx(100 * w1 / (w1 + w2))
    assert gravity.sum(axis=1).tolist() == pytest.approx([100, 300])
