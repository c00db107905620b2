"""Time from a user's action to the redrawn view, in headless Chromium.

For each interaction (a layer switched on, and off, on the map, the map's shading changed, a
ward clicked on Redraw, a hub opened on Hubs) the clock starts at the action's input event in
the page (see :func:`_timed`) and stops when the graph reports ``plotly_afterplot`` for the
change; each is repeated ``--repeats`` times and the median and range printed. The peer, on
the same page and figure in the same run, is what an app without partial updates does:
``Plotly.newPlot`` of the whole map.

With ``--before REV`` the same interactions are also timed, in the same run, on the dashboard
as it was at git revision REV (exported to a temporary folder, given this checkout's Plotly
bundle if one is built, and served the same way), alternating which goes first over
``--rounds``: before and after, on the same machine and browser.

    python benchmarks/browser_speed.py [--pack kirklees] [--repeats 5] [--before REV --rounds 2]

Needs Chromium (Debian's ``chromium``) and Python Playwright.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# A server on the bundled packs, in its own process (so both revisions are served alike), that
# prints its port.
SERVE = """
import tempfile
from pathlib import Path
from werkzeug.serving import make_server
from dashboard.app import create_app
from dashboard.config import DEMO_PACK, Settings
folder = Path(tempfile.mkdtemp())
app = create_app(settings=Settings(pack=DEMO_PACK, pack_store=folder / "store",
                                   cache_dir=folder / "cache"))
server = make_server("127.0.0.1", 0, app.server, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""
ARM = """(graph) => {
    const gd = document.querySelector(`#${graph} .js-plotly-plot`);
    window.__armed = false; window.__input = null; window.__done = null;
    if (!window.__inputWatched) {  // the user's action: the first press or key after arming
        const seen = (e) => {
            if (window.__armed && window.__input === null) window.__input = e.timeStamp;
        };
        window.addEventListener('pointerdown', seen, true);
        window.addEventListener('keydown', seen, true);
        window.__inputWatched = true;
    }
    if (!gd.__timed) {
        gd.on('plotly_afterplot', () => {
            if (window.__armed && window.__done === null) window.__done = performance.now();
        });
        gd.__timed = true;
    }
}"""
START = "() => { window.__done = null; window.__input = null; window.__armed = true; }"
PEER = """async (graph) => {
    const gd = document.querySelector(`#${graph} .js-plotly-plot`);
    const data = JSON.parse(JSON.stringify(gd.data)), layout = JSON.parse(JSON.stringify(gd.layout));
    const t = performance.now();
    await Plotly.newPlot(gd, data, layout, {displaylogo: false});
    return performance.now() - t;
}"""


@contextmanager
def serve(root: Path):
    """The dashboard in ``root`` served on a free port: yields its base URL."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen([sys.executable, "-c", SERVE], cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield f"http://127.0.0.1:{int(process.stdout.readline())}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def revision(rev: str):
    """This repository as it was at ``rev``, in a temporary folder, with this checkout's built
    Plotly bundle (instance/ is not in git)."""
    with tempfile.TemporaryDirectory(prefix="before-") as tmp:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        bundle = ROOT / "instance" / "plotly"
        if bundle.is_dir():
            shutil.copytree(bundle, Path(tmp) / "instance" / "plotly")
        yield Path(tmp)


def _timed(page, action, timeout_ms: int = 30_000) -> float | None:
    """Milliseconds from the action's input event in the page (its pointer press or key) to the
    graph's next afterplot (None when the action changed nothing within ``timeout_ms``).

    The clock starts at the event, not at Playwright's call: Playwright first waits for the
    element to be visible and stable over two animation frames, time no user waits."""
    page.evaluate(START)
    action()
    try:
        page.wait_for_function("() => window.__done !== null", timeout=timeout_ms)
    except PlaywrightTimeout:
        return None
    start, done = page.evaluate("[window.__input, window.__done]")
    if start is None:  # never mix clocks: every timed action here is a press
        raise RuntimeError("the action made no pointer press or key in the page")
    return float(done - start)


def _open(page, url: str, graph: str) -> None:
    page.goto(url)
    page.wait_for_selector(f"#{graph} .maplibregl-canvas", timeout=60_000)
    page.wait_for_function(f"() => document.querySelector('#{graph} .js-plotly-plot')"
                           ".data.length > 2", timeout=60_000)
    page.wait_for_timeout(2500)
    page.evaluate(ARM, graph)


def map_interactions(page, base: str, query: str, repeats: int) -> dict[str, list[float]]:
    _open(page, f"{base}/map?{query}", "map-graph")
    toggle = page.locator("#map-layers input").first
    # Switching a layer on and off are timed apart: on draws its names, off only hides.
    on, off = "map: switch a layer on", "map: switch a layer off"
    times: dict[str, list[float]] = {on: [], off: []}
    for _ in range(2 * repeats):
        took = _timed(page, toggle.click)
        times[on if toggle.is_checked() else off].append(took)
    shading = []
    for i in range(repeats):
        page.click("#map-measure")
        option = page.get_by_role("option", name="Need score" if i % 2 == 0 else "Population",
                                  exact=True)
        shading.append(_timed(page, option.click))
    times["map: change the shading"] = shading
    times["peer: Plotly.newPlot of the whole map"] = [
        float(page.evaluate(PEER, "map-graph")) for _ in range(repeats)]
    return times


def redraw_click(page, base: str, query: str, repeats: int) -> list[float]:
    """A ward clicked into another footprint, ``repeats`` times: the footprint the clicks send
    wards to turns round the list until a click is a real move (a click on a ward already in
    that footprint changes nothing and is not timed)."""
    _open(page, f"{base}/redraw?{query}", "redraw-map")
    codes = page.evaluate("() => window.dash_component_api.getLayout('redraw-paint')"
                          ".props.options.map(o => o.value)")
    box = page.locator("#redraw-map .maplibregl-canvas").bounding_box()
    x, y = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5
    out, turn = [], 0
    while len(out) < repeats and turn < 4 * repeats * len(codes):
        page.evaluate("(v) => window.dash_clientside.set_props('redraw-paint', {value: v})",
                      codes[turn % len(codes)])
        turn += 1
        page.wait_for_timeout(300)
        took = _timed(page, lambda: page.mouse.click(x, y), timeout_ms=3000)
        if took is not None:
            out.append(took)
    return out


def hubs_click(page, base: str, query: str, repeats: int) -> list[float]:
    _open(page, f"{base}/hubs?{query}", "hubs-map")
    box = page.locator("#hubs-map .maplibregl-canvas").bounding_box()
    out = []
    for i in range(repeats):
        x = box["x"] + box["width"] * (0.35 + 0.05 * i)
        y = box["y"] + box["height"] * 0.55
        out.append(_timed(page, lambda x=x, y=y: page.mouse.click(x, y)))
    return out


def measure(page, base: str, query: str, repeats: int) -> dict[str, list[float]]:
    times = map_interactions(page, base, query, repeats)
    times["redraw: click a ward"] = redraw_click(page, base, query, repeats)
    times["hubs: open a hub by clicking the map"] = hubs_click(page, base, query, repeats)
    return times


def _line(name: str, values: list[float]) -> str:
    return (f"  {name:<40} median {statistics.median(values):7.0f} ms  "
            f"[{min(values):.0f}-{max(values):.0f}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default=None, help="a named pack, e.g. kirklees (default: demo)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", default=None, metavar="REV",
                        help="also time the dashboard at this git revision, in the same run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="passes over the servers, alternating which goes first")
    args = parser.parse_args()
    query = f"pack={args.pack}" if args.pack else ""
    times: dict[str, dict[str, list[float]]] = {}
    with ExitStack() as stack:
        bases = {"now": stack.enter_context(serve(ROOT))}
        if args.before:
            bases[f"at {args.before}"] = stack.enter_context(
                serve(stack.enter_context(revision(args.before))))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for r in range(args.rounds):
                for name in (list(bases) if r % 2 == 0 else list(bases)[::-1]):
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    got = measure(page, bases[name], query, args.repeats)
                    page.close()
                    for key, values in got.items():
                        times.setdefault(name, {}).setdefault(key, []).extend(values)
            browser.close()
    for name, got in times.items():
        print(f"Browser interaction times, {args.pack or 'demo'} pack, dashboard {name}, "
              f"{args.repeats} repeats x {args.rounds} round(s) (input event to plotly_afterplot):")
        for key, values in got.items():
            print(_line(key, values))
        ours = statistics.median(got["map: change the shading"])
        peer = statistics.median(got["peer: Plotly.newPlot of the whole map"])
        print(f"  shading change vs whole-map newPlot: {peer / ours:.2f}x "
              "(peer time / ours; the peer has no server round trip)")
    if args.before:
        now, then = times["now"], times[f"at {args.before}"]
        print(f"Before ({args.before}) / now, median:")
        for key in now:
            if not key.startswith("peer"):
                print(f"  {key:<40} {statistics.median(then[key]):5.0f} -> "
                      f"{statistics.median(now[key]):5.0f} ms  "
                      f"({statistics.median(then[key]) / statistics.median(now[key]):.2f}x)")


if __name__ == "__main__":
    main()
