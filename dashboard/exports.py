"""Write tables for planners: CSV, or Excel with a sheet that states method, vintages and sources."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from dashboard.engine.geography import Geography
from dashboard.errors import DashboardError

FORMATS = (".csv", ".xlsx")


def about_rows(geo: Geography, details: Mapping[str, object]) -> pd.DataFrame:
    """Method, parameters, pack and source lines for the 'About' sheet of an export."""
    rows = [("Pack", geo.name)]
    if geo.fictional:
        rows.append(("Warning", "FICTIONAL DEMO DATA: no figure describes a real place."))
    rows += [(str(k), str(v)) for k, v in details.items()]
    rows.append(("Geometry", "Computed in British National Grid (EPSG:27700) metres."))
    for i, src in enumerate(geo.metadata.get("sources", []), start=1):
        for key in ("title", "publisher", "vintage", "licence", "attribution"):
            if key in src:
                rows.append((f"Source {i} {key}", src[key]))
    return pd.DataFrame(rows, columns=["item", "value"])


def write_tables(path: str | Path, sheets: Mapping[str, pd.DataFrame], geo: Geography,
                 details: Mapping[str, object]) -> Path:
    """Write ``sheets`` to ``path``: CSV (sheets stacked under a ``table`` column when several,
    with no About sheet) or XLSX (one sheet each plus 'About').

    Codes are written as text so that spreadsheets keep their leading zeros.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise DashboardError(
            f"Cannot write '{out.name}': use a file name ending in {' or '.join(FORMATS)}."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        if len(sheets) == 1:
            frame = next(iter(sheets.values()))
        else:
            frame = pd.concat([f.assign(table=name) for name, f in sheets.items()],
                              ignore_index=True)
            frame = frame[["table", *[c for c in frame.columns if c != "table"]]]
        frame.to_csv(out, index=False, lineterminator="\n")
        return out
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        about_rows(geo, details).to_excel(writer, sheet_name="About", index=False)
    return out
