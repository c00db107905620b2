"""Upload page: show what was chosen, run the import, report, and switch this browser's pack."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html
from flask import request

from dashboard import uploads
from dashboard.errors import DashboardError
from dashboard.packs import PackStore
from dashboard.uploads import Upload
from dashboard.web import cookies, ids, reference


def file_status(filename) -> list:
    """What the user has picked for one role."""
    if not filename:
        return []
    names = filename if isinstance(filename, list) else [filename]
    return [html.Span("✓ ", className="text-success", **{"aria-hidden": "true"}),
            ", ".join(names)]


@dataclass(frozen=True)
class ImportForm:
    """What the upload page holds when Import is pressed."""

    name: str | None
    contents: dict  # role -> uploaded contents (groups: a list)
    filenames: dict  # role -> file name (groups: a list)
    rule: str | None = "proportional"  # how a PCN's footprint is drawn
    min_share: float | str | None = 0
    estimate: str | None = "gravity"
    practice_filter: str | None = ""
    councils: str | None = ""

    def options(self) -> dict:
        """The import's options, checked: a clear message for each that cannot be used."""
        try:
            share = float(self.min_share or 0)
        except (TypeError, ValueError):
            share = -1.0
        if not 0 <= share < 1:
            raise DashboardError("The minimum share must be a number from 0 up to 1 "
                                 "(e.g. 0.05).")
        chosen = None
        text = self.practice_filter
        if text and text.strip():
            column, sep, value = text.partition("=")
            if not sep or not column.strip():
                raise DashboardError(f"Practice filter '{text}': write it as column=value, e.g. "
                                     "in_area_ccg=True.")
            chosen = (column.strip(), value.strip())
        kept = [c.strip() for c in (self.councils or "").split(",") if c.strip()]
        return {"pcn_rule": self.rule, "min_share": share, "estimate": self.estimate,
                "practice_filter": chosen, "councils": kept}

    def uploads(self) -> tuple[dict, list]:
        contents, filenames = self.contents, self.filenames
        files = {role: Upload(filenames[role], contents[role]) for role in uploads.ROLES
                 if contents.get(role)}
        groups = [Upload(f, c) for f, c in zip(filenames.get("groups") or [],
                                               contents.get("groups") or [])]
        return files, groups


def run_import(store: PackStore, form: ImportForm, client: str = "?"):
    """Import the uploaded files; returns the report's children and the new pack id (or None)."""
    try:
        files, groups = form.uploads()
        pack_id, report = store.import_uploads(files, groups, form.name or "", form.options(),
                                               client=client)
    except DashboardError as exc:
        return [dbc.Alert([html.Strong("The import stopped. "), str(exc),
                           html.Div("Nothing was saved; the pack you were viewing is unchanged.",
                                    className="small mt-1")], color="danger")], None
    lines = report.lines()
    return [
        dbc.Alert([html.Strong("Imported. "), "It is in this browser's borough list. ",
                   dbc.Button("Open its map", href=f"/map?pack={pack_id}", external_link=True,
                              color="success", size="sm", className="ms-2"),
                   html.Div(["Colleagues can open it too with this link: ",
                             html.A(f"/?pack={pack_id}", href=f"/?pack={pack_id}")],
                            className="small mt-2")], color="success"),
        html.H2("Validation report", className="h5"),
        html.Pre("\n".join(lines), className="border rounded p-2 bg-light small",
                 style={"whiteSpace": "pre-wrap"}),
    ], pack_id


def register(app) -> None:
    server = app.server
    roles = list(ids.UPLOAD_FILE)

    @app.callback([Output(ids.UPLOAD_STATUS[r], "children") for r in roles],
                  [Input(ids.UPLOAD_FILE[r], "filename") for r in roles])
    def _status(*filenames):
        return [file_status(f) for f in filenames]

    @app.callback(
        output=Output(ids.UPLOAD_REPORT, "children"),
        inputs={"_clicks": Input(ids.UPLOAD_RUN, "n_clicks")},
        state={"name": State(ids.UPLOAD_NAME, "value"),
               "contents": {r: State(ids.UPLOAD_FILE[r], "contents") for r in roles},
               "filenames": {r: State(ids.UPLOAD_FILE[r], "filename") for r in roles},
               "rule": State(ids.UPLOAD_PCN_RULE, "value"),
               "min_share": State(ids.UPLOAD_MIN_SHARE, "value"),
               "estimate": State(ids.UPLOAD_ESTIMATE, "value"),
               "practice_filter": State(ids.UPLOAD_PRACTICE_FILTER, "value"),
               "councils": State(ids.UPLOAD_COUNCILS, "value")},
        prevent_initial_call=True,
        running=[(Output(ids.UPLOAD_RUN, "disabled"), True, False)],
    )
    def _import(*, _clicks, **form):
        children, pack_id = run_import(reference.store(server), ImportForm(**form),
                                       client=request.remote_addr or "?")
        if pack_id:
            cookies.set_cookie(ctx.response, pack_id, request.is_secure,
                             request.cookies.get(cookies.UPLOADS_COOKIE, ""))
        return children
