"""axe-core over every page of the demo and of a real borough: no serious or critical
violation (WCAG 2.2 AA rules as axe-core checks them), and the fixes the pages rely on."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/", "/map", "/footprint?layer={grouping}", "/overlaps", "/allocate", "/redraw", "/hubs",
         "/data", "/upload"]


@pytest.fixture(scope="module")
def served(demo_server):
    return demo_server[0]


@pytest.mark.parametrize("pack, grouping", [("default", "places"), ("kirklees", "pcns")])
def test_no_serious_or_critical_violation_on_any_page(served, page, pack, grouping):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    found = {}
    for path in PAGES:
        url = served + path.format(grouping=grouping)
        page.goto(url + ("&" if "?" in url else "?") + f"pack={pack}")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(600)  # the accessibility fixes run on the next animation frame
        bad = [(v["id"], [n["target"] for n in v["nodes"]][:3])
               for v in axe.run(page).response["violations"]
               if v["impact"] in ("serious", "critical")]
        if bad:
            found[path] = bad
    assert found == {}
    assert page.get_attribute("html", "lang") == "en-GB"


def test_dropdowns_take_the_focus_and_are_named_by_their_label(served, page):
    page.goto(served + "/overlaps")
    page.wait_for_selector("button#overlap-from")
    page.wait_for_timeout(300)
    page.focus("button#overlap-from")
    name = page.evaluate("""() => {
        const b = document.activeElement;
        return b.getAttribute('aria-labelledby').split(' ')
            .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    }""")
    assert name.startswith("From") and "Place partnerships" in name
    assert page.get_attribute("button#overlap-from", "tabindex") == "0"
    assert page.locator(".dash-dropdown-focus-target[tabindex='0']").count() == 0


@pytest.mark.parametrize("path, graph", [("/map", "map-graph"), ("/redraw", "redraw-map"),
                                         ("/hubs", "hubs-map")])
def test_maps_are_named_figures_with_a_caption(served, page, path, graph):
    page.goto(served + path)
    page.wait_for_selector(f"figure[aria-label] #{graph}")
    caption = page.inner_text(f"figure:has(#{graph}) figcaption")
    assert page.get_attribute(f"figure:has(#{graph})", "aria-label").startswith("Map of")
    assert "below" in caption  # where the same figures are as text


def test_on_a_phone_the_navigation_folds_into_a_menu(served, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(served + "/overlaps")
        page.wait_for_selector("#overlap-from")
        assert page.locator(".app-navbar").bounding_box()["height"] < 110  # was about 410 px
        assert not page.locator("a.nav-link:has-text('Redraw')").is_visible()
        page.click("#nav-toggle")
        page.locator("a.nav-link:has-text('Redraw')").wait_for(state="visible")
        page.click("a.nav-link:has-text('Redraw')")
        page.wait_for_selector("#redraw-summary-text")
    finally:
        context.close()


PHONE_PAGES = ["/", "/map", "/footprint?layer={grouping}", "/overlaps", "/allocate", "/redraw",
               "/hubs", "/data", "/upload", "/report?layer={grouping}"]


@pytest.mark.parametrize("pack, grouping", [("default", "places"), ("kirklees", "pcns")])
def test_no_page_scrolls_sideways_on_a_phone(served, browser, pack, grouping):
    """At 390 x 844 the document is no wider than the screen; wide tables scroll in their box."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    wide = {}
    try:
        for path in PHONE_PAGES:
            url = served + path.format(grouping=grouping)
            page.goto(url + ("&" if "?" in url else "?") + f"pack={pack}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[path] = width
    finally:
        context.close()
    assert wide == {}


# The map's frame and whether it all shows, once the page has framed it: the framing runs after
# the map's draw, which on a busy machine can come well after its canvas, so this waits for the
# frame to fit for up to 15 s and then reports what is shown.
FRAME_SHOWN = """async () => {
    const view = () => {
        const gd = document.querySelector('#map-graph .js-plotly-plot');
        const [west, south, east, north] = gd.layout.map.fit;
        const shown = gd._fullLayout.map._subplot.map.getBounds();
        return {zoom: gd._fullLayout.map.zoom, fits: shown.getWest() <= west + 1e-6
                && shown.getEast() >= east - 1e-6 && shown.getSouth() <= south + 1e-6
                && shown.getNorth() >= north - 1e-6};
    };
    for (let waited = 0; waited < 15000 && !view().fits; waited += 250)
        await new Promise((done) => setTimeout(done, 250));
    return view();
}"""


def test_on_a_phone_the_map_zooms_out_to_show_the_whole_borough(served, browser):
    """Maps are framed for a desktop column; on a phone the framed area must still all show,
    and stay shown when the server next updates the map."""
    views = {}
    for width in (1400, 390):
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        try:
            page.goto(served + "/map?pack=kirklees")
            page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
            page.wait_for_timeout(2500)
            views[width] = page.evaluate(FRAME_SHOWN)
            if width == 390:  # a new shading comes as a patch from the server
                page.click("#map-measure")
                page.get_by_role("option", name="Need score").click()
                page.wait_for_function("() => location.search.includes('measure=need')")
                page.wait_for_timeout(2500)
                views["after an update"] = page.evaluate(FRAME_SHOWN)
        finally:
            context.close()
    assert views[1400]["fits"] and views[390]["fits"] and views["after an update"]["fits"]
    assert views[390]["zoom"] < views[1400]["zoom"] - 0.5
    # (Its zoom may differ a little: a new colour bar's title can change the map's width.)
    assert views["after an update"]["zoom"] < views[1400]["zoom"] - 0.5


def test_the_overview_answers_the_worst_place_and_pcn_in_one_click(served, page):
    page.goto(served + "/")
    page.wait_for_selector("#overview-pair .card", timeout=30_000)
    first = page.locator("#overview-pair .card").first
    worst = first.locator(".card-title").inner_text()
    assert "most split by primary care networks" in page.inner_text("#overview-pair")
    first.get_by_role("link", name="On the map").click()
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
    page.wait_for_function("() => document.querySelector('#map-details h2')", timeout=30_000)
    assert worst in page.inner_text("#map-details h2")  # the unit is selected and opened
    assert "mismatch:places:pcns" in page.url.replace("%3A", ":")
    colour_bar = page.evaluate(
        "() => document.querySelector('#map-graph .js-plotly-plot').data[0].colorbar.tickformat")
    assert colour_bar == ".0%"  # shares read as percentages
    assert worst in page.inner_text("#map-ranking")  # the ranked list beside the map
    assert page.errors == []


@pytest.mark.parametrize("path, graph", [("/map", "map-graph"), ("/redraw", "redraw-map"),
                                         ("/hubs", "hubs-map")])
def test_each_map_waits_as_a_placeholder_of_its_size_under_a_spinner(served, page, path, graph):
    """The map's first draw is held back: until it comes, the page shows a blank box of the
    map's final height under a spinner; when it comes nothing moves."""
    held = []

    def draws(request) -> bool:
        """The callback that draws the whole map (not a later patch of it, whose output
        carries Dash's '@' suffix for a second writer)."""
        try:
            output = json.loads(request.post_data or "{}").get("output", "")
        except ValueError:
            return False
        return f"{graph}.figure" in output.strip(".").split("...")

    def hold(route):
        if draws(route.request) and not held:
            held.append(route)  # answered below, once the waiting page has been looked at
        else:
            route.continue_()

    page.route("**/_dash-update-component*", hold)
    page.goto(served + path)
    page.wait_for_selector(f"#{graph} .js-plotly-plot", timeout=30_000)
    page.wait_for_timeout(1000)
    assert len(held) == 1, "the first draw was not held back"
    waiting = page.locator(f"#{graph}").bounding_box()["height"]
    assert waiting > 500  # the map's own height, not an empty strip
    assert page.locator(f"#{graph} .maplibregl-canvas").count() == 0  # nothing drawn yet
    spinner = f"getComputedStyle(document.querySelector('#{graph}'), '::after')"
    assert page.evaluate(f"() => {spinner}.animationName") == "map-spin"
    assert "Drawing the map" in page.inner_text(f"#{graph}")
    held[0].continue_()
    page.wait_for_selector(f"#{graph} .maplibregl-canvas", timeout=30_000)
    page.wait_for_timeout(500)
    assert page.locator(f"#{graph}").bounding_box()["height"] == pytest.approx(waiting, abs=2)
    assert page.evaluate(f"() => {spinner}.content") in ("none", "normal")  # spinner gone
