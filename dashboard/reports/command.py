"""``python -m dashboard report``: board reports as PDF from the command line."""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.errors import DashboardError


def cmd_report(args) -> int:
    from dashboard.cli import _load
    from dashboard.config import Settings
    from dashboard.reports.files import reports_for
    from dashboard.reports.pdf import pdf_bytes

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise DashboardError(f"Cannot write '{out.name}': a report is a PDF; use a file name "
                             "ending in .pdf.")
    geo = _load(args.pack)
    # An unknown layer, code or indicator is named before anything is drawn.
    layer = geo.layer(args.layer)
    if args.code:
        layer.index_of(args.code)
    if args.need is not None:
        geo.need_values(args.need)
    base = Settings.from_env({"DASHBOARD_PUBLIC_URL": os.environ.get("DASHBOARD_PUBLIC_URL",
                                                                     "")}).public_url
    reports = reports_for(geo, args.layer, args.code, every=args.all, need=args.need,
                          against=args.against, base=args.url or base or "")
    out.parent.mkdir(parents=True, exist_ok=True)
    title = f"{layer.label}: board reports, {geo.name}" if args.all else None
    out.write_bytes(pdf_bytes(reports, title))
    what = (f"{len(reports) - 1} footprint report(s) and the borough summary" if args.all
            else f"the report of {args.code}" if args.code else "the borough summary")
    print(f"Wrote {what} to {out}.")
    return 0


def add_command(sub, default_pack: str) -> None:
    p = sub.add_parser("report", help="board report as PDF: one footprint, every footprint, "
                                      "or the borough summary")
    p.add_argument("--pack", default=default_pack, help="data pack folder (default: "
                   "$DASHBOARD_PACK or the bundled demo pack)")
    p.add_argument("--layer", required=True, help="layer of the footprints, e.g. places")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--code", help="one footprint's code, e.g. PP01 (without --code or "
                       "--all: the borough summary alone)")
    which.add_argument("--all", action="store_true", help="a report for every footprint of the "
                       "layer, then the borough summary, in one PDF")
    p.add_argument("--need", help="need indicator of the need figures (default: the pack's "
                   "first)")
    p.add_argument("--against", help="layer the summary compares --layer with (default: PCNs "
                   "where the pack has them)")
    p.add_argument("--url", help="the dashboard's public address, for the link to the live "
                   "page (default: $DASHBOARD_PUBLIC_URL)")
    p.add_argument("--out", required=True, help="output file, .pdf")
    p.set_defaults(func=cmd_report)
