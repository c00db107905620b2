"""/report?layer=places&code=PP01 (a footprint) or /report?layer=places&against=pcns (the
borough summary): the board report as a page to read, print or save as PDF."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.errors import DashboardError
from dashboard.reports.files import reports_for
from dashboard.web import ids, reference
from dashboard.web.report.views import render


def layout(layer: str | None = None, code: str | None = None, need: str | None = None,
           against: str | None = None, **_query) -> html.Div:
    geo = reference.geography()
    try:
        layer = layer or next(n for n in geo.layers if n != "small_areas")
        reports = reports_for(geo, layer, code or None, need=need or None,
                              against=against or None, base=reference.base_url(),
                              pack=reference.current_choice())
    except (DashboardError, StopIteration) as exc:
        return html.Div([html.H1("Board report", className="h3"),
                         dbc.Alert([f"No report for this address: {exc} ",
                                    dcc.Link("Back to the overview", href=reference.href("/"))],
                                   color="warning")])
    back = (reference.href("/footprint", layer=layer, code=code, need=need) if code
            else reference.href("/", from_layer=layer, to_layer=against))
    return html.Div([
        html.Div([
            dbc.Button("Board report (PDF)", id=ids.REPORT_PDF, color="primary", size="sm",
                       className="me-2"),
            dbc.Button("Print", id=ids.REPORT_PRINT, color="secondary", outline=True,
                       size="sm", className="me-2"),
            dcc.Link("Back to the live page", href=back, className="small"),
        ], className="d-print-none mb-3"),
        render(reports[0]),
        dcc.Store(id=ids.REPORT_QUERY, data={"layer": layer, "code": code, "need": need,
                                             "against": against}),
        dcc.Download(id=ids.REPORT_FILE),
    ])
