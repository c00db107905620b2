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


# -- the cut pieces (dashboard.data.atoms_cache) ------------------------------------------------

def _same_atoms(a, b) -> None:
    assert np.array_equal(a.small_area, b.small_area)
    assert list(a.units) == list(b.units)
    for name in a.units:
        assert np.array_equal(a.units[name], b.units[name])
    assert np.array_equal(a.area_m2, b.area_m2) and np.array_equal(a.share, b.share)
    assert shapely.equals_exact(np.asarray(a.geometry.values), np.asarray(b.geometry.values),
                                tolerance=0).all()


def _cut_counter(monkeypatch) -> list:
    from dashboard.engine import atoms

    calls, cut = [], atoms.build_atoms
    monkeypatch.setattr(atoms, "build_atoms", lambda *a: calls.append(1) or cut(*a))
    return calls


def test_a_repeat_load_reads_the_cut_pieces_back_exactly(pack, tmp_path, monkeypatch):
    from dashboard.engine import overlap

    calls = _cut_counter(monkeypatch)
    fresh = load_pack(pack)
    cold = load_pack(pack, tmp_path / "cache")
    warm = load_pack(pack, tmp_path / "cache")
    assert len(calls) == 2  # the uncached load and the cold one; the warm one read the file
    _same_atoms(fresh.atoms, warm.atoms)
    _same_atoms(cold.atoms, warm.atoms)
    assert fresh.warnings == warm.warnings
    for a, b in (("small_areas", "wards"), ("wards", "pcns"), ("places", "pcns")):
        want, got = overlap(fresh, a, b).table(), overlap(warm, a, b).table()
        assert want.equals(got), (a, b)


def test_a_changed_boundary_is_cut_again(pack, tmp_path, monkeypatch):
    calls = _cut_counter(monkeypatch)
    load_pack(pack, tmp_path / "cache")
    wards = pack / "wards.geojson"
    text = wards.read_text()
    # Move one corner of one ward by a metre's worth of longitude: a different cut.
    first = text.index("[", text.index('"coordinates"') + 20)
    number = text[first + 1:text.index(",", first)]
    wards.write_text(text[:first + 1] + repr(float(number) + 0.00002) + text[first + 1 + len(number):])
    changed = load_pack(pack, tmp_path / "cache")
    assert len(calls) == 2
    _same_atoms(changed.atoms, load_pack(pack).atoms)


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "other pieces", "not a zip"])
def test_damaged_cut_pieces_are_cut_again_not_trusted(pack, tmp_path, caplog, monkeypatch,
                                                      damage):
    cache = tmp_path / "cache"
    load_pack(pack, cache)
    (kept,) = (cache / "atoms").glob("*.npz")
    data = kept.read_bytes()
    if damage == "truncate":
        kept.write_bytes(data[: len(data) // 2])
    elif damage == "flip a byte":
        middle = len(data) // 2
        kept.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    elif damage == "other pieces":  # a well-formed file whose pieces are not these inputs'
        with np.load(kept) as arrays:
            swapped = {k: arrays[k] for k in arrays.files}
        swapped["area_m2"] = swapped["area_m2"][::-1].copy()
        with open(kept, "wb") as out:
            np.savez(out, **swapped)
    else:
        kept.write_text("not a zip file")
    calls = _cut_counter(monkeypatch)
    again = load_pack(pack, cache)
    assert calls == [1] and "cutting again" in caplog.text
    _same_atoms(again.atoms, load_pack(pack).atoms)


def test_an_unwritable_atoms_cache_only_costs_speed(pack, tmp_path, caplog):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    geo = load_pack(pack, blocked)
    _same_atoms(geo.atoms, load_pack(pack).atoms)
    assert "could not keep the cut pieces" in caplog.text


def test_only_the_most_recently_used_sets_of_pieces_are_kept(pack, tmp_path):
    import os

    from dashboard.data import atoms_cache

    folder = tmp_path / "atoms"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.npz").write_bytes(b"x")
        os.utime(folder / f"{i}.npz", (1000 + i, 1000 + i))
    (folder / "killed.tmp").write_bytes(b"x")
    os.utime(folder / "killed.tmp", (1000, 1000))
    (folder / "writing.tmp").write_bytes(b"x")
    atoms_cache._prune(folder, keep=3)
    assert sorted(p.name for p in folder.iterdir()) == ["2.npz", "3.npz", "4.npz", "writing.tmp"]
