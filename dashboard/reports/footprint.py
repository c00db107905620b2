"""One footprint on one page: who lives there, how it lines up with every other layer, what
its teams and budgets should be, and how near its residents are to a hub."""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.engine import alignment
from dashboard.engine.access import DEFAULT_BANDS_M, band_label
from dashboard.engine.geography import Geography
from dashboard.engine.profiles import Profile, describe, piece_layer_for, profile
from dashboard.reports import maps
from dashboard.reports.footer import footer, notices
from dashboard.reports.model import (
    Beside,
    Figures,
    Picture,
    Report,
    Table,
    Text,
    amount,
    people,
    score,
    share,
)
from dashboard.reports.teams import NO_TEAMS, allocations, hub_access


def footprint_report(geo: Geography, layer: str, code: str, need: str | None = None, *,
                     address: str = "", day: dt.date | None = None) -> Report:
    """The board report of unit ``code`` of ``layer``; ``need`` is the indicator of its need
    figures (the pack's first when None); ``address`` is its live profile's."""
    lay = geo.layer(layer)
    k = lay.index_of(code)
    need = need if need is not None else next(iter(geo.need), None)
    prof = profile(geo, layer, code, need)
    picture = Picture(maps.footprint_png(geo, layer, k), _alt(geo, prof), _caption(geo, layer))
    blocks = [_figures(geo, prof, need),
              Beside(picture, Text("In brief", tuple(describe(geo, prof)))),
              _lines_up(geo, prof)]
    blocks += [b for b in (_teams(geo, layer, code), _hubs(geo, layer, code, need)) if b]
    others = [n for n in alignment.area_layers(geo) if n != layer]
    return Report(f"{prof.name} ({code})", f"{lay.label} · {geo.name}",
                  notices(geo, [layer, *others]), tuple(blocks), footer(geo, address, day))


def _caption(geo: Geography, layer: str) -> str:
    lay = geo.layer(layer)
    piece = piece_layer_for(geo, layer)
    parts = [f"Coloured by the {alignment.lower(alignment.singular(geo.layer(piece).label))} "
             "holding most of each piece's residents" if piece else "The footprint"]
    if lay.member_of:
        parts.append(f"grey lines: its {alignment.lower(geo.layer(lay.member_of).label)}")
    parts.append("neighbours in light grey")
    if geo.hubs is not None and not geo.hubs.empty:
        parts.append("hubs inside it marked")
    return "; ".join(parts) + "."


def _alt(geo: Geography, prof: Profile) -> str:
    parts = [f"Map of {prof.name}, {prof.population:,.0f} residents."]
    for other, table in prof.overlaps.items():
        olay = geo.layer(other)
        if olay.kind == "small_areas" or table.empty:
            continue
        names = ", ".join(f"{r.name} {r.share_of_footprint:.0%}" for r in table.head(4).itertuples())
        parts.append(f"{olay.label}: {names}.")
    return " ".join(parts)


def _figures(geo: Geography, prof: Profile, need: str | None) -> Figures:
    borough_km2 = float(np.sum(geo.atoms.area_m2)) / 1e6
    items = [(people(prof.population), "Residents",
              f"{share(prof.population / prof.borough_population, 1)} of the borough's "
              f"{people(prof.borough_population)}"),
             (f"{prof.area_km2:,.1f} km²", "Area", f"{share(prof.area_km2 / borough_km2, 1)} "
                                                   "of the borough")]
    row = prof.need[prof.need["indicator"] == need] if need else prof.need.iloc[0:0]
    if len(row):
        r = row.iloc[0]
        items += [(score(r["index"]), f"Need index: {r['label']}",
                   f"mean score {r['mean_score']:.1f}, borough {r['borough_mean']:.1f} (= 1)"),
                  (people(prof.population * r["index"]), "Need-weighted residents",
                   "residents counted by need")]
    return Figures(tuple(items))


def _lines_up(geo: Geography, prof: Profile) -> Table:
    """Best fit, pieces, split score and share outside against every other area layer."""
    lay = geo.layer(prof.layer)
    rows = []
    for other in alignment.area_layers(geo):
        if other == prof.layer:
            continue
        olay = geo.layer(other)
        if alignment.comparable(geo, prof.layer, other):
            units = alignment.pair_mismatch(geo, prof.layer, other).from_units
            u = units[units["code"] == prof.code].iloc[0]
            rows.append((olay.label, str(u["best_fit_name"]), share(u["best_fit_share"]),
                         str(int(u["pieces"])), score(u["split_score"]),
                         share(u["share_outside"])))
        elif other == lay.member_of:
            n = len(prof.overlaps[other])
            rows.append((olay.label, f"made of {n} {alignment.lower(olay.label)}", "100%", "–",
                         "–", "0%"))
        else:  # this layer's units are the members of ``other``: each lies wholly in one
            top = prof.overlaps[other].iloc[0]
            rows.append((olay.label, str(top["name"]), "100%", "1", score(1.0), "0%"))
    return Table("How it lines up with the other layers",
                 ("Layer", "Best fit", "Residents in it", "Pieces", "Split score",
                  "Outside it"), tuple(rows), (False, False, True, True, True, True),
                 "Best fit: the unit holding most of its residents. Split score 1 = wholly in "
                 "one unit.", (2.2, 2.6, 1.2, 0.9, 1.0, 1.0))


def _teams(geo: Geography, layer: str, code: str) -> Table:
    """Current against recommended amount of each team or budget in the pack, and the gap."""
    rows = []
    for res, table, problem in allocations(geo, layer):
        if table is None:
            rows.append((res.title, "–", "–", problem))
            continue
        r = table[table["code"] == code].iloc[0]
        rows.append((res.title, amount(r["current"], res.unit),
                     amount(r["recommended"], res.unit), amount(r["gap"], res.unit, signed=True)))
    note = ("Recommended by each resource's rule in the pack; gap = recommended − current."
            if rows else NO_TEAMS)
    return Table("Teams and budgets", ("Team or budget", "Current", "Recommended", "Gap"),
                 tuple(rows), (False, True, True, True), note, (3.2, 1.4, 1.4, 1.4))


def _hubs(geo: Geography, layer: str, code: str, need: str | None) -> Table | None:
    """Share of residents within each straight-line distance of a hub."""
    result = hub_access(geo, layer, need)
    if result is None:
        return None
    row = result.footprints.set_index("code").loc[code]
    cells = tuple(share(row[f"share_within_{b:g}_m"]) for b in DEFAULT_BANDS_M)
    median = f"{row['median_straight_line_m'] / 1000:.1f} km"
    note = (f"Hubs inside: {row['hubs_inside'] or 'none'}. Hubs serving it: "
            f"{row['hubs_serving'] or 'none'}. Straight-line distance to the nearest hub.")
    return Table("Hub access", (*(band_label(b).capitalize() for b in DEFAULT_BANDS_M),
                                "Median distance"),
                 (cells + (median,),), (True,) * (len(DEFAULT_BANDS_M) + 1), note)
