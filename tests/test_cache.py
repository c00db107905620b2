"""The disk cache of derived map shapes: keyed by pack content, never trusted when damaged."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import shapely

from conftest import DEMO
from dashboard.data.loader import load_pack
from dashboard.web.common.shape_cache import cached_display, content_key
from dashboard.web.common.shapes import display_geometry


@pytest.fixture
def pack(tmp_path):
    folder = tmp_path / "pack"
    shutil.copytree(DEMO, folder)
    return folder


def test_a_warm_start_reads_back_exactly_what_a_cold_start_built(pack, tmp_path):
    cold = load_pack(pack)
    assert cached_display(cold, pack, tmp_path / "cache") == "cold"
    warm = load_pack(pack)
    assert cached_display(warm, pack, tmp_path / "cache") == "warm"
    a, b = display_geometry(cold), display_geometry(warm)
    assert a.atoms_geojson == b.atoms_geojson and a.digest == b.digest
    assert a.bounds == b.bounds and a.outlines == b.outlines and a.label_points == b.label_points
    for name in a.units:
        assert np.array_equal(a.atom_units[name], b.atom_units[name])
        assert shapely.equals_exact(a.units[name], b.units[name], tolerance=0).all()


def test_the_key_follows_the_pack_content(pack):
    before = content_key(pack)
    assert content_key(pack) == before
    places = pack / "places.csv"
    places.write_text(places.read_text().replace("\n", "\r\n", 1))
    assert content_key(pack) != before


@pytest.mark.parametrize("damage", ["truncate", "swap shapes"])
def test_a_damaged_cache_is_rebuilt_not_trusted(pack, tmp_path, caplog, damage):
    cache = tmp_path / "cache"
    cached_display(load_pack(pack), pack, cache)
    meta = next(cache.rglob("display-*.json"))
    shapes = next(cache.rglob("atoms.geojson"))
    if damage == "truncate":
        meta.write_bytes(meta.read_bytes()[:1000])
    else:
        shapes.write_bytes(shapes.read_bytes().replace(b"[", b"[ ", 1))
    geo = load_pack(pack)
    assert cached_display(geo, pack, cache) == "cold"
    assert "Rebuilding the cached map shapes" in caplog.text
    assert cached_display(load_pack(pack), pack, cache) == "warm"  # and written again


def test_an_unwritable_cache_slows_start_up_but_breaks_nothing(pack, tmp_path, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    geo = load_pack(pack)
    assert cached_display(geo, pack, blocker) == "cold"
    assert display_geometry(geo).digest and "Could not keep the map shapes" in caplog.text
    assert cached_display(load_pack(pack), pack, None) == "off"
