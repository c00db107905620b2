"""Upload page: build a data pack from a borough's official files and switch this browser to it."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids, reference
from dashboard.engine.footprints import RULES
from dashboard.packs import REQUIRED

dash.register_page(__name__, path="/upload", title="Load your data · Place alignment",
                   name="Load your data", order=4)

# Role, label and where the file comes from; the order is the order on the page.
FILES = (
    ("wards", "Ward boundaries", "ONS Open Geography Portal: Wards (BFC or BGC), GeoJSON, "
     "GeoPackage or zipped Shapefile. WDyyCD / WDyyNM columns are recognised."),
    ("small_areas", "LSOA boundaries", "ONS Open Geography Portal: LSOA 2021 (or 2011) "
     "boundaries for your borough. LSOAyyCD / LSOAyyNM columns are recognised."),
    ("population", "Population by LSOA", "CSV: ONS mid-year estimates, or MHCLG's IoD2019 "
     "denominators (File 6), whose age bands are kept."),
    ("need", "Need indicators by LSOA", "CSV: MHCLG English Indices of Deprivation 2019 "
     "File 7 (scores are recognised), or any table of LSOA code and scores."),
    ("lsoa_lookup", "LSOA 2011 to 2021 lookup", "CSV from the ONS, to bridge tables keyed by "
     "the other vintage of LSOA codes."),
    ("practices", "GP practices", "CSV: practice code, name, PCN code and name, list size and "
     "easting/northing or longitude/latitude."),
    ("registrations", "Patients registered by LSOA", "CSV: NHS England 'Patients Registered at "
     "a GP Practice', LSOA-level. Without it, PCN footprints are estimated from practices."),
    ("hubs", "Hubs", "CSV: name, type, longitude/latitude or easting/northing, optional staff."),
    ("groups", "Groupings of wards", "One CSV per grouping (ward code, group code, group "
     "name): places, districts, townships... The file name names the layer."),
)


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
                                    maxLength=80)], md=4)], className="mb-3"),
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
