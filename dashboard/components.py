"""Small page parts built by plain functions: tables, cards, empty states."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html, no_update

from dashboard import ids, reference
from dashboard.engine.geography import Geography
from dashboard.engine.profiles import Profile
from dashboard.figures import MAP_HEIGHT
from dashboard.scenarios import ScenarioError


def layer_options(geo: Geography, with_small_areas: bool = True) -> list[dict]:
    return [{"label": lay.label, "value": name} for name, lay in geo.layers.items()
            if with_small_areas or lay.kind != "small_areas"]


def unit_options(geo: Geography, layer: str) -> list[dict]:
    lay = geo.layer(layer)
    return sorted(({"label": f"{n} ({c})", "value": c} for c, n in zip(lay.codes, lay.names)),
                  key=lambda o: o["label"])


def need_options(geo: Geography) -> list[dict]:
    return [{"label": geo.need_labels.get(k, k), "value": k} for k in geo.need]


def field(label, control, target: str, help_text: str | None = None) -> html.Div:
    """A control with its label (and optional help line) above it."""
    return html.Div([dbc.Label(label, html_for=target, className="mb-0 small fw-semibold"),
                     control, html.Div(help_text, className="form-text mt-0")
                     if help_text else None], className="mb-2")


def amount(value: float, unit: str, with_unit: bool = True) -> str:
    """£ to the pound; other units (FTE) to one decimal, with the unit unless a header says it."""
    if unit == "£":
        return f"£{value:,.0f}"
    return f"{value:,.1f} {unit}" if with_unit else f"{value:,.1f}"


def download_buttons(button_ids: dict[str, str], labels: dict[str, str]) -> list:
    """One "Download ..." button per format key (ids and labels keyed alike)."""
    return [dbc.Button(f"Download {label}", id=button_ids[key], color="secondary", outline=True,
                       size="sm", className="me-2 mb-2") for key, label in labels.items()]


def map_placeholder(graph_id: str) -> dcc.Graph:
    """An empty map of the page's height, drawn by the page's first callback (the layout stays
    light and the shapes come by URL)."""
    return dcc.Graph(id=graph_id, figure={"data": [], "layout": {"height": MAP_HEIGHT}},
                     config={"displaylogo": False, "scrollZoom": True},
                     className="border rounded mb-2")


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
                          "boroughs (Kirklees, Oldham, Rochdale) are in the borough list at the "
                          "top right."], color="warning", className="py-2 small")
    if geo.metadata.get("open_data"):
        return dbc.Alert([geo.metadata.get("description", ""),
                          " Sources and vintages at the foot of the page."],
                         color="info", className="py-2 small")
    return None


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


def data_table(frame: pd.DataFrame, formats: dict[str, str] | None = None,
               caption: str | None = None, max_rows: int | None = None) -> dbc.Table:
    """An accessible HTML table (header cells, optional caption) with formatted numbers."""
    formats = formats or {}
    shown = frame if max_rows is None else frame.head(max_rows)
    head = html.Thead(html.Tr([html.Th(col, scope="col") for col in shown.columns]))
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for col, value in zip(shown.columns, record):
            fmt = formats.get(col)
            text = format(value, fmt) if fmt and isinstance(value, (int, float)) else str(value)
            cells.append(html.Td(text, className="text-end" if fmt else None))
        rows.append(html.Tr(cells))
    children = [html.Caption(caption)] if caption else []
    children += [head, html.Tbody(rows)]
    return dbc.Table(children, size="sm", striped=True, hover=True, responsive=True,
                     className="small mb-2 caption-top")


def overlap_tables(geo: Geography, prof: Profile, max_rows: int = 8) -> list:
    """For every other layer, who shares residents with this unit, in both directions."""
    parts = []
    for other, table in prof.overlaps.items():
        olay = geo.layer(other)
        if olay.kind == "small_areas":
            continue
        shown = pd.DataFrame({
            olay.label: table["name"],
            "Residents shared": table["population"],
            "% of this footprint": table["share_of_footprint"],
            f"% of the {olay.label.lower().rstrip('s')}": table["share_of_unit"],
        })
        more = len(table) - max_rows
        caption = f"{olay.label}: {len(table)} share residents" + (
            f" (largest {max_rows} shown)" if more > 0 else "")
        parts.append(data_table(shown, {"Residents shared": ",.0f", "% of this footprint": ".1%",
                                        f"% of the {olay.label.lower().rstrip('s')}": ".1%"},
                                caption=caption, max_rows=max_rows))
    return parts


def unit_details(geo: Geography, prof: Profile, sentences: list[str]) -> dbc.Card:
    """The map's side panel for a selected unit."""
    lay = geo.layer(prof.layer)
    need_rows = prof.need
    headline = [
        html.Div([html.Span(f"{prof.population:,.0f}", className="fs-5 fw-semibold"),
                  html.Span(" residents", className="text-muted")]),
    ]
    if not need_rows.empty:
        first = need_rows.iloc[0]
        headline.append(html.Div(f"{first['label']}: {first['mean_score']:.1f} "
                                 f"(borough {first['borough_mean']:.1f})", className="small"))
    body = [
        html.H2([prof.name, html.Small(f" {prof.code}", className="text-muted")],
                className="h5 mb-0"),
        html.Div(lay.label, className="text-muted small mb-2"),
        *headline,
        html.Ul([html.Li(s) for s in sentences[1:]], className="small ps-3 my-2"),
        dcc.Link("Open the footprint profile →", href=footprint_href(prof.layer, prof.code),
                 className="btn btn-sm btn-outline-primary mb-3"),
        *overlap_tables(geo, prof),
    ]
    return dbc.Card(dbc.CardBody(body), className="shadow-sm")


PACK_CHOICE, DRAFT_CHOICE = "pack", "draft"  # compare the pack's footprints / the draft


def visible_scenarios(keys: dict | None, seen: list | None) -> set[str]:
    """The scenarios this browser may list: those it saved (it holds their edit keys) and
    those shared with it by link."""
    return set((keys or {}).keys()) | set(seen or [])


def scenario_options(store, pack: str, layer: str | None, keys: dict | None = None,
                     seen: list | None = None) -> tuple[list[dict], list[dict], str | None]:
    """This browser's saved scenarios as dropdown options, the same plus the pack's and the
    draft's footprints for comparing, and a message when the store cannot be reached."""
    try:
        saved = [{"label": s.name + ("" if s.id in (keys or {}) or store.team else " (shared)"),
                  "value": s.id}
                 for s in store.list(pack, layer, only=visible_scenarios(keys, seen))]
        problem = None
    except ScenarioError as exc:
        saved, problem = [], str(exc)
    fixed = [{"label": "The pack's footprints", "value": PACK_CHOICE},
             {"label": "This draft (unsaved)", "value": DRAFT_CHOICE}]
    return saved, fixed + saved, problem


UNSAVED_LIMIT = 8  # unsaved drafts kept per page and tab (the most recent)


def keep_unsaved(unsaved: dict | None, page: str, context: str, work: dict | None) -> dict:
    """This tab's unsaved work with ``work`` kept for ``context`` (or dropped when None)."""
    unsaved = {k: dict(v) for k, v in (unsaved or {}).items() if isinstance(v, dict)}
    mine = unsaved.setdefault(page, {})
    mine.pop(context, None)
    if work is not None:
        mine[context] = work
    unsaved[page] = dict(list(mine.items())[-UNSAVED_LIMIT:])
    return unsaved


def seen_with(opened: dict | None, seen: list | None):
    """``seen`` with a scenario opened from a shared link added (``no_update`` if nothing new)."""
    seen = list(seen or [])
    if not opened or not opened.get("id") or opened["id"] in seen:
        return no_update
    return [*seen, opened["id"]][-200:]


def opened_state(scenario, readonly: bool = False) -> dict:
    """What the redraw page keeps about the scenario it has open (a browser store)."""
    return {"id": scenario.id, "name": scenario.name, "version": scenario.version,
            "readonly": readonly}


def share_link(scenario_id: str) -> str:
    """The read-only link that opens a saved scenario."""
    query = urlencode({"pack": reference.current_choice(), "scenario": scenario_id})
    return f"{reference.base_url()}/redraw?{query}"


def hub_options(plan) -> list[dict]:
    """A hub plan's hubs as dropdown options, closed ones marked."""
    return [{"label": f"{h.name}{' (closed)' if h.code in plan.closed else ''}", "value": h.code}
            for h in plan.hubs]
