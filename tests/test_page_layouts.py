"""Every page's ``layout(**query)``, called with real addresses: what it draws must follow the
query (and fall back to the pack's defaults for anything the pack does not have).

A GET of a page only returns Dash's index shell, which never calls ``layout``; these call it
in a request context, as Dash does when the browser asks for the page's content.
"""

from __future__ import annotations

import pytest

from dashboard.engine import drafts
from dashboard.web import allocate, data, footprint, hubs, ids, map, overlaps, redraw, reference
from dashboard.web import upload as upload_page
from dashboard.web.common.scenarios import Desk
from dashboard.web.redraw import saving
from dashboard.web.redraw.state import Judging


def find(tree, component_id):
    """The component with ``component_id`` in a layout, or a failure naming it."""
    for node in [tree, *tree._traverse()]:
        if getattr(node, "id", None) == component_id:
            return node
    raise AssertionError(f"no component '{component_id}' in the layout")


def text(tree) -> str:
    """Every piece of text the layout shows (str() of a component is cut short)."""
    parts = []
    for node in [tree, *tree._traverse()]:
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if isinstance(child, str):
                parts.append(child)
    return " ".join(parts)


@pytest.fixture
def page(app):
    """Call a page's layout with a query, in a request for that address."""
    def render(feature, **query):
        with app.server.test_request_context("/"):
            return feature.layout.layout(**query)
    return render


def test_map_follows_measure_layer_unit_and_shown_layers(page):
    tree = page(map, measure="decile", need="imd_score", layer="wards", code="E05950001",
                show="districts")
    assert find(tree, ids.MAP_MEASURE).value == "decile"
    assert find(tree, ids.MAP_SELECT_LAYER).value == "wards"
    assert find(tree, ids.MAP_SELECT_UNIT).value == "E05950001"
    assert find(tree, ids.MAP_LAYERS).value == ["districts"]
    unknown = page(map, measure="nope", layer="nowhere", code="E05950001", show="nothing")
    assert find(unknown, ids.MAP_MEASURE).value == "population"
    assert find(unknown, ids.MAP_SELECT_LAYER).value == "places"  # the first grouping
    assert find(unknown, ids.MAP_SELECT_UNIT).value is None  # a ward code is no place
    assert find(unknown, ids.MAP_LAYERS).value == []


def test_footprint_and_overlaps_follow_their_choices(page):
    tree = page(footprint, layer="districts", code="D02", need="imd_score")
    assert (find(tree, ids.FOOTPRINT_LAYER).value, find(tree, ids.FOOTPRINT_CODE).value) == (
        "districts", "D02")
    wrong = page(footprint, layer="places", code="D02")
    assert find(wrong, ids.FOOTPRINT_CODE).value is None
    assert "There is no footprint 'D02' in place partnerships" in text(wrong)
    assert "There is no footprint" not in text(page(footprint, layer="places"))
    tree = page(overlaps, from_layer="wards", to_layer="districts", method="best-fit")
    assert find(tree, ids.OVERLAP_FROM).value == "wards"
    assert find(tree, ids.OVERLAP_TO).value == "districts"
    assert find(tree, ids.OVERLAP_METHOD).value == "best-fit"
    assert find(page(overlaps, to_layer="mars"), ids.OVERLAP_TO).value == "pcns"
    assert find(page(overlaps, from_layer="pcns"), ids.OVERLAP_TO).value == "places"


def test_overlaps_opens_on_two_different_layers_of_a_pack_without_footprints(app):
    with app.server.test_request_context("/overlaps?pack=kirklees"):
        tree = overlaps.layout.layout(pack="kirklees")
        assert reference.geography().name == "Kirklees"
    assert (find(tree, ids.OVERLAP_FROM).value, find(tree, ids.OVERLAP_TO).value) == (
        "wards", "pcns")


def test_allocate_reads_its_settings_from_the_address(page):
    tree = page(allocate, resource="place_budget", layer="districts", total="5000", core="equal",
                w="1", rounding="1", need="none")
    assert find(tree, ids.ALLOC_RESOURCE).value == "place_budget"
    assert find(tree, ids.ALLOC_LAYER).value == "districts"
    assert find(tree, ids.ALLOC_TOTAL).value == 5000.0
    assert find(tree, ids.ALLOC_WEIGHT).value == 1.0
    assert (find(tree, ids.ALLOC_ROUNDING).value, find(tree, ids.ALLOC_NEED).value) == ("1",
                                                                                         "none")
    # Nonsense falls back to the resource's own settings, not to an error.
    junk = page(allocate, resource="nonsense", layer="nowhere", w="abc", rounding="7",
                core="sometimes")
    first = find(junk, ids.ALLOC_RESOURCE).value
    assert first != "nonsense" and find(junk, ids.ALLOC_WEIGHT).value is not None
    assert find(junk, ids.ALLOC_ROUNDING).value in ("none", "0.1", "1")
    assert find(junk, ids.ALLOC_CORE_METHOD).value in ("equal", "per_head", "minimum")


def test_redraw_opens_a_layer_a_new_layer_or_a_shared_scenario(app, geo, page):
    tree = page(redraw, layer="districts")
    assert find(tree, ids.REDRAW_LAYER).value == "districts"
    assert find(tree, ids.REDRAW_DRAFT).data["layer"] == "districts"
    made = page(redraw, new="Neighbourhoods", footprints="North\nSouth")
    draft = find(made, ids.REDRAW_DRAFT).data
    assert draft["new"]["label"] == "Neighbourhoods"
    assert [n for _, n in draft["groups"]] == ["Unassigned", "North", "South"]
    assert "Make neighbourhoods" in text(made)
    hostile = page(redraw, scenario="../../etc")
    assert find(hostile, ids.REDRAW_OPENED).data is None
    assert "link is not valid" in text(hostile)
    missing = page(redraw, scenario="0123456789abcdef01234567")
    assert "That scenario no longer exists" in text(missing)
    with app.server.test_request_context("/redraw"):
        moved = drafts.move(drafts.start(geo, "places"), "E05950001", "PP05").to_json()
        opened, _ = saving.scenario_action(
            geo, Desk(reference.scenarios(app.server), reference.pack_key(), {}),
            saving.Request(ids.REDRAW_SAVE_AS, "Shared plan", None, moved, None,
                           Judging("districts", "imd_score", 15, "none")))
    shared = page(redraw, scenario=opened["id"])
    assert find(shared, ids.REDRAW_OPENED).data["readonly"] is True
    assert find(shared, ids.REDRAW_DRAFT).data["assignment"]["E05950001"] == "PP05"
    assert find(shared, ids.REDRAW_AGAINST).value == "districts"  # its saved settings
    assert find(shared, ids.REDRAW_TOLERANCE).value == 15
    assert "Read-only view of the shared scenario 'Shared plan'" in text(shared)


def test_hubs_follow_the_layer_and_fall_back(page):
    assert find(page(hubs, layer="districts"), ids.HUBS_LAYER).value == "districts"
    assert find(page(hubs, layer="nowhere"), ids.HUBS_LAYER).value == "places"
    bad = page(hubs, scenario="../../etc")
    assert find(bad, ids.HUBS_OPENED).data is None


def test_static_pages_describe_the_pack(page, geo):
    assert geo.name in text(page(data))
    tree = page(upload_page)
    assert find(tree, ids.UPLOAD_RUN) is not None


def test_overview_answers_for_the_pair_in_the_address(page):
    from dashboard.web import overview

    tree = page(overview)
    assert (find(tree, ids.OVERVIEW_FROM).value, find(tree, ids.OVERVIEW_TO).value) == (
        "places", "pcns")
    shown = text(tree)
    assert "Place partnerships against Primary Care Networks: alignment" in shown
    assert "Least aligned:" in shown
    links = [getattr(n, "href", "") for n in tree._traverse()]
    assert any("/map?" in h and "measure=mismatch%3Aplaces%3Apcns" in h and "code=PP" in h
               for h in links if h)
    other = page(overview, from_layer="districts", to_layer="wards")
    assert "cannot be compared" in text(other)  # districts group wards: they always nest
    old_map_link = page(overview, layer="wards", code="E05950001")
    assert find(old_map_link, ids.MAP_SELECT_UNIT).value == "E05950001"
