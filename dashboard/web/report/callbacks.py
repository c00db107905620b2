"""Report downloads: the PDF of the report page, of a footprint and of the overview's pair."""

from __future__ import annotations

from dash import Input, Output, State, dcc

from dashboard.reports.files import report_name, reports_for
from dashboard.reports.pdf import pdf_bytes
from dashboard.web import ids, reference


def send_report(layer: str, code: str | None = None, need: str | None = None,
                against: str | None = None):
    """The board report PDF of this tab's pack, as a download."""
    geo = reference.geography()
    reports = reports_for(geo, layer, code or None, need=need or None, against=against or None,
                          base=reference.base_url(), pack=reference.current_choice())
    return dcc.send_bytes(pdf_bytes(reports), report_name(geo, layer, code, False))


def register(app) -> None:
    @app.callback(Output(ids.REPORT_FILE, "data"), Input(ids.REPORT_PDF, "n_clicks"),
                  State(ids.REPORT_QUERY, "data"), prevent_initial_call=True)
    def page_pdf(_clicks, query):
        return send_report(**query)

    @app.callback(Output(ids.FOOTPRINT_REPORT_FILE, "data"),
                  Input(ids.FOOTPRINT_REPORT, "n_clicks"), State(ids.FOOTPRINT_LAYER, "value"),
                  State(ids.FOOTPRINT_CODE, "value"), State(ids.FOOTPRINT_NEED, "value"),
                  prevent_initial_call=True)
    def footprint_pdf(_clicks, layer, code, need):
        return send_report(layer, code, need)

    @app.callback(Output(ids.OVERVIEW_REPORT_FILE, "data"),
                  Input(ids.OVERVIEW_REPORT, "n_clicks"), State(ids.OVERVIEW_FROM, "value"),
                  State(ids.OVERVIEW_TO, "value"), prevent_initial_call=True)
    def overview_pdf(_clicks, a, b):
        return send_report(a, against=b)

    app.clientside_callback("function(n) { if (n) { window.print(); } "
                            "return window.dash_clientside.no_update; }",
                            Output(ids.REPORT_PRINT, "n_clicks"),
                            Input(ids.REPORT_PRINT, "n_clicks"), prevent_initial_call=True)
