"""Board reports: the PDF's text carries the engine's own figures, its sources and vintages,
and it has the pages it should; the command refuses what it cannot make."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DEMO
from dashboard.cli import main
from dashboard.data.examples import GEODATA
from dashboard.data.manifest import USER_DEFINED
from dashboard.engine import alignment
from dashboard.engine.allocation import allocate
from dashboard.engine.profiles import profile
from dashboard.reports.footer import notices
from dashboard.reports.model import amount, people, score, share
from dashboard.reports.summary import summary_pair

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed (CI "
                                                       "installs it)")


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"[ \t]+", " ", out)


def _pages(pdf: Path, tmp_path: Path) -> int:
    """Pages rendered to PNG by pdftoppm (so each page also draws without error)."""
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert all(p.stat().st_size > 1000 for p in pngs)
    return len(pngs)


def _report(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "report.pdf"
    assert main(["report", *args, "--url", "https://places.example.gov.uk", "--out",
                 str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def kirklees():
    from dashboard.data.loader import load_pack

    return load_pack(GEODATA / "kirklees")


def _check_footprint(text: str, geo, layer: str, code: str) -> None:
    prof = profile(geo, layer, code)
    assert f"{prof.name} ({code})" in text
    assert people(prof.population) in text
    assert share(prof.population / prof.borough_population, 1) in text
    for other in alignment.area_layers(geo):
        if other != layer and alignment.comparable(geo, layer, other):
            units = alignment.pair_mismatch(geo, layer, other).from_units
            u = units[units["code"] == code].iloc[0]
            row = (f"{u['best_fit_name']} {share(u['best_fit_share'])} {int(u['pieces'])} "
                   f"{score(u['split_score'])} {share(u['share_outside'])}")
            assert row in text, row
    for res in geo.resources:
        r = allocate(geo, layer, res, geo.current_allocations).table.set_index("code").loc[code]
        assert (f"{amount(r['current'], res.unit)} {amount(r['recommended'], res.unit)} "
                f"{amount(r['gap'], res.unit, signed=True)}") in text, res.name
    assert f"https://places.example.gov.uk/footprint?layer={layer}&code={code}" in text


@needs_poppler
def test_a_demo_place_report_is_one_page_with_the_engines_figures(demo, tmp_path):
    pdf = _report(tmp_path, "--pack", str(DEMO), "--layer", "places", "--code", "PP01")
    text = _text(pdf)
    _check_footprint(text, demo, "places", "PP01")
    assert "FICTIONAL DEMO DATA" in text
    assert "Brackmoor demo data" in text  # the source, its vintage and licence
    assert "Fictional; no real date" in text and "MIT" in text
    assert "Hub access" in text and "Within 1 km" in text
    assert _pages(pdf, tmp_path) == 1


@needs_poppler
def test_a_kirklees_ward_report_names_its_sources_and_vintages(kirklees, tmp_path):
    code = kirklees.layer("wards").codes[9]
    pdf = _report(tmp_path, "--pack", str(GEODATA / "kirklees"), "--layer", "wards",
                  "--code", code)
    text = _text(pdf)
    _check_footprint(text, kirklees, "wards", code)
    assert "FICTIONAL" not in text
    for src in kirklees.metadata["sources"]:
        assert src["vintage"] in text.replace("\n", " "), src["title"]
    assert "Open Government Licence v3.0" in text
    assert "no teams or budgets" in text  # the Kirklees pack records none, and says so
    assert _pages(pdf, tmp_path) == 1


@needs_poppler
def test_the_borough_summary_carries_the_matrix_worst_units_and_allocations(demo, tmp_path):
    pdf = _report(tmp_path, "--pack", str(DEMO), "--layer", "places")
    text = _text(pdf)
    a, b = summary_pair(demo, "places", None)
    assert (a, b) == ("places", "pcns")
    matrix = alignment.alignment_matrix(demo)
    assert f"Primary Care Networks {share(matrix.loc['pcns', 'wards'])} —" in text
    heads = alignment.headlines(demo, a, b)
    assert f"alignment {share(heads.alignment)}" in text
    for u in alignment.worst_units(demo, a, b, 10).itertuples():
        assert (f"{u.code} {people(u.population)} {u.best_fit_name} {share(u.best_fit_share)} "
                f"{int(u.pieces)} {score(u.split_score)} {share(u.share_outside)}") in text
    early = next(r for r in demo.resources if r.name == "early_help")
    table = allocate(demo, "places", early, demo.current_allocations).table
    words = text.split()
    for r in table.itertuples():  # a cell may wrap between the amount and its gap
        assert amount(r.recommended, "FTE", bare=True) in words
        assert f"({amount(r.gap, 'FTE', True, True)})" in words
    assert "Brackmoor demo data" in text and "https://places.example.gov.uk/?" in text
    assert 2 <= _pages(pdf, tmp_path) <= 4
    links = subprocess.run(["pdfinfo", "-url", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "https://places.example.gov.uk/?" in links  # the live page is a link on paper too


@needs_poppler
def test_all_footprints_make_a_page_each_and_the_summary(demo, tmp_path):
    pdf = _report(tmp_path, "--pack", str(DEMO), "--layer", "places", "--all")
    text = _text(pdf)
    for code, name in zip(demo.layer("places").codes, demo.layer("places").names):
        assert f"{name} ({code})" in text
    assert "How well do Brackmoor's boundaries line up?" in text
    assert _pages(pdf, tmp_path) == len(demo.layer("places")) + 2
    pages = text.split("\f")  # each page's foot names the report on that page
    for page, (code, name) in zip(pages, zip(demo.layer("places").codes,
                                             demo.layer("places").names)):
        assert f"{name} ({code}) · page" in page


@pytest.mark.parametrize("args, message", [
    (["--code", "NOPE"], "no unit with code 'NOPE'"),
    (["--need", "nope"], "no need indicator 'nope'"),
    (["--against", "wards"], "cannot be compared"),  # places are groupings of wards
])
def test_the_command_refuses_what_it_cannot_make(tmp_path, capsys, args, message):
    out = tmp_path / "r.pdf"
    assert main(["report", "--pack", str(DEMO), "--layer", "places", *args, "--out",
                 str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_report_is_a_pdf(tmp_path, capsys):
    assert main(["report", "--pack", str(DEMO), "--layer", "places", "--out",
                 str(tmp_path / "r.xlsx")]) == 2
    assert "use a file name ending in .pdf" in capsys.readouterr().err


def test_user_defined_and_estimated_footprints_are_labelled(demo):
    layers = dict(demo.layers)
    layers["places"] = dataclasses.replace(layers["places"],
                                           label=f"Places {USER_DEFINED}")
    layers["pcns"] = dataclasses.replace(layers["pcns"], estimated=True)
    marked = dataclasses.replace(demo, layers=layers)
    said = " ".join(notices(marked, ["places", "pcns"]))
    assert "FICTIONAL" in said
    assert "not an official boundary" in said and "ESTIMATED" in said
