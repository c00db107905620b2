"""The command line: the files it writes equal the engine's figures."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import DEMO
from dashboard.cli import main
from dashboard.engine import mismatch, overlap
from dashboard.engine.overlaps import TABLE_COLUMNS


def test_overlaps_csv_equals_engine(demo, tmp_path, capsys):
    """--exact writes the engine's figures; by default people are whole and shares are
    fractions named as such."""
    out = tmp_path / "o.csv"
    assert main(["overlaps", "--pack", str(DEMO), "--from", "places", "--to", "pcns",
                 "--need", "idaci_score", "--out", str(out), "--exact"]) == 0
    written = pd.read_csv(out, dtype={"from_code": str, "to_code": str})
    fractions = [c.replace("share", "fraction") for c in TABLE_COLUMNS]
    assert list(written.columns) == fractions
    expected = overlap(demo, "places", "pcns", need="idaci_score").table()
    expected.columns = fractions
    pd.testing.assert_frame_equal(written, expected, check_dtype=False, rtol=1e-12)
    assert "Wrote" in capsys.readouterr().out
    assert main(["overlaps", "--pack", str(DEMO), "--from", "places", "--to", "pcns",
                 "--need", "idaci_score", "--out", str(out)]) == 0
    readable = pd.read_csv(out, dtype={"from_code": str, "to_code": str})
    assert list(readable["population"]) == list(expected["population"].round().astype(int))
    assert readable["fraction_of_to_area"].to_numpy() == pytest.approx(
        expected["fraction_of_to_area"].to_numpy(), abs=5e-5)


def test_overlaps_xlsx_has_about_sheet_and_text_codes(demo, tmp_path):
    out = tmp_path / "o.xlsx"
    assert main(["overlaps", "--pack", str(DEMO), "--from", "small_areas", "--to", "wards",
                 "--method", "best-fit", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["overlaps", "About"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Method"] == "best-fit"
    assert "FICTIONAL" in about["Warning"]
    assert isinstance(book["overlaps"]["A2"].value, str)


def test_mismatch_csv(demo, tmp_path, capsys):
    out = tmp_path / "m.csv"
    assert main(["mismatch", "--pack", str(DEMO), "--from", "wards", "--to", "pcns",
                 "--out", str(out)]) == 0
    written = pd.read_csv(out)
    mm = mismatch(overlap(demo, "wards", "pcns"))
    assert set(written["table"]) == {"wards by pcns", "pcns by wards"}
    assert len(written) == len(mm.from_units) + len(mm.to_units)
    assert f"{mm.alignment:.3f}" in capsys.readouterr().out


def test_validate_and_demo(tmp_path, capsys):
    assert main(["validate", "--pack", str(DEMO)]) == 0
    assert "valid data pack (FICTIONAL)" in capsys.readouterr().out
    assert main(["demo", "--out", str(tmp_path / "d")]) == 0
    assert main(["validate", "--pack", str(tmp_path / "d")]) == 0


@pytest.mark.parametrize("argv, message", [
    (["overlaps", "--from", "places", "--to", "hubs", "--out", "x.csv"], "'hubs' are points"),
    (["overlaps", "--from", "place", "--to", "pcns", "--out", "x.csv"], "no layer 'place'"),
    (["overlaps", "--from", "places", "--to", "pcns", "--out", "x.txt"], "ending in .csv or .xlsx"),
    (["validate", "--pack", "/nonexistent"], "does not exist"),
])
def test_errors_are_one_line_messages(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


def test_every_command_has_help(capsys):
    for cmd in ("overlaps", "mismatch", "validate", "demo", "serve"):
        with pytest.raises(SystemExit) as done:
            main([cmd, "--help"])
        assert done.value.code == 0
    assert "--method" in capsys.readouterr().out


def test_import_command_writes_a_pack_and_reports(tmp_path, capsys):
    from importdata import write_borough

    paths = write_borough(tmp_path / "in")
    out = tmp_path / "pack"
    code = main(["import", "--out", str(out), "--name", "Handmade", "--wards",
                 str(paths["wards"]), "--small-areas", str(paths["small_areas"]),
                 "--population", str(paths["population"])])
    printed = capsys.readouterr().out
    assert code == 0 and "4 of 4 population codes" in printed
    assert (out / "validation.json").is_file()
    code = main(["import", "--out", str(out), "--wards", str(paths["wards"]), "--small-areas",
                 str(paths["small_areas"]), "--population", str(paths["population"]),
                 "--need-column", "broken"])
    assert code == 2 and "--need-column takes NAME=VALUE" in capsys.readouterr().err


def test_serve_with_a_bad_setting_names_it_and_starts_nothing(monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_UPLOAD_MB", "lots")
    assert main(["serve", "--port", "1"]) == 2
    assert "error: DASHBOARD_UPLOAD_MB='lots': give a number" in capsys.readouterr().err
