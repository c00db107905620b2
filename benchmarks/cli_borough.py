"""One borough's overlaps from the command line, whole process, against a plain geopandas script.

What a planner would otherwise write: read the pack's LSOAs and wards with geopandas, overlay
them, split each LSOA's residents by area (and, for PCNs, by the LSOA's registered patients'
practices), group and write a CSV. The project's side is ``python -m dashboard overlaps`` on the
same pack. Both are timed as whole processes (start, imports, reading, work, writing), in pairs
whose order alternates, on the shipped Kirklees pack; the answers are compared.

Usage: python benchmarks/cli_borough.py [--pairs 5] [--pack geodata/kirklees]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

# The peer: a plain script, as short as a careful analyst would write it.
SCRIPT = r"""
import sys
import geopandas as gpd
import pandas as pd

pack, target, out = sys.argv[1], sys.argv[2], sys.argv[3]
lsoa = gpd.read_file(f"{pack}/small_areas.gpkg", columns=["code", "population"])
lsoa["sa_area"] = lsoa.area
wards = gpd.read_file(f"{pack}/wards.gpkg", columns=["code"]).rename(columns={"code": "ward"})
pieces = gpd.overlay(lsoa, wards, how="intersection", keep_geom_type=True)
pieces["share"] = pieces.area / pieces["sa_area"]
# Residents are spread over the part of each LSOA the wards cover.
pieces["share"] /= pieces.groupby("code")["share"].transform("sum")
pieces["population"] *= pieces["share"]
if target == "wards":
    table = pieces.groupby(["code", "ward"], as_index=False)["population"].sum()
    table.columns = ["from_code", "to_code", "population"]
else:
    regs = pd.read_csv(f"{pack}/registrations.csv", dtype={"practice_code": str,
                                                            "lsoa_code": str})
    pcn = pd.read_csv(f"{pack}/practices.csv", dtype=str)[["practice_code", "pcn_code"]]
    regs = regs.merge(pcn, on="practice_code")
    regs = regs.groupby(["lsoa_code", "pcn_code"], as_index=False)["patients"].sum()
    regs["pcn_share"] = regs["patients"] / regs.groupby("lsoa_code")["patients"].transform("sum")
    both = pieces.merge(regs, left_on="code", right_on="lsoa_code")
    both["population"] *= both["pcn_share"]
    table = both.groupby(["ward", "pcn_code"], as_index=False)["population"].sum()
    table.columns = ["from_code", "to_code", "population"]
table.to_csv(out, index=False)
"""


def run(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def compare(ours: Path, peer: Path) -> float:
    a = pd.read_csv(ours, dtype={"from_code": str, "to_code": str})
    b = pd.read_csv(peer, dtype={"from_code": str, "to_code": str})
    a = a.groupby(["from_code", "to_code"])["population"].sum()
    b = b.groupby(["from_code", "to_code"])["population"].sum()
    both = pd.concat([a, b], axis=1).fillna(0.0)
    return float((both.iloc[:, 0] - both.iloc[:, 1]).abs().max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--pack", default=str(ROOT / "geodata" / "kirklees"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "plain_geopandas.py"
        script.write_text(SCRIPT, encoding="utf-8")
        for source, target in (("small_areas", "wards"), ("wards", "pcns")):
            ours_out, peer_out = Path(tmp) / "ours.csv", Path(tmp) / "peer.csv"
            ours_cmd = [sys.executable, "-m", "dashboard", "overlaps", "--pack", args.pack,
                        "--from", source, "--to", target, "--out", str(ours_out),
                        "--exact"]  # unrounded, as the script writes, so answers compare
            peer_cmd = [sys.executable, str(script), args.pack,
                        "wards" if target == "wards" else "pcns", str(peer_out)]
            ours, peer = [], []
            for i in range(args.pairs):
                first, second = (ours_cmd, peer_cmd) if i % 2 == 0 else (peer_cmd, ours_cmd)
                a, b = run(first), run(second)
                ours.append(a if first is ours_cmd else b)
                peer.append(b if first is ours_cmd else a)
            diff = compare(ours_out, peer_out)
            print(f"{source} -> {target} on {Path(args.pack).name}, {args.pairs} pairs, "
                  f"whole process, median [min-max]:")
            print(f"  python -m dashboard overlaps: {statistics.median(ours):.2f} s "
                  f"[{min(ours):.2f}-{max(ours):.2f}]")
            print(f"  plain geopandas script:       {statistics.median(peer):.2f} s "
                  f"[{min(peer):.2f}-{max(peer):.2f}]")
            print(f"  peer/ours {statistics.median(peer) / statistics.median(ours):.2f}x; "
                  f"largest difference in one overlap: {diff:.4f} residents")


if __name__ == "__main__":
    main()
