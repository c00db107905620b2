"""Memory of one worker over 1,000 mixed requests on the shipped Kirklees pack.

Kirklees ships without footprints of its own, so a "places" grouping is added first (wards
dealt round-robin into eight footprints), as a council does on the Redraw page. Then, in a
fixed random order:

* page loads of every page (through Flask's test client),
* redraw renders of a draft after a random ward move (the balance and the map colours),
* hubs renders judged on a saved scenario's footprints (each a different arrangement: the
  case that used to keep a new copy of the map shapes per scenario for ever),
* map first draws with a random measure.

It prints the worker's resident memory (RSS) after warming up and after the 1,000 requests,
and the time taken. The peer is the same process before any request: the growth is what matters.

Run: ``python benchmarks/memory.py [--requests N]``.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from dashboard.app import create_app
from dashboard.data.loader import load_pack
from dashboard.engine import drafts
from dashboard.web import reference
from dashboard.web.hubs import views as hub_views
from dashboard.web.hubs.state import HubSettings
from dashboard.web.map.callbacks import draw_map
from dashboard.web.map.figures import measure_options
from dashboard.web.redraw import views as redraw_views
from dashboard.web.redraw.state import Judging

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/", "/map", "/footprint", "/overlaps", "/allocate", "/redraw", "/hubs", "/data", "/upload"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def with_places(folder: Path):
    """Kirklees with eight footprints made of its wards."""
    geo = load_pack(folder)
    draft = drafts.blank(geo, "places", "Places", [f"Place {i}" for i in range(1, 9)])
    codes = [c for c in draft.groups if c != drafts.UNASSIGNED]
    wards = list(geo.layer("wards").codes)
    draft = drafts.change(draft, {w: codes[i % len(codes)] for i, w in enumerate(wards)})
    return drafts.apply(geo, draft), draft


def requests(app, base: drafts.Draft, n: int, seed: int = 3) -> None:
    server = app.server
    geo = reference.geography(server)
    rng = random.Random(seed)
    wards = list(geo.layer("wards").codes)
    groups = list(base.groups)
    judging = Judging("pcns", "imd_score", 10, "none")
    hubs = HubSettings("places", "imd_score", None, "1, 2, 5")
    measures = [o["value"] for o in measure_options(geo)]
    client = server.test_client()
    draft = base
    for _ in range(n):
        kind = rng.random()
        if kind < 0.2:
            assert client.get(rng.choice(PAGES)).status_code == 200
            continue
        with server.test_request_context("/"):
            if kind < 0.6:
                draft = drafts.move(draft, rng.choice(wards), rng.choice(groups))
                redraw_views.render(geo, draft.to_json(), judging, None, [])
            elif kind < 0.63:
                scenario = drafts.move(base, rng.sample(wards, 3), rng.choice(groups))
                hub_views.render(geo, geo_hub_plan(geo), {"draft": scenario.to_json()}, hubs,
                                 {"shade": "bands", "chosen": None})
            else:
                draw_map(geo, rng.choice(measures), "imd_score", ["wards", "pcns"], None, None)


def geo_hub_plan(geo) -> dict:
    from dashboard.engine import hubplan

    return hubplan.start(geo).to_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    geo, draft = with_places(ROOT / "geodata" / "kirklees")
    app = create_app(geography=geo, pack_store=Path("/tmp/memory-bench/packs"),
                     scenario_db="sqlite:////tmp/memory-bench/scenarios.sqlite")
    requests(app, draft, 20, seed=1)  # warm up: imports, first draws, per-process caches
    before = rss_mb()
    start = time.perf_counter()
    print(f"Kirklees with 8 places: mixed requests (page loads, redraw renders, hub scenario "
          f"renders, map draws); RSS after warm-up {before:.0f} MB")
    step = max(args.requests // 4, 1)
    for done in range(step, args.requests + 1, step):
        requests(app, draft, step, seed=done)
        now = rss_mb()
        print(f"  after {done:5d} requests ({time.perf_counter() - start:4.0f} s): RSS "
              f"{now:6.0f} MB  (growth {now - before:+.0f} MB)")


if __name__ == "__main__":
    main()
