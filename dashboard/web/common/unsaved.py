"""Unsaved what-if work follows the browser tab: kept on every edit, restored when its page opens.

The Redraw draft and the Hubs plan each live in a page store; a copy of each edited one is kept
in the tab's session storage (the app shell's ``UNSAVED`` store) under its page's context (pack,
layer, scenario), so changing page or reloading brings it back, marked as not saved. Saving
clears it (the pages' save callbacks), and ``assets/js`` asks before the tab leaves
the app while any is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Input, Output, State, no_update

from dashboard.errors import DashboardError
from dashboard.web import ids
from dashboard.web.common import controls


def edited(data: dict | None) -> dict | None:
    """The work worth keeping: one with edits (undo or redo history) since it opened."""
    return data if data and (data.get("undo") or data.get("redo")) else None


def restored(page: str, context: str, unsaved: dict | None, data: dict, describe: Callable,
             extras: tuple = ()) -> tuple:
    """The kept work for ``context``, the ``extras`` values made from it and a message, when it
    differs from the page's own; ``no_update`` for each otherwise."""
    nothing = (no_update,) * (2 + len(extras))
    kept = ((unsaved or {}).get(page) or {}).get(context)
    if not kept or kept == data:
        return nothing
    try:
        values = [make(kept) for *_, make in extras]
    except DashboardError:  # damaged in storage: the page's own work stands
        return nothing
    return (kept, *values, controls.small_alert(describe(kept), "warning"))


def register(app, page: str, work: str, context: str, status: str, describe: Callable,
             extras: tuple = ()) -> None:
    """Keep and restore the work in store ``work`` of ``page``; ``extras`` are (component id,
    property, function of the work) to set alongside it when it is restored."""
    @app.callback(
        Output(ids.UNSAVED, "data", allow_duplicate=True),
        Input(work, "data"), State(context, "data"), State(ids.UNSAVED, "data"),
        prevent_initial_call=True)
    def keep(data, where, unsaved):
        return keep_unsaved(unsaved, page, where, edited(data))

    @app.callback(
        Output(work, "data", allow_duplicate=True),
        *[Output(i, prop, allow_duplicate=True) for i, prop, _ in extras],
        Output(status, "children", allow_duplicate=True),
        Input(context, "data"), State(ids.UNSAVED, "data"), State(work, "data"),
        prevent_initial_call="initial_duplicate")
    def restore(where, unsaved, data):
        return restored(page, where, unsaved, data, describe, extras)


UNSAVED_LIMIT = 8  # unsaved drafts kept per page and tab (the most recent)


def keep_unsaved(unsaved: dict | None, page: str, context: str, work: dict | None) -> dict:
    """This tab's unsaved work with ``work`` kept for ``context`` (or dropped when None)."""
    unsaved = {k: dict(v) for k, v in (unsaved or {}).items() if isinstance(v, dict)}
    mine = unsaved.setdefault(page, {})
    mine.pop(context, None)
    if work is not None:
        mine[context] = work
    unsaved[page] = dict(list(mine.items())[-UNSAVED_LIMIT:])
    return unsaved
