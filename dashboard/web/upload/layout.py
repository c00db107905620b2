"""Upload page: build a data pack from a borough's official files and switch this browser to it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.engine.footprints import RULES
from dashboard.uploads import REQUIRED
from dashboard.web import ids, reference

# Role, label and where the file comes from; the order is the order on the page.
FILES = (
    ("wards", "Ward boundaries", "ONS Open Geography Portal: Wards (BFC or BGC), GeoJSON, "
     "GeoPackage or zipped Shapefile. WDyyCD / WDyyNM columns are recognised."),
    ("small_areas", "LSOA boundaries", "ONS Open Geography Portal: LSOA 2021 (or 2011) "
     "boundaries for your borough, or for England with 'Councils to keep' below."),
    ("population", "Population by LSOA", "ONS mid-year estimates (the .xlsx as downloaded), "
     "Census 2021 TS001, or MHCLG's IoD denominators (File 6), whose age bands are kept."),
    ("need", "Need indicators by LSOA", "MHCLG English Indices of Deprivation 2019 or 2025, "
     "File 7: scores are used, ranks and deciles converted so that higher means more need."),
    ("lsoa_lookup", "LSOA 2011 to 2021 lookup", "From the ONS, to bridge tables keyed by "
     "the other vintage of LSOA codes (population, need and registrations)."),
    ("lookup_fallback", "LSOA boundaries of the tables' vintage", "Optional: where the lookup "
     "lacks a small area, it is paired with the LSOA that contains it (named in the report)."),
    ("best_fit_lookup", "Best-fit lookup of LSOAs to wards", "ONS 'LSOA to Electoral Ward Best "
     "Fit Lookup', for best fit as ONS does it (otherwise by largest area)."),
    ("practices", "GP practices", "Practice code, name, PCN code and name, list size and "
     "easting/northing or longitude/latitude."),
    ("registrations", "Patients registered by LSOA", "NHS England 'Patients Registered at "
     "a GP Practice', LSOA-level. Without it, PCN footprints are estimated from practices."),
    ("hubs", "Hubs", "Name, type, longitude/latitude or easting/northing, optional staff."),
    ("centroids", "Population-weighted centroids", "ONS LSOA population-weighted centroids: "
     "hub distances start there and best fit to wards follows them."),
    ("groups", "Groupings of wards", "One file per grouping (ward code, group code, group "
     "name): places, districts, townships... The file name names the layer."),
)
# Every table may be CSV (UTF-8, UTF-16 or Windows-1252; comma, semicolon or tab) or .xlsx.

def _file_card(role: str, label: str, hint: str) -> dbc.Col:
    required = role in REQUIRED
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div([html.Strong(label), dbc.Badge("required", color="primary", className="ms-2")
                  if required else html.Span(" (optional)", className="text-muted small")]),
        html.P(hint, className="small text-muted mb-2"),
        dcc.Upload(
            html.Div(["Drop the file here or ", html.A("choose it", href="#")]),
            id=ids.UPLOAD_FILE[role], multiple=role == "groups", max_size=reference.settings().upload_bytes,
            className="upload-zone", className_active="upload-zone active"),
        html.Div(id=ids.UPLOAD_STATUS[role], className="small mt-1", role="status"),
    ]), className="h-100"), md=6, xl=4, className="mb-3")


def layout(**_query) -> html.Div:
    geo = reference.geography()
    default = reference.store().default
    current = [html.Strong(geo.name)]
    if geo is not default:
        current += [". ", html.A(f"Go back to {default.name}", href="/_pack/default")]
    return html.Div([
        html.H1("Load your borough's data", className="h3"),
        html.P(["Build a data pack from the files your borough can download from the ONS, "
                "MHCLG and NHS England. The same checks as ",
                html.Code("python -m dashboard import"), " run here, and the report below says "
                "what matched and what did not. Only this browser switches to the new pack; "
                "nobody else's view changes."], className="text-muted"),
        html.P(["This browser is viewing: ", *current], className="small"),
        dbc.Row([dbc.Col([dbc.Label("Borough name", html_for=ids.UPLOAD_NAME),
                          dbc.Input(id=ids.UPLOAD_NAME, placeholder="e.g. Kirklees",
                                    maxLength=80)], md=4),
                 dbc.Col([dbc.Label("Councils to keep, from national files (optional)",
                                    html_for=ids.UPLOAD_COUNCILS),
                          dbc.Input(id=ids.UPLOAD_COUNCILS, maxLength=200,
                                    placeholder="e.g. Oldham, Rochdale or E08000004"),
                          dbc.FormText("Names or E06/E07/E08/E09 codes, separated by commas.")],
                         md=6)], className="mb-3"),
        dbc.Row([_file_card(*f) for f in FILES]),
        html.H2("PCN footprints", className="h5"),
        dbc.Row([
            dbc.Col([dbc.Label("Rule", html_for=ids.UPLOAD_PCN_RULE),
                     dbc.RadioItems(options=[
                         {"label": "Proportional: split each LSOA by registration shares",
                          "value": "proportional"},
                         {"label": "Plurality: the PCN with most patients", "value": "plurality"},
                         {"label": "Majority: over half, otherwise mixed", "value": "majority"},
                     ], value=RULES[0], id=ids.UPLOAD_PCN_RULE)], md=5),
            dbc.Col([dbc.Label("Ignore a PCN below this share of an LSOA's patients",
                               html_for=ids.UPLOAD_MIN_SHARE),
                     dbc.Input(id=ids.UPLOAD_MIN_SHARE, type="number", min=0, max=0.5,
                               step=0.01, value=0),
                     dbc.Label("Keep only practices where", html_for=ids.UPLOAD_PRACTICE_FILTER,
                               className="mt-2"),
                     dbc.Input(id=ids.UPLOAD_PRACTICE_FILTER, placeholder="column=value, e.g. "
                               "in_area_ccg=True")], md=4),
            dbc.Col([dbc.Label("Without registrations, estimate by",
                               html_for=ids.UPLOAD_ESTIMATE),
                     dbc.RadioItems(options=[
                         {"label": "Gravity (list size over distance)", "value": "gravity"},
                         {"label": "Nearest practice", "value": "nearest"}],
                         value="gravity", id=ids.UPLOAD_ESTIMATE)], md=3),
        ], className="mb-3"),
        dbc.Button("Check and import", id=ids.UPLOAD_RUN, color="primary", className="mb-3"),
        dcc.Loading(html.Div(id=ids.UPLOAD_REPORT, role="region",
                             **{"aria-live": "polite", "aria-label": "Import report"})),
    ])
