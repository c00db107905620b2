"""Shared fixtures: a tiny hand-checkable borough, the demo pack, and real data when present."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard.data.build import (
    GroupingInput,
    PolygonInput,
    RegistrationInput,
    SmallAreaInput,
    build_geography,
)

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "geodata" / "demo"
REALDATA = Path(os.environ.get("REALDATA_DIR", ROOT.parent / "shared" / "realdata"))
# Offsets keep the tiny borough inside British National Grid's extent; 1 unit = 1 km.
X0, Y0, KM = 400_000, 400_000, 1000


def km_box(x1, y1, x2, y2):
    return box(X0 + x1 * KM, Y0 + y1 * KM, X0 + x2 * KM, Y0 + y2 * KM)


def tiny_inputs():
    """Four 1 km squares (S1..S4), three wards cutting S2 and S4 40/60, two places, two PCNs.

    ::

        y=2 +-----+-----+        wards: W1 = [0,1.4]x[0,1]   W3 = [0,1.4]x[1,2]
            | S3  | S4  |               W2 = [1.4,2]x[0,2]
        y=1 +-----+-----+        places: P1 = {W1, W2}, P2 = {W3}
            | S1  | S2  |        pop S1..S4 = 100, 200, 300, 400; imd = 10, 20, 30, 40
        y=0 +-----+-----+        patients (PCN X, PCN Y): S1 80/20, S2 50/50, S3 0/100, S4 30/90
            x=0   1     2
    """
    sa = gpd.GeoDataFrame(
        {
            "code": ["S1", "S2", "S3", "S4"],
            "name": ["One", "Two", "Three", "Four"],
            "population": [100, 200, 300, 400],
            "age_0_15": [20, 50, 60, 100],
            "age_16_plus": [80, 150, 240, 300],
            "imd": [10.0, 20.0, 30.0, 40.0],
        },
        geometry=[km_box(0, 0, 1, 1), km_box(1, 0, 2, 1), km_box(0, 1, 1, 2), km_box(1, 1, 2, 2)],
        crs="EPSG:27700",
    )
    wards = gpd.GeoDataFrame(
        {"code": ["W1", "W2", "W3"], "name": ["Ward one", "Ward two", "Ward three"]},
        geometry=[km_box(0, 0, 1.4, 1), km_box(1.4, 0, 2, 2), km_box(0, 1, 1.4, 2)],
        crs="EPSG:27700",
    )
    places = pd.DataFrame(
        {"member": ["W1", "W2", "W3"], "code": ["P1", "P1", "P2"], "name": ["East", "East", "West"]}
    )
    practices = pd.DataFrame(
        {
            "code": ["A01", "B02"],
            "name": ["Practice A", "Practice B"],
            "unit_code": ["X", "Y"],
            "unit_name": ["PCN X", "PCN Y"],
        }
    )
    regs = pd.DataFrame(
        {
            "practice": ["A01", "B02", "A01", "B02", "B02", "A01", "B02", "A01"],
            "small_area": ["S1", "S1", "S2", "S2", "S3", "S4", "S4", "OUT1"],
            "patients": [80, 20, 50, 50, 100, 30, 90, 25],
        }
    )
    return {
        "small_areas": SmallAreaInput(sa, "sa.geojson", {"imd": "IMD score"},
                                      ["age_0_15", "age_16_plus"]),
        "polygons": [PolygonInput("wards", "Wards", wards, "wards.geojson")],
        "groupings": [GroupingInput("places", "Places", "wards", places, "places.csv")],
        "registrations": [RegistrationInput("pcns", "PCNs", practices, regs, "practices.csv",
                                            "registrations.csv")],
    }


@pytest.fixture(scope="session")
def tiny():
    return build_geography(**tiny_inputs(), name="Tiny")


@pytest.fixture(scope="session")
def demo():
    from dashboard.data.loader import load_pack

    return load_pack(DEMO)


@pytest.fixture(scope="session")
def kirklees_dir():
    path = REALDATA / "kirklees"
    if not path.is_dir():
        pytest.skip("../shared/realdata/kirklees is not present")
    return path


# Headless Chromium for the browser tests (Debian's chromium; CI installs it).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors; each test ends by asserting there were none."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The demo app with its own pack and scenario stores (one per test module)."""
    from dashboard.app import create_app

    folder = tmp_path_factory.mktemp("app")
    return create_app(DEMO, pack_store=folder / "packs",
                      scenario_db=f"sqlite:///{folder / 'scenarios.sqlite'}")


@pytest.fixture(scope="module")
def geo(app):
    """The app's default pack."""
    from dashboard.web import reference

    return reference.geography(app.server)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The app on the bundled packs, served over HTTP for Chromium: (base URL, app)."""
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine (CI installs Debian's chromium)")
    import threading

    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.config import DEMO_PACK, Settings

    folder = tmp_path_factory.mktemp("served")
    app = create_app(settings=Settings(pack=DEMO_PACK, pack_store=folder / "store",
                                       cache_dir=folder / "cache"))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
