"""Resources to allocate and their current allocation, from a pack manifest or a config file.

Both use the same ``[[resources]]`` tables::

    [[resources]]
    name = "early_help"            # id used in files and URLs
    label = "Early help"
    unit = "FTE"                   # or "£"
    total = 120                    # optional when the current allocation gives it
    core_method = "equal"          # equal | per_head | minimum
    core_share = 0.3               # equal / per_head: share of the total that is core
    core_amount = 2                # minimum: core per area
    need = "idaci_score"           # a need indicator or age band of the pack
    need_weight = 0.8              # 0 = per head ... 1 = fully need-weighted
    minimum = 1                    # smallest total for any area
    rounding = 0.1                 # 1, 0.1, or leave out for unrounded

and a current-allocation CSV with columns ``resource, layer, area, amount``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from dashboard.data.codes import INVISIBLE as _INVISIBLE
from dashboard.data.recognise import read_table
from dashboard.data.tables import amounts
from dashboard.engine.allocation import AllocationError, Resource, read_current
from dashboard.engine.geography import Geography

KEYS = {"name", "label", "unit", "total", "core_method", "core_share", "core_amount", "need",
        "need_weight", "minimum", "rounding"}


def parse_resources(tables, source: str) -> list[Resource]:
    """``[[resources]]`` tables as :class:`Resource` objects (totals may still be NaN)."""
    if not isinstance(tables, list):
        raise AllocationError(f"{source}: 'resources' should be a list of [[resources]] tables.")
    out, seen = [], set()
    for i, table in enumerate(tables):
        if not isinstance(table, dict) or "name" not in table:
            raise AllocationError(f"{source}: resources[{i}] needs a name, e.g. "
                                  "name = \"early_help\".")
        name = str(table["name"])
        unknown = sorted(set(table) - KEYS)
        if unknown:
            raise AllocationError(f"{source}: resource '{name}' has unknown setting(s) "
                                  f"{', '.join(unknown)}. Settings: {', '.join(sorted(KEYS))}.")
        if name in seen:
            raise AllocationError(f"{source}: resource '{name}' is listed twice.")
        seen.add(name)
        rounding = table.get("rounding")
        out.append(Resource(
            name=name, total=table.get("total", float("nan")), label=str(table.get("label", "")),
            unit=str(table.get("unit", "FTE")), core_method=str(table.get("core_method", "equal")),
            core_share=table.get("core_share", 0.0), core_amount=table.get("core_amount", 0.0),
            need=table.get("need"), need_weight=table.get("need_weight", 0.0),
            minimum=table.get("minimum", 0.0),
            rounding=float(rounding) if isinstance(rounding, (int, float)) else rounding))
    return out


def merge_config(pack: tuple[Resource, ...], tables: list, source: str) -> list[Resource]:
    """A config's ``[[resources]]``: a table naming a pack resource changes only the settings it
    gives; a new name is a new resource. No tables means every pack resource as it is."""
    if not tables:
        return list(pack)
    known = {r.name: dataclasses.asdict(r) for r in pack}
    merged = []
    for table in tables:
        base = known.get(table.get("name"), {}) if isinstance(table, dict) else {}
        merged.append({**{k: v for k, v in base.items() if v is not None}, **table}
                      if isinstance(table, dict) else table)
    return parse_resources(merged, source)


def load_current(path: Path, geo: Geography, resources) -> pd.DataFrame:
    """A current-allocation CSV, checked against the pack's layers and the resources."""
    return checked_current(read_table(path), path.name, geo, resources)


def checked_current(table: pd.DataFrame, source: str, geo: Geography,
                    resources) -> pd.DataFrame:
    """A current-allocation table (any column case), checked against the pack and resources."""
    table = table.rename(columns=lambda c: str(c).strip().lower())
    if "amount" in table.columns and not pd.api.types.is_numeric_dtype(table["amount"]):
        values = amounts(table["amount"].astype("string"), table)
        blank = table["amount"].astype("string").fillna("").str.strip() == ""
        bad = values.isna() & ~blank
        if bad.any():
            i = bad[bad].index[0]
            raise AllocationError(f"{source}: amount '{table.loc[i, 'amount']}' (row {i + 2}) is "
                                  "not a number; write it as 1200 or £1,200.")
        table = table.assign(amount=values)
    for col in ("resource", "layer", "area"):
        if col in table.columns:
            table[col] = table[col].astype("string").str.replace(_INVISIBLE, "", regex=True
                                                                 ).str.strip()
    return read_current(table, source, [r.name for r in resources],
                        {name: lay.codes for name, lay in geo.layers.items()})


def with_totals(resources: list[Resource], current: pd.DataFrame | None,
                source: str) -> list[Resource]:
    """Fill each missing total from the current allocation (on the first layer it is recorded)."""
    out = []
    for res in resources:
        if res.total == res.total:  # given (NaN is not equal to itself)
            out.append(res)
            continue
        rows = current[current["resource"] == res.name] if current is not None else None
        if rows is None or rows.empty:
            raise AllocationError(f"{source}: resource '{res.name}' has no total and no current "
                                  "allocation to take it from; add total = ... to it.")
        first = rows["layer"].iloc[0]
        total = rows.loc[rows["layer"] == first, "amount"].sum()
        out.append(dataclasses.replace(res, total=round(float(total), 9)))  # no float dust
    return out
