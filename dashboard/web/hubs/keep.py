"""Hubs page: keep the open hubs as the hubs of a copy of the pack, so a real borough's hubs
placed in the browser are there on every page (packs are read-only once written)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html
from flask import request

from dashboard.engine import hubplan
from dashboard.engine.drafts import EditError
from dashboard.errors import DashboardError
from dashboard.web import cookies, ids, reference
from dashboard.web.common import controls


def kept_hubs(store, plan_data, client: str) -> str:
    """A copy of this tab's pack whose hubs are the plan's open hubs; returns its id."""
    table = hubplan.from_json(plan_data).table()
    if table.empty:
        raise EditError("No hub is open: open at least one (click the map) first.")
    return store.derive_hubs(reference.current_choice(), table, client=client)


def register(app) -> None:
    server = app.server

    @app.callback(Output(ids.HUBS_KEEP_STATUS, "children"), Input(ids.HUBS_KEEP, "n_clicks"),
                  State(ids.HUBS_PLAN, "data"), prevent_initial_call=True)
    def keep(_n, plan_data):
        try:
            pack_id = kept_hubs(reference.store(server), plan_data, request.remote_addr or "?")
        except DashboardError as exc:
            return controls.small_alert(str(exc))
        cookies.set_cookie(ctx.response, pack_id, request.is_secure,
                         request.cookies.get(cookies.UPLOADS_COOKIE, ""))
        return dbc.Alert([html.Strong("Kept. "), "These hubs are the hubs of a new copy of the "
                          "pack, listed under 'Imported in this browser'. ",
                          html.A("Open it", href=reference.href("/hubs", pack=pack_id),
                                 id=f"{ids.HUBS_KEEP_STATUS}-open")],
                         color="success", className="py-2 small")
