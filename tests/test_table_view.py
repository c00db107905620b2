"""The server-drawn table: a header sorts (again: the other way), the filter keeps matching
rows, the pager moves 20 rows at a time, and anything else starts again at page one."""

from __future__ import annotations

import pandas as pd

from dashboard.web.common.table_view import PAGE_ROWS, next_state, view
from dashboard.web.ids import TableIds

NAMES = TableIds.named("t")
FRAME = pd.DataFrame({"code": [f"E{i:03d}" for i in range(45)],
                      "name": [f"Ward {i}" for i in range(45)],
                      "population": [(i * 37) % 45 * 100.0 for i in range(45)]})
COLUMNS = list(FRAME.columns)


def _cells(rows):
    return [[td.children for td in tr.children] for tr in rows]


def test_headers_sort_both_ways_and_say_so():
    state = next_state(None, {"type": NAMES.sort, "col": "population"}, NAMES)
    rows, status, first, last, state, sorts = view(FRAME, None, state, COLUMNS)
    assert [r[2] for r in _cells(rows)] == [f"{v:,.0f}" for v in sorted(FRAME["population"])][
        :PAGE_ROWS]
    assert sorts == ["none", "none", "ascending"] and status == "Rows 1–20 of 45"
    assert first and not last
    state = next_state(state, {"type": NAMES.sort, "col": "population"}, NAMES)
    rows, *_, sorts = view(FRAME, None, state, COLUMNS)
    assert _cells(rows)[0][2] == f"{FRAME['population'].max():,.0f}"
    assert sorts[2] == "descending"


def test_the_pager_moves_and_stops_at_the_ends():
    state = next_state(None, NAMES.next, NAMES)
    state = next_state(state, NAMES.next, NAMES)
    state = next_state(state, NAMES.next, NAMES)  # one past the last page
    rows, status, first, last, state, _ = view(FRAME, None, state, COLUMNS)
    assert status == "Rows 41–45 of 45" and last and not first and state["page"] == 2
    assert next_state(state, NAMES.prev, NAMES)["page"] == 1
    assert next_state(state, "t-filter", NAMES)["page"] == 0  # a new filter: page one


def test_the_filter_keeps_rows_with_the_text_anywhere():
    rows, status, *_ = view(FRAME, "ward 4", next_state(None, None, NAMES), COLUMNS)
    assert [r[1] for r in _cells(rows)] == ["Ward 4"] + [f"Ward {i}" for i in range(40, 45)]
    assert status == "Rows 1–6 of 6"
    rows, status, *_ = view(FRAME, "nowhere", next_state(None, None, NAMES), COLUMNS)
    assert status == "No rows" and "No row matches" in str(rows)
