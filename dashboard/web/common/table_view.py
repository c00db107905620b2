"""A table to sort, filter and page through, drawn on the server as plain HTML.

No grid library: the page carries only the 20 rows shown, as a real table (column headers,
``aria-sort`` on the sorted one, each header a button), and sorting, filtering and paging are
callbacks over the engine's own table. So no page pays for grid code, and a screen reader reads
the table as it reads any other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc, html

from dashboard.web.common.grid import formatted, python_format
from dashboard.web.ids import TableIds

PAGE_ROWS = 20


def header(column: str) -> str:
    """'share_of_from_population' -> 'Share of from population', 'area_km2' -> 'Area km²'."""
    return column.replace("_", " ").capitalize().replace("km2", "km²")


def table_box(names: TableIds, columns: Sequence[str], label: str) -> html.Div:
    """The table's frame: a filter box, the header (drawn once), the rows (drawn by
    :func:`register`'s callback) and the pager."""
    head = html.Thead(html.Tr([
        html.Th(html.Button(header(col), id={"type": names.sort, "col": col},
                            className="btn btn-link p-0 text-start fw-semibold sort-button",
                            title=f"Sort by {header(col).lower()}"),
                id={"type": names.head, "col": col}, scope="col", **{"aria-sort": "none"},
                className="text-end" if python_format(col) else None)
        for col in columns]))
    return html.Div([
        dbc.Row(dbc.Col([dbc.Label(f"Filter {label}", html_for=names.filter, className="small"),
                         dbc.Input(id=names.filter, type="search", debounce=True, size="sm",
                                   placeholder="a code, a name or a figure")], md=5),
                className="mb-1"),
        html.Div(dbc.Table([html.Caption(label.capitalize(), className="visually-hidden"),
                            head, html.Tbody(id=names.body)],
                           size="sm", striped=True, hover=True, className="small mb-1"),
                 className="table-responsive"),
        html.Div([
            dbc.Button("Previous", id=names.prev, size="sm", color="secondary", outline=True,
                       className="me-2", disabled=True),
            dbc.Button("Next", id=names.next, size="sm", color="secondary", outline=True,
                       className="me-2", disabled=True),
            html.Span(id=names.status, className="small text-muted", **{"aria-live": "polite"}),
        ]),
        dcc.Store(id=names.state, data={"sort": None, "descending": False, "page": 0}),
    ])


def next_state(state: dict | None, trigger, names: TableIds) -> dict:
    """The sort and page after ``trigger``: a header sorts by its column (again: the other
    way), the pager moves a page, anything else (new data, a filter) starts at page one."""
    state = dict(state or {"sort": None, "descending": False, "page": 0})
    if isinstance(trigger, dict) and trigger.get("type") == names.sort:
        col = trigger["col"]
        state["descending"] = not state["descending"] if state["sort"] == col else False
        state["sort"], state["page"] = col, 0
    elif trigger == names.prev:
        state["page"] = max(0, state["page"] - 1)
    elif trigger == names.next:
        state["page"] += 1
    else:
        state["page"] = 0
    return state


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the reader sees it."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        fmt = python_format(col)
        out[col] = [formatted(v, fmt) for v in frame[col]] if fmt else frame[col].astype(str)
    return out


def view(frame: pd.DataFrame, text: str | None, state: dict, columns: Sequence[str]):
    """Rows of the page shown, the status line, whether each pager button is off, the state
    (page clamped) and each header's ``aria-sort``. Cells are written out for the filter and
    for the page shown only, so a national table pages as fast as a borough's."""
    if text and text.strip():
        needle = text.strip().lower()
        written = _shown(frame)
        keep = written.apply(lambda row: any(needle in v.lower() for v in row), axis=1)
        frame = frame[keep.to_numpy()]
    if state["sort"] in frame.columns:
        frame = frame.sort_values(state["sort"], ascending=not state["descending"],
                                  kind="stable")
    pages = max(1, -(-len(frame) // PAGE_ROWS))
    state = {**state, "page": min(state["page"], pages - 1)}
    first = state["page"] * PAGE_ROWS
    page = _shown(frame.iloc[first:first + PAGE_ROWS])
    rows = [html.Tr([html.Td(v, className="text-end" if python_format(c) else None)
                     for c, v in zip(page.columns, values)])
            for values in page.itertuples(index=False)]
    if not rows:
        rows = [html.Tr(html.Td("No row matches the filter.", colSpan=len(columns),
                                className="text-muted fst-italic"))]
    status = (f"Rows {first + 1:,}–{first + len(page):,} of {len(frame):,}" if len(frame)
              else "No rows")
    way = "descending" if state["descending"] else "ascending"
    sorts = [way if c == state["sort"] else "none" for c in columns]
    return rows, status, state["page"] == 0, state["page"] >= pages - 1, state, sorts


def register(app, names: TableIds, frame_of: Callable[..., tuple[pd.DataFrame, list[str]]],
             inputs: Sequence[Input]) -> None:
    """The table's one callback: ``frame_of(*inputs' values)`` gives the whole table and its
    columns; the filter, a header or the pager pick the rows shown."""
    @app.callback(
        Output(names.body, "children"), Output(names.status, "children"),
        Output(names.prev, "disabled"), Output(names.next, "disabled"),
        Output(names.state, "data"), Output({"type": names.head, "col": ALL}, "aria-sort"),
        *inputs, Input(names.filter, "value"),
        Input({"type": names.sort, "col": ALL}, "n_clicks"), Input(names.prev, "n_clicks"),
        Input(names.next, "n_clicks"), State(names.state, "data"))
    def update(*args):
        values, (text, _sorts, _prev, _next, state) = args[:len(inputs)], args[len(inputs):]
        frame, columns = frame_of(*values)
        return view(frame, text, next_state(state, ctx.triggered_id, names), columns)
