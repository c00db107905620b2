"""Remember the scenarios a browser opened from a shared link, so its lists show them."""

from __future__ import annotations

from dash import Input, Output, State

from dashboard import components, ids


def register(app, opened: str) -> None:
    """Add the scenario held in store ``opened`` (a page's open scenario) to this browser's
    shared list, including one opened by the page's own address."""
    @app.callback(
        Output(ids.SCENARIO_SEEN, "data", allow_duplicate=True),
        Input(opened, "data"), State(ids.SCENARIO_SEEN, "data"),
        prevent_initial_call="initial_duplicate")
    def remember_shared(scenario, seen):
        return components.seen_with(scenario, seen)
