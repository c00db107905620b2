"""Small page parts built by plain functions: tables, cards, empty states."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine.geography import Geography
from dashboard.web.common.mapbase import MAP_HEIGHT


def layer_options(geo: Geography, with_small_areas: bool = True) -> list[dict]:
    return [{"label": lay.label, "value": name} for name, lay in geo.layers.items()
            if with_small_areas or lay.kind != "small_areas"]


def unit_options(geo: Geography, layer: str) -> list[dict]:
    lay = geo.layer(layer)
    return sorted(({"label": f"{n} ({c})", "value": c} for c, n in zip(lay.codes, lay.names)),
                  key=lambda o: o["label"])


def need_options(geo: Geography) -> list[dict]:
    return [{"label": geo.need_labels.get(k, k), "value": k} for k in geo.need]


def need_default(geo: Geography, wanted: str | None = None) -> str | None:
    """``wanted`` when the pack has that need indicator, else its first (None when it has none)."""
    return wanted if wanted in geo.need else next(iter(geo.need), None)


def field(label, control, target: str, help_text: str | None = None) -> html.Div:
    """A control with its label (and optional help line) above it."""
    return html.Div([dbc.Label(label, html_for=target, className="mb-0 small fw-semibold"),
                     control, html.Div(help_text, className="form-text mt-0")
                     if help_text else None], className="mb-2")


def checked_number(input_id: str, value, message: str) -> html.Div:
    """A number box of 0 or more whose error shows under it as soon as it is wrong (the page's
    callback sets ``invalid``), not only in a banner."""
    return html.Div([dbc.Input(id=input_id, type="number", min=0, value=value),
                     dbc.FormFeedback(message, type="invalid")])


def not_a_count(value) -> bool:
    """A number box left empty, or holding a negative number."""
    return value is None or (isinstance(value, int | float) and value < 0)


def amount(value: float, unit: str, with_unit: bool = True) -> str:
    """£ to the pound; other units (FTE) to one decimal, with the unit unless a header says it."""
    if unit == "£":
        return f"£{value:,.0f}"
    return f"{value:,.1f} {unit}" if with_unit else f"{value:,.1f}"


def map_placeholder(graph_id: str, **config) -> dcc.Loading:
    """An empty map of the page's height, drawn by the page's first callback (the layout stays
    light and the shapes come by URL), with a spinner over it until it is drawn, so nothing
    jumps. Quick updates (a ward move) stay under the spinner's delay."""
    blank = {"height": MAP_HEIGHT, "xaxis": {"visible": False}, "yaxis": {"visible": False},
             "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
             "annotations": [{"text": "Drawing the map…", "showarrow": False, "x": 0.5,
                              "y": 0.42, "xref": "paper", "yref": "paper",
                              "font": {"size": 14, "color": "#555"}}]}
    # style.css spins a ring over a map box until the map's canvas is in it: Dash's own
    # spinner is cleared by whichever callback on the figure answers first, not by the draw.
    graph = dcc.Graph(id=graph_id, figure={"data": [], "layout": blank},
                      config={"displaylogo": False, "scrollZoom": True, **config},
                      className="border rounded mb-2 map-box")
    return dcc.Loading(graph, type="circle", delay_show=400, target_components={
        graph_id: "figure"}, overlay_style={"visibility": "visible", "opacity": 0.5})


def map_figure(graph, label: str, caption, caption_id: str | None = None) -> html.Figure:
    """A map or chart as a figure: named for screen readers (``label``: what it shows) and
    captioned (``caption``: how to read or use it, and where the same figures are as text)."""
    named = {"id": caption_id} if caption_id else {}
    return html.Figure([graph, html.Figcaption(caption, className="text-muted small mt-1",
                                               **named)],
                       className="mb-2", **{"aria-label": label})


def history_buttons(undo: str, redo: str, reset: str) -> html.Div:
    """Undo, Redo and Start again, for the pages that edit a draft."""
    return html.Div([dbc.Button("Undo", id=undo, size="sm", color="secondary", outline=True,
                                className="me-1"),
                     dbc.Button("Redo", id=redo, size="sm", color="secondary", outline=True,
                                className="me-1"),
                     dbc.Button("Start again", id=reset, size="sm", color="secondary",
                                outline=True)], className="mb-2")


def small_alert(text, color: str = "danger") -> dbc.Alert:
    """A one-line message under a control (errors by default)."""
    return dbc.Alert(text, color=color, className="py-1 px-2 small mb-1")


def rounding_value(rounding) -> str:
    """A resource's rounding step as the allocation page's radio value."""
    return "none" if not rounding else ("1" if float(rounding) == 1 else "0.1")


def footprint_href(layer: str, code: str) -> str:
    return "/footprint?" + urlencode({"layer": layer, "code": code})


def empty_state(text: str) -> html.Div:
    return html.Div(text, className="text-muted fst-italic border rounded p-3 bg-light")


def pack_notice(geo: Geography):
    """What kind of data the page shows: a fictional borough, or real published data."""
    if geo.fictional:
        return dbc.Alert(["Fictional demo borough: no figure describes a real place. Real "
                          "boroughs (Kirklees, Oldham, Rochdale) are in the borough list in the "
                          "navigation bar."], color="warning", className="py-2 small")
    if geo.metadata.get("open_data"):
        return dbc.Alert([geo.metadata.get("description", ""),
                          " Sources and vintages at the foot of the page."],
                         color="info", className="py-2 small")
    return None




def hub_options(plan) -> list[dict]:
    """A hub plan's hubs as dropdown options, closed ones marked."""
    return [{"label": f"{h.name}{' (closed)' if h.code in plan.closed else ''}", "value": h.code}
            for h in plan.hubs]


def grouped(kind, named: dict[str, str], prop: str = "value") -> dict:
    """``kind`` (Input, State or Output) of each named control's ``prop``, as one group: a
    callback then takes or gives the group as a dict keyed by the same names."""
    return {name: kind(i, prop) for name, i in named.items()}
