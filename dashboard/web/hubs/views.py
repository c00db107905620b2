"""What the hubs page shows for a plan: the map, the access summary and the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import html

from dashboard.engine import hubplan
from dashboard.engine.access import Access, band_label, hub_table
from dashboard.engine.hubplan import HubPlan
from dashboard.web import ids, reference
from dashboard.web.common import drawn_table, mapbase
from dashboard.web.hubs import figures
from dashboard.web.hubs.state import HubSettings, measure


def _km(metres: float) -> str:
    return "–" if not np.isfinite(metres) else f"{metres / 1000:.1f} km"


def shading(result: Access, shade: str, bands: list[float]) -> mapbase.Shading:
    """Small areas by distance band to the nearest hub, or by which hub is nearest."""
    areas = result.areas
    distance = areas["straight_line_m"].to_numpy()
    hover = [f"{n}: {_km(d)} in a straight line to {h or 'no hub'}"
             for n, d, h in zip(areas["name"], distance, areas["nearest_hub_name"])]
    if shade == "catchment" and len(result.hubs):
        codes = list(result.hubs["code"])
        colours = [mapbase.CATCHMENT_COLOURS[i % len(mapbase.CATCHMENT_COLOURS)]
                   for i in range(len(codes))]
        return mapbase.categories([codes.index(c) for c in areas["nearest_hub"]], colours,
                                  list(result.hubs["name"]), "Nearest hub", hover)
    edges = [b / 1000 for b in bands]
    ticks = [f"≤ {edges[0]:g} km"] + [f"{a:g}–{b:g} km" for a, b in zip(edges, edges[1:])] + [
        f"> {edges[-1]:g} km"]
    return mapbase.categories(np.searchsorted(np.asarray(bands), distance, side="left"),
                              figures.band_colours(len(bands)), ticks,
                              "Straight line<br>to nearest hub", hover)


def hub_points(plan: HubPlan) -> list[dict]:
    table = plan.table(include_closed=True)
    lon, lat = mapbase.bng_to_lonlat(table["x"], table["y"])
    return [{"code": r.code, "name": r.name, "type": r.type, "staff": float(r.staff),
             "lon": float(lo), "lat": float(la), "closed": r.code in plan.closed}
            for r, lo, la in zip(table.itertuples(), lon, lat)]


def hub_figure(here, result: Access, plan: HubPlan, bands: list[float], view: dict) -> dict:
    # A scenario's footprints change the outlines, not the shapes or their URL.
    return figures.hub_map(here, reference.map_source(here), result.layer,
                           shading(result, view["shade"], bands), hub_points(plan),
                           view["chosen"])


def summary(result: Access, base: Access | None) -> html.Div:
    rows = result.bands
    parts = []
    for i, r in enumerate(rows.itertuples()):
        change = ""
        if base is not None:
            diff = r.population - base.bands.iloc[i]["population"]
            change = f"; {diff:+,.0f} against the pack's hubs"
        parts.append(html.Li([f"{band_label(r.within_m)}: ",
                              html.Strong(f"{r.population:,.0f}",
                                          id=f"{ids.HUBS_SUMMARY}-within-{r.within_m:g}"),
                              f" residents ({r.share:.1%}; need-weighted "
                              f"{r.weighted_share:.1%}{change})"]))
    flags = []
    if result.hubs_outside_footprint:
        flags.append(f"Sitting outside the footprint they serve: "
                     f"{', '.join(result.hubs_outside_footprint)}.")
    if result.footprints_without_hub:
        flags.append(f"No hub inside or serving: {', '.join(result.footprints_without_hub)}.")
    return html.Div([
        html.P(html.Strong(f"{len(result.hubs)} hub(s) counted; straight-line distance from "
                           "where residents live:"), className="mb-0 small"),
        html.Ul(parts, className="small mb-1"),
        *[html.P(f, className="small text-danger mb-1") for f in flags]])


def unit_name(geo, code: str) -> str:
    """The name of the footprint a hub serves, from whichever area layer has that code."""
    for lay in geo.layers.values():
        if lay.kind != "small_areas" and code in lay.positions:
            return lay.names[lay.positions[code]]
    return code


def tables(here, result: Access, changes: pd.DataFrame) -> list[dict]:
    """The tables under the map, as a section drawn in the browser (:mod:`drawn_table`): they
    change with every edit, and as Dash components their cells made each click a quarter of a
    second slower."""
    c = result.catchments
    hubs = pd.DataFrame({
        "Hub": c["name"], "Type": c["type"],
        "Sits in": c["sits_in_name"],
        "Serves": [unit_name(here, s) for s in c["serves"]],
        "Catchment residents": c["population"], "Need-weighted": c["weighted_population"],
        "Need index": c["need_index"], "Staff (FTE)": c["staff"],
        "Staff per 10k weighted": c["staff_per_10k"],
        "Median straight line (km)": c["median_straight_line_m"] / 1000})
    formats = {"Catchment residents": ",.0f", "Need-weighted": ",.0f", "Need index": ".2f",
               "Staff (FTE)": ",.1f", "Staff per 10k weighted": ",.2f",
               "Median straight line (km)": ".1f"}
    parts = [drawn_table.heading("Hubs and their catchments", "h5 mt-2"),
             drawn_table.table(drawn_table.frame_spec("hubs-catchments", hubs, formats, caption=(
                 "Each small area belongs to its nearest counted hub (straight line). Staff per "
                 "10,000 need-weighted residents of the catchment.")))]
    outside = c.loc[c["outside_footprint"], "name"].tolist()
    if outside:
        parts.append(drawn_table.note(f"{', '.join(outside)} sit outside the footprint they "
                                      "serve.", alert=True))
    if result.footprints is not None:
        f = result.footprints
        shown = pd.DataFrame({"Footprint": f["name"], "Residents": f["population"],
                              "Hubs inside": f["hubs_inside"].replace("", "none"),
                              "Hubs serving": f["hubs_serving"].replace("", "none")})
        fmt = {"Residents": ",.0f", "Median straight line (km)": ".1f"}
        for col in [k for k in f.columns if k.startswith("share_within_")]:
            label = f"Share {band_label(float(col.split('_')[2]))}"
            shown[label] = f[col]
            fmt[label] = ".0%"
        shown["Median straight line (km)"] = f["median_straight_line_m"] / 1000
        parts += [drawn_table.heading(f"{here.layer(result.layer).label}: their residents' "
                                      "access"),
                  drawn_table.table(drawn_table.frame_spec("hubs-footprints", shown, fmt))]
        if result.footprints_without_hub:
            parts.append(drawn_table.note(f"No hub inside or serving: "
                                          f"{', '.join(result.footprints_without_hub)}.",
                                          alert=True))
    far = result.farthest()
    parts += [drawn_table.heading("Small areas farthest from any counted hub"),
              drawn_table.table(drawn_table.frame_spec("hubs-farthest", pd.DataFrame({
                  "Code": far["code"], "Small area": far["name"], "Residents": far["population"],
                  "Nearest hub": far["nearest_hub_name"],
                  "Straight line (km)": far["straight_line_m"] / 1000}),
                  {"Residents": ",.0f", "Straight line (km)": ".1f"}))]
    if len(changes):
        parts += [drawn_table.heading("Changes from the pack's hubs"),
                  drawn_table.bullets([f"{r.name}: {r.change}"
                                       + (f" {r.moved_straight_line_m / 1000:.1f} km"
                                          if r.change == "moved" else "")
                                       for r in changes.itertuples()])]
    return parts


def render(geo, plan_data: dict, opened: dict | None, settings: HubSettings,
           view: dict) -> dict:
    """Everything that follows from the plan, by output name; ``view`` holds the map's
    ``shade`` and the ``chosen`` hub."""
    here, plan, result = measure(geo, plan_data, opened, settings)
    changes = hubplan.changes(geo, plan)
    # The pack's hubs judged the same way, for the change each figure shows.
    base = settings.judge(here, hub_table(geo)) if len(changes) else None
    return {"map": hub_figure(here, result, plan, settings.bands_m(), view),
            "summary": summary(result, base), "tables": tables(here, result, changes),
            "undo": not plan.undo, "redo": not plan.redo}
