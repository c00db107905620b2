"""/report?layer=places&code=PP01 (a footprint) or /report?layer=places&against=pcns (the
borough summary): the board report as a page to read, print or save as PDF. Without a layer
the page lists what can be reported (it is also the light layout Dash validates against)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine import alignment
from dashboard.errors import DashboardError
from dashboard.reports.files import reports_for
from dashboard.web import ids, reference
from dashboard.web.report.views import render


def layout(layer: str | None = None, code: str | None = None, need: str | None = None,
           against: str | None = None, **_query) -> html.Div:
    geo = reference.geography()
    query = {"layer": layer, "code": code or None, "need": need or None,
             "against": against or None}
    back = (reference.href("/footprint", layer=layer, code=code, need=need) if code
            else reference.href("/", from_layer=layer, to_layer=against))
    failed = False
    if not layer:
        pair = alignment.default_pair(geo)  # only the list of reports needs it
        content, back = _index(geo, pair), reference.href("/")
        query.update(layer=pair and pair[0], against=pair and pair[1])
    else:
        try:
            content = render(reports_for(geo, layer, code or None, need=need or None,
                                         against=against or None, base=reference.base_url(),
                                         pack=reference.current_choice())[0])
        except DashboardError as exc:
            failed = True
            content = html.Div([html.H1("Board report", className="h3"), dbc.Alert(
                [f"No report for this address: {str(exc)[:300]} ",
                 dcc.Link("Back to the overview", href=reference.href("/"))], color="warning")])
    return html.Div([
        html.Div([
            dbc.Button("Board report (PDF)", id=ids.REPORT_PDF, color="primary", size="sm",
                       className="me-2", disabled=failed or not query["layer"]),
            dbc.Button("Print", id=ids.REPORT_PRINT, color="secondary", outline=True,
                       size="sm", className="me-2", disabled=failed or not layer),
            dcc.Link("Back to the live page", href=back, className="small"),
        ], className="d-print-none mb-3"),
        content,
        dcc.Store(id=ids.REPORT_QUERY, data=query),
        dcc.Download(id=ids.REPORT_FILE),
    ])


def _index(geo, pair) -> html.Div:
    """What can be reported, as links: the summary of the overview's pair, each layer's
    footprints on their own page."""
    items = []
    if pair:
        a, b = pair
        items.append(html.Li(dcc.Link(
            f"Borough summary: {geo.layer(a).label} against {geo.layer(b).label}",
            href=reference.href("/report", layer=a, against=b))))
    items += [html.Li(dcc.Link(f"A report for one of the {geo.layer(n).label.lower()}",
                               href=reference.href("/footprint", layer=n)))
              for n in alignment.area_layers(geo)]
    return html.Div([html.H1("Board reports", className="h3"),
                     html.P("A one-page profile of a footprint, or the borough's alignment "
                            "summary, to read here, print, or download as PDF."),
                     html.Ul(items)])
