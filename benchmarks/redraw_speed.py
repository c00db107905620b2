"""Redraw speed: server time per ward move, and the footprint optimiser, on a Kirklees-sized pack.

For the demo pack and, when ``../shared/realdata/kirklees`` is present, Kirklees imported from
the official files with a 'places' grouping (each ward in the PCN holding most of its residents,
9 footprints), as a council would load it:

* **per move**: a ward moved to a neighbouring footprint through the page's real callbacks,
  posted to ``/_dash-update-component`` with Flask's test client: the edit (click -> new draft),
  the render (balance table, map colours, ward list) and the compare panel. Median and 95th
  percentile server time of each and of their sum over random moves.
* **peers** for the same moves, against our engine's whole balance (population, need, target
  band, contiguity, fit with PCNs and the allocation): the *fair floor*, a plain pandas groupby
  over LSOA x ward pieces precomputed once (the same one-off precompute the engine has; its time
  is printed), which gives population and need only; and, for reference, the GIS workflow that
  recomputes geometry every move (dissolve the wards, tobler ``area_interpolate``). Our own
  population-and-need-only step (``unit_totals`` on the regrouped layer) is timed too, so the
  cost of the balance's extra figures shows.
* **optimiser**: time to suggest 4 footprints from scratch, and the alignment it reaches.

Run: ``python benchmarks/redraw_speed.py [--moves N]`` (needs the ``test`` extra for tobler).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.app import create_app
from dashboard.data.importer import ImportSpec, import_pack
from dashboard.data.loader import load_pack
from dashboard.engine import adjacency, drafts, optimise
from dashboard.engine.balance import _balance
from dashboard.engine.overlaps import overlap
from dashboard.web import ids, reference
from dashboard.web.common.shapes import display_geometry

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


def _key(app, first_input: str, prop: str) -> str:
    return next(k for k, v in app.callback_map.items()
                if (v["inputs"][0]["id"], v["inputs"][0]["property"]) == (first_input, prop))


def _spec(key: str, prop_values=None):
    """Outputs of a callback key as Dash's renderer sends them (wildcards expanded)."""
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    specs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1) if not part.startswith("{") else part.rsplit("}.", 1)
        if part.startswith("{"):
            pattern = json.loads(ident + "}")
            specs.append([{"id": {**pattern, "code": c}, "property": prop}
                          for c in prop_values])
        else:
            specs.append({"id": ident, "property": prop})
    return specs if key.startswith("..") else specs[0]


def _wards(wards, prop, values=None):
    return [{"id": {"type": ids.REDRAW_WARD, "code": c}, "property": prop,
             **({"value": values[c]} if values is not None else {"value": {
                 "type": ids.REDRAW_WARD, "code": c}} if prop == "id" else {})}
            for c in wards]


def _post(client, payload) -> tuple[float, dict]:
    start = time.perf_counter()
    response = client.post("/_dash-update-component", json=payload)
    took = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
    return took, (response.get_json() if response.status_code == 200 else {})


SETTINGS = ("pcns", None, 10, None)


def moves(app, n_moves: int) -> dict[str, list[float]]:
    """Server time (ms) of each callback a ward move sets off, over random neighbour moves."""
    geo = reference.geography(app.server)
    layer = "places"
    member = geo.layer(geo.layer(layer).member_of)
    wards = list(member.codes)
    atom_of = {}
    for atom, unit in enumerate(display_geometry(geo).atom_units[member.name]):
        atom_of.setdefault(wards[unit], atom)
    neighbours = adjacency.neighbour_lists(adjacency.adjacency(geo, member.name))
    need = next(iter(geo.need), None)
    resource = geo.resources[0].name if geo.resources else "none"
    settings = [("redraw-against", "pcns"), ("redraw-need", need), ("redraw-tolerance", 10),
                ("redraw-resource", resource)]
    client = app.server.test_client()
    edit_key = _key(app, ids.REDRAW_MAP, "clickData")
    render_key = _key(app, ids.REDRAW_DRAFT, "data")
    compare_key = _key(app, ids.REDRAW_COMPARE_A, "value")
    draft = drafts.start(geo, layer).to_json()
    rng = np.random.default_rng(1)
    times = {"edit": [], "render": [], "compare": [], "whole move": []}
    for i in range(n_moves + 3):
        # A ward on an edge goes to a neighbouring footprint; a lone ward stays put.
        while True:
            w = int(rng.integers(len(wards)))
            others = {draft["assignment"][wards[o]] for o in neighbours[w]} - {
                draft["assignment"][wards[w]]}
            if others and sum(g == draft["assignment"][wards[w]]
                              for g in draft["assignment"].values()) > 1:
                break
        paint = sorted(others)[int(rng.integers(len(others)))]
        values = dict(draft["assignment"])
        edit = {"output": edit_key, "outputs": _spec(edit_key),
                "inputs": [{"id": ids.REDRAW_MAP, "property": "clickData", "value": {
                    "points": [{"location": str(atom_of[wards[w]]), "curveNumber": 0}]}},
                           {"id": ids.REDRAW_MAP, "property": "selectedData", "value": None},
                           _wards(wards, "value", values),
                           *[{"id": b, "property": "n_clicks", "value": None}
                             for b in (ids.REDRAW_UNDO, ids.REDRAW_REDO, ids.REDRAW_RESET)],
                           {"id": ids.REDRAW_LOCKS, "property": "value", "value": []}],
                "state": [{"id": ids.REDRAW_DRAFT, "property": "data", "value": draft},
                          _wards(wards, "id"),
                          {"id": ids.REDRAW_PAINT, "property": "value", "value": paint},
                          {"id": ids.REDRAW_OPENED, "property": "data", "value": None}],
                "changedPropIds": [f"{ids.REDRAW_MAP}.clickData"]}
        t_edit, body = _post(client, edit)
        draft = body["response"][ids.REDRAW_DRAFT]["data"]
        render = {"output": render_key, "outputs": _spec(render_key, wards),
                  "inputs": [{"id": ids.REDRAW_DRAFT, "property": "data", "value": draft},
                             *[{"id": i_, "property": "value", "value": v}
                               for i_, v in settings],
                             {"id": ids.REDRAW_OPENED, "property": "data", "value": None}],
                  "state": [_wards(wards, "id")],
                  "changedPropIds": [f"{ids.REDRAW_DRAFT}.data"]}
        t_render, _ = _post(client, render)
        compare = {"output": compare_key, "outputs": _spec(compare_key),
                   "inputs": [{"id": ids.REDRAW_COMPARE_A, "property": "value", "value": "pack"},
                              {"id": ids.REDRAW_COMPARE_B, "property": "value", "value": "draft"},
                              {"id": ids.REDRAW_DRAFT, "property": "data", "value": draft},
                              *[{"id": i_, "property": "value", "value": v}
                                for i_, v in settings]],
                   "state": [{"id": ids.REDRAW_COMPARE_A, "property": "options", "value": []}],
                   "changedPropIds": [f"{ids.REDRAW_DRAFT}.data"]}
        t_compare, _ = _post(client, compare)
        if i >= 3:  # the first moves warm caches, as a running server's would be
            for name, t in (("edit", t_edit), ("render", t_render), ("compare", t_compare),
                            ("whole move", t_edit + t_render + t_compare)):
                times[name].append(t)
    return times


def peer(geo, n_moves: int) -> dict[str, list[float]]:
    """Time per move of the fair floor (groupby over precomputed pieces), of tobler's dissolve +
    area interpolation, of our population-and-need step and of our whole balance."""
    import geopandas as gpd
    from tobler.area_weighted import area_interpolate

    from dashboard.engine.overlaps import unit_totals

    d = drafts.start(geo, "places")
    member = geo.layer(geo.layer("places").member_of)
    wards = gpd.GeoDataFrame({"code": list(member.codes)},
                             geometry=geo.layer_geometry[member.name].values, crs="EPSG:27700")
    lsoas = gpd.GeoDataFrame({"population": geo.population},
                             geometry=geo.small_area_geometry.values, crs="EPSG:27700")
    need_key = next(iter(geo.need), None)
    start = time.perf_counter()  # the floor's one-off precompute: LSOA x ward pieces
    src = lsoas.assign(need=geo.need_values(need_key) * geo.population, sa_area=lsoas.area)
    cut = gpd.overlay(src, wards, how="intersection", keep_geom_type=True)
    share = cut.area / cut["sa_area"]
    pieces = pd.DataFrame({"ward": cut["code"], "population": cut["population"] * share,
                           "need": cut["need"] * share})
    precompute = (time.perf_counter() - start) * 1000
    rng = np.random.default_rng(2)
    times = {"floor": [], "tobler": [], "ours_totals": [], "ours": []}
    groups = list(d.groups)
    for _ in range(n_moves):
        w = member.codes[int(rng.integers(len(member)))]
        d = drafts.move(d, w, groups[int(rng.integers(len(groups)))])
        start = time.perf_counter()
        pieces.groupby(pieces["ward"].map(d.assignment))[["population", "need"]].sum()
        times["floor"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        footprints = wards.assign(fp=[d.assignment[c] for c in wards["code"]]).dissolve("fp")
        area_interpolate(lsoas, footprints, extensive_variables=["population"])
        times["tobler"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        unit_totals(drafts.apply(geo, d), "places", need_key)
        times["ours_totals"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        _balance(geo, d, "pcns", need_key, 0.1,  # uncached, to be fair
                 geo.resources[0] if geo.resources else None)
        times["ours"].append((time.perf_counter() - start) * 1000)
    times["precompute"] = [precompute]
    return times


def _p(values) -> str:
    return f"median {statistics.median(values):6.1f} ms  p95 {np.percentile(values, 95):6.1f} ms"


def report(name: str, pack: Path, n_moves: int) -> None:
    print(f"\n== {name} ==")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        app = create_app(pack, pack_store=Path(tmp) / "packs",
                         scenario_db=f"sqlite:///{Path(tmp) / 'scenarios.sqlite'}")
        print(f"app created in {time.perf_counter() - start:.1f} s")
        geo = reference.geography(app.server)
        lay = geo.layer("places")
        print(f"{len(geo.layer(lay.member_of))} wards, {len(lay)} footprints, "
              f"{len(geo.small_areas)} small areas, {len(geo.atoms)} atoms")
        times = moves(app, n_moves)
        for label, values in times.items():
            print(f"{label:11s} {_p(values)}   ({len(values)} moves)")
        t = peer(geo, max(30, n_moves // 4))
        floor, ours = statistics.median(t["floor"]), statistics.median(t["ours"])
        print(f"fair floor: pandas groupby over pieces precomputed once "
              f"({t['precompute'][0]:.0f} ms), per move  {_p(t['floor'])}")
        print(f"ours: population and need only (unit_totals)           {_p(t['ours_totals'])}")
        print(f"ours: whole balance (engine) per move                  {_p(t['ours'])}")
        print(f"reference: tobler dissolve + area_interpolate per move {_p(t['tobler'])}")
        print(f"whole balance / fair floor: {ours / floor:.1f}x (the floor gives population "
              "and need only); population-and-need step / floor: "
              f"{statistics.median(t['ours_totals']) / floor:.1f}x")
        d = drafts.start(geo, "places")
        start = time.perf_counter()
        found = optimise.suggest(geo, d, "pcns", 4, tolerance=0.10, from_scratch=True)
        print(f"optimiser, 4 footprints from scratch: {time.perf_counter() - start:.1f} s; "
              f"{found.summary()}")


def kirklees_pack(folder: Path) -> Path:
    """Kirklees imported twice: once to find each ward's PCN, then with those as 'places'."""
    k = REALDATA / "kirklees"
    spec = ImportSpec(wards=k / "wards.geojson", small_areas=k / "lsoa11.geojson",
                      population=k / "population_lsoa11_mid2015.csv",
                      need=k / "imd2019_lsoa11.csv", practices=k / "gp_practices.csv",
                      registrations=k / "gp_registrations_lsoa.csv", name="Kirklees",
                      practice_filter=("in_area_ccg", "True"))
    import_pack(spec, folder / "plain")
    geo = load_pack(folder / "plain")
    pop = overlap(geo, "wards", "pcns").population.toarray()
    pcns = geo.layer("pcns")
    best = pop.argmax(axis=1)
    groups = pd.DataFrame({"member": list(geo.layer("wards").codes),
                           "code": [pcns.codes[b] for b in best],
                           "name": [pcns.names[b] for b in best]})
    groups.to_csv(folder / "places.csv", index=False)
    import_pack(dataclasses.replace(spec, groups={"places": folder / "places.csv"}),
                folder / "pack")
    return folder / "pack"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    args = parser.parse_args()
    report("Demo pack (Brackmoor, fictional)", ROOT / "geodata" / "demo", args.moves)
    if (REALDATA / "kirklees").is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            report("Kirklees (imported; places = each ward's main PCN)",
                   kirklees_pack(Path(tmp)), args.moves)
    else:
        print("\nKirklees skipped: ../shared/realdata/kirklees not present.")


if __name__ == "__main__":
    main()
