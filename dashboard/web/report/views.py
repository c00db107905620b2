"""A report document as HTML: headings, real tables with header cells, maps with their
alternative text. Drawn from the same document as the PDF, so the two cannot disagree."""

from __future__ import annotations

import base64

import dash_bootstrap_components as dbc
from dash import html

from dashboard.reports.model import Beside, Figures, Footer, Picture, Report, Table, Text


def render(report: Report) -> html.Article:
    body = []
    for i, block in enumerate(report.blocks):
        body.append(_block(block))
        if i in report.breaks:
            body.append(html.Div(className="report-break"))
    return html.Article([
        html.H1(report.title, className="h3 mb-0"),
        html.P(report.subtitle, className="text-muted mb-2"),
        *[html.P(n, className="report-notice") for n in report.notices],
        *body,
        _footer(report.footer),
    ], className="report")


def _block(block):
    if isinstance(block, Figures):
        return html.Div([html.Div([html.Div(value, className="report-value"),
                                   html.Div(label, className="small"),
                                   html.Div(note, className="small text-muted")],
                                  className="report-figure")
                         for value, label, note in block.items], className="report-figures")
    if isinstance(block, Text):
        return _text(block)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Picture):
        return _picture(block, "report-map")
    if isinstance(block, Beside):
        return dbc.Row([dbc.Col(_picture(block.picture, "report-map-small"), sm=5),
                        dbc.Col(_text(block.text), sm=7)], className="report-beside")
    raise TypeError(f"Unknown report block {type(block).__name__}")


def _text(block: Text) -> html.Section:
    items = ([html.Ul([html.Li(line) for line in block.lines])] if block.bullets
             else [html.P(line) for line in block.lines])
    return html.Section([html.H2(block.heading, className="h5"), *items])


def _table(block: Table) -> html.Section:
    def cell(tag, text, numeric, **kw):
        return tag(text, className="text-end" if numeric else None, **kw)

    head = html.Thead(html.Tr([cell(html.Th, c or html.Span("Unit", className="visually-hidden"),
                                    n, scope="col") for c, n in zip(block.columns,
                                                                     block.numeric)]))
    labelled = not block.numeric[0]  # a first column of names heads its row
    rows = [html.Tr([cell(html.Th, row[0], False, scope="row") if labelled
                     else cell(html.Td, row[0], True),
                     *[cell(html.Td, v, n) for v, n in zip(row[1:], block.numeric[1:])]])
            for row in block.rows]
    table = (html.Div(html.Table([html.Caption(block.heading, className="visually-hidden"),
                                  head, html.Tbody(rows)],
                                 className="table table-sm report-table"),
                      className="table-responsive") if block.rows else None)
    note = html.P(block.note, className="small text-muted fst-italic") if block.note else None
    return html.Section([html.H2(block.heading, className="h5"), table, note])


def _picture(picture: Picture, kind: str) -> html.Figure:
    src = "data:image/png;base64," + base64.b64encode(picture.png).decode()
    return html.Figure([html.Img(src=src, alt=picture.alt, className=f"img-fluid {kind}"),
                        html.Figcaption(picture.caption, className="small text-muted")])


def _footer(foot: Footer) -> html.Footer:
    return html.Footer([
        html.H2("About this report", className="h6"),
        html.P(foot.method),
        html.P("Sources: " + " ".join(foot.sources)),
        html.P(" ".join(foot.attributions)) if foot.attributions else None,
        html.P([f"Pack: {foot.pack}. Made on {foot.date}. Live page: ",
                html.A(foot.address, href=foot.address)
                if foot.address.startswith(("http://", "https://")) else foot.address]),
    ], className="report-footer small text-muted")
