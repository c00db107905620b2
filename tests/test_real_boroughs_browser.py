"""The shipped real boroughs in headless Chromium: every page of each opens without console
errors and names its sources; on Kirklees, seven place partnerships made from an empty layer
become a layer that the overlaps and allocate pages use, and whose groups CSV re-imports to the
same figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from conftest import REALDATA
from dashboard.data.examples import GEODATA

pytestmark = pytest.mark.browser
PAGES = ("/", "/map", "/footprint", "/overlaps", "/allocate", "/redraw", "/hubs", "/data")
# An illustrative grouping of Kirklees' 23 wards into its seven place partnerships by town; the
# council's own membership may differ (the seeds name the places, not their wards).
PLACES = {
    "Huddersfield North": ["Ashbrow", "Lindley", "Dalton"],
    "Huddersfield Central": ["Greenhead", "Newsome", "Crosland Moor and Netherton"],
    "Huddersfield Rural": ["Almondbury", "Denby Dale", "Kirkburton", "Holme Valley South"],
    "Colne Valley": ["Colne Valley", "Golcar", "Holme Valley North"],
    "Dewsbury": ["Dewsbury East", "Dewsbury South", "Dewsbury West", "Mirfield"],
    "Spen Valley": ["Cleckheaton", "Heckmondwike", "Liversedge and Gomersal"],
    "Batley, Birstall & Birkenshaw": ["Batley East", "Batley West", "Birstall and Birkenshaw"],
}


@pytest.fixture(scope="module")
def served(demo_server):
    return demo_server


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)


@pytest.mark.parametrize("key, name, vintage", [
    ("kirklees", "Kirklees", "wards December 2013"), ("oldham", "Oldham", "wards May 2023"),
    ("rochdale", "Rochdale", "wards May 2023")])
def test_each_real_borough_opens_every_page_with_its_sources(served, page, key, name, vintage):
    base, _ = served
    for path in PAGES:
        page.goto(f"{base}{path}?pack={key}")
        page.wait_for_selector("#sources-footer", timeout=30_000)
        _settle(page)
        assert f"Borough: {name}" in page.inner_text("#pack-chooser"), path
        footer = page.inner_text("#sources-footer")
        assert vintage in footer and "mid-2015 estimates" in footer, path
        assert "REAL OPEN DATA" in page.inner_text("nav")
        assert f"pack={key}" in page.url  # the address still names the borough
    assert page.errors == []


def test_the_first_visit_offers_the_real_boroughs(served, page):
    base, _ = served
    page.goto(base + "/")
    page.wait_for_selector("#pack-chooser", timeout=30_000)
    page.click("#pack-chooser")
    menu = page.inner_text("#pack-chooser")
    assert all(n in menu for n in ("Kirklees", "Oldham", "Rochdale", "Real boroughs"))
    page.click("#pack-chooser a.dropdown-item:has-text('Oldham')")
    page.wait_for_selector("#sources-footer", timeout=30_000)
    assert "pack=oldham" in page.url and "Borough: Oldham" in page.inner_text("#pack-chooser")
    _settle(page)
    assert page.errors == []


def _shot(page, name: str) -> None:
    """The README's walkthrough screenshots, when asked for (DASHBOARD_SHOTS_DIR)."""
    folder = os.environ.get("DASHBOARD_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(1500)  # maps finish painting
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _ward_select(code: str) -> str:
    return "[id='" + json.dumps({"code": code, "type": "redraw-ward"},
                                separators=(",", ":")) + "']"


def test_kirklees_places_from_an_empty_layer_to_overlaps_and_allocation(served, page, tmp_path):
    from dashboard.data.loader import load_pack
    from dashboard.engine import overlap
    from dashboard.web import reference

    base, app = served
    wards = load_pack(GEODATA / "kirklees").layer("wards")
    code_of = dict(zip(wards.names, wards.codes))
    page.goto(base + "/map?pack=kirklees")
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
    _settle(page)
    _shot(page, "1-kirklees-map")
    page.goto(base + "/redraw?pack=kirklees")
    page.wait_for_selector("#redraw-new-start", timeout=30_000)
    page.fill("#redraw-new-label", "Place partnerships")
    page.fill("#redraw-new-names", "\n".join(PLACES))
    page.click("#redraw-new-start")
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1')"
                           ".innerText === 'Make place partnerships'", timeout=30_000)
    page.wait_for_selector("#redraw-summary-text", timeout=30_000)
    assert "0 of 23 wards in footprints" in page.inner_text("#redraw-summary-text")
    page.click("summary:has-text('Assign wards from a list')")
    done = 0
    for place, names in PLACES.items():
        for ward in names:
            page.select_option(_ward_select(code_of[ward]), label=place)
            done += 1
            page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                                   f".innerText.includes('{done} of 23 wards')", timeout=15_000)
    assert "23 of 23 wards in footprints" in page.inner_text("#redraw-summary-text")
    _shot(page, "2-redraw-places")
    with page.expect_download(timeout=30_000) as info:
        page.click("#redraw-export-groups")
    groups_csv = tmp_path / "places.csv"
    info.value.save_as(groups_csv)
    page.click("#redraw-use-layer")
    page.wait_for_selector("#redraw-use-status .alert-success", timeout=30_000)
    page.click("#redraw-use-status-overlaps")
    page.wait_for_selector("#overlap-table td", timeout=30_000)
    _settle(page)
    body = page.inner_text("body")
    assert "Alignment score" in body and "Place partnerships (user-defined)" in body
    assert "Huddersfield North" in page.inner_text("#overlap-table")
    _shot(page, "3-overlaps")
    pack_id = page.url.split("pack=")[1].split("&")[0]
    store = reference.store(app.server)
    mine = store.get(pack_id)
    assert list(mine.layer("place_partnerships").names) == list(PLACES)

    # Allocate £1m + £400k between the seven places by need, whole pounds: kept exactly.
    page.goto(f"{base}/allocate?pack={pack_id}&layer=place_partnerships&total=1400000"
              "&need=imd_score&w=1&rounding=1")
    page.wait_for_selector("#alloc-summary", timeout=30_000)
    page.wait_for_function("() => document.querySelector('#alloc-summary').innerText"
                           ".includes('1,400,000')", timeout=30_000)
    assert "7 place partnerships" in page.inner_text("#alloc-summary").lower()
    _shot(page, "4-allocate")
    with page.expect_download(timeout=30_000) as info:
        page.click("#alloc-export-csv")
    shares = pd.read_csv(info.value.path())
    assert len(shares) == 7 and shares["recommended"].sum() == 1_400_000
    _settle(page)

    # The four EIP hubs, seen by place partnership.
    page.goto(f"{base}/hubs?pack={pack_id}&layer=place_partnerships")
    page.wait_for_selector("#hubs-summary-within-2000", timeout=30_000)
    _settle(page)
    assert "Huddersfield Civic Centre" in page.inner_text("#hubs-tables")
    _shot(page, "5-hubs")
    page.click("#hubs-keep")  # the hubs as they stand become the hubs of another copy
    page.wait_for_selector("#hubs-keep-status .alert-success", timeout=30_000)
    page.click("#hubs-keep-status-open")
    page.wait_for_selector("#hubs-summary-within-2000", timeout=30_000)
    kept = store.get(page.url.split("pack=")[1].split("&")[0])
    assert sorted(kept.hubs["name"]) == sorted(mine.hubs["name"])
    assert "place_partnerships" in kept.layers  # built on the copy with the places
    _settle(page)
    assert page.errors == []

    # The downloaded groups file is the import's --group file: the same figures come back.
    if not (REALDATA / "kirklees").is_dir():
        pytest.skip("../shared/realdata is not present for the re-import")
    from dashboard.data.examples import BOROUGHS, spec
    from dashboard.data.importer import import_pack

    kirklees = next(b for b in BOROUGHS if b.key == "kirklees")
    again = import_pack(spec(kirklees, REALDATA, tmp_path), tmp_path / "again")
    assert again.counts["wards"] == 23
    from dataclasses import replace

    import_pack(replace(spec(kirklees, REALDATA, tmp_path), groups={"places": groups_csv}),
                tmp_path / "again")
    reimported = load_pack(tmp_path / "again")
    ours = overlap(mine, "place_partnerships", "pcns").table()
    theirs = overlap(reimported, "places", "pcns").table()
    assert list(ours["from_name"]) == list(theirs["from_name"])
    assert ours["population"].to_numpy() == pytest.approx(theirs["population"].to_numpy(),
                                                          abs=1e-6)


def test_an_uploaded_pack_gets_a_layer_drawn_in_the_browser(served, page, tmp_path):
    import base64

    from importdata import write_borough

    from dashboard.uploads import Upload
    from dashboard.web import reference

    base, app = served
    store = reference.store(app.server)
    files = {role: Upload(path.name, "data:text/plain;base64,"
                          + base64.b64encode(path.read_bytes()).decode())
             for role, path in write_borough(tmp_path / "in").items()}
    pack_id, _ = store.import_uploads(files, [], "Testshire", {})
    page.goto(f"{base}/redraw?pack={pack_id}")
    page.wait_for_selector("#redraw-new-start", timeout=30_000)
    page.fill("#redraw-new-label", "Neighbourhoods")
    page.fill("#redraw-new-names", "Low side\nHigh side")
    page.click("#redraw-new-start")
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1')"
                           ".innerText === 'Make neighbourhoods'", timeout=30_000)
    page.wait_for_selector("#redraw-summary-text", timeout=30_000)
    page.click("#redraw-use-layer")  # refused while wards are unassigned, naming them
    page.wait_for_selector("#redraw-use-status .alert", timeout=30_000)
    assert "2 ward(s) are not in any footprint yet (South, North)" in page.inner_text(
        "#redraw-use-status")
    page.click("summary:has-text('Assign wards from a list')")
    for done, (code, place) in enumerate((("E05000001", "Low side"),
                                          ("E05000002", "High side")), 1):
        page.select_option(_ward_select(code), label=place)
        page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                               f".innerText.includes('{done} of 2 wards')", timeout=15_000)
    page.click("#redraw-use-layer")
    page.wait_for_selector("#redraw-use-status .alert-success", timeout=30_000)
    page.click("#redraw-use-status-footprint")
    page.wait_for_selector("#sources-footer", timeout=30_000)
    _settle(page)
    assert "Neighbourhoods (user-defined)" in page.inner_text("body")
    copy = page.url.split("pack=")[1].split("&")[0]
    assert copy != pack_id and store.get(pack_id).layers.keys() == {"small_areas", "wards"}
    layer = store.get(copy).layer("neighbourhoods")
    assert list(layer.names) == ["Low side", "High side"] and layer.label.endswith(
        "(user-defined)")
    assert page.errors == []


def test_todays_split_typed_on_allocate_gives_the_transfers(served, page):
    base, _ = served
    page.goto(base + "/allocate?pack=oldham&layer=pcns&total=500000&rounding=1")
    page.wait_for_selector("#alloc-summary", timeout=30_000)
    _settle(page)
    assert "No current allocation" in page.inner_text("#alloc-transfers")
    page.click("summary:has-text(\"Or type today's amounts\")")
    from dashboard.data.loader import load_pack

    pcns = load_pack(GEODATA / "oldham").layer("pcns")
    boxes = page.locator("#alloc-typed-rows input")
    assert boxes.count() == len(pcns)
    for i in range(boxes.count()):  # all today's money in the first PCN
        boxes.nth(i).fill("500000" if i == 0 else "0")
        boxes.nth(i).press("Tab")
    page.wait_for_function("() => document.querySelector('#alloc-current-status').innerText"
                           f".includes('{len(pcns)} of {len(pcns)} areas typed')",
                           timeout=15_000)
    page.wait_for_function("() => document.querySelector('#alloc-summary').innerText"
                           ".includes('transfer')", timeout=15_000)
    assert "Move" in page.inner_text("#alloc-transfers")
    assert page.errors == []
