"""The overlaps page's heatmap."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.web.common.mapbase import BLUES


def heatmap(matrix: np.ndarray, rows: list[str], cols: list[str], populations: np.ndarray,
            from_label: str, to_label: str) -> go.Figure:
    """Share of each row unit's residents in each column unit."""
    fig = go.Figure(go.Heatmap(
        z=matrix, x=cols, y=rows, colorscale=BLUES, zmin=0, zmax=1,
        customdata=populations, colorbar={"title": {"text": "Share of row"}, "tickformat": ".0%"},
        text=np.where(matrix >= 0.005, np.char.mod("%.0f%%", matrix * 100), ""),
        texttemplate="%{text}", textfont={"size": 10},
        hovertemplate="%{y} → %{x}<br>%{z:.1%} of the row's people (%{customdata:,.0f})"
                      "<extra></extra>",
    ))
    fig.update_layout(height=220 + 28 * len(rows), plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      xaxis={"title": to_label, "side": "top", "tickangle": -35},
                      yaxis={"title": from_label, "autorange": "reversed"})
    return fig
