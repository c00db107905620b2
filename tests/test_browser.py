"""The home page in headless Chromium: it renders the overlap table and logs no console errors."""

from __future__ import annotations

import shutil
import threading

import pytest

from conftest import DEMO

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def served():
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine (CI installs Debian's chromium)")
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    server = make_server("127.0.0.1", 0, create_app(DEMO).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def page():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def test_home_renders_overlaps_without_console_errors(served, page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served}/?from_layer=wards&to_layer=pcns")
    page.wait_for_selector(".ag-cell", timeout=30_000)
    assert "FICTIONAL DEMO DATA" in page.inner_text("nav")
    assert "Alignment score" in page.inner_text("body")
    first = page.inner_text(".ag-center-cols-container .ag-row >> nth=0")
    assert "E05950001" in first
    # Changing the "to" layer re-runs the callback and redraws the table.
    page.click("#overlap-to")
    page.get_by_role("option", name="Place partnerships").click()
    page.wait_for_function("document.body.innerText.includes('Alignment score 1.00')",
                           timeout=15_000)
    assert errors == []
