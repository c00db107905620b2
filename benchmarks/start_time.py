"""Worker start-up, cold (no disk cache) against warm (map shapes read from the cache).

Each start is a fresh Python process, as a new gunicorn worker is: it imports the app, loads
the pack and builds the app with ``create_app``. The peer is the same start without the cache.
For the demo pack and, when ``../shared/realdata/kirklees`` is present, Kirklees imported from
the official files.

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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from redraw_speed import REALDATA, kirklees_pack  # noqa: E402

from dashboard.config import DEMO_PACK  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("Demo pack", DEMO_PACK, args.repeats, Path(tmp))
        if (REALDATA / "kirklees").is_dir():
            report("Kirklees", kirklees_pack(Path(tmp) / "k"), args.repeats, Path(tmp))
        else:
            print("\nKirklees skipped: ../shared/realdata/kirklees not present.")


if __name__ == "__main__":
    main()
