"""Dashboard speed: bytes of a first visit, and server time per callback, against a full redraw.

For the demo pack and the shipped Kirklees pack (real LSOA 2011 boundaries, mid-2015
population, IMD 2019, wards and PCNs from GP registrations, built from the official files):

* **first load**: headless Chromium opens the map page (once the server has made its brotli
  copies of the framework files, as a deployed server has) and waits until it is drawn; every
  response is counted, split into *data* (the page, its layout, callbacks and map shapes: what
  grows with the borough) and *framework* (Dash, React and Plotly code, the same for every
  borough and cached by the browser after the first visit). Bytes are as transferred
  (compressed where the server compresses). Which Plotly is sent is printed: the dashboard's
  own bundle when ``python -m dashboard build-plotly`` has built it, else the full one; with
  ``--full-plotly`` the full one is measured as well, in the same run, as the peer. Then a
  first visit to each page, each in a fresh browser context, in all bytes.
* **callbacks**: server time of ``/_dash-update-component`` through Flask's test client, median
  and 95th percentile over repeated calls, with response bytes as sent (raw and gzipped), for the
  map's **first draw** (the figure every visitor's first view costs, uncached), a measure change
  and a unit click. No peer here is the project itself: the first draw is reported against the
  targets it should meet (at most 20 KB sent and 15 ms on the server).

Run: ``python benchmarks/web_speed.py [--repeat N]`` (needs the ``test`` extra and Chromium).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from dashboard import plotly_bundle
from dashboard.app import create_app
from dashboard.web import ids, reference
from dashboard.web.common.shapes import display_geometry
from dashboard.web.map.figures import measure_options

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = ("/_dash-component-suites/", "/assets/", "/_favicon")


PAGES = ("/", "/map", "/footprint", "/overlaps", "/allocate", "/redraw", "/hubs", "/data",
         "/upload", "/report")


def _measured(page, responses) -> dict[str, int]:
    sizes = {"data": 0, "framework": 0, "shapes": 0, "requests": 0}
    for request in responses:
        size = request.sizes()
        body = size["responseBodySize"] + size["responseHeadersSize"]
        kind = "framework" if any(f in request.url for f in FRAMEWORK) else "data"
        sizes[kind] += body
        if "/_geometry/" in request.url:
            sizes["shapes"] += body
        sizes["requests"] += 1
    return sizes


def first_load(app) -> tuple[dict[str, int], dict[str, int]]:
    """Bytes transferred for a first visit to the map page, by kind; and for a first visit to
    each page in ``PAGES`` (each in a new browser context, so nothing is cached)."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    per_page = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            # A deployed server has its framework files' brotli copies made (they are kept on
            # disk across restarts): one visit asks for them, then the measured visit is new.
            warm = browser.new_page()
            warm.goto(base + "/map")
            warm.wait_for_selector("#map-graph .maplibregl-canvas", timeout=60_000)
            warm.close()
            app.server.config["PRECOMPRESSED"].wait()
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            responses = []
            page.on("requestfinished", lambda request: responses.append(request))
            page.goto(base + "/map")
            page.wait_for_function(
                "() => { const g = document.querySelector('#map-graph .js-plotly-plot');"
                " return g && g.data && g.data.length > 3; }", timeout=60_000)
            page.wait_for_selector("#map-graph .maplibregl-canvas")
            page.wait_for_timeout(3000)
            sizes = _measured(page, responses)
            for path in PAGES:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                visit, seen = context.new_page(), []
                visit.on("requestfinished", lambda request, seen=seen: seen.append(request))
                visit.goto(base + path)
                visit.wait_for_load_state("networkidle")
                visit.wait_for_timeout(2500)
                found = _measured(visit, seen)
                per_page[path] = found["data"] + found["framework"]
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return sizes, per_page


def _callback_key(app, first_input: str, prop: str) -> str:
    """The name Dash gave the map callback whose first input is ``first_input.prop``
    (duplicate outputs carry a hash suffix, so it is looked up rather than retyped)."""
    return next(k for k, v in app.callback_map.items()
                if (v["inputs"][0]["id"], v["inputs"][0]["property"]) == (first_input, prop)
                and f"{ids.MAP_GRAPH}.figure" in k)


def _payload(key, inputs, changed, state=()):
    multi = key.startswith("..")
    specs = [{"id": o.split(".")[0], "property": o.split(".")[1]}
             for o in (key.strip(".").split("...") if multi else [key])]
    return {
        "output": key,
        "outputs": specs if multi else specs[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed],
    }


def _time(client, payload, repeat: int) -> tuple[list[float], int, int]:
    times, size, packed = [], 0, 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.post("/_dash-update-component", json=payload)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        size = len(response.get_data())
        packed = len(gzip.compress(response.get_data(), 6))
    return times, size, packed


def callbacks(app, repeat: int) -> dict[str, tuple[float, float, int]]:
    """Median and 95th-percentile server time (ms) and response bytes per callback."""
    geo = reference.geography(app.server)
    client = app.server.test_client()
    need = next(iter(geo.need), None)
    measures = [o["value"] for o in measure_options(geo)]
    layer = next((n for n, lay in geo.layers.items() if lay.kind == "grouping"), "wards")
    visible = [n for n in geo.layers if n != "small_areas"]
    restyle = [
        _payload(_callback_key(app, ids.MAP_MEASURE, "value"),
                 [(ids.MAP_MEASURE, "value", m), (ids.MAP_NEED, "value", need)],
                 f"{ids.MAP_MEASURE}.value")
        for m in measures]
    atoms = len(geo.atoms)
    rng = np.random.default_rng(0)
    clicks = [
        _payload(_callback_key(app, ids.MAP_GRAPH, "clickData"),
                 [(ids.MAP_GRAPH, "clickData",
                   {"points": [{"location": str(int(a)), "curveNumber": 0}]}),
                  (ids.MAP_SELECT_LAYER, "value", layer), (ids.MAP_SELECT_UNIT, "value", None)],
                 f"{ids.MAP_GRAPH}.clickData",
                 [(ids.MAP_SELECT_UNIT, "options", [])])
        for a in rng.integers(0, atoms, 20)]
    redraw = _payload(f"{ids.MAP_GRAPH}.figure", [(ids.MAP_GRAPH, "id", ids.MAP_GRAPH)],
                      f"{ids.MAP_GRAPH}.id",
                      [(ids.MAP_MEASURE, "value", "need"), (ids.MAP_NEED, "value", need),
                       (ids.MAP_LAYERS, "value", visible), (ids.MAP_SELECT_LAYER, "value", layer),
                       (ids.MAP_SELECT_UNIT, "value", None)])
    results = {}
    for name, payloads in (("first draw", [redraw]), ("measure change", restyle),
                           ("unit click", clicks)):
        _time(client, payloads[0], 3)  # warm caches, as a running server would be
        times, sizes, packed = [], [], []
        for i in range(repeat):
            t, s, z = _time(client, payloads[i % len(payloads)], 1)
            times += t
            sizes.append(s)
            packed.append(z)
        results[name] = (statistics.median(times), float(np.percentile(times, 95)),
                         int(statistics.median(sizes)), int(statistics.median(packed)))
    return results


def report(name: str, app, repeat: int, browser: bool) -> None:
    geo_disp = display_geometry(reference.geography(app.server))
    print(f"\n== {name} ==")
    print(f"map shapes: {len(geo_disp.atoms_geojson) / 1024:,.0f} KiB uncompressed "
          f"(simplified to {geo_disp.tolerance_m:g} m)")
    if browser:
        sizes, per_page = first_load(app)
        total = sizes["data"] + sizes["framework"]
        print(f"first load: {sizes['requests']} requests, {total / 1024:,.0f} KiB in all; "
              f"data {sizes['data'] / 1024:,.0f} KiB (of which shapes {sizes['shapes'] / 1024:,.0f}"
              f" KiB), framework code {sizes['framework'] / 1024:,.0f} KiB (cached after the "
              "first visit)")
        print("first visit of each page, KiB: " + ", ".join(
            f"{path} {size / 1024:,.0f}" for path, size in per_page.items()))
    results = callbacks(app, repeat)
    for label, (median, p95, size, packed) in results.items():
        print(f"{label:15s} median {median:6.1f} ms  p95 {p95:6.1f} ms  response "
              f"{size / 1024:7.1f} KiB ({packed / 1024:6.1f} KiB gzipped)")
    median, _, _, packed = results["first draw"]
    print(f"first draw against its targets: {packed / 1024:.1f} KiB sent (target <= 20 KB), "
          f"{median:.1f} ms on the server (target <= 15 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--full-plotly", action="store_true",
                        help="also measure the demo's first visit with the full Plotly")
    args = parser.parse_args()
    browser = not args.no_browser and bool(shutil.which("chromium"))
    built = plotly_bundle.bundle_path()
    print("Plotly sent: " + (f"the dashboard's bundle {built.name}" if built.is_file() else
                             "the full plotly.min.js (no bundle built)"))
    if args.full_plotly and built.is_file() and browser:
        with tempfile.TemporaryDirectory() as none:
            plotly_bundle.FOLDER = Path(none)  # this process only: the full Plotly
            report("Demo pack with the full Plotly (peer)", create_app(ROOT / "geodata" / "demo"),
                   args.repeat, browser)
            plotly_bundle.FOLDER = built.parent
    report("Demo pack (Brackmoor, fictional)", create_app(ROOT / "geodata" / "demo"),
           args.repeat, browser)
    report("Kirklees (the shipped real pack: real LSOAs, wards, PCNs, EIP hubs)",
           create_app(ROOT / "geodata" / "kirklees"), args.repeat, browser)


if __name__ == "__main__":
    main()
