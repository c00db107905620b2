"""The layout Dash checks callbacks against, kept to what the check reads.

With several pages, Dash puts every page's whole layout into each page's HTML so the browser
can check that every callback's components exist (159 KB, 20 KB gzipped, on Kirklees: option
lists, tables and overview figures nobody sees there). The check reads only each component's
id and type, so the layout is cut down to those: one flat list of the components that have
an id.
"""

from __future__ import annotations

from dash.development.base_component import Component

DONE = "LIGHT_VALIDATION_LAYOUT"


def skeleton(layout: Component) -> dict:
    """Every component of ``layout`` that has an id, as its type and id only."""
    found, seen = [], set()
    for node in [layout, *layout._traverse()]:
        ident = getattr(node, "id", None)
        if ident is None or not isinstance(node, Component):
            continue
        key = (repr(ident), node._type, node._namespace)
        if key not in seen:
            seen.add(key)
            found.append({"type": node._type, "namespace": node._namespace,
                          "props": {"id": ident}})
    return {"type": "Div", "namespace": "dash_html_components", "props": {"children": found}}


def lighten(app) -> None:
    """Replace Dash's validation layout, once Dash has built it at the first request."""
    server = app.server

    @server.before_request
    def light_validation_layout():
        if server.config.get(DONE) or app.validation_layout is None:
            return
        app.validation_layout = skeleton(app.validation_layout)
        server.config[DONE] = True
