"""Saving the draft as a scenario, and the other things the scenarios card does to the store:
save as new, duplicate, rename, delete, and unlocking a shared read-only view."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.engine import drafts
from dashboard.engine.drafts import Draft
from dashboard.scenarios import READ_ONLY, ScenarioError
from dashboard.web import ids
from dashboard.web.common.scenarios import Desk, opened_state
from dashboard.web.redraw.state import Judging, read_only


@dataclass(frozen=True)
class Request:
    """One press of a scenarios-card button, with what the page holds at that moment."""

    action: str  # the button's id
    name: str | None  # the name box
    selected: str | None  # the saved scenario chosen in the list
    data: dict  # the draft
    opened: dict | None
    judging: Judging


def payload(draft: Draft, judging: Judging) -> dict:
    """What a scenario holds: the footprints and the settings they were judged by (no history)."""
    return {"draft": draft.to_json(history=False), "settings": judging.to_json()}


def restored_message(kept: dict) -> str:
    moved = sum(len(step) for step in kept.get("undo", []))
    return (f"Your unsaved changes are back ({moved} ward move(s) in their history): they are "
            "NOT saved yet. Save them, or press Start again to drop them.")


def _hub_parts(desk: Desk, scenario_id: str) -> dict:
    """The hubs page's part of a saved scenario, kept when its footprints are saved again."""
    try:
        saved = desk.store.get(scenario_id).payload
    except ScenarioError:
        return {}  # deleted meanwhile: saving as new still works
    return {k: v for k, v in saved.items() if k in ("hubs", "hub_settings")}


def scenario_action(geo, desk: Desk, req: Request) -> tuple[dict | None, str]:
    """Save, save as, duplicate, rename, delete or unlock; returns the open scenario and a
    message. The desk's keys (this browser's edit keys) gain the key of anything saved anew;
    only scenarios whose key they hold can be changed. Store errors (bad names, conflicts,
    someone else's scenario, an unreachable database) propagate."""
    if req.action == ids.REDRAW_EDIT:
        return _unlock(desk, req.opened)
    if req.action in (ids.REDRAW_SAVE, ids.REDRAW_SAVE_AS):
        return _save(geo, desk, req)
    if not req.selected:
        raise ScenarioError("Choose a saved scenario first.")
    act = {ids.REDRAW_DUPLICATE: _duplicate, ids.REDRAW_RENAME: _rename,
           ids.REDRAW_DELETE: _delete}.get(req.action)
    return act(desk, req) if act else (req.opened, "")


def _unlock(desk: Desk, opened: dict | None) -> tuple[dict, str]:
    if not opened:
        raise ScenarioError("Open a saved scenario first.")
    if not desk.store.may_edit(desk.store.get(opened["id"], desk.pack),
                               desk.keys.get(opened["id"])):
        raise ScenarioError(READ_ONLY)
    return {**opened, "readonly": False}, f"You can now edit '{opened['name']}'."


def _save(geo, desk: Desk, req: Request) -> tuple[dict, str]:
    draft = drafts.from_json(geo, req.data)
    body = payload(draft, req.judging)
    opened = req.opened
    if opened:
        body = {**_hub_parts(desk, opened["id"]), **body}
    if req.action == ids.REDRAW_SAVE and opened and not read_only(opened):
        new_name = req.name if req.name and req.name != opened["name"] else None
        saved = desk.store.update(opened["id"], opened["version"], body, new_name,
                                  edit_key=desk.keys.get(opened["id"]), pack=desk.pack)
        return opened_state(saved), f"Saved '{saved.name}' (version {saved.version})."
    saved = desk.create(draft.layer, req.name, body)
    return opened_state(saved), f"Saved '{saved.name}'. Its read-only link is below."


def _duplicate(desk: Desk, req: Request) -> tuple[dict | None, str]:
    store, pack = desk.store, desk.pack
    copy = store.duplicate(req.selected, f"{store.get(req.selected, pack).name} (copy)", pack)
    desk.keys[copy.id] = copy.edit_key
    return req.opened, f"Made '{copy.name}'."


def _rename(desk: Desk, req: Request) -> tuple[dict | None, str]:
    current = desk.store.get(req.selected, desk.pack)
    renamed = desk.store.update(req.selected, current.version, name=req.name,
                                edit_key=desk.keys.get(req.selected), pack=desk.pack)
    opened = req.opened
    if opened and opened["id"] == req.selected:
        opened = opened_state(renamed)
    return opened, f"Renamed to '{renamed.name}'."


def _delete(desk: Desk, req: Request) -> tuple[dict | None, str]:
    gone = desk.store.get(req.selected, desk.pack).name
    desk.store.delete(req.selected, edit_key=desk.keys.get(req.selected), pack=desk.pack)
    desk.keys.pop(req.selected, None)
    opened = req.opened
    return (None if opened and opened["id"] == req.selected else opened), f"Deleted '{gone}'."
