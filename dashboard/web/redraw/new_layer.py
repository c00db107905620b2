"""Redraw page: make a new layer of wards, rename its footprints, and keep a draft as a layer.

A kept layer goes into a copy of the pack (packs are read-only once written), which this browser
then lists as its own; the copy's address opens it for anyone with the link.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from flask import request

from dashboard import uploads
from dashboard.engine import drafts
from dashboard.engine.drafts import EditError
from dashboard.errors import DashboardError
from dashboard.web import cookies, ids, reference
from dashboard.web.common import controls
from dashboard.web.redraw.state import hosted


def footprint_names(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def start_href(geo, label: str | None, names_text: str | None) -> str:
    """The address of the Redraw page on a new layer, once its names are checked."""
    label = (label or "").strip()
    if not label:
        raise EditError("Give the new layer a name, e.g. Place partnerships.")
    names = footprint_names(names_text)
    drafts.blank(geo, drafts.layer_key(label, [*geo.layers, *uploads.RESERVED]), label, names)
    return reference.href("/redraw", new=label, footprints="\n".join(names))


def kept_layer(store, geo, draft, label: str | None, client: str) -> tuple[str, str]:
    """Keep ``draft`` as a layer of a copy of this tab's pack; returns the copy's id and the
    new layer's name."""
    label = (label or "").strip()
    if not label:
        raise EditError("Give the layer a name.")
    if draft.unassigned:
        member = geo.layer(geo.layer(draft.layer).member_of)
        names = [member.names[member.positions[m]] for m in draft.unassigned]
        raise EditError(f"{len(names)} ward(s) are not in any footprint yet ("
                        f"{', '.join(names[:5])}{' …' if len(names) > 5 else ''}); assign every "
                        "ward first.")
    base = reference.geography()  # the pack as it is, without the layer being made
    key = draft.layer if draft.new and draft.layer not in base.layers else \
        drafts.layer_key(label, [*base.layers, *uploads.RESERVED])
    member = geo.layer(geo.layer(draft.layer).member_of)
    rows = [(m, draft.assignment[m], draft.groups[draft.assignment[m]]) for m in member.codes]
    pack_id = store.derive(reference.current_choice(), key, label, rows, client=client)
    return pack_id, key


def register(app) -> None:
    server = app.server

    @app.callback(Output(ids.REDRAW_NAV, "href", allow_duplicate=True),
                  Output(ids.REDRAW_NEW_STATUS, "children"),
                  Input(ids.REDRAW_NEW_START, "n_clicks"), State(ids.REDRAW_NEW_LABEL, "value"),
                  State(ids.REDRAW_NEW_NAMES, "value"), prevent_initial_call=True)
    def start(_n, label, names):
        try:
            return start_href(reference.geography(server), label, names), None
        except DashboardError as exc:
            return no_update, controls.small_alert(str(exc))

    @app.callback(Output(ids.REDRAW_DRAFT, "data", allow_duplicate=True),
                  Output(ids.REDRAW_RENAME_TO, "value"),
                  Input(ids.REDRAW_RENAME_GROUP, "n_clicks"), State(ids.REDRAW_RENAME_TO, "value"),
                  State(ids.REDRAW_PAINT, "value"), State(ids.REDRAW_DRAFT, "data"),
                  State(ids.REDRAW_OPENED, "data"), prevent_initial_call=True)
    def rename(_n, name, group, data, opened):
        if opened and opened.get("readonly"):
            raise EditError("This shared scenario is read-only; press 'Edit this scenario' "
                            "first.")
        draft = drafts.from_json(hosted(data), data)
        return drafts.rename(draft, group, name).to_json(), ""

    @app.callback(Output(ids.REDRAW_USE_STATUS, "children"),
                  Input(ids.REDRAW_USE_LAYER, "n_clicks"), State(ids.REDRAW_USE_NAME, "value"),
                  State(ids.REDRAW_DRAFT, "data"), prevent_initial_call=True)
    def use(_n, label, data):
        geo = hosted(data)
        try:
            pack_id, key = kept_layer(reference.store(server), geo, drafts.from_json(geo, data),
                                      label, request.remote_addr or "?")
        except DashboardError as exc:
            return controls.small_alert(str(exc))
        cookies.set_cookie(ctx.response, pack_id, request.is_secure,
                         request.cookies.get(cookies.UPLOADS_COOKIE, ""))
        links = [("Map", "/", {"layer": key}), ("Overlaps with PCNs", "/overlaps",
                                                {"from_layer": key, "to_layer": "pcns"}),
                 ("Allocate", "/allocate", {"layer": key}), ("Hubs", "/hubs", {}),
                 ("Footprints", "/footprint", {"layer": key})]
        return dbc.Alert([
            html.Strong("Kept as a layer. "),
            f"'{label.strip()}' is a layer of a new copy of the pack, listed under 'Imported in "
            "this browser'. Open it: ",
            *[html.A(text, href=reference.href(path, pack=pack_id, **extra), className="me-2",
                     id=f"{ids.REDRAW_USE_STATUS}-{path.strip('/') or 'map'}")
              for text, path, extra in links],
        ], color="success", className="py-2 small")

