"""The overview's figures: every pair's alignment and one pair's headlines, recomputed here from
the overlap matrices (never from the module under test)."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.engine import alignment, mismatch, overlap


def test_matrix_is_every_comparable_pair_once_and_symmetric(geo):
    scores = alignment.alignment_matrix(geo)
    names = [n for n in geo.layers if n != "small_areas"]
    assert list(scores.index) == list(scores.columns) == names
    assert np.allclose(scores.to_numpy(), scores.to_numpy().T, equal_nan=True)
    for a in names:
        for b in names:
            la, lb = geo.layer(a), geo.layer(b)
            if a == b or la.member_of == b or lb.member_of == a:
                assert np.isnan(scores.loc[a, b])  # a grouping always nests in its members
            else:
                ov = overlap(geo, a, b).population.toarray()
                total = ov.sum()
                nest_ab = ov.max(axis=1).sum() / total
                nest_ba = ov.max(axis=0).sum() / total
                assert scores.loc[a, b] == pytest.approx(max(nest_ab, nest_ba), abs=1e-12)


def test_headlines_count_residents_in_units_split_three_ways(geo):
    pop = overlap(geo, "places", "pcns").population.toarray()
    per_place = pop.sum(axis=1)
    share = pop / per_place[:, None]
    pieces = (share >= 0.05).sum(axis=1)
    heads = alignment.headlines(geo, "places", "pcns")
    assert heads.share_split_many == pytest.approx(per_place[pieces >= 3].sum() / pop.sum())
    assert heads.units_mostly_in_one == int((share.max(axis=1) >= 0.9).sum())
    assert heads.units == len(per_place)
    assert heads.share_in_best_fit == pytest.approx(pop.max(axis=1).sum() / pop.sum())
    assert heads.sentences[0].startswith(f"{heads.share_split_many:.0%} of residents live in a "
                                         "place partnership that is split across 3 or more")
    worst = int(np.argmax(1 - share.max(axis=1)))
    assert f"Most split: {geo.layer('places').names[worst]}" in heads.sentences[-1]


def test_worst_units_are_the_largest_shares_outside(geo):
    worst = alignment.worst_units(geo, "places", "pcns")
    units = mismatch(overlap(geo, "places", "pcns")).from_units
    assert list(worst["code"]) == list(units.sort_values("share_outside", ascending=False)
                                       ["code"].head(3))


def test_the_first_question_is_footprints_against_pcns(geo):
    assert alignment.default_pair(geo) == ("places", "pcns")
    assert not alignment.comparable(geo, "places", "wards")


@pytest.mark.parametrize("label, one, inside", [
    ("Place partnerships", "Place partnership", "place partnerships"),
    ("PCNs", "PCN", "PCNs"), ("Primary Care Networks", "Primary Care Network",
                              "primary care networks"), ("Localities", "Locality", "localities")])
def test_labels_read_well_inside_sentences(label, one, inside):
    assert alignment.singular(label) == one
    assert alignment.lower(label) == inside
