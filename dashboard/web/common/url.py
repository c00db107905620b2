"""Keep a page's settings in its address, so that any view can be bookmarked and shared."""

from __future__ import annotations

import json

from dash import Input, Output


def sync_url(app, store_id: str, params: dict[str, str], steps: tuple[str, ...] = ()) -> None:
    """Mirror the values of ``params`` (query key -> component id) into the address bar.

    ``history.replaceState`` changes the address without a page load or a history entry, so the
    page is not re-rendered and the back button still leaves the page. A change of one of the
    ``steps`` keys (e.g. the footprint shown) is a new history entry instead, so Back steps back
    through them; the page's address then drives what it shows.
    """
    keys = json.dumps(list(params))
    app.clientside_callback(
        f"""function(...values) {{
            const keys = {keys}, steps = {json.dumps(list(steps))};
            const query = new URLSearchParams();
            const now = new URLSearchParams(window.location.search);
            const pack = now.get('pack');
            if (pack) query.set('pack', pack);
            keys.forEach((k, i) => {{
                const v = values[i];
                if (v !== null && v !== undefined) query.set(k, Array.isArray(v) ? v.join(',') : v);
            }});
            const url = window.location.pathname + '?' + query.toString();
            const stepped = steps.some(k => now.get(k) && query.get(k) && now.get(k) !== query.get(k));
            if (stepped) {{
                window.history.pushState(window.history.state, '', url);
            }} else {{
                window.history.replaceState(window.history.state, '', url);
            }}
            return url;
        }}""",
        Output(store_id, "data"),
        [Input(component, "value") for component in params.values()],
    )
