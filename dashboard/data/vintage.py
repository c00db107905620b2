"""What each imported file is, who published it and when: read from the file's own layout.

ONS names columns by geography and year (``LSOA11CD``, ``WD23CD``), MHCLG's deprivation files
name the LSOA vintage and the district year in their headers, NHS England's registration and
practice extracts carry an ``EXTRACT_DATE`` column, and ONS population workbooks say the year in
their title rows or sheet name. A user may state or correct any of these (``--vintage``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

OGL = "Open Government Licence v3.0"
ROLES = {  # role -> what the file is, in words
    "small_areas": "small-area (LSOA) boundaries",
    "wards": "electoral ward boundaries",
    "population": "population by small area",
    "need": "need indicators by small area",
    "lsoa_lookup": "LSOA 2011 to 2021 lookup",
    "practices": "GP practices and their PCNs",
    "registrations": "patients registered at each practice by small area",
    "hubs": "hub locations",
    "centroids": "population-weighted centroids",
    "best_fit_lookup": "best-fit lookup of small areas to units",
}
# Inputs further apart than this are flagged: a 2015 population on 2022 registrations is a
# choice a board should know about.
APART_YEARS = 3
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                       "sep", "oct", "nov", "dec"), start=1)}
_IOD_EDITION = {"2013": "2015", "2019": "2019", "2024": "2025", "2023": "2025"}


@dataclass
class Source:
    """One input file as the pack records it."""

    role: str
    title: str  # the user's own file name
    vintage: str = ""
    year: float | None = None  # for comparing vintages; None when unknown
    publisher: str = ""
    licence: str = ""
    notes: list[str] = field(default_factory=list)
    attribution: str = ""  # the credit line the licence asks for

    def as_toml_table(self) -> dict[str, str]:
        out = {"title": self.title, "role": ROLES.get(self.role, self.role),
               "vintage": self.vintage or ("not stated in the file (give it with --vintage, "
                                           "or in pack.toml)")}
        if self.publisher:
            out["publisher"] = self.publisher
        if self.licence:
            out["licence"] = self.licence
        if self.notes:
            out["notes"] = "; ".join(self.notes)
        if self.attribution:
            out["attribution"] = self.attribution
        return out


def _year(text: str) -> int | None:
    found = re.search(r"(19|20)\d{2}", text)
    return int(found.group(0)) if found else None


def parse_date(text: str) -> date | None:
    """Dates as the NHS and ONS write them: 2022-07-01, 01Jan2022, 01JAN2021, 01/07/2022."""
    text = str(text).strip()
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"^(\d{1,2})[- ]?([A-Za-z]{3})[A-Za-z]*[- ]?(\d{4})$", text)
    if m and m[2].lower() in _MONTHS:
        return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    return None


def _column_year(columns, pattern: str) -> str | None:
    for col in columns:
        m = re.search(pattern, str(col), re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def lsoa_vintage(columns) -> str | None:
    """'2011' or '2021' from ONS or MHCLG column names, else None."""
    two = _column_year(columns, r"^LSOA(\d{2})(CD|NM)$") or _column_year(
        columns, r"^lsoa(\d{2})_?code$")
    if two:
        return "20" + two
    return _column_year(columns, r"LSOA (?:code|name) \((\d{4})\)") or _column_year(
        columns, r"^LSOA (\d{4}) Code$")


def boundaries(role: str, title: str, columns) -> Source:
    src = Source(role, title)
    if role == "wards":
        two = _column_year(columns, r"^WD(\d{2})CD$")
        if two:
            src.vintage, src.year = f"wards 20{two} (WD{two}CD codes)", 2000 + int(two)
    else:
        year = lsoa_vintage(columns)
        if year:
            src.vintage, src.year = f"LSOA {year}", int(year)
    if src.vintage and any(re.match(r"^(WD|LSOA)\d{2}CD$", str(c), re.I) for c in columns):
        src.publisher, src.licence = "Office for National Statistics", OGL
    return src


def table(role: str, title: str, frame: pd.DataFrame) -> Source:
    """The source record of a table input, from its columns, title rows and sheet name."""
    cols = [str(c) for c in frame.columns]
    src = Source(role, title)
    context = " ".join([str(frame.attrs.get("title", "")), str(frame.attrs.get("sheet", ""))])
    lsoa = lsoa_vintage(cols)
    if role == "population":
        mid = next((re.search(r"mid[- ]?(\d{4})", c, re.I) for c in [*cols, context]
                    if re.search(r"mid[- ]?(\d{4})", c, re.I)), None)
        if mid:
            src.vintage, src.year = f"mid-{mid.group(1)} estimates", int(mid.group(1)) + 0.5
        elif re.search(r"census\s*2021|usual residents|Residence type: Total", " ".join(
                [*cols, context]), re.I):
            src.vintage, src.year = "Census 2021", 2021.2
        if any("excluding prisoners" in c for c in cols):
            src.publisher, src.licence = ("Ministry of Housing, Communities and Local Government "
                                          "(IoD population denominators)", OGL)
        elif src.vintage:
            src.publisher, src.licence = "Office for National Statistics", OGL
    elif role == "need":
        district = _column_year(cols, r"Local Authority District code \((\d{4})\)")
        iod = any("where 1 is most deprived" in c or "IMD" in c or "IDACI" in c for c in cols)
        if iod:
            edition = _IOD_EDITION.get(district or "") or ("2025" if lsoa == "2021" else
                                                           "2019" if lsoa == "2011" else "")
            if edition:
                src.vintage, src.year = f"English Indices of Deprivation {edition}", int(edition)
            src.publisher, src.licence = ("Ministry of Housing, Communities and Local "
                                          "Government", OGL)
    elif role in ("registrations", "practices"):
        col = next((c for c in cols if c.upper() == "EXTRACT_DATE"), None)
        when = None
        if col is not None:
            dates = {parse_date(v) for v in frame[col].head(1000)} - {None}
            when = max(dates) if dates else None
        if when:
            src.vintage, src.year = f"extract of {when:%-d %B %Y}", when.year + when.month / 12
        if any(c.upper() in ("PRACTICE_CODE", "NUMBER_OF_PATIENTS") for c in cols):
            src.publisher, src.licence = ("NHS England (formerly NHS Digital), Patients "
                                          "Registered at a GP Practice", OGL)
    elif role == "lsoa_lookup":
        src.vintage = "LSOA 2011 to LSOA 2021"
        if any(c.upper() == "LSOA11CD" for c in cols):
            src.publisher, src.licence = "Office for National Statistics", OGL
    if lsoa and role in ("population", "need", "registrations"):
        src.notes.append(f"keyed on LSOA {lsoa} codes")
    return src


def apply_given(sources: list[Source], given: dict[str, str]) -> None:
    """Put the user's ``--vintage ROLE=TEXT`` over what the files said."""
    by_role = {s.role: s for s in sources}
    for role, text in given.items():
        if role in by_role:
            by_role[role].vintage = text
            year = _year(text)
            by_role[role].year = float(year) if year else None


def apply_details(sources: list[Source], details: dict[str, dict[str, str]]) -> None:
    """Put what a builder knows of a file (publisher, licence, attribution, vintage), by role,
    over what was read from it; e.g. the credit lines of the bundled real boroughs."""
    for src in sources:
        for key, text in details.get(src.role, {}).items():
            if key not in ("vintage", "publisher", "licence", "attribution"):
                raise ValueError(f"unknown source detail '{key}'")
            setattr(src, key, text)
            if key == "vintage":
                year = _year(text)
                src.year = float(year) if year else None


def spread_warning(sources: list[Source]) -> str | None:
    """A warning when the dated inputs are more than ``APART_YEARS`` apart."""
    # Boundaries and lookups describe the map, not a moment's people: only figures are compared.
    dated = [s for s in sources if s.year is not None
             and s.role in ("population", "need", "registrations", "practices")]
    if len(dated) < 2:
        return None
    old = min(dated, key=lambda s: s.year)
    new = max(dated, key=lambda s: s.year)
    if new.year - old.year <= APART_YEARS:
        return None
    return (f"The inputs are {int(new.year - old.year)} years apart: {old.title} is "
            f"{old.vintage}, {new.title} is {new.vintage}. Figures that combine them (e.g. "
            "residents per PCN) mix years; use inputs of nearer dates where you can.")
