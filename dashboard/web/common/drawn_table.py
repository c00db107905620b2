"""Tables drawn in the browser from their data (``assets/tables.js``), for tables redrawn on
every edit: as Dash components, each cell is one more component that Dash checks on every update
of the page (the redraw page's balance table, about a hundred cells, cost a quarter of a second
per move). The data is plain JSON; every text is shown as text."""

from __future__ import annotations

from dash import Input, State, dcc, html

DRAW = "function(spec, box) { window.dashboardTables.draw(document.getElementById(box), spec); }"


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


def placeholder(box_id: str, data_id: str) -> list:
    """Where the table is drawn, and the store its data arrives in."""
    return [html.Div(id=box_id), dcc.Store(id=data_id)]


def register(app, data_id: str, box_id: str) -> None:
    app.clientside_callback(DRAW, Input(data_id, "data"), State(box_id, "id"))
