"""What the redraw page shows for a draft: the map's colours, the summary line, the balance
table, the ward list, and the comparison of two arrangements."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import Patch, html

from dashboard.engine import drafts
from dashboard.engine.adjacency import distinct_colours, touching
from dashboard.engine.balance import Balance, compare
from dashboard.engine.drafts import Draft
from dashboard.engine.geography import grouping_key
from dashboard.web import ids, reference
from dashboard.web.common import controls, drawn_table, mapbase, scenarios
from dashboard.web.common.shapes import display_geometry
from dashboard.web.redraw import figures
from dashboard.web.redraw.state import Judging, read_only


def balance_table(geo, bal: Balance, colours: list[str]) -> dict:
    """One row per footprint with its colour on the map (``colours``, in the table's order);
    out-of-band figures flagged in words. Drawn in the browser (:mod:`drawn_table`)."""
    against = geo.layer(bal.against).label
    res = bal.resource
    head = ["Footprint", "Wards", "Residents", "vs target", "Need-weighted", "vs target",
            "Need index", "Pieces", f"Best-fit {against}", f"{against} cut"]
    if res is not None:
        head += [f"{res.title} ({res.unit})", "per 10k weighted"]
    rows = []
    for i, r in enumerate(bal.table.itertuples()):
        cells = [drawn_table.cell(r.name, swatch=colours[i], class_name="fw-normal text-nowrap"),
                 drawn_table.cell(r.wards), drawn_table.cell(f"{r.population:,.0f}"),
                 _band(r.deviation, r.within), drawn_table.cell(f"{r.need_population:,.0f}"),
                 _band(r.need_deviation, r.need_within),
                 drawn_table.cell(f"{r.need_index:.2f}"), _pieces(r.pieces, r.wards),
                 drawn_table.cell(f"{r.best_fit_name} ({r.best_fit_share:.0%})"),
                 drawn_table.cell(r.splits)]
        if res is not None:
            cells += [drawn_table.cell(controls.amount(r.recommended, res.unit, with_unit=False)),
                      drawn_table.cell("" if pd.isna(r.per_10k) else f"{r.per_10k:,.2f}")]
        rows.append(cells)
    caption = (f"Target {bal.target:,.0f} residents per footprint, band ±{bal.tolerance:.0%}. "
               f"'{against} cut' counts {against} holding at least 5% of the footprint's people.")
    return drawn_table.spec(f"{ids.REDRAW_BALANCE}-table", head, rows, caption)


def legend(draft: Draft, colours: list[str]) -> html.Ul:
    """The map's colour key: a swatch and the name of every footprint."""
    return html.Ul([html.Li([_swatch(colour), name], className="list-inline-item me-3")
                    for (code, name), colour in zip(draft.groups.items(), colours)],
                   className="list-inline mb-0", **{"aria-label": "Colour key"})


def _swatch(colour: str) -> html.Span:
    return html.Span(className="d-inline-block me-1 border align-middle", style={
        "width": "0.9em", "height": "0.9em", "background": colour})


def _band(deviation: float, within: bool) -> dict:
    text = f"{deviation:+.1%}"
    return drawn_table.cell(text if within else f"{text} outside", alert=not within)


def _pieces(pieces: int, wards: int) -> dict:
    if wards == 0:
        return drawn_table.cell("empty", alert=True)
    return drawn_table.cell(pieces, alert=pieces != 1)


def summary(geo, draft: Draft, bal: Balance) -> html.P:
    within = int(bal.table["within"].sum())
    footprints = len(bal.table) - (1 if draft.new else 0)
    if draft.new:
        done = len(draft.assignment) - len(draft.unassigned)
        progress = f"{done} of {len(draft.assignment)} wards in footprints."
    else:
        base = drafts.start(geo, draft.layer).assignment
        progress = f"{len(drafts.moved(base, draft))} ward(s) moved from the pack's footprints."
    return html.P([
        html.Strong(f"Alignment with {geo.layer(bal.against).label}: {bal.alignment:.1%}. "),
        f"{within} of {footprints} footprints within ±{bal.tolerance:.0%} of "
        f"{bal.target:,.0f} residents; split score {bal.split_score:.2f}; {progress}"],
        className="mb-1", id=f"{ids.REDRAW_SUMMARY}-text")


def palette(geo, draft: Draft) -> list[str]:
    """A colour per footprint of the draft (in its order): footprints that touch (or nearly)
    never share one, each keeps its colour from the pack's arrangement where it can, and the
    unassigned are grey."""
    member = geo.layer(geo.layer(draft.layer).member_of)
    near = touching(geo, member.name)
    k = len(mapbase.REDRAW_COLOURS)

    def numbers(d: Draft, own=None):
        codes = list(d.groups)
        labels = np.array([codes.index(d.assignment[m]) for m in member.codes])
        skip = [codes.index(drafts.UNASSIGNED)] if drafts.UNASSIGNED in codes else []
        return distinct_colours(near, labels, len(codes), k, own=own, skip=skip)

    def pack_colours() -> dict:
        base = drafts.start(geo, draft.layer)
        return dict(zip(base.groups, numbers(base)))

    start = {} if draft.new else geo.derived.get(
        ("redraw-colours", grouping_key(geo), draft.layer), pack_colours)
    own = [start.get(code, -1) for code in draft.groups]
    return [mapbase.UNASSIGNED_COLOUR if n < 0 else mapbase.REDRAW_COLOURS[n]
            for n in numbers(draft, own)]


def map_update(geo, draft: Draft, first: bool) -> Patch | dict:
    """The whole map on the page's first render, then only its colours, hover text, footprint
    names and moved wards."""
    lay = geo.layer(draft.layer)
    member = geo.layer(lay.member_of)
    codes = list(draft.groups)
    labels = np.array([codes.index(draft.assignment[m]) for m in member.codes])
    hover = [f"{n}: {draft.groups[draft.assignment[m]]}" for m, n in zip(member.codes,
                                                                          member.names)]
    disp = display_geometry(geo)
    fill = figures.footprint_colours(disp, member.name, labels,
                                     palette(geo, draft), hover)
    names = _name_points(disp, member.name, labels, draft)
    moved = _moved_outlines(geo, disp, draft)
    if first:
        fig = figures.redraw_map(reference.map_source(geo), member.name,
                                 reference.outline_url(geo, disp, member.name))
        fig["data"][0].update(fill)
        fig["data"][1].update(lon=moved[0], lat=moved[1])
        fig["data"][2].update(lon=names[0], lat=names[1], text=names[2])
        return fig
    patch = Patch()
    for key, value in fill.items():
        patch["data"][0][key] = value
    patch["data"][1]["lon"], patch["data"][1]["lat"] = moved
    patch["data"][2]["lon"], patch["data"][2]["lat"], patch["data"][2]["text"] = names
    return patch


def _name_points(disp, member_layer: str, labels: np.ndarray, draft: Draft
                 ) -> tuple[list, list, list]:
    """Each footprint's name at the label point of its ward nearest the footprint's middle."""
    lons, lats = (np.asarray(v, dtype=float) for v in disp.label_points[member_layer])
    out: tuple[list, list, list] = ([], [], [])
    for g, (code, name) in enumerate(draft.groups.items()):
        wards = np.flatnonzero(labels == g)
        if code == drafts.UNASSIGNED or not len(wards):
            continue
        middle = np.array([lons[wards].mean(), lats[wards].mean()])
        near = wards[np.argmin((lons[wards] - middle[0]) ** 2 + (lats[wards] - middle[1]) ** 2)]
        out[0].append(float(lons[near]))
        out[1].append(float(lats[near]))
        out[2].append(name)
    if not out[2]:  # never empty: see mapbase.stack
        lon, lat = mapbase.no_highlight(disp)
        return lon[:1], lat[:1], [""]
    return out


def _moved_outlines(geo, disp, draft: Draft) -> tuple[list, list]:
    """Outlines of the wards moved from the pack's footprints (none on a new layer: then the
    zero-length line that stands for nothing, as the trace must never be empty)."""
    if draft.new:
        return mapbase.no_highlight(disp)
    member = geo.layer(geo.layer(draft.layer).member_of)
    lons: list = []
    lats: list = []
    for ward in drafts.moved(drafts.start(geo, draft.layer).assignment, draft):
        lon, lat = mapbase.outline_of(disp, member.name, member.index_of(ward))
        lons += [*lon, None]
        lats += [*lat, None]
    return (lons, lats) if lons else mapbase.no_highlight(disp)


def render(geo, data, judging: Judging, opened, select_ids) -> dict:
    """Everything that follows from the draft, by output name: map colours, summary, warnings,
    the balance table, the ward list and which controls are live."""
    draft = drafts.from_json(geo, data)
    bal = judging.judge(geo, draft)
    options = [{"label": n, "value": c} for c, n in draft.groups.items()]
    readonly = read_only(opened)
    n = len(select_ids)
    colours = palette(geo, draft)
    return {"map": map_update(geo, draft, first=False),
            "summary": summary(geo, draft, bal),
            "warnings": [controls.small_alert(w, "warning") for w in bal.warnings],
            "balance": balance_table(geo, bal, colours),
            "legend": legend(draft, colours),
            "wards": {"value": [draft.assignment[i["code"]] for i in select_ids],
                      "options": [options] * n, "disabled": [readonly] * n},
            "paint": options, "locks": options, "undo": not draft.undo or readonly,
            "redo": not draft.redo or readonly}


def arrangement(geo, choice: str, data) -> Draft:
    """A compare choice as a draft: the pack's footprints, this draft, or a saved scenario."""
    if choice == scenarios.PACK_CHOICE:
        return drafts.start(geo, data["layer"])
    if choice == scenarios.DRAFT_CHOICE:
        return drafts.from_json(geo, data)
    return drafts.from_json(geo, reference.scenarios().get(choice).payload["draft"])


def compare_view(geo, a: Draft, b: Draft, labels: tuple[str, str], judging: Judging) -> tuple:
    """How two arrangements differ: a summary line, a table footprint by footprint (drawn in
    the browser, :mod:`drawn_table`) and the wards that moved."""
    res = judging.resource_of(geo)
    cmp = compare(geo, a, b, judging.against, need=judging.need, tolerance=judging.band(),
                  resource=res)
    t = cmp.table
    head = ["Footprint", "Residents A", "Residents B", "Change", "Need-weighted change"]
    columns = [(t["population_a"], ",.0f"), (t["population_b"], ",.0f"),
               (t["population_change"], "+,.0f"), (t["need_population_change"], "+,.0f")]
    if res is not None:
        head.append(f"{res.title} change ({res.unit})")
        columns.append((t["recommended_change"], "+,.1f"))
    rows = [[drawn_table.cell(name, class_name="fw-normal text-nowrap")]
            + [drawn_table.cell(format(values.iloc[i], fmt), class_name="text-end")
               for values, fmt in columns] for i, name in enumerate(t["name"])]
    moves = [html.Li(f"{r.name}: {r.from_footprint} → {r.to_footprint}") for r in cmp.moved.itertuples()]
    summary = html.P([html.Strong(f"{len(cmp.moved)} ward(s) differ. "),
                      f"Alignment {cmp.alignment[0]:.1%} in A, {cmp.alignment[1]:.1%} in B; "
                      f"{cmp.within[0]} and {cmp.within[1]} footprints within the band."],
                     className="small mb-1", id=f"{ids.REDRAW_COMPARE}-text")
    table = drawn_table.spec(f"{ids.REDRAW_COMPARE}-table", head, rows,
                             caption=f"A: {labels[0]}. B: {labels[1]}.",
                             class_name="small mb-2 caption-top")
    return summary, table, html.Ul(moves, className="small") if moves else None
