"""The web layer: the factory serves the page; callbacks are plain functions."""

from __future__ import annotations

import pytest

from conftest import DEMO
from dashboard.app import create_app
from dashboard.callbacks import overlap_view
from dashboard.engine import overlap


@pytest.fixture(scope="module")
def app():
    return create_app(DEMO)


def test_home_page_and_layout_requests_are_served(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout").get_json()
    assert "FICTIONAL DEMO DATA" in str(layout)


def test_overlap_view_shows_the_engine_figures(app, demo):
    summary, rows, columns = overlap_view(demo, "wards", "places", "proportional", "imd_score")
    assert "Alignment score 1.00" in str(summary)
    expected = overlap(demo, "wards", "places", need="imd_score").table()
    assert len(rows) == len(expected)
    assert rows[0]["population"] == pytest.approx(expected["population"][0])
    area = next(c for c in columns if c["field"] == "area_km2")
    assert "d3.format" in area["valueFormatter"]["function"]


def test_overlap_callback_turns_errors_into_an_alert(app):
    client = app.server.test_client()
    payload = {
        "output": "..overlap-summary.children...overlap-table.rowData...overlap-table.columnDefs..."
                  "page-alert.children..",
        "outputs": [{"id": "overlap-summary", "property": "children"},
                    {"id": "overlap-table", "property": "rowData"},
                    {"id": "overlap-table", "property": "columnDefs"},
                    {"id": "page-alert", "property": "children"}],
        "inputs": [{"id": "overlap-from", "property": "value", "value": "places"},
                   {"id": "overlap-to", "property": "value", "value": "nowhere"},
                   {"id": "overlap-method", "property": "value", "value": "proportional"},
                   {"id": "overlap-need", "property": "value", "value": "imd_score"}],
        "changedPropIds": ["overlap-to.value"],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    assert "no layer 'nowhere'" in response.get_data(as_text=True)


def test_url_parameters_prefill_and_bad_ones_fall_back(app):
    import dash

    home = next(p for p in dash.page_registry.values() if p["path"] == "/")
    with app.server.test_request_context("/"):
        good = str(home["layout"](from_layer="districts", to_layer="wards", method="best-fit"))
        bad = str(home["layout"](from_layer="nope", to_layer="nope", method="nope"))
    assert "'districts'" in good and "'best-fit'" in good
    assert "'proportional'" in bad
