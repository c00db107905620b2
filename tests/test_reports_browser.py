"""Board reports in Chromium: the PDF downloads from the footprint page and the overview, and
the printable page is accessible and prints to as many A4 pages as the PDF has."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from dashboard.engine import alignment
from dashboard.reports.model import people, share

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not shutil.which("pdftotext"),
                                 reason="poppler-utils is not installed (CI installs it)")]


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))


def _download(page, selector, tmp_path):
    with page.expect_download(timeout=60_000) as info:
        page.click(selector)
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_the_footprint_page_downloads_its_board_report(demo_server, demo, page, tmp_path):
    from dashboard.engine.profiles import profile

    page.goto(demo_server[0] + "/footprint?layer=places&code=PP01")
    page.wait_for_selector("text=Printable board report", timeout=30_000)
    path = _download(page, "#footprint-report", tmp_path)
    assert path.name == "brackmoor-FICTIONAL-board-report-places-pp01.pdf"
    text = _pdf_text(path)
    assert "Brackmoor North (PP01)" in text
    assert people(profile(demo, "places", "PP01").population) in text
    assert _pages(path) == 1
    assert page.errors == []


def test_the_overview_downloads_the_borough_summary_of_its_pair(demo_server, demo, page,
                                                                tmp_path):
    page.goto(demo_server[0] + "/?from_layer=wards&to_layer=pcns")
    page.wait_for_selector("text=Printable board report", timeout=30_000)
    path = _download(page, "#overview-report", tmp_path)
    assert path.name == "brackmoor-FICTIONAL-board-report-wards-summary.pdf"
    text = _pdf_text(path)
    heads = alignment.headlines(demo, "wards", "pcns")
    assert "Electoral wards against Primary Care Networks" in text
    assert f"alignment {share(heads.alignment)}" in text
    assert 2 <= _pages(path) <= 4
    assert page.errors == []


@pytest.mark.parametrize("pack, query", [
    ("default", "layer=places&code=PP01"),
    ("default", "layer=places&against=pcns"),
    ("kirklees", "layer=wards&code=E05001398"),
])
def test_the_printable_page_is_accessible_and_prints_like_the_pdf(demo_server, page, tmp_path,
                                                                  pack, query):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    page.goto(f"{demo_server[0]}/report?{query}&pack={pack}")
    page.wait_for_selector("article.report h1", timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)
    bad = [(v["id"], [n["target"] for n in v["nodes"]][:3])
           for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert page.locator("article.report img").count() >= 1
    assert all(len(alt) > 40 for alt in
               page.eval_on_selector_all("article.report img", "els => els.map(e => e.alt)"))
    assert page.locator("article.report th[scope=col]").count() > 0
    printed = tmp_path / "printed.pdf"
    page.pdf(path=str(printed), format="A4", print_background=True)
    pdf = _download(page, "#report-pdf", tmp_path)
    assert _pages(printed) == _pages(pdf)
    assert "Board report (PDF)" not in _pdf_text(printed)  # the buttons do not print
    assert page.errors == []
