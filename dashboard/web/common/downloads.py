"""Download buttons and the format a pressed one asks for."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ctx


def download_buttons(button_ids: dict[str, str], labels: dict[str, str]) -> list:
    """One "Download ..." button per format key (ids and labels keyed alike)."""
    return [dbc.Button(f"Download {label}", id=button_ids[key], color="secondary", outline=True,
                       size="sm", className="me-2 mb-2") for key, label in labels.items()]


def pressed(button_ids: dict[str, str]) -> str | None:
    """The format whose download button fired this callback (None when none did)."""
    return next((fmt for fmt, i in button_ids.items() if i == ctx.triggered_id), None)
