"""Every component id of the web layer, defined once."""

NAV = "nav"
PAGE_ALERT = "page-alert"

OVERLAP_FROM = "overlap-from"
OVERLAP_TO = "overlap-to"
OVERLAP_METHOD = "overlap-method"
OVERLAP_NEED = "overlap-need"
OVERLAP_SUMMARY = "overlap-summary"
OVERLAP_TABLE = "overlap-table"
