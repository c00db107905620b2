"""The hubs page's plain functions: rendering, what-if edits, hub files, scenarios, exports."""

from __future__ import annotations

import base64
import io

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from dashboard.engine import drafts, hubplan
from dashboard.engine.access import access, hub_table, residents_of, small_area_points
from dashboard.engine.drafts import EditError
from dashboard.errors import DashboardError
from dashboard.exports import hub_export
from dashboard.scenarios import ScenarioError, ScenarioStore
from dashboard.uploads import Upload
from dashboard.web import ids, reference
from dashboard.web.common.mapbase import bng_to_lonlat
from dashboard.web.common.scenarios import Desk
from dashboard.web.footprint.callbacks import hub_section
from dashboard.web.hubs import saving, views
from dashboard.web.hubs.edits import HubEdit, edited
from dashboard.web.hubs.state import HubSettings, measure, parse_bands
from dashboard.web.redraw import saving as redraw_saving
from dashboard.web.redraw.state import Judging

SETTINGS = HubSettings("places", "imd_score", ["main", "community"], "1, 2, 5")


def hub_edit(geo, plan_data, *fields):
    """One what-if edit, as the edit callback runs it."""
    return edited(geo, plan_data, HubEdit(*fields))


def hub_save(geo, store, pack, action, name, plan_data, opened, keys):
    """Save or Save as new, as the manage callback runs it."""
    return saving.scenario_action(geo, Desk(store, pack, keys),
                                  saving.Request(action, name, plan_data, opened, SETTINGS))


def lonlat_of(x, y):
    lon, lat = bng_to_lonlat([x], [y])
    return {"lon": float(lon[0]), "lat": float(lat[0])}


def test_render_fills_every_output_and_labels_distances(app, geo):
    with app.server.test_request_context("/hubs"):
        out = views.render(geo, hubplan.start(geo).to_json(), None, SETTINGS,
                           {"shade": "bands", "chosen": "H01"})
    figure, summary, tables, undo_off, redo_off = (out[k] for k in ("map", "summary", "tables",
                                                                    "undo", "redo"))
    assert figure["data"][0]["type"] == "choroplethmap"
    assert len(figure["data"][0]["z"]) == len(geo.atoms.small_area)
    assert undo_off and redo_off
    text = str(summary)
    assert "straight-line" in text and "within 2 km" in text
    # Two demo hubs sit just over the border of the place they serve.
    assert "Brackmoor Civic Centre, Stanwick Library Hub" in text
    assert "Median straight line (km)" in str(tables)


def test_the_tables_are_drawn_in_the_browser_with_every_hub_figure_and_flag(app, geo):
    # Drawn from their data (drawn_table), not as Dash components: see views.tables.
    with app.server.test_request_context("/hubs"):
        here, plan, result = measure(geo, hubplan.start(geo).to_json(), None, SETTINGS)
        parts = views.tables(here, result, hubplan.changes(geo, plan))
    tables = {p["table"]["id"]: p["table"] for p in parts if p["kind"] == "table"}
    assert set(tables) == {"hubs-catchments", "hubs-footprints", "hubs-farthest"}
    hubs = tables["hubs-catchments"]
    c = result.catchments
    assert [row[0]["text"] for row in hubs["rows"]] == list(c["name"])
    residents = hubs["head"].index("Catchment residents")
    assert [row[residents]["text"] for row in hubs["rows"]] == \
        [f"{v:,.0f}" for v in c["population"]]
    assert all(row[residents]["className"] == "text-end" for row in hubs["rows"])
    assert hubs["rows"][0][0]["className"] is None  # names are text, not right-aligned
    # Two demo hubs sit just over the border of the place they serve: said in red.
    flags = [p for p in parts if p["kind"] == "note" and p["alert"]]
    assert any("Brackmoor Civic Centre, Stanwick Library Hub" in f["text"] for f in flags)
    assert [p["text"] for p in parts if p["kind"] == "heading"][0] == "Hubs and their catchments"


def test_catchment_shading_gives_each_small_area_its_nearest_hub(app, geo):
    plan = hubplan.start(geo)
    result = access(geo, plan.table(), None, [1000, 2000], "places")
    shade = views.shading(result, "catchment", [1000, 2000])
    codes = list(result.hubs["code"])
    assert [codes[z] for z in shade.values] == result.areas["nearest_hub"].tolist()
    bands = views.shading(result, "bands", [1000, 2000])
    assert bands.ticks == ["≤ 1 km", "1–2 km", "> 2 km"]
    assert max(bands.values) <= 2


def test_a_click_opens_a_hub_and_raises_access(geo):
    plan = hubplan.start(geo)
    before = access(geo, plan.table(), None, [2000]).bands["population"].iloc[0]
    far = access(geo, plan.table()).farthest(1).index[0]  # the small area farthest from a hub
    x, y = small_area_points(geo)[far]
    new, chosen, message = hub_edit(geo, plan.to_json(), ids.HUBS_CLICK, lonlat_of(x, y),
                                       "add", None, "Outreach van", "community", None)
    assert chosen == "NEW1" and "Opened Outreach van" in message
    assert new.get("NEW1").x == pytest.approx(x, abs=2)
    after = access(geo, new.table(), None, [2000]).bands["population"].iloc[0]
    assert after > before
    moved, _, message = hub_edit(geo, new.to_json(), ids.HUBS_CLICK, lonlat_of(x + 500, y),
                                    "move", "NEW1", None, None, None)
    assert moved.get("NEW1").x == pytest.approx(x + 500, abs=2)
    staffed, _, _ = hub_edit(geo, moved.to_json(), ids.HUBS_SET_STAFF, None, "add", "NEW1",
                                None, None, 4)
    assert staffed.get("NEW1").staff == 4
    closed, _, _ = hub_edit(geo, staffed.to_json(), ids.HUBS_CLOSE, None, "add", "H01", None,
                               None, None)
    assert "H01" in closed.closed
    back, chosen, _ = hub_edit(geo, closed.to_json(), ids.HUBS_RESET, None, "add", "H01",
                                  None, None, None)
    assert back.table()["code"].tolist() == plan.table()["code"].tolist() and chosen is None
    assert hub_edit(geo, back.to_json(), ids.HUBS_UNDO, None, "add", None, None, None,
                       None)[0].closed == {"H01"}


def test_clicks_that_cannot_be_obeyed_say_why(geo):
    data = hubplan.start(geo).to_json()
    with pytest.raises(EditError, match="outside the borough"):
        hub_edit(geo, data, ids.HUBS_CLICK, {"lon": -3.0, "lat": 54.5}, "add", None, None,
                    None, None)
    with pytest.raises(EditError, match="Choose the hub to move first"):
        hub_edit(geo, data, ids.HUBS_CLICK, lonlat_of(*small_area_points(geo)[0]),
                    "move", None, None, None, None)
    looked = hub_edit(geo, data, ids.HUBS_CLICK, {"lon": -3.0, "lat": 54.5}, "look", None,
                         None, None, None)
    assert looked[0] == hubplan.from_json(data)
    with pytest.raises(EditError, match="distances as kilometres"):
        parse_bands("1, two")
    with pytest.raises(EditError, match="1 to 6 distances"):
        parse_bands("0, 2")


def upload(name: str, text: str) -> Upload:
    return Upload(name, "data:text/csv;base64," + base64.b64encode(text.encode()).decode())


def test_a_hubs_file_replaces_the_plan_or_is_refused_by_name(geo):
    plan = hubplan.start(geo)
    first = plan.hubs[0]
    good = upload("my hubs.csv", f"name;type;easting;northing;staff\nCivic;main;{first.x:.0f};"
                                 f"{first.y:.0f};12\n")
    new, _, message = hub_edit(geo, plan.to_json(), ids.HUBS_FILE, None, "add", None, None,
                                  None, None, good)
    assert [h.name for h in new.hubs] == ["Civic"] and "Loaded 1 hub(s)" in message
    far = upload("far.csv", f"name,easting,northing\nMoon base,{first.x + 60_000:.0f},"
                            f"{first.y:.0f}\n")
    with pytest.raises(DashboardError, match=r"far.csv: hub\(s\) Moon base \(\d+\.\d km\) lie "
                                             "outside the borough"):
        hub_edit(geo, plan.to_json(), ids.HUBS_FILE, None, "add", None, None, None, None,
                    far)


def test_scenarios_keep_hubs_with_footprints(app, geo, tmp_path):
    store = ScenarioStore(f"sqlite:///{tmp_path / 's.sqlite'}")
    plan = hubplan.close(hubplan.start(geo), "H02")
    with app.server.test_request_context("/hubs"):
        keys: dict = {}
        opened, message = hub_save(geo, store, "default", ids.HUBS_SAVE_AS,
                                               "Close Thornley", plan.to_json(), None, keys)
    saved = store.get(opened["id"])
    assert saved.layer == "places" and saved.payload["hubs"]["closed"] == ["H02"]
    assert saved.payload["hub_settings"]["bands"] == "1, 2, 5"
    # The redraw page saving its footprints keeps the hubs.
    draft = drafts.move(drafts.from_json(geo, saved.payload["draft"]), "E05950001", "PP05")
    redraw_opened = {"id": saved.id, "name": saved.name, "version": saved.version,
                     "readonly": False}
    with app.server.test_request_context("/redraw"):
        redraw_saving.scenario_action(geo, Desk(store, "default", keys), redraw_saving.Request(
            ids.REDRAW_SAVE, saved.name, None, draft.to_json(), redraw_opened,
            Judging("pcns", None, 10, "none")))
    again = store.get(saved.id)
    assert again.payload["hubs"]["closed"] == ["H02"]
    assert again.payload["draft"]["assignment"]["E05950001"] == "PP05"
    # And the hubs page saving again keeps the moved ward.
    reopened = {"id": again.id, "name": again.name, "version": again.version,
                "readonly": False, "draft": again.payload["draft"]}
    with app.server.test_request_context("/hubs"):
        hub_save(geo, store, "default", ids.HUBS_SAVE, again.name,
                             hubplan.reopen(plan, "H02").to_json(), reopened, keys)
    last = store.get(saved.id)
    assert last.payload["hubs"]["closed"] == []
    assert last.payload["draft"]["assignment"]["E05950001"] == "PP05"
    with pytest.raises(ScenarioError, match="read-only"):
        hub_save(geo, store, "default", ids.HUBS_SAVE, "x", plan.to_json(),
                             {**reopened, "readonly": True}, keys)
    with pytest.raises(ScenarioError, match="only from the browser that saved it"):
        hub_save(geo, store, "default", ids.HUBS_SAVE, "x", plan.to_json(),
                             reopened, {})  # another browser, no key


def test_an_opened_scenario_judges_hubs_by_its_footprints(geo):
    draft = drafts.start(geo, "places")
    # Move the ward holding Brackmoor Civic Centre into the place it serves.
    civic = hubplan.start(geo).get("H01")
    result = access(geo, hub_table(geo), None, [1000], "wards")
    ward = result.catchments.set_index("code").loc["H01", "sits_in"]
    moved = drafts.move(draft, ward, "PP02").to_json()
    here, plan, judged = measure(geo, hubplan.start(geo).to_json(), {"draft": moved},
                                 HubSettings("places", None, None, "1"))
    assert plan.get("H01") == civic
    assert judged.catchments.set_index("code").loc["H01", "outside_footprint"] == False  # noqa: E712
    assert "Brackmoor Civic Centre" not in judged.hubs_outside_footprint


def test_exports_state_straight_lines_and_hold_catchments(geo, tmp_path):
    result = access(geo, hub_table(geo), "imd_score", [1000, 2000, 5000], "places")
    changes = hubplan.changes(geo, hubplan.start(geo))
    name, content = hub_export(geo, result, changes, "Today", "csv")
    assert name.endswith("-hubs.csv")
    table = pd.read_csv(io.BytesIO(content), dtype={"code": str})
    assert "median_straight_line_m" in table and table["population"].sum() == pytest.approx(
        geo.total_population)
    name, content = hub_export(geo, result, changes, "Today", "xlsx")
    sheets = pd.read_excel(io.BytesIO(content), sheet_name=None)
    assert {"Hubs", "Access bands", "Footprints", "Small areas", "Changes", "About"} <= set(sheets)
    about = dict(zip(sheets["About"]["item"], sheets["About"]["value"]))
    assert "Straight lines" in about["Distances"]
    name, content = hub_export(geo, result, changes, "Today", "gpkg")
    path = tmp_path / name
    path.write_bytes(content)
    assert {n for n, _ in pyogrio.list_layers(path)} >= {"catchments", "hubs", "small_areas",
                                                         "about"}
    catchments = gpd.read_file(path, layer="catchments")
    assert catchments.crs.to_epsg() == 27700 and len(catchments) == 9
    assert catchments["population"].sum() == pytest.approx(geo.total_population)
    # Catchment shapes cover the borough once: their areas add up to the small areas'.
    assert catchments.area.sum() == pytest.approx(geo.small_area_geometry.area.sum(), rel=1e-6)
    with pytest.raises(DashboardError, match="Unknown hubs format"):
        hub_export(geo, result, changes, "Today", "pdf")


def test_footprint_page_shows_its_hubs_and_access(geo):
    result = access(geo, hub_table(geo), None, [1000], "places")
    by_hub = residents_of(geo, result, "PP07")
    assert by_hub["residents"].sum() == pytest.approx(
        result.footprints.set_index("code").loc["PP07", "population"])
    text = str(hub_section(geo, "places", "PP07", None))
    assert "Hubs inside: none" in text and "Stanwick Library Hub" in text
    assert "serves this footprint but sits in Ashcombe Valley" in text


def test_a_shared_link_opens_the_scenarios_hubs_read_only(app, geo):
    from dashboard.web.hubs import layout as hubs_page

    plan = hubplan.close(hubplan.start(geo), "H03")
    with app.server.test_request_context("/hubs"):
        store = reference.scenarios(app.server)
        opened, _ = hub_save(geo, store, "default", ids.HUBS_SAVE_AS, "Shared hubs",
                                         plan.to_json(), None, {})
        page = hubs_page.layout(scenario=opened["id"])
        broken = hubs_page.layout(scenario="0123456789abcdef01234567")
    text = str(page)
    assert "Read-only view of the shared scenario 'Shared hubs'" in text
    assert "'closed': ['H03']" in text  # the plan store starts from the saved hubs
    assert "no longer exists" in str(broken)
