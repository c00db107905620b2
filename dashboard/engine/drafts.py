"""A draft of a grouping layer being redrawn: which group each member is in, locks, undo and redo.

A draft is plain data (codes and lists) so that it can live in the browser between requests and
be saved as a scenario; every edit returns a new draft. Each undoable *step* is a tuple of
``(member, old_group, new_group)`` changes, so a suggestion or an imported file that moves many
wards undoes in one go.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dashboard.engine.geography import Geography
from dashboard.engine.regroup import UNASSIGNED, add_grouping, membership_of, with_groups
from dashboard.errors import DashboardError

HISTORY_LIMIT = 100  # steps kept for undo; older ones are dropped, never the current state
MAX_FOOTPRINTS = 60

Change = tuple[str, str, str]  # member, old group, new group
Step = tuple[Change, ...]


class EditError(DashboardError):
    """An edit that cannot be made as asked (unknown code, locked footprint, nothing to undo)."""


@dataclass(frozen=True)
class Draft:
    """Groups of a grouping layer as edited so far.

    Attributes
    ----------
    layer
        The grouping layer being redrawn (e.g. ``"places"``).
    assignment
        Member code -> group code for every member, in the member layer's order.
    groups
        Group code -> name, in display order (groups may be empty).
    locked
        Group codes that must not gain or lose members.
    undo, redo
        Steps that can be undone (latest last) and redone (next last).
    new
        For a layer being made in the dashboard (not in the pack): its label and the layer its
        members come from; ``None`` for a pack's own layer.
    """

    layer: str
    assignment: Mapping[str, str]
    groups: Mapping[str, str]
    locked: frozenset[str] = frozenset()
    undo: tuple[Step, ...] = ()
    redo: tuple[Step, ...] = ()
    new: tuple[str, str] | None = None

    @property
    def unassigned(self) -> list[str]:
        """Members not yet in any footprint (only a layer being made has them)."""
        return self.members_of(UNASSIGNED) if UNASSIGNED in self.groups else []

    def members_of(self, group: str) -> list[str]:
        return [m for m, g in self.assignment.items() if g == group]

    def to_json(self, history: bool = True) -> dict:
        """Plain data; without ``history`` (as scenarios are saved) there is no undo or redo."""
        data = {"layer": self.layer, "assignment": dict(self.assignment),
                "groups": [[c, n] for c, n in self.groups.items()], "locked": sorted(self.locked)}
        if self.new:
            data["new"] = {"label": self.new[0], "of": self.new[1]}
        if history:
            data["undo"] = [[list(c) for c in s] for s in self.undo]
            data["redo"] = [[list(c) for c in s] for s in self.redo]
        return data


def start(geo: Geography, layer: str) -> Draft:
    """A draft holding the pack's own groups of ``layer``."""
    lay = geo.layer(layer)
    if lay.kind != "grouping":
        raise EditError(f"Layer '{layer}' is a {lay.kind} layer; only groupings of wards can be "
                        "redrawn.")
    return Draft(layer, membership_of(geo, layer), dict(zip(lay.codes, lay.names)))


def blank(geo: Geography, name: str, label: str, footprints: Iterable[str],
          member_of: str = "wards") -> Draft:
    """A new layer ``name`` of ``member_of``'s units with the named, empty ``footprints``;
    every member starts unassigned."""
    names = [str(n).strip() for n in footprints if str(n).strip()]
    if not names:
        raise EditError("Name at least one footprint, one per line.")
    if len(names) > MAX_FOOTPRINTS:
        raise EditError(f"{len(names)} footprints is more than {MAX_FOOTPRINTS}; name fewer.")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise EditError(f"Two footprints are both called {twice[0]!r}; give each its own name.")
    if name in geo.layers:
        raise EditError(f"The pack already has a layer called '{name}'; choose another name.")
    member = geo.layer(member_of)
    groups = {UNASSIGNED: "Unassigned", **{f"F{i:02d}": n for i, n in enumerate(names, 1)}}
    return Draft(name, dict.fromkeys(member.codes, UNASSIGNED), groups,
                 new=(label.strip() or name, member_of))


def layer_key(label: str, taken: Iterable[str]) -> str:
    """A machine name for a new layer from its label, not one of ``taken``:
    ``Place partnerships`` -> ``place_partnerships``."""
    key = re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_")[:36] or "footprints"
    if not key[0].isalpha():
        key = "l_" + key
    taken, base, n = set(taken), key, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def host(geo: Geography, data: Mapping | Draft) -> Geography:
    """The geography a draft is drawn on: ``geo`` itself, or for a layer being made ``geo``
    with that layer added, every member unassigned (so "the pack's footprints" of a new layer
    are: none yet)."""
    draft = data if isinstance(data, Draft) else None
    new = draft.new if draft else (data or {}).get("new")
    layer = draft.layer if draft else (data or {}).get("layer")
    if not new or layer in geo.layers:
        return geo
    try:
        label, of = (new if draft else (new["label"], new["of"]))
        groups = dict(draft.groups) if draft else {str(c): str(n) for c, n in data["groups"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise EditError(f"The new layer's draft cannot be read ({exc!r}); start it again.") \
            from None
    return add_grouping(geo, str(layer), str(label), str(of), groups, UNASSIGNED)


def from_json(geo: Geography, data: Mapping) -> Draft:
    """Rebuild a draft saved by :meth:`Draft.to_json`, checking it against ``geo``.

    Members the draft does not mention keep the pack's group, so a scenario saved before a ward
    was added still opens; unknown members or groups are errors that name the code.
    """
    try:
        layer = str(data["layer"])
        new = data.get("new")
        base = start(host(geo, data), layer)
        groups = {str(c): str(n) for c, n in data.get("groups") or base.groups.items()}
        assignment = dict(base.assignment)
        for member, group in dict(data.get("assignment") or {}).items():
            member, group = str(member), str(group)
            if member not in assignment:
                raise EditError(f"'{member}' is not a unit of the layer that {layer} is made of.")
            if group not in groups:
                raise EditError(f"Ward '{member}' is assigned to '{group}', which is not one of "
                                f"the footprints ({', '.join(groups)}).")
            assignment[member] = group
        locked = frozenset(str(g) for g in data.get("locked") or ()) & set(groups)
        undo = tuple(_steps(data.get("undo")))[-HISTORY_LIMIT:]
        redo = tuple(_steps(data.get("redo")))[-HISTORY_LIMIT:]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EditError(f"The saved draft cannot be read ({exc!r}); start again from the pack's "
                        "footprints.") from None
    return Draft(layer, assignment, groups, locked, undo, redo,
                 (str(new["label"]), str(new["of"])) if new else None)


def _steps(raw) -> Iterable[Step]:
    for step in raw or ():
        yield tuple((str(m), str(a), str(b)) for m, a, b in step)


def move(draft: Draft, members: str | Iterable[str], group: str) -> Draft:
    """Move one or more members into ``group`` as one undoable step.

    Members already in ``group`` are left alone; a locked source or target is an error.
    """
    members = [members] if isinstance(members, str) else list(members)
    return change(draft, dict.fromkeys(members, group))


def change(draft: Draft, assignment: Mapping[str, str], new_groups: Mapping[str, str] | None = None
           ) -> Draft:
    """Apply many moves at once (a suggestion, an imported file) as one undoable step.

    ``new_groups`` (code -> name) adds groups the draft does not have yet.
    """
    groups = dict(draft.groups)
    for code, name in (new_groups or {}).items():
        groups.setdefault(str(code), str(name))
    changes = []
    for member, group in assignment.items():
        member, group = str(member), str(group)
        if member not in draft.assignment:
            raise EditError(f"'{member}' is not a ward of this layer; check the code.")
        if group not in groups:
            raise EditError(f"There is no footprint '{group}'. Footprints: {', '.join(groups)}.")
        old = draft.assignment[member]
        if old == group:
            continue
        for side in (old, group):
            if side in draft.locked:
                raise EditError(f"{groups[side]} is locked, so {member} cannot move "
                                f"{'out of' if side == old else 'into'} it; unlock it first.")
        changes.append((member, old, group))
    if not changes:
        return draft
    return dataclasses.replace(draft, groups=groups, assignment=_applied(draft, changes, 2),
                               undo=(*draft.undo, tuple(changes))[-HISTORY_LIMIT:], redo=())


def _applied(draft: Draft, step: Step, side: int) -> dict[str, str]:
    assignment = dict(draft.assignment)
    for change_ in step:
        assignment[change_[0]] = change_[side]
    return assignment


def undo(draft: Draft) -> Draft:
    """Take back the latest step."""
    if not draft.undo:
        raise EditError("Nothing to undo.")
    step = draft.undo[-1]
    return dataclasses.replace(draft, assignment=_applied(draft, step, 1), undo=draft.undo[:-1],
                               redo=(*draft.redo, step))


def redo(draft: Draft) -> Draft:
    """Make the latest undone step again."""
    if not draft.redo:
        raise EditError("Nothing to redo.")
    step = draft.redo[-1]
    return dataclasses.replace(draft, assignment=_applied(draft, step, 2), redo=draft.redo[:-1],
                               undo=(*draft.undo, step))


def lock(draft: Draft, groups: Iterable[str]) -> Draft:
    """Set which groups are locked (replaces the set; locks are not undo steps)."""
    locked = frozenset(str(g) for g in groups)
    unknown = locked - set(draft.groups)
    if unknown:
        raise EditError(f"Cannot lock unknown footprint(s) {', '.join(sorted(unknown))}.")
    return dataclasses.replace(draft, locked=locked)


def moved(base: Mapping[str, str], draft: Draft) -> dict[str, tuple[str, str]]:
    """Members whose group differs from ``base``: member -> (old group, new group)."""
    return {m: (base.get(m, ""), g) for m, g in draft.assignment.items() if base.get(m) != g}


def apply(geo: Geography, draft: Draft) -> Geography:
    """The geography with the draft's groups in place of the layer's own (geometry untouched).

    Every group of the draft is a unit of the new layer, in the draft's order, even when empty,
    so positions (and so colours) never depend on which ward moved first.
    """
    return with_groups(host(geo, draft), draft.layer, draft.groups, draft.assignment)


def rename(draft: Draft, group: str, name: str) -> Draft:
    """Give a footprint a new name (not an undo step, like locks)."""
    name = str(name or "").strip()
    if group not in draft.groups or group == UNASSIGNED:
        raise EditError("Choose a footprint to rename.")
    if not name:
        raise EditError("Type the footprint's new name.")
    if name in [n for c, n in draft.groups.items() if c != group]:
        raise EditError(f"Another footprint is already called {name!r}.")
    return dataclasses.replace(draft, groups={**draft.groups, group: name})
