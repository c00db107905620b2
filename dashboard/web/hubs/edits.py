"""One edit to the hub plan, from whichever control the user touched."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.data import recognise as rec
from dashboard.data.points import check_inside, read_hubs
from dashboard.engine import hubplan
from dashboard.engine.drafts import EditError
from dashboard.engine.hubplan import HubPlan
from dashboard.uploads import TABLE_FILE_LIMIT, Upload, decode
from dashboard.web import ids
from dashboard.web.common.mapbase import lonlat_to_bng


@dataclass(frozen=True)
class HubEdit:
    """What the edit callback received: the control that fired and the values it may need."""

    trigger: str | None
    click: dict | None = None  # longitude/latitude of a map click
    mode: str = "look"  # what a click does: add, move or look
    chosen: str | None = None  # the chosen hub's code
    name: str | None = None  # a new hub's name and type
    kind: str | None = None
    staff: float | None = None
    upload: Upload | None = None


def edited(geo, plan_data: dict, edit: HubEdit) -> tuple[HubPlan, str | None, str]:
    """The plan after one edit, the hub to choose next, and a message saying what happened."""
    plan = hubplan.from_json(plan_data)
    trigger, chosen = edit.trigger, edit.chosen
    if trigger == ids.HUBS_CLICK:
        return _clicked(geo, plan, edit)
    if trigger in (ids.HUBS_CLOSE, ids.HUBS_REOPEN, ids.HUBS_SET_STAFF) and not chosen:
        raise EditError("Choose a hub first.")
    if trigger == ids.HUBS_CLOSE:
        return hubplan.close(plan, chosen), chosen, f"Closed {plan.get(chosen).name}."
    if trigger == ids.HUBS_REOPEN:
        return hubplan.reopen(plan, chosen), chosen, f"Reopened {plan.get(chosen).name}."
    if trigger == ids.HUBS_SET_STAFF:
        new = hubplan.update(plan, chosen, staff=edit.staff)
        return new, chosen, f"{plan.get(chosen).name} now has {new.get(chosen).staff:,.1f} staff."
    if trigger == ids.HUBS_UNDO:
        return hubplan.undo(plan), chosen, "Undone."
    if trigger == ids.HUBS_REDO:
        return hubplan.redo(plan), chosen, "Redone."
    if trigger == ids.HUBS_RESET:
        start = hubplan.start(geo)
        return hubplan.replace(plan, start.hubs), None, "Back to the pack's hubs; Undo returns."
    if trigger == ids.HUBS_FILE and edit.upload is not None:
        return loaded(geo, plan, edit.upload)
    return plan, chosen, ""


def _clicked(geo, plan: HubPlan, edit: HubEdit) -> tuple[HubPlan, str | None, str]:
    """A map click: open a hub there, move the chosen one there, or nothing."""
    if edit.mode == "look" or not edit.click:
        return plan, edit.chosen, ""
    x, y = lonlat_to_bng(edit.click["lon"], edit.click["lat"])
    if edit.mode == "move":
        if not edit.chosen:
            raise EditError("Choose the hub to move first, then click where it should go.")
        new = hubplan.move(plan, geo, edit.chosen, x, y)
        return new, edit.chosen, f"Moved {new.get(edit.chosen).name}."
    new = hubplan.add(plan, geo, x, y, name=(edit.name or "").strip() or None,
                      kind=edit.kind or "community")
    hub = new.hubs[-1]
    return new, hub.code, f"Opened {hub.name}. Set its staff below; Undo takes it back."


def loaded(geo, plan: HubPlan, upload: Upload) -> tuple[HubPlan, None, str]:
    """A hubs CSV in place of the plan's hubs, checked like an imported pack's."""
    raw = decode(upload, TABLE_FILE_LIMIT)
    frame = read_hubs(rec.parse_table(raw, upload.filename), upload.filename)
    check_inside(frame["easting"], frame["northing"], frame["name"], geo.small_area_geometry.values,
                 upload.filename)
    hubs = hubplan.from_table(frame.rename(columns={"hub_code": "code", "easting": "x",
                                                    "northing": "y"}))
    return (hubplan.replace(plan, hubs), None,
            f"Loaded {len(hubs)} hub(s) from {upload.filename}; Undo returns the previous hubs.")
