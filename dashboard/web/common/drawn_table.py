"""Tables drawn in the browser from their data (``assets/tables.js``), alone or in a section
with headings, notes and lists, for what is redrawn on every edit: as Dash components, each
cell is one more component that Dash checks on every update of the page (the redraw page's
balance table, about a hundred cells, cost a quarter of a second per move). The data is plain
JSON; every text is shown as text."""

from __future__ import annotations

import pandas as pd
from dash import Input, State, dcc, html

from dashboard.web.common.grid import formatted

DRAW = "function(spec, box) { window.dashboardTables.draw(document.getElementById(box), spec); }"
DRAW_SECTION = ("function(parts, box) { "
                "window.dashboardTables.drawSection(document.getElementById(box), parts); }")


def cell(text, *, alert: bool = False, swatch: str | None = None,
         class_name: str | None = None) -> dict:
    """One cell: its text, in red and bold when ``alert``, after a colour swatch if given."""
    return {"text": str(text), "alert": alert, "swatch": swatch, "className": class_name}


def spec(table_id: str, head: list[str], rows: list[list[dict]], caption: str | None = None,
         class_name: str = "small caption-top") -> dict:
    """A whole table: column headings, rows of :func:`cell` (each row's first cell is its
    header) and a caption."""
    return {"id": table_id, "head": [str(h) for h in head], "rows": rows, "caption": caption,
            "className": class_name}


def frame_spec(table_id: str, frame: pd.DataFrame, formats: dict[str, str] | None = None,
               caption: str | None = None) -> dict:
    """A whole table of ``frame``, its numbers written and aligned as
    :func:`~dashboard.web.common.grid.data_table` writes them."""
    formats = formats or {}
    fmts = [formats.get(col) for col in frame.columns]
    rows = [[cell(formatted(value, fmt), class_name="text-end" if fmt else None)
             for fmt, value in zip(fmts, record)]
            for record in frame.itertuples(index=False)]
    return spec(table_id, list(frame.columns), rows, caption, "small mb-2 caption-top")


def table(table_spec: dict) -> dict:
    """A table (:func:`spec`) as a part of a section."""
    return {"kind": "table", "table": table_spec}


def heading(text: str, class_name: str = "h5 mt-3") -> dict:
    return {"kind": "heading", "text": str(text), "className": class_name}


def note(text: str, *, alert: bool = False, class_name: str = "small") -> dict:
    """A paragraph; in red and bold when ``alert``."""
    return {"kind": "note", "text": str(text), "alert": alert, "className": class_name}


def bullets(items: list[str], class_name: str = "small") -> dict:
    return {"kind": "list", "items": [str(i) for i in items], "className": class_name}


def placeholder(box_id: str, data_id: str) -> list:
    """Where the table is drawn, and the store its data arrives in."""
    return [html.Div(id=box_id), dcc.Store(id=data_id)]


def register(app, data_id: str, box_id: str) -> None:
    app.clientside_callback(DRAW, Input(data_id, "data"), State(box_id, "id"))


def register_section(app, data_id: str, box_id: str) -> None:
    """Draw the section (a list of parts: :func:`table`, :func:`heading`, :func:`note`,
    :func:`bullets`) that arrives in ``data_id`` into ``box_id``."""
    app.clientside_callback(DRAW_SECTION, Input(data_id, "data"), State(box_id, "id"))
