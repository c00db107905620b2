"""The pages of the site, in navigation order: one table read by the page registry and the
navigation bar, so a page is added in one place."""

from __future__ import annotations

from dataclasses import dataclass

TITLE = "Place alignment"


@dataclass(frozen=True)
class Page:
    package: str  # dashboard.web.<package> holds its layout, callbacks and figures
    path: str
    name: str
    in_nav: bool = True  # False: reached by links only (the printable report)


PAGES = (
    Page("overview", "/", "Overview"),
    Page("map", "/map", "Map"),
    Page("footprint", "/footprint", "Footprints"),
    Page("overlaps", "/overlaps", "Overlaps"),
    Page("allocate", "/allocate", "Allocate"),
    Page("redraw", "/redraw", "Redraw"),
    Page("hubs", "/hubs", "Hubs"),
    Page("data", "/data", "Data"),
    Page("upload", "/upload", "Load your data"),
    Page("report", "/report", "Board report", in_nav=False),
)
