"""Allocation page: share a team or budget across footprints by population and need."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine import allocation
from dashboard.engine.allocation import CORE_METHODS
from dashboard.exports import ALLOCATION_FORMATS
from dashboard.packs import TABLE_FILE_LIMIT
from dashboard.web import ids, reference
from dashboard.web.common import controls, downloads

ROUNDING_OPTIONS = [{"label": "None", "value": "none"}, {"label": "0.1", "value": "0.1"},
                    {"label": "Whole", "value": "1"}]


def need_choices(geo) -> list[dict]:
    """Need indicators, then age bands (their share of residents), then none (per head)."""
    labels = geo.metadata.get("age_band_labels", {})
    return ([{"label": geo.need_labels.get(k, k), "value": k} for k in geo.need]
            + [{"label": f"{labels.get(k, k)} (share of residents)", "value": k}
               for k in geo.age_bands]
            + [{"label": "None: per head", "value": "none"}])


def _num(value, default):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def layout(layer: str | None = None, resource: str | None = None, total=None, core=None,
           core_share=None, core_amount=None, need=None, w=None, minimum=None, rounding=None,
           reexpress: str | None = None, **_query) -> html.Div:
    geo = reference.geography()
    offered = allocation.offered(geo.resources)
    resources = {r.name: r for r in offered}
    res = resources.get(resource) or offered[0]
    areas = controls.layer_options(geo, with_small_areas=False)
    names = [o["value"] for o in areas]
    current = geo.current_allocations
    recorded = current.loc[current["resource"] == res.name, "layer"] if current is not None \
        else []
    layer = layer if layer in names else (recorded.iloc[0] if len(recorded) else names[0])
    needs = need_choices(geo)
    need = need if need in [o["value"] for o in needs] else (res.need or "none")
    # PCNs first: "what each PCN's population receives from place-based teams".
    others = sorted((o for o in areas if o["value"] != layer),
                    key=lambda o: geo.layer(o["value"]).kind != "registration")
    reexpress = reexpress if reexpress in [o["value"] for o in others] else (
        others[0]["value"] if others else None)
    panel = [
        controls.field("Footprint layer", dcc.Dropdown(areas, layer, id=ids.ALLOC_LAYER,
                                               clearable=False), ids.ALLOC_LAYER),
        controls.field("Team or budget", dcc.Dropdown(
            [{"label": r.title, "value": r.name} for r in offered], res.name,
            id=ids.ALLOC_RESOURCE, clearable=False), ids.ALLOC_RESOURCE),
        controls.field(f"Total ({res.unit})", dbc.Input(id=ids.ALLOC_TOTAL, type="number", min=0,
                                                 value=_num(total, res.total)), ids.ALLOC_TOTAL,
               "Kept exactly: leaders are not getting more."),
        controls.field("Core part, every area gets", dbc.RadioItems(
            options=[{"label": v.capitalize(), "value": k} for k, v in CORE_METHODS.items()],
            value=core if core in CORE_METHODS else res.core_method, id=ids.ALLOC_CORE_METHOD,
            inline=True), ids.ALLOC_CORE_METHOD),
        controls.field("Core share of the total (equal or per head)", dcc.Slider(
            0, 1, 0.05, value=_num(core_share, res.core_share), id=ids.ALLOC_CORE_SHARE,
            marks={0: "0", 0.5: "50%", 1: "100%"}, tooltip={"placement": "bottom"}),
            ids.ALLOC_CORE_SHARE),
        controls.field("Core amount per area (fixed)", dbc.Input(
            id=ids.ALLOC_CORE_AMOUNT, type="number", min=0,
            value=_num(core_amount, res.core_amount)), ids.ALLOC_CORE_AMOUNT),
        controls.field("Need indicator for the area-specific part", dcc.Dropdown(
            needs, need, id=ids.ALLOC_NEED, clearable=False), ids.ALLOC_NEED),
        controls.field("Need weight", dcc.Slider(
            0, 1, 0.05, value=_num(w, res.need_weight), id=ids.ALLOC_WEIGHT,
            marks={0: "per head", 0.5: "0.5", 1: "by need"}, tooltip={"placement": "bottom"}),
            ids.ALLOC_WEIGHT, "Weighted population = population × (1 − w + w × need ÷ "
            "borough mean need)."),
        controls.field(f"Minimum per area ({res.unit})", dbc.Input(
            id=ids.ALLOC_MINIMUM, type="number", min=0, value=_num(minimum, res.minimum)),
            ids.ALLOC_MINIMUM),
        controls.field("Round to", dbc.RadioItems(
            options=ROUNDING_OPTIONS, value=rounding if rounding in ("none", "0.1", "1")
            else controls.rounding_value(res.rounding), id=ids.ALLOC_ROUNDING, inline=True),
            ids.ALLOC_ROUNDING, "Largest remainder: rounded figures still add up."),
        controls.field("Current allocation", dcc.Upload(
            html.Div(["Drop a CSV or ", html.A("choose it", href="#")]),
            id=ids.ALLOC_CURRENT_FILE, className="upload-zone small",
            max_size=TABLE_FILE_LIMIT), ids.ALLOC_CURRENT_FILE,
            "Columns resource, layer, area, amount. Without it, the pack's is used."),
        html.Details([html.Summary("Or type today's amounts", className="small"),
                      html.Div(id=ids.ALLOC_TYPED_ROWS, className="mt-1")], className="mb-2"),
        html.Div(id=ids.ALLOC_CURRENT_STATUS, className="small", role="status"),
    ]
    buttons = downloads.download_buttons(ids.ALLOC_EXPORT, ALLOCATION_FORMATS)
    blank = None if geo.resources else dbc.Alert(
        "This pack records no teams or budgets, so here is a blank budget: type its total, and "
        "today's split if you have it (type it per area under the controls, or upload it as "
        "a current-allocation CSV with resource 'budget'). To keep teams in the pack, add "
        "[[resources]] to pack.toml (see the README).",
        color="info", className="py-2 small")
    return html.Div([
        controls.pack_notice(geo),
        html.H1("Allocate teams and budgets", className="h3"),
        blank,
        html.P("Share what there is across footprints: a core every area gets, plus an "
               "area-specific part targeted by need. See what has to move to get there.",
               className="text-muted"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody(panel)), lg=3, className="mb-3"),
            dbc.Col(dcc.Loading([
                html.Div(id=ids.ALLOC_SUMMARY, **{"aria-live": "polite"}),
                html.Div(buttons, className="mb-2"),
                dbc.Row([
                    dbc.Col([html.H2("Current and recommended, by area", className="h6"),
                             dcc.Graph(id=ids.ALLOC_BARS, config={"displaylogo": False})],
                            lg=7),
                    dbc.Col([html.H2("Recommended per 10,000 weighted residents",
                                     className="h6"),
                             dcc.Graph(id=ids.ALLOC_MAP, config={"displaylogo": False})], lg=5),
                ]),
                html.H2("Transfers", className="h5 mt-2"),
                html.Div(id=ids.ALLOC_TRANSFERS),
                html.H2("By area", className="h5 mt-3"),
                html.Div(id=ids.ALLOC_TABLE),
                html.H2("Seen from another layer (derived)", className="h5 mt-3"),
                controls.field("Re-express on", dcc.Dropdown(others, reexpress, id=ids.ALLOC_REEXPRESS,
                                                     clearable=False), ids.ALLOC_REEXPRESS),
                html.Div(id=ids.ALLOC_DERIVED),
            ], delay_show=300), lg=9),
        ]),
        dcc.Download(id=ids.ALLOC_DOWNLOAD),
        dcc.Store(id=ids.ALLOC_CURRENT),
        dcc.Store(id=ids.ALLOC_URL),
    ])
