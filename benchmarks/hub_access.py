"""Hub access speed: the access engine against a geopandas workflow, and a what-if click.

For the demo pack and, when ``../shared/realdata/kirklees`` is present, Kirklees imported from
the official files with hubs at the four Early Intervention and Prevention hub towns:

* **engine**: :func:`dashboard.engine.access.access` (nearest hub and straight-line distance per
  small area, distance to each hub type, population and need within 1, 2 and 5 km, catchments
  with staff ratios, every footprint's access and which hubs sit outside their footprint).
* **peer**: what a GIS analyst runs for part of that: ``geopandas.sjoin_nearest`` from small-area
  points to hubs, then catchment populations (groupby) and population within each distance.
  Same points and hubs, same run.
* **what-if click**: a hub opened at a random point of the borough through the page's own
  functions (the edit, then everything the page re-renders, serialised to JSON as Dash sends it).

Run: ``python benchmarks/hub_access.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly

from dashboard.app import create_app
from dashboard.data.importer import ImportSpec, import_pack
from dashboard.data.loader import load_pack
from dashboard.engine import hubplan
from dashboard.engine.access import DEFAULT_BANDS_M, access, hub_table, small_area_points
from dashboard.web import ids
from dashboard.web.common.mapbase import bng_to_lonlat
from dashboard.web.hubs import views
from dashboard.web.hubs.edits import HubEdit, edited
from dashboard.web.hubs.state import HubSettings

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
EIP_HUBS = """name,type,longitude,latitude,staff
Huddersfield Civic Centre,main,-1.7849,53.6466,20
Dewsbury Town Hall,main,-1.6306,53.6907,12
Batley Town Hall,main,-1.6347,53.7162,9
Slaithwaite Town Hall,main,-1.8822,53.6239,9
"""


def _ms(runs: list[float]) -> str:
    return f"median {statistics.median(runs):7.2f} ms, p95 {np.percentile(runs, 95):7.2f} ms"


def peer(geo, hubs_frame: pd.DataFrame) -> pd.DataFrame:
    points = small_area_points(geo)
    left = gpd.GeoDataFrame({"population": geo.population},
                            geometry=gpd.points_from_xy(points[:, 0], points[:, 1]),
                            crs="EPSG:27700")
    right = gpd.GeoDataFrame({"code": hubs_frame["code"].to_numpy()}, crs="EPSG:27700",
                             geometry=gpd.points_from_xy(hubs_frame["x"], hubs_frame["y"]))
    joined = gpd.sjoin_nearest(left, right, distance_col="distance")
    joined = joined[~joined.index.duplicated()]
    catchments = joined.groupby("code")["population"].sum()
    within = [joined.loc[joined["distance"] <= b, "population"].sum() for b in DEFAULT_BANDS_M]
    return pd.DataFrame({"catchment": catchments}).assign(**{
        f"within_{b:g}": w for b, w in zip(DEFAULT_BANDS_M, within)})


def engine_vs_peer(geo, layer: str, repeats: int) -> None:
    table = hub_table(geo)
    ours, theirs = [], []
    for _ in range(repeats):
        geo.derived.drop(("access-points",))  # both sides start from the shapes each time
        start = time.perf_counter()
        result = access(geo, table, next(iter(geo.need), None), DEFAULT_BANDS_M, layer)
        ours.append((time.perf_counter() - start) * 1000)
        geo.derived.drop(("access-points",))
        start = time.perf_counter()
        other = peer(geo, table)
        theirs.append((time.perf_counter() - start) * 1000)
    same = np.allclose(other["catchment"].reindex(result.catchments["code"]).fillna(0),
                       result.catchments["population"].to_numpy())
    print(f"  engine (all measures):        {_ms(ours)}")
    print(f"  peer (sjoin_nearest+groupby): {_ms(theirs)}   catchments agree: {same}")
    print(f"  ratio peer/engine (median):   {statistics.median(theirs) / statistics.median(ours):.1f}x")


def clicks(app, layer: str, repeats: int) -> None:
    server = app.server
    from dashboard.web import reference
    geo = reference.geography(server)
    plan = hubplan.start(geo).to_json()
    points = small_area_points(geo)
    rng = np.random.default_rng(7)
    edit_t, render_t, whole = [], [], []
    settings = HubSettings(layer, next(iter(geo.need), None), None, "1, 2, 5")
    with server.test_request_context("/hubs"):
        for i in range(repeats):
            x, y = points[int(rng.integers(len(points)))]
            lon, lat = bng_to_lonlat([x], [y])
            click = {"lon": float(lon[0]), "lat": float(lat[0])}
            start = time.perf_counter()
            new, chosen, _ = edited(geo, plan, HubEdit(ids.HUBS_CLICK, click, mode="add",
                                                       name=f"Bench {i}"))
            data = new.to_json()
            mid = time.perf_counter()
            out = views.render(geo, data, None, settings, {"shade": "bands", "chosen": chosen})
            json.dumps(out, cls=plotly.utils.PlotlyJSONEncoder)
            end = time.perf_counter()
            edit_t.append((mid - start) * 1000)
            render_t.append((end - mid) * 1000)
            whole.append((end - start) * 1000)
            plan = data if len(new.hubs) < 30 else hubplan.start(geo).to_json()
    print(f"  click edit:   {_ms(edit_t)}")
    print(f"  click render: {_ms(render_t)}")
    print(f"  whole click:  {_ms(whole)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        packs = {"demo": ROOT / "geodata" / "demo"}
        folder = REALDATA / "kirklees"
        if folder.is_dir():
            (Path(tmp) / "hubs.csv").write_text(EIP_HUBS)
            spec = ImportSpec(
                wards=folder / "wards.geojson", small_areas=folder / "lsoa11.geojson",
                population=folder / "population_lsoa11_mid2015.csv",
                need=folder / "imd2019_lsoa11.csv", practices=folder / "gp_practices.csv",
                registrations=folder / "gp_registrations_lsoa.csv",
                hubs=Path(tmp) / "hubs.csv", name="Kirklees",
                practice_filter=("in_area_ccg", "True"))
            import_pack(spec, Path(tmp) / "kirklees")
            packs["kirklees"] = Path(tmp) / "kirklees"
        for name, path in packs.items():
            geo = load_pack(path)
            layer = "places" if "places" in geo.layers else "wards"
            print(f"{name}: {len(geo.small_areas)} small areas, {len(hub_table(geo))} hubs, "
                  f"footprints '{layer}', {args.repeats} repeats")
            engine_vs_peer(geo, layer, args.repeats)
            app = create_app(path, pack_store=Path(tmp) / f"store-{name}",
                             scenario_db=f"sqlite:///{Path(tmp) / (name + '.sqlite')}")
            clicks(app, layer, args.repeats)


if __name__ == "__main__":
    main()
