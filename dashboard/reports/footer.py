"""The foot of every report: the method in one paragraph, the sources with their vintages and
licences, the pack, the date and the address of the live page."""

from __future__ import annotations

import datetime as dt

from dashboard.data.manifest import USER_DEFINED
from dashboard.engine.geography import Geography
from dashboard.engine.mismatch import DEFAULT_THRESHOLD
from dashboard.reports.model import Footer

METHOD = (
    "Every figure is built from small-area data. Each small area's residents are shared among "
    "the pieces that every boundary cuts it into, in proportion to area, computed in British "
    "National Grid metres; PCN footprints are where each PCN's registered patients live. A "
    "unit's best fit is the unit of the other layer holding most of its residents; pieces count "
    f"the partners holding at least {DEFAULT_THRESHOLD:.0%} of them; the split score adds the "
    "square roots of every partner's share (1 = wholly in one partner). The need index is the "
    "footprint's resident-weighted mean score over the borough's (1 = borough average). "
    "Recommended amounts share each team or budget by the pack's rule (a core part plus an "
    "area-specific part by need-weighted population), keeping the total. Hub distances are "
    "straight lines, not travel times."
)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def footer(geo: Geography, address: str, day: dt.date | None = None) -> Footer:
    """The footer for ``geo``; ``address`` is where the same content lives in the dashboard."""
    sources, attributions = [], []
    for src in geo.metadata.get("sources", []):
        parts = [src.get("role"), src.get("vintage"), src.get("publisher"), src.get("licence")]
        sources.append(f"{src.get('title', 'source')}: " + "; ".join(p for p in parts if p) + ".")
        note = src.get("attribution")
        if note and note not in attributions:
            attributions.append(note)
    if not sources:
        sources.append("The pack records no sources; see its pack.toml.")
    kind = " (FICTIONAL demo data)" if geo.fictional else ""
    return Footer(METHOD, tuple(sources), tuple(attributions), f"{geo.name}{kind}",
                  long_date(day or dt.date.today()), address)


def notices(geo: Geography, layers: list[str]) -> tuple[str, ...]:
    """Labels a reader must not miss: fictional data, estimated and user-defined footprints."""
    out = []
    if geo.fictional:
        out.append("FICTIONAL DEMO DATA: no figure in this report describes a real place.")
    for name in layers:
        lay = geo.layer(name)
        if lay.estimated:
            out.append(f"{lay.label}: footprints ESTIMATED from practice locations and list "
                       "sizes, not from registrations.")
        if USER_DEFINED in lay.label:
            out.append(f"{lay.label}: drawn in the dashboard, not an official boundary.")
    return tuple(out)
