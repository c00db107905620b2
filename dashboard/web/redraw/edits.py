"""One edit to the draft, from whichever control the user touched."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.engine import drafts
from dashboard.engine.drafts import Draft
from dashboard.web import ids
from dashboard.web.common.shapes import display_geometry
from dashboard.web.redraw.state import read_only, refuse_read_only


@dataclass(frozen=True)
class Edit:
    """What the edit callback received: the control that fired and the values it may need."""

    trigger: str | dict | None
    click: dict | None = None  # the map's clickData
    ward_values: list | None = None  # the ward list's selects, in ``select_ids`` order
    select_ids: list | None = None
    paint: str | None = None  # where clicked wards go
    locks: list | None = None
    selected: dict | None = None  # the map's selectedData (a box or lasso)
    prop: str | None = None  # the property that fired, e.g. "clickData" or "selectedData"


def edited(geo, data: dict, edit: Edit, opened: dict | None) -> dict:
    """The draft after one edit (a click, a ward list change, undo, redo, start again, locks).

    A read-only view refuses any edit that would change the footprints; the ward list echoing
    the draft back (as it does when the page opens) changes nothing and passes.
    """
    draft = drafts.from_json(geo, data)
    new = _apply(geo, draft, edit)
    if read_only(opened) and edit.trigger != ids.REDRAW_LOCKS \
            and new.assignment != draft.assignment:
        refuse_read_only()
    return data if new == draft else new.to_json()


def _apply(geo, draft: Draft, edit: Edit) -> Draft:
    trigger = edit.trigger
    if trigger == ids.REDRAW_MAP and edit.prop == "selectedData":
        return _move_selected(geo, draft, edit)
    if trigger == ids.REDRAW_MAP:
        atom = int(edit.click["points"][0]["location"])
        member = geo.layer(geo.layer(draft.layer).member_of)
        ward = member.codes[display_geometry(geo).atom_units[member.name][atom]]
        return drafts.move(draft, ward, edit.paint)
    if isinstance(trigger, dict):  # one ward's select in the list
        value = edit.ward_values[[i["code"] for i in edit.select_ids].index(trigger["code"])]
        return drafts.move(draft, trigger["code"], value)
    if trigger == ids.REDRAW_UNDO:
        return drafts.undo(draft)
    if trigger == ids.REDRAW_REDO:
        return drafts.redo(draft)
    if trigger == ids.REDRAW_RESET:
        return drafts.change(draft, drafts.start(geo, draft.layer).assignment)
    if trigger == ids.REDRAW_LOCKS:
        return drafts.lock(draft, edit.locks or [])
    return draft


def _move_selected(geo, draft: Draft, edit: Edit) -> Draft:
    """Every ward touched by a box or lasso selection goes to the chosen footprint, as one step
    (one undo takes it all back); wards of locked footprints stay where they are."""
    points = (edit.selected or {}).get("points") or []
    member = geo.layer(geo.layer(draft.layer).member_of)
    units = display_geometry(geo).atom_units[member.name]
    wards = dict.fromkeys(member.codes[units[int(p["location"])]] for p in points
                          if "location" in p)
    movable = [w for w in wards if draft.assignment[w] not in draft.locked
               and draft.assignment[w] != edit.paint]
    return drafts.move(draft, movable, edit.paint) if movable else draft
