"""Read and check a data pack's ``pack.toml`` manifest.

The format is documented with a complete example in the README ("Data pack format").
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.errors import ManifestError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST = "pack.toml"
LAYER_TYPES = ("polygons", "grouping", "registration")
USER_DEFINED = "(user-defined)"  # the mark of a layer drawn in the dashboard
PRACTICE_COLUMNS = {
    "code": "practice_code",
    "name": "practice_name",
    "unit_code": "pcn_code",
    "unit_name": "pcn_name",
    "list_size": "list_size",
    "x": "easting",
    "y": "northing",
}
REGISTRATION_COLUMNS = {"practice": "practice_code", "small_area": "small_area_code",
                        "patients": "patients"}
CENTROID_COLUMNS = {"code": "code", "x": "easting", "y": "northing"}
BEST_FIT_COLUMNS = {"small_area": "small_area_code", "unit": "unit_code"}
HUB_COLUMNS = {"code": "hub_code", "name": "name", "type": "type", "x": "easting",
               "y": "northing", "staff": "staff", "serves": "serves"}


@dataclass(frozen=True)
class FileSpec:
    """A file of the pack and the columns to read from it (role -> column in the file)."""

    path: Path
    columns: dict[str, str]
    crs: str | None = None
    origin: str | None = None  # the user's file this one was imported from

    @property
    def source(self) -> str:
        """The file's name in messages: the user's own file when the pack was imported."""
        return self.origin or self.path.name


@dataclass(frozen=True)
class LayerSpec:
    name: str
    type: str
    label: str
    files: dict[str, FileSpec]
    of: str | None = None
    estimated: bool = False
    rule: str = "proportional"
    min_share: float = 0.0


@dataclass(frozen=True)
class Manifest:
    root: Path
    name: str
    fictional: bool
    description: str
    small_areas: FileSpec
    small_area_label: str
    need: dict[str, str]  # column -> label
    age_bands: dict[str, str]  # column -> label
    layers: list[LayerSpec]
    hubs: FileSpec | None
    sources: list[dict[str, str]] = field(default_factory=list)
    resources: list = field(default_factory=list)  # raw [[resources]] tables
    allocations: Path | None = None  # current-allocation CSV
    centroids: FileSpec | None = None  # population-weighted centroids of the small areas
    best_fit: dict = field(default_factory=dict)  # layer -> FileSpec of a best-fit lookup
    open_data: bool = False  # real published data shipped with the project (a badge says so)


def _get(table: dict, key: str, where: str, kind: type = str, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise ManifestError(f"{MANIFEST}: {where} needs a '{key}' entry.")
        return default
    value = table[key]
    if not isinstance(value, kind):
        raise ManifestError(
            f"{MANIFEST}: {where}.{key} should be a {kind.__name__}, not {type(value).__name__}."
        )
    return value


def _file(root: Path, table: dict, key: str, where: str, columns: dict[str, str],
          origins: dict | None = None) -> FileSpec:
    rel = _get(table, key, where)
    path = (root / rel).resolve()
    if root.resolve() not in path.parents:
        raise ManifestError(f"{MANIFEST}: {where}.{key} = '{rel}' points outside the pack folder.")
    if not path.is_file():
        raise ManifestError(
            f"{MANIFEST}: {where}.{key} names '{rel}', which is not in {root}. "
            "Check the file name or copy the file into the pack."
        )
    overrides = _get(table, "columns", where, dict, {})
    unknown = set(overrides) - set(columns)
    if unknown:
        raise ManifestError(
            f"{MANIFEST}: {where}.columns has unknown role(s) {', '.join(sorted(unknown))}; "
            f"known roles: {', '.join(columns)}."
        )
    origin = (origins or {}).get(rel)
    return FileSpec(path, {**columns, **overrides}, _get(table, "crs", where, str, None),
                    str(origin) if origin else None)


def read_manifest(folder: str | Path) -> Manifest:
    """Parse ``folder/pack.toml`` into a :class:`Manifest`, checking every file it names exists."""
    root = Path(folder)
    path = root / MANIFEST
    if not root.is_dir():
        raise ManifestError(f"Data pack folder '{root}' does not exist.")
    if not path.is_file():
        raise ManifestError(
            f"'{root}' has no {MANIFEST}. A data pack is a folder with a {MANIFEST} manifest; "
            "see 'Data pack format' in the README, or run `python -m dashboard demo --out DIR`."
        )
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML ({exc}).") from exc
    pack = _get(doc, "pack", "the manifest", dict)
    origins = _get(pack, "origins", "pack", dict, {})

    def file(*args) -> FileSpec:
        return _file(*args, origins=origins)

    sa = _get(doc, "small_areas", "the manifest", dict)
    need = {k: _get(v, "label", f"small_areas.need.{k}", str, k) if isinstance(v, dict) else str(v)
            for k, v in _get(sa, "need", "small_areas", dict, {}).items()}
    age = {k: str(v) for k, v in _get(sa, "age_bands", "small_areas", dict, {}).items()}
    sa_cols = {"code": "code", "name": "name", "population": "population"}
    layers = [_layer(root, table, i, file)
              for i, table in enumerate(_get(doc, "layers", "the manifest", list, []))]
    sources = [{k: str(v) for k, v in s.items()} for s in _get(pack, "sources", "pack", list, [])]
    return Manifest(
        root=root,
        name=_get(pack, "name", "pack"),
        fictional=_get(pack, "fictional", "pack", bool, False),
        description=_get(pack, "description", "pack", str, ""),
        open_data=_get(pack, "open_data", "pack", bool, False),
        small_areas=file(root, sa, "file", "small_areas", sa_cols),
        small_area_label=_get(sa, "label", "small_areas", str, "Small areas"),
        need=need,
        age_bands=age,
        layers=layers,
        sources=sources,
        resources=_get(doc, "resources", "the manifest", list, []),
        **_optional_files(root, doc, sa, file),
    )


def _optional_files(root: Path, doc: dict, sa: dict, file) -> dict:
    """Hubs, current allocations, centroids and best-fit lookups, where the pack has them."""
    def table(key: str, columns: dict):
        return file(root, _get(doc, key, "the manifest", dict), "file", key, columns) \
            if key in doc else None

    allocations = table("allocations", {})
    return {
        "hubs": table("hubs", HUB_COLUMNS),
        "allocations": allocations.path if allocations else None,
        "centroids": file(root, _get(sa, "centroids", "small_areas", dict), "file",
                          "small_areas.centroids", CENTROID_COLUMNS) if "centroids" in sa else None,
        "best_fit": {name: file(root, {"file": rel}, "file", f"small_areas.best_fit.{name}",
                                BEST_FIT_COLUMNS)
                     for name, rel in _get(sa, "best_fit", "small_areas", dict, {}).items()},
    }


def _layer(root: Path, table, i: int, file) -> LayerSpec:
    """One ``[[layers]]`` table, its files checked to exist (``file`` finds them)."""
    where = f"layers[{i}]"
    if not isinstance(table, dict):
        raise ManifestError(f"{MANIFEST}: {where} should be a table ([[layers]]).")
    name = _get(table, "name", where)
    where = f"layers '{name}'"
    kind = _get(table, "type", where)
    if kind not in LAYER_TYPES:
        raise ManifestError(
            f"{MANIFEST}: {where} has type '{kind}'; use one of {', '.join(LAYER_TYPES)}."
        )
    if kind == "polygons":
        files = {"file": file(root, table, "file", where, {"code": "code", "name": "name"})}
    elif kind == "grouping":
        files = {"file": file(root, table, "file", where,
                               {"member": "member_code", "code": "code", "name": "name"})}
    else:
        files = {
            "practices": file(root, table, "practices", where, PRACTICE_COLUMNS),
            "registrations": file(root, _registration_table(table), "registrations", where,
                                   REGISTRATION_COLUMNS),
        }
    label = _get(table, "label", where, str, name)
    if _get(table, "user_defined", where, bool, False) and USER_DEFINED not in label:
        label = f"{label} {USER_DEFINED}"  # never mistaken for an official boundary
    spec = LayerSpec(
        name=name, type=kind, label=label,
        files=files, of=_get(table, "of", where, str, None) if kind == "grouping" else None,
        estimated=_get(table, "estimated", where, bool, False),
        rule=_get(table, "rule", where, str, "proportional"),
        min_share=float(_get(table, "min_share", where, (int, float), 0.0)),
    )
    if kind == "grouping" and spec.of is None:
        raise ManifestError(f"{MANIFEST}: {where} is a grouping and needs 'of' (e.g. 'wards').")
    return spec


def _registration_table(table: dict) -> dict:
    # Registration columns live under their own key so they cannot clash with practice columns.
    out = {"columns": table.get("registration_columns", {})}
    if "registrations" in table:
        out["registrations"] = table["registrations"]
    return out
