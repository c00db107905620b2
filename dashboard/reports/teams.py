"""What every report reads of a whole layer, worked out once per layer and kept with the pack:
each team or budget's allocation, and hub access. A report of every footprint then reads them
instead of redoing them per footprint."""

from __future__ import annotations

from dashboard.engine.access import DEFAULT_BANDS_M, Access, access, hub_table
from dashboard.engine.allocation import AllocationError, Resource, allocate
from dashboard.engine.geography import Geography, grouping_key

NO_TEAMS = ("This pack records no teams or budgets; add them in its pack.toml or try amounts on "
            "the Allocate page.")


def allocations(geo: Geography, layer: str) -> list[tuple[Resource, object, str | None]]:
    """(resource, its allocation table or None, why it cannot be shared on ``layer``) for each
    team or budget in the pack, with today's allocation where the pack records it."""
    def make() -> list:
        out = []
        for res in geo.resources:
            try:
                out.append((res, allocate(geo, layer, res, geo.current_allocations).table, None))
            except AllocationError as exc:
                out.append((res, None, f"not shared on this layer: {exc}"))
        return out
    return geo.derived.get(("report-allocations", grouping_key(geo), layer), make)


def hub_access(geo: Geography, layer: str, need: str | None) -> Access | None:
    """Straight-line access to the pack's hubs by unit of ``layer`` (None without hubs)."""
    if geo.hubs is None or geo.hubs.empty:
        return None
    return geo.derived.get(("report-access", grouping_key(geo), layer, need),
                           lambda: access(geo, hub_table(geo), need, DEFAULT_BANDS_M, layer))
