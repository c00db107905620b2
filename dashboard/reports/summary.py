"""The borough on two to four pages: how well every pair of layers lines up, a map of the chosen
pair's mismatch, the units split worst, and each team or budget shared across the chosen layer.
The printable twin of the overview page."""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.engine import alignment
from dashboard.engine.geography import Geography, LayerError
from dashboard.reports import maps
from dashboard.reports.footer import footer, notices
from dashboard.reports.model import Figures, Picture, Report, Table, Text, amount, people, score, share
from dashboard.reports.teams import NO_TEAMS, allocations

WORST = 10


def summary_pair(geo: Geography, layer: str | None, against: str | None) -> tuple[str, str]:
    """The pair the summary maps: ``layer`` against ``against`` when they can be compared, else
    ``layer`` against the layer it is most often compared with (PCNs first), else the
    overview's default pair."""
    names = alignment.area_layers(geo)
    if layer is not None and layer not in names:
        raise LayerError(f"The pack has no area layer '{layer}'. Layers: {', '.join(names)}.")
    if layer and against:
        if against not in names or not alignment.comparable(geo, layer, against):
            raise LayerError(f"'{layer}' cannot be compared with '{against}'; choose another "
                             f"layer of: {', '.join(names)}.")
        return layer, against
    default = alignment.default_pair(geo)
    if layer is None or (default and default[0] == layer):
        if default is None:
            raise LayerError("This pack has one area layer, so there is nothing to compare.")
        return default
    partners = sorted((n for n in names if alignment.comparable(geo, layer, n)),
                      key=lambda n: geo.layer(n).kind != "registration")
    if not partners:
        raise LayerError(f"'{layer}' has no other layer to be compared with.")
    return layer, partners[0]


def borough_summary(geo: Geography, layer: str | None = None, against: str | None = None, *,
                    address: str = "", day: dt.date | None = None) -> Report:
    """The summary for the pair ``layer`` / ``against`` (see :func:`summary_pair`)."""
    a, b = summary_pair(geo, layer, against)
    la, lb = geo.layer(a), geo.layer(b)
    heads = alignment.headlines(geo, a, b)
    picture = Picture(
        maps.mismatch_png(geo, a, b),
        f"Map of {geo.name}: each small area shaded by the share of its residents outside "
        f"their {alignment.lower(alignment.singular(la.label))}'s main "
        f"{alignment.lower(alignment.singular(lb.label))}; {la.label} outlined in black, "
        f"{lb.label} dashed in blue. Alignment {heads.alignment:.0%}.",
        "Darker small areas: more residents outside their unit's best fit.")
    blocks = (_figures(geo), matrix_table(geo),
              Text(f"{la.label} against {lb.label}: alignment {share(heads.alignment)}",
                   heads.sentences),
              picture, _worst(geo, a, b), *_allocations(geo, a))
    return Report(f"How well do {possessive(geo.name.split(' (')[0])} boundaries line up?",
                  f"Borough summary · {la.label} against {lb.label} · {geo.name}",
                  notices(geo, alignment.area_layers(geo)), blocks, footer(geo, address, day),
                  breaks=(3,))


def _figures(geo: Geography) -> Figures:
    items = [(people(geo.total_population), "Residents",
              f"in {len(geo.small_areas):,} small areas")]
    items += [(f"{len(geo.layer(n))}", geo.layer(n).label, geo.layer(n).basis)
              for n in alignment.area_layers(geo)]
    if geo.hubs is not None:
        items.append((f"{len(geo.hubs)}", "Hubs", "locations"))
    return Figures(tuple(items[:6]))


def matrix_table(geo: Geography) -> Table:
    """The alignment of every pair of area layers."""
    scores = alignment.alignment_matrix(geo)
    names = list(scores.index)
    rows = []
    for a in names:
        cells = [geo.layer(a).label]
        for b in names:
            value = scores.loc[a, b]
            cells.append("—" if a == b else "nests" if np.isnan(value) else share(value))
        rows.append(tuple(cells))
    return Table("Every pair of layers",
                 ("", *(geo.layer(n).label for n in names)), tuple(rows),
                 (False, *([True] * len(names))),
                 "Alignment: the share of residents who live in the unit that best fits theirs "
                 "(100% = one layer's boundaries follow the other's). 'nests': a grouping of "
                 "the other layer.")


def _worst(geo: Geography, a: str, b: str) -> Table:
    units = alignment.worst_units(geo, a, b, WORST)
    one_b = alignment.lower(alignment.singular(geo.layer(b).label))
    rows = tuple((str(u.name), str(u.code), people(u.population), str(u.best_fit_name),
                  share(u.best_fit_share), str(int(u.pieces)), score(u.split_score),
                  share(u.share_outside)) for u in units.itertuples(index=False))
    return Table(f"The {len(units)} {alignment.lower(geo.layer(a).label)} most split by "
                 f"{alignment.lower(geo.layer(b).label)}",
                 ("Unit", "Code", "Residents", f"Main {one_b}", "In it", "Pieces",
                  "Split score", "Outside it"), rows,
                 (False, False, True, False, True, True, True, True),
                 "" if rows else "No unit is split: every one lies within one partner.",
                 (2.4, 1.4, 1.2, 2.4, 0.8, 0.8, 0.9, 0.9))


def _allocations(geo: Geography, layer: str) -> list:
    """Each team or budget's recommended amount per unit (its gap against today's in
    brackets), as one table."""
    lay = geo.layer(layer)
    heading = f"Teams and budgets by {alignment.lower(lay.label)}"
    if not geo.resources:
        return [Text(heading, (NO_TEAMS,), bullets=False)]
    columns, cells, problems = [], [], []
    for res, table, problem in allocations(geo, layer):
        if table is None:
            problems.append(f"{res.title}: {problem}")
            continue
        columns.append(f"{res.title} ({res.unit})")
        cells.append([_with_gap(r.recommended, r.gap, res.unit) for r in table.itertuples()])
    if not columns:
        return [Text(heading, tuple(problems), bullets=False)]
    rows = tuple((name, *(col[i] for col in cells)) for i, name in enumerate(lay.names))
    note = "Recommended amount; in brackets, the gap against today's (+ means more)."
    return [Table(heading, (alignment.singular(lay.label), *columns), rows,
                  (False, *([True] * len(columns))),
                  " ".join([note, *problems]))]


def possessive(name: str) -> str:
    """'Brackmoor' -> "Brackmoor's", 'Kirklees' -> "Kirklees'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _with_gap(recommended: float, gap: float, unit: str) -> str:
    text = amount(recommended, unit, bare=True)
    return text if not np.isfinite(gap) else f"{text} ({amount(gap, unit, signed=True, bare=True)})"
