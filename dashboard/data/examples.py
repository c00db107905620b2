"""The real boroughs the project ships: Kirklees, Oldham and Rochdale, built from published files.

``python -m dashboard build-examples`` runs the ordinary import on each borough's official files
(ONS boundaries and lookups, MHCLG deprivation and population, NHS England practices and
registrations; copies are kept in ``../shared/realdata``) and writes the packs under
``geodata/``. Nothing is invented except the positions of Kirklees' four Early Intervention and
Prevention hubs, which are placed by hand at their buildings and labelled approximate.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.data.importer import ImportSpec, Report, import_pack

ROOT = Path(__file__).resolve().parents[2]
GEODATA = ROOT / "geodata"
REALDATA = ROOT.parent / "shared" / "realdata"

_ONS = ("Source: Office for National Statistics licensed under the Open Government Licence "
        "v.3.0. Contains National Statistics data © Crown copyright and database right {year}. "
        "Contains OS data © Crown copyright and database right {year}.")
_IOD = ("Contains public sector information licensed under the Open Government Licence v3.0. "
        "English Indices of Deprivation 2019, Ministry of Housing, Communities and Local "
        "Government, © Crown copyright 2019.")
_NHS = ("Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: NHS Digital (now NHS England), Patients Registered at a GP Practice. "
        "Copyright © 2022, NHS Digital. Practice positions: ONS Postcode Directory; contains OS, "
        "Royal Mail and GeoPlace data © Crown copyright and database right 2025.")
_CHORLEY = " GeoJSON conversion CC BY 4.0 by Martin Chorley (github.com/martinjc/UK-GeoJSON)."
OGL_NOTE = ("Real open data: ONS, MHCLG and NHS England files published under the Open "
            "Government Licence v3.0, imported unchanged by this project's own import "
            "(`python -m dashboard build-examples`).")

# Kirklees' Early Intervention and Prevention hubs. The names are the council's; the positions
# are the buildings' as read from public maps, to about 200 m (latitude, longitude, WGS84).
KIRKLEES_HUBS = (
    ("EIP1", "Huddersfield Civic Centre", 53.6460, -1.7855),
    ("EIP2", "Dewsbury Town Hall", 53.6908, -1.6296),
    ("EIP3", "Batley Town Hall", 53.7160, -1.6340),
    ("EIP4", "Slaithwaite Town Hall", 53.6237, -1.8822),
)
HUB_DETAILS = {
    "publisher": "Kirklees Council (hub names); positions placed by this project",
    "vintage": "EIP hubs as named in 2024; positions APPROXIMATE (to about 200 m)",
    "licence": "Names are public facts; positions MIT (this project)",
}


@dataclass(frozen=True)
class Borough:
    """One shipped borough: its folder under realdata and the import options it needs."""

    key: str
    name: str
    ward_year: str  # of the boundaries' copyright line
    lsoa_year: str
    ward_vintage: str
    best_fit_lookup: str | None = None
    hubs: tuple = ()
    extra: dict = field(default_factory=dict)


BOROUGHS = (
    Borough("kirklees", "Kirklees", "2014", "2014", "wards December 2013 (in force 2013-2024)",
            "lookup_lsoa11_ward17.csv", KIRKLEES_HUBS),
    Borough("oldham", "Oldham", "2023", "2021", "wards May 2023"),
    Borough("rochdale", "Rochdale", "2023", "2021", "wards May 2023"),
)


def _hubs_csv(rows: tuple, folder: Path) -> Path:
    path = folder / "eip_hubs.csv"
    lines = ["hub_code,name,type,lat,lon"] + [f"{c},{n},EIP hub,{lat},{lon}"
                                                for c, n, lat, lon in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spec(borough: Borough, realdata: Path, work: Path) -> ImportSpec:
    """The import of one shipped borough, with the credit lines its licences ask for."""
    src = realdata / borough.key
    chorley = _CHORLEY if borough.key == "kirklees" else ""
    ons = {"publisher": "Office for National Statistics", "licence": "Open Government Licence v3.0"}
    details = {
        "wards": {**ons, "vintage": borough.ward_vintage,
                  "attribution": _ONS.format(year=borough.ward_year) + chorley},
        "small_areas": {**ons, "vintage": "LSOA December 2011",
                        "attribution": _ONS.format(year=borough.lsoa_year) + chorley},
        "population": {"attribution": _IOD},
        "need": {"attribution": _IOD},
        "practices": {"attribution": _NHS},
        "registrations": {"attribution": _NHS},
        "best_fit_lookup": {"vintage": "LSOA 2011 to wards December 2017 (ONS best fit)",
                            "publisher": "Office for National Statistics",
                            "licence": "Open Government Licence v3.0",
                            "attribution": _ONS.format(year="2017")},
        "hubs": {**HUB_DETAILS, "attribution": "Hub positions approximate; placed by this "
                                               "project from public maps."},
    }
    return ImportSpec(
        wards=src / "wards.geojson", small_areas=src / "lsoa11.geojson",
        population=src / "population_lsoa11_mid2015.csv", need=src / "imd2019_lsoa11.csv",
        practices=src / "gp_practices.csv", registrations=src / "gp_registrations_lsoa.csv",
        practice_filter=("in_area_ccg", "True"), name=borough.name,
        best_fit_lookup=src / borough.best_fit_lookup if borough.best_fit_lookup else None,
        hubs=_hubs_csv(borough.hubs, work) if borough.hubs else None,
        open_data=True, description=OGL_NOTE, source_details=details, **borough.extra)


def _readme(borough: Borough, report: Report) -> str:
    lines = [f"# {borough.name}: real open data pack", "", OGL_NOTE, "",
             "Rebuild with `python -m dashboard build-examples` (reads ../shared/realdata).", "",
             "## Sources and attribution", ""]
    for src in report.sources:
        lines.append(f"- **{src['title']}** ({src['role']}; {src['vintage']}): "
                     + (src.get("attribution") or src.get("licence") or ""))
    if borough.hubs:
        lines += ["", "Hub positions are APPROXIMATE (placed at the buildings from public maps, "
                      "to about 200 m); the pack says so wherever they are listed."]
    lines += ["", "## What the import reported", "", *report.lines()]
    return "\n".join(lines) + "\n"


def build_examples(realdata: Path = REALDATA, out: Path = GEODATA,
                   only: list[str] | None = None) -> dict[str, Report]:
    """Import each shipped borough from ``realdata`` into ``out/<key>``; returns the reports."""
    reports = {}
    for borough in BOROUGHS:
        if only and borough.key not in only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            report = import_pack(spec(borough, Path(realdata), Path(tmp)), Path(out) / borough.key)
        (Path(out) / borough.key / "README.md").write_text(_readme(borough, report),
                                                         encoding="utf-8")
        reports[borough.key] = report
    return reports
