"""Board reports: a one-page profile of a footprint and a borough alignment summary.

Each report is built once as a plain document (:mod:`dashboard.reports.model`) from the engine's
own figures, then drawn two ways from that one document: a PDF (:mod:`dashboard.reports.pdf`)
and the dashboard's printable page. So the paper a board reads and the page on screen cannot
disagree. Maps are drawn on the server from the pack's geometry (:mod:`dashboard.reports.maps`),
offline, with no browser in the loop.

Nothing is imported here, so that the command line's other commands do not load the report
modules (or matplotlib) they never use.
"""
