"""What-if hubs: open a hub, move one, close one, change its staff, with undo and redo.

A plan is plain data (codes, names and BNG coordinates) so that it can live in the browser and be
saved inside a scenario. Every edit returns a new plan; closed hubs are kept so they can reopen and
so a comparison can say what closed.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard.engine.access import HUB_COLUMNS, hub_table, outside_borough
from dashboard.engine.drafts import HISTORY_LIMIT, EditError
from dashboard.engine.geography import Geography

# A click this close outside the boundary (generalised boundaries, a town hall on the edge) is
# still taken as inside.
EDGE_M = 50.0
NAME_RE = re.compile(r"^[\w .,'()&/+-]{1,60}$")


@dataclass(frozen=True)
class Hub:
    code: str
    name: str
    type: str
    x: float
    y: float
    staff: float = 0.0
    serves: str = ""


State = tuple[tuple[Hub, ...], frozenset]


@dataclass(frozen=True)
class HubPlan:
    """Hubs as edited so far; ``closed`` holds codes of hubs that no longer count."""

    hubs: tuple[Hub, ...]
    closed: frozenset[str] = frozenset()
    undo: tuple[State, ...] = ()
    redo: tuple[State, ...] = ()

    def table(self, include_closed: bool = False) -> pd.DataFrame:
        """Open hubs (all with ``include_closed``) as an :func:`access.access` input."""
        rows = [dataclasses.asdict(h) for h in self.hubs
                if include_closed or h.code not in self.closed]
        return pd.DataFrame(rows, columns=HUB_COLUMNS)

    def get(self, code: str) -> Hub:
        for hub in self.hubs:
            if hub.code == code:
                return hub
        raise EditError(f"There is no hub with code '{code}'. Hubs: "
                        f"{', '.join(h.code for h in self.hubs) or '(none)'}.")

    def to_json(self, history: bool = True) -> dict:
        """Plain data; without ``history`` (as scenarios are saved) there is no undo or redo."""
        state = _state_json((self.hubs, self.closed))
        if not history:
            return state
        return {**state, "undo": [_state_json(s) for s in self.undo],
                "redo": [_state_json(s) for s in self.redo]}


def _state_json(state: State) -> dict:
    hubs, closed = state
    return {"hubs": [dataclasses.asdict(h) for h in hubs], "closed": sorted(closed)}


def from_table(frame: pd.DataFrame) -> tuple[Hub, ...]:
    """Hubs from a :func:`access.hub_table`-shaped frame."""
    columns = [frame[c].tolist() for c in HUB_COLUMNS]
    return tuple(Hub(code=str(c), name=str(n), type=str(t), x=float(x), y=float(y),
                     staff=float(s), serves=str(v)) for c, n, t, x, y, s, v in zip(*columns))


def start(geo: Geography) -> HubPlan:
    """The pack's own hubs, none closed."""
    return HubPlan(from_table(hub_table(geo)))


def _step(plan: HubPlan, hubs: tuple[Hub, ...], closed: frozenset) -> HubPlan:
    undo = (*plan.undo, (plan.hubs, plan.closed))[-HISTORY_LIMIT:]
    return HubPlan(hubs, closed, undo, ())


def _check_place(geo: Geography, x: float, y: float) -> None:
    gap = float(outside_borough(geo, [x], [y])[0])
    if gap > EDGE_M:
        raise EditError(f"That point is {gap / 1000:.1f} km outside the borough; a hub must be "
                        "inside it. Click inside the borough.")


def _check_name(plan: HubPlan, name: str, code: str | None = None) -> str:
    name = str(name).strip()
    if not NAME_RE.match(name):
        raise EditError("A hub name must be 1-60 letters, digits, spaces or . , ' ( ) & / + -.")
    for hub in plan.hubs:
        if hub.code != code and hub.name.casefold() == name.casefold():
            raise EditError(f"There is already a hub called '{hub.name}' ({hub.code}). "
                            "Give this one another name.")
    return name


def add(plan: HubPlan, geo: Geography, x: float, y: float, *, name: str | None = None,
        kind: str = "community", staff: float = 0.0, serves: str = "") -> HubPlan:
    """Open a new hub at BNG ``x``, ``y`` (codes NEW1, NEW2, … never reused in a plan)."""
    _check_place(geo, x, y)
    taken = {h.code for h in plan.hubs}
    k = 1
    while f"NEW{k}" in taken:
        k += 1
    if name is None:
        j = k
        while any(h.name.casefold() == f"new hub {j}" for h in plan.hubs):
            j += 1
        name = f"New hub {j}"
    hub = Hub(f"NEW{k}", _check_name(plan, name), _kind(plan, kind) or "community",
              round(float(x)), round(float(y)), _check_staff(staff), str(serves))
    return _step(plan, (*plan.hubs, hub), plan.closed)


def _kind(plan: HubPlan, kind) -> str:
    """A hub type as the plan already spells it ('community' and 'Community' are one type;
    'EIP hub' keeps its capitals), else as given."""
    kind = str(kind or "").strip()
    known = {h.type.casefold(): h.type for h in plan.hubs}
    return known.get(kind.casefold(), kind)


def _check_staff(staff) -> float:
    try:
        value = float(staff)
    except (TypeError, ValueError):
        value = float("nan")
    if not math.isfinite(value) or value < 0 or value > 10_000:
        raise EditError(f"Staff must be a number from 0 to 10,000 (full-time equivalents), "
                        f"not '{staff}'.")
    return value


def move(plan: HubPlan, geo: Geography, code: str, x: float, y: float) -> HubPlan:
    """Move hub ``code`` to BNG ``x``, ``y``."""
    hub = plan.get(code)
    if code in plan.closed:
        raise EditError(f"{hub.name} is closed; reopen it before moving it.")
    _check_place(geo, x, y)
    moved = dataclasses.replace(hub, x=round(float(x)), y=round(float(y)))
    return _step(plan, tuple(moved if h.code == code else h for h in plan.hubs), plan.closed)


def close(plan: HubPlan, code: str) -> HubPlan:
    hub = plan.get(code)
    if code in plan.closed:
        raise EditError(f"{hub.name} is already closed.")
    return _step(plan, plan.hubs, plan.closed | {code})


def reopen(plan: HubPlan, code: str) -> HubPlan:
    hub = plan.get(code)
    if code not in plan.closed:
        raise EditError(f"{hub.name} is open.")
    return _step(plan, plan.hubs, plan.closed - {code})


def update(plan: HubPlan, code: str, name: str | None = None, staff=None,
           kind: str | None = None, serves: str | None = None) -> HubPlan:
    """Rename a hub or change its staff, type or the footprint it serves."""
    hub = plan.get(code)
    changes = {}
    if name is not None and name.strip() != hub.name:
        changes["name"] = _check_name(plan, name, code)
    if staff is not None and _check_staff(staff) != hub.staff:
        changes["staff"] = _check_staff(staff)
    kind = _kind(plan, kind) if kind is not None else ""
    if kind and kind != hub.type:
        changes["type"] = kind
    if serves is not None and serves != hub.serves:
        changes["serves"] = str(serves)
    if not changes:
        return plan
    new = dataclasses.replace(hub, **changes)
    return _step(plan, tuple(new if h.code == code else h for h in plan.hubs), plan.closed)


def replace(plan: HubPlan, hubs: tuple[Hub, ...]) -> HubPlan:
    """All hubs at once (the pack's again, or a loaded file), as one step that undo reverses."""
    codes = [h.code for h in hubs]
    if len(set(codes)) != len(codes):
        raise EditError("Each hub needs its own code.")
    return _step(plan, tuple(hubs), frozenset())


def undo(plan: HubPlan) -> HubPlan:
    if not plan.undo:
        raise EditError("Nothing to undo.")
    hubs, closed = plan.undo[-1]
    return HubPlan(hubs, closed, plan.undo[:-1], (*plan.redo, (plan.hubs, plan.closed)))


def redo(plan: HubPlan) -> HubPlan:
    if not plan.redo:
        raise EditError("Nothing to redo.")
    hubs, closed = plan.redo[-1]
    return HubPlan(hubs, closed, (*plan.undo, (plan.hubs, plan.closed)), plan.redo[:-1])


def changes(geo: Geography, plan: HubPlan) -> pd.DataFrame:
    """What the plan changes against the pack: one row per opened, moved, closed or edited hub,
    with how far a moved hub went (straight-line metres)."""
    original = {h.code: h for h in start(geo).hubs}
    rows = []
    for hub in plan.hubs:
        old = original.get(hub.code)
        if hub.code in plan.closed:
            if old is not None:
                rows.append((hub.code, hub.name, "closed", 0.0))
        elif old is None:
            rows.append((hub.code, hub.name, "opened", 0.0))
        elif (hub.x, hub.y) != (old.x, old.y):
            rows.append((hub.code, hub.name, "moved", math.hypot(hub.x - old.x, hub.y - old.y)))
        elif hub != old:
            rows.append((hub.code, hub.name, "edited", 0.0))
    return pd.DataFrame(rows, columns=["code", "name", "change", "moved_straight_line_m"])


def _hubs_from(items, where: str) -> tuple[Hub, ...]:
    if not isinstance(items, list):
        raise EditError(f"{where}: 'hubs' must be a list.")
    hubs, codes = [], set()
    for i, item in enumerate(items, 1):
        try:
            hub = Hub(code=str(item["code"]), name=str(item["name"]), type=str(item["type"]),
                      x=float(item["x"]), y=float(item["y"]),
                      staff=float(item.get("staff", 0.0)), serves=str(item.get("serves", "")))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise EditError(f"{where}: hub {i} needs code, name, type, x and y.") from None
        if not (math.isfinite(hub.x) and math.isfinite(hub.y) and math.isfinite(hub.staff)):
            raise EditError(f"{where}: hub {hub.code} has a coordinate or staff that is not a "
                            "number.")
        if hub.code in codes:
            raise EditError(f"{where}: hub code {hub.code} appears twice.")
        codes.add(hub.code)
        hubs.append(hub)
    return tuple(hubs)


def from_json(data: Mapping, where: str = "The saved hubs") -> HubPlan:
    """Rebuild a plan saved by :meth:`HubPlan.to_json`, naming what is wrong if it is damaged."""
    if not isinstance(data, Mapping):
        raise EditError(f"{where} are not a hub plan.")

    def state(part) -> State:
        if not isinstance(part, Mapping):
            raise EditError(f"{where}: an undo step is damaged.")
        hubs = _hubs_from(part.get("hubs"), where)
        closed = frozenset(str(c) for c in part.get("closed", []))
        unknown = closed - {h.code for h in hubs}
        if unknown:
            raise EditError(f"{where}: closed hub(s) {', '.join(sorted(unknown))} are not in the "
                            "list.")
        return hubs, closed

    hubs, closed = state(data)
    steps = [state(s) for s in data.get("undo", [])][-HISTORY_LIMIT:]
    later = [state(s) for s in data.get("redo", [])][-HISTORY_LIMIT:]
    return HubPlan(hubs, closed, tuple(steps), tuple(later))
