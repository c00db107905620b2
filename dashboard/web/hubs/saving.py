"""Saving the hub plan into a scenario, with the footprints it was judged on."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.engine import drafts, hubplan
from dashboard.engine.hubplan import HubPlan
from dashboard.scenarios import ScenarioError
from dashboard.web import ids
from dashboard.web.common.scenarios import Desk, opened_state
from dashboard.web.hubs.state import HubSettings


@dataclass(frozen=True)
class Request:
    """One press of Save or Save as new, with what the page holds at that moment."""

    action: str  # the button's id
    name: str | None
    plan_data: dict
    opened: dict | None
    settings: HubSettings


def payload(geo, plan: HubPlan, opened: dict | None, settings: HubSettings) -> dict:
    """A scenario body: the opened scenario's footprints (or the pack's), these hubs and the
    settings they were judged by."""
    if opened and opened.get("draft"):
        draft = opened["draft"]
    else:
        grouping = next((n for n, lay in geo.layers.items() if lay.kind == "grouping"), None)
        if grouping is None:
            raise ScenarioError("Scenarios hold footprints made of wards, and this pack has "
                                "none; export the hub tables instead.")
        draft = drafts.start(geo, grouping).to_json(history=False)
    return {"draft": draft, "hubs": plan.to_json(history=False),
            "hub_settings": settings.to_json()}


def scenario_action(geo, desk: Desk, req: Request) -> tuple[dict, str]:
    """Save (update the open scenario, keeping its footprints and settings; only with its edit
    key among the desk's keys) or save as new (adding its key to them)."""
    body = payload(geo, hubplan.from_json(req.plan_data), req.opened, req.settings)
    opened = req.opened
    if req.action == ids.HUBS_SAVE and opened:
        if opened.get("readonly"):
            raise ScenarioError("This shared scenario is read-only here; use Save as new to keep "
                                "your changes.")
        current = desk.store.get(opened["id"], desk.pack)
        new_name = req.name if req.name and req.name != opened["name"] else None
        saved = desk.store.update(opened["id"], opened["version"], {**current.payload, **body},
                                  new_name, edit_key=desk.keys.get(opened["id"]), pack=desk.pack)
        message = f"Saved '{saved.name}' (version {saved.version})."
    else:
        saved = desk.create(body["draft"]["layer"], req.name, body)
        message = f"Saved '{saved.name}' with its footprints and hubs."
    return {**opened_state(saved), "draft": body["draft"]}, message


def restored_message(kept: dict) -> str:
    return (f"Your unsaved hub changes are back ({len(kept.get('undo', []))} change(s) in their "
            "history): they are NOT saved yet.")
