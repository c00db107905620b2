"""The demo pack: reproducible byte for byte, shaped like a real borough, totals conserved."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from conftest import DEMO
from dashboard.data.demo import generate, render
from dashboard.engine import METHODS, mismatch, overlap, unit_totals


def test_regeneration_reproduces_the_committed_files_byte_for_byte():
    files = render(generate())
    committed = sorted(p.name for p in DEMO.iterdir())
    assert sorted(files) == committed
    for name, text in files.items():
        assert (DEMO / name).read_bytes() == text.encode("utf-8"), f"{name} differs"


def test_shape_matches_the_brief(demo):
    assert demo.fictional and "fictional" in demo.name.lower()
    assert 230 <= len(demo.small_areas) <= 270
    assert 400_000 <= demo.total_population <= 450_000
    assert demo.population.min() >= 1000 and demo.population.max() <= 3000
    assert 20 <= len(demo.layer("wards")) <= 25
    assert len(demo.layer("places")) == 7
    assert len(demo.layer("districts")) == 5
    assert len(demo.layer("pcns")) == 9
    assert 55 <= len(demo.practices["pcns"]) <= 65
    hub_types = demo.hubs["type"].value_counts()
    assert hub_types["main"] == 4 and hub_types["community"] >= 3
    assert demo.small_areas.codes[0] == "E01950001"


def test_registrations_cut_across_wards_and_the_border(demo):
    mm = mismatch(overlap(demo, "wards", "pcns"))
    assert (mm.from_units["pieces"] > 1).sum() >= 10  # most wards are split between PCNs
    assert any("live outside the pack's small areas" in w for w in demo.warnings)


def test_need_is_concentrated(demo):
    t = unit_totals(demo, "wards", "imd_score")
    # A few town-centre and estate wards carry about twice the average need per head.
    assert (t["need_index"] > 1.6).sum() >= 2
    assert (t["need_index"] < 0.8).sum() >= 5


LAYERS = ["small_areas", "wards", "pcns", "places", "districts"]


@pytest.mark.parametrize("method", METHODS)
def test_every_pair_conserves_totals_and_agrees_both_ways(demo, method):
    total = demo.total_population
    area = demo.atoms.area_m2.sum()
    for a, b in itertools.product(LAYERS, repeat=2):
        ov = overlap(demo, a, b, method, "idaci_score")
        assert ov.population.sum() == pytest.approx(total, rel=1e-9), (a, b)
        assert ov.need_population.sum() == pytest.approx(total, rel=1e-9), (a, b)
        assert ov.area_m2.sum() == pytest.approx(area, rel=1e-9), (a, b)
        back = overlap(demo, b, a, method, "idaci_score")
        np.testing.assert_allclose(ov.population.toarray(), back.population.T.toarray(),
                                   rtol=1e-9, atol=1e-6)
        table = ov.table()
        sums = table.groupby("from_code")["share_of_from_population"].sum()
        assert np.allclose(sums[sums > 0], 1.0)
