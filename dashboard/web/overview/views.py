"""The overview's parts: the alignment matrix and one pair's headlines and worst-split units.

Plain HTML tables and lists (no chart library): the page is the first a director opens, so it
should be light, and every figure on it must be readable by a screen reader as it stands.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
from dash import dcc, html
from plotly.colors import sample_colorscale

from dashboard.engine import alignment
from dashboard.engine.geography import Geography
from dashboard.web import reference
from dashboard.web.common import controls

# Light (lines up) to dark (disagrees): Plotly's Oranges, the map's mismatch colours.
_SCALE = "Oranges"


def map_href(a: str, b: str, code: str | None = None) -> str:
    """The map shaded by the pair's mismatch with both outlines on, ``code`` of ``a``
    selected and zoomed to."""
    return reference.href("/map", measure=f"mismatch:{a}:{b}", layer=a, code=code,
                          show=f"{a},{b}")


def overview_href(a: str, b: str) -> str:
    return reference.href("/", from_layer=a, to_layer=b)


def matrix(geo: Geography, chosen: tuple[str, str] | None) -> html.Div:
    """Every pair's alignment as a table: rows and columns are the layers; each score links to
    that pair. A grouping against its own members is left blank (it always nests)."""
    scores = alignment.alignment_matrix(geo)
    names = list(scores.index)
    if len(names) < 2:
        return controls.empty_state("This pack has one area layer, so there is nothing to "
                                    "compare it with. Add footprints on the Redraw page.")
    head = html.Thead(html.Tr([html.Td("")] + [html.Th(geo.layer(n).label, scope="col")
                                                for n in names]))
    rows = []
    for a in names:
        cells = [html.Th(geo.layer(a).label, scope="row")]
        for b in names:
            cells.append(_cell(scores.loc[a, b], a, b, chosen))
        rows.append(html.Tr(cells))
    return html.Div([
        html.H2("Every pair of layers", className="h5"),
        html.P("Each score is the share of residents who live in the unit that best fits "
               "theirs (100% = one layer's boundaries follow the other's). Darker means more "
               "disagreement; choose a score to see that pair.", className="small mb-1"),
        html.Div(dbc.Table([html.Caption("Alignment score of each pair of layers",
                                         className="visually-hidden"),
                            head, html.Tbody(rows)],
                           bordered=True, size="sm",
                           className="align-middle text-center alignment-matrix mb-1"),
                 className="table-responsive"),
        html.P(_least_aligned(geo, scores), className="small mb-0"),
    ])


def _cell(score: float, a: str, b: str, chosen: tuple[str, str] | None) -> html.Td:
    if a == b:
        return html.Td("—", className="text-muted", title="the same layer")
    if np.isnan(score):
        return html.Td("nests", className="text-muted small",
                       title="one is a grouping of the other, so it always nests")
    colour = sample_colorscale(_SCALE, [0.15 + 0.85 * (1 - score)])[0]
    dark = _luminance(colour) < 0.18  # white text only where it has WCAG contrast (>= 4.5:1)
    picked = chosen is not None and {a, b} == set(chosen)
    return html.Td(dcc.Link(f"{score:.0%}", href=overview_href(a, b),
                            className="text-white fw-semibold" if dark else "text-dark "
                                                                           "fw-semibold"),
                   style={"backgroundColor": colour},
                   className="chosen-pair" if picked else None)


def _least_aligned(geo: Geography, scores) -> str:
    stacked = scores.stack()
    if stacked.empty:
        return ""
    a, b = stacked.idxmin()
    return (f"Least aligned: {geo.layer(a).label} and {geo.layer(b).label}, "
            f"{stacked.min():.0%}.")


def pair_section(geo: Geography, a: str, b: str) -> list:
    """Headlines, the three units of ``a`` split worst by ``b`` and where to look next."""
    la, lb = geo.layer(a), geo.layer(b)
    if not alignment.comparable(geo, a, b):
        return [controls.empty_state(
            f"{la.label} and {lb.label} cannot be compared: "
            + ("they are the same layer." if a == b else
               "one is a grouping of the other, so it always nests. Choose another pair."))]
    heads = alignment.headlines(geo, a, b)
    worst = alignment.worst_units(geo, a, b)
    cards = [_unit_card(geo, a, b, row) for row in worst.itertuples(index=False)]
    if not cards:
        cards = [controls.empty_state(f"Every unit of {la.label.lower()} lies within one of "
                                      f"{lb.label.lower()}: nothing is split.")]
    return [
        html.H2(f"{la.label} against {lb.label}: alignment {heads.alignment:.0%}",
                className="h5 mt-2"),
        html.Ul([html.Li(s) for s in heads.sentences], className="mb-3"),
        html.H3(f"The {len(worst) or ''} {la.label.lower()} most split by "
                f"{lb.label.lower()}".replace("  ", " "), className="h6"),
        dbc.Row([dbc.Col(c, md=4, className="mb-2") for c in cards], className="g-2"),
        html.Div([
            dbc.Button("See this pair's mismatch on the map", href=map_href(a, b),
                       color="primary", size="sm", className="me-2 mb-2"),
            dbc.Button("Every overlap of the pair", href=reference.href(
                "/overlaps", from_layer=a, to_layer=b), color="secondary", outline=True,
                size="sm", className="me-2 mb-2"),
            dbc.Button("Compare the other way round", href=overview_href(b, a),
                       color="secondary", outline=True, size="sm", className="me-2 mb-2"),
            dbc.Button("Printable board report", href=reference.href(
                "/report", layer=a, against=b), color="secondary", outline=True, size="sm",
                className="me-2 mb-2"),
        ]),
    ]


def _unit_card(geo: Geography, a: str, b: str, row) -> dbc.Card:
    lb = geo.layer(b)
    partner = alignment.lower(alignment.singular(lb.label))
    return dbc.Card(dbc.CardBody([
        html.H4(row.name, className="h6 card-title mb-1"),
        html.P([html.Strong(f"{row.share_outside:.0%}"),
                f" of its {row.population:,.0f} residents live outside its main {partner} "
                f"({row.best_fit_name}); {int(row.pieces)} pieces, split score "
                f"{row.split_score:.2f}."], className="small mb-2"),
        html.Div([
            dcc.Link("On the map", href=map_href(a, b, row.code), className="me-3"),
            dcc.Link("Profile", href=reference.href("/footprint", layer=a, code=row.code)),
        ], className="small"),
    ]), className="h-100")


def _luminance(rgb: str) -> float:
    """WCAG relative luminance of an ``rgb(r, g, b)`` colour."""
    channels = [int(float(v)) / 255 for v in rgb[rgb.index("(") + 1:-1].split(",")]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
