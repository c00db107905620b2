"""Keep the councils asked for (``--council``) from national or multi-council files.

A small area's council is read from whatever names it: a district column in the boundaries or
in the population or need table (MHCLG and ONS files carry one), the ONS lookup, or failing all
of those the LSOA name, which ONS writes as the district's name and a number ("Oldham 024A").
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.errors import DataFileError

_CODE_COLUMNS = (r"^LAD\d{2}CD$", r"^lad_?code$", r"^local_authority_area_code$",
                 r"^Local Authority District code \(\d{4}\)$", r"^LAD \d{4} Code$",
                 r"^LTLA\d{2}_?CD$", r"^ltla\d{2}_code$")
_NAME_COLUMNS = (r"^LAD\d{2}NM$", r"^lad_?name$", r"^local_authority_area_name$",
                 r"^Local Authority District name \(\d{4}\)$", r"^LAD \d{4} Name$",
                 r"^LTLA\d{2}_?NM$", r"^ltla\d{2}_name$")


def _column(columns, patterns) -> str | None:
    for pattern in patterns:
        for col in columns:
            if re.match(pattern, str(col).strip(), re.IGNORECASE):
                return col
    return None


def _norm(text: str) -> str:
    text = str(text).strip().lower().replace("&", "and")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def districts(frame: pd.DataFrame, codes: pd.Series) -> pd.DataFrame | None:
    """(code, district code, district name) from a frame's district columns, or None."""
    code_col = _column(frame.columns, _CODE_COLUMNS)
    name_col = _column(frame.columns, _NAME_COLUMNS)
    if code_col is None and name_col is None:
        return None
    return pd.DataFrame({
        "code": codes.to_numpy(),
        "lad_code": frame[code_col].astype(str).str.strip().str.upper().to_numpy()
        if code_col else "",
        "lad_name": frame[name_col].astype(str).str.strip().to_numpy() if name_col else "",
    })


def from_names(codes: pd.Series, names: pd.Series) -> pd.DataFrame:
    """Districts from ONS LSOA names ("Oldham 024A" is in Oldham)."""
    lad = names.astype(str).str.replace(r"\s+\d{3}[A-Z]$", "", regex=True).str.strip()
    return pd.DataFrame({"code": codes.to_numpy(), "lad_code": "", "lad_name": lad.to_numpy()})


def matches(table: pd.DataFrame, councils: list[str]) -> pd.Series:
    """Rows of a (code, lad_code, lad_name) table that belong to any of ``councils``."""
    wanted = {_norm(c) for c in councils}
    return table["lad_code"].map(_norm).isin(wanted) | table["lad_name"].map(_norm).isin(wanted)


def keep(codes: pd.Series, sources: list[pd.DataFrame], councils: list[str], what: str
         ) -> pd.Series:
    """Mask of ``codes`` in ``councils``, using the first source that names their districts.

    Raises
    ------
    DataFileError
        When no source names districts, or none of ``councils`` is found, listing the ones seen.
    """
    known = pd.concat([s for s in sources if s is not None], ignore_index=True) if any(
        s is not None for s in sources) else None
    if known is None or known.empty:
        raise DataFileError(f"--council needs to know which council each {what} is in, but no "
                            "file names one: give boundaries or a population table with a "
                            "local authority district column (e.g. LAD22CD), or leave out "
                            "--council and give the borough's own files.")
    hit = known[matches(known, councils)]
    found = {_norm(c) for c in councils} & (set(hit["lad_code"].map(_norm))
                                             | set(hit["lad_name"].map(_norm)))
    lost = [c for c in councils if _norm(c) not in found]
    if lost:
        seen = sorted({n or c for c, n in zip(known["lad_code"], known["lad_name"])})
        raise DataFileError(f"--council {lost[0]}: no {what} of that council in the files (they "
                            f"hold {len(seen)} councils, e.g. {', '.join(seen[:8])}). Give its "
                            "name or its E06/E07/E08/E09 code as the files write it.")
    return codes.isin(set(hit["code"]))
