"""Board report speed: one footprint's report and every footprint's (``--all``), for the demo and
Kirklees (the shipped packs), against a plain geopandas script on the same input.

* **ours**: :func:`dashboard.reports.files.reports_for` and
  :func:`dashboard.reports.pdf.pdf_bytes` in this process on a freshly loaded pack (so nothing
  is cached from an earlier report), and the whole ``python -m dashboard report`` command
  (imports and pack loading included), which is what the targets (3 s for one footprint, 30 s
  for all of a borough) are about.
* **peer**: what an analyst scripts for the map alone: ``GeoDataFrame.plot`` of the footprint's
  small-area pieces coloured by PCN and the wards' outlines, saved as a one-page PDF with
  pyplot. It draws one map and no figures, tables or text, so it is a floor, not an equal.

Contenders alternate in order on every repeat; wall and CPU time are reported as the median and
range. Run: ``python benchmarks/reports.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the peer is a plain pyplot script)

from dashboard.data.loader import load_pack  # noqa: E402
from dashboard.engine.overlaps import unit_of_atoms  # noqa: E402
from dashboard.reports.files import reports_for  # noqa: E402
from dashboard.reports.pdf import pdf_bytes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASES = (("demo", "places", "PP01"), ("kirklees", "wards", "E05001398"))


def ours(pack: Path, layer: str, code: str | None, every: bool) -> tuple:
    geo = load_pack(pack)  # fresh: no shapes or overlaps kept from the last run
    start = time.perf_counter(), time.process_time()
    data = pdf_bytes(reports_for(geo, layer, code, every=every))
    return data, start


def peer(pack: Path, layer: str, code: str) -> tuple:
    geo = load_pack(pack)
    start = time.perf_counter(), time.process_time()
    k = geo.layer(layer).index_of(code)
    inside = unit_of_atoms(geo, layer) == k
    pieces = gpd.GeoDataFrame({"pcn": unit_of_atoms(geo, "pcns")[inside]},
                              geometry=geo.atoms.geometry.values[inside], crs=27700)
    fig, ax = plt.subplots(figsize=(8.27, 11.69))
    pieces.plot(column="pcn", categorical=True, legend=True, ax=ax, cmap="tab10")
    pieces.dissolve().boundary.plot(ax=ax, color="black", linewidth=2)
    ax.set_axis_off()
    out = io.BytesIO()
    fig.savefig(out, format="pdf")
    plt.close(fig)
    return out.getvalue(), start


def _timed(run) -> tuple[float, float]:
    data, (wall0, cpu0) = run()
    assert data.startswith(b"%PDF")
    return time.perf_counter() - wall0, time.process_time() - cpu0


def _summary(runs: list[tuple[float, float]]) -> str:
    wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
    return (f"wall median {statistics.median(wall):6.2f} s ({min(wall):.2f}-{max(wall):.2f}), "
            f"CPU median {statistics.median(cpu):6.2f} s ({min(cpu):.2f}-{max(cpu):.2f})")


def command(pack: Path, layer: str, code: str | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        args = ["--code", code] if code else ["--all"]
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dashboard", "report", "--pack", str(pack),
                        "--layer", layer, *args, "--out", f"{tmp}/r.pdf"], check=True,
                       capture_output=True)
        return time.perf_counter() - start


def bench_case(pack: Path, layer: str, code: str, repeats: int) -> None:
    n = len(load_pack(pack).layer(layer))
    print(f"\n{pack.name}: {layer} {code} ({n} footprints)")
    mine, theirs = [], []
    for i in range(repeats):
        order = [(mine, partial(ours, pack, layer, code, False)),
                 (theirs, partial(peer, pack, layer, code))]
        for runs, run in order if i % 2 == 0 else order[::-1]:
            runs.append(_timed(run))
    ratio = statistics.median(r[0] for r in mine) / statistics.median(r[0] for r in theirs)
    print(f"  one footprint, ours (in process): {_summary(mine)}")
    print(f"  map-only PDF, peer (geopandas) : {_summary(theirs)}")
    print(f"  ratio ours / peer (wall medians): {ratio:.2f}")
    every = [_timed(partial(ours, pack, layer, None, True)) for _ in range(repeats)]
    print(f"  all {n} footprints + summary, in process: {_summary(every)}")
    one = [command(pack, layer, code) for _ in range(repeats)]
    print(f"  command, one footprint (whole process): median {statistics.median(one):.2f} s "
          f"({min(one):.2f}-{max(one):.2f}; target 3 s)")
    whole = [command(pack, layer, None) for _ in range(repeats)]
    print(f"  command, --all (whole process): median {statistics.median(whole):.2f} s "
          f"({min(whole):.2f}-{max(whole):.2f}; target 30 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for key, layer, code in CASES:
        bench_case(ROOT / "geodata" / key, layer, code, args.repeats)


if __name__ == "__main__":
    main()
