"""Every page in headless Chromium: hover, click, URL, export, and no console errors."""

from __future__ import annotations

import io
import json
import threading

import pandas as pd
import pytest
from importdata import write_borough

from conftest import CHROMIUM, DEMO

pytestmark = pytest.mark.browser
FIGURE_DATA = "() => document.querySelector('#map-graph .js-plotly-plot').data"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine (CI installs Debian's chromium)")
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    app = create_app(DEMO, pack_store=tmp_path_factory.mktemp("store"))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()


def _open_map(page, url):
    page.goto(url)
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
    page.wait_for_function(f"() => ({FIGURE_DATA})().length > 3", timeout=30_000)
    page.wait_for_timeout(1500)  # MapLibre loads the shapes and paints


def test_map_hover_names_every_layer_and_click_opens_details(served, page):
    base, _ = served
    _open_map(page, base + "/map")
    assert "FICTIONAL DEMO DATA" in page.inner_text("nav")
    box = page.locator("#map-graph .maplibregl-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_selector(".hoverlayer .hovertext", timeout=10_000)
    hover = page.evaluate("() => document.querySelector('.hoverlayer').textContent")
    for label in ("Small areas", "Electoral wards", "Primary Care Networks (most patients)",
                  "Place partnerships", "Districts", "Residents of the small area"):
        assert label in hover
    page.mouse.click(x, y)
    page.wait_for_selector("#map-details h2", timeout=15_000)
    details = page.inner_text("#map-details")
    assert "residents" in details and "share residents" in details
    assert "code=PP" in page.url  # the selection is in the address, ready to share
    assert page.errors == []


def test_measure_change_recolours_without_fetching_shapes_again(served, page):
    base, _ = served
    shape_requests = []
    page.on("request", lambda r: shape_requests.append(r.url) if "_geometry" in r.url else None)
    _open_map(page, base + "/map")
    before = page.evaluate(f"({FIGURE_DATA})()[0].z.slice(0, 5)")
    page.click("#map-measure")
    page.get_by_role("option", name="Need score").click()
    page.wait_for_function(f"() => ({FIGURE_DATA})()[0].z[0] !== {before[0]}", timeout=15_000)
    page.wait_for_timeout(500)
    assert len(shape_requests) == 1
    assert "measure=need" in page.url
    assert page.errors == []


def test_footprint_url_opens_that_footprint(served, page):
    base, _ = served
    page.goto(base + "/footprint?layer=pcns&code=U90003")
    page.wait_for_selector("#footprint-content h1", timeout=30_000)
    assert "Kelbridge South West PCN" in page.inner_text("#footprint-content h1")
    assert "of its residents are living in" in page.inner_text("#footprint-content")
    page.wait_for_timeout(1500)
    assert page.errors == []


def test_overlap_export_downloads_the_engine_figures(served, page, tmp_path):
    from dashboard.engine import overlap
    from dashboard.web import reference

    base, app = served
    page.goto(base + "/overlaps?from_layer=wards&to_layer=pcns")
    page.wait_for_selector("#overlap-table td", timeout=30_000)
    assert "Alignment score" in page.inner_text("body")
    with page.expect_download(timeout=30_000) as info:
        page.click("#export-csv")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    got = pd.read_csv(path, dtype={"from_code": str, "to_code": str})
    expected = overlap(reference.geography(app.server), "wards", "pcns",
                       need="imd_score").table()
    assert list(got["to_code"]) == list(expected["to_code"])
    assert list(got["population"]) == list(expected["population"].round().astype(int))
    page.click("label:has-text('Exact figures')")
    with page.expect_download(timeout=30_000) as info:
        page.click("#export-csv")
    info.value.save_as(path)
    got = pd.read_csv(path, dtype={"from_code": str, "to_code": str})
    assert got["population"].to_numpy() == pytest.approx(expected["population"].to_numpy())
    assert got["fraction_of_from_population"].to_numpy() == pytest.approx(
        expected["share_of_from_population"].to_numpy())
    assert page.errors == []


def test_data_page_lists_sources_and_warnings(served, page):
    base, _ = served
    page.goto(base + "/data")
    page.wait_for_selector("h1", timeout=30_000)
    text = page.inner_text("main")
    assert "Sources, vintages and attributions" in text and "registrations.csv" in text
    assert page.errors == []


def _upload_borough(page, url, files, name):
    page.goto(url + "/upload")
    page.wait_for_selector("#upload-run")
    page.fill("#upload-name", name)
    for role, path in files.items():
        page.set_input_files(f"#upload-{role.replace('_', '-')} input[type=file]", str(path))
    page.wait_for_function("() => document.querySelector('#upload-population-status').innerText"
                           ".includes('.csv')")
    page.click("#upload-run")
    page.wait_for_selector("#upload-report .alert", timeout=60_000)
    return page.inner_text("#upload-report")


def test_upload_switches_only_this_browser_and_bad_files_change_nothing(served, browser, page,
                                                                        tmp_path):
    url, _ = served
    files = write_borough(tmp_path / "in")
    empty = tmp_path / "in" / "empty.csv"
    empty.write_text("")
    report = _upload_borough(page, url, {**files, "population": empty}, "Broken")
    assert "The import stopped" in report and "empty.csv" in report
    assert "Borough: Brackmoor" in page.inner_text("#pack-chooser")

    report = _upload_borough(page, url, files, "Testshire")
    assert "Imported" in report and "4 of 4 population codes" in report
    page.click("text=Open its map")
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
    assert "pack=" in page.url  # the address names the new pack: a link a colleague can use
    assert page.inner_text("#pack-chooser").strip() == "Borough: Testshire"
    assert "FICTIONAL" not in page.inner_text("nav")

    other = browser.new_context().new_page()  # someone else, with no pack cookie
    other.goto(url + "/data")
    other.wait_for_selector("#pack-chooser")
    assert "Borough: Brackmoor" in other.inner_text("#pack-chooser")
    other.context.close()
    assert page.errors == []


def test_need_weight_change_updates_recommendation_transfers_and_export(served, page, tmp_path):
    import dataclasses

    from dashboard.engine.allocation import allocate
    from dashboard.web import reference

    base, app = served
    page.goto(base + "/allocate?resource=early_help")
    page.wait_for_selector("#alloc-transfers li", timeout=30_000)
    before = page.inner_text("#alloc-transfers")
    table_before = page.inner_text("#alloc-table")
    page.focus("#alloc-weight [role=slider]")
    page.keyboard.press("Home")  # need weight 0: per head
    page.wait_for_function(f"() => document.querySelector('#alloc-transfers').innerText !== "
                           f"{before!r}", timeout=30_000)
    assert "w=0&" in page.url and page.inner_text("#alloc-table") != table_before
    with page.expect_download(timeout=30_000) as info:
        page.click("#alloc-export-xlsx")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "brackmoor-FICTIONAL-allocation-places.xlsx"
    sheets = pd.read_excel(path, sheet_name=None)
    geo = reference.geography(app.server)
    res = dataclasses.replace(geo.resources[0], need_weight=0.0)
    expected = allocate(geo, "places", res, geo.current_allocations)
    got = sheets["allocation"].query("resource == 'early_help'")
    assert got["recommended"].tolist() == pytest.approx(expected.table["recommended"].tolist())
    assert sheets["transfers"].query("resource == 'early_help'")["instruction"].tolist() == [
        t.sentence() for t in expected.transfers]
    assert [line for line in page.inner_text("#alloc-transfers").splitlines() if line] == [
        t.sentence() for t in expected.transfers]
    page.screenshot(path=str(tmp_path / "allocate.png"))
    assert page.errors == []


def _summary(page) -> str:
    return page.inner_text("#redraw-summary-text")


def _redraw_move(page, fraction_x: float, fraction_y: float):
    """Paint the ward under a point of the redraw map with a footprint other than its own;
    returns the ward, its footprint, the new one and the point clicked."""
    box = page.locator("#redraw-map .maplibregl-canvas").bounding_box()
    x, y = box["x"] + box["width"] * fraction_x, box["y"] + box["height"] * fraction_y
    page.mouse.move(x, y)
    page.wait_for_selector(".hoverlayer .hovertext", timeout=10_000)
    ward, footprint = page.evaluate(
        "() => document.querySelector('.hoverlayer').textContent").split(": ", 1)
    page.click("#redraw-paint")
    options = page.get_by_role("listbox").get_by_role("option")
    target = next(t.strip() for t in options.all_inner_texts() if t.strip() != footprint)
    page.get_by_role("listbox").get_by_role("option", name=target, exact=True).click()
    page.mouse.click(x, y)
    return ward, footprint, target, (x, y)


def test_a_box_on_the_redraw_map_moves_every_ward_and_one_undo_restores(served, page):
    base, _ = served
    page.goto(base + "/redraw")
    page.wait_for_selector("#redraw-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_function("() => document.querySelector('#redraw-map .js-plotly-plot')"
                           ".data[2].text.length > 0", timeout=30_000)  # names on the map
    page.wait_for_timeout(1500)
    assert "0 ward(s) moved" in _summary(page)
    page.hover("#redraw-map")
    page.click("#redraw-map .modebar-btn[data-title='Box Select']")
    box = page.locator("#redraw-map .maplibregl-canvas").bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.40, box["y"] + box["height"] * 0.40
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 70, y0 + 45, steps=8)
    page.mouse.up()
    page.wait_for_function("() => !document.querySelector('#redraw-summary-text')"
                           ".textContent.includes(' 0 ward(s) moved')", timeout=15_000)
    moved = int(_summary(page).split(" ward(s) moved")[0].split()[-1])
    assert moved >= 2  # a box takes several wards at once
    outlined = page.evaluate("() => document.querySelector('#redraw-map .js-plotly-plot')"
                             ".data[1].lon.length")
    assert outlined > 0  # moved wards are outlined
    moved_colours = {i: c for i, c, _ in _drawn_as_given(page, "redraw-map")}
    page.click("#redraw-undo")
    page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                           ".textContent.includes(' 0 ward(s) moved')", timeout=10_000)
    # the map shows each move and its undo in the footprints' colours (recoloured in place)
    assert {i: c for i, c, _ in _drawn_as_given(page, "redraw-map")} != moved_colours
    assert page.errors == []


def test_tables_drawn_in_the_browser_show_names_as_text(served, page):
    """A footprint or ward name is data a user typed or a file held: drawn as text, never as
    markup, whatever it contains."""
    base, _ = served
    page.goto(base + "/redraw")
    page.wait_for_selector("#redraw-balance table", timeout=30_000)
    name = '<img src=x onerror="window.__injected = 1">Harbour & <b>Hill</b>'
    page.evaluate("""(name) => window.dashboardTables.draw(document.getElementById('redraw-balance'),
        {id: 't', head: ['Footprint', 'Residents'], caption: name, className: '',
         rows: [[{text: name, swatch: '#123456', alert: false}, {text: name, alert: true}]]})""",
                  name)
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.querySelectorAll('#t img, #t b').length") == 0
    assert page.evaluate("() => window.__injected") is None
    cells = page.evaluate("() => [...document.querySelectorAll('#t tbody th, #t tbody td')]"
                          ".map(c => c.textContent)")
    assert cells == [name, name]
    assert page.inner_text("#t caption") == name
    # A section of tables, headings, notes and lists (the hubs page's tables) likewise.
    page.evaluate("""(name) => window.dashboardTables.drawSection(
        document.getElementById('redraw-balance'), [
            {kind: 'heading', text: name, className: 'h5'},
            {kind: 'note', text: name, alert: true}, {kind: 'note', text: name, alert: false},
            {kind: 'list', items: [name, name]},
            {kind: 'table', table: {id: 's', head: [name], caption: null, className: '',
                                    rows: [[{text: name}]]}}])""", name)
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.querySelectorAll('#redraw-balance img, "
                         "#redraw-balance b').length") == 0
    assert page.evaluate("() => window.__injected") is None
    texts = page.evaluate("() => [...document.querySelectorAll('#redraw-balance h2, "
                          "#redraw-balance p, #redraw-balance li, #s th')].map(c => c.textContent)")
    assert texts == [name] * 7
    assert page.evaluate("() => document.querySelector('#redraw-balance p span.text-danger')"
                         ".textContent") == name


def test_redraw_click_save_reopen_from_link_and_compare(served, page):
    base, _ = served
    page.goto(base + "/redraw")
    page.wait_for_selector("#redraw-summary-text", timeout=30_000)
    page.wait_for_selector("#redraw-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_timeout(2500)
    assert "0 ward(s) moved" in _summary(page)
    before = page.inner_text("#redraw-balance-table")
    ward, footprint, target, (x, y) = _redraw_move(page, 0.35, 0.45)
    page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                           ".textContent.includes('1 ward(s) moved')", timeout=15_000)
    after = page.inner_text("#redraw-balance-table")
    assert after != before  # populations moved between two footprints
    _drawn_as_given(page, "redraw-map")  # the ward is drawn in its new footprint's colour
    page.wait_for_function("() => document.querySelector('#redraw-compare-text')"
                           ".textContent.includes('1 ward(s) differ')", timeout=10_000)
    assert f"{ward}: {footprint} → {target}" in page.inner_text("#redraw-compare")
    # Undo and redo through the buttons.
    page.click("#redraw-undo")
    page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                           ".textContent.includes('0 ward(s) moved')", timeout=10_000)
    page.click("#redraw-redo")
    page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                           ".textContent.includes('1 ward(s) moved')", timeout=10_000)
    # Save, then a reload starts from the pack again: unsaved work is per page.
    page.fill("#redraw-name", "Browser test plan")
    page.click("#redraw-save")
    page.wait_for_function("() => document.querySelector('#redraw-share').value.includes("
                           "'scenario=')", timeout=10_000)
    link = page.input_value("#redraw-share")
    page.reload()
    page.wait_for_selector("#redraw-summary-text", timeout=30_000)
    assert "0 ward(s) moved" in _summary(page)
    # The link opens the saved scenario read-only; editing is refused until asked for.
    page.goto(link)
    page.wait_for_selector("#redraw-summary-text", timeout=30_000)
    assert "Read-only view of the shared scenario 'Browser test plan'" in page.inner_text("main")
    assert "1 ward(s) moved" in _summary(page)
    assert page.locator("#redraw-undo").is_disabled()
    page.wait_for_timeout(1000)
    assert not page.locator("#app-alert").is_visible()  # opening is not an edit
    # Compared with the original (the pack's footprints): the one ward differs.
    page.wait_for_selector("#redraw-compare-text", timeout=10_000)
    assert "1 ward(s) differ" in page.inner_text("#redraw-compare-text")
    assert f"{ward}: {footprint} → {target}" in page.inner_text("#redraw-compare")
    page.wait_for_timeout(1500)
    page.mouse.click(x, y)
    page.wait_for_selector("#app-alert", state="visible", timeout=10_000)
    assert "read-only" in page.inner_text("#app-alert")
    page.click("#redraw-edit")
    page.wait_for_function("() => !document.querySelector('#redraw-reset').disabled",
                           timeout=10_000)
    page.click("#redraw-reset")
    page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                           ".textContent.includes('0 ward(s) moved')", timeout=10_000)
    assert page.errors == []
    # Another browser (no edit key in its storage) follows the same link: it stays read-only.
    other = page.context.browser.new_context().new_page()
    other.goto(link)
    other.wait_for_selector("#redraw-summary-text", timeout=30_000)
    other.wait_for_timeout(1500)
    other.click("#redraw-edit")
    other.wait_for_function("() => document.querySelector('#redraw-store-status')"
                            ".textContent.includes('only from the browser that saved it')",
                            timeout=10_000)
    other.fill("#redraw-name", "Browser test plan")
    other.click("#redraw-save")  # a read-only view saves a copy, never over the original
    other.wait_for_function("() => document.querySelector('#redraw-store-status')"
                            ".textContent.includes('already exists')", timeout=10_000)
    # It lists the shared scenario (marked as shared), not the saving browser's others.
    options = other.evaluate("() => document.querySelector('#redraw-scenarios').textContent")
    assert "Browser test plan (shared)" in options or "Browser test plan" in options
    other.context.close()


def _within_2km(page) -> int:
    return int(page.inner_text("#hubs-summary-within-2000").replace(",", ""))


def test_hubs_click_opens_a_hub_and_population_within_2km_rises(served, page):
    from dashboard.engine.access import access, hub_table, small_area_points
    from dashboard.web.common.mapbase import bng_to_lonlat

    base, app = served
    from dashboard.web import reference
    geo = reference.geography(app.server)
    result = access(geo, hub_table(geo))
    far = result.farthest(1)
    x, y = small_area_points(geo)[far.index[0]]
    lon, lat = (float(v[0]) for v in bng_to_lonlat([x], [y]))
    page.goto(base + "/hubs")
    page.wait_for_selector("#hubs-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_selector("#hubs-summary-within-2000", timeout=30_000)
    map_js = "document.querySelector('#hubs-map .js-plotly-plot')._fullLayout.map._subplot.map"
    page.wait_for_function(f"() => {{ try {{ return {map_js}.__hubClicks; }} catch (e) {{ "
                           "return false; } }", timeout=30_000)
    page.wait_for_timeout(1000)
    before = _within_2km(page)
    assert before == round(result.bands.set_index("within_m").loc[2000, "population"])
    point = page.evaluate(f"() => {map_js}.project([{lon}, {lat}])")
    box = page.locator("#hubs-map .maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(f"() => document.getElementById('hubs-summary-within-2000')"
                           f".innerText.replace(/,/g, '') !== '{before}'", timeout=15_000)
    after = _within_2km(page)
    # The new hub stands among the people who were farthest from any: they are now within 2 km.
    assert after >= before + far["population"].iloc[0]
    assert "Opened New hub 1" in page.inner_text("#hubs-status")
    assert "New hub 1: opened" in page.inner_text("#hubs-tables")
    page.click("#hubs-undo")
    page.wait_for_function(f"() => document.getElementById('hubs-summary-within-2000')"
                           f".innerText.replace(/,/g, '') === '{before}'", timeout=15_000)
    page.click("#hubs-redo")
    page.wait_for_function(f"() => document.getElementById('hubs-summary-within-2000')"
                           f".innerText.replace(/,/g, '') === '{after}'", timeout=15_000)
    page.fill("#hubs-name", "Outreach in the far south")
    page.click("#hubs-save-as")
    page.wait_for_selector("#hubs-store-status .alert-success", timeout=15_000)
    assert page.errors == []


def test_the_browser_keeps_unsaved_work_as_the_server_would(page):
    """The script that keeps unsaved work in the tab (no request) does what keep_unsaved does:
    edited work kept under its context, unedited work dropped, other pages and damaged entries
    left or cleared alike, and only the most recent UNSAVED_LIMIT contexts kept."""
    from dashboard.web.common.unsaved import UNSAVED_LIMIT, edited, keep_script, keep_unsaved

    page.set_content("<html><body></body></html>")
    work = {"layer": "places", "undo": [["W1"]], "redo": []}
    many = {f"ctx{i}": {"undo": [[str(i)]]} for i in range(UNSAVED_LIMIT + 2)}
    cases = [
        (work, "ctx", None),
        ({"undo": [], "redo": []}, "ctx", {"redraw": {"ctx": work}, "hubs": {"h": work}}),
        ({"undo": [], "redo": [["W2"]]}, "new", {"redraw": many, "junk": "not a dict"}),
        (None, "ctx0", {"redraw": many}),
    ]
    for data, where, unsaved in cases:
        got = page.evaluate(f"([d, w, u]) => ({keep_script('redraw')})(d, w, u)",
                            [data, where, unsaved])
        want = keep_unsaved(unsaved, "redraw", where, edited(data))
        assert got == want
        assert list(got["redraw"]) == list(want["redraw"])  # the same ones, in the same order
    assert page.errors == []


def _away_and_back(page, labels: tuple[str, ...], back: str, shown: str, text: str) -> None:
    """Visit other pages through the nav bar, come back, then reload; each time the page must
    show ``text`` in ``shown`` again, marked as not saved."""
    for label in labels:
        page.get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)  # let the page draw, as a person would
    wait = (f"() => document.querySelector('{shown}') && document.querySelector('{shown}')"
            f".innerText.includes('{text}')")
    page.get_by_role("link", name=back, exact=True).click()
    page.wait_for_function(wait, timeout=20_000)
    status = f"#{back.lower()}-store-status"
    assert "NOT saved yet" in page.inner_text(status)
    page.reload()
    page.wait_for_function(wait, timeout=20_000)
    assert "NOT saved yet" in page.inner_text(status)


def test_unsaved_drafts_survive_page_changes_and_reloads(served, page):
    base, _ = served
    page.goto(base + "/redraw")
    page.wait_for_selector("#redraw-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_timeout(2500)
    _redraw_move(page, 0.35, 0.45)
    page.wait_for_function("() => document.querySelector('#redraw-summary-text')"
                           ".textContent.includes('1 ward(s) moved')", timeout=15_000)
    page.wait_for_timeout(1000)
    box = page.locator("#redraw-map .maplibregl-canvas").bounding_box()
    for fx, fy in ((0.65, 0.55), (0.5, 0.3), (0.3, 0.7), (0.7, 0.35)):  # same paint, next ward
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(1500)
        if "2 ward(s) moved" in page.inner_text("#redraw-summary-text"):
            break
    assert "2 ward(s) moved" in page.inner_text("#redraw-summary-text")
    page.wait_for_timeout(1000)
    _away_and_back(page, ("Overlaps", "Hubs", "Data"), "Redraw", "#redraw-summary-text",
                   "2 ward(s) moved")
    # Leaving the app with this unsaved asks first (the page's beforeunload handler).
    asks = page.evaluate("() => { const e = new Event('beforeunload', {cancelable: true}); "
                         "window.dispatchEvent(e); return e.defaultPrevented; }")
    assert asks is True
    # Saved work is no longer "unsaved": the question goes away.
    page.fill("#redraw-name", "Kept through reloads")
    page.click("#redraw-save")
    page.wait_for_selector("#redraw-store-status .alert-success", timeout=15_000)
    page.wait_for_timeout(500)
    asks = page.evaluate("() => { const e = new Event('beforeunload', {cancelable: true}); "
                         "window.dispatchEvent(e); return e.defaultPrevented; }")
    assert asks is False
    assert page.errors == []


def test_an_unsaved_hub_survives_page_changes_and_reloads(served, page):
    base, _ = served
    page.goto(base + "/hubs")
    page.wait_for_selector("#hubs-map .maplibregl-canvas", timeout=30_000)
    map_js = "document.querySelector('#hubs-map .js-plotly-plot')._fullLayout.map._subplot.map"
    page.wait_for_function(f"() => {{ try {{ return {map_js}.__hubClicks; }} catch (e) {{ "
                           "return false; } }", timeout=30_000)
    page.wait_for_timeout(1000)
    box = page.locator("#hubs-map .maplibregl-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)
    page.wait_for_function("() => document.getElementById('hubs-tables').innerText"
                           ".includes('New hub 1: opened')", timeout=15_000)
    _away_and_back(page, ("Map", "Redraw", "Allocate"), "Hubs", "#hubs-tables",
                   "New hub 1: opened")
    assert page.errors == []


def test_a_negative_total_is_flagged_at_the_box_and_no_stale_figures_stay(served, page):
    base, _ = served
    page.goto(base + "/allocate")
    page.wait_for_selector("#alloc-table table", timeout=30_000)
    page.fill("#alloc-total", "-5")
    page.wait_for_function("() => document.querySelector('#alloc-total')"
                           ".classList.contains('is-invalid')", timeout=10_000)
    assert page.locator("#alloc-total ~ .invalid-feedback").is_visible()
    page.wait_for_function("() => !document.querySelector('#alloc-table table')",
                           timeout=10_000)  # the old table is gone, not left under a banner
    assert "will show again once it is corrected" in page.inner_text("#alloc-summary")
    page.fill("#alloc-total", "120")
    page.wait_for_selector("#alloc-table table", timeout=10_000)
    assert "is-invalid" not in page.get_attribute("#alloc-total", "class")
    assert page.errors == []


def test_an_unreachable_street_background_is_said_and_the_map_keeps_working(served, page):
    base, _ = served
    _open_map(page, base + "/map")
    # A tile server that never answers (the .invalid domain cannot resolve), whatever the
    # network the tests run on.
    page.evaluate("() => window.dash_clientside.set_props('map-tile-probe', "
                  "{data: 'https://tiles.invalid/style.json'})")
    page.click("#map-basemap label:has-text('Streets (online)')")
    page.wait_for_selector("#map-tile-note", state="visible", timeout=15_000)
    assert "could not be reached" in page.inner_text("#map-tile-note")
    assert "/_style/blank" in page.evaluate(f"({FIGURE_DATA.replace('.data', '.layout')})()"
                                            ".map.style")
    wards = f"({FIGURE_DATA})().find(t => t.name === 'Electoral wards').showlegend"
    before = page.evaluate(f"() => {wards}")
    page.click("#map-layers label:has-text('Electoral wards')")
    page.wait_for_function(f"() => {wards} !== {str(before).lower()}",
                           timeout=10_000)  # the map still takes changes
    page.click("#map-basemap label:has-text('Blank')")
    page.wait_for_selector("#map-tile-note", state="hidden", timeout=10_000)


WATCH_SOURCES = """() => {
    const gd = document.querySelector('#map-graph .js-plotly-plot');
    const map = gd._fullLayout.map._subplot.map;
    window.__sent = []; window.__plots = 0;
    map.on('sourcedata', (e) => { if (e.sourceDataType === 'metadata') __sent.push(e.sourceId); });
    gd.on('plotly_afterplot', () => { window.__plots += 1; });
    return 'source-' + gd._fullData[0].uid;
}"""
NAMES_DRAWN = """() => {
    const map = document.querySelector('#map-graph .js-plotly-plot')._fullLayout.map._subplot.map;
    return map.queryRenderedFeatures().map(f => f.properties.label).filter(Boolean);
}"""
# Each fill piece MapLibre has drawn on a map: its colour as MapLibre paints it (the layer's
# colour rule evaluated for the feature and its state) and the colour Plotly gave it.
DRAWN_COLOURS = """(graph) => {
    const gd = document.querySelector(`#${graph} .js-plotly-plot`);
    const map = gd._fullLayout.map._subplot.map;
    const layer = 'plotly-trace-layer-' + gd._fullData[0].uid + '-fill';
    const rule = map.getLayer(layer).paint.get('fill-color');
    const given = {};
    gd.calcdata[0].forEach(d => { if (d.fOut) given[String(d.fOut.id)] = d.fOut.properties.fc; });
    const rgb = (c) => [c.r, c.g, c.b].map(v => Math.round(v * 255 / (c.a || 1))).join(',');
    return map.queryRenderedFeatures({layers: [layer]}).map(f => [
        String(f.id), rgb(rule.evaluate(f, f.state)),
        (given[String(f.id)] || '').replace(/[^0-9,]/g, '')]);
}"""


def _drawn_as_given(page, graph: str) -> list:
    """Wait until every piece drawn on ``graph`` has the colour Plotly gave it; returns them."""
    page.wait_for_function(f"() => {{ const d = ({DRAWN_COLOURS})('{graph}'); "
                           "return d.length > 0 && d.every(([, drawn, given]) => drawn === given); }",
                           timeout=10_000)
    return page.evaluate(DRAWN_COLOURS, graph)


def test_a_map_update_re_sends_only_what_changed(served, page):
    # assets/steady_maps.js: a source given what it already shows is not re-tiled (half a
    # second a time without a GPU); a new shading only recolours the pieces already tiled;
    # a real change of shapes still reaches the map.
    from dashboard.web import reference

    base, app = served
    _open_map(page, base + "/map")
    shade = page.evaluate(WATCH_SOURCES)
    before = _drawn_as_given(page, "map-graph")
    wards = set(reference.geography(app.server).layer("wards").names)
    assert not wards & set(page.evaluate(NAMES_DRAWN))
    page.click("#map-layers label:has-text('Electoral wards')")
    page.wait_for_function("() => window.__plots > 0", timeout=10_000)
    page.wait_for_function(f"() => ({NAMES_DRAWN})().some(n => {json.dumps(sorted(wards))}"
                           ".includes(n))", timeout=10_000)  # the ward names appeared
    assert shade not in page.evaluate("window.__sent")  # the shading was not touched
    for measure in ("Need score", "Population", "Need score"):
        page.evaluate("() => { window.__plots = 0; }")
        page.click("#map-measure")
        page.get_by_role("option", name=measure, exact=True).click()
        page.wait_for_function("() => window.__plots > 0", timeout=10_000)
        drawn = _drawn_as_given(page, "map-graph")  # the new colours are drawn
    assert {i: c for i, c, _ in drawn} != {i: c for i, c, _ in before}
    assert shade not in page.evaluate("window.__sent")  # recoloured, not sent to be re-tiled
    assert page.errors == []


def test_a_recoloured_map_looks_as_one_drawn_afresh(served, browser):
    # The recolouring in place must leave exactly what a fresh draw of that shading shows.
    from PIL import Image, ImageChops

    base, _ = served
    shots, errors = [], []
    for url, measures in ((base + "/map", ("Need score", "Population", "Need score")),
                          (base + "/map?measure=need", ())):
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _open_map(page, url)
        for measure in measures:
            page.click("#map-measure")
            page.get_by_role("option", name=measure, exact=True).click()
            page.wait_for_timeout(1200)
        page.mouse.move(0, 0)
        _drawn_as_given(page, "map-graph")
        page.wait_for_timeout(800)
        shots.append(Image.open(io.BytesIO(page.locator("#map-graph").screenshot())).convert("L"))
        page.close()
    differ = ImageChops.difference(*shots).histogram()
    assert shots[0].size == shots[1].size
    assert sum(differ[9:]) <= 0.001 * sum(differ)  # the same to within antialiasing
    assert errors == []


def test_back_steps_through_the_footprints_shown(served, page):
    base, _ = served
    page.goto(base + "/overlaps")
    page.wait_for_selector("#overlap-from", timeout=30_000)
    page.goto(base + "/footprint?layer=places&code=PP01")
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1')"
                           ".innerText.includes('PP01')", timeout=30_000)
    page.click("#footprint-code")
    page.get_by_role("option", name="Brackmoor Central").click()
    page.wait_for_function("() => (document.querySelector('h1') || {innerText: ''})"
                           ".innerText.includes('PP02')", timeout=15_000)
    assert "code=PP02" in page.url
    page.go_back()
    page.wait_for_function("() => (document.querySelector('h1') || {innerText: ''})"
                           ".innerText.includes('PP01')", timeout=15_000)
    assert "code=PP01" in page.url
    page.go_back()  # then out of the footprints, to where the user came from
    page.wait_for_url("**/overlaps**", timeout=15_000)
    assert page.errors == []


def test_the_overlap_table_sorts_filters_and_pages_on_the_server(served, page):
    from dashboard.web import reference
    from dashboard.web.overlaps.callbacks import overlap_rows

    base, app = served
    page.goto(base + "/overlaps?from_layer=places&to_layer=pcns")
    page.wait_for_selector("#overlap-table td", timeout=30_000)
    rows, _ = overlap_rows(reference.geography(app.server), "places", "pcns", "proportional",
                           "imd_score")
    assert page.inner_text("#overlap-table-status") == f"Rows 1–20 of {len(rows)}"
    population = "button[id*='\"col\":\"population\"']"
    page.click(population)
    page.wait_for_selector("th[aria-sort=ascending]")
    page.click(population)
    page.wait_for_selector("th[aria-sort=descending]")
    top = rows.sort_values("population", ascending=False).iloc[0]
    assert page.inner_text("#overlap-table tr:first-child td:nth-child(5)") == \
        f"{top['population']:,.0f}"
    page.click("#overlap-table-next")
    page.wait_for_function("() => document.querySelector('#overlap-table-status').innerText"
                           ".startsWith('Rows 21')")
    page.fill("#overlap-table-filter", "Thornley West")
    page.keyboard.press("Enter")
    wanted = rows[rows["to_name"].str.contains("Thornley West")
                  | rows["from_name"].str.contains("Thornley West")]
    page.wait_for_function(f"() => document.querySelector('#overlap-table-status').innerText "
                           f"=== 'Rows 1–{len(wanted)} of {len(wanted)}'")
    assert page.errors == []
