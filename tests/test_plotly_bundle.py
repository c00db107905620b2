"""The lighter Plotly: served in place of the full one only when built, and never missing a trace
type the dashboard draws."""

from __future__ import annotations

import os
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest

from conftest import CHROMIUM, DEMO
from dashboard import plotly_bundle
from dashboard.config import ROOT

FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLAIN = "/_dash-component-suites/plotly/package_data/plotly.min.js"
FINGERPRINTED = "/_dash-component-suites/plotly/package_data/plotly.v7_1_0m1764500000.min.js"


def _client(tmp_path, monkeypatch, folder: Path):
    from dashboard.app import create_app

    monkeypatch.setattr(plotly_bundle, "FOLDER", folder)
    return create_app(DEMO, pack_store=tmp_path / "packs").server.test_client()


def test_the_full_plotly_is_served_until_a_bundle_is_built(tmp_path, monkeypatch):
    client = _client(tmp_path, monkeypatch, tmp_path / "none built")
    answer = client.get(PLAIN)
    assert answer.status_code == 200 and answer.data == FULL.read_bytes()


def test_a_built_bundle_is_served_in_place_of_the_full_plotly(tmp_path, monkeypatch):
    folder = tmp_path / "plotly"
    folder.mkdir()
    fake = b"window.Plotly={};/* a stand-in for the built bundle */" + b"//" * 5000
    plotly_bundle.bundle_path(folder).write_bytes(fake)
    client = _client(tmp_path, monkeypatch, folder)
    plain, fingerprinted = client.get(PLAIN), client.get(FINGERPRINTED)
    assert plain.data == fake and fingerprinted.data == fake
    assert plain.mimetype == "application/javascript"
    assert "max-age=31536000" in fingerprinted.headers["Cache-Control"]
    assert "max-age" not in plain.headers.get("Cache-Control", "")
    again = client.get(PLAIN, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    # Compressed as Dash's own files are, for a browser without brotli too.
    assert client.get(PLAIN, headers={"Accept-Encoding": "gzip"}).headers.get(
        "Content-Encoding") == "gzip"
    # Other framework files are Dash's as before.
    assert client.get("/_dash-component-suites/plotly/package_data/other.js").data != fake


def test_an_incomplete_bundle_is_refused():
    with pytest.raises(plotly_bundle.BundleError, match="no heatmap"):
        plotly_bundle.check(b"Plotly" + b'"choroplethmap" "scattermap" "bar"' + b" " * 600_000)
    with pytest.raises(plotly_bundle.BundleError, match="incomplete"):
        plotly_bundle.check(b"Plotly" + b'"choroplethmap" "scattermap" "bar" "heatmap"')
    plotly_bundle.check(b"Plotly" + b'"choroplethmap" "scattermap" "bar" "heatmap"'
                        + b" " * 600_000)


def _trace_types() -> set[str]:
    return {name.lower() for name in dir(go) if isinstance(getattr(go, name), type)
            and issubclass(getattr(go, name), plotly.basedatatypes.BaseTraceType)}


def test_the_bundle_holds_every_trace_type_the_dashboard_draws():
    known = _trace_types()
    used = set()
    for source in (ROOT / "dashboard").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= {t for t in re.findall(r'"type":\s*"(\w+)"', text) if t in known}
        used |= {t.lower() for t in re.findall(r"\bgo\.(\w+)\(", text) if t.lower() in known}
    registered = set(re.findall(r"plotly\.js/lib/(\w+)'", (plotly_bundle.TOOLS /
                                                         "entry.js").read_text()))
    assert used and used <= set(plotly_bundle.TRACES) | {"scatter"}, used
    assert registered - {"core"} == set(plotly_bundle.TRACES)


@pytest.mark.browser
def test_the_built_bundle_draws_every_kind_of_chart(tmp_path, page):
    """With the real bundle (CI builds it; set DASHBOARD_TEST_PLOTLY_BUNDLE=1 to require it)."""
    if not plotly_bundle.bundle_path().is_file():
        if os.environ.get("DASHBOARD_TEST_PLOTLY_BUNDLE"):
            pytest.fail("no Plotly bundle: run `python -m dashboard build-plotly` first")
        pytest.skip("no Plotly bundle built here (python -m dashboard build-plotly)")
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine (CI installs Debian's chromium)")
    import threading

    from werkzeug.serving import make_server

    from dashboard.app import create_app

    server = make_server("127.0.0.1", 0, create_app(DEMO, pack_store=tmp_path / "packs").server,
                         threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        fetched = []
        page.on("response", lambda r: fetched.append(r.url) if "plotly" in r.url else None)
        page.goto(base + "/map")
        page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
        traces = page.evaluate("() => Object.keys(Plotly.PlotSchema.get().traces).sort()")
        assert traces == sorted({"scatter", *plotly_bundle.TRACES})
        page.goto(base + "/allocate")  # bars and a map
        page.wait_for_selector(".js-plotly-plot .barlayer .point path", timeout=30_000)
        page.goto(base + "/overlaps")  # the heatmap
        page.wait_for_selector("#overlap-heatmap .heatmaplayer image", timeout=30_000)
        assert page.errors == []
        assert len(fetched) >= 1
    finally:
        server.shutdown()
