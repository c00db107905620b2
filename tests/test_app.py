"""The web layer: routes via the Flask test client, callbacks called as plain functions."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import dash
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly
import pytest
from dash import no_update

from conftest import DEMO
from dashboard.app import create_app
from dashboard.engine import overlap
from dashboard.errors import LayerError
from dashboard.exports import overlap_export
from dashboard.web import ids
from dashboard.web.common import mapbase
from dashboard.web.common.shapes import display_geometry
from dashboard.web.footprint.callbacks import footprint_view
from dashboard.web.map import figures as map_figures
from dashboard.web.map.callbacks import (
    draw_map,
    select_unit,
    shade_patch,
    toggle_patch,
    toggle_plan,
)
from dashboard.web.overlaps.callbacks import overlap_rows, overlap_view


@pytest.fixture(scope="module")
def app():
    return create_app(DEMO)


def _json(obj) -> str:
    return json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder)


def test_first_page_stays_light_and_shapes_are_a_cached_file(app, geo):
    client = app.server.test_client()
    index = client.get("/", headers={"Accept-Encoding": "gzip"})
    # Dash embeds every page's layout in the index for callback validation; only the ids and
    # types of its components are kept (dashboard.web.validation): about 6 KB gzipped, where
    # the whole layouts were 18.7 KB.
    assert index.headers["Content-Encoding"] == "gzip"
    assert len(index.get_data()) < 9_000
    disp = display_geometry(geo)
    shapes = client.get(f"/_geometry/{disp.digest}.geojson")
    assert shapes.status_code == 200 and "immutable" in shapes.headers["Cache-Control"]
    assert json.loads(shapes.get_data())["type"] == "FeatureCollection"
    assert client.get("/_geometry/0000000000000000.geojson").status_code == 404


def test_map_shades_every_atom_by_its_small_area(geo):
    fig = draw_map(geo, "population", "imd_score", ["places", "hubs"], "places", None)
    shading = fig["data"][0]
    assert isinstance(shading["geojson"], str)  # a URL: the browser fetches the shapes once
    assert len(shading["locations"]) == len(geo.atoms)
    atom_sa = np.asarray(geo.atoms.small_area)
    assert shading["z"] == pytest.approx(np.asarray(geo.population)[atom_sa])
    traces = map_figures.map_traces(geo)
    layers = fig["layout"]["map"]["layers"]
    assert layers[traces.outlines["places"]]["opacity"] == 1
    assert layers[traces.outlines["wards"]]["opacity"] == 0
    assert layers[traces.halos["places"]]["opacity"] == 1
    assert fig["data"][traces.keys["places"]]["name"] == geo.layer("places").label
    assert layers[traces.labels["places"]]["visible"] is True
    assert layers[traces.labels["wards"]]["visible"] is False
    # Hover names the unit of every layer: the ward and place of atom 0 agree with the engine.
    ward = geo.layer("wards").names[geo.atoms.units["wards"][0]]
    place_index = np.asarray(geo.layer("places").membership)[geo.atoms.units["wards"][0]]
    order = mapbase.outline_layers(geo)
    hover = shading["customdata"][0]
    assert hover[1 + order.index("wards")] == ward
    assert hover[1 + order.index("places")] == geo.layer("places").names[place_index]


def test_outlines_and_names_travel_once_as_cached_files_not_in_the_figure(app, geo):
    client = app.server.test_client()
    with app.server.test_request_context("/"):
        fig = draw_map(geo, "population", "imd_score", ["wards", "pcns"], None, None)
    disp = display_geometry(geo)
    traces = map_figures.map_traces(geo)
    layers = fig["layout"]["map"]["layers"]
    for layer in layers:
        got = client.get(urlsplit(layer["source"]).path)  # absolute: MapLibre fetches it
        assert got.status_code == 200 and "immutable" in got.headers["Cache-Control"]
        features = json.loads(got.get_data())["features"]
        if layer["type"] == "symbol":
            continue
        lines = features[0]["geometry"]["coordinates"]
        lons = disp.outlines[layer["name"]][0]
        assert sum(len(line) for line in lines) == sum(x is not None for x in lons)
    for name, i in traces.labels.items():  # every unit's name at its label point
        features = json.loads(client.get(urlsplit(layers[i]["source"]).path).get_data())
        named = [f["properties"]["label"] for f in features["features"]]
        assert named == list(geo.layer(name).names)
        assert [f["geometry"]["coordinates"][0] for f in features["features"]] == \
            [round(x, 5) for x in disp.label_points[name][0]]
        assert layers[i]["symbol"]["text"] == "{label}"
    assert all(len(t.get("lon", [])) <= 2 for t in fig["data"][1:] if t.get("mode") == "lines")
    assert not any(t.get("mode") == "text" for t in fig["data"])
    assert client.get("/_outlines/0000000000000000.geojson").status_code == 404


def test_measure_change_patches_colours_without_resending_shapes(geo):
    full = _json(draw_map(geo, "population", "imd_score", ["places"], "places", None))
    ops = shade_patch(geo, "need", "idaci_score").to_plotly_json()["operations"]
    assert {op["location"][-1] for op in ops} == {"z", "zmin", "zmax", "colorscale", "text",
                                                  "tickformat", "hovertemplate"}
    patch = _json(ops)
    assert len(patch) < len(full) / 4
    values = np.asarray(geo.need["idaci_score"])[np.asarray(geo.atoms.small_area)]
    assert ops[0]["params"]["value"] == pytest.approx(
        values.round(4).tolist())


def test_every_part_of_a_map_has_its_own_place_in_drawing_order(geo):
    # Parts sharing a place are removed and re-added by Plotly on every update (see stack).
    fig = draw_map(geo, "population", "imd_score", ["places", "hubs"], "places", None)
    traces = map_figures.map_traces(geo)
    layers = fig["layout"]["map"]["layers"]
    slots = [layer["id"] for layer in mapbase.blank_style("/g")["layers"][1:]]
    place = {("data", i): slots.index(t["below"]) for i, t in enumerate(fig["data"])}
    place |= {("layers", i): slots.index(lay["below"]) for i, lay in enumerate(layers)}
    assert len(set(place.values())) == len(place)  # one each, all in the blank style
    shading, highlight = place[("data", 0)], place[("data", traces.highlight)]
    outlines = [place[("layers", i)] for i in (*traces.halos.values(), *traces.outlines.values())]
    labels = [place[("layers", i)] for i in traces.labels.values()]
    hubs = [place[("data", i)] for i in traces.hubs.values()]
    assert shading < min(outlines) and max(outlines) < min(labels) < max(labels) < min(hubs)
    assert max(hubs) < highlight
    halo, line = (place[("layers", traces.halos["places"])],
                  place[("layers", traces.outlines["places"])])
    assert halo < line
    # A map that cannot have a place for each part is left to Plotly's own order.
    too_many = {"data": [{"lon": [0]} for _ in range(mapbase.SLOTS)],
                "layout": {"map": {"layers": [{}]}}}
    empty = {"data": [{"lon": [0]}, {"lon": []}], "layout": {"map": {}}}
    for fig in (too_many, empty):
        assert not any("below" in t for t in mapbase.stack(fig)["data"])


def test_layer_toggles_fade_and_blank_but_never_remove_and_set_the_background(geo):
    plan = toggle_plan(geo)
    ops = toggle_patch(plan, ["wards"], "streets").to_plotly_json()["operations"]
    traces = map_figures.map_traces(geo)
    # Outlines are faded, not removed (removal re-tiles them); only names are removed, so that
    # hidden names never push shown ones aside.
    removed = {tuple(op["location"][:-1]) for op in ops if op["location"][-1] == "visible"}
    assert removed == {("layout", "map", "layers", i) for i in traces.labels.values()}
    value = {tuple(op["location"]): op["params"]["value"] for op in ops}
    layers = ("layout", "map", "layers")
    assert value[(*layers, traces.outlines["wards"], "opacity")] == 1
    assert value[(*layers, traces.outlines["places"], "opacity")] == 0
    assert value[(*layers, traces.halos["places"], "opacity")] == 0
    assert value[("data", traces.keys["wards"], "showlegend")] is True
    assert value[("data", traces.keys["places"], "showlegend")] is False
    assert value[(*layers, traces.labels["wards"], "visible")] is True
    assert value[(*layers, traces.labels["places"], "visible")] is False
    for index in traces.hubs.values():  # hubs switched off: faded, no hover, no legend entry
        assert value[("data", index, "marker", "opacity")] == 0
        assert value[("data", index, "hoverinfo")] == "skip"
        assert value[("data", index, "showlegend")] is False
    shown = toggle_patch(plan, ["hubs"], mapbase.BLANK).to_plotly_json()["operations"]
    shown = {tuple(op["location"]): op["params"]["value"] for op in shown}
    for index in traces.hubs.values():
        assert shown[("data", index, "marker", "opacity")] == 1
        assert shown[("data", index, "hoverinfo")] == "all"
    style = next(op for op in ops if op["location"][-1] == "style")["params"]["value"]
    assert style == "carto-positron"
    blank = toggle_patch(plan, [], mapbase.BLANK).to_plotly_json()["operations"]
    style = next(op for op in blank if op["location"][-1] == "style")["params"]["value"]
    assert style.endswith("/_style/blank.json")


def test_clicking_the_map_opens_the_unit_under_the_pointer(geo):
    atom = int(np.flatnonzero(np.asarray(geo.atoms.small_area) == 100)[0])
    ward = geo.atoms.units["wards"][atom]
    expected = geo.layer("places").codes[np.asarray(geo.layer("places").membership)[ward]]
    click = {"points": [{"location": str(atom), "curveNumber": 0}]}
    _, code, details, patch = select_unit(geo, "places", None, click, ids.MAP_GRAPH)
    assert code == expected
    population = np.asarray(overlap(geo, "places", "small_areas").population.sum(axis=1)
                            ).ravel()[geo.layer("places").index_of(code)]
    assert f"{float(population):,.0f}" in str(details)
    ops = patch.to_plotly_json()["operations"]
    assert not any(op["location"][-1] == "zoom" for op in ops)  # a click keeps the view


def test_choosing_a_unit_zooms_to_it_and_a_hub_click_changes_nothing(geo):
    _, code, _, patch = select_unit(geo, "wards", "E05950003", None, ids.MAP_SELECT_UNIT)
    assert code == "E05950003"
    assert any(op["location"][-1] == "zoom" for op in patch.to_plotly_json()["operations"])
    hub_click = {"points": [{"curveNumber": map_figures.map_traces(geo).hubs["main"]}]}
    assert select_unit(geo, "places", None, hub_click, ids.MAP_GRAPH) == (no_update,) * 4


def test_footprint_view_and_its_chooser(app, geo):
    with app.server.test_request_context("/footprint?pack=default"):
        tree = footprint_view(geo, "places", "PP05", "imd_score")
    view = str(tree)
    assert "Thornley" in view and "registered with" in view and "Age profile" in view
    links = [n.href for n in tree._traverse() if isinstance(getattr(n, "href", None), str)]
    to_map = [h for h in links if h.startswith("/map?")]
    assert to_map and all("pack=" in h and "layer=places&code=PP05" in h for h in to_map)
    chooser = str(footprint_view(geo, "places", None, "imd_score"))
    assert "Choose a footprint" in chooser and "/footprint?layer=places&code=PP01" in chooser
    with pytest.raises(LayerError, match="no unit with code 'NOPE'"):
        footprint_view(geo, "places", "NOPE", "imd_score")


def test_overlap_view_shows_the_engine_figures(geo):
    summary, heat, score = overlap_view(geo, "wards", "places", "proportional", "imd_score")
    assert "Alignment score 1.00" in str(summary)
    rows, columns = overlap_rows(geo, "wards", "places", "proportional", "imd_score")
    expected = overlap(geo, "wards", "places", need="imd_score").table()
    assert len(rows) == len(expected)
    assert rows["population"].iloc[0] == pytest.approx(expected["population"][0])
    assert rows["area_km2"].to_numpy() == pytest.approx(expected["area_m2"].to_numpy() / 1e6)
    assert list(rows.columns) == columns
    assert heat.data[0].z.shape == (23, 7)
    assert "lies within one of" in str(score)  # wards nest in places: nothing to rank


def test_overlaps_can_count_registered_patients(geo):
    summary, _, _ = overlap_view(geo, "places", "pcns", "proportional", "imd_score",
                                 "registered")
    assert "of registered patients are in" in str(summary)
    rows, _ = overlap_rows(geo, "places", "pcns", "proportional", "imd_score", "registered")
    assert rows["population"].sum() == pytest.approx(
        geo.registered_patients["pcns"].sum())
    name, data = overlap_export(geo, "places", "pcns", "proportional", "imd_score", "xlsx",
                                basis="registered")
    assert name.endswith("-registered.xlsx")
    about = pd.read_excel(io.BytesIO(data), sheet_name="About").set_index("item")["value"]
    assert "Patients registered" in about["People counted as"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg", "geojson"])
def test_exports_carry_the_engine_figures(geo, fmt, tmp_path):
    name, data = overlap_export(geo, "places", "pcns", "proportional", "imd_score", fmt)
    assert name == f"brackmoor-FICTIONAL-places-pcns-proportional.{fmt}"
    expected = overlap(geo, "places", "pcns", need="imd_score").table()
    if fmt == "csv":
        got = pd.read_csv(io.BytesIO(data), dtype={"from_code": str, "to_code": str})
    elif fmt == "xlsx":
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
        assert "FICTIONAL" in sheets["About"].to_string()
        got = sheets["overlaps"]
    else:
        path = tmp_path / name
        path.write_bytes(data)
        got = gpd.read_file(path, layer="overlaps" if fmt == "gpkg" else None)
        assert got.crs.to_epsg() == (27700 if fmt == "gpkg" else 4326)
        if fmt == "gpkg":
            assert "FICTIONAL" in gpd.read_file(path, layer="about").to_string()
    assert list(got["from_code"].astype(str)) == list(expected["from_code"])
    if fmt in ("csv", "xlsx"):  # whole people for reading; exact figures on request
        assert list(got["population"]) == list(expected["population"].round().astype(int))
        assert list(got["need_population"]) == list(
            expected["need_population"].round().astype(int))
        share = "fraction_of_from_population" if fmt == "csv" else "share_of_from_population"
        assert got[share].to_numpy() == pytest.approx(
            expected["share_of_from_population"].to_numpy(), abs=5e-5)
        _, exact = overlap_export(geo, "places", "pcns", "proportional", "imd_score", fmt,
                                  exact=True)
        got = (pd.read_csv(io.BytesIO(exact)) if fmt == "csv"
               else pd.read_excel(io.BytesIO(exact), sheet_name="overlaps"))
    assert got["population"].to_numpy() == pytest.approx(expected["population"].to_numpy())
    assert got["need_population"].to_numpy() == pytest.approx(
        expected["need_population"].to_numpy())


def test_excel_cells_are_numbers_formatted_as_people_and_percentages(geo):
    from openpyxl import load_workbook

    _, data = overlap_export(geo, "places", "pcns", "proportional", "imd_score", "xlsx")
    sheet = load_workbook(io.BytesIO(data))["overlaps"]
    head = [c.value for c in sheet[1]]
    row = dict(zip(head, sheet[2]))
    assert isinstance(row["population"].value, int) and row["population"].number_format == "#,##0"
    share = row["share_of_from_population"]
    assert isinstance(share.value, float) and 0 <= share.value <= 1
    assert share.number_format == "0.0%"
    about = pd.read_excel(io.BytesIO(data), sheet_name="About").set_index("item")["value"]
    assert "rounded to whole people" in about["Figures"]


def test_a_failing_callback_shows_the_app_wide_alert(app):
    payload = {
        "output": "..overlap-summary.children...overlap-heatmap.figure...overlap-scorecard."
                  "children..",
        "outputs": [{"id": "overlap-summary", "property": "children"},
                    {"id": "overlap-heatmap", "property": "figure"},
                    {"id": "overlap-scorecard", "property": "children"}],
        "inputs": [{"id": "overlap-from", "property": "value", "value": "places"},
                   {"id": "overlap-to", "property": "value", "value": "nowhere"},
                   {"id": "overlap-method", "property": "value", "value": "proportional"},
                   {"id": "overlap-need", "property": "value", "value": "imd_score"},
                   {"id": "overlap-count", "property": "value", "value": "residents"}],
        "changedPropIds": ["overlap-to.value"],
    }
    response = app.server.test_client().post("/_dash-update-component", json=payload)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ids.APP_ALERT in body and "no layer 'nowhere'" in body


def test_url_parameters_prefill_and_bad_ones_fall_back(app):
    pages = {p["path"]: p["layout"] for p in dash.page_registry.values()}
    with app.server.test_request_context("/"):
        good = str(pages["/overlaps"](from_layer="districts", to_layer="wards", method="best-fit"))
        bad = str(pages["/overlaps"](from_layer="nope", to_layer="nope", method="nope"))
        map_good = str(pages["/map"](measure="decile", layer="wards", code="E05950001",
                                  show="wards"))
        map_bad = str(pages["/map"](measure="nope", layer="nope", code="nope"))
        fp = str(pages["/footprint"](layer="pcns", code="U90003"))
    assert "'districts'" in good and "'best-fit'" in good
    assert "'proportional'" in bad
    assert "value='decile'" in map_good and "value='E05950001'" in map_good
    assert "value='population'" in map_bad and "value='places'" in map_bad
    assert "value='U90003'" in fp


def test_allocation_view_and_current_uploads(geo):
    import base64

    from dashboard.engine.allocation import AllocationError
    from dashboard.web.allocate.callbacks import allocation_view, parse_current
    from dashboard.web.allocate.state import Shares

    def chosen_resource(geo, name, *values):
        return Shares(*values).resource(geo, name)

    res = chosen_resource(geo, "social_prescribing", 27, "equal", 0.4, 0, "imd_score", 1, 2, "1")
    summary, bars, fig, table, moves, derived = allocation_view(
        geo, "pcns", res, geo.current_allocations, "places")
    assert "Social prescribing link workers: 27.0 FTE across 9" in str(summary)
    assert [t.name for t in bars.data] == ["Current", "Recommended"]
    assert len(fig["data"][0]["z"]) == len(geo.atoms)
    assert "Derived, not allocated" in str(derived)

    def upload(text):
        return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()

    rows = parse_current(geo, "now.csv", upload("resource,layer,area,amount\n"
                                                "early_help,districts,D01,30\n"))
    assert rows == [{"resource": "early_help", "layer": "districts", "area": "D01",
                     "amount": 30.0}]
    with pytest.raises(AllocationError, match="now.csv: area code\\(s\\) D99 are not units"):
        parse_current(geo, "now.csv", upload("resource,layer,area,amount\n"
                                             "early_help,districts,D99,3\n"))
    with pytest.raises(AllocationError, match="minimum of 9 FTE in each of 9 areas"):
        allocation_view(geo, "pcns", chosen_resource(geo, "social_prescribing", 27, "equal", 0.4,
                                                     0, "imd_score", 1, 9, "1"), None, None)


def test_the_validation_layout_keeps_every_id_and_type_and_nothing_else():
    from dash import dcc, html

    from dashboard.web.validation import skeleton

    layout = html.Div([html.H1("A long heading nobody validates"),
                       dcc.Dropdown([str(i) for i in range(500)], id="choice"),
                       html.Div([html.Span("text"), dcc.Graph(id={"type": "map", "n": 1})],
                                id="box")])
    kept = skeleton(layout)["props"]["children"]
    assert [(k["type"], k["namespace"], k["props"]) for k in kept] == [
        ("Dropdown", "dash_core_components", {"id": "choice"}),
        ("Div", "dash_html_components", {"id": "box"}),
        ("Graph", "dash_core_components", {"id": {"type": "map", "n": 1}})]


PAGE_PATHS = ("/", "/map", "/footprint", "/overlaps", "/allocate", "/redraw", "/hubs", "/data",
              "/upload", "/report")


def test_a_pack_of_wards_alone_opens_every_page(tmp_path):
    """A council's first import may be LSOAs, wards and population only: one area layer, so
    nothing to compare. Served as the default pack, no page may fail (the first request builds
    every page's layout for Dash's callback check, so one failing page took down them all)."""
    import dash
    from importdata import write_borough

    from dashboard.app import create_app
    from dashboard.data.importer import ImportSpec, import_pack
    from dashboard.engine import alignment
    from dashboard.web import reference

    import_pack(ImportSpec(**write_borough(tmp_path / "in"), name="Wards alone"),
                tmp_path / "pack")
    app = create_app(tmp_path / "pack", pack_store=tmp_path / "packs")
    client = app.server.test_client()
    assert [client.get(path).status_code for path in PAGE_PATHS] == [200] * len(PAGE_PATHS)
    assert alignment.default_pair(reference.geography(app.server)) is None
    for path in PAGE_PATHS:  # each page's content, as the browser asks for it
        with app.server.test_request_context(path):
            page = next(p for p in dash.page_registry.values() if p["path"] == path)
            assert page["layout"]() is not None, path


def test_a_new_app_is_fully_set_up_before_its_first_request(tmp_path):
    # Dash finishes setting up on the first request, after marking it done: a second request
    # on another thread of a fresh worker then found no page router (HTTP 500 under load).
    from dashboard.web import validation

    fresh = create_app(DEMO, pack_store=tmp_path / "packs")
    assert any("_pages_content.children" in key for key in fresh.callback_map)
    assert fresh.server.config.get(validation.DONE)  # and the validation layout is the light one
    with fresh.server.test_client() as client:
        assert client.get("/healthz").status_code == 200
