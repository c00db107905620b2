"""Tables: how each column's figures are written, and the plain HTML data table every page uses."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

# Columns shown as percentages, counts or decimals; anything else (codes, names) stays text.
PERCENT = ("share", "share_of_from_population", "share_of_to_population", "share_of_from_area",
           "share_of_to_area", "best_fit_share", "share_outside")
COUNTS = ("population", "need_population", "population_outside", "pieces", "need_decile")
DECIMALS = ("area_km2", "density_per_km2", "need_score", "split_score")


def python_format(col: str) -> str | None:
    """How a column's figures are written (None: text, such as codes and names)."""
    if col in PERCENT or col.startswith("share_"):
        return ".1%"
    if col in COUNTS:
        return ",.0f"
    if col in DECIMALS:
        return ",.2f"
    return None


def formatted(value, fmt: str | None) -> str:
    """One cell's text: a number in ``fmt`` when given, anything else as it is."""
    return format(value, fmt) if fmt and isinstance(value, (int, float)) else str(value)


def data_table(frame: pd.DataFrame, formats: dict[str, str] | None = None,
               caption: str | None = None, max_rows: int | None = None) -> dbc.Table:
    """An accessible HTML table (header cells, optional caption) with formatted numbers."""
    formats = formats or {}
    shown = frame if max_rows is None else frame.head(max_rows)
    head = html.Thead(html.Tr([html.Th(col, scope="col") for col in shown.columns]))
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for col, value in zip(shown.columns, record):
            fmt = formats.get(col)
            cells.append(html.Td(formatted(value, fmt), className="text-end" if fmt else None))
        rows.append(html.Tr(cells))
    children = [html.Caption(caption)] if caption else []
    children += [head, html.Tbody(rows)]
    return dbc.Table(children, size="sm", striped=True, hover=True, responsive=True,
                     className="small mb-2 caption-top")
