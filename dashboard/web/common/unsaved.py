"""Unsaved what-if work follows the browser tab: kept on every edit, restored when its page opens.

The Redraw draft and the Hubs plan each live in a page store; a copy of each edited one is kept
in the tab's session storage (the app shell's ``UNSAVED`` store) under its page's context (pack,
layer, scenario), so changing page or reloading brings it back, marked as not saved. Saving
clears it (the pages' save callbacks), and ``assets/js`` asks before the tab leaves
the app while any is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from dash import Input, Output, State, no_update

from dashboard.errors import DashboardError
from dashboard.web import ids
from dashboard.web.common import controls

UNSAVED_LIMIT = 8  # unsaved drafts kept per page and tab (the most recent)


def edited(data: dict | None) -> dict | None:
    """The work worth keeping: one with edits (undo or redo history) since it opened."""
    return data if data and (data.get("undo") or data.get("redo")) else None


def restored(work: Work, context: str, unsaved: dict | None, data: dict) -> tuple:
    """The kept work for ``context``, the ``extras`` values made from it and a message, when it
    differs from the page's own; ``no_update`` for each otherwise."""
    nothing = (no_update,) * (2 + len(work.extras))
    kept = ((unsaved or {}).get(work.page) or {}).get(context)
    if not kept or kept == data:
        return nothing
    try:
        values = [make(kept) for *_, make in work.extras]
    except DashboardError:  # damaged in storage: the page's own work stands
        return nothing
    return (kept, *values, controls.small_alert(work.describe(kept), "warning"))


@dataclass(frozen=True)
class Work:
    """A page's what-if work: the page's name, the store holding the work, the store naming its
    context (pack, layer, scenario), where to say it was restored, the words for that, and
    ``extras``: (component id, property, function of the work) to set when it is restored."""

    page: str
    store: str
    context: str
    status: str
    describe: Callable[[dict], str]
    extras: tuple = ()


def keep_script(page: str) -> str:
    """:func:`keep_unsaved` of :func:`edited` work on ``page``, as a script for the browser: the
    work is kept in the same step as the edit, with no request, so leaving the page straight
    after an edit cannot lose it."""
    return """function(data, where, unsaved) {
    const some = (v) => Array.isArray(v) ? v.length > 0 : Boolean(v);
    const work = data && (some(data.undo) || some(data.redo)) ? data : null;
    const out = {};
    Object.entries(unsaved || {}).forEach(([k, v]) => {
        if (v && typeof v === 'object' && !Array.isArray(v)) { out[k] = Object.assign({}, v); }
    });
    const mine = out[PAGE] || {};
    delete mine[where];
    if (work !== null) { mine[where] = work; }
    out[PAGE] = Object.fromEntries(Object.entries(mine).slice(-LIMIT));
    return out;
}""".replace("PAGE", json.dumps(page)).replace("LIMIT", str(UNSAVED_LIMIT))


def register(app, work: Work) -> None:
    """Keep the work in the tab's session storage on every edit (:func:`keep_script`); restore
    it when its page opens."""
    app.clientside_callback(
        keep_script(work.page), Output(ids.UNSAVED, "data", allow_duplicate=True),
        Input(work.store, "data"), State(work.context, "data"), State(ids.UNSAVED, "data"),
        prevent_initial_call=True)

    @app.callback(
        Output(work.store, "data", allow_duplicate=True),
        *[Output(i, prop, allow_duplicate=True) for i, prop, _ in work.extras],
        Output(work.status, "children", allow_duplicate=True),
        Input(work.context, "data"), State(ids.UNSAVED, "data"), State(work.store, "data"),
        prevent_initial_call="initial_duplicate")
    def restore(where, unsaved, data):
        return restored(work, where, unsaved, data)


def keep_unsaved(unsaved: dict | None, page: str, context: str, work: dict | None) -> dict:
    """This tab's unsaved work with ``work`` kept for ``context`` (or dropped when None)."""
    unsaved = {k: dict(v) for k, v in (unsaved or {}).items() if isinstance(v, dict)}
    mine = unsaved.setdefault(page, {})
    mine.pop(context, None)
    if work is not None:
        mine[context] = work
    unsaved[page] = dict(list(mine.items())[-UNSAVED_LIMIT:])
    return unsaved
