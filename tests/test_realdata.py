"""Cross-checks on real Kirklees data against independent methods (skipped when absent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import realdata
from dashboard.engine import mismatch, overlap

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def kirklees(kirklees_dir):
    return realdata.geography(kirklees_dir)


def test_best_fit_agrees_with_ons_lookup(kirklees, kirklees_dir):
    lookup = pd.read_csv(kirklees_dir / "lookup_lsoa11_ward17.csv", dtype=str)
    ons = dict(zip(lookup["lsoa11_code"], lookup["ward17_code"]))
    ov = overlap(kirklees, "small_areas", "wards", "best-fit").table()
    ours = dict(zip(ov["from_code"], ov["to_code"]))
    assert len(ours) == len(kirklees.small_areas) == 259
    agree = sum(ours[c] == ons.get(c) for c in ours) / len(ours)
    assert agree >= 0.95, f"best-fit agrees with ONS for only {agree:.1%} of LSOAs"


def test_proportional_overlaps_agree_with_tobler(kirklees, kirklees_dir):
    tobler = pytest.importorskip("tobler")
    sa = realdata.small_areas(kirklees_dir).to_crs("EPSG:27700")
    sa["geometry"] = sa.geometry.make_valid()
    wards = realdata.wards(kirklees_dir).to_crs("EPSG:27700")
    # One column per LSOA (its population, zero elsewhere) makes tobler report every overlap.
    wide = pd.DataFrame(np.diag(sa["population"].to_numpy(dtype=float)),
                        columns=list(sa["code"]), index=sa.index)
    source = sa[["geometry"]].join(wide)
    result = tobler.area_weighted.area_interpolate(
        source, wards, extensive_variables=list(sa["code"]), allocate_total=True)
    theirs = pd.DataFrame(result[list(sa["code"])].to_numpy().T, index=list(sa["code"]),
                          columns=list(wards["code"]))
    ov = overlap(kirklees, "small_areas", "wards").table()
    ours = ov.pivot_table(index="from_code", columns="to_code", values="population",
                          aggfunc="sum").reindex(index=theirs.index, columns=theirs.columns)
    ours = ours.fillna(0.0)
    # Every overlap holding at least one person agrees within 0.1%; smaller pieces within 1 person.
    big = theirs.to_numpy() >= 1
    rel = np.abs(ours.to_numpy()[big] - theirs.to_numpy()[big]) / theirs.to_numpy()[big]
    assert rel.max() < 0.001, f"largest relative difference {rel.max():.4%}"
    assert np.abs(ours.to_numpy()[~big] - theirs.to_numpy()[~big]).max() < 1
    # Ours conserves the borough exactly; tobler loses a few thousandths of a person in slivers.
    assert ours.to_numpy().sum() == pytest.approx(kirklees.total_population, rel=1e-12)
    assert theirs.to_numpy().sum() == pytest.approx(kirklees.total_population, abs=0.01)


def test_kirklees_pcns_cut_across_wards(kirklees):
    mm = mismatch(overlap(kirklees, "wards", "pcns"))
    assert 0.5 < mm.alignment < 1.0
    assert (mm.from_units["pieces"] > 1).any()
