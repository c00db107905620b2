"""Command-line interface for planners and batch work: ``python -m dashboard <command>``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dashboard.config import Settings
from dashboard.errors import DashboardError


def default_pack() -> Path:
    """The pack named by ``DASHBOARD_PACK``, else the bundled demo pack (read alone, so that
    another bad setting does not stop commands that do not use it)."""
    return Settings.from_env({"DASHBOARD_PACK": os.environ.get("DASHBOARD_PACK", "")}).pack


def _load(pack: str):
    """The pack, with its cut pieces kept in the server's disk cache (``DASHBOARD_CACHE_DIR``;
    ``off`` for none), so a repeat run on a large pack skips the cut."""
    from dashboard.data.loader import load_pack

    cache = Settings.from_env({"DASHBOARD_CACHE_DIR": os.environ.get("DASHBOARD_CACHE_DIR", "")})
    return load_pack(pack, cache.cache_dir)


def cmd_overlaps(args) -> int:
    from dashboard.engine import on_basis, overlap
    from dashboard.exports import basis_details, write_tables

    geo = _load(args.pack)
    counted = on_basis(geo, args.count)
    ov = overlap(counted, args.from_layer, args.to_layer, args.method, args.need)
    table = ov.table()
    details = {"Table": f"Overlaps of {args.from_layer} with {args.to_layer}",
               "Method": args.method, "Need indicator": ov.need_indicator or "(none)",
               "Need-weighted population": "population x need / population-weighted mean need",
               **basis_details(geo, args.count)}
    if args.method == "best-fit":
        details["Population moved by best-fitting"] = f"{ov.moved_by_best_fit:.2%}"
    out = write_tables(args.out, {"overlaps": table}, geo, details, exact=args.exact)
    print(f"Wrote {len(table)} overlaps of {args.from_layer} with {args.to_layer} "
          f"({args.method}) to {out}.")
    return 0


def cmd_mismatch(args) -> int:
    from dashboard.engine import mismatch, on_basis, overlap
    from dashboard.exports import basis_details, write_tables

    geo = _load(args.pack)
    mm = mismatch(overlap(on_basis(geo, args.count), args.from_layer, args.to_layer,
                          args.method), args.threshold)
    summary = mm.summary()
    sheets = {
        f"{args.from_layer} by {args.to_layer}": mm.from_units,
        f"{args.to_layer} by {args.from_layer}": mm.to_units,
    }
    if Path(args.out).suffix.lower() == ".xlsx":
        import pandas as pd

        sheets["summary"] = pd.DataFrame(list(summary.items()), columns=["measure", "value"])
    out = write_tables(args.out, sheets, geo, {"Method": args.method,
                                               **basis_details(geo, args.count), **summary},
                       exact=args.exact)
    print(f"Alignment of {args.from_layer} and {args.to_layer}: {mm.alignment:.3f} "
          f"(split scores {mm.split_score_from:.3f} / {mm.split_score_to:.3f}). Wrote {out}.")
    return 0


def cmd_allocate(args) -> int:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    from dashboard.data.allocations import load_current, merge_config, with_totals
    from dashboard.exports import write_allocation

    geo = _load(args.pack)
    config = Path(args.config)
    try:
        doc = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        print(f"error: {config.name}: not valid TOML ({exc}).", file=sys.stderr)
        return 2
    resources = merge_config(geo.resources, doc.get("resources", []), config.name)
    current = geo.current_allocations
    if "current" in doc:
        current = load_current(config.parent / str(doc["current"]), geo, resources)
    resources = with_totals(resources, current, config.name)
    if not resources:
        print(f"error: {config.name}: no resources to allocate; add [[resources]] tables "
              "(the pack has none).", file=sys.stderr)
        return 2
    out, transfers = write_allocation(args.out, geo, args.layer, resources, current,
                                      exact=args.exact)
    for line in transfers["instruction"]:
        print(line)
    print(f"Allocated {len(resources)} resource(s) across {geo.layer(args.layer).label.lower()}; "
          f"wrote {out}.")
    return 0


def cmd_validate(args) -> int:
    import json

    geo = _load(args.pack)
    print(f"{geo.name}: valid data pack{' (FICTIONAL)' if geo.fictional else ''}.")
    for src in geo.metadata.get("sources", []):
        print(f"  source: {src.get('title', '?')}: " + "; ".join(
            src[k] for k in ("role", "vintage", "publisher", "licence") if src.get(k)))
    print(f"  small areas: {len(geo.small_areas)}, population {geo.total_population:,.0f}")
    for layer in geo.layers.values():
        if layer.kind != "small_areas":
            print(f"  {layer.name} ({layer.kind}): {len(layer)} units")
    if geo.hubs is not None:
        print(f"  hubs: {len(geo.hubs)}")
    print(f"  need indicators: {', '.join(geo.need) or '(none)'}")
    warnings = list(geo.warnings)
    report = Path(args.pack) / "validation.json"
    if report.is_file():  # what the import found (e.g. practices outside the borough)
        try:
            found = json.loads(report.read_text(encoding="utf-8")).get("warnings", [])
        except (ValueError, OSError):
            found = []
        warnings += [w for w in found if isinstance(w, str) and w not in warnings]
    for w in warnings:
        print(f"  warning: {w}")
    return 0


def cmd_demo(args) -> int:
    from dashboard.data.demo import write_demo

    files = write_demo(args.out)
    print(f"Wrote the fictional demo pack ({len(files)} files) to {args.out}.")
    return 0


def cmd_build_examples(args) -> int:
    from dashboard.data.examples import build_examples

    realdata = Path(args.realdata)
    if not realdata.is_dir():
        raise DashboardError(f"{realdata}: no such folder; give the folder holding kirklees/, "
                             "oldham/ and rochdale/ with --realdata.")
    for key, report in build_examples(realdata, Path(args.out), args.only).items():
        counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
        print(f"{key}: {counts}; {len(report.warnings)} warning(s) (see its README.md).")
    return 0


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    out = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise DashboardError(f"{flag} takes NAME=VALUE; got '{value}'.")
        out[key.strip()] = rest.strip()
    return out


def cmd_import(args) -> int:
    from dashboard.data.importer import REPORT, ImportSpec, import_pack

    def path(value):
        return Path(value) if value else None

    keep = _pairs([args.practice_filter], "--practice-filter") if args.practice_filter else {}
    spec = ImportSpec(
        wards=Path(args.wards), small_areas=Path(args.small_areas),
        population=Path(args.population), need=path(args.need),
        lsoa_lookup=path(args.lsoa_lookup), practices=path(args.practices),
        registrations=path(args.registrations),
        groups={k: Path(v) for k, v in _pairs(args.group, "--group").items()},
        hubs=path(args.hubs), centroids=path(args.centroids), name=args.name,
        need_columns=_pairs(args.need_column, "--need-column"),
        population_column=args.population_column, pcn_rule=args.pcn_rule,
        min_share=args.min_share, estimate=args.estimate,
        practice_filter=next(iter(keep.items()), None),
        councils=list(args.council or []),
        lookup_fallback=path(args.lookup_fallback),
        best_fit_lookup=path(args.best_fit_lookup),
        vintages=_pairs(args.vintage, "--vintage"),
    )
    report = import_pack(spec, args.out)
    print("\n".join(report.lines()))
    print(f"Wrote the data pack to {args.out} (report in {Path(args.out) / REPORT}).")
    return 0


def cmd_serve(args) -> int:
    from dashboard.app import create_app

    app = create_app(args.pack)
    # Dash's debug mode runs Werkzeug's debugger, which executes code typed into the browser:
    # only on request, and the host defaults to this machine only.
    app.run(host=args.host, port=args.port, debug=args.debug or Settings.from_env().debug)
    return 0


def cmd_build_plotly(args) -> int:
    from dashboard import plotly_bundle

    print(f"Building Plotly {plotly_bundle.plotly_js_version()} with only "
          f"{', '.join(plotly_bundle.TRACES)} (npm install, then esbuild)...")
    out = plotly_bundle.build()
    print(f"Wrote {out} ({out.stat().st_size / 1e6:.1f} MB); sent for Plotly from the next start.")
    return 0


def cmd_password(args) -> int:
    from getpass import getpass

    from werkzeug.security import generate_password_hash

    first = getpass("Password for the dashboard's sign-in: ")
    if len(first) < 12:
        raise DashboardError("Use at least 12 characters.")
    if getpass("The same again: ") != first:
        raise DashboardError("The two passwords differ; nothing was made.")
    print(generate_password_hash(first))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Line up wards, PCN footprints and place partnerships: overlaps, mismatch, "
                    "data packs and the dashboard.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_overlaps_command, _mismatch_command, _allocate_command, _validate_command,
                _demo_command, _build_examples_command, _import_command, _serve_command, _password_command):
        add(sub)
    from dashboard.reports.command import add_command

    add_command(sub, str(default_pack()))
    return parser


def _pair_arguments(p, with_method: bool = True) -> None:
    """The arguments every two-layer command takes."""
    p.add_argument("--pack", default=str(default_pack()), help="data pack folder "
                   "(default: $DASHBOARD_PACK or the bundled demo pack)")
    p.add_argument("--from", dest="from_layer", required=True, help="layer name, e.g. places")
    p.add_argument("--to", dest="to_layer", required=True, help="layer name, e.g. pcns")
    if with_method:
        p.add_argument("--method", choices=["proportional", "best-fit"],
                       default="proportional", help="how small areas are split (default: "
                       "proportional)")
    p.add_argument("--count", choices=["residents", "registered"], default="residents",
                   help="count people as residents (default) or as patients registered "
                   "with GP practices (packs with published registrations)")
    p.add_argument("--out", required=True, help="output file, .csv or .xlsx")
    _exact_argument(p)


def _exact_argument(p) -> None:
    p.add_argument("--exact", action="store_true",
                   help="write figures exactly as computed (for further calculation); by "
                   "default people are rounded to whole people and other figures for reading")


def _overlaps_command(sub) -> None:
    p = sub.add_parser("overlaps", help="population, need and area of every overlap of two layers")
    _pair_arguments(p)
    p.add_argument("--need", help="need indicator (default: the pack's first)")
    p.set_defaults(func=cmd_overlaps)


def _mismatch_command(sub) -> None:
    p = sub.add_parser("mismatch", help="per-unit splits and the alignment score of two layers")
    _pair_arguments(p)
    p.add_argument("--threshold", type=float, default=0.05,
                   help="smallest share counted as a piece (default 0.05)")
    p.set_defaults(func=cmd_mismatch)


def _allocate_command(sub) -> None:
    p = sub.add_parser("allocate", help="share teams and budgets across a layer by population "
                       "and need, with the transfers from today's split")
    p.add_argument("--pack", default=str(default_pack()), help="data pack folder")
    p.add_argument("--layer", required=True, help="footprint layer, e.g. places or pcns")
    p.add_argument("--config", required=True, help="TOML with [[resources]] (see README); "
                   "resources named as in the pack change only the settings given")
    p.add_argument("--out", required=True, help="output file, .csv or .xlsx (with transfers, "
                   "parameters and About sheets)")
    _exact_argument(p)
    p.set_defaults(func=cmd_allocate)


def _validate_command(sub) -> None:
    p = sub.add_parser("validate", help="check a data pack and report what it holds")
    p.add_argument("--pack", default=str(default_pack()), help="data pack folder")
    p.set_defaults(func=cmd_validate)


def _demo_command(sub) -> None:
    p = sub.add_parser("demo", help="regenerate the fictional demo pack")
    p.add_argument("--out", required=True, help="folder to write the pack into")
    p.set_defaults(func=cmd_demo)


def _build_examples_command(sub) -> None:
    p = sub.add_parser("build-examples", help="rebuild the shipped real-borough packs "
                       "(Kirklees, Oldham, Rochdale) from the published files")
    p.add_argument("--realdata", default=str(Path(__file__).resolve().parents[2] / "shared"
                                             / "realdata"),
                   help="folder with kirklees/, oldham/, rochdale/ (default: ../shared/realdata)")
    p.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "geodata"),
                   help="where the packs go (default: geodata/)")
    p.add_argument("--only", action="append", help="build only this borough (repeatable)")
    p.set_defaults(func=cmd_build_examples)


def _import_command(sub) -> None:
    p = sub.add_parser("import", help="build a data pack from official ONS, MHCLG and NHS files")
    p.add_argument("--out", required=True, help="folder for the new pack (replaced only when "
                   "the import succeeds)")
    p.add_argument("--name", default="Imported borough", help="the pack's name")
    p.add_argument("--wards", required=True, help="ward boundaries (GeoJSON, GeoPackage, zipped "
                   "Shapefile; WDyyCD/WDyyNM columns recognised)")
    p.add_argument("--small-areas", required=True, help="LSOA boundaries (LSOAyyCD/NM)")
    p.add_argument("--population", required=True, help="population by LSOA (CSV; MHCLG "
                   "denominators layout recognised, with age bands)")
    p.add_argument("--population-column", help="population column, if not recognised")
    p.add_argument("--need", help="need indicators by LSOA (CSV; IoD2019 File 7 recognised)")
    p.add_argument("--need-column", action="append", metavar="KEY=COLUMN[:DIRECTION]",
                   help="pick a need column (repeatable); replaces the recognised ones. "
                   "DIRECTION is higher (more = more need), rank or decile (1 = most deprived; "
                   "converted); read from the column name when left out")
    p.add_argument("--lsoa-lookup", help="ONS LSOA 2011 -> 2021 lookup, to bridge vintages "
                   "(population, need and registrations)")
    p.add_argument("--lookup-fallback", metavar="BOUNDARIES",
                   help="LSOA boundaries of the tables' vintage: a small area the lookup lacks "
                   "is paired with the LSOA that contains it (named in the report)")
    p.add_argument("--best-fit-lookup", metavar="FILE",
                   help="ONS best-fit lookup of small areas to wards (e.g. LSOA21 -> WD24), used "
                   "for best-fit to wards; otherwise the ward holding each population-weighted "
                   "centroid (--centroids), else the ward holding most of its area")
    p.add_argument("--council", action="append", metavar="CODE_OR_NAME",
                   help="keep this local authority's small areas, wards and PCNs from national "
                   "or multi-council files (repeatable, e.g. --council Oldham --council E08000005)")
    p.add_argument("--vintage", action="append", metavar="ROLE=TEXT",
                   help="state an input's vintage where the file does not (repeatable), e.g. "
                   "wards='May 2023'; roles: small_areas, wards, population, need, practices, "
                   "registrations, hubs")
    p.add_argument("--practices", help="GP practices: code, name, PCN code and name, list size, "
                   "coordinates (easting/northing or lon/lat)")
    p.add_argument("--practice-filter", metavar="COLUMN=VALUE",
                   help="keep only practices where COLUMN equals VALUE (e.g. in_area_ccg=True)")
    p.add_argument("--registrations", help="patients registered at each practice by LSOA (NHS "
                   "England layout); without it PCN footprints are estimated")
    p.add_argument("--pcn-rule", choices=["proportional", "plurality", "majority"],
                   default="proportional", help="how registrations make PCN footprints")
    p.add_argument("--min-share", type=float, default=0.0, help="ignore a PCN holding less "
                   "than this share of a small area's patients (default 0)")
    p.add_argument("--estimate", choices=["gravity", "nearest"], default="gravity",
                   help="how to estimate footprints without registrations (default gravity)")
    p.add_argument("--group", action="append", metavar="NAME=FILE",
                   help="a grouping of wards (CSV: ward code, group code, group name); repeatable")
    p.add_argument("--hubs", help="hubs (CSV: name, type, lon/lat or easting/northing, staff)")
    p.add_argument("--centroids", help="population-weighted centroids of the small areas (CSV: "
                   "LSOA code, x/y or easting/northing or lon/lat), for hub distances")
    p.set_defaults(func=cmd_import)


def _serve_command(sub) -> None:
    p = sub.add_parser("serve", help="run the dashboard (development server)")
    p.add_argument("--pack", default=str(default_pack()), help="data pack folder")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8050)))
    p.add_argument("--debug", action="store_true",
                   help="Dash debug mode and dev tools (never on a shared server)")
    p.set_defaults(func=cmd_serve)


def _password_command(sub) -> None:
    p = sub.add_parser("build-plotly", help="build a lighter Plotly with only the trace types "
                       "the dashboard draws (needs Node.js and npm)")
    p.set_defaults(func=cmd_build_plotly)

    p = sub.add_parser("password", help="make DASHBOARD_AUTH_PASSWORD_HASH for basic sign-in")
    p.set_defaults(func=cmd_password)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DashboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
