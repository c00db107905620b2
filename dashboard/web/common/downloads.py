"""Download buttons and the format a pressed one asks for."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import ctx, dcc, no_update


def download_buttons(button_ids: dict[str, str], labels: dict[str, str]) -> list:
    """One "Download ..." button per format key (ids and labels keyed alike)."""
    return [dbc.Button(f"Download {label}", id=button_ids[key], color="secondary", outline=True,
                       size="sm", className="me-2 mb-2") for key, label in labels.items()]


def pressed(button_ids: dict[str, str]) -> str | None:
    """The format whose download button fired this callback (None when none did)."""
    return next((fmt for fmt, i in button_ids.items() if i == ctx.triggered_id), None)


def send(button_ids: dict[str, str], make: Callable[[str], tuple[str, bytes]]):
    """The file the pressed button asks for: ``make(format)`` gives its name and bytes."""
    fmt = pressed(button_ids)
    if fmt is None:
        return no_update
    filename, content = make(fmt)
    return dcc.send_bytes(content, filename)
