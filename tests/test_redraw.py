"""The redraw page's plain functions: edits, rendering, scenario actions, assignment files."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from dashboard.data.assignments import assignment_table, read_assignment
from dashboard.engine import drafts
from dashboard.engine.drafts import EditError
from dashboard.errors import DataFileError
from dashboard.exports import scenario_export
from dashboard.scenarios import Conflict, ScenarioError, ScenarioStore
from dashboard.web import ids, reference
from dashboard.web.common import scenarios
from dashboard.web.common.mapbase import no_highlight
from dashboard.web.common.scenarios import Desk
from dashboard.web.common.shapes import display_geometry
from dashboard.web.common.unsaved import Work
from dashboard.web.redraw import saving, views
from dashboard.web.redraw.edits import Edit, edited
from dashboard.web.redraw.state import Judging

JUDGING = Judging("pcns", "imd_score", 10, "early_help")


def act(geo, store, pack, action, name, selected, data, opened, keys):
    """One scenarios-card button, as the manage callback runs it."""
    return saving.scenario_action(geo, Desk(store, pack, keys),
                                  saving.Request(action, name, selected, data, opened, JUDGING))


def test_a_map_click_moves_the_ward_under_it(geo):
    start = drafts.start(geo, "places")
    disp = display_geometry(geo)
    atom = 5
    ward = geo.layer("wards").codes[disp.atom_units["wards"][atom]]
    target = next(g for g in start.groups if g != start.assignment[ward])
    data = edited(geo, start.to_json(), Edit(ids.REDRAW_MAP, {"points": [{"location": "5"}]},
                                             [], [], target, []), None)
    assert data["assignment"][ward] == target
    # The ward list moves a ward the same way; undo takes it back.
    selects = [{"type": ids.REDRAW_WARD, "code": c} for c in geo.layer("wards").codes]
    values = [data["assignment"][s["code"]] for s in selects]
    other = geo.layer("wards").codes[0]
    values[0] = target if data["assignment"][other] != target else start.assignment[ward]
    listed = edited(geo, data, Edit(selects[0], None, values, selects, None, []),
                    None)
    assert listed["assignment"][other] == values[0]
    undone = edited(geo, listed, Edit(ids.REDRAW_UNDO, None, [], [], None, []),
                    None)
    assert undone["assignment"] == data["assignment"]


def test_a_box_selection_moves_every_ward_it_touches_as_one_step(geo):
    start = drafts.lock(drafts.start(geo, "places"), ["PP03"])
    disp = display_geometry(geo)
    wards = geo.layer("wards")
    atoms = list(range(0, len(disp.atom_units["wards"]), 7))
    touched = {wards.codes[disp.atom_units["wards"][a]] for a in atoms}
    target = "PP05"
    selected = {"points": [{"location": str(a)} for a in atoms] + [{"lon": 0, "lat": 0}]}
    data = edited(geo, start.to_json(), Edit(ids.REDRAW_MAP, None, [], [], target, [],
                                             selected, "selectedData"), None)
    after = data["assignment"]
    for ward in touched:  # all moved, except those of the locked footprint
        assert after[ward] == ("PP03" if start.assignment[ward] == "PP03" else target)
    assert {w for w in after if after[w] != start.assignment[w]} == {
        w for w in touched if start.assignment[w] not in ("PP03", target)}
    undone = edited(geo, data, Edit(ids.REDRAW_UNDO, None, [], [], None, []), None)
    assert undone["assignment"] == start.assignment  # one undo takes the whole box back


def test_the_map_names_footprints_outlines_moved_wards_and_keys_colours(geo):
    from dashboard.engine.adjacency import adjacency

    start = drafts.start(geo, "places")
    d = drafts.move(start, [start.members_of("PP01")[0], start.members_of("PP02")[0]], "PP05")
    fig = views.map_update(geo, d, first=True)
    names = fig["data"][2]
    assert sorted(names["text"]) == sorted(d.groups.values())
    emptied = drafts.move(start, start.members_of("PP03"), "PP05")
    assert "Brackmoor Rural" not in views.map_update(geo, emptied, first=True)["data"][2]["text"]
    moved = fig["data"][1]
    from dashboard.web.common.mapbase import outline_of

    disp = display_geometry(geo)
    outlined = [outline_of(disp, "wards", geo.layer("wards").index_of(w))[0]
                for w in drafts.moved(start.assignment, d)]
    assert len(outlined) == 2 and moved["lon"] == [x for o in outlined for x in [*o, None]]
    colours = views.palette(geo, d)
    assert len(set(colours)) <= 8
    member = geo.layer("wards")
    codes = list(d.groups)
    labels = [codes.index(d.assignment[c]) for c in member.codes]
    rows, cols = adjacency(geo, "wards").nonzero()
    for r, c in zip(rows, cols):
        if labels[r] != labels[c]:
            assert colours[labels[r]] != colours[labels[c]]  # touching footprints differ
    key = str(views.legend(d, colours))
    assert all(name in key for name in d.groups.values())


def test_the_redraw_map_keeps_every_part_in_its_own_place_with_nothing_moved(geo):
    # Empty traces lose their place (mapbase.stack), so "nothing moved" and "no names" are a
    # zero-length line and a blank label, in the first figure and in every patch.
    start = drafts.start(geo, "places")
    fig = views.map_update(geo, start, first=True)
    belows = [t.get("below") for t in fig["data"]] + [fig["layout"]["map"]["layers"][0]["below"]]
    assert None not in belows and len(set(belows)) == len(belows)
    assert fig["data"][1]["lon"] == list(no_highlight(display_geometry(geo))[0])
    ops = views.map_update(geo, start, first=False).to_plotly_json()["operations"]
    sizes = {tuple(op["location"]): len(op["params"]["value"]) for op in ops
             if op["location"][-1] in ("lon", "lat", "text")}
    assert len(sizes) == 5 and min(sizes.values()) > 0


def test_read_only_views_refuse_edits_but_not_echoes(geo):
    data = drafts.move(drafts.start(geo, "places"), "E05950001", "PP05").to_json()
    readonly = {"readonly": True}
    with pytest.raises(EditError, match="read-only"):
        edited(geo, data, Edit(ids.REDRAW_UNDO, None, [], [], None, []),
                    readonly)
    # The ward list echoing the draft as the page opens is not an edit.
    selects = [{"type": ids.REDRAW_WARD, "code": c} for c in geo.layer("wards").codes]
    values = [data["assignment"][s["code"]] for s in selects]
    assert edited(geo, data, Edit(selects[0], None, values, selects, None, []),
                    readonly) is data


def test_render_fills_every_output(geo):
    d = drafts.move(drafts.start(geo, "places"), "E05950001", "PP05")
    selects = [{"type": ids.REDRAW_WARD, "code": c} for c in geo.layer("wards").codes]
    out = views.render(geo, d.to_json(), JUDGING, None, selects)
    wards = out["wards"]
    assert wards["value"][0] == "PP05" and len(wards["options"]) == len(selects)
    assert not any(wards["disabled"])
    assert not out["undo"] and out["redo"]
    assert len(out["paint"]) == len(d.groups) == len(out["locks"])
    assert "1 ward(s) moved" in str(out["summary"])
    assert "Early help" in str(out["balance"])


def test_assignment_csv_round_trip_and_bad_files(geo):
    d = drafts.move(drafts.start(geo, "places"), ["E05950001", "E05950002"], "PP07")
    name, data = scenario_export(geo, d, JUDGING.judge(geo, d), "Two moved", "csv")
    assert name.endswith("two-moved.csv") and "FICTIONAL" in name
    changes, new = read_assignment(data, name, geo, drafts.start(geo, "places"))
    back = drafts.change(drafts.start(geo, "places"), changes, new)
    assert back.assignment == d.assignment and new == {}
    table = assignment_table(geo, d)
    semicolons = table.rename(columns={"ward_code": "Ward", "footprint_code": "Group"})
    semicolons.loc[0, "Group"] = "NEWX"
    raw = semicolons.to_csv(sep=";", index=False).encode()
    changes, new = read_assignment(raw, "plan.csv", geo, d)
    assert changes[table.loc[0, "ward_code"]] == "NEWX"
    assert new == {"NEWX": table.loc[0, "footprint_name"]}
    pasted = table.assign(ward_code=table["ward_code"].str.lower() + "\u200b")
    changes, _ = read_assignment(pasted.to_csv(index=False).encode(), "plan.csv", geo, d)
    assert set(changes) == set(table["ward_code"])  # lower-cased or pasted codes: same wards
    bad = [(table.assign(ward_code="E0599XXXX").head(1), "E0599XXXX are not wards"),
           (pd.concat([table.head(2), table.head(1)]), "listed more than once"),
           (table.drop(columns=["footprint_code", "footprint_name"]), "needs a ward code column"),
           (table.assign(footprint_code="").head(3), r"row\(s\) 2, 3, 4 have no footprint code")]
    for frame, message in bad:
        with pytest.raises(DataFileError, match=message):
            read_assignment(frame.to_csv(index=False).encode(), "bad.csv", geo, d)


def test_geopackage_has_joined_up_footprints_and_an_about_table(geo, tmp_path):
    d = drafts.move(drafts.start(geo, "places"), "E05950001", "PP07")
    bal = JUDGING.judge(geo, d)
    name, data = scenario_export(geo, d, bal, "One moved", "gpkg")
    path = tmp_path / name
    path.write_bytes(data)
    shapes = gpd.read_file(path, layer="footprints")
    assert shapes.crs.to_epsg() == 27700 and len(shapes) == 7
    assert shapes["population"].sum() == pytest.approx(geo.total_population)
    wards = geo.layer_geometry["wards"]
    assert shapes.area.sum() == pytest.approx(wards.area.sum(), rel=1e-6)
    about = pyogrio.read_dataframe(path, layer="about")
    assert "One moved" in about["value"].tolist()


def test_scenario_actions_save_update_conflict_rename_duplicate_delete(app, geo):
    store = reference.scenarios(app.server)
    data = drafts.move(drafts.start(geo, "places"), "E05950001", "PP07").to_json()
    pack = "test-actions"
    keys: dict = {}  # this browser's edit keys

    def run(*args):
        return act(*args[:-1], keys)

    opened, message = run(geo, store, pack, ids.REDRAW_SAVE, "Plan B", None, data, None, None)
    assert "Saved 'Plan B'" in message and opened["version"] == 1 and opened["id"] in keys
    saved = store.get(opened["id"]).payload
    assert "undo" not in saved["draft"] and saved["settings"]["against"] == "pcns"
    stale = dict(opened)
    opened, message = run(geo, store, pack, ids.REDRAW_SAVE, "Plan B", None, data, opened, None)
    assert "version 2" in message
    with pytest.raises(Conflict):
        run(geo, store, pack, ids.REDRAW_SAVE, "Plan B", None, data, stale, None)
    _, message = run(geo, store, pack, ids.REDRAW_DUPLICATE, "", opened["id"], data, opened, None)
    assert message == "Made 'Plan B (copy)'." and len(keys) == 2
    opened, message = run(geo, store, pack, ids.REDRAW_RENAME, "Plan C", opened["id"], data,
                          opened, None)
    assert opened["name"] == "Plan C"
    with pytest.raises(ScenarioError, match="Choose a saved scenario"):
        run(geo, store, pack, ids.REDRAW_DELETE, "", None, data, opened, None)
    opened, message = run(geo, store, pack, ids.REDRAW_DELETE, "", opened["id"], data, opened, None)
    assert opened is None and message == "Deleted 'Plan C'."
    assert [s.name for s in store.list(pack, only=set(keys))] == ["Plan B (copy)"]


def test_a_read_only_link_cannot_save_rename_delete_or_unlock(app, geo):
    store = reference.scenarios(app.server)
    data = drafts.move(drafts.start(geo, "places"), "E05950001", "PP07").to_json()
    pack, owner, visitor = "test-readonly", {}, {}
    opened, _ = act(geo, store, pack, ids.REDRAW_SAVE, "Owned", None, data,
                                       None, owner)
    shared = {**opened, "readonly": True}
    with pytest.raises(ScenarioError, match="only from the browser that saved it"):
        act(geo, store, pack, ids.REDRAW_EDIT, "", None, data, shared, visitor)
    # Even a page that claims to be unlocked cannot save, rename or delete without the key.
    for action, selected in ((ids.REDRAW_SAVE, None), (ids.REDRAW_RENAME, opened["id"]),
                             (ids.REDRAW_DELETE, opened["id"])):
        with pytest.raises(ScenarioError, match="only from the browser that saved it"):
            act(geo, store, pack, action, "Taken", selected, data,
                                   {**opened, "readonly": False}, visitor)
    with pytest.raises(ScenarioError, match="belongs to another data pack"):
        act(geo, store, "another-pack", ids.REDRAW_DELETE, "", opened["id"],
                               data, None, owner)
    mine, _ = act(geo, store, pack, ids.REDRAW_SAVE_AS, "My copy", None,
                                     data, shared, visitor)
    assert store.get(opened["id"]).version == 1 and store.get(opened["id"]).name == "Owned"
    assert mine["id"] in visitor and opened["id"] not in visitor
    unlocked, _ = act(geo, store, pack, ids.REDRAW_EDIT, "", None, data,
                                         shared, owner)
    assert unlocked["readonly"] is False


def test_an_unreachable_store_is_a_message_not_a_crash(tmp_path):
    store = ScenarioStore(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}")
    saved, choices, problem = scenarios.scenario_options(store, "default", "places")
    assert saved == [] and len(choices) == 2
    assert "cannot be reached" in problem


def test_compare_choices_resolve_to_drafts(app, geo):
    data = drafts.move(drafts.start(geo, "places"), "E05950001", "PP07").to_json()
    with app.server.test_request_context("/redraw"):
        pack = views.arrangement(geo, scenarios.PACK_CHOICE, data)
        mine = views.arrangement(geo, scenarios.DRAFT_CHOICE, data)
        view = views.compare_view(geo, pack, mine, ("pack", "draft"), JUDGING)
    assert "1 ward(s) differ" in str(view[0])
    assert pack.assignment != mine.assignment


def test_the_balance_and_compare_tables_carry_every_footprint_colour_and_flag(app, geo):
    draft = drafts.move(drafts.start(geo, "places"), "E05950001", "PP07")
    bal = JUDGING.judge(geo, draft)
    colours = views.palette(geo, draft)
    table = views.balance_table(geo, bal, colours)
    assert table["id"] == f"{ids.REDRAW_BALANCE}-table" and len(table["head"]) == 12
    rows = table["rows"]
    assert [r[0]["text"] for r in rows] == list(bal.table["name"])
    assert [r[0]["swatch"] for r in rows] == colours
    # 'vs target' is flagged, in words and in red, exactly where a footprint is out of band.
    band = table["head"].index("vs target")
    for row, within in zip(rows, bal.table["within"]):
        assert row[band]["alert"] is (not within)
        assert row[band]["text"].endswith("outside") is (not within)
    assert all(len(r) == len(table["head"]) for r in rows)
    pack = drafts.start(geo, "places")
    with app.server.test_request_context("/redraw"):
        _, cmp, moves = views.compare_view(geo, pack, draft, ("pack", "draft"), JUDGING)
    changes = [r[3]["text"] for r in cmp["rows"]]
    assert sum(c != "+0" for c in changes) == 2  # the ward left one footprint for another
    assert len(moves.children) == 1


def test_export_of_a_bad_format_is_refused(geo):
    d = drafts.start(geo, "places")
    with pytest.raises(Exception, match="Unknown scenario format"):
        scenario_export(geo, d, JUDGING.judge(geo, d), "x", "shp")


def test_unsaved_work_is_kept_per_context_and_restored_once(geo):
    from dash import no_update

    from dashboard.web.common import unsaved

    fresh = drafts.start(geo, "places").to_json()
    moved = drafts.move(drafts.start(geo, "places"), "E05950001", "PP07").to_json()
    assert unsaved.edited(fresh) is None and unsaved.edited(moved) == moved
    kept = unsaved.keep_unsaved(None, "redraw", "default|places|", unsaved.edited(moved))
    kept = unsaved.keep_unsaved(kept, "hubs", "default|", {"undo": [1]})
    # Another scenario's page does not get this draft; this page does, once.
    work = Work("redraw", ids.REDRAW_DRAFT, ids.REDRAW_CONTEXT, ids.REDRAW_STORE_STATUS,
                lambda k: "back")
    assert unsaved.restored(work, "default|places|abc", kept, fresh) == (no_update, no_update)
    draft, message = unsaved.restored(work, "default|places|", kept, fresh)
    assert draft == moved and "back" in str(message)
    assert unsaved.restored(work, "default|places|", kept, moved) == (no_update, no_update)
    cleared = unsaved.keep_unsaved(kept, "redraw", "default|places|", None)
    assert cleared["redraw"] == {} and cleared["hubs"] == {"default|": {"undo": [1]}}
