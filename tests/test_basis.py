"""Counting people as registered patients instead of residents."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from conftest import tiny_inputs
from dashboard.cli import main
from dashboard.data.build import build_geography
from dashboard.engine import on_basis, overlap
from dashboard.errors import LayerError


def test_registered_basis_counts_the_patients_of_each_small_area(tiny):
    reg = on_basis(tiny, "registered")
    # Patients by small area from the hand-made table (OUT1 lives outside the borough).
    assert list(reg.population) == [100, 100, 100, 120]
    cells = overlap(reg, "small_areas", "pcns").population.toarray()
    assert cells.tolist() == [[80, 20], [50, 50], [0, 100], [30, 90]]
    assert on_basis(tiny, "residents") is tiny
    assert on_basis(tiny, "registered") is reg  # memoised
    assert reg.age_bands == {} and tiny.age_bands  # age bands describe residents only


def test_registered_basis_conserves_patients_across_any_two_layers(demo):
    reg = on_basis(demo, "registered")
    expected = demo.registered_patients["pcns"].sum()
    for a, b in (("places", "pcns"), ("wards", "districts"), ("pcns", "pcns")):
        assert overlap(reg, a, b).population.sum() == pytest.approx(expected)
    assert overlap(demo, "places", "pcns").population.sum() == pytest.approx(
        demo.total_population)


def test_packs_without_published_lists_can_only_count_residents():
    inputs = tiny_inputs()
    inputs["registrations"] = [dataclasses.replace(inputs["registrations"][0], estimated=True)]
    estimated = build_geography(**inputs, name="Estimated")
    with pytest.raises(LayerError, match="no published GP registrations"):
        on_basis(estimated, "registered")
    with pytest.raises(LayerError, match="Unknown population basis 'patients'"):
        on_basis(estimated, "patients")


def test_cli_counts_registered_patients_and_says_so(tmp_path, demo):
    out = tmp_path / "o.xlsx"
    assert main(["overlaps", "--from", "places", "--to", "pcns", "--count", "registered",
                 "--out", str(out), "--exact"]) == 0
    table = pd.read_excel(out, "overlaps")
    assert table["population"].sum() == pytest.approx(demo.registered_patients["pcns"].sum())
    about = pd.read_excel(out, "About").set_index("item")["value"]
    assert about["People counted as"].startswith("Patients registered at GP practices")
    assert not np.isclose(table["population"].sum(), demo.total_population)
