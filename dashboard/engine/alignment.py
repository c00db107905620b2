"""The borough's answer first: how well every pair of area layers lines up, and for one pair
the units split worst and the plain-English headlines a director reads.

Built on :func:`~dashboard.engine.overlaps.overlap` and
:func:`~dashboard.engine.mismatch.mismatch`, so every figure here is the same one the overlap
explorer, the map and the exports show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.engine.geography import Geography, grouping_key
from dashboard.engine.mismatch import Mismatch, mismatch
from dashboard.engine.overlaps import overlap

SMALL_AREAS = "small_areas"
MANY_PIECES = 3  # "split across 3 or more" in the headlines
MOSTLY = 0.9  # a unit with at least this share in one partner lies "mostly" in it


def area_layers(geo: Geography) -> list[str]:
    """Layers a director compares: every layer but the small areas, in pack order."""
    return [name for name in geo.layers if name != SMALL_AREAS]


def comparable(geo: Geography, a: str, b: str) -> bool:
    """A pair worth comparing: two different layers, neither a grouping of the other (a
    grouping always nests in its own members)."""
    la, lb = geo.layer(a), geo.layer(b)
    return a != b and la.member_of != b and lb.member_of != a


def pair_mismatch(geo: Geography, a: str, b: str) -> Mismatch:
    """Mismatch of ``a`` against ``b`` (proportional method), kept per pack."""
    return geo.derived.get(("pair_mismatch", grouping_key(geo), a, b),
                           lambda: mismatch(overlap(geo, a, b)))


def alignment_matrix(geo: Geography) -> pd.DataFrame:
    """Alignment score of every pair of area layers (symmetric; NaN on the diagonal and for a
    grouping against its own members)."""
    names = area_layers(geo)
    out = pd.DataFrame(np.nan, index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if comparable(geo, a, b):
                out.loc[a, b] = out.loc[b, a] = pair_mismatch(geo, a, b).alignment
    return out


def default_pair(geo: Geography) -> tuple[str, str] | None:
    """The pair a director asks about first: footprints against PCNs where the pack has both,
    else the worst-aligned pair; None when there is nothing to compare."""
    names = area_layers(geo)
    kinds = {n: geo.layer(n).kind for n in names}
    groupings = [n for n in names if kinds[n] == "grouping"]
    registrations = [n for n in names if kinds[n] == "registration"]
    for a in groupings + [n for n in names if kinds[n] == "polygons"]:
        for b in registrations:
            if comparable(geo, a, b):
                return a, b
    matrix = alignment_matrix(geo)
    stacked = matrix.stack().dropna()  # one layer alone: only its blank diagonal
    if stacked.empty:
        return None
    a, b = stacked.idxmin()
    return str(a), str(b)


@dataclass(frozen=True)
class PairHeadlines:
    """What one pair's mismatch means for residents, as figures and sentences."""

    alignment: float
    share_in_best_fit: float  # residents in their A unit's best-fit B unit
    share_split_many: float  # residents whose A unit is split across MANY_PIECES+ B units
    units_mostly_in_one: int  # A units with at least MOSTLY of residents in one B unit
    units: int
    sentences: tuple[str, ...]


def headlines(geo: Geography, a: str, b: str) -> PairHeadlines:
    """Plain-English headlines for layer ``a`` against ``b``."""
    mm = pair_mismatch(geo, a, b)
    units = mm.from_units[mm.from_units["population"] > 0]
    total = float(units["population"].sum()) or 1.0
    la, lb = geo.layer(a), geo.layer(b)
    one_a, one_b, many_b = (lower(singular(la.label)), lower(singular(lb.label)),
                            lower(lb.label))
    split_many = float(units.loc[units["pieces"] >= MANY_PIECES, "population"].sum()) / total
    mostly = int((units["best_fit_share"] >= MOSTLY).sum())
    sentences = [
        f"{split_many:.0%} of residents live in {article(one_a)} {one_a} that is split across "
        f"{MANY_PIECES} or more {many_b}.",
        f"{mostly} of {len(units)} {lower(la.label)} have at least {MOSTLY:.0%} of their "
        f"residents in one {one_b}.",
        f"{mm.nesting_from:.0%} of residents live in the {one_b} that best fits their {one_a}; "
        f"{1 - mm.nesting_from:.0%} live outside it.",
    ]
    if not units.empty and units["share_outside"].iloc[0] > 0:
        worst = units.iloc[0]
        sentences.append(
            f"Most split: {worst['name']}, with {worst['share_outside']:.0%} of its residents "
            f"outside its main {one_b} ({worst['best_fit_name']}), in {int(worst['pieces'])} "
            "pieces.")
    return PairHeadlines(mm.alignment, mm.nesting_from, split_many, mostly, len(units),
                         tuple(sentences))


def worst_units(geo: Geography, a: str, b: str, count: int = 3) -> pd.DataFrame:
    """The ``count`` units of ``a`` most split by ``b`` (largest share outside their main
    partner), only those with anyone outside it."""
    units = pair_mismatch(geo, a, b).from_units
    split = units[(units["population"] > 0) & (units["share_outside"] >= 0.005)]
    return split.head(count).reset_index(drop=True)


def singular(label: str) -> str:
    """'Place partnerships' -> 'Place partnership', 'PCNs' -> 'PCN' (labels are plural)."""
    if label.endswith("ies"):
        return label[:-3] + "y"
    return label[:-1] if label.endswith("s") and not label.endswith("ss") else label


def lower(label: str) -> str:
    """A label inside a sentence: lower case, unless it holds an acronym ('PCNs')."""
    words = label.split()
    if any(len(w) > 1 and w[:2].isupper() for w in words):
        return label
    return label.lower()


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
