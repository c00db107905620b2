"""Which reports a request asks for, and the PDF file they make: shared by the command line and
the dashboard's download buttons."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from dashboard.engine.geography import Geography
from dashboard.reports.footprint import footprint_report
from dashboard.reports.model import Report
from dashboard.reports.summary import borough_summary, summary_pair


def live_address(base: str, path: str, **params) -> str:
    """Where the same content lives in the dashboard; ``base`` is its public address (empty
    when unknown: the path is then given, to open on the dashboard's own address)."""
    query = urlencode({k: v for k, v in params.items() if v})
    where = f"{path}?{query}" if query else path
    return f"{base.rstrip('/')}{where}" if base else f"{where} on the dashboard's address"


def reports_for(geo: Geography, layer: str, code: str | None = None, *, every: bool = False,
                need: str | None = None, against: str | None = None, base: str = "",
                pack: str | None = None, day: dt.date | None = None) -> list[Report]:
    """The footprint report of ``code``; with ``every``, one for each unit of ``layer`` followed
    by the borough summary; with neither, the borough summary alone."""
    lay = geo.layer(layer)
    codes = list(lay.codes) if every else [code] if code else []
    reports = [footprint_report(geo, layer, c, need, day=day, address=live_address(
        base, "/footprint", layer=layer, code=c, need=need, pack=pack)) for c in codes]
    if every or not code:
        a, b = summary_pair(geo, layer, against)
        reports.append(borough_summary(geo, a, b, day=day, address=live_address(
            base, "/", from_layer=a, to_layer=b, pack=pack)))
    return reports


def report_name(geo: Geography, layer: str, code: str | None, every: bool) -> str:
    from dashboard.exports import file_stem, slug

    what = "all" if every else code or "summary"
    return f"{file_stem(geo, 'board-report', slug(layer), slug(what))}.pdf"
