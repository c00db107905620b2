"""Scenario controls shared by the redraw and hubs pages: which saved scenarios this browser may
see, the state of an opened one, its share link, and remembering shared links opened here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, no_update

from dashboard.errors import DashboardError
from dashboard.scenarios import ScenarioError, ScenarioStore
from dashboard.web import ids, reference
from dashboard.web.common.controls import field, small_alert

PACK_CHOICE, DRAFT_CHOICE = "pack", "draft"  # compare the pack's footprints / the draft


@dataclass(frozen=True)
class CardIds:
    """A page's scenario controls: the name box, Save, Save as new, and the saved list."""

    name: str
    save: str
    save_as: str
    listing: str


def save_controls(card: CardIds, opened: dict | None, saved: list[dict]) -> list:
    """Name box with Save and Save as new, then this browser's saved scenarios."""
    return [
        dbc.InputGroup([dbc.Input(id=card.name, placeholder="Scenario name", maxLength=80,
                                  value=opened["name"] if opened else ""),
                        dbc.Button("Save", id=card.save, color="primary"),
                        dbc.Button("Save as new", id=card.save_as, color="secondary")],
                       size="sm", className="mb-2"),
        field("Saved scenarios", dcc.Dropdown(saved, opened["id"] if opened else None,
                                              id=card.listing,
                                              placeholder="Choose a saved scenario"),
              card.listing),
    ]


def register(app, opened: str) -> None:
    """Add the scenario held in store ``opened`` (a page's open scenario) to this browser's
    shared list, including one opened by the page's own address."""
    @app.callback(
        Output(ids.SCENARIO_SEEN, "data", allow_duplicate=True),
        Input(opened, "data"), State(ids.SCENARIO_SEEN, "data"),
        prevent_initial_call="initial_duplicate")
    def remember_shared(scenario, seen):
        return seen_with(scenario, seen)


@dataclass
class Desk:
    """One browser at the scenario store, on the request's pack: ``keys`` (its edit keys) grow
    as it saves anew; ``seen`` are the scenarios shared with it by link."""

    store: ScenarioStore
    pack: str
    keys: dict
    seen: list | None = None

    @classmethod
    def here(cls, keys: dict | None, seen: list | None = None) -> Desk:
        return cls(reference.scenarios(), reference.pack_key(), dict(keys or {}), seen)

    def create(self, layer: str, name: str | None, body: dict):
        saved = self.store.create(self.pack, layer, name, body)
        self.keys[saved.id] = saved.edit_key
        return saved

    def options(self, layer: str | None) -> tuple[list[dict], list[dict], str | None]:
        return scenario_options(self.store, self.pack, layer, self.keys, self.seen)

    def attempt(self, act: Callable[[], tuple], opened: dict | None) -> tuple:
        """Run one scenarios-card action: (the open scenario, a status alert, whether it
        worked). A refusal (bad name, conflict, someone else's scenario, a store that cannot
        be reached) is the alert, and the open scenario stays as it was."""
        try:
            opened, message = act()
        except DashboardError as exc:
            return opened, small_alert(str(exc)), False
        return opened, small_alert(message, "success"), True


def visible_scenarios(keys: dict | None, seen: list | None) -> set[str]:
    """The scenarios this browser may list: those it saved (it holds their edit keys) and
    those shared with it by link."""
    return set((keys or {}).keys()) | set(seen or [])


def scenario_options(store, pack: str, layer: str | None, keys: dict | None = None,
                     seen: list | None = None) -> tuple[list[dict], list[dict], str | None]:
    """This browser's saved scenarios as dropdown options, the same plus the pack's and the
    draft's footprints for comparing, and a message when the store cannot be reached."""
    try:
        saved = [{"label": s.name + ("" if s.id in (keys or {}) or store.team else " (shared)"),
                  "value": s.id}
                 for s in store.list(pack, layer, only=visible_scenarios(keys, seen))]
        problem = None
    except ScenarioError as exc:
        saved, problem = [], str(exc)
    fixed = [{"label": "The pack's footprints", "value": PACK_CHOICE},
             {"label": "This draft (unsaved)", "value": DRAFT_CHOICE}]
    return saved, fixed + saved, problem


def seen_with(opened: dict | None, seen: list | None):
    """``seen`` with a scenario opened from a shared link added (``no_update`` if nothing new)."""
    seen = list(seen or [])
    if not opened or not opened.get("id") or opened["id"] in seen:
        return no_update
    return [*seen, opened["id"]][-200:]


def opened_state(scenario, readonly: bool = False) -> dict:
    """What the redraw page keeps about the scenario it has open (a browser store)."""
    return {"id": scenario.id, "name": scenario.name, "version": scenario.version,
            "readonly": readonly}


def share_link(scenario_id: str) -> str:
    """The read-only link that opens a saved scenario."""
    query = urlencode({"pack": reference.current_choice(), "scenario": scenario_id})
    return f"{reference.base_url()}/redraw?{query}"
