"""Every component id of the web layer, defined once."""

from typing import NamedTuple


class TableIds(NamedTuple):
    """The ids of one sortable table's parts (see web.common.table_view), made from its name."""

    body: str
    filter: str
    prev: str
    next: str
    status: str
    state: str
    sort: str  # pattern type of the header buttons
    head: str  # pattern type of the header cells

    @classmethod
    def named(cls, name: str) -> "TableIds":
        return cls(*(name if part == "body" else f"{name}-{part}" for part in cls._fields))


# App shell
APP_ALERT = "app-alert"
SOURCES_FOOTER = "sources-footer"
PACK_KEY = "pack-key"  # hidden: the tab's pack, read by assets/pack.js
PACK_CHOOSER = "pack-chooser"
NAV_TOGGLE = "nav-toggle"  # the menu button of the folded navigation (narrow screens)
NAV_MENU = "nav-menu"
# This browser's scenario edit keys (id -> key) and the scenarios shared with it by link:
# kept in the browser's local storage, never on the server.
SCENARIO_KEYS = "scenario-keys"
SCENARIO_SEEN = "scenario-seen"
# Unsaved what-if work of this tab (session storage): survives page changes and reloads.
# assets/unsaved.js reads it under this name to ask before the tab leaves the app.
UNSAVED = "unsaved-work"

# Overview page (the landing page)
OVERVIEW_FROM = "overview-from"
OVERVIEW_TO = "overview-to"
OVERVIEW_PAIR = "overview-pair"
OVERVIEW_MATRIX = "overview-matrix"
OVERVIEW_URL = "overview-url"
OVERVIEW_REPORT = "overview-report"  # "Board report (PDF)" of the pair chosen
OVERVIEW_REPORT_FILE = "overview-report-file"

# Map page
MAP_GRAPH = "map-graph"
MAP_MEASURE = "map-measure"
MAP_NEED = "map-need"
MAP_LAYERS = "map-layers"
MAP_BASEMAP = "map-basemap"
MAP_BASEMAP_READY = "map-basemap-ready"  # the background to draw, once the streets answer
MAP_TILE_PROBE = "map-tile-probe"  # a URL of the street tiles' server, tried first
MAP_TILE_NOTE = "map-tile-note"
MAP_TOGGLE_PLAN = "map-toggle-plan"  # what each layer switch changes, applied in the browser
MAP_SELECT_LAYER = "map-select-layer"
MAP_SELECT_UNIT = "map-select-unit"
MAP_DETAILS = "map-details"
MAP_RANKING = "map-ranking"  # the units split worst, beside a mismatch shading
MAP_NOTE = "map-note"
MAP_TABLE = TableIds.named("map-table")
MAP_URL = "map-url"

# Footprint page
FOOTPRINT_LAYER = "footprint-layer"
FOOTPRINT_CODE = "footprint-code"
FOOTPRINT_NEED = "footprint-need"
FOOTPRINT_CONTENT = "footprint-content"
FOOTPRINT_URL = "footprint-url"
FOOTPRINT_REPORT = "footprint-report"
FOOTPRINT_REPORT_FILE = "footprint-report-file"

# Printable report page (/report)
REPORT_PDF = "report-pdf"
REPORT_PRINT = "report-print"
REPORT_FILE = "report-file"
REPORT_QUERY = "report-query"  # the layer, code, need and pair the page shows

# Overlap explorer
OVERLAP_FROM = "overlap-from"
OVERLAP_TO = "overlap-to"
OVERLAP_METHOD = "overlap-method"
OVERLAP_NEED = "overlap-need"
OVERLAP_COUNT = "overlap-count"
OVERLAP_SUMMARY = "overlap-summary"
OVERLAP_HEATMAP = "overlap-heatmap"
OVERLAP_SCORECARD = "overlap-scorecard"
OVERLAP_TABLE = TableIds.named("overlap-table")
OVERLAP_URL = "overlap-url"
OVERLAP_DOWNLOAD = "overlap-download"
OVERLAP_EXACT = "overlap-exact"  # downloads with unrounded figures, for analysts
# One export button per format; the value is the format's key in dashboard.exports.
OVERLAP_EXPORT = {"csv": "export-csv", "xlsx": "export-xlsx", "gpkg": "export-gpkg",
                  "geojson": "export-geojson"}

# Upload page: one upload and one status line per file role (see dashboard.uploads.ROLES).
UPLOAD_FILE = {role: f"upload-{role.replace('_', '-')}" for role in
               ("wards", "small_areas", "population", "need", "lsoa_lookup", "lookup_fallback",
                "best_fit_lookup", "practices", "registrations", "hubs", "centroids", "groups")}
UPLOAD_STATUS = {role: f"{value}-status" for role, value in UPLOAD_FILE.items()}
UPLOAD_NAME = "upload-name"
UPLOAD_PCN_RULE = "upload-pcn-rule"
UPLOAD_MIN_SHARE = "upload-min-share"
UPLOAD_ESTIMATE = "upload-estimate"
UPLOAD_PRACTICE_FILTER = "upload-practice-filter"
UPLOAD_COUNCILS = "upload-councils"
UPLOAD_RUN = "upload-run"
UPLOAD_REPORT = "upload-report"

# Allocation page
ALLOC_LAYER = "alloc-layer"
ALLOC_RESOURCE = "alloc-resource"
ALLOC_TOTAL = "alloc-total"
ALLOC_CORE_METHOD = "alloc-core-method"
ALLOC_CORE_SHARE = "alloc-core-share"
ALLOC_CORE_AMOUNT = "alloc-core-amount"
ALLOC_NEED = "alloc-need"
ALLOC_WEIGHT = "alloc-weight"
ALLOC_MINIMUM = "alloc-minimum"
ALLOC_ROUNDING = "alloc-rounding"
ALLOC_CURRENT_FILE = "alloc-current-file"
ALLOC_CURRENT = "alloc-current"  # store: an uploaded current allocation, as records
ALLOC_CURRENT_STATUS = "alloc-current-status"
ALLOC_TYPED_ROWS = "alloc-typed-rows"  # a box per area for typing today's amounts
ALLOC_TYPED = "alloc-typed"  # pattern-matching type: one area's typed current amount
ALLOC_REEXPRESS = "alloc-reexpress"
ALLOC_SUMMARY = "alloc-summary"
ALLOC_BARS = "alloc-bars"
ALLOC_MAP = "alloc-map"
ALLOC_TABLE = "alloc-table"
ALLOC_TRANSFERS = "alloc-transfers"
ALLOC_DERIVED = "alloc-derived"
ALLOC_DOWNLOAD = "alloc-download"
ALLOC_EXPORT = {"xlsx": "alloc-export-xlsx", "csv": "alloc-export-csv"}
ALLOC_URL = "alloc-url"

# Redraw (what-if footprints) page
REDRAW_LAYER = "redraw-layer"
REDRAW_DRAFT = "redraw-draft"  # store: the draft being edited (lives in the browser tab)
REDRAW_OPENED = "redraw-opened"  # store: id, name, version and read-only flag of the open scenario
REDRAW_PAINT = "redraw-paint"
REDRAW_LOCKS = "redraw-locks"
REDRAW_UNDO = "redraw-undo"
REDRAW_REDO = "redraw-redo"
REDRAW_RESET = "redraw-reset"
REDRAW_AGAINST = "redraw-against"
REDRAW_NEED = "redraw-need"
REDRAW_TOLERANCE = "redraw-tolerance"
REDRAW_RESOURCE = "redraw-resource"
REDRAW_MAP = "redraw-map"
REDRAW_SUMMARY = "redraw-summary"
REDRAW_WARNINGS = "redraw-warnings"
REDRAW_BALANCE = "redraw-balance"
REDRAW_BALANCE_DATA = "redraw-balance-data"  # store: the balance table, drawn in the browser
REDRAW_LEGEND = "redraw-legend"  # colour key of the footprints, under the map
REDRAW_SUGGEST_N = "redraw-suggest-n"
REDRAW_SUGGEST_SCRATCH = "redraw-suggest-scratch"
REDRAW_SUGGEST = "redraw-suggest"
REDRAW_SUGGEST_STATUS = "redraw-suggest-status"
REDRAW_NAME = "redraw-name"
REDRAW_SAVE = "redraw-save"
REDRAW_SAVE_AS = "redraw-save-as"
REDRAW_SCENARIOS = "redraw-scenarios"
REDRAW_OPEN = "redraw-open"
REDRAW_DUPLICATE = "redraw-duplicate"
REDRAW_RENAME = "redraw-rename"
REDRAW_DELETE = "redraw-delete"
REDRAW_EDIT = "redraw-edit"  # turns a read-only shared view into an editable one
REDRAW_SHARE = "redraw-share"
REDRAW_CONTEXT = "redraw-context"  # pack, layer and scenario: whose unsaved draft this page shows
REDRAW_STORE_STATUS = "redraw-store-status"
REDRAW_COMPARE_A = "redraw-compare-a"
REDRAW_COMPARE_B = "redraw-compare-b"
REDRAW_COMPARE = "redraw-compare"
REDRAW_COMPARE_SUMMARY = "redraw-compare-summary"
REDRAW_COMPARE_TABLE = "redraw-compare-table-box"
REDRAW_COMPARE_TABLE_DATA = "redraw-compare-table-data"  # store: that table, drawn in the browser
REDRAW_COMPARE_MOVES = "redraw-compare-moves"
REDRAW_IMPORT = "redraw-import"
REDRAW_DOWNLOAD = "redraw-download"
REDRAW_EXPORT = {"csv": "redraw-export-csv", "groups": "redraw-export-groups",
                 "gpkg": "redraw-export-gpkg"}
REDRAW_WARD = "redraw-ward"  # pattern-matching type: one footprint select per ward
REDRAW_NAV = "redraw-nav"  # a location that reloads the page for another layer
REDRAW_NEW_LABEL = "redraw-new-label"  # making a new layer: its name
REDRAW_NEW_NAMES = "redraw-new-names"  # ... its footprints, one per line
REDRAW_NEW_START = "redraw-new-start"
REDRAW_NEW_STATUS = "redraw-new-status"
REDRAW_RENAME_TO = "redraw-rename-to"  # a footprint's new name
REDRAW_RENAME_GROUP = "redraw-rename-group"
REDRAW_USE_NAME = "redraw-use-name"  # the label of the layer the draft becomes
REDRAW_USE_LAYER = "redraw-use-layer"
REDRAW_USE_STATUS = "redraw-use-status"

# Hubs (access and what-if hubs) page
HUBS_PLAN = "hubs-plan"  # store: the hub plan being edited (lives in the browser tab)
HUBS_OPENED = "hubs-opened"  # store: id, name, version and read-only flag of the open scenario
HUBS_CONTEXT = "hubs-context"  # pack and scenario: whose unsaved hub plan this page shows
HUBS_CLICK = "hubs-click"  # store: longitude/latitude of the last map click (set in the browser)
HUBS_LAYER = "hubs-layer"
HUBS_NEED = "hubs-need"
HUBS_TYPES = "hubs-types"
HUBS_BANDS = "hubs-bands"
HUBS_SHADE = "hubs-shade"
HUBS_MODE = "hubs-mode"
HUBS_CHOSEN = "hubs-chosen"
HUBS_NEW_NAME = "hubs-new-name"
HUBS_NEW_TYPE = "hubs-new-type"
HUBS_STAFF = "hubs-staff"
HUBS_SET_STAFF = "hubs-set-staff"
HUBS_CLOSE = "hubs-close"
HUBS_REOPEN = "hubs-reopen"
HUBS_UNDO = "hubs-undo"
HUBS_REDO = "hubs-redo"
HUBS_RESET = "hubs-reset"
HUBS_FILE = "hubs-file"
HUBS_STATUS = "hubs-status"
HUBS_MAP = "hubs-map"
HUBS_SUMMARY = "hubs-summary"
HUBS_TABLES = "hubs-tables"
HUBS_TABLES_DATA = "hubs-tables-data"
HUBS_NAME = "hubs-name"
HUBS_SAVE = "hubs-save"
HUBS_SAVE_AS = "hubs-save-as"
HUBS_SCENARIOS = "hubs-scenarios"
HUBS_OPEN = "hubs-open"
HUBS_STORE_STATUS = "hubs-store-status"
HUBS_KEEP = "hubs-keep"  # keeps the open hubs as the hubs of a copy of the pack
HUBS_KEEP_STATUS = "hubs-keep-status"
HUBS_DOWNLOAD = "hubs-download"
HUBS_EXPORT = {"csv": "hubs-export-csv", "areas_csv": "hubs-export-areas-csv",
               "xlsx": "hubs-export-xlsx", "gpkg": "hubs-export-gpkg"}
