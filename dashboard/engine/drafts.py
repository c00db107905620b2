"""A draft of a grouping layer being redrawn: which group each member is in, locks, undo and redo.

A draft is plain data (codes and lists) so that it can live in the browser between requests and
be saved as a scenario; every edit returns a new draft. Each undoable *step* is a tuple of
``(member, old_group, new_group)`` changes, so a suggestion or an imported file that moves many
wards undoes in one go.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dashboard.engine.geography import Geography
from dashboard.engine.regroup import membership_of, with_groups
from dashboard.errors import DashboardError

HISTORY_LIMIT = 100  # steps kept for undo; older ones are dropped, never the current state

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
    """

    layer: str
    assignment: Mapping[str, str]
    groups: Mapping[str, str]
    locked: frozenset[str] = frozenset()
    undo: tuple[Step, ...] = ()
    redo: tuple[Step, ...] = ()

    def members_of(self, group: str) -> list[str]:
        return [m for m, g in self.assignment.items() if g == group]

    def to_json(self, history: bool = True) -> dict:
        """Plain data; without ``history`` (as scenarios are saved) there is no undo or redo."""
        data = {"layer": self.layer, "assignment": dict(self.assignment),
                "groups": [[c, n] for c, n in self.groups.items()], "locked": sorted(self.locked)}
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


def from_json(geo: Geography, data: Mapping) -> Draft:
    """Rebuild a draft saved by :meth:`Draft.to_json`, checking it against ``geo``.

    Members the draft does not mention keep the pack's group, so a scenario saved before a ward
    was added still opens; unknown members or groups are errors that name the code.
    """
    try:
        layer = str(data["layer"])
        base = start(geo, layer)
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
    return Draft(layer, assignment, groups, locked, undo, redo)


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
    return with_groups(geo, draft.layer, draft.groups, draft.assignment)
