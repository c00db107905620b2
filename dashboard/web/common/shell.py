"""The page frame every page sits in: the navigation bar with the borough list, the alerts, the
browser-side stores, and the sources footer. Built per page load, so it names the tab's pack."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from flask import has_request_context, request

from dashboard.engine.geography import Geography
from dashboard.web import cookies, ids, reference
from dashboard.web.site import PAGES, TITLE

NAV_LINKS = tuple((page.name, page.path) for page in PAGES if page.in_nav)


def pack_badge(geo: Geography):
    if geo.fictional:
        return dbc.Badge("FICTIONAL DEMO DATA", color="warning", className="ms-2 text-dark")
    if geo.metadata.get("open_data"):
        return dbc.Badge("REAL OPEN DATA", color="light", className="ms-2 text-dark")
    return None


CHOICE_GROUPS = (("open data", "Real boroughs (open data)"), ("fictional", "Fictional demo"),
                 ("local", "Added on this server"), ("yours", "Imported in this browser"))


def pack_chooser(choices: list[tuple[str, str, str]], current: str, name: str):
    """The borough list on every page: each entry opens that pack's map (a full page load, so
    every part of the page changes pack together); its address can be shared."""
    items = []
    for kind, heading in CHOICE_GROUPS:
        group = [(k, n) for k, n, c in choices if c == kind]
        if not group:
            continue
        items.append(dbc.DropdownMenuItem(heading, header=True))
        items += [dbc.DropdownMenuItem(n, href="/?" + urlencode({"pack": k}), external_link=True,
                                       active=k == current) for k, n in group]
    return dbc.DropdownMenu(items, label=f"Borough: {name}", nav=True, in_navbar=True,
                            align_end=True, id=ids.PACK_CHOOSER, className="pack-chooser")


def sources_footer(geo: Geography) -> html.Footer:
    """Every page's last line: where the figures come from and of when (the Data page has more)."""
    sources = [s for s in geo.metadata.get("sources", []) if s.get("title")]
    parts = [f"{s['title']} ({s['vintage']})" if s.get("vintage") else s["title"]
             for s in sources]
    text = "; ".join(parts) if parts else "the pack lists no sources"
    kind = "Fictional demo data" if geo.fictional else "Data"
    return html.Footer([f"{kind}: {geo.name}. Sources and vintages: {text}. ",
                        html.A("Details, licences and attributions", href="/data")],
                       className="text-muted small border-top mt-4 pt-2 pb-3",
                       id=ids.SOURCES_FOOTER)


def shell(server) -> html.Div:
    """The page frame, built per page load so it names the pack this tab chose."""
    geo = reference.geography(server)
    key = reference.current_choice(server)
    query = reference.choice_query(key, server)
    return html.Div([
        # The tab's pack, repeated by assets/pack.js on every request of this page.
        html.Div(id=ids.PACK_KEY, **{"data-pack": key}, hidden=True),
        # Below the extra-large breakpoint the links fold behind a menu button (phones, narrow windows).
        dbc.Navbar(dbc.Container([
            dbc.NavbarBrand([TITLE, pack_badge(geo)], href="/" + query),
            dbc.NavbarToggler([html.Span(className="navbar-toggler-icon"),
                               html.Span("Menu", className="visually-hidden")], id=ids.NAV_TOGGLE),
            dbc.Collapse([
                dbc.Nav([dbc.NavItem(dbc.NavLink(label, href=href + query, active="exact"))
                         for label, href in NAV_LINKS], navbar=True, className="me-auto"),
                pack_chooser(choices(server), key, geo.name),
            ], id=ids.NAV_MENU, is_open=False, navbar=True),
        ], fluid=True), color="#0b4f9c", dark=True, expand="xl", className="mb-3 app-navbar"),
        dbc.Container([
            dbc.Alert(id=ids.APP_ALERT, is_open=False, dismissable=True, color="danger"),
            pack_problem_alert(geo),
            dcc.Store(id=ids.SCENARIO_KEYS, storage_type="local"),
            dcc.Store(id=ids.SCENARIO_SEEN, storage_type="local"),
            dcc.Store(id=ids.UNSAVED, storage_type="session"),
            html.Main(dash.page_container),
            sources_footer(geo),
        ], fluid=True, className="px-4"),
    ])


def choices(server) -> list[tuple[str, str, str]]:
    """(key, name, kind) of every pack this browser may choose: the named packs, then the
    packs it imported (kind: fictional, open data, imported)."""
    store = reference.store(server)
    out = []
    for key in store.named:
        out.append((key, *store.summary(key)))
    cookie = request.cookies.get(cookies.UPLOADS_COOKIE) if has_request_context() else None
    for pack_id in cookies.remembered_ids(cookie):
        if store.has(pack_id):
            out.append((pack_id, store.summary(pack_id)[0], "yours"))
    return out


def pack_problem_alert(geo: Geography):
    """A clear page, not a server error, when this browser's uploaded pack cannot be opened."""
    problem = reference.pack_problem()
    if not problem:
        return None
    return dbc.Alert([html.Strong("The pack this browser chose cannot be opened. "), problem,
                      html.Div([f"You are seeing {geo.name} instead. ",
                                html.A("Go back to the default pack", href="/_pack/default"),
                                " or load the files again on ",
                                html.A("Load your data", href="/upload"), "."],
                               className="mt-1")], color="warning")


def register(app) -> None:
    """The menu button opens and closes the folded navigation."""
    app.clientside_callback(
        "function(n, open) { return n ? !open : open; }",
        Output(ids.NAV_MENU, "is_open"), Input(ids.NAV_TOGGLE, "n_clicks"),
        State(ids.NAV_MENU, "is_open"), prevent_initial_call=True)
