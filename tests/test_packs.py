"""The pack store behind the upload page: safe writes, limits, and one pack per browser."""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import time
import zipfile

import pytest
from importdata import write_borough

from conftest import DEMO
from dashboard.config import Settings
from dashboard.data.loader import load_pack
from dashboard.errors import DataFileError, DataPackError
from dashboard.packs import PACK_ID, PackStore
from dashboard.uploads import Upload, group_name, safe_name
from dashboard.web.cookies import COOKIE
from dashboard.web.upload.callbacks import ImportForm, run_import


def _upload(path, name=None) -> Upload:
    data = base64.b64encode(path.read_bytes()).decode()
    return Upload(name or path.name, "data:application/octet-stream;base64," + data)


@pytest.fixture(scope="module")
def demo_geo():
    return load_pack(DEMO)


@pytest.fixture
def store(tmp_path, demo_geo):
    return PackStore(tmp_path / "store", demo_geo)


@pytest.fixture
def borough(tmp_path):
    return {role: _upload(path) for role, path in write_borough(tmp_path / "in").items()}


def _contents(store):
    """Everything in the store except the (emptied) incoming folder and the import counts."""
    return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*")
                  if ".incoming" not in p.parts and ".quota" not in p.parts)


def test_an_upload_becomes_a_pack_that_only_its_id_opens(store, borough, tmp_path):
    groups = tmp_path / "Place partnerships.csv"
    groups.write_text("ward,place code,place name\nE05000001,P1,Riverside\nE05000002,P1,"
                      "Riverside\n")
    pack_id, report = store.import_uploads(borough, [_upload(groups)], "Testshire",
                                           {"pcn_rule": "proportional"})
    assert PACK_ID.match(pack_id)
    assert report.counts["population"] == 1000
    geo = store.get(pack_id)
    assert geo.name == "Testshire" and geo.total_population == 1000
    assert list(geo.layer("place_partnerships").codes) == ["P1"]
    assert store.get(None) is store.default
    # Anything else is refused by name (the page then says so over the default pack).
    for bad in ("../" + pack_id, "0" * 32):  # a path, and a well-formed id that names nothing
        with pytest.raises(DataPackError):
            store.get(bad)
    assert not any((store.root / ".incoming").iterdir())  # uploads are not kept
    saved = json.loads((store.root / pack_id / "validation.json").read_text())
    assert saved["counts"]["small areas"] == 4


def test_file_names_cannot_leave_the_store(store, borough):
    assert safe_name("../../etc/passwd", "x") == "passwd"
    assert safe_name("..\\..\\boot.ini", "x") == "boot.ini"
    evil = {**borough, "population": Upload("../../../outside.csv",
                                            borough["population"].contents)}
    pack_id, _ = store.import_uploads(evil, [], "Evil", {})
    assert not (store.root.parent / "outside.csv").exists()
    assert all(p.resolve().is_relative_to(store.root.resolve()) for p in store.root.rglob("*"))
    assert store.get(pack_id).total_population == 1000


def test_oversized_upload_is_refused_by_name_and_nothing_is_written(store, borough):
    store.file_limit = Settings.from_env({"DASHBOARD_UPLOAD_MB": "0.0001"}).upload_bytes  # ~100 B
    with pytest.raises(DataFileError, match=r"lsoa.geojson: [\d.]+ kB, over the 0.1 kB limit"):
        store.import_uploads(borough, [], "Big", {})
    assert _contents(store) == []


def test_zip_with_parent_paths_is_refused(store, borough):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../wards.shp", b"x")
    bad = Upload("wards.zip", "data:application/zip;base64,"
                 + base64.b64encode(buffer.getvalue()).decode())
    with pytest.raises(DataFileError, match=r"unsafe path '../../wards.shp'"):
        store.import_uploads({**borough, "wards": bad}, [], "Zip", {})
    assert _contents(store) == []


@pytest.mark.parametrize("files, message", [
    ({}, "Upload the wards, small areas, population files"),
    ({"damaged": True}, "the upload arrived damaged"),
])
def test_missing_or_damaged_uploads_get_specific_messages(store, borough, files, message):
    chosen = {} if not files else {**borough, "population": Upload("pop.csv",
                                                                   "data:text/csv;base64,@@@")}
    with pytest.raises(DataFileError, match=message):
        store.import_uploads(chosen, [], "X", {})


def test_grouping_names_come_from_file_names_and_may_not_shadow_layers():
    assert group_name("Place partnerships (2024).csv") == "place_partnerships_2024"
    assert group_name("2024 places.csv") == "g_2024_places"
    with pytest.raises(DataFileError, match="cannot be called 'wards'"):
        group_name("Wards.csv")


def test_run_import_reports_failure_and_keeps_the_current_pack(store, borough):
    names = {r: u.filename for r, u in borough.items()}
    contents = {r: u.contents for r, u in borough.items()}
    children, pack_id = run_import(store, ImportForm("X", {**contents, "wards": None}, names,
                                   "proportional", 0, "gravity", ""))
    assert pack_id is None and "Upload the wards file" in str(children)
    children, pack_id = run_import(store, ImportForm("X", contents, names, "proportional", 2, "gravity", ""))
    assert pack_id is None and "minimum share must be a number from 0 up to 1" in str(children)
    children, pack_id = run_import(store, ImportForm("X", contents, names, "proportional", 0, "gravity",
                                   "no-equals-sign"))
    assert pack_id is None and "write it as column=value" in str(children)
    children, pack_id = run_import(store, ImportForm("Okshire", contents, names, "proportional", 0,
                                   "gravity", ""))
    assert pack_id and "4 of 4 population codes" in str(children)


def test_each_browser_sees_its_own_pack(tmp_path, borough):
    from dashboard.app import create_app

    app = create_app(DEMO, pack_store=tmp_path / "store")
    store = app.server.config["PACK_STORE"]
    pack_id, _ = store.import_uploads(borough, [], "Testshire", {})
    mine, theirs = app.server.test_client(), app.server.test_client()
    switched = mine.get(f"/_pack/{pack_id}")  # an older shared link: now an address
    assert switched.status_code == 302 and switched.headers["Location"] == f"/?pack={pack_id}"
    opened = mine.get(f"/?pack={pack_id}")  # the page becomes this browser's choice
    assert COOKIE in opened.headers["Set-Cookie"]
    assert "Testshire" in mine.get("/_dash-layout").get_data(as_text=True)
    assert "Brackmoor" in theirs.get("/_dash-layout").get_data(as_text=True)
    # A tab names its own pack on every request, whatever the browser chose last.
    tab = mine.get("/_dash-layout", headers={"X-Dashboard-Pack": "kirklees"})
    assert "Borough: Kirklees" in tab.get_data(as_text=True)
    assert "Borough: Testshire" in mine.get("/_dash-layout").get_data(as_text=True)
    # The borough list offers the named packs and this browser's own import.
    layout = mine.get("/_dash-layout").get_data(as_text=True)
    assert all(f"?pack={k}\"" in layout for k in ("demo", "kirklees", "oldham", "rochdale",
                                                   pack_id))
    assert f"?pack={pack_id}" not in theirs.get("/_dash-layout").get_data(as_text=True)
    assert mine.get("/_pack/" + "f" * 32).status_code == 404
    mine.get("/_pack/default")
    assert "Brackmoor" in mine.get("/_dash-layout").get_data(as_text=True)
    # A pack that does not exist is refused by name over the default pack, never guessed.
    nope = theirs.get("/_dash-layout", headers={"X-Dashboard-Pack": "nope"})
    assert "no pack called 'nope'" in nope.get_data(as_text=True)


def test_an_import_that_fails_half_way_leaves_no_partial_pack(store, borough, monkeypatch):
    import dashboard.data.pack_writer as writer

    def disk_full(folder):  # after every pack file is written, before the pack is moved in
        assert (folder / "pack.toml").is_file()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "load_pack", disk_full)
    with pytest.raises(DataFileError, match=r"could not write the new pack \(No space left on "
                                            r"device\); nothing was saved"):
        store.import_uploads(borough, [], "Half", {})
    assert _contents(store) == [] and list((store.root / ".incoming").iterdir()) == []


def test_leftovers_of_a_killed_import_are_swept_at_start(tmp_path, demo_geo):
    root = tmp_path / "store"
    old = [root / ".incoming" / ("a" * 32), root / ".importing-x1"]
    new = root / ".importing-x2"  # perhaps another worker's import in progress
    for folder in [*old, new]:
        (folder / "pack").mkdir(parents=True)
    for folder in old:
        os.utime(folder, (time.time() - 7200, time.time() - 7200))
    store = PackStore(root, demo_geo)
    assert not any(f.exists() for f in old) and new.exists()
    with pytest.raises(DataPackError):
        store.get("a" * 32)


def test_upload_messages_name_the_users_file_never_a_server_path(store, borough, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("LSOA code (2021),Total population\nE01000001,100\nE01000002,inf\n"
                   "E01000003,1\nE01000004,1\n")
    files = {**borough, "population": _upload(bad, "Mid-2022 population (Oldham).csv")}
    with pytest.raises(DataFileError) as caught:
        store.import_uploads(files, [], "Testshire", {})
    text = str(caught.value)
    assert text.startswith("Mid-2022 population (Oldham).csv: column 'Total population'")
    assert "inf" in text and str(tmp_path) not in text and ".importing" not in text
    assert ".incoming" not in text


def test_an_uploaded_pack_name_with_emoji_quotes_and_brackets_round_trips(store, borough):
    name = 'Kirklees 🏙️ "north" ]] [[x]] \\ end'
    pack_id, _ = store.import_uploads(borough, [], name, {})
    assert store.get(pack_id).name == name


def test_a_damaged_uploaded_pack_shows_a_clear_page_with_a_way_back(tmp_path, borough):
    from dashboard.app import create_app

    app = create_app(pack_store=tmp_path / "store", settings=None)
    server = app.server
    from dashboard.web import reference

    pack_id, _ = reference.store(server).import_uploads(borough, [], "Testshire", {})
    toml = reference.store(server).root / pack_id / "pack.toml"
    toml.write_text(toml.read_text()[:200])  # damaged on disk after the import
    client = server.test_client()
    client.set_cookie(COOKIE, pack_id)
    layout = client.get("/_dash-layout")
    text = json.dumps(layout.get_json())
    assert layout.status_code == 200
    assert "The pack this browser chose cannot be opened" in text and "pack.toml" in text
    assert "/_pack/default" in text and "Brackmoor" in text
    assert str(tmp_path) not in text
    assert client.get("/").status_code == 200


def test_imports_have_a_quota_per_client_and_in_all_and_unused_packs_expire(tmp_path, borough,
                                                                           demo_geo):
    store = PackStore(tmp_path / "quota", demo_geo, per_hour=2, max_packs=3)
    first, _ = store.import_uploads(borough, [], "One", {}, client="203.0.113.1")
    store.import_uploads(borough, [], "Two", {}, client="203.0.113.1")
    with pytest.raises(DataFileError, match="imported 2 packs in the last hour, the limit"):
        store.import_uploads(borough, [], "Three", {}, client="203.0.113.1")
    store.import_uploads(borough, [], "Other browser", {}, client="198.51.100.2")
    with pytest.raises(DataFileError, match="already keeps 3 imported packs, its limit"):
        store.import_uploads(borough, [], "Four", {}, client="198.51.100.3")
    old = tmp_path / "quota" / first
    stamp = old.stat().st_mtime - 40 * 86400
    os.utime(old, (stamp, stamp))
    (old / ".used").unlink(missing_ok=True)
    assert store.expire() == [first] and not old.exists()
    with pytest.raises(DataPackError, match="not kept here any more"):
        store.get(first)
    store.import_uploads(borough, [], "Room again", {}, client="198.51.100.3")


def test_an_upload_whose_process_died_is_swept_at_once(tmp_path, demo_geo):
    import subprocess
    import sys

    store = PackStore(tmp_path / "swept", demo_geo)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    for name, pid in (("gone", dead), ("alive", str(os.getpid()))):
        folder = store.root / ".incoming" / name
        folder.mkdir(parents=True)
        (folder / "big.csv").write_bytes(b"x" * 1000)
        (folder / ".owner").write_text(f"{socket.gethostname()} {pid}")
    half = store.root / ".importing-abc"
    half.mkdir()
    (half / ".owner").write_text(f"{socket.gethostname()} {dead}")
    swept = {p.name for p in store.sweep()}
    assert swept == {"gone", ".importing-abc"}
    assert (store.root / ".incoming" / "alive").exists()
    assert {p.name for p in store.sweep(older_than_s=0)} == {"alive"}  # at server start


def test_a_layer_or_hubs_drawn_in_the_browser_go_into_a_copy_of_the_pack(tmp_path):
    import pandas as pd

    from dashboard.config import GEODATA
    from dashboard.engine import hubplan
    from dashboard.packs import named_packs

    store = PackStore(tmp_path / "store", load_pack(DEMO), named=named_packs((GEODATA,), DEMO),
                      default_key="demo")
    kirklees = store.get("kirklees")
    wards = kirklees.layer("wards")
    rows = [(c, f"P{i % 3}", f"=Place {i % 3}") for i, c in enumerate(wards.codes)]
    copy = store.derive("kirklees", "places", "Places, drawn", rows)
    mine = store.get(copy)
    assert mine.layer("places").label == "Places, drawn (user-defined)"
    assert sorted(mine.layer("places").names) == ["=Place 0", "=Place 1", "=Place 2"]
    assert "places" not in store.get("kirklees").layers  # the shipped pack is untouched
    with pytest.raises(DataFileError, match="already has a layer called 'places'"):
        store.derive(copy, "places", "Again", rows)
    with pytest.raises(DataFileError, match="cannot name a layer"):
        store.derive("kirklees", "wards", "Wards", rows)
    with pytest.raises(DataPackError):  # a ward left out: the copy would not load, so none is kept
        store.derive("kirklees", "half", "Half", rows[:5])
    assert sorted(p.name for p in store.root.iterdir() if PACK_ID.match(p.name)) == [copy]

    plan = hubplan.start(kirklees)
    extra = pd.DataFrame([{"code": "N1", "name": "Estate shop front", "type": "community",
                           "x": 414000.0, "y": 416000.0, "staff": 9.0, "serves": ""}])
    hubs = store.derive_hubs(copy, pd.concat([plan.table(), extra]))
    both = store.get(hubs)
    assert len(both.hubs) == 5 and "Estate shop front" in set(both.hubs["name"])
    assert "places" in both.layers  # built on the copy, it keeps the drawn layer
    demo = store.derive(None, "quarters", "Quarters", [
        (c, "Q1" if i % 2 else "Q2", "Odd" if i % 2 else "Even")
        for i, c in enumerate(store.default.layer("wards").codes)])
    assert store.get(demo).fictional and "quarters" in store.get(demo).layers


def test_an_imported_pack_takes_a_drawn_layer_and_hubs(store, borough):
    """The import writes pack.toml with tomli-w (a short list of layers may come out inline);
    a copy with a drawn layer, then with hubs, must still open, named as the copy."""
    pack_id, _ = store.import_uploads(borough, [], "Testshire 😀 \"quoted\"", {})
    rows = [("E05000001", "A", "Low side"), ("E05000002", "B", "High side")]
    copy = store.derive(pack_id, "neighbourhoods", "Neighbourhoods", rows)
    drawn = store.get(copy)
    assert drawn.name == 'Testshire 😀 "quoted" + Neighbourhoods'
    assert drawn.layer("neighbourhoods").label == "Neighbourhoods (user-defined)"
    import pandas as pd

    inside = drawn.atoms.geometry.iloc[0].representative_point()
    hubs = pd.DataFrame([{"code": "H1", "name": "=Town hall", "type": "main", "x": inside.x,
                          "y": inside.y, "staff": 3.0, "serves": ""}])
    with_hubs = store.get(store.derive_hubs(copy, hubs))
    assert list(with_hubs.hubs["name"]) == ["=Town hall"] and "neighbourhoods" in with_hubs.layers
