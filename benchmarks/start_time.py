"""Worker start-up, cold (no disk cache) against warm (map shapes read from the cache); and
serving the four bundled packs against serving one.

Each start is a fresh Python process, as a new gunicorn worker is: it imports the app, loads
the pack and builds the app with ``create_app``. The peer is the same start without the cache.
For the demo pack and, when ``../shared/realdata/kirklees`` is present, Kirklees imported from
the official files.

Four packs against one: the server's start (``check_start``, run once before any worker, which
loads every offered pack and fills the disk cache) and a worker's start (``create_app``, which
opens the default pack; the others open on first use from the cache), each with
``DASHBOARD_PACKS=none`` (the demo alone) and with the default (demo, Kirklees, Oldham,
Rochdale), cold and warm.

Usage: python benchmarks/start_time.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from redraw_speed import REALDATA, kirklees_pack

from dashboard.config import DEMO_PACK

ONE_START = """
import json, sys, time
t0 = time.perf_counter()
from dashboard.app import create_app
from dashboard.config import Settings
from pathlib import Path
t1 = time.perf_counter()
app = create_app(settings=Settings(pack=Path(sys.argv[1]), pack_store=Path(sys.argv[3]),
                                   cache_dir=Path(sys.argv[2])))
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "build": t2 - t1}))
"""


def one_start(pack: Path, cache: Path, store: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", ONE_START, str(pack), str(cache), str(store)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(name: str, pack: Path, repeats: int, folder: Path) -> None:
    cold, warm = [], []
    for i in range(repeats):
        cache = folder / f"cache-{name}-{i}"
        cold.append(one_start(pack, cache, folder / "store"))  # empty cache: builds and writes
        warm.append(one_start(pack, cache, folder / "store"))  # reads what the cold start wrote

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    print(f"\n{name} ({repeats} starts each, medians):")
    print(f"  imports (same for both):         {med(cold, 'imports'):.2f} s")
    print(f"  build app, cold (peer: no cache): {med(cold, 'build'):.2f} s")
    print(f"  build app, warm (disk cache):     {med(warm, 'build'):.2f} s "
          f"({med(cold, 'build') / med(warm, 'build'):.1f}x faster)")
    total_cold = med(cold, "imports") + med(cold, "build")
    total_warm = med(warm, "imports") + med(warm, "build")
    print(f"  whole worker start:               {total_cold:.2f} s cold, {total_warm:.2f} s warm")


SERVER_START = """
import json, os, sys, time
t0 = time.perf_counter()
from dashboard.app import check_start, create_app
from dashboard.config import Settings
t1 = time.perf_counter()
env = {"DASHBOARD_PACK_STORE": sys.argv[1], "DASHBOARD_CACHE_DIR": sys.argv[2]}
if sys.argv[3] == "one":
    env["DASHBOARD_PACKS"] = "none"
settings = Settings.from_env(env)
check_start(settings)
t2 = time.perf_counter()
create_app(settings=settings)
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "server": t2 - t1, "worker": t3 - t2}))
"""


def packs_start(which: str, folder: Path, cache: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", SERVER_START, str(folder / "store"), str(cache),
                          which], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report_packs(repeats: int, folder: Path) -> None:
    rows = {}
    for which in ("one", "four"):  # each run: a cold start, then a warm one on its cache
        cold, warm = [], []
        for i in range(repeats):
            cache = folder / f"packs-cache-{which}-{i}"
            cold.append(packs_start(which, folder / f"{which}-{i}", cache))
            warm.append(packs_start(which, folder / f"{which}-{i}", cache))
        rows[which] = (cold, warm)

    def med(rows_, key):
        return statistics.median(r[key] for r in rows_)

    print(f"\nOne pack (demo) against four (demo, Kirklees, Oldham, Rochdale), {repeats} starts "
          "each, medians:")
    for label, keys in (("server start (check_start)", ("server",)),
                        ("worker start (create_app) ", ("worker",)),
                        ("whole process (imports, server start and a worker)",
                         ("imports", "server", "worker"))):
        for state, index in (("cold", 0), ("warm", 1)):
            one = sum(med(rows["one"][index], k) for k in keys)
            four = sum(med(rows["four"][index], k) for k in keys)
            print(f"  {label} {state}: one {one:.2f} s, four {four:.2f} s "
                  f"({four / one:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report_packs(args.repeats, Path(tmp))
        report("Demo pack", DEMO_PACK, args.repeats, Path(tmp))
        if (REALDATA / "kirklees").is_dir():
            report("Kirklees", kirklees_pack(Path(tmp) / "k"), args.repeats, Path(tmp))
        else:
            print("\nKirklees skipped: ../shared/realdata/kirklees not present.")


if __name__ == "__main__":
    main()
