"""The real boroughs shipped in geodata/: each opens as real open data with its sources, and
rebuilding them from ../shared/realdata gives what is committed."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from conftest import REALDATA
from dashboard.data.examples import BOROUGHS, GEODATA, build_examples
from dashboard.data.loader import load_pack

KEYS = [b.key for b in BOROUGHS]
# Residents: the population files' sums (see test_import_real.py); wards, PCNs: their READMEs.
EXPECTED = {"kirklees": (432_855, 23, 9), "oldham": (230_197, 20, 5),
            "rochdale": (213_900, 20, 6)}


@pytest.mark.parametrize("key", KEYS)
def test_committed_pack_is_real_open_data_with_sources(key):
    geo = load_pack(GEODATA / key)
    residents, wards, pcns = EXPECTED[key]
    assert not geo.fictional and geo.metadata["open_data"]
    assert round(geo.total_population) == residents
    assert len(geo.layer("wards")) == wards and len(geo.layer("pcns")) == pcns
    sources = geo.metadata["sources"]
    assert {s["role"] for s in sources} >= {"electoral ward boundaries",
                                            "population by small area"}
    for src in sources:  # every source says when it is of and how to credit it
        assert src["vintage"] and "not stated" not in src["vintage"], src
        assert src.get("attribution"), src
    readme = (GEODATA / key / "README.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in readme


def test_kirklees_hubs_are_its_four_eip_buildings_labelled_approximate():
    geo = load_pack(GEODATA / "kirklees")
    assert sorted(geo.hubs["name"]) == ["Batley Town Hall", "Dewsbury Town Hall",
                                        "Huddersfield Civic Centre", "Slaithwaite Town Hall"]
    hubs = next(s for s in geo.metadata["sources"] if s["role"] == "hub locations")
    assert "APPROXIMATE" in hubs["vintage"]
    # Each sits in the ward of its town (an independent check of the hand-placed positions).
    wards = gpd.read_file(GEODATA / "kirklees" / "wards.gpkg").to_crs(27700)
    points = geo.hubs[["name", "geometry"]].set_crs(27700, allow_override=True)
    found = dict(gpd.sjoin(points, wards)[["name_left", "name_right"]].to_numpy())
    assert found == {"Huddersfield Civic Centre": "Newsome", "Dewsbury Town Hall": "Dewsbury East",
                     "Batley Town Hall": "Batley East", "Slaithwaite Town Hall": "Colne Valley"}


def test_committed_packs_stay_small():
    size = sum(p.stat().st_size for key in [*KEYS, "demo"] for p in (GEODATA / key).iterdir())
    assert size < 15 * 2**20


def _same_file(committed: Path, rebuilt: Path) -> None:
    if committed.suffix == ".gpkg":  # GeoPackages carry write times: compare what they hold
        a, b = gpd.read_file(committed), gpd.read_file(rebuilt)
        pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")),
                                      pd.DataFrame(b.drop(columns="geometry")))
        assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all(), committed
    else:
        assert committed.read_bytes() == rebuilt.read_bytes(), (
            f"{committed} differs from a rebuild: run `python -m dashboard build-examples`")


@pytest.mark.realdata
def test_rebuilding_from_realdata_gives_the_committed_packs(tmp_path):
    if not all((REALDATA / key).is_dir() for key in KEYS):
        pytest.skip("../shared/realdata is not present")
    build_examples(REALDATA, tmp_path)
    for key in KEYS:
        committed = sorted(p.name for p in (GEODATA / key).iterdir())
        assert committed == sorted(p.name for p in (tmp_path / key).iterdir())
        for name in committed:
            _same_file(GEODATA / key / name, tmp_path / key / name)
